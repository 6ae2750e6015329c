package numeric

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
)

// TestScreen: a draw at which a matrix the expressions invert (or take a
// determinant of) is ill-conditioned, or a power under- or overflows, is
// rejected with the reason; a well-conditioned one passes with its
// condition number.
func TestScreen(t *testing.T) {
	x := ast.Var("x", ast.Vec(dn), 0)
	X := ast.Var("X", ast.Mat(dn, dn), 0)
	rng := rand.New(rand.NewPCG(1, 2))
	env := RandomEnv(rng, &ast.Program{Vars: []*ast.Node{x, X}}, map[ast.Dim]int{dn: 4})

	rank1 := ast.Mul(x, ast.Transpose(x))
	for _, n := range []*ast.Node{ast.Inverse(rank1), builtin.Det.Of(rank1), builtin.Logdet.Of(rank1), ast.MatPow(ast.Inverse(rank1), 2)} {
		_, err := screen([]*ast.Node{builtin.Sum.Of(n)}, nil, env)
		var rd *RejectedDraw
		if !errors.As(err, &rd) || !errors.Is(err, ErrIllConditioned) || rd.Node != rank1 || !(rd.Cond > MaxCond) {
			t.Errorf("%s of x·xᵀ: %v, want a rejection for its condition number", n.Kind, err)
		}
	}
	// x·xᵀ + I has condition number 1 + ‖x‖².
	spd := ast.Add(rank1, ast.Identity(dn))
	k, err := screen([]*ast.Node{ast.Inverse(spd), ast.MatPow(spd, 3)}, nil, env)
	xv := env.Vals["x"]
	if want := 1 + mat.Dot(xv.ColView(0), xv.ColView(0)); err != nil || math.Abs(k-want) > 1e-9*want {
		t.Errorf("inv(x·xᵀ + I): condition %g, %v; want %g", k, err, want)
	}
	if k, err := screen([]*ast.Node{builtin.Trace.Of(X)}, nil, env); err != nil || k != 1 {
		t.Errorf("tr(X): condition %g, %v; want 1 (nothing inverted)", k, err)
	}
	huge := ast.Number(new(big.Rat).SetFloat64(1e308))
	for _, n := range []*ast.Node{ast.Pow(X, huge), builtin.Exp.Of(ast.Mul(huge, X))} {
		_, err := screen([]*ast.Node{builtin.Sum.Of(n)}, nil, env)
		if !errors.Is(err, ErrOutOfRange) {
			t.Errorf("%s: %v, want ErrOutOfRange", n.Kind, err)
		}
	}
	if _, err := screen([]*ast.Node{ast.Pow(X, ast.Int(2)), builtin.Exp.Of(X)}, nil, env); err != nil {
		t.Errorf("X∘² and exp(X): %v", err)
	}
	// Saturated functions of the variable: their derivatives have lost
	// their digits. Of a constant, they do not matter.
	sat := []*ast.Node{
		builtin.Tanh.Of(ast.Mul(ast.Int(1000), X)),
		builtin.Sigmoid.Of(ast.Mul(ast.Int(1000), ast.Hadamard(X, X))),
		builtin.Softmax.Of(ast.Mul(ast.Int(1000), x)),
		builtin.Logsumexp.Of(ast.Mul(ast.Int(1000), x)),
	}
	for _, n := range sat {
		wrt := X
		if n.Is(builtin.Softmax) || n.Is(builtin.Logsumexp) {
			wrt = x
		}
		if _, err := screen([]*ast.Node{builtin.Sum.Of(n)}, wrt, env); !errors.Is(err, ErrIllConditioned) {
			t.Errorf("%s: %v, want a saturation", n.Kind, err)
		}
		if _, err := screen([]*ast.Node{builtin.Sum.Of(n)}, ast.Var("y", ast.Vec(dn), 0), env); err != nil {
			t.Errorf("%s, not a function of the variable: %v", n.Kind, err)
		}
	}
	if _, err := screen([]*ast.Node{builtin.Tanh.Of(X), builtin.Softmax.Of(x)}, X, env); err != nil {
		t.Errorf("tanh(X), softmax(x): %v", err)
	}
	// A periodic function of the variable at a huge argument: finite
	// differences would span periods.
	// An elementwise power beyond 10^±150, though finite: its derivative
	// divides by its square.
	scaled := ast.Mul(ast.Number(new(big.Rat).SetFloat64(1e70)), X)
	if _, err := screen([]*ast.Node{builtin.Sum.Of(ast.Pow(scaled, ast.Number(big.NewRat(5, 2))))}, X, env); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("(10⁷⁰·X)∘^2.5: %v, want out of range", err)
	}
	// A high matrix power far out of range: its groupings over- or
	// underflow apart.
	if _, err := screen([]*ast.Node{builtin.Sum.Of(ast.MatPow(ast.Mul(ast.Int(1000), X), 60))}, X, env); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("(1000·X)⁶⁰: %v, want out of range", err)
	}
	if _, err := screen([]*ast.Node{builtin.Sum.Of(ast.MatPow(X, 5))}, X, env); err != nil {
		t.Errorf("X⁵: %v", err)
	}
	// So is a generic function: its stand-in holds sin(t).
	var rd *RejectedDraw
	if _, err := screen([]*ast.Node{builtin.Sum.Of(ast.Apply("g", 0, ast.Mul(ast.Int(1e6), X)))}, X, env); !errors.As(err, &rd) || !rd.Oscillating {
		t.Errorf("g(10⁶·X): %v, want an oscillation", err)
	}
	for _, op := range []*ast.Op{builtin.Sin, builtin.Cos, builtin.Tan} {
		fast := op.Of(ast.Mul(ast.Int(1e6), X))
		var rd *RejectedDraw
		if _, err := screen([]*ast.Node{builtin.Sum.Of(fast)}, X, env); !errors.As(err, &rd) || !rd.Oscillating {
			t.Errorf("%s(10⁶·X): %v, want an oscillation", op.Name, err)
		}
		if _, err := screen([]*ast.Node{builtin.Sum.Of(op.Of(X))}, X, env); err != nil {
			t.Errorf("%s(X): %v", op.Name, err)
		}
	}
}

// TestEvalUnc: the estimated rounding error of a value follows what
// cancels in it, not its size.
func TestEvalUnc(t *testing.T) {
	X := ast.Var("X", ast.Mat(dn, dn), 0)
	rng := rand.New(rand.NewPCG(1, 2))
	env := RandomEnv(rng, &ast.Program{Vars: []*ast.Node{X}}, map[ast.Dim]int{dn: 4})
	big6 := ast.Mul(ast.Int(1000000), ast.Identity(dn))
	cancel := ast.Add(ast.Add(X, big6), ast.Mul(ast.Int(-1), big6)) // (X + 10⁶I) − 10⁶I = X, to 10⁻¹⁰
	_, u, err := evalUnc(X, env, "X")
	if err != nil || u > 1e-13 {
		t.Errorf("X: uncertainty %g, %v; want ≤ 1e-13", u, err)
	}
	_, u, err = evalUnc(cancel, env, "X")
	if err != nil || u < 1e-11 || u > 1e-8 {
		t.Errorf("(X + 1e6·I) − 1e6·I: uncertainty %g, %v; want about 1e-10", u, err)
	}
}

// TestVerdict: the four outcomes of comparing two values with uncertainty.
func TestVerdict(t *testing.T) {
	X := ast.Var("X", ast.Mat("1", "1"), 0)
	v := func(x float64) *mat.Dense { return mat.NewDense(1, 1, []float64{x}) }
	tol := DefaultTol
	for _, c := range []struct {
		name   string
		sym    *ast.Node
		a, b   float64
		ua, ub float64
		err    error
		ok     bool
	}{
		{"agree", X, 1, 1 + 1e-8, 1e-12, 1e-12, nil, true},
		{"disagree", X, 1, 2, 1e-12, 1e-12, nil, false},
		{"disagree though noisy", X, 1e-16, 1, 1e-15, 1e-12, nil, false},
		{"agree within a small uncertainty", X, 1, 1 + 1e-5, 1e-5, 1e-5, nil, true},
		{"within a large uncertainty", X, 1, 1.05, 0.05, 0.05, errUncertain, false},
		{"both noise", X, 1e-13, 3e-13, 1e-12, 1e-12, errDegenerate, false},
		{"both exactly zero", X, 0, 0, 0, 0, errDegenerate, false},
		{"structural zero", ast.Zero(X.Shape), 0, 1e-13, 0, 1e-12, nil, true},
		{"structural zero, nonzero differences", ast.Zero(X.Shape), 0, 1, 0, 1e-12, nil, false},
	} {
		rel, err := verdict(c.sym, v(c.a), v(c.b), c.ua, c.ub, 0, tol)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("%s: %v, want %v", c.name, err, c.err)
			}
			continue
		}
		if err != nil || (rel <= tol) != c.ok {
			t.Errorf("%s: relative error %g, %v; want agreement %v", c.name, rel, err, c.ok)
		}
	}
}

// TestDegenerateDrawsRedrawn: relu(s) below its kink has derivative 0, and
// so does the wrong 2·step(s); a draw there compares nothing and is
// redrawn, so the wrong gradient fails at every seed (it used to pass
// whenever all three draws fell below the kink, one seed in eight).
func TestDegenerateDrawsRedrawn(t *testing.T) {
	s := ast.Var("s", ast.Scalar, 0)
	f := builtin.Relu.Of(s)
	prog := &ast.Program{Root: f, Vars: []*ast.Node{s}}
	right := builtin.Step.Of(s)
	wrong := ast.Mul(ast.Int(2), right)
	for seed := uint64(1); seed <= 40; seed++ {
		if rep, err := CheckGradient(f, right, s, prog, Options{Seed: seed}); err != nil || !rep.OK || rep.Draws != DefaultDraws {
			t.Errorf("seed %d: right gradient of relu: %v, %+v", seed, err, rep)
		}
		if rep, err := CheckGradient(f, wrong, s, prog, Options{Seed: seed}); err != nil || rep.OK {
			t.Errorf("seed %d: wrong gradient 2·step(s) of relu passed: %v, relative error %g on %d draws", seed, err, rep.RelErr, rep.Draws)
		}
	}
}

// TestStructuralZero: a derivative that is zero by structure but not the
// literal 0 — ((X − X)∘²) — is zero at every draw, and that counts as
// compared; a nonzero answer for it fails.
func TestStructuralZero(t *testing.T) {
	X := ast.Var("X", ast.Mat(dn, dp), 0)
	zero := ast.Add(X, ast.Mul(ast.Int(-1), X))
	f := builtin.Sum.Of(ast.Hadamard(zero, zero, X))
	prog := &ast.Program{Root: f, Vars: []*ast.Node{X}}
	g := ast.Hadamard(zero, zero) // the derivative, zero at every input but not structurally
	rep, err := CheckGradient(f, g, X, prog, Options{Seed: 1})
	if err != nil || !rep.OK || rep.Draws != DefaultDraws {
		t.Errorf("zero gradient: %v, %+v", err, rep)
	}
	if rep, err := CheckGradient(f, X, X, prog, Options{Seed: 1}); err != nil || rep.OK {
		t.Errorf("gradient X of a constant f passed: %v, %+v", err, rep)
	}
}

// TestSizePlans: the size assignments a check tries, distinct sizes in
// every order before all equal.
func TestSizePlans(t *testing.T) {
	v := func(name string, r, c ast.Dim) *ast.Node { return ast.Var(name, ast.Mat(r, c), 0) }
	var got []string
	for _, p := range SizePlans(&ast.Program{Vars: []*ast.Node{v("X", "m", "n"), v("Y", "n", "1")}}) {
		got = append(got, FormatSizes(p))
	}
	want := []string{"m = 3, n = 4", "m = 4, n = 3", "m = n = 4", "m = n = 2"}
	if len(got) != len(want) {
		t.Fatalf("plans %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("plan %d = %q, want %q", i, got[i], want[i])
		}
	}
	three := SizePlans(&ast.Program{Vars: []*ast.Node{v("X", "a", "b"), v("Y", "c", "7")}})
	if len(three) != 8 || FormatSizes(three[0]) != "a = 3, b = 4, c = 5" || FormatSizes(three[6]) != "a = b = c = 7" || FormatSizes(three[7]) != "a = b = c = 2" {
		t.Errorf("three names: %d plans, first %v, last %v; want the 6 orders of 3, 4, 5, then all 7, then all 2", len(three), three[0], three[len(three)-1])
	}
	seen := map[string]bool{}
	for _, p := range three[:6] {
		seen[FormatSizes(p)] = true
	}
	if len(seen) != 6 {
		t.Errorf("three names: %d distinct orders among the first six plans, want 6", len(seen))
	}
	if p := SizePlans(&ast.Program{Vars: []*ast.Node{v("X", "3", "2")}}); len(p) != 1 || len(p[0]) != 0 {
		t.Errorf("no size names: plans %v, want one empty plan", p)
	}
}

// TestCond2: the one-sided Jacobi condition number agrees with gonum's SVD
// (mat.Cond) on random matrices of sizes 1 to 8, graded ones included, and
// is +Inf for singular ones.
func TestCond2(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for n := 1; n <= 8; n++ {
		for trial := range 20 {
			v := mat.NewDense(n, n, nil)
			for i := range n {
				for j := range n {
					x := rng.NormFloat64()
					if trial%2 == 1 {
						x *= math.Pow(10, -float64(j)) // graded columns
					}
					v.Set(i, j, x)
				}
			}
			got, want := cond2(v), mat.Cond(v, 2)
			if math.Abs(got-want) > 1e-9*want {
				t.Errorf("%d×%d trial %d: cond2 %g, mat.Cond %g", n, n, trial, got, want)
			}
		}
	}
	x := mat.NewVecDense(4, []float64{1, 2, -1, 0.5})
	var rank1 mat.Dense
	rank1.Outer(1, x, x)
	if k := cond2(&rank1); !math.IsInf(k, 1) {
		t.Errorf("x·xᵀ: cond2 %g, want +Inf", k)
	}
	if k := cond2(mat.NewDense(2, 2, []float64{1, 0, 0, 1e-8})); math.Abs(k-1e8) > 1e-6 {
		t.Errorf("diag(1, 1e-8): cond2 %g, want 1e8", k)
	}
}
