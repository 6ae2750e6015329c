package numeric

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/mat"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/internal/dense"
)

// Defaults of Options.
const (
	// DefaultDraws is the number of random inputs a check compares on.
	DefaultDraws = 3
	// DefaultTol is the relative error a check accepts. The extrapolated
	// five-point differences reach 1e-9 or better on smooth functions at
	// well-conditioned inputs, so 1e-6 leaves three orders of magnitude for
	// harder inputs while any wrong derivative — a missing transpose, a
	// factor 2, a dropped term — is off by O(1).
	DefaultTol = 1e-6
	// maxAttempts bounds the draws tried for each comparison when inputs
	// have to be redrawn.
	maxAttempts = 20
	// wideAttempts more draws are made, in turn on domainWide, domainHuge
	// and domainTiny, when the last of the maxAttempts was rejected for a
	// saturated or fast-oscillating function: a draw there is screened
	// before the comparison, so a rejected one costs one evaluation.
	wideAttempts = 30
	// noiseFactor bounds the rounding error of an extrapolated estimate as
	// noiseFactor·ε·‖f‖/h: about 4 from the stencil weights times 16 for the
	// rounding error in evaluating f itself.
	noiseFactor = 64
	// maxUncertainty is the largest uncertainty, relative to the values
	// compared, at which a difference within the uncertainty counts as
	// agreement (see verdict): a wrong answer is off by O(1), so values
	// known to 1% still tell it from a right one.
	maxUncertainty = 1e-2
	// stencilNoise bounds the noise of an extrapolated estimate at step h as
	// stencilNoise·u/h for values of f that are uncertain by u each: the
	// weights 8, 8, 1, 1 over 12h, extrapolated as (16·D(h/2) − D(h))/15.
	stencilNoise = 4
	// baseStep is the step relative to the scale of the input, close to the
	// optimum ε^{1/5} ≈ 7e-4 of the five-point stencil.
	baseStep = 1e-3
	// shrinks is how many times the step is divided by 4 when the error
	// estimate is too large.
	shrinks = 4
	// minZeros is how many draws with both sides zero (up to rounding), and none
	// with a nonzero side, make a comparison count as made (see run).
	minZeros = 5
	// maxMismatches is how many differing entries a Report lists.
	maxMismatches = 5
	// seedStream is the second word of the PCG state; it only makes the
	// streams of mdiff differ from other users of the same seed.
	seedStream = 0x6d64696666 // "mdiff"
)

// Errors a check returns.
var (
	// ErrNotFinite is wrapped when f or a derivative is NaN or ±Inf at a
	// point the check needs.
	ErrNotFinite = errors.New("not finite")
	// ErrNoFiniteDraw is wrapped when no random input in maxAttempts
	// draws could be compared: finite values, matrices that are well
	// conditioned (MaxCond), values in floating-point range, reliable
	// finite differences, and not both sides zero up to rounding.
	ErrNoFiniteDraw = errors.New("numeric: no random input where the function and its derivative are finite, well conditioned and not both zero")
	// errUnreliable marks finite differences whose error estimate stayed
	// above the tolerance at every step (a kink inside the stencil, a nearly
	// singular matrix): the draw is redrawn.
	errUnreliable = errors.New("finite differences did not converge")
	// errUncertain marks a draw where the two sides differ by more than the
	// tolerance but less than their rounding uncertainty: redrawn.
	errUncertain = errors.New("the difference is within the rounding uncertainty")
)

// Options configure a check. The zero value means the defaults.
type Options struct {
	Seed  uint64          // seed of the random inputs; one seed, one result
	Draws int             // random inputs to compare on; ≤ 0 means DefaultDraws
	Tol   float64         // accepted relative error; ≤ 0 means DefaultTol
	Sizes map[ast.Dim]int // sizes to use; names it leaves open get RandomEnv's defaults
	// Gentle draws near-identity square matrices (I + 0.05·N(0, 1)), for
	// expressions such as (X⁻¹)²² whose finite differences at N(0, 1)
	// inputs lose too many digits.
	Gentle bool
}

func (o Options) withDefaults() Options {
	if o.Draws <= 0 {
		o.Draws = DefaultDraws
	}
	if o.Tol <= 0 || math.IsNaN(o.Tol) {
		o.Tol = DefaultTol
	}
	return o
}

// Mismatch is one entry (0-based) where a candidate gradient differs from the
// finite-difference gradient.
type Mismatch struct {
	Row, Col  int
	Got, Want float64
}

// Report is the outcome of a check.
type Report struct {
	// RelErr is the largest relative error ‖a − b‖_F / max(‖a‖_F, ‖b‖_F,
	// floor) over the draws compared, where a is the symbolic and b the
	// finite-difference value and floor is the rounding noise of the
	// differences divided by the tolerance (see verdict for when a draw
	// is compared at all).
	RelErr float64
	// OK reports whether RelErr ≤ Tol on every draw.
	OK bool
	// Draws is the number of draws compared (redrawn inputs not counted).
	Draws int
	// Zeros is how many of them were draws where both sides were zero up
	// to rounding at every input tried (see run): agreement, but of zeros.
	Zeros int
	// Mismatches lists up to 5 entries of a failing candidate gradient in
	// the worst draw, largest difference first (CompareGradient only).
	Mismatches []Mismatch
	// Env is the last environment used, or, when OK is false, the one of
	// the worst failing draw (where Mismatches were found).
	Env *Env
	// Cond is the largest condition number of a matrix that the compared
	// expressions invert or take a determinant of, over the draws compared
	// (1 when they invert nothing); when OK is false, that of the worst
	// failing draw.
	Cond float64
	// Rejected counts the draws that were redrawn: f or a derivative not
	// finite, a matrix too ill-conditioned (above MaxCond), a value out of
	// floating-point range, finite differences that did not converge, or
	// both sides zero up to rounding.
	Rejected int
}

// Verification returns the report as the ast.Verification of a Result; its
// Note is StandInNote when the check substituted StandIn for a generic
// function.
func (r Report) Verification() *ast.Verification {
	c := &ast.Verification{RelErr: r.RelErr, OK: r.OK}
	if r.Env != nil && len(r.Env.Funcs) > 0 {
		c.Note = StandInNote
	}
	return c
}

// CheckDifferential checks a differential: df, linear in
// ast.Delta(wrt.Name, wrt.Shape), must equal d/dt f(wrt + tΔ) at t = 0 for
// random inputs and a random direction Δ (symmetric for a symmetric wrt).
// f may have any shape; df has the same shape. Inputs are redrawn where f,
// f at the finite-difference points, or df is not finite or needs a
// singular inverse; if no draw works the error wraps ErrNoFiniteDraw.
func CheckDifferential(f, df, wrt *ast.Node, prog *ast.Program, opts Options) (Report, error) {
	if err := checkArgs(f, df, wrt); err != nil {
		return Report{}, err
	}
	if df.Shape != f.Shape {
		return Report{}, fmt.Errorf("numeric: differential of shape %v for f of shape %v", df.Shape, f.Shape)
	}
	opts = opts.withDefaults()
	return run(prog, opts, []*ast.Node{f, df, wrt}, wrt, []*ast.Node{f, df}, func(s *session, env *Env, rng *rand.Rand) (float64, []Mismatch, error) {
		dir, err := direction(rng, wrt, env)
		if err != nil {
			return 0, nil, err
		}
		env.Deltas[wrt.Name] = dir
		_, uf, base, err := s.evalUnc(f, env, "f")
		if err != nil {
			return 0, nil, err
		}
		a, ua, _, err := s.evalUnc(df, env, "the differential")
		if err != nil {
			return 0, nil, err
		}
		est, err := s.directional(f, env, base, wrt.Name, dir, opts.Tol, uf)
		if err != nil {
			return 0, nil, err
		}
		if !est.reliable {
			return 0, nil, errUnreliable
		}
		rel, err := verdict(df, a, est.d, ua, est.noise+est.errEst, est.noise/opts.Tol, opts.Tol)
		return rel, nil, err
	})
}

// CheckGradient checks a gradient g of the scalar f: ⟨Δ, g⟩ must equal
// d/dt f(wrt + tΔ) at t = 0 for random inputs and directions. For a
// symmetric wrt the directions are symmetric, so only the symmetric part of
// g is checked (CompareGradient checks g entrywise against (G + Gᵀ)/2).
// Redrawing is as for CheckDifferential.
func CheckGradient(f, g, wrt *ast.Node, prog *ast.Program, opts Options) (Report, error) {
	if err := checkGradArgs(f, g, wrt); err != nil {
		return Report{}, err
	}
	opts = opts.withDefaults()
	// The compared value is ⟨Δ, G⟩, whose rounding is not that of G
	// (checkGradArgs made sure that G has the shape of Δ).
	inner := ast.Inner(ast.Delta(wrt.Name, wrt.Shape), g)
	return run(prog, opts, []*ast.Node{f, g, wrt}, wrt, []*ast.Node{f, inner}, func(s *session, env *Env, rng *rand.Rand) (float64, []Mismatch, error) {
		dir, err := direction(rng, wrt, env)
		if err != nil {
			return 0, nil, err
		}
		env.Deltas[wrt.Name] = dir
		_, uf, base, err := s.evalUnc(f, env, "f")
		if err != nil {
			return 0, nil, err
		}
		a, ua, _, err := s.evalUnc(inner, env, "⟨Δ, the gradient⟩")
		if err != nil {
			return 0, nil, err
		}
		est, err := s.directional(f, env, base, wrt.Name, dir, opts.Tol, uf)
		if err != nil {
			return 0, nil, err
		}
		if !est.reliable {
			return 0, nil, errUnreliable
		}
		rel, err := verdict(g, a, est.d, ua, est.noise+est.errEst, est.noise/opts.Tol, opts.Tol)
		return rel, nil, err
	})
}

// CompareGradient compares a candidate gradient of the scalar f with the
// finite-difference gradient FDGradient entry by entry — for a symmetric
// wrt with (G + Gᵀ)/2, the gradient on the symmetric matrices (SPEC.md
// §1) — and, when they differ, lists up to 5 differing entries.
func CompareGradient(candidate, f, wrt *ast.Node, prog *ast.Program, opts Options) (Report, error) {
	if err := checkGradArgs(f, candidate, wrt); err != nil {
		return Report{}, err
	}
	opts = opts.withDefaults()
	return run(prog, opts, []*ast.Node{f, candidate, wrt}, wrt, []*ast.Node{f, candidate}, func(s *session, env *Env, _ *rand.Rand) (float64, []Mismatch, error) {
		_, uf, base, err := s.evalUnc(f, env, "f")
		if err != nil {
			return 0, nil, err
		}
		got, ua, _, err := s.evalUnc(candidate, env, "the candidate gradient")
		if err != nil {
			return 0, nil, err
		}
		want, noise, errEst, reliable, err := s.fdGradient(f, wrt, env, base, opts.Tol, uf)
		if err != nil {
			return 0, nil, err
		}
		if !reliable {
			return 0, nil, errUnreliable
		}
		floor := noise / opts.Tol
		rel, err := verdict(candidate, got, want, ua, noise+errEst, floor, opts.Tol)
		if err != nil || rel <= opts.Tol {
			return rel, nil, err
		}
		den := math.Max(math.Max(dense.Frobenius(got), dense.Frobenius(want)), floor)
		return rel, mismatches(got, want, opts.Tol*den), nil
	})
}

// CheckKronecker checks a Kronecker form K of a linear map: vec(df[Δ]) must
// equal K·vec(Δ) (column-major vec) for random inputs and directions of wrt.
// df itself is checked against finite differences by CheckDifferential.
// Inputs are redrawn as for CheckDifferential.
func CheckKronecker(k, df, wrt *ast.Node, prog *ast.Program, opts Options) (Report, error) {
	if err := checkArgs(k, df, wrt); err != nil {
		return Report{}, err
	}
	opts = opts.withDefaults()
	return run(prog, opts, []*ast.Node{k, df, wrt}, wrt, []*ast.Node{k, df}, func(s *session, env *Env, rng *rand.Rand) (float64, []Mismatch, error) {
		dir, err := direction(rng, wrt, env)
		if err != nil {
			return 0, nil, err
		}
		env.Deltas[wrt.Name] = dir
		km, uk, _, err := s.evalUnc(k, env, "the Kronecker form")
		if err != nil {
			return 0, nil, err
		}
		dm, ud, _, err := s.evalUnc(df, env, "the differential")
		if err != nil {
			return 0, nil, err
		}
		v := Vec(dir)
		if kr, kc := km.Dims(); kc != v.RawMatrix().Rows || kr != dm.RawMatrix().Rows*dm.RawMatrix().Cols {
			return 0, nil, fmt.Errorf("numeric: Kronecker form is %d×%d for vec(Δ) of length %d and vec(df) of length %d", kr, kc, v.RawMatrix().Rows, dm.RawMatrix().Rows*dm.RawMatrix().Cols)
		}
		var got mat.Dense
		got.Mul(km, v)
		rel, err := verdict(k, &got, Vec(dm), uk*dense.Frobenius(v), ud, 0, opts.Tol)
		return rel, nil, err
	})
}

// SameValue checks that a and b have the same value on random inputs: a
// relative difference above the tolerance at any draw fails. With
// opts.Gentle the inputs are near the identity, so that rounding in a badly
// conditioned form (inv(X²⁰)) is not taken for a difference. Inputs are
// redrawn — positive entries, entries in (0, 1) — where a or b is not
// finite, as for CheckDifferential; if no draw works the error wraps
// ErrNoFiniteDraw.
func SameValue(a, b *ast.Node, prog *ast.Program, opts Options) (Report, error) {
	if a == nil || b == nil {
		return Report{}, errors.New("numeric: nil expression")
	}
	if a.Shape != b.Shape {
		return Report{}, fmt.Errorf("numeric: comparing values of shapes %v and %v", a.Shape, b.Shape)
	}
	opts = opts.withDefaults()
	return run(prog, opts, []*ast.Node{a, b}, nil, []*ast.Node{a, b}, func(s *session, env *Env, _ *rand.Rand) (float64, []Mismatch, error) {
		va, ua, _, err := s.evalUnc(a, env, "f")
		if err != nil {
			return 0, nil, err
		}
		vb, ub, _, err := s.evalUnc(b, env, "its canonical form")
		if err != nil {
			return 0, nil, err
		}
		rel, err := verdict(b, va, vb, ua, ub, 0, opts.Tol)
		return rel, nil, err
	})
}

// FDGradient returns the finite-difference gradient G of the scalar f with
// respect to wrt at env, entry by entry along the basis directions E_ij: G_ij
// = d/dt f(X + t·E_ij). For a symmetric wrt the directions are E_ii and
// E_ij + E_ji, whose derivative G_ij + G_ji is split evenly, so the result
// is the symmetric part (G + Gᵀ)/2; for a diagonal wrt only the E_ii are
// taken, so the result is the diagonal part I ⊙ G. Where the differences do not converge
// the best estimate is returned; a non-finite f is an error wrapping
// ErrNotFinite.
func FDGradient(f, wrt *ast.Node, env *Env) (*mat.Dense, error) {
	if err := checkArgs(f, f, wrt); err != nil {
		return nil, err
	}
	if !f.IsScalar() {
		return nil, fmt.Errorf("numeric: gradient of a non-scalar f of shape %v", f.Shape)
	}
	s := newSession(f)
	_, base, err := s.eval(f, env)
	if err != nil {
		base = nil // the differences are evaluated in full (and fail as they did)
	}
	g, _, _, _, err := s.fdGradient(f, wrt, env, base, DefaultTol, 0)
	return g, err
}

func checkArgs(f, df, wrt *ast.Node) error {
	if f == nil || df == nil || wrt == nil {
		return errors.New("numeric: nil expression")
	}
	if wrt.Kind != ast.KVar {
		return fmt.Errorf("numeric: differentiating with respect to a %v node, not a variable", wrt.Kind)
	}
	return nil
}

func checkGradArgs(f, g, wrt *ast.Node) error {
	if err := checkArgs(f, g, wrt); err != nil {
		return err
	}
	if !f.IsScalar() {
		return fmt.Errorf("numeric: gradient of a non-scalar f of shape %v", f.Shape)
	}
	if g.Shape != wrt.Shape {
		return fmt.Errorf("numeric: gradient of shape %v for %s of shape %v", g.Shape, wrt.Name, wrt.Shape)
	}
	return nil
}

// trial compares once on env, evaluating through the check's session s;
// an error that wraps ErrSingular, ErrNotFinite, errUnreliable or
// errDegenerate asks for another draw.
type trial func(s *session, env *Env, rng *rand.Rand) (relErr float64, mism []Mismatch, err error)

// redraw reports whether err asks for another draw rather than ending the
// check.
func redraw(err error) bool {
	for _, e := range []error{ErrSingular, ErrNotFinite, ErrIllConditioned, ErrOutOfRange, errUnreliable, errDegenerate, errUncertain} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// run performs opts.Draws trials on fresh random inputs, redrawing each up
// to maxAttempts times. A draw is first screened (see screen): the matrices
// that exprs invert or take a determinant of must be well conditioned,
// elementwise powers in range, and the functions of wrt (nil: none) that
// saturate not saturated — or, where one is, the draw counts only if it
// agrees: a saturated function may have lost the digits of its
// derivative, so a disagreement there is redrawn, but an agreement to the
// tolerance compared digits that were there. It reports the largest relative error, with
// the environment and mismatches of that draw when the check fails. Every
// draw it reports was compared: when one of the opts.Draws comparisons finds
// no input in maxAttempts, the error wraps ErrNoFiniteDraw and the last
// reason, and the report has OK false — never agreement on fewer draws.
// roots are the expressions the trials evaluate: the session's plan (see
// session).
func run(prog *ast.Program, opts Options, exprs []*ast.Node, wrt *ast.Node, roots []*ast.Node, t trial) (Report, error) {
	rng := rand.New(rand.NewPCG(opts.Seed, seedStream))
	s := newSession(roots...) // the plans, for every draw of this call
	rep := Report{OK: true}
	if err := s.tooLarge(prog, opts.Sizes, exprs); err != nil {
		rep.OK = false
		return rep, &NoDrawError{Last: err}
	}
	for d := 0; d < opts.Draws; d++ {
		var last error
		var lastEnv *Env
		done := false
		zeros := 0    // draws where both sides were zero up to rounding
		vanished := 0 // those and the draws where the symbolic side was swamped (errSwamped)
		attempt := 0
		wide := false // the usual draws are spent, the last saturated a function
		for ; !done && (attempt < maxAttempts || wide && attempt < maxAttempts+wideAttempts); attempt++ {
			dom := domainFor(attempt)
			if (opts.Gentle || vanished > 0) && dom == domainAny {
				// After a draw where both sides vanished (the gradient
				// of a deep tanh network wrt its first layer), near-
				// identity inputs, where it does not.
				dom = domainGentle
			}
			env := s.randomEnv(rng, prog, opts.Sizes, dom, exprs)
			cond, err := s.screen(exprs, wrt, env)
			var rel float64
			var mism []Mismatch
			if err == nil {
				s.newDraw()
				rel, mism, err = t(s, env, rng)
			} else if saturated(err) {
				// A saturated function of the differenced expression
				// may have lost its derivative's digits, so a
				// disagreement here is no evidence; an agreement is
				// (the digits compared were there), and it is kept.
				s.newDraw()
				if r, m, e := t(s, env, rng); e == nil && r <= opts.Tol {
					rel, mism, err = r, m, nil
				}
			}
			if redraw(err) {
				last, lastEnv = err, env
				wide = wide || attempt == maxAttempts-1 && widens(err)
				rep.Rejected++
				if errors.Is(err, errDegenerate) {
					vanished++
					if !errors.Is(err, errSwamped) {
						zeros++
					}
				}
				continue
			}
			if err != nil {
				rep.OK, rep.Env = false, env
				return rep, err
			}
			done = true
			rep.Draws++
			failed := !(rel <= opts.Tol) // NaN fails
			if rep.OK || failed && !(rel <= rep.RelErr) {
				// The last env while all draws pass, else the worst failing one.
				rep.Env = env
				if failed {
					rep.Cond = cond
				}
			}
			if rep.OK && !failed {
				rep.Cond = math.Max(rep.Cond, cond)
			}
			if !(rel <= rep.RelErr) {
				rep.RelErr = rel
				if failed {
					rep.Mismatches = mism
				}
			}
			rep.OK = rep.OK && !failed
		}
		if !done && zeros >= minZeros {
			// Both sides zero (up to rounding) at every draw that could be
			// compared, at least minZeros of them across the domains
			// (and no power under- or overflowed, see screen): the
			// derivative is zero on the whole sample — (M − M)∘², or a
			// zero factor that the canonical form did not cancel — and
			// so is the answer.
			done = true
			rep.Draws++
			rep.Zeros++
			rep.Rejected -= zeros // they were compared, as one draw
			if rep.OK {
				rep.Env = lastEnv
			}
		}
		if !done {
			rep.OK = false
			return rep, &NoDrawError{Attempts: attempt, Compared: rep.Draws, Last: last}
		}
	}
	return rep, nil
}

// NoDrawError is the error of a check that found no input to compare on in
// Attempts draws. It wraps ErrNoFiniteDraw and Last.
type NoDrawError struct {
	Attempts int   // draws tried for the comparison that found none
	Compared int   // comparisons made before it
	Last     error // why the last draw was rejected
}

func (e *NoDrawError) Error() string {
	return fmt.Sprintf("%v (%d draws tried; last: %v)", ErrNoFiniteDraw, e.Attempts, e.Last)
}

func (e *NoDrawError) Unwrap() []error { return []error{ErrNoFiniteDraw, e.Last} }

// verdict compares a, the value of the symbolic side sym, with b, with
// absolute uncertainties ua and ub (rounding of either, truncation of
// finite differences), u = ua + ub, and returns the relative error
// ‖a − b‖/max(‖a‖, ‖b‖, floor) (floor: the rounding noise of finite
// differences over the tolerance, 0 for two symbolic values), or
// ‖a − b‖/max(‖a‖, ‖b‖, u/tol) when the values agree within u:
//
//   - when both values are within u of zero and sym is not structurally
//     zero, the draw compares nothing (relu below its kink, where a wrong
//     2·step(x) is zero too; the Hessian of a saturated softmax, 10⁻¹³ left
//     of terms of size 1): errDegenerate. A structurally zero sym agrees
//     with finite differences that vanish up to their noise;
//   - within the tolerance, the draw agrees;
//   - beyond the tolerance but within 2u, the draw agrees when u is below
//     maxUncertainty of the values (the values agree as far as they are
//     known, and a wrong answer is off by O(1)), and compares nothing
//     otherwise: errUncertain;
//   - beyond 2u and the tolerance, the draw disagrees: a wrong answer is off
//     by O(1) wherever it is evaluated.
//
// run redraws on both errors.
func verdict(sym *ast.Node, a, b *mat.Dense, ua, ub, floor, tol float64) (float64, error) {
	if err := sameDims("comparison", a, b); err != nil {
		return 0, fmt.Errorf("numeric: %w", err)
	}
	var d mat.Dense
	d.Sub(a, b)
	diff := dense.Frobenius(&d)
	scale := math.Max(dense.Frobenius(a), dense.Frobenius(b))
	u := ua + ub
	zero := isLiteralZero(sym)
	switch {
	case math.IsNaN(diff) || math.IsNaN(u) || math.IsInf(diff, 0):
		// A value overflowed (Inf − Inf): this draw compares nothing. A
		// derivative that is NaN at every draw ends as "could not be
		// checked", never as agreement.
		return 0, fmt.Errorf("numeric: %w (a compared value overflowed)", errUncertain)
	case scale <= u || scale == 0:
		if zero {
			return 0, nil
		}
		if dense.Frobenius(a) > 2*ua {
			return 0, fmt.Errorf("numeric: %w", errSwamped)
		}
		return 0, fmt.Errorf("numeric: %w", errDegenerate)
	case diff <= tol*scale, diff > 2*u:
		return diff / math.Max(scale, floor), nil
	case u <= maxUncertainty*scale:
		return diff / math.Max(math.Max(scale, floor), u/tol), nil
	}
	return 0, fmt.Errorf("numeric: %w (difference %.2g, uncertainty %.2g)", errUncertain, diff, u)
}

// MaxEntries bounds the entries of any value a check evaluates: beyond it,
// the sizes are too large to check (A ⊗ C ⊗ A ⊗ A ⊗ A ⊗ X is 2 835 × 12 288
// at the sizes 3, 4, 5, …), and the caller tries others (all 2, say).
const MaxEntries = 1 << 20

// tooLarge returns an error when, at the sizes the session's draws assign
// for sizes, some node of exprs has more than MaxEntries entries.
func (s *session) tooLarge(prog *ast.Program, sizes map[ast.Dim]int, exprs []*ast.Node) error {
	if s.draws == nil {
		s.draws = newEnvPlan(prog, exprs, s)
	}
	at := assignSizes(s.draws.dims, sizes)
	if !s.union.tooLarge(at) && s.union.holds(exprs) {
		return nil // no node of exprs, all in the union plan, is too large
	}
	return tooLarge(at, exprs)
}

// tooLarge returns an error naming the first node of exprs, in the order
// of ast.Walk over each in turn, that has more than MaxEntries entries at
// the sizes at; nil when none has.
func tooLarge(at map[ast.Dim]int, exprs []*ast.Node) error {
	var err error
	for _, e := range exprs {
		if e == nil {
			continue
		}
		ast.Walk(e, func(n *ast.Node) {
			if r, c, e := resolveShape(n.Shape, at); err == nil && e == nil && float64(r)*float64(c) > MaxEntries {
				err = fmt.Errorf("a value of %d×%d at %s: more than %d entries", r, c, FormatSizes(at), MaxEntries)
			}
		})
	}
	return err
}

// domainFor is the domain of the attempt-th draw: a third of the first
// maxAttempts each on N(0, 1), on positive entries, and on entries in
// (0, 1); the wide, huge and tiny domains in turn after them: a function
// can be saturated by a constant that only large inputs offset,
// sigmoid(e^4.5 − a − b/2), or by a high power that only small inputs keep
// small, sigmoid((aᵀ·b − ‖a‖)⁶).
func domainFor(attempt int) domain {
	if attempt >= maxAttempts {
		return [...]domain{domainWide, domainHuge, domainTiny}[(attempt-maxAttempts)%3]
	}
	return domain(attempt * 3 / maxAttempts)
}

// saturated reports whether err rejected a draw for a saturated function.
func saturated(err error) bool {
	var rd *RejectedDraw
	return errors.As(err, &rd) && rd.Saturated
}

// widens reports whether err rejected a draw for a saturated function or
// one oscillating too fast: larger or smaller inputs may take it out of
// that range (cos(e^5.2 / softplus(t)) at t of size 1 has an argument
// beyond 100, at t of 20 or more one below), and the screen that rejects
// such a draw costs one evaluation.
func widens(err error) bool {
	var rd *RejectedDraw
	return errors.As(err, &rd) && (rd.Saturated || rd.Oscillating)
}

// direction draws a direction for wrt in env.
func direction(rng *rand.Rand, wrt *ast.Node, env *Env) (*mat.Dense, error) {
	d := RandomDirection(rng, wrt, env)
	if d == nil {
		return nil, fmt.Errorf("numeric: variable %s has no value", wrt.Name)
	}
	return d, nil
}

// mismatches lists the entries where |got − want| exceeds thr/√(entries),
// largest first, at most maxMismatches. Whenever ‖got − want‖_F > thr at
// least one entry qualifies.
func mismatches(got, want *mat.Dense, thr float64) []Mismatch {
	r, c := got.Dims()
	thr /= math.Sqrt(float64(r * c))
	var out []Mismatch
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			g, w := got.At(i, j), want.At(i, j)
			if math.Abs(g-w) > thr {
				out = append(out, Mismatch{Row: i, Col: j, Got: g, Want: w})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		return math.Abs(out[i].Got-out[i].Want) > math.Abs(out[j].Got-out[j].Want)
	})
	if len(out) > maxMismatches {
		out = out[:maxMismatches]
	}
	return out
}

// fdEstimate is a finite-difference derivative along one direction.
type fdEstimate struct {
	d        *mat.Dense // Richardson extrapolation of the five-point estimates at h and h/2
	errEst   float64    // ‖D(h) − D(h/2)‖_F/15: the estimated error of D(h/2), above that of d
	noise    float64    // estimated rounding noise noiseFactor·ε·max‖f‖_F/h
	reliable bool       // errEst ≤ max(tol·‖d‖_F, noise)
}

// directional returns the derivative of t ↦ f(X + tΔ) at t = 0, X the
// value of the variable name in env. With
// D(h) = (−f(2h) + 8f(h) − 8f(−h) + f(−2h))/(12h) = f′ + c·h⁴ + O(h⁶),
// the extrapolation D(h/2) + (D(h/2) − D(h))/15 cancels the h⁴ term. The
// base step h = 1e-3·max(1, ‖X‖_max)/‖Δ‖_max moves every entry by at most
// 1e-3 of the input's scale (2e-3 at the outer points); while the error
// estimate exceeds max(tol·‖d‖, noise), h is divided by 4, up to shrinks
// times, and the estimate with the smallest relative error estimate is
// returned (reliable false).
func directional(f *ast.Node, env *Env, name string, dir *mat.Dense, tol, uf float64) (fdEstimate, error) {
	return newSession(f).directional(f, env, nil, name, dir, tol, uf)
}

// directional is directional through the session's plan of f. base, when
// not nil, is an evaluator at env that has evaluated f (session.evalUnc):
// each point of the stencil then evaluates again only what depends on
// name.
func (s *session) directional(f *ast.Node, env *Env, base *evaluator, name string, dir *mat.Dense, tol, uf float64) (fdEstimate, error) {
	x := env.Vals[name]
	if x == nil {
		return fdEstimate{}, fmt.Errorf("numeric: variable %s has no value", name)
	}
	if err := sameDims("X + tΔ", x, dir); err != nil {
		return fdEstimate{}, fmt.Errorf("numeric: %w", err)
	}
	dm := dense.MaxAbs(dir)
	if dm == 0 || math.IsNaN(dm) || math.IsInf(dm, 0) {
		if dm != 0 {
			return fdEstimate{}, fmt.Errorf("numeric: direction is %w", ErrNotFinite)
		}
		v, _, err := s.evalFinite(f, env, "f")
		if err != nil {
			return fdEstimate{}, err
		}
		r, c := v.Dims()
		return fdEstimate{d: mat.NewDense(r, c, nil), reliable: true}, nil
	}
	h := baseStep * math.Max(1, dense.MaxAbs(x)) / dm

	cache := map[float64]*mat.Dense{}
	fScale := 0.0
	at := func(t float64) (*mat.Dense, error) {
		if v, ok := cache[t]; ok {
			return v, nil
		}
		var xs mat.Dense
		xs.Scale(t, dir)
		xs.Add(x, &xs)
		v, err := s.at(f, env, base, name, &xs)
		if err != nil {
			return nil, err
		}
		if !Finite(v) {
			return nil, fmt.Errorf("numeric: f near the input is %w", ErrNotFinite)
		}
		fScale = math.Max(fScale, dense.Frobenius(v))
		cache[t] = v
		return v, nil
	}
	// stencil returns (8(f(h) − f(−h)) − (f(2h) − f(−2h)))/(12h), the
	// differences taken first so that a constant f gives exactly 0.
	stencil := func(h float64) (*mat.Dense, error) {
		var pts [4]*mat.Dense
		for i, s := range [...]float64{h, -h, 2 * h, -2 * h} {
			v, err := at(s)
			if err != nil {
				return nil, err
			}
			pts[i] = v
		}
		var inner, outer mat.Dense
		inner.Sub(pts[0], pts[1])
		outer.Sub(pts[2], pts[3])
		inner.Scale(8, &inner)
		inner.Sub(&inner, &outer)
		inner.Scale(1/(12*h), &inner)
		return &inner, nil
	}

	var best fdEstimate
	bestRatio := math.Inf(1)
	for k := 0; k < shrinks; k++ {
		d1, err := stencil(h)
		if err != nil {
			return fdEstimate{}, err
		}
		d2, err := stencil(h / 2)
		if err != nil {
			return fdEstimate{}, err
		}
		var diff, ext mat.Dense
		diff.Sub(d2, d1)
		ext.Scale(1.0/15, &diff)
		ext.Add(d2, &ext)
		est := fdEstimate{d: &ext, errEst: dense.Frobenius(&diff) / 15, noise: math.Max(noiseFactor*eps*fScale, stencilNoise*uf) / h}
		scale := math.Max(tol*dense.Frobenius(&ext), est.noise)
		if est.errEst <= scale {
			est.reliable = true
			return est, nil
		}
		ratio := math.Inf(1)
		if scale > 0 {
			ratio = est.errEst / scale
		}
		if best.d == nil || ratio < bestRatio {
			best, bestRatio = est, ratio
		}
		h /= 4
	}
	return best, nil
}

// eps is the unit roundoff of float64, 2⁻⁵².
const eps = 0x1p-52

// fdGradient is FDGradient that also returns the rounding noise of the
// gradient (Frobenius norm of the entries' noise, for values of f uncertain
// by uf), its truncation error estimate (likewise), and whether the
// differences converged: Σ errEst² ≤ max(tol·‖G‖_F, noise)².
//
// base, when not nil, is an evaluator at env that has evaluated f (see
// session.directional).
func (s *session) fdGradient(f, wrt *ast.Node, env *Env, base *evaluator, tol, uf float64) (g *mat.Dense, noise, errEst float64, reliable bool, err error) {
	x := env.Vals[wrt.Name]
	if x == nil {
		return nil, 0, 0, false, fmt.Errorf("numeric: variable %s has no value", wrt.Name)
	}
	r, c := x.Dims()
	sym := isSym(wrt) && r == c
	g = mat.NewDense(r, c, nil)
	var noise2, err2 float64
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if sym && j < i || isDiag(wrt) && i != j { // a diagonal wrt: only E_ii
				continue
			}
			e := mat.NewDense(r, c, nil)
			e.Set(i, j, 1)
			if sym {
				e.Set(j, i, 1)
			}
			est, err := s.directional(f, env, base, wrt.Name, e, tol, uf)
			if err != nil {
				return nil, 0, 0, false, err
			}
			v, err := scalarOf("f", est.d)
			if err != nil {
				return nil, 0, 0, false, fmt.Errorf("numeric: gradient of a non-scalar f: %w", err)
			}
			if sym && i != j {
				// d/dt f(X + t(E_ij + E_ji)) = G_ij + G_ji, split evenly.
				g.Set(i, j, v/2)
				g.Set(j, i, v/2)
				noise2 += est.noise * est.noise / 2
				err2 += est.errEst * est.errEst / 2
			} else {
				g.Set(i, j, v)
				noise2 += est.noise * est.noise
				err2 += est.errEst * est.errEst
			}
		}
	}
	noise = math.Sqrt(noise2)
	scale := math.Max(tol*dense.Frobenius(g), noise)
	return g, noise, math.Sqrt(err2), math.Sqrt(err2) <= scale, nil
}
