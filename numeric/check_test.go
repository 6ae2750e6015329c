package numeric

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
)

// wrongMin is the relative error a deliberately wrong derivative must at
// least reach: wrong answers are off by O(1), not by a hair over Tol.
const wrongMin = 1e-2

// derivCase is f with a derivative that is right and some that are wrong.
type derivCase struct {
	name  string
	f     *ast.Node
	wrt   *ast.Node
	vars  []*ast.Node
	funcs []string
	right *ast.Node            // df (differential) or G (gradient)
	wrong map[string]*ast.Node // deliberately wrong answers
	// minWrong, if set, replaces wrongMin: where f is huge next to its
	// variation the rounding floor (rightly) dilutes the relative error.
	minWrong float64
}

func (c derivCase) wrongMin() float64 {
	if c.minWrong > 0 {
		return c.minWrong
	}
	return wrongMin
}

func (c derivCase) prog() *ast.Program {
	return &ast.Program{Root: c.f, Vars: c.vars, Funcs: c.funcs}
}

var (
	dn, dp, dq = ast.Dim("n"), ast.Dim("p"), ast.Dim("q")
)

func gradientCases() []derivCase {
	// tr(A·X·B), A: q×n, X: n×p, B: p×q — G = Aᵀ·Bᵀ.
	A := ast.Var("A", ast.Mat(dq, dn), 0)
	X := ast.Var("X", ast.Mat(dn, dp), 0)
	B := ast.Var("B", ast.Mat(dp, dq), 0)
	// The same with every matrix n×n, so that transposition mistakes still
	// have the right shape.
	As := ast.Var("A", ast.Mat(dn, dn), 0)
	Xs := ast.Var("X", ast.Mat(dn, dn), 0)
	Bs := ast.Var("B", ast.Mat(dn, dn), 0)
	// logdet: spd and general.
	P := ast.Var("P", ast.Mat(dn, dn), ast.PosDef)
	// ‖Y − B·X‖²_F wrt B: Y: q×n, B: q×p, X: p×n.
	Y := ast.Var("Y", ast.Mat(dq, dn), 0)
	Bq := ast.Var("B", ast.Mat(dq, dp), 0)
	Xp := ast.Var("X", ast.Mat(dp, dn), 0)
	R := sub(Y, ast.Mul(Bq, Xp))
	// vectors
	x := ast.Var("x", ast.Vec(dn), 0)
	M := ast.Var("M", ast.Mat(dn, dn), 0)
	S := ast.Var("S", ast.Mat(dn, dn), ast.Symmetric)
	w := ast.Var("w", ast.Vec(dn), ast.Positive)
	C := ast.Var("C", ast.Mat(dn, dp), 0)
	g := func(k int, a *ast.Node) *ast.Node { return ast.Apply("g", k, a) }

	return []derivCase{
		{
			name: "tr(AXB)", f: builtin.Trace.Of(ast.Mul(A, X, B)), wrt: X, vars: []*ast.Node{A, X, B},
			right: ast.Mul(ast.Transpose(A), ast.Transpose(B)),
			wrong: map[string]*ast.Node{
				"twice": ast.Mul(ast.Int(2), ast.Transpose(A), ast.Transpose(B)),
				"minus": neg(ast.Mul(ast.Transpose(A), ast.Transpose(B))),
			},
		},
		{
			name: "tr(AXB) square", f: builtin.Trace.Of(ast.Mul(As, Xs, Bs)), wrt: Xs, vars: []*ast.Node{As, Xs, Bs},
			right: ast.Mul(ast.Transpose(As), ast.Transpose(Bs)),
			wrong: map[string]*ast.Node{
				"A·B (missing transposes)": ast.Mul(As, Bs),
				"Aᵀ·B":                     ast.Mul(ast.Transpose(As), Bs),
				"A·Bᵀ":                     ast.Mul(As, ast.Transpose(Bs)),
				"Bᵀ·Aᵀ (wrong order)":      ast.Mul(ast.Transpose(Bs), ast.Transpose(As)),
				"B·A":                      ast.Mul(Bs, As),
			},
		},
		{
			name: "logdet spd", f: builtin.Logdet.Of(P), wrt: P, vars: []*ast.Node{P},
			right: ast.Inverse(P),
			wrong: map[string]*ast.Node{
				"P":     P,
				"2P⁻¹":  ast.Mul(ast.Int(2), ast.Inverse(P)),
				"−P⁻¹":  neg(ast.Inverse(P)),
				"P⁻²":   ast.MatPow(ast.Inverse(P), 2),
				"I":     ast.Identity(dn),
				"zero":  ast.Zero(P.Shape),
				"det·I": ast.Mul(builtin.Det.Of(P), ast.Identity(dn)),
			},
		},
		{
			name: "logdet general", f: builtin.Logdet.Of(Xs), wrt: Xs, vars: []*ast.Node{Xs},
			right: ast.Transpose(ast.Inverse(Xs)),
			wrong: map[string]*ast.Node{"X⁻¹ (missing transpose)": ast.Inverse(Xs)},
		},
		{
			name: "det", f: builtin.Det.Of(Xs), wrt: Xs, vars: []*ast.Node{Xs},
			right: ast.Mul(builtin.Det.Of(Xs), ast.Transpose(ast.Inverse(Xs))),
			wrong: map[string]*ast.Node{
				"det·X⁻¹":  ast.Mul(builtin.Det.Of(Xs), ast.Inverse(Xs)),
				"X⁻ᵀ only": ast.Transpose(ast.Inverse(Xs)),
			},
		},
		{
			name: "‖Y − BX‖²_F", f: ast.Inner(R, R), wrt: Bq, vars: []*ast.Node{Y, Bq, Xp},
			right: ast.Mul(ast.Int(-2), R, ast.Transpose(Xp)),
			wrong: map[string]*ast.Node{
				"factor 1":  neg(ast.Mul(R, ast.Transpose(Xp))),
				"sign":      ast.Mul(ast.Int(2), R, ast.Transpose(Xp)),
				"drop Y":    ast.Mul(ast.Int(2), Bq, Xp, ast.Transpose(Xp)),
				"drop BXXᵀ": ast.Mul(ast.Int(-2), Y, ast.Transpose(Xp)),
			},
		},
		{
			name: "logsumexp", f: builtin.Logsumexp.Of(x), wrt: x, vars: []*ast.Node{x},
			right: builtin.Softmax.Of(x),
			wrong: map[string]*ast.Node{
				"exp":     builtin.Exp.Of(x),
				"ones/n":  ast.Mul(num(1, 3), ast.Ones(x.Shape)),
				"softmax": ast.Mul(ast.Int(2), builtin.Softmax.Of(x)),
			},
		},
		{
			name: "xᵀMx", f: ast.Mul(ast.Transpose(x), M, x), wrt: x, vars: []*ast.Node{x, M},
			right: ast.Mul(ast.Add(M, ast.Transpose(M)), x),
			wrong: map[string]*ast.Node{"2Mx": ast.Mul(ast.Int(2), M, x), "Mᵀx": ast.Mul(ast.Transpose(M), x)},
		},
		{
			name: "sum g(X)", f: builtin.Sum.Of(g(0, C)), wrt: C, vars: []*ast.Node{C}, funcs: []string{"g"},
			right: g(1, C),
			wrong: map[string]*ast.Node{"g": g(0, C), "g″": g(2, C)},
		},
		{
			name: "⟨w, log w⟩", f: ast.Inner(w, builtin.Log.Of(w)), wrt: w, vars: []*ast.Node{w},
			right: ast.Add(builtin.Log.Of(w), ast.Ones(w.Shape)),
			wrong: map[string]*ast.Node{"log w": builtin.Log.Of(w)},
		},
		{
			name: "sum relu (kinks)", f: builtin.Sum.Of(builtin.Relu.Of(C)), wrt: C, vars: []*ast.Node{C},
			right: builtin.Step.Of(C),
			wrong: map[string]*ast.Node{"relu": builtin.Relu.Of(C), "sign": builtin.Sign.Of(C)},
		},
		{
			name: "‖x‖ and abs", f: ast.Add(builtin.Norm.Of(x), builtin.Sum.Of(builtin.Abs.Of(x))), wrt: x, vars: []*ast.Node{x},
			right: ast.Add(ast.Mul(ast.Inverse(builtin.Norm.Of(x)), x), builtin.Sign.Of(x)),
			wrong: map[string]*ast.Node{"x/‖x‖ only": ast.Mul(ast.Inverse(builtin.Norm.Of(x)), x)},
		},
		{
			name: "constant in the variable", f: builtin.Trace.Of(M), wrt: x, vars: []*ast.Node{M, x},
			right: ast.Zero(x.Shape),
			wrong: map[string]*ast.Node{"ones": ast.Ones(x.Shape)},
		},
		{
			name: "large constant offset", f: ast.Add(ast.Int(100000000), builtin.Trace.Of(M)), wrt: M, vars: []*ast.Node{M},
			right:    ast.Identity(dn),
			wrong:    map[string]*ast.Node{"2I": ast.Mul(ast.Int(2), ast.Identity(dn)), "zero": ast.Zero(M.Shape)},
			minWrong: 1e-4,
		},
		{
			// For a symmetric S only the symmetric part of G is seen by
			// CheckGradient: Mᵀ and (M + Mᵀ)/2 both pass there.
			name: "tr(MS) symmetric", f: builtin.Trace.Of(ast.Mul(M, S)), wrt: S, vars: []*ast.Node{M, S},
			right: ast.Mul(num(1, 2), ast.Add(M, ast.Transpose(M))),
			wrong: map[string]*ast.Node{"2·sym(M)": ast.Add(M, ast.Transpose(M)), "M − Mᵀ": sub(M, ast.Transpose(M))},
		},
	}
}

func TestCheckGradient(t *testing.T) {
	for _, c := range gradientCases() {
		t.Run(c.name, func(t *testing.T) {
			rep, err := CheckGradient(c.f, c.right, c.wrt, c.prog(), Options{Seed: 1})
			if err != nil {
				t.Fatalf("right gradient: %v", err)
			}
			if !rep.OK || rep.Draws != DefaultDraws {
				t.Fatalf("right gradient %s: OK=%v draws=%d relerr %.3g", ast.Dump(c.right), rep.OK, rep.Draws, rep.RelErr)
			}
			t.Logf("right: relerr %.2g", rep.RelErr)
			for name, wrong := range c.wrong {
				rep, err := CheckGradient(c.f, wrong, c.wrt, c.prog(), Options{Seed: 1})
				if err != nil {
					t.Fatalf("wrong gradient %s: %v", name, err)
				}
				if rep.OK || rep.RelErr < c.wrongMin() {
					t.Errorf("wrong gradient %s passed: OK=%v relerr %.3g", name, rep.OK, rep.RelErr)
				}
			}
		})
	}
}

// TestCompareGradient checks the entrywise comparison on the same cases;
// there a symmetric variable's gradient must be the symmetric part.
func TestCompareGradient(t *testing.T) {
	for _, c := range gradientCases() {
		t.Run(c.name, func(t *testing.T) {
			rep, err := CompareGradient(c.right, c.f, c.wrt, c.prog(), Options{Seed: 2})
			if err != nil {
				t.Fatalf("right gradient: %v", err)
			}
			if !rep.OK || len(rep.Mismatches) != 0 {
				t.Fatalf("right gradient %s: OK=%v relerr %.3g mismatches %v", ast.Dump(c.right), rep.OK, rep.RelErr, rep.Mismatches)
			}
			for name, wrong := range c.wrong {
				rep, err := CompareGradient(wrong, c.f, c.wrt, c.prog(), Options{Seed: 2})
				if err != nil {
					t.Fatalf("wrong gradient %s: %v", name, err)
				}
				if rep.OK || rep.RelErr < c.wrongMin() {
					t.Errorf("wrong gradient %s passed: relerr %.3g", name, rep.RelErr)
				}
				if len(rep.Mismatches) == 0 || len(rep.Mismatches) > 5 {
					t.Errorf("wrong gradient %s: %d mismatches listed, want 1..5", name, len(rep.Mismatches))
				}
			}
		})
	}
}

func TestCompareGradientSymmetricIsSymmetricPart(t *testing.T) {
	M := ast.Var("M", ast.Mat(dn, dn), 0)
	S := ast.Var("S", ast.Mat(dn, dn), ast.Symmetric)
	f := builtin.Trace.Of(ast.Mul(M, S))
	prog := &ast.Program{Root: f, Vars: []*ast.Node{M, S}}
	// CheckGradient sees only the symmetric part: Mᵀ passes …
	rep, err := CheckGradient(f, ast.Transpose(M), S, prog, Options{})
	if err != nil || !rep.OK {
		t.Fatalf("CheckGradient(Mᵀ): %v %+v", err, rep)
	}
	// … but it is not the gradient on the symmetric matrices.
	rep, err = CompareGradient(ast.Transpose(M), f, S, prog, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK {
		t.Fatalf("CompareGradient accepted Mᵀ for a symmetric variable: relerr %.3g", rep.RelErr)
	}
	// The diagonal agrees, so every mismatch is off the diagonal.
	for _, m := range rep.Mismatches {
		if m.Row == m.Col {
			t.Errorf("mismatch on the diagonal: %+v", m)
		}
	}
}

func TestCompareGradientMismatches(t *testing.T) {
	X := ast.Var("X", ast.Mat(dn, dn), 0)
	C := ast.Var("C", ast.Mat(dn, dn), 0)
	f := ast.Inner(C, X)
	prog := &ast.Program{Root: f, Vars: []*ast.Node{C, X}}
	// Off on the diagonal only: C + diag(diag(C)).
	cand := ast.Add(C, builtin.DiagMat.Of(builtin.DiagVec.Of(C)))
	rep, err := CompareGradient(cand, f, X, prog, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK {
		t.Fatalf("wrong candidate passed")
	}
	n := rep.Env.Sizes["n"]
	if len(rep.Mismatches) != min(n, 5) {
		t.Fatalf("%d mismatches, want %d: %+v", len(rep.Mismatches), min(n, 5), rep.Mismatches)
	}
	c := rep.Env.Vals["C"]
	for k, m := range rep.Mismatches {
		if m.Row != m.Col {
			t.Errorf("mismatch off the diagonal: %+v", m)
		}
		if want := c.At(m.Row, m.Col); math.Abs(m.Want-want) > 1e-8 || math.Abs(m.Got-2*want) > 1e-12 {
			t.Errorf("mismatch %+v, want Got = %v, Want = %v", m, 2*want, want)
		}
		if k > 0 && math.Abs(m.Got-m.Want) > math.Abs(rep.Mismatches[k-1].Got-rep.Mismatches[k-1].Want) {
			t.Errorf("mismatches not sorted by difference: %+v", rep.Mismatches)
		}
	}
}

func differentialCases() []derivCase {
	X := ast.Var("X", ast.Mat(dn, dn), 0)
	P := ast.Var("P", ast.Mat(dn, dn), ast.PosDef)
	A := ast.Var("A", ast.Mat(dp, dn), 0)
	B := ast.Var("B", ast.Mat(dn, dq), 0)
	Xr := ast.Var("X", ast.Mat(dn, dn), 0)
	x := ast.Var("x", ast.Vec(dn), 0)
	C := ast.Var("C", ast.Mat(dn, dp), 0)
	DX := ast.Delta("X", X.Shape)
	DP := ast.Delta("P", P.Shape)
	Dx := ast.Delta("x", x.Shape)
	DC := ast.Delta("C", C.Shape)
	Xi := ast.Inverse(X)
	p := builtin.Softmax.Of(x)
	return []derivCase{
		{
			name: "X⁻¹", f: Xi, wrt: X, vars: []*ast.Node{X},
			right: neg(ast.Mul(Xi, DX, Xi)),
			wrong: map[string]*ast.Node{
				"+X⁻¹ΔX⁻¹": ast.Mul(Xi, DX, Xi),
				"−X⁻²Δ":    neg(ast.Mul(Xi, Xi, DX)),
				"−Δᵀ":      neg(ast.Mul(Xi, ast.Transpose(DX), Xi)),
			},
		},
		{
			name: "P⁻¹ spd", f: ast.Inverse(P), wrt: P, vars: []*ast.Node{P},
			right: neg(ast.Mul(ast.Inverse(P), DP, ast.Inverse(P))),
			wrong: map[string]*ast.Node{"−P⁻¹Δ": neg(ast.Mul(ast.Inverse(P), DP))},
		},
		{
			name: "A·X·B", f: ast.Mul(A, Xr, B), wrt: Xr, vars: []*ast.Node{A, Xr, B},
			right: ast.Mul(A, ast.Delta("X", Xr.Shape), B),
			wrong: map[string]*ast.Node{"A·Δᵀ·B": ast.Mul(A, ast.Transpose(ast.Delta("X", Xr.Shape)), B)},
		},
		{
			name: "X³", f: ast.MatPow(X, 3), wrt: X, vars: []*ast.Node{X},
			right: ast.Add(ast.Mul(DX, X, X), ast.Mul(X, DX, X), ast.Mul(X, X, DX)),
			wrong: map[string]*ast.Node{"3X²Δ": ast.Mul(ast.Int(3), X, X, DX)},
		},
		{
			name: "softmax", f: p, wrt: x, vars: []*ast.Node{x},
			right: sub(ast.Hadamard(p, Dx), ast.Mul(p, ast.Mul(ast.Transpose(p), Dx))),
			wrong: map[string]*ast.Node{"p⊙Δ": ast.Hadamard(p, Dx), "+": ast.Add(ast.Hadamard(p, Dx), ast.Mul(p, ast.Mul(ast.Transpose(p), Dx)))},
		},
		{
			name: "g(C)", f: ast.Apply("g", 0, C), wrt: C, vars: []*ast.Node{C},
			right: ast.Hadamard(ast.Apply("g", 1, C), DC),
			wrong: map[string]*ast.Node{"g⊙Δ": ast.Hadamard(ast.Apply("g", 0, C), DC)},
		},
		{
			name: "tanh", f: builtin.Tanh.Of(C), wrt: C, vars: []*ast.Node{C},
			right: ast.Hadamard(sub(ast.Ones(C.Shape), ast.Pow(builtin.Tanh.Of(C), ast.Int(2))), DC),
			wrong: map[string]*ast.Node{"1 + tanh²": ast.Hadamard(ast.Add(ast.Ones(C.Shape), ast.Pow(builtin.Tanh.Of(C), ast.Int(2))), DC)},
		},
		{
			name: "sigmoid", f: builtin.Sigmoid.Of(x), wrt: x, vars: []*ast.Node{x},
			right: ast.Hadamard(builtin.Sigmoid.Of(x), sub(ast.Ones(x.Shape), builtin.Sigmoid.Of(x)), Dx),
			wrong: map[string]*ast.Node{"σ⊙Δ": ast.Hadamard(builtin.Sigmoid.Of(x), Dx)},
		},
		{
			name: "diag and broadcast", f: ast.Mul(builtin.DiagMat.Of(x), ast.Broadcast(ast.Transpose(x), ast.Mat(dn, dn))), wrt: x, vars: []*ast.Node{x},
			right: ast.Add(ast.Mul(builtin.DiagMat.Of(Dx), ast.Broadcast(ast.Transpose(x), ast.Mat(dn, dn))),
				ast.Mul(builtin.DiagMat.Of(x), ast.Broadcast(ast.Transpose(Dx), ast.Mat(dn, dn)))),
			wrong: map[string]*ast.Node{"first term": ast.Mul(builtin.DiagMat.Of(Dx), ast.Broadcast(ast.Transpose(x), ast.Mat(dn, dn)))},
		},
		{
			name: "x ⊘ ‖x‖", f: ast.Div(x, ast.Broadcast(builtin.Norm.Of(x), x.Shape)), wrt: x, vars: []*ast.Node{x},
			right: sub(
				ast.Mul(ast.Inverse(builtin.Norm.Of(x)), Dx),
				ast.Mul(ast.Pow(builtin.Norm.Of(x), ast.Int(-3)), x, ast.Mul(ast.Transpose(x), Dx))),
			wrong: map[string]*ast.Node{"Δ/‖x‖": ast.Mul(ast.Inverse(builtin.Norm.Of(x)), Dx)},
		},
	}
}

func TestCheckDifferential(t *testing.T) {
	for _, c := range differentialCases() {
		t.Run(c.name, func(t *testing.T) {
			prog := c.prog()
			rep, err := CheckDifferential(c.f, c.right, c.wrt, prog, Options{Seed: 3})
			if err != nil {
				t.Fatalf("right differential: %v", err)
			}
			if !rep.OK {
				t.Fatalf("right differential %s: relerr %.3g", ast.Dump(c.right), rep.RelErr)
			}
			t.Logf("right: relerr %.2g", rep.RelErr)
			for name, wrong := range c.wrong {
				rep, err := CheckDifferential(c.f, wrong, c.wrt, prog, Options{Seed: 3})
				if err != nil {
					t.Fatalf("wrong differential %s: %v", name, err)
				}
				if rep.OK || rep.RelErr < c.wrongMin() {
					t.Errorf("wrong differential %s passed: relerr %.3g", name, rep.RelErr)
				}
			}
		})
	}
}

func TestCheckRedrawsWhereNotFinite(t *testing.T) {
	// log a of a general scalar a: half the draws are negative.
	a := ast.Var("a", ast.Scalar, 0)
	f := builtin.Log.Of(a)
	prog := &ast.Program{Root: f, Vars: []*ast.Node{a}}
	rep, err := CheckDifferential(f, ast.Div(ast.Delta("a", a.Shape), a), a, prog, Options{Seed: 4, Draws: 10})
	if err != nil || !rep.OK || rep.Draws != 10 {
		t.Fatalf("log a: %v, %+v", err, rep)
	}
	if v := rep.Env.Vals["a"].At(0, 0); !(v > 0) {
		t.Fatalf("compared at a = %v", v)
	}
	// sum(log X) of a general 3×3 X: all nine entries positive is too rare
	// under N(0, 1); the check falls back to positive entries.
	X := ast.Var("X", ast.Mat("3", "3"), 0)
	g := builtin.Sum.Of(builtin.Log.Of(X))
	prog = &ast.Program{Root: g, Vars: []*ast.Node{X}}
	rep, err = CheckGradient(g, ast.Div(ast.Ones(X.Shape), X), X, prog, Options{})
	if err != nil || !rep.OK || mat.Min(rep.Env.Vals["X"]) <= 0 {
		t.Fatalf("sum(log X): %v, %+v", err, rep)
	}
	// log(−X ⊙ X) is finite nowhere: every domain is tried, then given up on.
	h0 := builtin.Sum.Of(builtin.Log.Of(ast.Mul(ast.Int(-1), ast.Hadamard(X, X))))
	prog = &ast.Program{Root: h0, Vars: []*ast.Node{X}}
	_, err = CheckGradient(h0, ast.Div(ast.Ones(X.Shape), X), X, prog, Options{})
	if !errors.Is(err, ErrNoFiniteDraw) {
		t.Fatalf("sum(log(−X ⊙ X)): error %v, want ErrNoFiniteDraw", err)
	}
	// An inverse that is always singular: screened out as ill-conditioned
	// (condition number ~1e17), redrawn, then given up on.
	x := ast.Var("x", ast.Vec(dn), 0)
	h := builtin.Trace.Of(ast.Inverse(ast.Mul(x, ast.Transpose(x))))
	prog = &ast.Program{Root: h, Vars: []*ast.Node{x}}
	_, err = CheckGradient(h, x, x, prog, Options{})
	if !errors.Is(err, ErrNoFiniteDraw) || !errors.Is(err, ErrIllConditioned) {
		t.Fatalf("tr((xxᵀ)⁻¹): error %v, want ErrNoFiniteDraw after ErrIllConditioned", err)
	}
}

func TestCheckArgumentErrors(t *testing.T) {
	X := ast.Var("X", ast.Mat(dn, dp), 0)
	f := builtin.Sum.Of(X)
	prog := &ast.Program{Root: f, Vars: []*ast.Node{X}}
	if _, err := CheckGradient(f, ast.Transpose(X), X, prog, Options{}); err == nil {
		t.Error("gradient of the wrong shape accepted")
	}
	if _, err := CheckGradient(X, X, X, prog, Options{}); err == nil {
		t.Error("gradient of a matrix-valued f accepted")
	}
	if _, err := CheckDifferential(X, f, X, prog, Options{}); err == nil {
		t.Error("differential of the wrong shape accepted")
	}
	if _, err := CheckDifferential(f, f, f, prog, Options{}); err == nil {
		t.Error("differentiation with respect to an expression accepted")
	}
	// A generic function that prog does not list still gets the stand-in.
	h := builtin.Sum.Of(ast.Apply("h", 0, X))
	if _, err := CheckGradient(h, X, X, &ast.Program{Root: f, Vars: []*ast.Node{X}}, Options{}); err != nil {
		t.Errorf("generic h not given a stand-in: %v", err)
	}
}

func TestCheckDeterministic(t *testing.T) {
	c := gradientCases()[0]
	r1, err1 := CheckGradient(c.f, c.right, c.wrt, c.prog(), Options{Seed: 7})
	r2, err2 := CheckGradient(c.f, c.right, c.wrt, c.prog(), Options{Seed: 7})
	r3, _ := CheckGradient(c.f, c.right, c.wrt, c.prog(), Options{Seed: 8})
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if r1.RelErr != r2.RelErr || !mat.Equal(r1.Env.Vals["X"], r2.Env.Vals["X"]) {
		t.Fatal("same seed, different results")
	}
	if mat.Equal(r1.Env.Vals["X"], r3.Env.Vals["X"]) {
		t.Fatal("different seeds, same inputs")
	}
}

func TestReportVerification(t *testing.T) {
	C := ast.Var("C", ast.Mat(dn, dp), 0)
	f := builtin.Sum.Of(ast.Apply("g", 0, C))
	rep, err := CheckGradient(f, ast.Apply("g", 1, C), C, &ast.Program{Root: f, Vars: []*ast.Node{C}, Funcs: []string{"g"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c := rep.Verification(); !c.OK || c.Note != StandInNote || c.RelErr != rep.RelErr {
		t.Fatalf("Verification = %+v", c)
	}
	f = builtin.Sum.Of(C)
	rep, _ = CheckGradient(f, ast.Ones(C.Shape), C, &ast.Program{Root: f, Vars: []*ast.Node{C}}, Options{})
	if c := rep.Verification(); !c.OK || c.Note != "" {
		t.Fatalf("Verification = %+v", c)
	}
}

func TestFDGradient(t *testing.T) {
	env := fixedEnv()
	// f = xᵀ A x: G = (A + Aᵀ) x = [2·1 + 5·2, 5·1 + 8·2] = [12, 21].
	f := ast.Mul(ast.Transpose(symX), symA, symX)
	g, err := FDGradient(f, symX, env)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []float64{12, 21} {
		if math.Abs(g.At(i, 0)-want) > 1e-9 {
			t.Errorf("G[%d] = %v, want %v", i, g.At(i, 0), want)
		}
	}
	// f = tr(A S) with S symmetric: G = Aᵀ; on symmetric S it is (A + Aᵀ)/2.
	S := ast.Var("S", ast.Mat(n2, n2), ast.Symmetric)
	env.Vals["S"] = mat.NewDense(2, 2, []float64{1, 2, 2, 5})
	g, err = FDGradient(builtin.Trace.Of(ast.Mul(symA, S)), S, env)
	if err != nil {
		t.Fatal(err)
	}
	want := mat.NewDense(2, 2, []float64{1, 2.5, 2.5, 4})
	if !mat.EqualApprox(g, want, 1e-9) {
		t.Errorf("symmetric G = %v, want %v", mat.Formatted(g), mat.Formatted(want))
	}
	// A non-finite f is an error.
	_, err = FDGradient(builtin.Sum.Of(builtin.Log.Of(symY)), symY, env)
	if !errors.Is(err, ErrNotFinite) {
		t.Errorf("log of a negative entry: %v, want ErrNotFinite", err)
	}
}

// TestDirectionalAccuracy checks the claim behind DefaultTol: on smooth
// functions the extrapolated five-point difference is accurate to 1e-9.
func TestDirectionalAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := ast.Var("x", ast.Vec(dn), 0)
	f := builtin.Sum.Of(builtin.Sin.Of(builtin.Exp.Of(x)))
	prog := &ast.Program{Root: f, Vars: []*ast.Node{x}}
	worst := 0.0
	for k := 0; k < 50; k++ {
		env := RandomEnv(rng, prog, nil)
		dir := RandomDirection(rng, x, env)
		est, err := directional(f, env, "x", dir, DefaultTol, 0)
		if err != nil {
			t.Fatal(err)
		}
		// d/dt Σ sin(exp(x + tΔ)) = Σ cos(exp x)·exp x·Δ.
		want := 0.0
		xv := env.Vals["x"]
		for i := 0; i < xv.RawMatrix().Rows; i++ {
			e := math.Exp(xv.At(i, 0))
			want += math.Cos(e) * e * dir.At(i, 0)
		}
		rel := math.Abs(est.d.At(0, 0)-want) / math.Max(math.Abs(want), 1)
		worst = math.Max(worst, rel)
	}
	if worst > 1e-9 {
		t.Fatalf("worst relative error %.3g, want ≤ 1e-9", worst)
	}
	t.Logf("worst relative error %.2g", worst)
}

// TestCheckManySeeds runs every case on many seeds: right answers must
// always pass and wrong ones always fail, whatever the inputs.
func TestCheckManySeeds(t *testing.T) {
	seeds := uint64(60)
	if testing.Short() {
		seeds = 5
	}
	worstRight, leastWrong := 0.0, math.Inf(1)
	for seed := uint64(100); seed < 100+seeds; seed++ {
		opts := Options{Seed: seed}
		for _, c := range gradientCases() {
			for _, compare := range []bool{false, true} {
				check := func(g *ast.Node) (Report, error) {
					if compare {
						return CompareGradient(g, c.f, c.wrt, c.prog(), opts)
					}
					return CheckGradient(c.f, g, c.wrt, c.prog(), opts)
				}
				rep, err := check(c.right)
				if err != nil || !rep.OK {
					t.Errorf("seed %d, %s (compare %v): right gradient: %v, relerr %.3g", seed, c.name, compare, err, rep.RelErr)
				}
				worstRight = math.Max(worstRight, rep.RelErr)
				for name, w := range c.wrong {
					rep, err := check(w)
					if err != nil || rep.OK || rep.RelErr < c.wrongMin() {
						t.Errorf("seed %d, %s (compare %v): wrong gradient %s: %v, relerr %.3g", seed, c.name, compare, name, err, rep.RelErr)
					}
					leastWrong = math.Min(leastWrong, rep.RelErr/c.wrongMin())
				}
			}
		}
		for _, c := range differentialCases() {
			rep, err := CheckDifferential(c.f, c.right, c.wrt, c.prog(), opts)
			if err != nil || !rep.OK {
				t.Errorf("seed %d, %s: right differential: %v, relerr %.3g", seed, c.name, err, rep.RelErr)
			}
			worstRight = math.Max(worstRight, rep.RelErr)
			for name, w := range c.wrong {
				rep, err := CheckDifferential(c.f, w, c.wrt, c.prog(), opts)
				if err != nil || rep.OK || rep.RelErr < c.wrongMin() {
					t.Errorf("seed %d, %s: wrong differential %s: %v, relerr %.3g", seed, c.name, name, err, rep.RelErr)
				}
				leastWrong = math.Min(leastWrong, rep.RelErr/c.wrongMin())
			}
		}
	}
	t.Logf("worst right relerr %.2g; least wrong relerr %.2g × its minimum", worstRight, leastWrong)
}

// TestTooLargeAsWalked: the session's tooLarge, which asks the union plan
// first, returns what a walk over every node of exprs returns — the error
// of the first node too large, or nil — also where the union holds a node
// too large that exprs lack, and where exprs hold one the union lacks.
func TestTooLargeAsWalked(t *testing.T) {
	big := ast.Var("B", ast.Mat("m", "n"), 0) // 2 000 × 1 000 at the sizes below
	x := ast.Var("x", ast.Vec("n"), 0)
	tall := ast.Mul(big, x) // 2 000 × 1
	prod := ast.Mul(ast.Transpose(big), big)
	sizes := map[ast.Dim]int{"m": 2000, "n": 1000}
	for i, c := range []struct{ roots, exprs []*ast.Node }{
		{[]*ast.Node{tall}, []*ast.Node{tall}},
		{[]*ast.Node{tall, prod}, []*ast.Node{tall}},
		{[]*ast.Node{tall}, []*ast.Node{tall, prod}},
		{[]*ast.Node{x}, []*ast.Node{x, nil}},
		{[]*ast.Node{prod, x}, []*ast.Node{prod, x}},
	} {
		for _, at := range []map[ast.Dim]int{sizes, {"m": 3, "n": 4}, nil} {
			s := newSession(c.roots...)
			got := s.tooLarge(nil, at, c.exprs)
			want := tooLarge(assignSizes(s.draws.dims, at), c.exprs)
			if errText(got) != errText(want) {
				t.Errorf("case %d at %v: %v, want %v", i, at, got, want)
			}
			if i == 0 && at != nil && at["m"] == 2000 && got == nil {
				t.Errorf("case %d: B·x of 2 000 × 1 with B 2 000 × 1 000 passed", i)
			}
		}
	}
}
