package builtin_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
	"github.com/mdiff/mdiff/numeric"
	"github.com/mdiff/mdiff/render"
	"github.com/mdiff/mdiff/simplify"
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
	builtin.Unvec:     {expr: "unvec(exp(a), n, p) .* X", let: "X: n x p", wrt: "a"},
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
	if v, err := mdiff.Verify(res, numeric.Options{Seed: 99}); err != nil || !v.OK { // and at other inputs
		bad("mdiff.Verify of %q at seed 99: %v %+v", row.expr, err, v)
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
		// The code formats of the code-output issue, once render lists them, are checked by name.
		want := map[render.Format]string{render.FormatText: sp.Text, render.FormatASCII: sp.ASCII,
			render.FormatLaTeX: sp.LaTeX, render.FormatNumPy: sp.NumPy,
			"torch": sp.Torch, "octave": sp.Octave, "go": sp.Go}[f]
		if op == builtin.Norm && (f == render.FormatText || f == render.FormatASCII || f == render.FormatLaTeX) { // ‖·‖ is the notation's own
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
	s = strings.ReplaceAll(s, "CLASS", render.DefaultOctaveName) // octave's helpers are methods of the class
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

// TestFoldAgreesWithEval: where a row folds a number exactly (exp(0) = 1),
// the folded value is what its evaluation gives.
func TestFoldAgreesWithEval(t *testing.T) {
	var points []*big.Rat
	for _, p := range [][2]int64{{-2, 1}, {-1, 1}, {-1, 2}, {0, 1}, {1, 4}, {1, 2}, {1, 1}, {2, 1}, {3, 1}} {
		points = append(points, big.NewRat(p[0], p[1]))
	}
	folded := 0
	for _, op := range table {
		if op.Fold == nil {
			continue
		}
		for _, x := range points {
			v := op.Fold(x)
			if v == nil {
				continue
			}
			folded++
			xf, _ := x.Float64()
			want := op.Scalar(xf)
			if got, _ := v.Float64(); math.Abs(got-want) > 1e-15*math.Max(1, math.Abs(want)) {
				t.Errorf("%s(%s) folds to %s, but evaluates to %g", op.Name, x.RatString(), v.RatString(), want)
			}
		}
	}
	if folded < 20 {
		t.Errorf("only %d folded values checked", folded)
	}
}

// TestSoftplusIsStable: softplus(x) = log(1 + eˣ) neither overflows for
// large x nor rounds to 0 for very negative x.
func TestSoftplusIsStable(t *testing.T) {
	for _, c := range []struct{ x, want float64 }{
		{1000, 1000}, {-1000, 0}, {0, math.Ln2}, {-40, math.Exp(-40)}, {40, 40 + math.Exp(-40)}, {1, math.Log1p(math.E)},
	} {
		got := builtin.Softplus.Scalar(c.x)
		if math.IsInf(got, 0) || math.IsNaN(got) || math.Abs(got-c.want) > 1e-15*math.Max(1, math.Abs(c.want)) && !(c.want == 0 && got >= 0 && got < 1e-300) {
			t.Errorf("softplus(%g) = %g, want %g", c.x, got, c.want)
		}
	}
	if v := builtin.Softplus.Scalar(-700); v <= 0 {
		t.Errorf("softplus(-700) = %g, want e^-700 > 0", v)
	}
}

// TestKronAndVecAdjoints: where Δ stays inside kron, the adjoint the row
// writes (⟨C ⊗ D, A ⊗ Δ⟩ = ⟨⟨C, A⟩·D, Δ⟩) is used and checked numerically,
// and elsewhere the answer is an error that names the operation; Δ inside
// vec gives unvec (⟨g, vec(Δ)⟩ = ⟨unvec(g), Δ⟩).
func TestKronAndVecAdjoints(t *testing.T) {
	const let = "A: m x n; X: p x q; C: m x n; D: p x q; B: p x q; a: p"
	for _, c := range []struct {
		expr string
		op   *ast.Op
	}{
		{"sum(kron(A, X) .* kron(C, D))", builtin.Kron},
		{"sum(kron(X, A) .* kron(D, C))", builtin.Kron},
		{"x'*kron(A, X)*y", builtin.Kron},
		{"x'*kron(X, A)*y + sum(kron(A, X) .* kron(C, D))", builtin.Kron},
	} {
		res, err := mdiff.Derive(c.expr, mdiff.Options{Wrt: []string{"X"}, Let: []string{let}, Steps: true})
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		if !hasStep(res, c.op.AdjointRule) {
			t.Errorf("%s: --steps do not show %q", c.expr, c.op.AdjointRule)
		}
	}
	for _, c := range []struct{ expr, want string }{
		{"a'*vec(X)", "unvec(a, p, q)"},
		{"vec(X)'*M*vec(X)", "unvec((M + M')*vec(X), p, q)"},
	} {
		res, err := mdiff.Derive(c.expr, mdiff.Options{Wrt: []string{"X"}, Let: []string{"X: p x q"}, Steps: true})
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		if got := render.ASCII(res.Derivatives[0].Gradient); got != c.want {
			t.Errorf("%s: gradient %s, want %s", c.expr, got, c.want)
		}
		if !hasStep(res, builtin.Vec.AdjointRule) {
			t.Errorf("%s: --steps do not show %q", c.expr, builtin.Vec.AdjointRule)
		}
	}
	for _, expr := range []string{"sum(exp(kron(A, X)))"} {
		_, err := mdiff.Derive(expr, mdiff.Options{Wrt: []string{"X"}, Let: []string{"A: m x n; X: p x q"}})
		if err == nil || !strings.Contains(err.Error(), "no closed-form gradient through") || strings.Contains(err.Error(), "internal") {
			t.Errorf("%s: error %v, want one naming the operation", expr, err)
		}
	}
}

// TestVecAdjoint: the adjoint pass reads ⟨vec(B), vec(Δ)⟩ as ⟨B, Δ⟩ (the
// form as the adjoint pass meets it, before simplification removes vec).
func TestVecAdjoint(t *testing.T) {
	b := ast.Var("B", ast.Mat("n", "p"), 0)
	delta := ast.Delta("X", ast.Mat("n", "p"))
	l := ast.Mul(ast.Transpose(builtin.Vec.Of(b)), builtin.Vec.Of(delta))
	var used []string
	g, err := simplify.New().Gradient(l, delta, func(id string, _, _ *ast.Node, _, _ []*ast.Node) { used = append(used, id) })
	if err != nil {
		t.Fatal(err)
	}
	if g != b {
		t.Errorf("gradient of vec(B)ᵀ·vec(Δ) = %s, want B", ast.Dump(g))
	}
	if !strings.Contains(strings.Join(used, "\n"), builtin.Vec.AdjointRule) {
		t.Errorf("identities used %q, want %q", used, builtin.Vec.AdjointRule)
	}
}
