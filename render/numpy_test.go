package render

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
	"github.com/mdiff/mdiff/internal/testtool"
	"github.com/mdiff/mdiff/numeric"
)

// pyDriver imports a generated module, calls the requested functions and
// prints each result's Python type, shape and value as JSON.
const pyDriver = `
import importlib.util, json, sys
import numpy as np
spec = importlib.util.spec_from_file_location("mod", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
req = json.load(open(sys.argv[2]))
kw = {k: (np.array(v) if isinstance(v, list) else v) for k, v in req["vars"].items()}
for name in req["funcs"] or []:
    kw[name] = np.tanh
    kw[name + "_prime"] = lambda z: 1 - np.tanh(z) ** 2
kw["not_a_variable"] = "ignored"
out = []
for call in req["calls"]:
    args = [np.array(a) if isinstance(a, list) else a for a in call["args"]]
    r = getattr(mod, call["fn"])(*args, **kw)
    out.append({"type": type(r).__name__, "shape": list(np.shape(r)), "value": np.asarray(r).ravel().tolist()})
print(json.dumps(out))
`

// pyCall is a function of a generated module to call, with the node it
// must evaluate and the direction it takes (nil for none).
type pyCall struct {
	fn    string
	node  *ast.Node
	delta *ast.Node // the variable whose direction is passed, or nil
	shape ast.Shape // the shape of the result
}

type pyResult struct {
	Type  string    `json:"type"`
	Shape []int     `json:"shape"`
	Value []float64 `json:"value"`
}

// runModule writes r as a NumPy module, runs calls on env's values with
// python3 and returns the results.
func runModule(t *testing.T, py string, r *ast.Result, env *numeric.Env, calls []pyCall) []pyResult {
	t.Helper()
	var src strings.Builder
	if err := WriteNumPy(&src, r); err != nil {
		t.Fatalf("WriteNumPy: %v", err)
	}
	for _, line := range strings.Split(src.String(), "\n") {
		if (strings.HasPrefix(line, "import ") || strings.HasPrefix(line, "from ")) && line != "import numpy as np" {
			t.Errorf("module imports more than numpy: %q", line)
		}
	}
	dir := t.TempDir()
	mod := filepath.Join(dir, "mod.py")
	if err := os.WriteFile(mod, []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	req := map[string]any{"vars": map[string]any{}, "funcs": r.Program.Funcs}
	for _, v := range r.Program.Vars {
		req["vars"].(map[string]any)[v.Name] = pyValue(env.Vals[v.Name], v.Shape)
	}
	var cs []map[string]any
	for _, c := range calls {
		args := []any{}
		if c.delta != nil {
			args = append(args, pyValue(env.Deltas[c.delta.Name], c.delta.Shape))
		}
		cs = append(cs, map[string]any{"fn": c.fn, "args": args})
	}
	req["calls"] = cs
	data, _ := json.Marshal(req)
	reqFile := filepath.Join(dir, "req.json")
	if err := os.WriteFile(reqFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	driver := filepath.Join(dir, "driver.py")
	if err := os.WriteFile(driver, []byte(pyDriver), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, driver, mod, reqFile).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s\nmodule:\n%s", err, out, src.String())
	}
	var res []pyResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("driver output %q: %v", out, err)
	}
	return res
}

// pyValue converts a value to what a caller passes: a float for a scalar, a
// list for a vector, a list of rows for a matrix.
func pyValue(m *mat.Dense, s ast.Shape) any {
	r, c := m.Dims()
	switch {
	case s.IsScalar():
		return m.At(0, 0)
	case s.IsColVector():
		v := make([]float64, r)
		for i := range r {
			v[i] = m.At(i, 0)
		}
		return v
	}
	rows := make([][]float64, r)
	for i := range r {
		rows[i] = make([]float64, c)
		for j := range c {
			rows[i][j] = m.At(i, j)
		}
	}
	return rows
}

// wantPy is the Python type and shape of a result of shape s.
func wantPy(s ast.Shape, env *numeric.Env) (string, []int) {
	dim := func(d ast.Dim) int {
		k := 1
		for _, p := range strings.Split(string(d), "·") {
			if ast.Dim(p).IsNumber() {
				var v int
				for _, c := range p {
					v = 10*v + int(c-'0')
				}
				k *= v
			} else {
				k *= env.Sizes[ast.Dim(p)]
			}
		}
		return k
	}
	switch {
	case s.IsScalar():
		return "float", []int{}
	case s.IsColVector():
		return "ndarray", []int{dim(s.Rows)}
	}
	return "ndarray", []int{dim(s.Rows), dim(s.Cols)}
}

// numpyCase is a Result to write as a module, checked function by function
// against numeric.Eval.
type numpyCase struct {
	name  string
	f     *ast.Node
	vars  []*ast.Node
	funcs []string
	ders  []ast.Derivative
}

func (c numpyCase) result() *ast.Result {
	return &ast.Result{
		Program:     &ast.Program{Root: c.f, Vars: c.vars, Funcs: c.funcs},
		F:           c.f,
		Derivatives: c.ders,
	}
}

func (c numpyCase) calls() []pyCall {
	calls := []pyCall{{fn: "value", node: c.f, shape: c.f.Shape}}
	for _, d := range c.ders {
		sfx := ""
		if len(c.ders) > 1 {
			sfx = "_" + pyWord(d.Wrt.Name)
		}
		delta := ast.Delta(d.Wrt.Name, d.Wrt.Shape)
		if d.Gradient != nil {
			calls = append(calls,
				pyCall{fn: "gradient" + sfx, node: d.Gradient, shape: d.Wrt.Shape},
				pyCall{fn: "differential" + sfx, node: ast.Inner(delta, d.Gradient), delta: d.Wrt, shape: ast.Scalar})
		} else {
			calls = append(calls, pyCall{fn: "differential" + sfx, node: d.Differential, delta: d.Wrt, shape: c.f.Shape})
		}
		if d.Hessian != nil {
			calls = append(calls, pyCall{fn: "hessian" + sfx, node: d.Hessian, delta: d.Wrt, shape: d.Wrt.Shape})
		}
	}
	return calls
}

// randomValue draws a value of shape s (sizes from sizes) respecting props.
func randomValue(rng *rand.Rand, s ast.Shape, p ast.Props, sizes map[ast.Dim]int) *mat.Dense {
	dim := func(d ast.Dim) int {
		if d == ast.One {
			return 1
		}
		return sizes[d]
	}
	r, c := dim(s.Rows), dim(s.Cols)
	m := mat.NewDense(r, c, nil)
	for i := range r {
		for j := range c {
			if p&ast.Positive != 0 {
				m.Set(i, j, 0.5+1.5*rng.Float64())
			} else {
				m.Set(i, j, rng.NormFloat64())
			}
		}
	}
	if p&ast.PosDef != 0 {
		var spd mat.Dense
		spd.Mul(m, m.T())
		for i := range r {
			spd.Set(i, i, spd.At(i, i)+float64(r))
		}
		return &spd
	}
	if p&ast.Symmetric != 0 {
		var sym mat.Dense
		sym.Add(m, m.T())
		sym.Scale(0.5, &sym)
		return &sym
	}
	return m
}

func numpyCases() []numpyCase {
	m, n, p, q := ast.Dim("m"), ast.Dim("n"), ast.Dim("p"), ast.Dim("q")
	B := ast.Var("B", ast.Mat(q, p), 0)
	X := ast.Var("X", ast.Mat(p, n), 0)
	Y := ast.Var("Y", ast.Mat(q, n), 0)
	A := ast.Var("A", ast.Mat(n, n), 0)
	S := ast.Var("S", ast.Mat(n, n), ast.PosDef)
	M := ast.Var("M", ast.Mat(n, n), 0)
	x := ast.Var("x", ast.Vec(n), 0)
	w := ast.Var("w", ast.Vec(n), ast.Positive)
	r := ast.Var("r", ast.Mat(ast.One, n), 0)
	s := ast.Var("s", ast.Scalar, 0)
	lam := ast.Var("λ", ast.Scalar, 0)
	kw := ast.Var("lambda", ast.Scalar, 0)
	W := ast.Var("W", ast.Mat(n, p), 0)
	D := ast.Var("D", ast.Mat(m, p), 0)
	R := ast.Var("R", ast.Mat(p, n), 0)
	Z := ast.Var("Z", ast.Mat(m, n), 0)
	C := ast.Var("C", ast.Mat(m, n), 0)
	BX := ast.Mul(B, X)
	DR := ast.Mul(D, R)
	g := func(k int, a *ast.Node) *ast.Node { return ast.Apply("g", k, a) }
	XW := ast.Mul(ast.Var("Xm", ast.Mat(m, n), 0), W)
	invM := ast.Inverse(M)
	quad := ast.Mul(tr(x), A, x)
	return []numpyCase{
		{name: "regression", f: pow(builtin.Norm.Of(ast.Add(Y, neg(BX))), 2), vars: []*ast.Node{Y, B, X},
			ders: []ast.Derivative{{Wrt: B, Gradient: ast.Mul(ast.Int(2), ast.Add(BX, neg(Y)), tr(X))}}},
		{name: "inverse", f: invM, vars: []*ast.Node{M},
			ders: []ast.Derivative{{Wrt: M, Differential: ast.Mul(ast.Int(-1), invM, ast.Delta("M", M.Shape), invM)}}},
		{name: "quadratic-form", f: quad, vars: []*ast.Node{x, A},
			ders: []ast.Derivative{{Wrt: x, Gradient: ast.Mul(ast.Add(A, tr(A)), x),
				Hessian: ast.Mul(ast.Add(A, tr(A)), ast.Delta("x", x.Shape))}}},
		{name: "scalar-variable", f: ast.Mul(pow(s, 3), builtin.Sum.Of(X)), vars: []*ast.Node{s, X},
			ders: []ast.Derivative{{Wrt: s, Gradient: ast.Mul(ast.Int(3), pow(s, 2), builtin.Sum.Of(X))}}},
		{name: "row-broadcast", f: builtin.Sum.Of(pow(ast.Add(C, ast.Broadcast(r, C.Shape)), 2)), vars: []*ast.Node{C, r},
			ders: []ast.Derivative{{Wrt: r, Gradient: ast.Mul(ast.Int(2), ast.Mul(ast.Ones(ast.Mat(ast.One, m)), ast.Add(C, ast.Broadcast(r, C.Shape))))}}},
		{name: "generic", f: builtin.Sum.Of(g(0, XW)), vars: []*ast.Node{ast.Var("Xm", ast.Mat(m, n), 0), W}, funcs: []string{"g"},
			ders: []ast.Derivative{{Wrt: W, Gradient: ast.Mul(tr(ast.Var("Xm", ast.Mat(m, n), 0)), g(1, XW))}}},
		{name: "many-wrt", f: pow(builtin.Norm.Of(ast.Add(Z, neg(DR))), 2), vars: []*ast.Node{Z, D, R},
			ders: []ast.Derivative{
				{Wrt: D, Gradient: ast.Mul(ast.Int(2), ast.Add(DR, neg(Z)), tr(R))},
				{Wrt: R, Gradient: ast.Mul(ast.Int(2), tr(D), ast.Add(DR, neg(Z)))}}},
		{name: "greek-and-keyword", f: ast.Mul(lam, kw, builtin.Sum.Of(A)), vars: []*ast.Node{lam, kw, A},
			ders: []ast.Derivative{{Wrt: lam, Gradient: ast.Mul(kw, builtin.Sum.Of(A))}}},
		{name: "functions", f: ast.Add(
			builtin.Logsumexp.Of(ast.Mul(A, x)),
			ast.Inner(w, builtin.Softmax.Of(x)),
			builtin.Sum.Of(builtin.Sigmoid.Of(x)),
			builtin.Sum.Of(ast.Hadamard(builtin.Relu.Of(x), builtin.Step.Of(x), builtin.Sign.Of(x))),
			builtin.Sum.Of(ast.Add(builtin.Sqrt.Of(w), builtin.Log.Of(w), builtin.Abs.Of(x), builtin.Exp.Of(x))),
			builtin.Sum.Of(ast.Div(x, w)),
			ast.Mul(builtin.Norm.Of(x), builtin.Norm.Of(A)),
			builtin.Logdet.Of(S), builtin.Det.Of(S), builtin.Trace.Of(ast.MatPow(A, 3)),
			builtin.Sum.Of(builtin.DiagVec.Of(ast.Mul(A, builtin.DiagMat.Of(x)))),
			ast.Mul(num(1, 3), builtin.Trace.Of(ast.Mul(ast.Inverse(S), ast.Identity(n)))),
			builtin.Sin.Of(builtin.Cos.Of(builtin.Tanh.Of(builtin.Sum.Of(A)))),
			ast.Mul(quad, ast.Pow(ast.Add(ast.Mul(tr(x), x), ast.Int(1)), ast.Int(-1))),
			builtin.Sum.Of(ast.Pow(w, num(1, 2))),
			builtin.Sum.Of(ast.Hadamard(ast.Broadcast(builtin.Sum.Of(x), A.Shape), ast.Broadcast(tr(x), A.Shape))),
			builtin.Sum.Of(ast.Mul(A, ast.Broadcast(s, A.Shape))),
			builtin.Sum.Of(ast.Add(ast.Zero(A.Shape), ast.Ones(A.Shape))),
		), vars: []*ast.Node{A, x, w, S, s}, ders: []ast.Derivative{{Wrt: s, Gradient: builtin.Sum.Of(A)}}},
		{name: "kronecker", f: builtin.Kron.Of(tr(A), M), vars: []*ast.Node{A, M},
			ders: []ast.Derivative{{Wrt: A, Differential: builtin.Kron.Of(tr(ast.Delta("A", A.Shape)), M)}}},
		{name: "deep", f: builtin.Sum.Of(deepDAG(12)), vars: []*ast.Node{ast.Var("W", ast.Mat(dn, dn), 0), ast.Var("X", ast.Mat(dn, dn), 0)},
			ders: []ast.Derivative{{Wrt: ast.Var("W", ast.Mat(dn, dn), 0), Gradient: deepDAG(12)}}},
	}
}

// TestNumPy runs the generated modules with python3 and numpy and compares
// every function with numeric.Eval of the tree it prints, including the
// Python type and shape of each result (SPEC §5).
func TestNumPy(t *testing.T) {
	py := testtool.Python(t)
	sizes := map[ast.Dim]int{"m": 3, "n": 4, "p": 5, "q": 2}
	for i, c := range numpyCases() {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			env := &numeric.Env{Sizes: sizes, Vals: map[string]*mat.Dense{}, Deltas: map[string]*mat.Dense{},
				Funcs: map[string]numeric.Func{"g": func(x float64, order int) float64 {
					if order == 0 {
						return math.Tanh(x)
					}
					return 1 - math.Tanh(x)*math.Tanh(x)
				}}}
			for _, v := range c.vars {
				env.Vals[v.Name] = randomValue(rng, v.Shape, v.Props, sizes)
			}
			for _, d := range c.ders {
				env.Deltas[d.Wrt.Name] = randomValue(rng, d.Wrt.Shape, 0, sizes)
			}
			calls := c.calls()
			got := runModule(t, py, c.result(), env, calls)
			if len(got) != len(calls) {
				t.Fatalf("%d results for %d calls", len(got), len(calls))
			}
			for k, call := range calls {
				want, err := numeric.Eval(call.node, env)
				if err != nil {
					t.Fatalf("Eval(%s): %v", call.fn, err)
				}
				typ, shape := wantPy(call.shape, env)
				if got[k].Type != typ || !equalInts(got[k].Shape, shape) {
					t.Errorf("%s() returned %s of shape %v, want %s of shape %v", call.fn, got[k].Type, got[k].Shape, typ, shape)
					continue
				}
				if !closeTo(got[k].Value, want) {
					t.Errorf("%s() = %v, want %v", call.fn, got[k].Value, mat.Formatted(want))
				}
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// closeTo compares Python's row-major values with m.
func closeTo(got []float64, m *mat.Dense) bool {
	r, c := m.Dims()
	if len(got) != r*c {
		return false
	}
	for i := range r {
		for j := range c {
			x, y := got[i*c+j], m.At(i, j)
			if math.Abs(x-y) > 1e-9*max(1, math.Abs(y)) {
				return false
			}
		}
	}
	return true
}

// TestNumPyHandComputed checks one module against numbers worked out by
// hand: f = xᵀ·x at x = (1, 2, 3) is 14 and its gradient 2·x is (2, 4, 6).
func TestNumPyHandComputed(t *testing.T) {
	py := testtool.Python(t)
	x := ast.Var("x", ast.Vec("n"), 0)
	r := &ast.Result{Program: &ast.Program{Root: ast.Mul(tr(x), x), Vars: []*ast.Node{x}}, F: ast.Mul(tr(x), x),
		Derivatives: []ast.Derivative{{Wrt: x, Gradient: ast.Mul(ast.Int(2), x)}}}
	env := &numeric.Env{Vals: map[string]*mat.Dense{"x": mat.NewDense(3, 1, []float64{1, 2, 3})},
		Deltas: map[string]*mat.Dense{"x": mat.NewDense(3, 1, []float64{1, 0, -1})}}
	got := runModule(t, py, r, env, []pyCall{{fn: "value"}, {fn: "gradient"}, {fn: "differential", delta: x}})
	want := [][]float64{{14}, {2, 4, 6}, {2 - 6}}
	for k, w := range want {
		if !equalFloats(got[k].Value, w) {
			t.Errorf("call %d = %v, want %v", k, got[k].Value, w)
		}
	}
	if got[1].Type != "ndarray" || !equalInts(got[1].Shape, []int{3}) {
		t.Errorf("gradient is %s of shape %v, want a 1-D array of shape (3,)", got[1].Type, got[1].Shape)
	}
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-12 {
			return false
		}
	}
	return true
}

// TestWriteNumPy_errors checks what Python cannot express.
func TestWriteNumPy_errors(t *testing.T) {
	X := ast.Var("X", ast.Mat(dn, dn), 0)
	tests := []struct {
		name string
		f, g *ast.Node
		want string
	}{
		{"second-derivative", builtin.Sum.Of(ast.Apply("g", 1, X)), ast.Apply("g", 2, X), "g''"},
	}
	for _, tc := range tests {
		r := &ast.Result{Program: &ast.Program{Root: tc.f, Vars: []*ast.Node{X}, Funcs: []string{"g"}}, F: tc.f,
			Derivatives: []ast.Derivative{{Wrt: X, Gradient: tc.g}}}
		var sb strings.Builder
		err := WriteNumPy(&sb, r)
		if err == nil {
			t.Errorf("%s: WriteNumPy succeeded, want an error", tc.name)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q does not name %q", tc.name, err, tc.want)
		}
		if sb.Len() != 0 {
			t.Errorf("%s: WriteNumPy wrote %d bytes before failing", tc.name, sb.Len())
		}
	}
}
