package builtin_test

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/internal/testtool"
	"github.com/mdiff/mdiff/numeric"
	"github.com/mdiff/mdiff/render"
)

// derived is the answer to every test row, for the format checks below.
func derived(t *testing.T) map[*ast.Op]*ast.Result {
	t.Helper()
	out := map[*ast.Op]*ast.Result{}
	for _, op := range table {
		row := rows[op]
		res, err := mdiff.Derive(row.expr, mdiff.Options{Wrt: []string{row.wrt}, Let: []string{row.let}})
		if err != nil {
			t.Fatalf("%s: %v", row.expr, err)
		}
		out[op] = res
	}
	return out
}

// TestEveryRowRendersInKaTeX renders f, the differential and the gradient of
// every test row with KaTeX.
func TestEveryRowRendersInKaTeX(t *testing.T) {
	var items []string
	for _, res := range derived(t) {
		d := res.Derivatives[0]
		for _, n := range []*ast.Node{res.F, d.Differential, d.Gradient} {
			if n != nil {
				items = append(items, render.LaTeX(n))
			}
		}
	}
	for _, e := range testtool.KaTeX(t, items) {
		t.Errorf("KaTeX cannot render %s", e)
	}
}

// numpyDriver execs each module and calls gradient(**vars) (scalar f) or
// differential(delta, **vars), printing the results as JSON.
const numpyDriver = `
import json, sys
import numpy as np
out = []
for c in json.load(open(sys.argv[1])):
    ns = {}
    exec(c["module"], ns)
    kw = {k: (np.array(v, dtype=float) if isinstance(v, list) else v) for k, v in c["vars"].items()}
    if c["delta"] is None:
        r = ns["gradient"](**kw)
    else:
        r = ns["differential"](np.array(c["delta"], dtype=float), **kw)
    out.append(np.asarray(r, dtype=float).ravel().tolist())
json.dump(out, sys.stdout)
`

// TestEveryRowRunsInNumPy executes the --format numpy module of every test
// row and compares its gradient (or differential) with mdiff's own
// evaluation of the answer at the same inputs.
func TestEveryRowRunsInNumPy(t *testing.T) {
	py := testtool.Python(t)
	type job struct {
		Module string         `json:"module"`
		Vars   map[string]any `json:"vars"`
		Delta  any            `json:"delta"`
	}
	var jobs []job
	var want [][]float64
	var names []string
	rng := rand.New(rand.NewPCG(5, 9))
	all := derived(t)
	for _, op := range table {
		res := all[op]
		var buf bytes.Buffer
		if err := render.Write(&buf, res, render.FormatNumPy, render.TextOptions{}); err != nil {
			t.Fatalf("%s: %v", op.Name, err)
		}
		env := numeric.RandomEnv(rng, res.Program, nil)
		d := res.Derivatives[0]
		j := job{Module: buf.String(), Vars: map[string]any{}}
		for _, v := range res.Program.Vars {
			j.Vars[v.Name] = pyValue(env.Vals[v.Name], v.Shape)
		}
		answer := d.Gradient
		if answer == nil {
			delta := numeric.RandomDirection(rng, d.Wrt, env)
			env.Deltas[d.Wrt.Name] = delta
			j.Delta = pyValue(delta, d.Wrt.Shape)
			answer = d.Differential
		}
		v, err := numeric.Eval(answer, env)
		if err != nil {
			t.Fatalf("%s: %v", op.Name, err)
		}
		jobs = append(jobs, j)
		want = append(want, v.RawMatrix().Data)
		names = append(names, op.Name+": "+rows[op].expr)
	}
	dir := t.TempDir()
	data, _ := json.Marshal(jobs)
	jobsPath, script := filepath.Join(dir, "jobs.json"), filepath.Join(dir, "driver.py")
	if err := os.WriteFile(jobsPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(script, []byte(numpyDriver), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(py, script, jobsPath)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.String())
	}
	var got [][]float64
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("python output %q: %v", out, err)
	}
	for i := range want {
		if len(got[i]) != len(want[i]) {
			t.Errorf("%s: NumPy gives %d entries, want %d", names[i], len(got[i]), len(want[i]))
			continue
		}
		if d := relDiff(want[i], got[i]); d > 1e-9 {
			t.Errorf("%s: NumPy differs from mdiff's evaluation by %g", names[i], d)
		}
	}
}

// pyValue is a value as the generated modules take it: a float for a
// scalar, a list for a vector, a list of rows for a matrix.
func pyValue(m *mat.Dense, s ast.Shape) any {
	r, c := m.Dims()
	switch {
	case s.IsScalar():
		return m.At(0, 0)
	case c == 1:
		return append([]float64(nil), m.RawMatrix().Data...)
	}
	rowsOut := make([][]float64, r)
	for i := range rowsOut {
		rowsOut[i] = append([]float64(nil), m.RawRowView(i)...)
	}
	return rowsOut
}
