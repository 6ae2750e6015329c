package numeric

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/mat"

	"github.com/mdiff/mdiff/ast"
)

// MaxCond is the largest 2-norm condition number a check accepts in a
// matrix that the expressions it compares invert (inv, a negative matrix
// power) or take the determinant or log-determinant of. Evaluating A⁻¹ loses
// about log₁₀ κ(A) digits, and so does a derivative such as
// det(A)·A⁻ᵀ; finite differences through A⁻¹ lose more (the step has to
// shrink by κ). At κ ≤ 10⁴ both keep ten digits, far more than the
// tolerance needs. A draw with a larger condition number (X ᵀ·A·X of a
// wide X, which is singular) is redrawn, and then the sizes are changed;
// N(0, 1) matrices exceed it with probability about n·10⁻⁴.
const MaxCond = 1e4

// Errors of the screen a draw passes before it is compared.
var (
	// ErrIllConditioned is wrapped when a matrix the expressions invert, or
	// take a determinant of, has a condition number above MaxCond at the
	// draw.
	ErrIllConditioned = errors.New("ill-conditioned")
	// ErrOutOfRange is wrapped when an elementwise power or exp under- or
	// overflows at the draw (X∘^1e308 is 0 or ∞ at every input), so that
	// the values compared no longer carry the function.
	ErrOutOfRange = errors.New("out of floating-point range")
	// errDegenerate marks a draw where both sides of a comparison are
	// exactly zero although the symbolic side is not the literal 0:
	// nothing was compared (relu below its kink, an underflow).
	errDegenerate = errors.New("both sides are exactly zero")
)

// RejectedDraw is the error of a draw that was not compared because a
// value it needs is ill-conditioned or out of range. It wraps
// ErrIllConditioned or ErrOutOfRange.
type RejectedDraw struct {
	// Node is the argument whose condition number is too large, or the
	// power or exp that under- or overflowed.
	Node *ast.Node
	// Op is what needs Node well conditioned ("the inverse", "the
	// determinant", …), empty for a range error.
	Op string
	// Cond is the condition number of Node (ill-conditioned only).
	Cond float64
	// Value and At are the out-of-range value and the entry it came from.
	Value, At float64
	// Eval is set when evaluating Node itself is ill-conditioned (Cond is
	// then its relative condition number, above MaxEvalCond); What names
	// Node ("f", "the gradient", …).
	Eval bool
	What string
	kind error
}

func (e *RejectedDraw) Error() string {
	if e.Eval {
		return fmt.Sprintf("numeric: evaluating %s at the draw has relative condition number %.2g (more than %.0g): %v", e.What, e.Cond, MaxEvalCond, e.kind)
	}
	if e.kind == ErrOutOfRange {
		return fmt.Sprintf("numeric: %s is %g at an entry %g: %v", describe(e.Node), e.Value, e.At, e.kind)
	}
	return fmt.Sprintf("numeric: %s of %s has condition number %.2g (more than %.0g): %v", e.Op, describe(e.Node), e.Cond, MaxCond, e.kind)
}

func (e *RejectedDraw) Unwrap() error { return e.kind }

// screen evaluates, at env, the arguments of every inverse, negative matrix
// power, determinant and log-determinant in exprs and returns the largest
// condition number among them (1 when there are none). A condition number
// above MaxCond is a *RejectedDraw wrapping ErrIllConditioned; an
// elementwise power or exp whose value under- or overflows at a finite,
// nonzero argument is a *RejectedDraw wrapping ErrOutOfRange. Errors of
// Eval (ErrSingular) and a non-finite argument (ErrNotFinite) are returned
// as they are: the caller redraws on them too.
func screen(exprs []*ast.Node, env *Env) (float64, error) {
	worst := 1.0
	seen := map[*ast.Node]bool{}
	var err error
	for _, e := range exprs {
		if e == nil || err != nil {
			continue
		}
		ast.Walk(e, func(n *ast.Node) {
			if err != nil || seen[n] {
				return
			}
			seen[n] = true
			switch {
			case n.Kind == ast.KInverse, n.Kind == ast.KDet, n.Kind == ast.KLogdet,
				n.Kind == ast.KMatPow && n.K < 0:
				var k float64
				k, err = condOf(n.Args[0], env)
				if err == nil && !(k <= MaxCond) {
					err = &RejectedDraw{Node: n.Args[0], Op: opWord(n), Cond: k, kind: ErrIllConditioned}
				}
				if err == nil && k > worst {
					worst = k
				}
			case n.Kind == ast.KPow:
				err = powInRange(n, env)
			case n.Kind == ast.KApply && n.Name == "exp" && n.K == 0:
				err = expInRange(n, env)
			}
		})
	}
	return worst, err
}

// opWord names the operation of n that needs a well-conditioned argument.
func opWord(n *ast.Node) string {
	switch n.Kind {
	case ast.KInverse:
		return "the inverse"
	case ast.KDet:
		return "the determinant"
	case ast.KLogdet:
		return "the log-determinant"
	}
	return fmt.Sprintf("the power %d", n.K)
}

// condOf returns the 2-norm condition number of the value of the square a
// (+Inf when it is singular); 1×1 values count as 1 unless zero.
func condOf(a *ast.Node, env *Env) (float64, error) {
	v, err := Eval(a, env)
	if err != nil {
		return 0, err
	}
	if !Finite(v) {
		return 0, fmt.Errorf("numeric: %s is %w", describe(a), ErrNotFinite)
	}
	r, c := v.Dims()
	if r != c {
		return 0, fmt.Errorf("numeric: %s is %d×%d, not square", describe(a), r, c)
	}
	if r == 1 {
		if v.At(0, 0) == 0 {
			return math.Inf(1), nil
		}
		return 1, nil
	}
	return mat.Cond(v, 2), nil
}

// powInRange reports ErrOutOfRange when a∘^p under- or overflows at an
// entry where a is finite and nonzero.
func powInRange(n *ast.Node, env *Env) error {
	base, err := Eval(n.Args[0], env)
	if err != nil {
		return err
	}
	pv, err := Eval(n.Args[1], env)
	if err != nil {
		return err
	}
	if r, c := pv.Dims(); r != 1 || c != 1 {
		return nil
	}
	p := pv.At(0, 0)
	return inRange(n, base, func(x float64) float64 { return math.Pow(x, p) })
}

// expInRange reports ErrOutOfRange when exp under- or overflows.
func expInRange(n *ast.Node, env *Env) error {
	a, err := Eval(n.Args[0], env)
	if err != nil {
		return err
	}
	return inRange(n, a, math.Exp)
}

// inRange checks that f(x), for every finite nonzero entry x of a, is
// neither 0, subnormal, nor infinite.
func inRange(n *ast.Node, a *mat.Dense, f func(float64) float64) error {
	r, c := a.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			x := a.At(i, j)
			if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
				continue
			}
			if y := math.Abs(f(x)); y < minNormal || math.IsInf(y, 0) {
				return &RejectedDraw{Node: n, Value: f(x), At: x, kind: ErrOutOfRange}
			}
		}
	}
	return nil
}

// minNormal is the smallest positive normal float64, 2⁻¹⁰²².
const minNormal = 0x1p-1022

// isLiteralZero reports whether n is zero by its structure: the number 0, a
// zero matrix, a product with such a factor, a sum or transpose of such. It
// is the one kind of symbolic value whose agreement with exactly zero finite
// differences compares something (f does not depend on the variable).
func isLiteralZero(n *ast.Node) bool {
	if n == nil {
		return false
	}
	switch n.Kind {
	case ast.KZero:
		return true
	case ast.KNum:
		return n.IsNum(0)
	case ast.KMul, ast.KHadamard, ast.KKron:
		for _, a := range n.Args {
			if isLiteralZero(a) {
				return true
			}
		}
	case ast.KAdd:
		for _, a := range n.Args {
			if !isLiteralZero(a) {
				return false
			}
		}
		return len(n.Args) > 0
	case ast.KTranspose:
		return isLiteralZero(n.Args[0])
	}
	return false
}

// MaxEvalCond is the largest relative condition number of evaluating a
// compared expression at a draw that a check accepts. An expression whose
// value is a small difference of large terms — the Hessian of a saturated
// softmax, e.g. 10⁻¹⁴ left of terms of size 1 — is computed with a relative
// rounding error of about κ·ε, and finite differences of it see that
// rounding as signal; at κ ≤ 10⁴ both keep about eleven digits, and the
// noise estimate of the differences (which scales with the value, not the
// terms) holds. A draw with a larger κ is redrawn.
const MaxEvalCond = 1e4

// evalPerturbation is the relative perturbation of the inputs by which
// evalCond measures the condition of an evaluation: large against rounding
// (so that rounding does not mask it), small against the scale on which
// smooth functions vary.
const evalPerturbation = 1e-9

// perturbSeed seeds the perturbations of evalCond; they are drawn from
// their own stream, so that measuring the condition does not change the
// draws of a check.
const perturbSeed = 0x636f6e64 // "cond"

// evalConditioned evaluates n at env and returns its value when it is
// finite and its evaluation well conditioned: moving every input entry x
// (variables and directions) to x·(1 + δ·r), r uniform in [−1, 1] and
// symmetric where the value is, δ = 10⁻⁹, changes the value by at most
// MaxEvalCond·δ relatively, at each of two such perturbations.
// Multiplicative perturbations keep the declarations: zeros, signs,
// symmetry, definiteness; values that are all integers are left alone.
// A larger change is a *RejectedDraw wrapping ErrIllConditioned; a value
// that is not finite wraps ErrNotFinite.
func evalConditioned(n *ast.Node, env *Env, what string) (*mat.Dense, error) {
	v, err := evalFinite(n, env, what)
	if err != nil {
		return nil, err
	}
	k, err := evalCond(n, v, env)
	if err != nil {
		return nil, err
	}
	if !(k <= MaxEvalCond) {
		return nil, &RejectedDraw{Node: n, Cond: k, Eval: true, What: what, kind: ErrIllConditioned}
	}
	return v, nil
}

// evalCond returns max over two perturbations of the inputs (see
// evalConditioned) of (‖n(X′) − n(X)‖_F / ‖n(X)‖_F) / δ, where v is n(X):
// 0 for a value that is exactly zero and stays so, +Inf for one that
// does not.
func evalCond(n *ast.Node, v *mat.Dense, env *Env) (float64, error) {
	rng := rand.New(rand.NewPCG(perturbSeed, 0))
	base := frobenius(v)
	worst := 0.0
	for range 2 {
		pe := &Env{Sizes: env.Sizes, Vals: perturbAll(rng, env.Vals), Deltas: perturbAll(rng, env.Deltas), Funcs: env.Funcs}
		w, err := Eval(n, pe)
		if err != nil {
			return 0, err
		}
		if !Finite(w) {
			return math.Inf(1), nil
		}
		var d mat.Dense
		d.Sub(w, v)
		change := frobenius(&d)
		switch {
		case change == 0:
		case base == 0:
			return math.Inf(1), nil
		default:
			worst = math.Max(worst, change/base/evalPerturbation)
		}
	}
	return worst, nil
}

// perturbAll returns the values of m, each perturbed as evalConditioned
// describes; names are visited in sorted order, so the result depends only
// on rng and m.
func perturbAll(rng *rand.Rand, m map[string]*mat.Dense) map[string]*mat.Dense {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make(map[string]*mat.Dense, len(m))
	for _, k := range names {
		out[k] = perturb(rng, m[k])
	}
	return out
}

// perturb returns x ⊙ (1 + δ·R), R uniform in [−1, 1], symmetric when x
// is; x itself when all its entries are integers (an integer variable).
func perturb(rng *rand.Rand, x *mat.Dense) *mat.Dense {
	if x == nil {
		return nil
	}
	r, c := x.Dims()
	integers := true
	for i := 0; i < r && integers; i++ {
		for j := 0; j < c; j++ {
			if v := x.At(i, j); v != math.Trunc(v) {
				integers = false
				break
			}
		}
	}
	if integers {
		return x
	}
	sym := r == c && mat.Equal(x, x.T())
	out := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if sym && j < i {
				continue
			}
			v := x.At(i, j) * (1 + evalPerturbation*(2*rng.Float64()-1))
			out.Set(i, j, v)
			if sym {
				out.Set(j, i, v)
			}
		}
	}
	return out
}
