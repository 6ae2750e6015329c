package mdiff

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
	"github.com/mdiff/mdiff/numeric"
	"github.com/mdiff/mdiff/simplify"
)

// TestSameValue checks the guard that lets the numerical check run on the
// canonical form of f: equal forms pass even when one is badly conditioned,
// different ones fail.
func TestSameValue(t *testing.T) {
	prog, err := Parse("inv(X^20)", []string{"X: n x n"})
	if err != nil {
		t.Fatal(err)
	}
	x := prog.Var("X")
	opts := numeric.Options{Seed: 1, Gentle: true}
	if rep, err := numeric.SameValue(prog.Root, ast.MatPow(ast.Inverse(x), 20), prog, opts); err != nil || rep.RelErr > 1e-9 || rep.Draws != numeric.DefaultDraws {
		t.Errorf("inv(X^20) vs inv(X)^20: %v, relative difference %g on %d draws, want ~0 on %d", err, rep.RelErr, rep.Draws, numeric.DefaultDraws)
	}
	if rep, err := numeric.SameValue(prog.Root, ast.MatPow(ast.Inverse(ast.Transpose(x)), 20), prog, opts); err != nil || rep.RelErr < 1e-3 || rep.OK {
		t.Errorf("inv(X^20) vs inv(X')^20: %v, relative difference %g, want O(1)", err, rep.RelErr)
	}
}

// rewrite applies rule to every node of n, operands first: a planted
// identity.
func rewrite(n *ast.Node, rule func(*ast.Node) *ast.Node) *ast.Node {
	if len(n.Args) > 0 {
		args := make([]*ast.Node, len(n.Args))
		for i, a := range n.Args {
			args[i] = rewrite(a, rule)
		}
		n = ast.WithArgs(n, args...)
	}
	return rule(n)
}

// Wrong identities, each false in general.
var (
	// sum(Aᵀ) = 2·sum(A), the simplification of issue 8.
	wrongSumTranspose = func(n *ast.Node) *ast.Node {
		if n.Is(builtin.Sum) && n.Args[0].Kind == ast.KTranspose {
			return ast.Mul(ast.Int(2), builtin.Sum.Of(n.Args[0].Args[0]))
		}
		return n
	}
	// A·B = B·A for square factors of one shape.
	wrongCommute = func(n *ast.Node) *ast.Node {
		if n.Kind != ast.KMul || len(n.Args) < 2 {
			return n
		}
		k := len(n.Args)
		a, b := n.Args[k-2], n.Args[k-1]
		if !a.IsScalar() && a.Shape == b.Shape && a.Shape.IsSquare() && a != b {
			args := append(append([]*ast.Node{}, n.Args[:k-2]...), b, a)
			return ast.Mul(args...)
		}
		return n
	}
	// A + B = A: the last term of a sum dropped.
	wrongDropTerm = func(n *ast.Node) *ast.Node {
		if n.Kind == ast.KAdd && len(n.Args) > 1 {
			return ast.Add(n.Args[:len(n.Args)-1]...)
		}
		return n
	}
	// A ⊗ B = B ⊗ A.
	wrongKronSwap = func(n *ast.Node) *ast.Node {
		if n.Is(builtin.Kron) {
			return builtin.Kron.Of(n.Args[1], n.Args[0])
		}
		return n
	}
)

// TestVerifyCatchesPlantedRules plants a wrong identity into each answer
// that Verify checks — the gradient, the differential of a matrix-valued f,
// the canonical form of f, the Hessian map and matrix, the Jacobian matrix
// and the Kronecker form — and requires a *CheckFailedError naming that
// check; the unplanted answer passes. The plant must change the answer, so
// that the test cannot pass vacuously.
func TestVerifyCatchesPlantedRules(t *testing.T) {
	cases := []struct {
		name, src, let, wrt string
		hessian, jacobian   bool
		// plant returns the result with the wrong rule applied to one of
		// its parts, and the canonical form Verify is to use.
		plant func(t *testing.T, res *ast.Result) func(*ast.Node) *ast.Node
		what  string // in the failure message
	}{
		{name: "gradient", src: "tr(A*X*B)", let: "A: n x n; X: n x n; B: n x n", wrt: "X",
			plant: func(t *testing.T, res *ast.Result) func(*ast.Node) *ast.Node {
				d := &res.Derivatives[0]
				d.Gradient = planted(t, d.Gradient, wrongCommute)
				return simplify.Simplify
			}, what: "∇_X f"},
		{name: "differential", src: "A*X*B", let: "A: n x n; X: n x n; B: n x n", wrt: "X",
			plant: func(t *testing.T, res *ast.Result) func(*ast.Node) *ast.Node {
				d := &res.Derivatives[0]
				d.Differential = planted(t, d.Differential, wrongCommute)
				return simplify.Simplify
			}, what: "df = Δ ↦"},
		{
			// An undeclared matrix under log: N(0, 1) inputs give NaN, and
			// the guard used to report agreement on no draw at all.
			name: "canonical form", src: "sum(log(X)')", let: "", wrt: "X",
			plant: func(t *testing.T, res *ast.Result) func(*ast.Node) *ast.Node {
				canon := func(n *ast.Node) *ast.Node { return simplify.Simplify(rewrite(n, wrongSumTranspose)) }
				if canon(res.F) == simplify.Simplify(res.F) {
					t.Fatal("the planted rule does not change f")
				}
				// mdiff differentiates the canonical form: with the wrong
				// one, the gradient is that of 2·sum(log X), and agrees
				// with finite differences of it.
				d, err := derive(simplify.New(), canon(res.F), res.Derivatives[0].Wrt, Options{})
				if err != nil {
					t.Fatal(err)
				}
				res.Derivatives[0] = *d
				return canon
			}, what: "canonical form"},
		{name: "Hessian map", src: "x'*A*x", let: "A: n x n; x: n", wrt: "x", hessian: true,
			plant: func(t *testing.T, res *ast.Result) func(*ast.Node) *ast.Node {
				d := &res.Derivatives[0]
				d.Hessian = planted(t, d.Hessian, wrongDropTerm)
				return simplify.Simplify
			}, what: "H[Δ]"},
		{name: "Hessian matrix", src: "x'*A*x", let: "A: n x n; x: n", wrt: "x", hessian: true,
			plant: func(t *testing.T, res *ast.Result) func(*ast.Node) *ast.Node {
				d := &res.Derivatives[0]
				d.HessianMat = planted(t, d.HessianMat, wrongDropTerm)
				return simplify.Simplify
			}, what: "∇²_x f"},
		{name: "Jacobian matrix", src: "A*B*x", let: "A: n x n; B: n x n; x: n", wrt: "x", jacobian: true,
			plant: func(t *testing.T, res *ast.Result) func(*ast.Node) *ast.Node {
				d := &res.Derivatives[0]
				d.Jacobian = planted(t, d.Jacobian, wrongCommute)
				return simplify.Simplify
			}, what: "J = "},
		{name: "Kronecker form", src: "A*X*B", let: "A: m x n; X: n x p; B: p x q", wrt: "X", jacobian: true,
			plant: func(t *testing.T, res *ast.Result) func(*ast.Node) *ast.Node {
				d := &res.Derivatives[0]
				d.Jacobian = planted(t, d.Jacobian, wrongKronSwap)
				return simplify.Simplify
			}, what: "vec(df[Δ]) = J·vec(Δ)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := Options{Wrt: []string{c.wrt}, Let: []string{c.let}, Hessian: c.hessian, Jacobian: c.jacobian, NoCheck: true}
			res, err := Derive(c.src, opts)
			if err != nil {
				t.Fatal(err)
			}
			if v, err := Verify(res, numeric.Options{Seed: 1}); err != nil || !v.OK {
				t.Fatalf("the right answer: %v, %+v", err, v)
			}
			canon := c.plant(t, res)
			for seed := uint64(1); seed <= 5; seed++ {
				v, err := verify(res, numeric.Options{Seed: seed}, canon)
				var failed *CheckFailedError
				if !errors.As(err, &failed) {
					t.Fatalf("seed %d: planted wrong %s: got %v (%+v), want a *CheckFailedError", seed, c.name, err, v)
				}
				if v == nil || v.OK {
					t.Errorf("seed %d: verification %+v with a failed check", seed, v)
				}
				if !strings.Contains(failed.What, c.what) || failed.Draws < 1 || !(failed.RelErr > failed.Tol) {
					t.Errorf("seed %d: failure %q does not say what was compared (%q), or compared nothing", seed, err, c.what)
				}
			}
		})
	}
}

// planted returns n with the wrong rule applied, failing the test when the
// rule does not change n.
func planted(t *testing.T, n *ast.Node, rule func(*ast.Node) *ast.Node) *ast.Node {
	t.Helper()
	if n == nil {
		t.Fatal("no answer to plant a rule in")
	}
	m := rewrite(n, rule)
	if m == n {
		t.Fatalf("the planted rule does not change %s", ast.Dump(n))
	}
	return m
}

// TestVerifyNeverAgreesOnNothing: where no input can be compared — f is
// finite nowhere, a power overflows or underflows at every input, an
// inverse is singular at every size — Verify returns an *UncheckedError
// that says what could not be compared, and never OK.
func TestVerifyNeverAgreesOnNothing(t *testing.T) {
	for _, c := range []struct{ src, let, wrt, why string }{
		{"sum(log(-X .* X))", "X: n x n", "X", "not finite"},
		{"sum(X .^ 1e308)", "X: n x n", "X", "out of floating-point range"},
		{"X .^ 1e308", "X: n x n", "X", "out of floating-point range"},
		{"tr(inv(x*x'))", "x: n", "x", "condition number"},
	} {
		res, err := Derive(c.src, Options{Wrt: []string{c.wrt}, Let: []string{c.let}, NoCheck: true})
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		v, err := Verify(res, numeric.Options{Seed: 1})
		var unchecked *UncheckedError
		if !errors.As(err, &unchecked) || !errors.Is(err, numeric.ErrNoFiniteDraw) {
			t.Errorf("%s: %v (%+v), want an *UncheckedError", c.src, err, v)
			continue
		}
		if v == nil || v.OK {
			t.Errorf("%s: verification %+v, want OK false", c.src, v)
		}
		if msg := err.Error(); !strings.Contains(msg, "could not be checked") || !strings.Contains(msg, c.why) || len(unchecked.Sizes) == 0 {
			t.Errorf("%s: message %q, want it to say it could not be checked, why (%s) and at which sizes", c.src, msg, c.why)
		}
	}
}

// TestVerifyFormerlyRefused: right answers that TestRefusalRate found the
// check refusing, each at the seed that refused it (and a few more):
//   - a periodic function of the variable at a huge argument, where finite
//     differences span its periods: the check redraws there
//     (cos(softplus(2·M1·exp(v2))⁻¹) at softplus = 10⁻⁶);
//   - a rounding that perturbing the inputs cannot reach: 1 + s1⁶ is 1
//     exactly near s1 = 10⁻³, so f's finite differences are 0 while the
//     gradient is 6·s1⁵; the rounding estimate jitters computed values;
//   - a function saturated at every usual draw: tanh(e³ − s2 − s1) needs
//     s1 + s2 near 20, sigmoid(e^4.5 − …) near 90, sigmoid((…)⁶) inputs
//     near 0; the check then draws from wider, huger and tinier domains,
//     where twice the gradient still fails; so for a periodic function
//     beyond its bound at every usual draw;
//   - a function that varies by 10⁻⁹ of its value (log(e^e³ + softplus(s1)))
//     or whose constant takes most digits (exp(27) − M1·v2): the rounding
//     noise hides the derivative at every input, and the check lifts the
//     numbers to variables (checkLifted);
//   - a saturated function in the derivative only, which the check
//     evaluates but does not difference: the screen looks at f's nodes.
func TestVerifyFormerlyRefused(t *testing.T) {
	for _, c := range []struct {
		src, let, wrt string
		seed          uint64
	}{
		{"cos(softplus(((M1 + M1))*(exp(v2))).^-1)", "M1: 1 x p; v2: p", "M1", 4307},
		{"log((((s1).^3).^2 + 1))", "s1: scalar", "s1", 4411},
		{"((s1).^2 .* tanh((exp(3) - (s2 + s1))))", "s1: scalar; s2: scalar", "s2", 2975},
		// saturated unless large inputs offset e^4.5 (domainHuge)
		{"(2*M1*(v2.^-1) - (s3 + s4)).^3 ./ sigmoid(exp(3).^1.5 + (s5 - s3) - 1.5 .* s5)", "M1: 1 x m; s3: scalar; s4: scalar; s5: scalar; v2: pos m", "s3", 3254},
		// saturated unless small inputs keep the sixth power small (domainTiny)
		{"sigmoid((v1'*log(v2) - (norm(v1) + <M3, M3>)).^6)", "M3: p x m; v1: p; v2: pos p", "v1", 8},
		// sigmoid(t³) at t ≥ 5 is in the gradient of softplus(t³) only: evaluated, not differenced
		{"softplus(((<M1, M1> + (3 + 2))).^3)", "M1: p x n", "M1", 3575},
		// f varies by 10⁻⁹ of its value: checked with its numbers lifted
		{"log((softplus((s1)') + exp(exp(3))))", "s1: scalar", "s1", 22608},
		// f is exp(27) plus a linear term of size 1: checked with its numbers lifted
		{"(exp((3).^3) - ((M1)*(v2))')", "M1: 1 x p; v2: p", "M1", 20824},
		// (e^s5 + T)⁻² underflows to 0 for T = e^(sum(…)²) near 10²²⁴: a draw there is redrawn (it failed)
		{"(exp((tanh(logsumexp(v1)) .* logdet(inv(M2)))) ./ (exp((sum(exp((M3 - M4)))).^2) + exp(s5)))", "M2: spd m x m; M3: m x m; M4: m x m; s5: scalar; v1: n", "M3", 14790},
		// arctan of e^(27·logsumexp(v1)) is saturated at most draws (it failed the check there)
		{"arctan(arctan(exp(((logsumexp(v1) .* (3).^3))')))", "v1: n", "v1", 19090},
		// an argument beyond 100 at every usual draw, below at large inputs (domainWide)
		{"cos(((exp(sqrt(3))).^3 ./ softplus((s1 - (M2)*(v3)))))", "M2: 1 x n; s1: scalar; v3: n", "v3", 18055},
	} {
		for _, seed := range []uint64{c.seed, 1, 2, 3} {
			res, err := Derive(c.src, Options{Wrt: []string{c.wrt}, Let: []string{c.let}, Hessian: true, Seed: seed})
			if err != nil || res.Check == nil || !res.Check.OK {
				t.Errorf("%s (seed %d): %v", c.src, seed, err)
				continue
			}
			// The draws that compare also tell a wrong gradient.
			d := res.Derivatives[0]
			bad, err := numeric.CheckGradient(simplify.Simplify(res.F), ast.Mul(ast.Int(2), d.Gradient), d.Wrt, res.Program, numeric.Options{Seed: seed})
			if err == nil && bad.OK {
				t.Errorf("%s (seed %d): twice the gradient passed: %+v", c.src, seed, bad)
			}
		}
	}
}

// TestVerifyChoosesSizes: expressions that are singular at the default
// sizes (3, 4, … in sorted order of name) are checked at sizes where they
// are well conditioned, and a failure says how conditioned they were.
func TestVerifyChoosesSizes(t *testing.T) {
	for _, c := range []struct{ src, let, wrt string }{
		{"det(X'*A*X)", "X: m x n; A: spd m x m", "X"},
		{"logdet(X'*A*X)", "X: m x n; A: spd m x m", "X"},
		{"logdet(X*X')", "X: n x m", "X"},
		{"logdet(X'*X) + logdet(Y'*Y)", "X: a x b; Y: a x c", "X"},
	} {
		for seed := uint64(1); seed <= 3; seed++ {
			res, err := Derive(c.src, Options{Wrt: []string{c.wrt}, Let: []string{c.let}, Hessian: true, Seed: seed})
			if err != nil || res.Check == nil || !res.Check.OK {
				t.Errorf("%s (seed %d): %v", c.src, seed, err)
			}
		}
	}
	// A wrong gradient at a singular point is caught at sizes where X'AX is
	// invertible, and the message states its condition.
	res, err := Derive("logdet(X'*A*X)", Options{Wrt: []string{"X"}, Let: []string{"X: m x n; A: spd m x m"}, NoCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	d := &res.Derivatives[0]
	d.Gradient = planted(t, d.Gradient, func(n *ast.Node) *ast.Node {
		if n.IsNum(2) {
			return ast.Int(3)
		}
		return n
	})
	_, err = Verify(res, numeric.Options{Seed: 1})
	var failed *CheckFailedError
	if !errors.As(err, &failed) || !(failed.Cond > 1 && failed.Cond <= numeric.MaxCond) || !strings.Contains(err.Error(), "condition number") || !strings.Contains(failed.Sizes, "m = ") {
		t.Errorf("wrong gradient of logdet(XᵀAX): %v, want a failure at well-conditioned sizes that states the condition number", err)
	}
}

// TestJacobianOfZeroMap: the Kronecker form of a differential without Δ
// (f = M − M) is "none", not an index panic.
func TestJacobianOfZeroMap(t *testing.T) {
	res, err := Derive("M - M", Options{Wrt: []string{"M"}, Let: []string{"M: m x n"}, Jacobian: true})
	if err != nil {
		t.Fatal(err)
	}
	if d := res.Derivatives[0]; d.Jacobian != nil || d.NoJacobian == "" {
		t.Errorf("Jacobian %v, reason %q; want none, with a reason", d.Jacobian, d.NoJacobian)
	}
}

// TestRunChecksInOrder: the checks run at once, but each outcome — a
// report, an error or a panic — comes back at its check's place in the
// list, where verify reads them in turn.
func TestRunChecksInOrder(t *testing.T) {
	prog, err := Parse("tr(X)", []string{"X: n x n"})
	if err != nil {
		t.Fatal(err)
	}
	wrong := errors.New("planted failure")
	list := make([]check, 8)
	for i := range list {
		list[i].what = func() string { return "check " + strconv.Itoa(i) }
		list[i].run = func(numeric.Options) (numeric.Report, error) {
			switch i {
			case 3:
				return numeric.Report{}, wrong
			case 5:
				panic("planted panic")
			}
			return numeric.Report{OK: true, Draws: i + 1}, nil
		}
	}
	outs := runChecks(prog, numeric.Options{}, list)
	for i, o := range outs {
		switch {
		case i == 3 && o.err != wrong, i == 5 && o.panic != "planted panic":
			t.Errorf("check %d: %+v, want its own outcome", i, o)
		case i != 3 && i != 5 && (o.err != nil || o.panic != nil || o.rep.Draws != i+1):
			t.Errorf("check %d: %+v, want its own report (%d draws)", i, o, i+1)
		}
	}
}

// TestVerifyTooLargeSizes: at the sizes 3, 4, 5, … the value of
// A ⊗ C ⊗ A ⊗ A ⊗ A ⊗ X has 35 million entries (a strict-fuzz find that ran
// for minutes); the check skips sizes where a value has more than
// numeric.MaxEntries and compares at smaller ones.
func TestVerifyTooLargeSizes(t *testing.T) {
	res, err := Derive("A⊗C⊗A⊗A⊗A⊗X", Options{Wrt: []string{"X"}})
	if err != nil || res.Check == nil || !res.Check.OK {
		t.Fatalf("%v", err)
	}
	d := res.Derivatives[0]
	first := numeric.SizePlans(res.Program)[0]
	_, err = numeric.CheckDifferential(res.F, d.Differential, d.Wrt, res.Program, numeric.Options{Sizes: first})
	if !errors.Is(err, numeric.ErrNoFiniteDraw) || !strings.Contains(fmt.Sprint(err), "entries") {
		t.Errorf("at %s: %v, want no draw: a value has too many entries", numeric.FormatSizes(first), err)
	}
}

// TestDecimal: decimal reads a dim as strconv.Atoi does, its error
// dropped.
func TestDecimal(t *testing.T) {
	for _, d := range []ast.Dim{"", "n", "m1", "3", "+3", "-2", "03", "3·4", "1x", "99999999999999999999", "٣", " 3"} {
		want, _ := strconv.Atoi(string(d))
		if got := decimal(d); got != want {
			t.Errorf("decimal(%q) = %d, want %d", d, got, want)
		}
	}
}

// TestRejectionSaysWhy: the "could not be checked" message names what made
// every draw unusable, for each kind of rejected draw (an oscillating cos
// once read "of cos(…) has condition number 0.0e+00").
func TestRejectionSaysWhy(t *testing.T) {
	x := ast.Var("x", ast.Scalar, 0)
	for _, c := range []struct {
		rd   *numeric.RejectedDraw
		want string
	}{
		{&numeric.RejectedDraw{Node: x, Oscillating: true, At: 5e11}, "oscillates"},
		{&numeric.RejectedDraw{Node: x, Saturated: true, At: 40}, "saturated at 40"},
	} {
		if got := rejection(c.rd); !strings.Contains(got, c.want) || strings.Contains(got, "condition number 0") {
			t.Errorf("rejection(%+v) = %q, want it to say %q", c.rd, got, c.want)
		}
	}
}

// TestVerifyLifted: a function saturated at every input (sqrt(σ(27 + s²))
// is 1 to 10⁻¹²), or one whose constant takes the digits of its
// variation (X⁻¹ + 7²⁰), is checked with its numbers as variables and
// then at them, and a wrong gradient or Hessian of it is never ✓ (it fails, or
// could not be checked where its values are 0 in float64); without such a
// number the check still says it could not compare.
func TestVerifyLifted(t *testing.T) {
	for _, src := range []string{
		"sqrt(sigmoid(((s1 .* s1) + (3).^3)))",
		"softplus(log(sigmoid(((3).^3 + tanh(s1)))))",
		"tanh(((exp((0.5 + 3)) - 2) + sqrt(exp((s1 ./ 0.5)))))",
		"log((softplus((s1)') + exp(exp(3))))", // f varies by 10⁻⁹ of its value
		"exp(30) - s1^3",                       // 10¹³ takes all but 3 digits of f
		"X^-1 + 7^-20^-1",                      // 7²⁰ takes every digit (a FuzzDerive find: it failed, once the step grew)
	} {
		opts := Options{Wrt: []string{"s1"}, Let: []string{"s1: scalar"}, Hessian: true}
		if strings.Contains(src, "X") {
			opts = Options{Wrt: []string{"X"}, Let: []string{"X: n x n"}}
		}
		res, err := Derive(src, opts)
		if err != nil || !res.Check.OK || !strings.Contains(res.Check.Note, "as variables, then at them") {
			t.Errorf("%s: %v, %+v", src, err, res)
			continue
		}
		opts.NoCheck = true
		for _, part := range []string{"gradient", "Hessian"} {
			res, err := Derive(src, opts)
			if err != nil {
				t.Fatal(err)
			}
			d := &res.Derivatives[0]
			switch {
			case part == "gradient" && d.Gradient == nil:
				d.Differential = ast.Mul(ast.Int(2), d.Differential)
			case part == "gradient":
				d.Gradient = ast.Mul(ast.Int(2), d.Gradient)
			case d.Hessian == nil:
				continue
			default:
				d.Hessian = ast.Mul(ast.Int(2), d.Hessian)
			}
			if v, err := Verify(res, numeric.Options{Seed: 1}); err == nil || v != nil && v.OK {
				t.Errorf("%s: twice the %s passed: %+v", src, part, v)
			}
		}
	}
	_, err := Derive("tanh(exp(exp(2)) + s1^2)", Options{Wrt: []string{"s1"}, Let: []string{"s1: scalar"}})
	var unchecked *UncheckedError
	if !errors.As(err, &unchecked) {
		t.Errorf("tanh(exp(exp(2)) + s1^2): %v, want could not be checked", err)
	}
}
