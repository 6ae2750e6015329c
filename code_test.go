// The code formats proven by running them: every golden case and every case
// of testdata/eval (extended, vocab_ext and decl.jsonl; hessian.jsonl with --hessian) is written
// as NumPy, PyTorch, MATLAB/Octave and Go, each run with its real runtime
// (one python3 process for NumPy and PyTorch, one octave process, one go
// build of a temporary module) on the same random inputs, and every
// function's result is compared with numeric.Eval of the derived expression
// it prints and with the NumPy module's. PyTorch's gradient is also compared
// with torch.autograd.grad of its value, and gonum's Problem with Value and
// Gradient.
package mdiff_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"gonum.org/v1/gonum/mat"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/internal/testtool"
	"github.com/mdiff/mdiff/numeric"
	"github.com/mdiff/mdiff/render"
)

// codeCall is one function call of a generated module with its expected
// results (row-major), one per returned value.
type codeCall struct {
	fn    string      // snake case: value, gradient_X, …
	delta *ast.Node   // the variable whose direction is passed first, or nil
	want  [][]float64 // expected results, row-major
	shape []ast.Shape
	grad  bool // a gradient of a scalar f: also checked against autograd
	wrt   string
}

// codeCase is one expression with its inputs and calls.
type codeCase struct {
	name  string
	res   *ast.Result
	env   *numeric.Env
	calls []codeCall
}

func codeDerive(t *testing.T, name, expr string, opts mdiff.Options) *codeCase {
	opts.NoCheck = true // these tests compare the code with the derived expressions; the goldens and the harness check those
	res, err := mdiff.Derive(expr, opts)
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return nil
	}
	rng := rand.New(rand.NewPCG(21, 21))
	// Sizes as the check draws them, then reversed (logdet(Xᵀ·X) needs X
	// tall), then all equal.
	var names []string
	seen := map[ast.Dim]bool{}
	for _, v := range res.Program.Vars {
		for _, d := range []ast.Dim{v.Shape.Rows, v.Shape.Cols} {
			if !d.IsNumber() && !seen[d] {
				seen[d] = true
				names = append(names, string(d))
			}
		}
	}
	slices.Sort(names)
	plans := []map[ast.Dim]int{nil, {}, {}}
	for i, n := range names {
		plans[1][ast.Dim(n)] = 3 + len(names) - 1 - i
		plans[2][ast.Dim(n)] = 4
	}
	var env *numeric.Env
	ok := false
	for k := 0; k < 30 && !ok; k++ {
		env = numeric.RandomEnv(rng, res.Program, plans[k/10])
		env.Funcs = map[string]numeric.Func{}
		for _, g := range res.Program.Funcs {
			env.Funcs[g] = func(x float64, order int) float64 {
				if order == 0 {
					return math.Tanh(x)
				}
				return 1 - math.Tanh(x)*math.Tanh(x)
			}
		}
		env.Deltas = map[string]*mat.Dense{}
		for _, d := range res.Derivatives {
			env.Deltas[d.Wrt.Name] = numeric.RandomDirection(rng, d.Wrt, env)
		}
		ok = true
		for _, n := range allNodes(res) {
			if v, err := numeric.Eval(n, env); err != nil || !numeric.Finite(v) {
				ok = false
				break
			}
		}
	}
	if !ok {
		t.Logf("%s: no random input where every expression is finite (a domain the draws do not respect); skipped", name)
		return nil
	}
	c := &codeCase{name: name, res: res, env: env}
	eval := func(n *ast.Node) []float64 {
		m, err := numeric.Eval(n, env)
		if err != nil {
			t.Errorf("%s: Eval: %v", name, err)
			return nil
		}
		r, k := m.Dims()
		out := make([]float64, 0, r*k)
		for i := range r {
			for j := range k {
				out = append(out, m.At(i, j))
			}
		}
		return out
	}
	multi := len(res.Derivatives) > 1
	scalar := res.F.IsScalar()
	c.calls = append(c.calls, codeCall{fn: "value", want: [][]float64{eval(res.F)}, shape: []ast.Shape{res.F.Shape}})
	if scalar {
		vg := codeCall{fn: "value_and_gradient", want: [][]float64{eval(res.F)}, shape: []ast.Shape{res.F.Shape}}
		for _, d := range res.Derivatives {
			vg.want = append(vg.want, eval(d.Gradient))
			vg.shape = append(vg.shape, d.Wrt.Shape)
		}
		c.calls = append(c.calls, vg)
	}
	for _, d := range res.Derivatives {
		sfx := ""
		if multi {
			sfx = "_" + word(d.Wrt.Name)
		}
		delta := ast.Delta(d.Wrt.Name, d.Wrt.Shape)
		if d.Gradient != nil {
			c.calls = append(c.calls, codeCall{fn: "gradient" + sfx, want: [][]float64{eval(d.Gradient)}, shape: []ast.Shape{d.Wrt.Shape}, grad: true, wrt: d.Wrt.Name},
				codeCall{fn: "differential" + sfx, delta: d.Wrt, want: [][]float64{eval(ast.Inner(delta, d.Gradient))}, shape: []ast.Shape{ast.Scalar}})
		} else {
			c.calls = append(c.calls, codeCall{fn: "differential" + sfx, delta: d.Wrt, want: [][]float64{eval(d.Differential)}, shape: []ast.Shape{res.F.Shape}})
		}
		if d.Hessian != nil {
			c.calls = append(c.calls, codeCall{fn: "hessian" + sfx, delta: d.Wrt, want: [][]float64{eval(d.Hessian)}, shape: []ast.Shape{d.Wrt.Shape}})
		}
		if d.HessianMat != nil {
			c.calls = append(c.calls, codeCall{fn: "hessian_matrix" + sfx, want: [][]float64{eval(d.HessianMat)}, shape: []ast.Shape{d.HessianMat.Shape}})
		}
	}
	return c
}

// allNodes lists f and every derived expression of res, with the directions.
func allNodes(res *ast.Result) []*ast.Node {
	out := []*ast.Node{res.F}
	for _, d := range res.Derivatives {
		for _, n := range []*ast.Node{d.Differential, d.Gradient, d.Hessian, d.HessianMat} {
			if n != nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// wrongShapeVar is a variable that a row too many makes mis-shaped: its
// number of rows is a number or the size of an earlier variable (whose
// shape fixes it), or nil.
func wrongShapeVar(res *ast.Result) *ast.Node {
	seen := map[ast.Dim]bool{}
	for _, v := range res.Program.Vars {
		if !v.IsScalar() && (v.Shape.Rows.IsNumber() || seen[v.Shape.Rows]) {
			return v
		}
		seen[v.Shape.Rows], seen[v.Shape.Cols] = true, true
	}
	return nil
}

// word spells a name in ASCII as the generated code does (λ → lambda).
func word(s string) string {
	var sb strings.Builder
	for _, r := range s {
		if r < utf8.RuneSelf {
			sb.WriteRune(r)
		} else if g, ok := greekNames[r]; ok {
			sb.WriteString(g)
		} else {
			fmt.Fprintf(&sb, "u%04X", r)
		}
	}
	return sb.String()
}

var greekNames = map[rune]string{
	'α': "alpha", 'β': "beta", 'γ': "gamma", 'δ': "delta", 'ε': "epsilon", 'ζ': "zeta", 'η': "eta", 'θ': "theta",
	'ι': "iota", 'κ': "kappa", 'λ': "lambda", 'μ': "mu", 'ν': "nu", 'ξ': "xi", 'ο': "omicron", 'π': "pi", 'ρ': "rho",
	'σ': "sigma", 'τ': "tau", 'υ': "upsilon", 'φ': "phi", 'χ': "chi", 'ψ': "psi", 'ω': "omega",
	'Γ': "Gamma", 'Δ': "Delta", 'Θ': "Theta", 'Λ': "Lambda", 'Ξ': "Xi", 'Π': "Pi", 'Σ': "Sigma", 'Φ': "Phi", 'Ψ': "Psi", 'Ω': "Omega",
}

// codeCases are the golden cases and the testdata/eval suites.
func codeCases(t *testing.T) []*codeCase {
	var out []*codeCase
	for _, g := range loadGoldenCases(t) {
		if c := codeDerive(t, g.name, g.expr, g.opts); c != nil {
			out = append(out, c)
		}
	}
	for _, suite := range []struct {
		file    string
		hessian bool
	}{{"extended.jsonl", false}, {"hessian.jsonl", true}, {"vocab_ext.jsonl", false}, {"decl.jsonl", false}} {
		f, err := os.Open(filepath.Join("testdata", "eval", suite.file))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var ec struct{ ID, Expr, Let, Wrt string }
			if err := json.Unmarshal(sc.Bytes(), &ec); err != nil {
				t.Fatalf("%s: %v", suite.file, err)
			}
			opts := mdiff.Options{Wrt: []string{ec.Wrt}, Let: []string{ec.Let}, Hessian: suite.hessian, Seed: 1}
			if c := codeDerive(t, suite.file+":"+ec.ID, ec.Expr, opts); c != nil {
				out = append(out, c)
			}
		}
		f.Close()
	}
	return out
}

// rowMajor flattens a value.
func rowMajor(m *mat.Dense) []float64 {
	r, c := m.Dims()
	out := make([]float64, 0, r*c)
	for i := range r {
		for j := range c {
			out = append(out, m.At(i, j))
		}
	}
	return out
}

// pyInput converts a value for JSON: float, list, list of rows.
func pyInput(m *mat.Dense, s ast.Shape) any {
	r, _ := m.Dims()
	switch {
	case s.IsScalar():
		return m.At(0, 0)
	case s.IsColVector():
		return mat.Col(nil, 0, m)
	}
	rows := make([][]float64, r)
	for i := range r {
		rows[i] = mat.Row(nil, i, m)
	}
	return rows
}

func writeCode(t *testing.T, res *ast.Result, f render.Format, name string) string {
	var sb strings.Builder
	if err := render.Write(&sb, res, f, render.TextOptions{Name: name}); err != nil {
		t.Errorf("--format %s: %v", f, err)
		return ""
	}
	return sb.String()
}

// codeDiff is the relative difference of two row-major results.
func codeDiff(got, want []float64) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	var d, s float64
	for i := range got {
		d += (got[i] - want[i]) * (got[i] - want[i])
		s = math.Max(s, math.Max(got[i]*got[i], want[i]*want[i]))
	}
	if d == 0 {
		return 0
	}
	return math.Sqrt(d) / math.Max(math.Sqrt(s)*math.Sqrt(float64(len(got))), 1e-300)
}

const codeTol = 1e-8

// compare reports results of one language against the expected values and
// NumPy's.
func compare(t *testing.T, lang string, c *codeCase, got map[string][][]float64, numpy map[string][][]float64) {
	t.Helper()
	for _, call := range c.calls {
		g, ok := got[call.fn]
		if !ok {
			t.Errorf("%s %s: %s() returned nothing", c.name, lang, call.fn)
			continue
		}
		if len(g) != len(call.want) {
			t.Errorf("%s %s: %s() returned %d values, want %d", c.name, lang, call.fn, len(g), len(call.want))
			continue
		}
		for i := range g {
			if e := codeDiff(g[i], call.want[i]); e > codeTol || math.IsNaN(e) {
				t.Errorf("%s %s: %s() result %d = %v, the derived expression gives %v (relative error %.2g)", c.name, lang, call.fn, i+1, g[i], call.want[i], e)
			}
			if numpy != nil {
				if np, ok := numpy[call.fn]; ok && i < len(np) {
					if e := codeDiff(g[i], np[i]); e > codeTol || math.IsNaN(e) {
						t.Errorf("%s %s: %s() result %d differs from the NumPy module's (relative error %.2g)", c.name, lang, call.fn, i+1, e)
					}
				}
			}
		}
	}
}

// pyCodeDriver runs the NumPy and PyTorch modules of every case.
const pyCodeDriver = `
import importlib.util, json, sys, math
import numpy as np
import torch
req = json.load(open(sys.argv[1]))
def load(path):
    spec = importlib.util.spec_from_file_location("m" + str(abs(hash(path))), path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
def flat(r):
    if torch.is_tensor(r):
        r = r.detach().numpy()
    return [x if math.isfinite(x) else 1e300 for x in np.asarray(r, dtype=float).ravel().tolist()]
out = []
for case in req:
    res = {"numpy": {}, "torch": {}, "autograd": {}, "errors": []}
    for lang in ("numpy", "torch"):
        try:
            mod = load(case[lang])
        except Exception as e:
            res["errors"].append("%s: import: %r" % (lang, e))
            continue
        conv = (lambda v: np.array(v) if isinstance(v, list) else v) if lang == "numpy" else (lambda v: torch.tensor(v, dtype=torch.float64))
        kw = {k: conv(v) for k, v in case["vars"].items()}
        for g in case["funcs"]:
            kw[g] = np.tanh if lang == "numpy" else torch.tanh
            kw[g + "_prime"] = (lambda z: 1 - np.tanh(z) ** 2) if lang == "numpy" else (lambda z: 1 - torch.tanh(z) ** 2)
        for call in case["calls"]:
            try:
                args = [conv(a) for a in call["args"]]
                r = getattr(mod, call["fn"])(*args, **kw)
                rs = list(r) if isinstance(r, tuple) else [r]
                res[lang][call["fn"]] = [flat(x) for x in rs]
            except Exception as e:
                res["errors"].append("%s: %s: %r" % (lang, call["fn"], e))
            if lang == "torch" and call.get("wrt"):
                try:
                    kw2 = dict(kw)
                    x = kw2[call["wrt"]].clone().requires_grad_(True)
                    kw2[call["wrt"]] = x
                    (g,) = torch.autograd.grad(mod.value(**kw2), x)
                    res["autograd"][call["fn"]] = [flat(g)]
                except Exception as e:
                    res["errors"].append("torch autograd %s: %r" % (call["fn"], e))
    # A missing argument is an error that names it.
    if case["vars"]:
        name = sorted(case["vars"])[0]
        for lang in ("numpy", "torch"):
            try:
                kw = {k: v for k, v in case["vars"].items() if k != name}
                load(case[lang]).value(**kw)
                res["errors"].append("%s: value() without %s succeeded" % (lang, name))
            except TypeError as e:
                if name not in str(e) and name.encode("ascii", "replace").decode() not in str(e):
                    res["errors"].append("%s: the missing-argument error %r does not name %s" % (lang, str(e), name))
            except Exception as e:
                res["errors"].append("%s: value() without %s: %r" % (lang, name, e))
    # A wrong shape is an error that names the variable and the shape expected.
    if case.get("badvar"):
        name = case["badvar"]
        v = case["vars"][name]
        bad = v + [v[0]]
        for lang in ("numpy", "torch"):
            conv = (lambda z: np.array(z) if isinstance(z, list) else z) if lang == "numpy" else (lambda z: torch.tensor(z, dtype=torch.float64))
            kw = {k: conv(z) for k, z in case["vars"].items()}
            kw[name] = conv(bad)
            for g in case["funcs"]:
                kw[g] = np.tanh if lang == "numpy" else torch.tanh
                kw[g + "_prime"] = kw[g]
            try:
                load(case[lang]).value(**kw)
                res["errors"].append("%s: value() with %s of a wrong shape succeeded" % (lang, name))
            except ValueError as e:
                if not str(e).startswith(name + ": expected shape "):
                    res["errors"].append("%s: the wrong-shape error %r does not name %s and its shape" % (lang, str(e), name))
            except Exception as e:
                res["errors"].append("%s: value() with %s of a wrong shape: %r" % (lang, name, e))
    out.append(res)
print(json.dumps(out))
`

func TestCodeFormats(t *testing.T) {
	py := testtool.Python(t)
	testtool.Need(t, "python3 with torch", exec.Command(py, "-c", "import torch").Run() == nil)
	octave, errOct := exec.LookPath("octave-cli")
	if errOct != nil {
		octave, errOct = exec.LookPath("octave")
	}
	testtool.Need(t, "GNU Octave", errOct == nil)
	goTool, errGo := exec.LookPath("go")
	testtool.Need(t, "the go command", errGo == nil)

	cases := codeCases(t)
	dir := t.TempDir()

	// NumPy and PyTorch, one process.
	var req []map[string]any
	for k, c := range cases {
		np, tc := filepath.Join(dir, fmt.Sprintf("np%d.py", k)), filepath.Join(dir, fmt.Sprintf("tc%d.py", k))
		os.WriteFile(np, []byte(writeCode(t, c.res, render.FormatNumPy, "")), 0o644)
		os.WriteFile(tc, []byte(writeCode(t, c.res, render.FormatTorch, "")), 0o644)
		vars := map[string]any{}
		for _, v := range c.res.Program.Vars {
			vars[v.Name] = pyInput(c.env.Vals[v.Name], v.Shape)
		}
		var calls []map[string]any
		for _, call := range c.calls {
			args := []any{}
			if call.delta != nil {
				args = append(args, pyInput(c.env.Deltas[call.delta.Name], call.delta.Shape))
			}
			m := map[string]any{"fn": call.fn, "args": args}
			// autograd's gradient, projected for a sym, spd or diagonal variable.
			if call.grad {
				m["wrt"] = call.wrt
			}
			calls = append(calls, m)
		}
		bad := ""
		if x := wrongShapeVar(c.res); x != nil {
			bad = x.Name
		}
		req = append(req, map[string]any{"badvar": bad, "numpy": np, "torch": tc, "vars": vars, "funcs": append([]string{}, c.res.Program.Funcs...), "calls": calls})
	}
	data, _ := json.Marshal(req)
	reqPath := filepath.Join(dir, "req.json")
	os.WriteFile(reqPath, data, 0o644)
	cmd := exec.Command(py, "-c", pyCodeDriver, reqPath)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.String())
	}
	var pyRes []struct {
		NumPy    map[string][][]float64 `json:"numpy"`
		Torch    map[string][][]float64 `json:"torch"`
		Autograd map[string][][]float64 `json:"autograd"`
		Errors   []string               `json:"errors"`
	}
	if err := json.Unmarshal(out, &pyRes); err != nil {
		t.Fatalf("python output: %v", err)
	}
	numpyOf := map[*codeCase]map[string][][]float64{}
	for k, c := range cases {
		r := pyRes[k]
		for _, e := range r.Errors {
			t.Errorf("%s: %s", c.name, e)
		}
		numpyOf[c] = r.NumPy
		compare(t, "numpy", c, r.NumPy, nil)
		compare(t, "torch", c, r.Torch, r.NumPy)
		for fn, g := range r.Autograd {
			for _, call := range c.calls {
				if call.fn == fn {
					ag := g[0]
					if w := c.res.Program.Var(call.wrt); w.Props&(ast.Symmetric|ast.PosDef) != 0 {
						// Directions are symmetric: the gradient is the symmetric part.
						n := int(math.Round(math.Sqrt(float64(len(ag)))))
						sym := make([]float64, len(ag))
						for i := range n {
							for j := range n {
								sym[i*n+j] = (ag[i*n+j] + ag[j*n+i]) / 2
							}
						}
						ag = sym
					}
					if w := c.res.Program.Var(call.wrt); w.Props&ast.Diagonal != 0 {
						// Directions are diagonal: the gradient is the diagonal part.
						n := int(math.Round(math.Sqrt(float64(len(ag)))))
						diag := make([]float64, len(ag))
						for i := range n {
							diag[i*n+i] = ag[i*n+i]
						}
						ag = diag
					}
					if e := codeDiff(ag, call.want[0]); e > 1e-7 {
						t.Errorf("%s torch: torch.autograd.grad of value differs from %s(): relative error %.2g", c.name, fn, e)
					}
				}
			}
		}
	}
	t.Run("octave", func(t *testing.T) { runOctave(t, octave, dir, cases, numpyOf) })
	t.Run("go", func(t *testing.T) { runGo(t, goTool, dir, cases, numpyOf) })
}

// octLiteral writes a value as a MATLAB literal.
func octLiteral(m *mat.Dense) string {
	r, c := m.Dims()
	var rows []string
	for i := range r {
		var row []string
		for j := range c {
			row = append(row, strconv.FormatFloat(m.At(i, j), 'g', 17, 64))
		}
		rows = append(rows, strings.Join(row, " "))
	}
	return "[" + strings.Join(rows, "; ") + "]"
}

func runOctave(t *testing.T, octave, dir string, cases []*codeCase, numpyOf map[*codeCase]map[string][][]float64) {
	odir := filepath.Join(dir, "octave")
	os.MkdirAll(odir, 0o755)
	var drv strings.Builder
	drv.WriteString("addpath('" + odir + "');\n")
	for k, c := range cases {
		class := fmt.Sprintf("mdiff_c%d", k)
		src := writeCode(t, c.res, render.FormatOctave, class)
		for _, bad := range []string{"#", "!=", "+=", "\"", "endfunction", "endif", "endfor", "printf("} {
			if strings.Contains(src, bad) {
				t.Errorf("%s: the classdef holds %q, which MATLAB does not accept", c.name, bad)
			}
		}
		os.WriteFile(filepath.Join(odir, class+".m"), []byte(src), 0o644)
		drv.WriteString("vars = struct();\n")
		for _, v := range c.res.Program.Vars {
			fmt.Fprintf(&drv, "vars.%s = %s;\n", word(v.Name), octLiteral(c.env.Vals[v.Name]))
		}
		for _, g := range c.res.Program.Funcs {
			fmt.Fprintf(&drv, "vars.%s = @(z) tanh(z);\nvars.%s_prime = @(z) 1 - tanh(z).^2;\n", g, g)
		}
		for i, call := range c.calls {
			outs := make([]string, len(call.want))
			for j := range outs {
				outs[j] = fmt.Sprintf("r%d", j+1)
			}
			args := "vars"
			if call.delta != nil {
				args = octLiteral(c.env.Deltas[call.delta.Name]) + ", vars"
			}
			fmt.Fprintf(&drv, "try\n  [%s] = %s.%s(%s);\n", strings.Join(outs, ", "), class, call.fn, args)
			for j := range outs {
				fmt.Fprintf(&drv, "  fprintf('R %d %d %d'); fprintf(' %%.17g', reshape(r%d.', 1, [])); fprintf('\\n');\n", k, i, j, j+1)
			}
			fmt.Fprintf(&drv, "catch err\n  fprintf('E %d %d %%s\\n', err.message);\nend\n", k, i)
		}
		// A wrong shape is an error naming the variable and the shape expected.
		if x := wrongShapeVar(c.res); x != nil {
			{
				w := word(x.Name)
				fmt.Fprintf(&drv, "try\n  bad = vars; bad.%s = [vars.%s; vars.%s(1, :)];\n  %s.value(bad);\n  fprintf('S %d succeeded\\n');\ncatch err\n  fprintf('S %d %%s\\n', err.message);\nend\n", w, w, w, class, k, k)
			}
		}
		// A missing argument is an error naming it.
		if len(c.res.Program.Vars) > 0 {
			v := word(c.res.Program.Vars[0].Name)
			fmt.Fprintf(&drv, "try\n  %s.value(rmfield(vars, '%s'));\n  fprintf('M %d succeeded\\n');\ncatch err\n  fprintf('M %d %%s\\n', err.message);\nend\n", class, v, k, k)
		}
	}
	drvPath := filepath.Join(dir, "driver.m")
	os.WriteFile(drvPath, []byte(drv.String()), 0o644)
	cmd := exec.Command(octave, "--no-gui", "--no-window-system", "--quiet", "--norc", drvPath)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("octave: %v\n%s", err, out)
	}
	got := map[int]map[string][][]float64{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		k, _ := strconv.Atoi(f[1])
		switch f[0] {
		case "R":
			i, _ := strconv.Atoi(f[2])
			j, _ := strconv.Atoi(f[3])
			var vals []float64
			for _, s := range f[4:] {
				x, _ := strconv.ParseFloat(strings.Replace(s, "Inf", "+Inf", 1), 64)
				vals = append(vals, x)
			}
			if got[k] == nil {
				got[k] = map[string][][]float64{}
			}
			fn := cases[k].calls[i].fn
			for len(got[k][fn]) <= j {
				got[k][fn] = append(got[k][fn], nil)
			}
			got[k][fn][j] = vals
		case "E":
			i, _ := strconv.Atoi(f[2])
			t.Errorf("%s octave: %s: %s", cases[k].name, cases[k].calls[i].fn, strings.Join(f[3:], " "))
		case "S":
			x := wrongShapeVar(cases[k].res)
			if msg := strings.Join(f[2:], " "); !strings.HasPrefix(msg, word(x.Name)+": expected shape "+x.Shape.ASCII()) {
				t.Errorf("%s octave: value() with %s of a wrong shape: %q, want an error naming it and its shape", cases[k].name, x.Name, msg)
			}
		case "M":
			v := word(cases[k].res.Program.Vars[0].Name)
			if msg := strings.Join(f[2:], " "); !strings.Contains(msg, "missing argument "+v) {
				t.Errorf("%s octave: value() without %s: %q, want an error naming it", cases[k].name, v, msg)
			}
		}
	}
	for k, c := range cases {
		compare(t, "octave", c, got[k], numpyOf[c])
	}
}

// goField is the Vars field of a name (SPEC §5).
func goFieldOf(name string) string {
	w := word(name)
	r, size := utf8.DecodeRuneInString(w)
	return string(unicode.ToUpper(r)) + w[size:]
}

func goCaseOf(s string) string {
	var sb strings.Builder
	for _, part := range strings.Split(s, "_") {
		r, size := utf8.DecodeRuneInString(part)
		sb.WriteString(string(unicode.ToUpper(r)) + part[size:])
	}
	return sb.String()
}

func goLiteral(m *mat.Dense, s ast.Shape) string {
	data := rowMajor(m)
	var parts []string
	for _, x := range data {
		parts = append(parts, strconv.FormatFloat(x, 'g', 17, 64))
	}
	r, c := m.Dims()
	switch {
	case s.IsScalar():
		return parts[0]
	case s.IsColVector():
		return fmt.Sprintf("mat.NewVecDense(%d, []float64{%s})", r, strings.Join(parts, ", "))
	}
	return fmt.Sprintf("mat.NewDense(%d, %d, []float64{%s})", r, c, strings.Join(parts, ", "))
}

func runGo(t *testing.T, goTool, dir string, cases []*codeCase, numpyOf map[*codeCase]map[string][][]float64) {
	mod := filepath.Join(dir, "gomod")
	os.MkdirAll(mod, 0o755)
	gosum, err := os.ReadFile("go.sum")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module codetest\n\ngo 1.26\n\nrequire gonum.org/v1/gonum v0.17.0\n"), 0o644)
	os.WriteFile(filepath.Join(mod, "go.sum"), gosum, 0o644)
	var main strings.Builder
	main.WriteString("package main\n\nimport (\n\t\"encoding/json\"\n\t\"fmt\"\n\t\"math\"\n\t\"os\"\n\n\t\"gonum.org/v1/gonum/mat\"\n")
	for k := range cases {
		fmt.Fprintf(&main, "\tc%d \"codetest/c%d\"\n", k, k)
	}
	main.WriteString(")\n\nvar _ = math.Tanh\n\nfunc flat(x any) []float64 {\n\tswitch x := x.(type) {\n\tcase float64:\n\t\treturn []float64{x}\n\tcase *mat.VecDense:\n\t\treturn mat.Col(nil, 0, x)\n\tcase *mat.Dense:\n\t\treturn mat.DenseCopyOf(x).RawMatrix().Data\n\t}\n\tpanic(fmt.Sprintf(\"flat %T\", x))\n}\n\n")
	main.WriteString("func try(out map[string]any, key string, f func() []any) {\n\tdefer func() {\n\t\tif r := recover(); r != nil {\n\t\t\tout[key] = fmt.Sprint(\"panic: \", r)\n\t\t}\n\t}()\n\tvar vals [][]float64\n\tfor _, v := range f() {\n\t\tvals = append(vals, flat(v))\n\t}\n\tout[key] = vals\n}\n\nfunc main() {\n\tall := []map[string]any{}\n")
	for k, c := range cases {
		pkg := fmt.Sprintf("c%d", k)
		src := writeCode(t, c.res, render.FormatGo, pkg)
		os.MkdirAll(filepath.Join(mod, pkg), 0o755)
		os.WriteFile(filepath.Join(mod, pkg, "f.go"), []byte(src), 0o644)
		fmt.Fprintf(&main, "\t{\n\t\tout := map[string]any{}\n\t\tv := &%s.Vars{", pkg)
		taken := map[string]bool{}
		for _, v := range c.res.Program.Vars {
			f := goFieldOf(v.Name)
			for taken[f] {
				f += "_"
			}
			taken[f] = true
			fmt.Fprintf(&main, "%s: %s, ", f, goLiteral(c.env.Vals[v.Name], v.Shape))
		}
		for _, g := range c.res.Program.Funcs {
			f := goFieldOf(g)
			for taken[f] {
				f += "_"
			}
			taken[f] = true
			p := f + "Prime"
			for taken[p] {
				p += "_"
			}
			taken[p] = true
			fmt.Fprintf(&main, "%s: math.Tanh, %s: func(z float64) float64 { return 1 - math.Tanh(z)*math.Tanh(z) }, ", f, p)
		}
		main.WriteString("}\n")
		for _, call := range c.calls {
			name := call.fn
			suffixVar := ""
			for _, d := range c.res.Derivatives {
				if len(c.res.Derivatives) > 1 && strings.HasSuffix(name, "_"+word(d.Wrt.Name)) {
					name = strings.TrimSuffix(name, "_"+word(d.Wrt.Name))
					suffixVar = d.Wrt.Name
				}
			}
			goName := goCaseOf(name)
			if suffixVar != "" {
				taken := map[string]bool{}
				for _, v := range c.res.Program.Vars {
					f := goFieldOf(v.Name)
					for taken[f] {
						f += "_"
					}
					taken[f] = true
					if v.Name == suffixVar {
						goName += f
					}
				}
			}
			args := "v"
			if call.delta != nil {
				args += ", " + goLiteral(c.env.Deltas[call.delta.Name], call.delta.Shape)
			}
			rets := make([]string, len(call.want))
			for j := range rets {
				rets[j] = fmt.Sprintf("r%d", j)
			}
			fmt.Fprintf(&main, "\t\ttry(out, %q, func() []any { %s := %s.%s(%s); return []any{%s} })\n", call.fn, strings.Join(rets, ", "), pkg, goName, args, strings.Join(rets, ", "))
		}
		taken = map[string]bool{}
		for _, x := range c.res.Program.Vars {
			f := goFieldOf(x.Name)
			for taken[f] {
				f += "_"
			}
			taken[f] = true
			if x == wrongShapeVar(c.res) {
				r, k := c.env.Vals[x.Name].Dims()
				bad := mat.NewDense(r+1, k, nil)
				bad.Slice(0, r, 0, k).(*mat.Dense).Copy(c.env.Vals[x.Name])
				fmt.Fprintf(&main, "\t\ttry(out, \"wrongshape\", func() []any { w := *v; w.%s = %s; %s.Value(&w); return nil })\n", f, goLiteral(bad, x.Shape), pkg)
				break
			}
		}
		if len(c.res.Derivatives) == 1 && c.res.F.IsScalar() {
			// gonum's Problem at x = the variable, flattened row-major.
			x := c.res.Derivatives[0].Wrt
			hess := ""
			if c.res.Derivatives[0].Hessian != nil {
				hess = "h := mat.NewSymDense(len(x), nil); p.Hess(h, x); r = append(r, mat.DenseCopyOf(h)); "
			}
			fmt.Fprintf(&main, "\t\ttry(out, \"problem\", func() []any { p := %s.Problem(v); x := flat(%s); g := make([]float64, len(x)); p.Grad(g, x); r := []any{p.Func(x), mat.NewDense(1, len(g), g)}; %sreturn r })\n", pkg, goLiteral(c.env.Vals[x.Name], x.Shape), hess)
		}
		main.WriteString("\t\tall = append(all, out)\n\t}\n")
	}
	main.WriteString("\tjson.NewEncoder(os.Stdout).Encode(all)\n}\n")
	os.WriteFile(filepath.Join(mod, "main.go"), []byte(main.String()), 0o644)
	env := append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	vet := exec.Command(goTool, "vet", "./...")
	vet.Dir, vet.Env = mod, env
	if out, err := vet.CombinedOutput(); err != nil {
		t.Fatalf("go vet of the generated files: %v\n%s", err, out)
	}
	// Every generated file is as gofmt writes it (main.go is the test's own).
	goroot, err := exec.Command(goTool, "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	gofmt := exec.Command(filepath.Join(strings.TrimSpace(string(goroot)), "bin", "gofmt"), "-l", ".")
	gofmt.Dir = mod
	if out, err := gofmt.CombinedOutput(); err != nil {
		t.Fatalf("gofmt -l of the generated files: %v\n%s", err, out)
	} else if files := strings.Fields(strings.ReplaceAll(string(out), "main.go", "")); len(files) > 0 {
		d := exec.Command(gofmt.Path, append([]string{"-d"}, files...)...)
		d.Dir = mod
		diff, _ := d.Output()
		if len(diff) > 4000 {
			diff = diff[:4000]
		}
		t.Errorf("generated Go files not as gofmt writes them: %v\n%s", files, diff)
	}
	run := exec.Command(goTool, "run", ".")
	run.Dir, run.Env = mod, env
	var stderr bytes.Buffer
	run.Stderr = &stderr
	out, err := run.Output()
	if err != nil {
		t.Fatalf("go run: %v\n%s", err, stderr.String())
	}
	var res []map[string]json.RawMessage
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("go output: %v", err)
	}
	for k, c := range cases {
		got := map[string][][]float64{}
		for key, raw := range res[k] {
			if key == "wrongshape" {
				var msg string
				json.Unmarshal(raw, &msg)
				x := wrongShapeVar(c.res)
				want := "panic: " + x.Name + ": expected "
				if !strings.HasPrefix(msg, want) || !strings.Contains(msg, x.Shape.ASCII()) {
					t.Errorf("%s go: Value with %s of a wrong shape: %s, want a panic naming it and its shape", c.name, x.Name, raw)
				}
				continue
			}
			var vals [][]float64
			if err := json.Unmarshal(raw, &vals); err != nil {
				t.Errorf("%s go: %s: %s", c.name, key, raw)
				continue
			}
			got[key] = vals
		}
		compare(t, "go", c, got, numpyOf[c])
		if p, ok := got["problem"]; ok && len(p) >= 2 {
			for _, call := range c.calls {
				// Problem.Hess against the Hessian matrix of a vector or
				// scalar variable (a matrix variable's is on the column-major
				// vec, Problem's row-major).
				if w := c.res.Derivatives[0].Wrt; call.fn == "hessian_matrix" && len(p) == 3 && (w.IsScalar() || w.Shape.IsColVector()) {
					if e := codeDiff(p[2], call.want[0]); e > codeTol {
						t.Errorf("%s go: Problem.Hess differs from HessianMatrix: relative error %.2g", c.name, e)
					}
				}
				if call.fn == "value_and_gradient" {
					if e := codeDiff(p[0], call.want[0]); e > codeTol {
						t.Errorf("%s go: Problem.Func differs from Value: relative error %.2g", c.name, e)
					}
					if e := codeDiff(p[1], call.want[1]); e > codeTol {
						t.Errorf("%s go: Problem.Grad differs from Gradient: relative error %.2g", c.name, e)
					}
				}
			}
		}
	}
}

// TestValueAndGradientShares: value_and_gradient computes what f and its
// gradient share once, in every language (‖Y − B·X‖²_F and 2·(B·X − Y)·Xᵀ
// share B·X).
func TestValueAndGradientShares(t *testing.T) {
	res, err := mdiff.Derive("||Y - B*X||_F^2", mdiff.Options{Wrt: []string{"B"}, Let: []string{"Y: q x n; B: q x p; X: p x n"}, NoCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		format         render.Format
		start, end, bx string
	}{
		{render.FormatNumPy, "def value_and_gradient", "\ndef ", "v_B @ v_X"},
		{render.FormatTorch, "def value_and_gradient", "\ndef ", "v_B @ v_X"},
		{render.FormatOctave, "= value_and_gradient(", "\n    end\n", "v_B * v_X"},
		{render.FormatGo, "func ValueAndGradient(", "\n}\n", "mul(v_B, v_X)"},
	} {
		var buf bytes.Buffer
		if err := render.Write(&buf, res, c.format, render.TextOptions{}); err != nil {
			t.Fatalf("%s: %v", c.format, err)
		}
		src := buf.String()
		i := strings.Index(src, c.start)
		if i < 0 {
			t.Fatalf("%s: no %q in\n%s", c.format, c.start, src)
		}
		fn := src[i:]
		if j := strings.Index(fn[len(c.start):], c.end); j >= 0 {
			fn = fn[:len(c.start)+j]
		}
		if n := strings.Count(fn, c.bx); n != 1 {
			t.Errorf("%s: value_and_gradient computes %s %d times, want once:\n%s", c.format, c.bx, n, fn)
		}
	}
}
