package numeric

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
	"github.com/mdiff/mdiff/internal/dense"
)

// MaxCond is the largest 2-norm condition number (cond2) a check accepts in a
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
	// zero up to their rounding uncertainty although the symbolic side is
	// not structurally 0: nothing was compared (relu below its kink).
	errDegenerate = errors.New("both sides are zero up to their rounding")
	// errSwamped marks a degenerate draw whose symbolic side is not zero
	// by its own rounding, only within the far larger noise of the other
	// side (X⁻¹ + 7²⁰, whose finite differences are 0: the constant
	// takes every digit): it is redrawn like errDegenerate, but never
	// counts towards agreement on zeros.
	errSwamped = fmt.Errorf("%w (the symbolic side is not zero, only within the other side's noise)", errDegenerate)
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
	// Value and At are the out-of-range value and the entry it came from;
	// At is the argument of a saturated function.
	Value, At float64
	// Saturated is set for tanh, sigmoid, softmax or logsumexp (Node)
	// saturated at the entry At.
	Saturated bool
	// Oscillating is set for sin, cos or tan (Node) whose argument has the
	// entry At, beyond the function's Oscillation bound.
	Oscillating bool
	kind        error
}

func (e *RejectedDraw) Error() string {
	if e.Saturated {
		return fmt.Sprintf("numeric: %s is saturated at an entry %g: its derivative keeps fewer than seven digits: %v", describe(e.Node), e.At, e.kind)
	}
	if e.Oscillating {
		return fmt.Sprintf("numeric: %s has an argument %g, where it oscillates faster than finite differences resolve: %v", describe(e.Node), e.At, e.kind)
	}
	if e.kind == ErrOutOfRange {
		return fmt.Sprintf("numeric: %s is %g at an entry %g: %v", describe(e.Node), e.Value, e.At, e.kind)
	}
	return fmt.Sprintf("numeric: %s of %s has condition number %.2g (more than %.0g): %v", e.Op, describe(e.Node), e.Cond, MaxCond, e.kind)
}

func (e *RejectedDraw) Unwrap() error { return e.kind }

// screen evaluates, at env, the arguments of every inverse (a negative
// matrix power is a power of one), determinant and log-determinant in exprs
// and returns the largest condition number among them (1 when there are
// none); tanh, sigmoid, softmax and logsumexp of something that depends on
// wrt (nil: nothing) must not be saturated (see unsaturated), a
// *RejectedDraw wrapping ErrIllConditioned otherwise, returned only when
// no other screen rejects the draw (run compares at such a draw all the
// same, and keeps an agreement). A condition number
// above MaxCond is a *RejectedDraw wrapping ErrIllConditioned; an
// elementwise power or exp whose value under- or overflows at a finite,
// nonzero argument is a *RejectedDraw wrapping ErrOutOfRange. Errors of
// Eval (ErrSingular) and a non-finite argument (ErrNotFinite) are returned
// as they are: the caller redraws on them too.
func screen(exprs []*ast.Node, wrt *ast.Node, env *Env) (float64, error) {
	p := newPlan(exprs...)
	return newScreenPlan(p, allPositions(p), wrt, differenced(p, exprs)).screen(env, nil)
}

// differenced marks the positions in p of the nodes of exprs[0], the
// expression a check takes finite differences of: only there does a
// saturated or fast-oscillating function lose the digits the differences
// need. Elsewhere (the candidate derivative) it is only evaluated, to full
// precision: the gradient sigmoid(t³) of softplus(t³) at t ≥ 5 is 1
// to the last digit.
func differenced(p *plan, exprs []*ast.Node) []bool {
	in := make([]bool, len(p.nodes))
	if len(exprs) > 0 {
		p.walk(exprs[:1], func(_ *ast.Node, at int32) { in[at] = true })
	}
	return in
}

// allPositions returns the positions of p's nodes, in order.
func allPositions(p *plan) []int32 {
	order := make([]int32, len(p.nodes))
	for i := range order {
		order[i] = int32(i)
	}
	return order
}

// screen is screen through the session's screenPlan, which it builds for
// exprs and wrt at its first draw: a check screens the same expressions
// every time. When the union plan holds exprs, the screen evaluates by
// it, in the order newPlan(exprs...) would list their nodes (plan.walk):
// a value, and the first error in that order, are the same in any plan
// that holds the node (see evaluator.value).
func (s *session) screen(exprs []*ast.Node, wrt *ast.Node, env *Env) (float64, error) {
	if s.screens == nil {
		if s.union.holds(exprs) {
			var order []int32
			s.union.walk(exprs, func(_ *ast.Node, at int32) { order = append(order, at) })
			s.screens = newScreenPlan(s.union, order, wrt, differenced(s.union, exprs))
		} else {
			p := newPlan(exprs...)
			s.screens = newScreenPlan(p, allPositions(p), wrt, differenced(p, exprs))
		}
	}
	return s.screens.screen(env, &s.ar)
}

// screenPlan is what screen derives from the expressions alone, once per
// check: the nodes it screens, in the order it screens them (that of
// ast.Walk over each expression in turn, each node once: the plan's), and
// the plan of the expressions, by which their values are computed.
type screenPlan struct {
	steps []screenStep
	plan  *plan // of exprs
}

// screenStep is one node screen looks at, and what it checks there.
type screenStep struct {
	n    *ast.Node
	kind screenKind
}

type screenKind uint8

const (
	screenCond      screenKind = iota // an inverse or determinant: its argument well conditioned
	screenSaturate                    // a saturating function of wrt: not saturated
	screenPow                         // an elementwise power: in range
	screenRange                       // a range-checked function (exp): in range
	screenOscillate                   // a periodic function of wrt (sin, cos, tan, a generic g): a moderate argument
	screenMatPow                      // a high matrix power: a value of moderate magnitude
)

// newScreenPlan lists the nodes at the positions order of p, operands
// before their users, that screen looks at, for the variable wrt (nil:
// none), in that order (that of a post-order walk over each expression in
// turn, each node once). Saturation and oscillation are screened only at
// the positions diffed marks (see differenced).
func newScreenPlan(p *plan, order []int32, wrt *ast.Node, diffed []bool) *screenPlan {
	sp := &screenPlan{plan: p}
	dep := make([]bool, len(p.nodes)) // the node at i depends on wrt
	for _, i := range order {
		n := p.nodes[i]
		d := wrt != nil && (n == wrt || n.Kind == ast.KDelta && n.Name == wrt.Name)
		for _, a := range p.operands(i) {
			d = d || dep[a]
		}
		dep[i] = d
		switch {
		case n.Kind == ast.KInverse, factorises(n):
			sp.steps = append(sp.steps, screenStep{n, screenCond})
		case d && diffed[i] && n.Kind == ast.KCall && (n.Op.Saturation > 0 || n.Op.SaturatesLikeSoftmax):
			sp.steps = append(sp.steps, screenStep{n, screenSaturate})
		case d && diffed[i] && (n.Kind == ast.KCall && n.Op.Oscillation > 0 || n.Kind == ast.KApply):
			sp.steps = append(sp.steps, screenStep{n, screenOscillate})
		case n.Kind == ast.KPow:
			sp.steps = append(sp.steps, screenStep{n, screenPow})
		case n.Kind == ast.KMatPow && (n.K > 4 || n.K < -4):
			sp.steps = append(sp.steps, screenStep{n, screenMatPow})
		case n.Kind == ast.KCall && n.Op.RangeChecked:
			sp.steps = append(sp.steps, screenStep{n, screenRange})
		}
	}
	return sp
}

// screen is screen of the plan's expressions at env, their values taken
// from ar (nil: an arena of its own).
func (sp *screenPlan) screen(env *Env, ar *arena) (float64, error) {
	worst := 1.0
	if len(sp.steps) == 0 {
		return worst, nil
	}
	ev := newEvaluator(sp.plan, env) // every value below is computed once
	if ar != nil {
		ev.ar = ar
	}
	var sat error // the first saturation, returned when nothing else rejects the draw
	for _, st := range sp.steps {
		n := st.n
		var err error
		switch st.kind {
		case screenCond:
			if exactZero(n, ev) {
				break // det(0) = 0 exactly: there is no rounding to condition
			}
			var k float64
			k, err = condOf(n.Args[0], ev)
			if err == nil && !(k <= MaxCond) {
				err = &RejectedDraw{Node: n.Args[0], Op: opWord(n), Cond: k, kind: ErrIllConditioned}
			}
			if err == nil && k > worst {
				worst = k
			}
		case screenSaturate:
			if e := unsaturated(n, ev); e != nil && sat == nil {
				sat = e
			}
		case screenPow:
			err = powInRange(n, ev)
		case screenRange:
			err = rangeOf(n, ev)
		case screenMatPow:
			err = matPowInRange(n, ev)
		case screenOscillate:
			bound := standInOscillation // the stand-in of a generic g holds sin(t)
			if n.Kind == ast.KCall {
				bound = n.Op.Oscillation
			}
			err = slowEnough(n, bound, ev)
		}
		if err != nil {
			return worst, err
		}
	}
	return worst, sat
}

// exactZero reports whether n is an operation that is 0 at 0 (det) whose
// operand's value is exactly the zero matrix (det(M − M)).
func exactZero(n *ast.Node, ev *evaluator) bool {
	if n.Kind != ast.KCall || !n.Op.ZeroAtZero {
		return false
	}
	v, err := ev.value(n.Args[0])
	return err == nil && dense.MaxAbs(v) == 0
}

// opWord names the operation of n that needs a well-conditioned argument.
func opWord(n *ast.Node) string {
	if n.Kind == ast.KInverse {
		return "the inverse"
	}
	if n.Kind == ast.KCall {
		return n.Op.Name
	}
	return n.Kind.String()
}

// factorises reports whether n is a built-in operation that factorises its
// square operand: not linear, from a square matrix to a scalar (det,
// logdet; tr is linear).
func factorises(n *ast.Node) bool {
	return n.Kind == ast.KCall && n.Op.Shape == ast.SquareScalar && !n.Op.Linear
}

// condOf returns the 2-norm condition number (cond2) of the value of the square a
// (+Inf when it is singular); 1×1 values count as 1 unless zero.
func condOf(a *ast.Node, ev *evaluator) (float64, error) {
	v, err := ev.value(a)
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
	return cond2(v), nil
}

// cond2 is the 2-norm condition number σmax/σmin of the square v, +Inf
// when v is singular to working precision (σmin ≤ n·ε·σmax). The singular
// values come from one-sided Jacobi (Hestenes): plane rotations make the
// columns of a copy of v orthogonal, and their norms are then the singular
// values, to about ε relative to σmax. (Not mat.Cond: its SVD routines
// would be linked into the WebAssembly engine for this alone, 420 kB.)
func cond2(v *mat.Dense) float64 {
	n, _ := v.Dims()
	cols, entries := make([][]float64, n), make([]float64, n*n)
	for j := range cols {
		cols[j] = entries[j*n : (j+1)*n : (j+1)*n]
		for i := range n {
			cols[j][i] = v.At(i, j)
		}
	}
	dot := func(a, b []float64) float64 {
		s := 0.0
		for k := range a {
			s += a[k] * b[k]
		}
		return s
	}
	for sweep := 0; sweep < 100; sweep++ {
		rotated := false
		for p := 0; p < n-1; p++ {
			for q := p + 1; q < n; q++ {
				a, b, g := dot(cols[p], cols[p]), dot(cols[q], cols[q]), dot(cols[p], cols[q])
				if g == 0 || math.Abs(g) <= eps*math.Sqrt(a*b) {
					continue
				}
				rotated = true
				zeta := (b - a) / (2 * g)
				t := math.Copysign(1, zeta) / (math.Abs(zeta) + math.Sqrt(1+zeta*zeta))
				c := 1 / math.Sqrt(1+t*t)
				sn := c * t
				for k := range n {
					x, y := cols[p][k], cols[q][k]
					cols[p][k], cols[q][k] = c*x-sn*y, sn*x+c*y
				}
			}
		}
		if !rotated {
			break
		}
	}
	lo, hi := math.Inf(1), 0.0
	for _, col := range cols {
		s := math.Sqrt(dot(col, col))
		lo, hi = math.Min(lo, s), math.Max(hi, s)
	}
	if !(lo > float64(n)*eps*hi) {
		return math.Inf(1)
	}
	return hi / lo
}

// minSlope is the smallest derivative, relative to 1, at which the
// derivatives of tanh, sigmoid and softmax keep seven digits: 1 − tanh²,
// σ·(1 − σ) and s ⊙ (1 − s) are differences from 1, computed to ε/slope
// relatively, so below 10⁻⁹ they (and finite differences, which see the
// same rounding of tanh(a) next to 1) keep fewer digits than a check at
// tolerance 10⁻⁶ needs, with a margin of ten.
const minSlope = 1e-9

// unsaturated reports a *RejectedDraw wrapping ErrIllConditioned when the
// argument of tanh or sigmoid is beyond its saturation bound at some entry,
// or when the largest entry of softmax(x) (also the gradient of
// logsumexp(x)) is within minSlope of 1: their derivatives have lost the
// digits a check compares (tanh(16.8)² − 1 is 10⁻¹⁴ to ±10⁻¹⁶). Only
// functions of the variable are screened: sigmoid(27) is a constant.
func unsaturated(n *ast.Node, ev *evaluator) error {
	a, err := ev.value(n.Args[0])
	if err != nil {
		return err
	}
	r, c := a.Dims()
	if bound := n.Op.Saturation; bound > 0 {
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				x := a.At(i, j)
				if n.Op.SaturatesBothWays {
					x = math.Abs(x)
				}
				if x > bound {
					return &RejectedDraw{Node: n, Saturated: true, At: a.At(i, j), kind: ErrIllConditioned}
				}
			}
		}
		return nil
	}
	if r*c < 2 || !Finite(a) {
		return nil
	}
	s, err := builtin.Softmax.Eval([]*mat.Dense{a})
	if err != nil {
		return err
	}
	largest, at := 0.0, 0.0
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if s.At(i, j) > largest {
				largest, at = s.At(i, j), a.At(i, j)
			}
		}
	}
	if 1-largest < minSlope {
		return &RejectedDraw{Node: n, Saturated: true, At: at, kind: ErrIllConditioned}
	}
	return nil
}

// standInOscillation is the Oscillation bound of a generic function: its
// stand-in g(t) = sin(t) + t²/2 oscillates like sin.
const standInOscillation float64 = 100

// slowEnough rejects a draw where a periodic function of the variable
// (sin, cos, tan, a generic function's stand-in) has an argument beyond
// bound: there finite differences at a step of the inputs' scale span whole
// periods, so they estimate noise (cos(1/softplus(x)) at x = −14 has an argument of 10⁶).
func slowEnough(n *ast.Node, bound float64, ev *evaluator) error {
	a, err := ev.value(n.Args[0])
	if err != nil {
		return err
	}
	r, c := a.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if x := a.At(i, j); math.Abs(x) > bound {
				return &RejectedDraw{Node: n, Oscillating: true, At: x, kind: ErrIllConditioned}
			}
		}
	}
	return nil
}

// powInRange reports ErrOutOfRange when a∘^p is beyond 10^±150 (rangeLimit)
// at an entry where a is finite and nonzero. Integer exponents |p| ≤ 4 (the
// squares and cubes of every derivative of tanh, sigmoid, x∘³) are not
// evaluated: skipping them keeps the screen linear in deep expressions,
// where each such power would evaluate its whole operand (a base beyond
// 10^±37 takes them out of range unscreened).
func powInRange(n *ast.Node, ev *evaluator) error {
	pv, err := ev.value(n.Args[1])
	if err != nil {
		return err
	}
	if r, c := pv.Dims(); r != 1 || c != 1 {
		return nil
	}
	p := pv.At(0, 0)
	if p == math.Trunc(p) && math.Abs(p) <= 4 {
		return nil
	}
	base, err := ev.value(n.Args[0])
	if err != nil {
		return err
	}
	// Within 10^±150, not the whole range: the derivative of a power
	// divides by its square (y/(a^c)^d differentiates to …/((a^c)^d)²),
	// which underflows from 10⁻¹⁵⁴.
	return inRange(n, base, func(x float64) float64 { return math.Pow(x, p) }, 1/rangeLimit, rangeLimit)
}

// rangeOf reports ErrOutOfRange when a range-checked f (exp) under- or overflows.
func rangeOf(n *ast.Node, ev *evaluator) error {
	a, err := ev.value(n.Args[0])
	if err != nil {
		return err
	}
	return inRange(n, a, n.Op.Scalar, minNormal, math.MaxFloat64)
}

// rangeLimit bounds the entries of a high matrix power Aᵏ (|k| > 4) and
// the value of an elementwise power at a draw: beyond 10¹⁵⁰ (or below 10⁻¹⁵⁰, not zero), the products that
// compute it, grouped one way or another ((A⁶)⁶¹)⁵⁶ or (((A⁶)⁶¹)⁷)⁸),
// over- or underflow on the way, and two equal expressions evaluate apart.
const rangeLimit = 1e150

// matPowInRange reports ErrOutOfRange when a high matrix power's largest
// entry is beyond rangeLimit, or nonzero and below its inverse.
func matPowInRange(n *ast.Node, ev *evaluator) error {
	v, err := ev.value(n)
	if err != nil {
		return err
	}
	if m := dense.MaxAbs(v); m > rangeLimit || m != 0 && m < 1/rangeLimit {
		return &RejectedDraw{Node: n, Value: m, At: m, kind: ErrOutOfRange}
	}
	return nil
}

// inRange checks that |f(x)|, for every finite nonzero entry x of a, is
// within [lo, hi] and finite.
func inRange(n *ast.Node, a *mat.Dense, f func(float64) float64, lo, hi float64) error {
	r, c := a.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			x := a.At(i, j)
			if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
				continue
			}
			if y := math.Abs(f(x)); y < lo || y > hi || math.IsInf(y, 0) {
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
	case ast.KMul, ast.KHadamard:
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

// uncPerturbation is the relative perturbation of the inputs by which
// evalUnc measures the rounding error of an evaluation.
const uncPerturbation = 1e-8

// perturbSeed seeds the perturbations of evalUnc; they are drawn from their
// own stream, so that estimating the rounding does not change the draws of
// a check.
const perturbSeed = 0x636f6e64 // "cond"

// jitterSeed seeds the jitter of the perturbed evaluations (Env.jitter).
const jitterSeed = 0x6a697474 // "jitt"

// evalUnc evaluates n at env, requires a finite value (else an error
// wrapping ErrNotFinite), and estimates its absolute rounding error by a
// second difference across perturbed inputs: the largest
// ‖n(X₊) + n(X₋) − 2·n(X)‖_F over two draws of R, where X± = X ⊙ (1 ± δ·R)
// for every variable and direction, R uniform in [−1, 1] (symmetric where X
// is), δ = 10⁻⁸. Each input moves by millions of units in the last place —
// enough to change the rounding of intermediates up to 10⁶ times larger
// than the inputs — so the rounding errors of the three evaluations are
// independent and the second difference is of their size, however much of
// the value cancels (the Hessian of a saturated softmax: 10⁻¹³ left of
// terms of size 1). The true variation cancels to first order and leaves
// about δ²·κ²·‖n‖ for a value of condition κ: rounding level for κ ≤ 10,
// 10⁻¹⁰·‖n‖ at κ = 10³ — an overestimate, which only makes a check redraw
// more. Multiplicative perturbations keep the declarations — zeros, signs,
// symmetry, definiteness —; values that are all integers are left alone.
// The perturbed evaluations also jitter every computed value by a few
// units of rounding (Env.jitter), independently in the four: a rounding
// that perturbing the inputs cannot reach — 1 + x⁶ at x = 10⁻³ is 1
// exactly, at every nearby x — still shows in the difference.
func evalUnc(n *ast.Node, env *Env, what string) (*mat.Dense, float64, error) {
	v, u, _, err := newSession(n).evalUnc(n, env, what)
	return v, u, err
}

// evalUnc is evalUnc through the session's plan of n. It also returns the
// evaluation of n at env itself (complete when err is nil), the base of
// finite differences of n at env (session.at).
func (s *session) evalUnc(n *ast.Node, env *Env, what string) (*mat.Dense, float64, *evaluator, error) {
	v, base, err := s.evalFinite(n, env, what)
	if err != nil {
		return nil, 0, nil, err
	}
	pes := s.perturbedEnvs(env)
	worst := 0.0
	for round := range 2 {
		var sum mat.Dense
		for k, pe := range pes[2*round : 2*round+2] {
			w, _, err := s.eval(n, pe)
			if err != nil || !Finite(w) {
				// Finite at X but not 10⁻⁸ away: on the edge of the
				// domain, or singular there.
				return nil, 0, nil, fmt.Errorf("numeric: %s next to the input is %w", what, ErrNotFinite)
			}
			if k == 0 {
				sum.CloneFrom(w)
			} else {
				sum.Add(&sum, w)
			}
		}
		var twice mat.Dense
		twice.Scale(2, v)
		sum.Sub(&sum, &twice)
		worst = math.Max(worst, dense.Frobenius(&sum))
	}
	return v, worst, base, nil
}

// perturbed returns X₊ = X ⊙ (1 + δ·R) for each X of xs, in order, as
// evalUnc describes (perturb), and X₋ = 2X − X₊: [0] holds the X₊, [1]
// the X₋, all new matrices from ar (or X itself, see perturb; nil for a nil
// X). The result depends only on rng and xs.
func perturbed(rng *rand.Rand, xs []*mat.Dense, ar *arena) (pm [2][]*mat.Dense) {
	pm[0], pm[1] = make([]*mat.Dense, len(xs)), make([]*mat.Dense, len(xs))
	for k, x := range xs {
		if x == nil {
			continue
		}
		p := perturb(rng, x, ar)
		xr, pr := x.RawMatrix(), p.RawMatrix()
		m := ar.zeros(xr.Rows, xr.Cols)
		md := m.RawMatrix().Data // stride xr.Cols
		for i := 0; i < xr.Rows; i++ {
			row := md[i*xr.Cols : (i+1)*xr.Cols]
			xi := xr.Data[i*xr.Stride : i*xr.Stride+xr.Cols]
			for j, v := range pr.Data[i*pr.Stride : i*pr.Stride+pr.Cols] {
				// (2X) − X₊ rounded once, as mat.Dense's Scale then Sub.
				row[j] = float64(2*xi[j]) - v
			}
		}
		pm[0][k], pm[1][k] = p, m
	}
	return pm
}

// equalsTranspose reports whether the square x equals xᵀ entry by entry,
// as mat.Equal(x, x.T()) (without boxing the transpose).
func equalsTranspose(x *mat.Dense) bool {
	raw := x.RawMatrix()
	for i := 0; i < raw.Rows; i++ {
		for j := 0; j < raw.Cols; j++ {
			if raw.Data[i*raw.Stride+j] != raw.Data[j*raw.Stride+i] {
				return false
			}
		}
	}
	return true
}

// perturb returns x ⊙ (1 + δ·R), R uniform in [−1, 1], symmetric when x
// is, a new matrix from ar; x itself when all its entries are integers (an
// integer variable).
func perturb(rng *rand.Rand, x *mat.Dense, ar *arena) *mat.Dense {
	if x == nil {
		return nil
	}
	raw := x.RawMatrix()
	r, c := raw.Rows, raw.Cols
	integers := true
	for i := 0; i < r && integers; i++ {
		for _, v := range raw.Data[i*raw.Stride : i*raw.Stride+c] {
			if v != math.Trunc(v) {
				integers = false
				break
			}
		}
	}
	if integers {
		return x
	}
	sym := r == c && equalsTranspose(x)
	out := ar.zeros(r, c)
	od := out.RawMatrix().Data // stride c
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if sym && j < i {
				continue
			}
			v := raw.Data[i*raw.Stride+j] * (1 + uncPerturbation*(2*rng.Float64()-1))
			od[i*c+j] = v
			if sym {
				od[j*c+i] = v
			}
		}
	}
	return out
}
