package builtin_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
	"github.com/mdiff/mdiff/numeric"
	"github.com/mdiff/mdiff/render"
)

// wiring is the test row of an operation: an expression that uses it (and
// keeps it after simplification), the declarations and the variable to
// differentiate by. Operands of elementwise functions are kept in (0, ¼)
// with sigmoid(X)/4, inside every function's domain. zero marks an
// operation whose differential is 0 (sign, step, π), so that --steps shows
// no rule for it.
type wiring struct {
	expr, let, wrt string
	zero           bool
}

const small = "sigmoid(X)/4" // entries in (0, ¼)

func elementwise(name string) wiring {
	return wiring{expr: "sum(" + name + "(" + small + ") .* B)", let: "X: n x p; B: n x p", wrt: "X"}
}

// rows holds one test row per row of the table. Adding an operation to the
// table without a row here fails TestEveryRowIsWired.
var rows = map[*ast.Op]wiring{
	builtin.Exp:      elementwise("exp"),
	builtin.Log:      elementwise("log"),
	builtin.Sin:      elementwise("sin"),
	builtin.Cos:      elementwise("cos"),
	builtin.Tan:      elementwise("tan"),
	builtin.Arcsin:   elementwise("arcsin"),
	builtin.Arccos:   elementwise("arccos"),
	builtin.Arctan:   elementwise("arctan"),
	builtin.Sinh:     elementwise("sinh"),
	builtin.Cosh:     elementwise("cosh"),
	builtin.Tanh:     elementwise("tanh"),
	builtin.Sigmoid:  {expr: "sum(sigmoid(X) .* B)", let: "X: n x p; B: n x p", wrt: "X"},
	builtin.Softplus: elementwise("softplus"),
	builtin.Log1p:    elementwise("log1p"),
	builtin.Expm1:    elementwise("expm1"),
	builtin.Sqrt:     elementwise("sqrt"),
	builtin.Abs:      {expr: "sum(abs(X - B) .* C)", let: "X: n x p; B: n x p; C: n x p", wrt: "X"},
	builtin.Relu:     {expr: "sum(relu(X - B) .* C)", let: "X: n x p; B: n x p; C: n x p", wrt: "X"},
	builtin.Sign:     {expr: "sum(sign(X - B) .* X)", let: "X: n x p; B: n x p", wrt: "X", zero: true},
	builtin.Step:     {expr: "sum(step(X - B) .* X)", let: "X: n x p; B: n x p", wrt: "X", zero: true},

	builtin.Trace:     {expr: "tr(X * A)", let: "X: n x n; A: n x n", wrt: "X"},
	builtin.Det:       {expr: "det(X)", let: "X: n x n", wrt: "X"},
	builtin.Logdet:    {expr: "logdet(X)", let: "X: n x n", wrt: "X"},
	builtin.Sum:       {expr: "sum(exp(X))", let: "X: n x p", wrt: "X"},
	builtin.DiagMat:   {expr: "tr(diag(x) * A)", let: "x: n; A: n x n", wrt: "x"},
	builtin.DiagVec:   {expr: "a' * diag(X)", let: "X: n x n; a: n", wrt: "X"},
	builtin.Logsumexp: {expr: "logsumexp(A * x)", let: "A: m x n; x: n", wrt: "x"},
	builtin.Softmax:   {expr: "a' * softmax(x)", let: "x: n; a: n", wrt: "x"},
	builtin.Norm:      {expr: "norm(X - A)", let: "X: n x p; A: n x p", wrt: "X"},
	builtin.Mean:      {expr: "mean(exp(X))", let: "X: n x p", wrt: "X"},
	builtin.Vec:       {expr: "vec(exp(X))", let: "X: n x p", wrt: "X"},
	builtin.Kron:      {expr: "kron(A, exp(X))", let: "A: m x q; X: n x p", wrt: "X"},
	builtin.Norm1:     {expr: "norm1(X - A)", let: "X: n x p; A: n x p", wrt: "X"},
	builtin.Pi:        {expr: "pi * x' * x", let: "x: n", wrt: "x", zero: true},
}

// table is the operation table as registered by package builtin, taken
// before any test plants a row of its own.
var table = ast.Ops()

// TestEveryRowIsWired walks the table: every operation, under each of its
// names, parses, type-checks, evaluates, differentiates with a numeric
// check (mdiff.Derive verifies), shows its rule in --steps, prints in every
// format, and its printed ASCII (f and the gradient) parses back to the
// same value.
func TestEveryRowIsWired(t *testing.T) {
	for _, op := range table {
		row, ok := rows[op]
		if !ok {
			t.Errorf("%s (%v): no test row in builtin_test.go", op.Name, op.Shape)
			continue
		}
		t.Run(op.Name+"/"+row.expr, func(t *testing.T) {
			for _, p := range walk(op, row) {
				t.Error(p)
			}
		})
	}
}

// walk returns what is missing or wrong in the wiring of op, exercised by
// its test row; nil means fully wired.
func walk(op *ast.Op, row wiring) (problems []string) {
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	// The row itself.
	sp := op.Print
	for _, s := range []struct{ what, v string }{{"name", op.Name}, {"rule", op.Rule}, {"text", sp.Text},
		{"ascii", sp.ASCII}, {"latex", sp.LaTeX}, {"numpy", sp.NumPy}, {"torch", sp.Torch}, {"octave", sp.Octave}, {"go", sp.Go}} {
		if s.v == "" {
			bad("no %s", s.what)
		}
	}
	if op.Deriv == nil {
		bad("no differential (Deriv)")
	}
	if op.Eval == nil && op.Scalar == nil {
		bad("no evaluation (Eval or Scalar)")
	}
	if op.Elementwise && op.Scalar == nil {
		bad("elementwise without Scalar")
	}
	if op.Adjoint != nil && op.AdjointRule == "" {
		bad("an adjoint without its identity (AdjointRule)")
	}
	// Parsing and type-checking, under every name.
	prog, err := mdiff.Parse(row.expr, []string{row.let})
	if err != nil {
		bad("parse %q: %v", row.expr, err)
		return problems
	}
	if !uses(prog.Root, op) {
		bad("%q does not lower to %s: %s", row.expr, op.Name, ast.Dump(prog.Root))
	}
	for _, alias := range op.Aliases {
		src := strings.Replace(row.expr, op.Name, alias, 1)
		p, err := mdiff.Parse(src, []string{row.let})
		switch {
		case err != nil:
			bad("parse alias %q: %v", src, err)
		case p.Root != prog.Root:
			bad("alias %q means %s, want %s", src, ast.Dump(p.Root), ast.Dump(prog.Root))
		}
	}
	// Evaluation.
	rng := rand.New(rand.NewPCG(7, 11))
	env := numeric.RandomEnv(rng, prog, nil)
	if v, err := numeric.Eval(prog.Root, env); err != nil || !numeric.Finite(v) {
		bad("evaluate %q: %v (value %v)", row.expr, err, v)
	}
	// Differentiation, checked numerically by Derive, with the rule shown.
	res, err := mdiff.Derive(row.expr, mdiff.Options{Wrt: []string{row.wrt}, Let: []string{row.let}, Steps: true})
	if err != nil {
		bad("derive %q: %v", row.expr, err)
		return problems
	}
	if res.Check == nil || !res.Check.OK {
		bad("the numeric check of %q did not pass: %+v", row.expr, res.Check)
	}
	if !row.zero && !hasStep(res, op.Rule) {
		bad("--steps of %q do not show the rule %q", row.expr, op.Rule)
	}
	// Printing, in every format.
	for _, f := range render.Formats {
		var buf bytes.Buffer
		if err := render.Write(&buf, res, f, render.TextOptions{}); err != nil {
			bad("format %s: %v", f, err)
			continue
		}
		out := buf.String()
		want := map[render.Format]string{render.FormatText: sp.Text, render.FormatASCII: sp.ASCII,
			render.FormatLaTeX: sp.LaTeX, render.FormatNumPy: sp.NumPy}[f]
		if op == builtin.Norm && f != render.FormatNumPy { // ‖·‖ is the notation's own
			want = ""
		}
		if w := spellingWord(want); w != "" && !strings.Contains(out, w) {
			bad("format %s does not spell %s as %q:\n%s", f, op.Name, w, out)
		}
		if f == render.FormatJSON && !json.Valid(buf.Bytes()) {
			bad("format json: not valid JSON")
		}
	}
	// The printed ASCII parses back to the same value: f and its gradient.
	for _, n := range []*ast.Node{res.F, res.Derivatives[0].Gradient, res.Derivatives[0].Differential} {
		if n == nil || n.HasDelta() { // Δ is not input outside check --grad
			continue
		}
		src := render.ASCII(n)
		p, err := mdiff.Parse(src, []string{row.let})
		if err != nil {
			bad("ASCII %q does not parse: %v", src, err)
			continue
		}
		if p.Root.Shape != n.Shape {
			bad("ASCII %q has shape %v, want %v", src, p.Root.Shape, n.Shape)
			continue
		}
		a, errA := numeric.Eval(n, env)
		b, errB := numeric.Eval(p.Root, env)
		if errA != nil || errB != nil {
			bad("ASCII %q: evaluation: %v, %v", src, errA, errB)
			continue
		}
		if d := relDiff(a.RawMatrix().Data, b.RawMatrix().Data); d > 1e-12 {
			bad("ASCII %q differs from what it was printed from by %g", src, d)
		}
	}
	return problems
}

// spellingWord is the part of a spelling before its operand ("np.maximum(" of
// "np.maximum(%s, 0.0)").
func spellingWord(s string) string {
	if i := strings.IndexByte(s, '%'); i >= 0 {
		return s[:i]
	}
	return s
}

func uses(n *ast.Node, op *ast.Op) bool {
	found := false
	ast.Walk(n, func(m *ast.Node) { found = found || m.Is(op) })
	return found
}

func hasStep(res *ast.Result, rule string) bool {
	for _, s := range res.Derivatives[0].Steps {
		if s.Rule == rule {
			return true
		}
	}
	return false
}

func relDiff(a, b []float64) float64 {
	num, den := 0.0, 0.0
	for i := range a {
		num = math.Max(num, math.Abs(a[i]-b[i]))
		den = math.Max(den, math.Abs(a[i]))
	}
	return num / math.Max(den, 1e-300)
}

// TestPartlyWiredRowsFail plants rows that are wired only in part (copies
// of a real row under a new name) and checks that the walk reports each.
func TestPartlyWiredRowsFail(t *testing.T) {
	plant := func(name string, from *ast.Op, change func(*ast.Op)) (*ast.Op, wiring) {
		op := new(ast.Op)
		*op = *from
		op.Name, op.Aliases = name, nil
		change(op)
		ast.Register(op)
		row := rows[from]
		row.expr = strings.Replace(row.expr, from.Name+"(", name+"(", 1)
		return op, row
	}
	cases := []struct {
		name   string
		from   *ast.Op
		change func(*ast.Op)
		want   string
	}{
		{"tan_noderiv", builtin.Tan, func(op *ast.Op) { op.Deriv = nil }, "no differential"},
		{"tan_wrongderiv", builtin.Tan, func(op *ast.Op) { op.Deriv = builtin.Exp.Deriv }, "derive"},
		{"tan_nonumpy", builtin.Tan, func(op *ast.Op) { op.Print.NumPy = "" }, "format numpy"},
		{"tan_nolatex", builtin.Tan, func(op *ast.Op) { op.Print.LaTeX = "" }, "no latex"},
		{"tan_notorch", builtin.Tan, func(op *ast.Op) { op.Print.Torch = "" }, "no torch"},
		{"tan_noeval", builtin.Tan, func(op *ast.Op) { op.Scalar = nil }, "evaluat"},
		{"tan_norule", builtin.Tan, func(op *ast.Op) { op.Rule = "" }, "no rule"},
		{"mean_wrongadjoint", builtin.Mean, func(op *ast.Op) { op.Adjoint = builtin.Sum.Adjoint }, "derive"},
	}
	for _, c := range cases {
		op, row := plant(c.name, c.from, c.change)
		problems := walk(op, row)
		if !strings.Contains(strings.Join(problems, "\n"), c.want) {
			t.Errorf("%s: the walk reports %q, want a problem mentioning %q", c.name, problems, c.want)
		}
	}
}
