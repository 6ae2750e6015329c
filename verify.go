package mdiff

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/numeric"
	"github.com/mdiff/mdiff/render"
	"github.com/mdiff/mdiff/simplify"
)

// CheckFailedError is returned, with the result, when the numerical check
// compared a derived answer with finite differences (or two forms of f with
// each other) and they disagree.
type CheckFailedError struct {
	What   string  // what was compared with what, e.g. "∇_X f = 2·X against finite differences of f"
	RelErr float64 // the largest relative error
	Tol    float64 // the tolerance it exceeds
	Draws  int     // the random inputs compared
	Sizes  string  // the sizes of the worst draw, e.g. "m = 3, n = 4"
	// Cond is the largest condition number, at the worst draw, of a matrix
	// that the compared expressions invert or take a determinant of (1 when
	// they invert nothing; never above numeric.MaxCond).
	Cond float64
}

func (e *CheckFailedError) Error() string {
	cond := "no matrix is inverted"
	if e.Cond > 1 {
		cond = fmt.Sprintf("the matrices inverted or under det/logdet have condition number at most %.1e", e.Cond)
	}
	return fmt.Sprintf("numerical check failed: %s: relative error %.1e (tolerance %.0e) over %d random draws at %s; %s",
		e.What, e.RelErr, e.Tol, e.Draws, e.Sizes, cond)
}

// UncheckedError is returned, with the result, when the numerical check
// could not compare an answer at all: at every size assignment it tried, no
// random input gave values that are finite, in range and well conditioned
// (log(−X ⊙ X), X∘^1e308, the inverse of a rank-one matrix). It wraps the
// error of the last attempt, which wraps numeric.ErrNoFiniteDraw.
type UncheckedError struct {
	What   string   // what was to be compared
	Sizes  []string // the size assignments tried
	Reason string   // why the last draw was rejected
	Err    error
}

func (e *UncheckedError) Error() string {
	return fmt.Sprintf("could not be checked numerically: %s: no random input could be compared at %s (%s)",
		e.What, strings.Join(e.Sizes, "; "), e.Reason)
}

func (e *UncheckedError) Unwrap() error { return e.Err }

// maxWhat is the longest answer an error of the check writes out; a
// longer one is cut, with …, so that a message stays a line or two.
const maxWhat = 200

// shortened is s, or its first maxWhat characters and … when it is longer.
func shortened(s string) string {
	if utf8.RuneCountInString(s) <= maxWhat {
		return s
	}
	return string([]rune(s)[:maxWhat]) + "…"
}

// borderline is the relative error under which a failed check is repeated
// at near-identity inputs before it counts as a failure.
const borderline = 1e-3

// maxCheckedEntries bounds the size of one matrix in the numerical check;
// larger declared sizes need --no-check.
const maxCheckedEntries = 1 << 20

// decimal is strconv.Atoi of d, its error dropped, without calling it
// (and allocating its error) for a size name, which it reads as 0: a
// wide expression declares thousands of variables.
func decimal(d ast.Dim) int {
	if d == "" || !(d[0] >= '0' && d[0] <= '9' || d[0] == '+' || d[0] == '-') {
		return 0 // not a number: Atoi fails and returns 0
	}
	k, _ := strconv.Atoi(string(d))
	return k
}

// check is one comparison of Verify.
type check struct {
	what   func() string // what is compared with what (rendered only for a message)
	gentle bool          // start at near-identity inputs
	run    func(numeric.Options) (numeric.Report, error)
}

// Verify checks every derivative of res numerically and returns the largest
// relative error. Each check compares on numeric.DefaultDraws random inputs
// (opts.Draws); an input where the values are not finite, a matrix the
// expressions invert is ill-conditioned, or both sides are zero up to rounding is
// redrawn, and when no input can be compared the sizes are assigned
// otherwise (numeric.SizePlans). A disagreement is a *CheckFailedError, a
// check that compared nothing an *UncheckedError; the verification is
// returned with OK false in both cases. OK true means every check compared
// on every draw and agreed.
func Verify(res *ast.Result, opts numeric.Options) (*ast.Verification, error) {
	return verify(res, opts, canonOf(res))
}

// canonOf returns the canonical form that the checks of res differentiate
// and compare against: the form the derivation differentiated when Derive
// set it, simplify.Simplify of f otherwise.
func canonOf(res *ast.Result) func(*ast.Node) *ast.Node {
	if res.Canonical == nil {
		return simplify.Simplify
	}
	return func(n *ast.Node) *ast.Node {
		if n == res.F {
			return res.Canonical
		}
		return simplify.Simplify(n)
	}
}

// verify is Verify with the canonical form that the checks differentiate
// and compare against given as canon (simplify.Simplify; a test passes a
// wrong one to see that the guard f = canon(f) catches it).
func verify(res *ast.Result, opts numeric.Options, canon func(*ast.Node) *ast.Node) (*ast.Verification, error) {
	v, err := verifyChecks(res, opts, canon)
	if uncheckable(err) {
		if lv, ok, lerr := checkLifted(res, opts); ok {
			return lv, lerr
		}
	}
	return v, err
}

// verifyChecks is verify without checkLifted.
func verifyChecks(res *ast.Result, opts numeric.Options, canon func(*ast.Node) *ast.Node) (*ast.Verification, error) {
	c := &ast.Verification{OK: true}
	for _, v := range res.Program.Vars {
		r, k := decimal(v.Shape.Rows), decimal(v.Shape.Cols)
		if r*k > maxCheckedEntries || r > maxCheckedEntries || k > maxCheckedEntries {
			return nil, &TooLargeError{Name: v.Name, Shape: v.Shape}
		}
	}
	if len(res.Program.Funcs) > 0 {
		c.Note = numeric.StandInNote
	}
	list := checks(res, canon)
	outs := runChecks(res.Program, opts, list)
	for i, ch := range list {
		if p := outs[i].panic; p != nil {
			panic(p) // where running the checks in turn would have
		}
		rep, err := outs[i].rep, outs[i].err
		if err != nil {
			c.OK = false
			return c, err
		}
		c.RelErr = math.Max(c.RelErr, rep.RelErr)
		if !rep.OK {
			c.OK = false
			return c, &CheckFailedError{What: ch.what(), RelErr: rep.RelErr, Tol: tolOf(opts), Draws: rep.Draws, Sizes: sizesOf(rep), Cond: rep.Cond}
		}
	}
	return c, nil
}

// checkText writes n for a message of a check: with its temporaries, so
// that a DAG is written in its own size, not its tree's (which can be
// exponential), and cut to a line or two.
func checkText(n *ast.Node) string { return shortened(render.TextWhere(n, render.Plain())) }

// tolOf is the tolerance of a check with opts.
func tolOf(opts numeric.Options) float64 {
	if opts.Tol <= 0 {
		return numeric.DefaultTol
	}
	return opts.Tol
}

// sizesOf says the sizes of a report's worst draw.
func sizesOf(rep numeric.Report) string {
	if rep.Env == nil {
		return "the declared sizes"
	}
	return numeric.FormatSizes(rep.Env.Sizes)
}

// checks lists the comparisons that verify res: f with its canonical form
// (which the derivatives are taken of and checked against), then for each
// derivative the gradient or differential, the Hessian map and matrix, and
// the Jacobian, each against finite differences (a Kronecker form against
// the differential, itself checked).
func checks(res *ast.Result, canon func(*ast.Node) *ast.Node) []check {
	prog := res.Program
	f := canon(res.F) // equal to f, and evaluated with less rounding ((X⁻⁹)⁻² is X¹⁸)
	var out []check
	if f != res.F {
		out = append(out, check{
			what: func() string {
				return fmt.Sprintf("f = %s (its canonical form, which mdiff differentiates) against f = %s", checkText(f), checkText(res.F))
			},
			gentle: true,
			run: func(o numeric.Options) (numeric.Report, error) {
				return numeric.SameValue(res.F, f, prog, o)
			},
		})
	}
	for _, d := range res.Derivatives {
		v := d.Wrt
		delta := ast.Delta(v.Name, v.Shape)
		if g := d.Gradient; g != nil {
			out = append(out, check{
				what: func() string {
					return fmt.Sprintf("∇_%s f = %s against finite differences of f", v.Name, checkText(g))
				},
				run: func(o numeric.Options) (numeric.Report, error) {
					return numeric.CheckGradient(f, g, v, prog, o)
				},
			})
		} else {
			out = append(out, check{
				what: func() string {
					return fmt.Sprintf("df = Δ ↦ %s against finite differences of f", checkText(d.Differential))
				},
				run: func(o numeric.Options) (numeric.Report, error) {
					return numeric.CheckDifferential(f, d.Differential, v, prog, o)
				},
			})
		}
		if h := d.Hessian; h != nil {
			out = append(out, check{
				what: func() string {
					return fmt.Sprintf("H[Δ] = %s against finite differences of ∇_%s f", checkText(h), v.Name)
				},
				run: func(o numeric.Options) (numeric.Report, error) {
					return numeric.CheckDifferential(d.Gradient, h, v, prog, o)
				},
			})
		}
		if m := d.HessianMat; m != nil && !v.IsScalar() && v.Shape.Cols != ast.One {
			h := d.Hessian
			out = append(out, check{
				what: func() string {
					return fmt.Sprintf("∇²_%s f = %s (vec(H[Δ]) = ∇²f·vec(Δ)) against H[Δ] = %s", v.Name, checkText(m), checkText(h))
				},
				run: func(o numeric.Options) (numeric.Report, error) {
					// The Kronecker form against the map H[Δ], itself checked above.
					return numeric.CheckKronecker(m, h, v, prog, o)
				},
			})
		} else if m != nil && !v.IsScalar() {
			out = append(out, check{
				what: func() string {
					return fmt.Sprintf("∇²_%s f = %s (H[Δ] = ∇²f·Δ) against finite differences of ∇_%s f", v.Name, checkText(m), v.Name)
				},
				run: func(o numeric.Options) (numeric.Report, error) {
					return numeric.CheckDifferential(d.Gradient, ast.Mul(m, delta), v, prog, o)
				},
			})
		}
		j := d.Jacobian
		switch {
		case j == nil:
		case v.IsScalar() || res.F.Shape.Cols == ast.One && v.Shape.Cols == ast.One:
			out = append(out, check{
				what: func() string { return fmt.Sprintf("J = %s (df = J·Δ) against finite differences of f", checkText(j)) },
				run: func(o numeric.Options) (numeric.Report, error) {
					return numeric.CheckDifferential(f, ast.Mul(j, delta), v, prog, o)
				},
			})
		default:
			out = append(out, check{
				what: func() string {
					return fmt.Sprintf("J = %s (vec(df[Δ]) = J·vec(Δ)) against df = Δ ↦ %s", checkText(j), checkText(d.Differential))
				},
				run: func(o numeric.Options) (numeric.Report, error) {
					return numeric.CheckKronecker(j, d.Differential, v, prog, o)
				},
			})
		}
	}
	return out
}

// outcome is what one check gave.
type outcome struct {
	rep   numeric.Report
	err   error
	panic any // what the check panicked with, or nil
}

// runChecks runs the checks at once, as many at a time as there are
// processors, and returns their outcomes in the order of list. Each check
// draws from a generator of its own seeded by opts, so an outcome is the
// same whichever ran first: reading them in order is running them one
// after another.
func runChecks(prog *ast.Program, opts numeric.Options, list []check) []outcome {
	outs := make([]outcome, len(list))
	slots := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, ch := range list {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() {
				outs[i].panic = recover()
				<-slots
			}()
			outs[i].rep, outs[i].err = runCheck(prog, opts, ch)
		})
	}
	wg.Wait()
	return outs
}

// runCheck runs one check over the size plans; a failure by less than
// borderline is repeated at near-identity inputs (finite differences at
// N(0, 1) inputs may have lost the digits of high powers and inverses; a
// wrong derivative is off by O(1) at any input), and replaces the failure
// when that run could compare.
func runCheck(prog *ast.Program, opts numeric.Options, ch check) (numeric.Report, error) {
	opts.Gentle = opts.Gentle || ch.gentle
	rep, err := compared(prog, opts, ch.what, ch.run)
	if err == nil && !rep.OK && rep.RelErr < borderline && !opts.Gentle {
		gentle := opts
		gentle.Gentle = true
		if r, e := compared(prog, gentle, ch.what, ch.run); e == nil {
			rep = r
		}
	}
	return rep, err
}

// compared runs a check over the size plans (retrySizes) and returns an
// *UncheckedError, naming what, when it compared nothing.
func compared(prog *ast.Program, opts numeric.Options, what func() string, run func(numeric.Options) (numeric.Report, error)) (numeric.Report, error) {
	rep, tried, err := retrySizes(prog, opts, run)
	if errors.Is(err, numeric.ErrNoFiniteDraw) {
		return rep, &UncheckedError{What: what(), Sizes: tried, Reason: rejection(err), Err: err}
	}
	if err == nil && rep.Draws == 0 {
		return rep, &UncheckedError{What: what(), Sizes: tried, Reason: "no draw was compared", Err: numeric.ErrNoFiniteDraw}
	}
	return rep, err
}

// rejection says in words why the last draw of a check that found no input
// was rejected.
func rejection(err error) string {
	var rd *numeric.RejectedDraw
	switch {
	case errors.As(err, &rd) && rd.Saturated:
		return fmt.Sprintf("last: %s is saturated at %g, where its derivative keeps fewer than seven digits", render.Text(rd.Node, render.Plain()), rd.At)
	case errors.As(err, &rd) && rd.Oscillating:
		return fmt.Sprintf("last: %s has an argument %g, where it oscillates faster than finite differences resolve", render.Text(rd.Node, render.Plain()), rd.At)
	case errors.As(err, &rd) && errors.Is(err, numeric.ErrIllConditioned):
		return fmt.Sprintf("last: %s of %s has condition number %.1e, above %.0e", rd.Op, render.Text(rd.Node, render.Plain()), rd.Cond, numeric.MaxCond)
	case errors.As(err, &rd):
		return fmt.Sprintf("last: %s is %g at an entry %g, out of floating-point range", render.Text(rd.Node, render.Plain()), rd.Value, rd.At)
	}
	var nd *numeric.NoDrawError
	if errors.As(err, &nd) && nd.Last != nil {
		return "last: " + strings.TrimPrefix(nd.Last.Error(), "numeric: ")
	}
	return strings.TrimPrefix(err.Error(), "numeric: ")
}

// retrySizes runs a check at the size assignments of numeric.SizePlans in
// turn until one can compare: while no random input at an assignment gives
// values that can be compared (error wrapping numeric.ErrNoFiniteDraw), the
// next is tried — logdet(Xᵀ·X) needs X tall, which one order of distinct
// sizes cannot give. A comparison that was made, agreeing or not, is final:
// a wrong answer is never retried until some sizes hide it. Sizes fixed by
// opts are kept. It returns the assignments tried.
func retrySizes(prog *ast.Program, opts numeric.Options, run func(numeric.Options) (numeric.Report, error)) (numeric.Report, []string, error) {
	plans := numeric.SizePlans(prog)
	if opts.Sizes != nil {
		plans = []map[ast.Dim]int{opts.Sizes}
	}
	var tried []string
	var rep numeric.Report
	var err error
	for _, plan := range plans {
		o := opts
		o.Sizes = plan
		tried = append(tried, numeric.FormatSizes(plan))
		rep, err = run(o)
		if err == nil || !errors.Is(err, numeric.ErrNoFiniteDraw) {
			return rep, tried, err
		}
	}
	return rep, tried, err
}
