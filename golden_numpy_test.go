package mdiff_test

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/internal/testtool"
	"github.com/mdiff/mdiff/numeric"
	"github.com/mdiff/mdiff/render"
)

// Each golden's NumPy module is executed by python3 with numpy: value,
// gradient, differential and hessian must equal mdiff's own evaluation of the
// derived expressions on random inputs.

// numpyDriver (testdata/numpy_driver.py) executes a module and calls its
// functions; it reads {"module", "funcs", "calls": [{"fn", "args", "kw"}]} and
// writes one {"type", "shape", "data"} (or {"error"}) per call. It also
// checks that the module imports nothing but numpy and the standard library.
var numpyDriver = filepath.Join("testdata", "numpy_driver.py")

type pyCall struct {
	Fn   string         `json:"fn"`
	Args []any          `json:"args"`
	Kw   map[string]any `json:"kw"`
}

type pyResult struct {
	Type  string     `json:"type"`
	Shape []int      `json:"shape"`
	Data  []*float64 `json:"data"`
	Error string     `json:"error"`
}

// toPy converts a value of shape s as the module takes it: scalars floats,
// column vectors 1-D lists, everything else 2-D lists.
func toPy(m *mat.Dense, s ast.Shape) any {
	r, c := m.Dims()
	switch {
	case s.IsScalar():
		return m.At(0, 0)
	case s.IsColVector():
		out := make([]float64, r)
		for i := range r {
			out[i] = m.At(i, 0)
		}
		return out
	}
	out := make([][]float64, r)
	for i := range r {
		out[i] = make([]float64, c)
		for j := range c {
			out[i][j] = m.At(i, j)
		}
	}
	return out
}

func testNumPy(t *testing.T, c *goldenCase, res *ast.Result, module string) {
	py := testtool.Python(t)
	dir := t.TempDir()
	modPath := filepath.Join(dir, "mdiff_golden.py")
	if err := os.WriteFile(modPath, []byte(module), 0o644); err != nil {
		t.Fatal(err)
	}
	type expect struct {
		what  string
		val   *mat.Dense
		shape ast.Shape
	}
	var calls []pyCall
	var want []expect
	rng := rand.New(rand.NewPCG(29, 29))
	multi := len(res.Derivatives) > 1
	for range 2 {
		env := numeric.RandomEnv(rng, res.Program, nil)
		kw := map[string]any{}
		for _, v := range res.Program.Vars {
			kw[v.Name] = toPy(env.Vals[v.Name], v.Shape)
		}
		add := func(fn string, args []any, n *ast.Node, shape ast.Shape) {
			val, err := numeric.Eval(n, env)
			if err != nil {
				t.Fatalf("Eval(%s): %v", render.Text(n, render.Plain()), err)
			}
			calls = append(calls, pyCall{Fn: fn, Args: args, Kw: kw})
			want = append(want, expect{what: fn, val: val, shape: shape})
		}
		add("value", []any{}, res.F, res.F.Shape)
		for _, d := range res.Derivatives {
			v := d.Wrt
			suffix := ""
			if multi {
				suffix = "_" + v.Name
			}
			dir := numeric.RandomDirection(rng, v, env)
			env.Deltas = map[string]*mat.Dense{v.Name: dir}
			args := []any{toPy(dir, v.Shape)}
			if d.Gradient != nil {
				add("gradient"+suffix, []any{}, d.Gradient, v.Shape)
				add("differential"+suffix, args, ast.Inner(ast.Delta(v.Name, v.Shape), d.Gradient), res.F.Shape)
			} else {
				add("differential"+suffix, args, d.Differential, res.F.Shape)
			}
			if d.Hessian != nil {
				add("hessian"+suffix, args, d.Hessian, v.Shape)
			}
		}
	}
	req, _ := json.Marshal(map[string]any{"module": modPath, "funcs": append([]string{}, res.Program.Funcs...), "calls": calls})
	cmd := exec.Command(py, numpyDriver)
	cmd.Stdin = bytes.NewReader(req)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.String())
	}
	var got struct {
		BadImports []string   `json:"bad_imports"`
		Results    []pyResult `json:"results"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("python output %q: %v", out, err)
	}
	if len(got.BadImports) > 0 {
		t.Errorf("the module imports %v (only numpy and the standard library are allowed)", got.BadImports)
	}
	if len(got.Results) != len(want) {
		t.Fatalf("python returned %d results for %d calls", len(got.Results), len(want))
	}
	for i, w := range want {
		g := got.Results[i]
		if g.Error != "" {
			t.Errorf("%s: %s", w.what, g.Error)
			continue
		}
		r, cols := w.val.Dims()
		var wantShape []int
		switch {
		case w.shape.IsScalar():
			if g.Type != "float" {
				t.Errorf("%s returned a %s, want a Python float", w.what, g.Type)
			}
		case w.shape.IsColVector():
			wantShape = []int{r}
		default:
			wantShape = []int{r, cols}
		}
		if !slices.Equal(g.Shape, wantShape) {
			t.Errorf("%s returned shape %v, want %v", w.what, g.Shape, wantShape)
			continue
		}
		gm := mat.NewDense(r, cols, nil)
		for k, x := range g.Data {
			if x == nil {
				t.Errorf("%s returned a non-finite entry", w.what)
				break
			}
			gm.Set(k/cols, k%cols, *x)
		}
		if e := relDiff(gm, w.val); e > 1e-8 {
			t.Errorf("%s differs from the derived expression: relative error %.2g", w.what, e)
		}
	}
}
