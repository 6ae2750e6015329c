package mdiff

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/numeric"
	"github.com/mdiff/mdiff/simplify"
)

// liftedNote is the check line's note of an answer checked by checkLifted.
const liftedNote = "no input could be compared as f stands: checked with its numbers %s as variables, then at them"

// checkLifted checks res when no input could be compared as f stands: a
// function of f is saturated wherever f may be evaluated (sqrt(σ(27 + s²))
// is 1 to 10⁻¹² at every s, where finite differences in float64 see no
// derivative), or a large constant takes every digit of f (X⁻¹ + 7²⁰).
// The numbers of f that are not small integers or exponents become scalar
// variables κ1, κ2, … (f′ = sqrt(σ(κ1 + s²))), which the derivation of f′
// keeps symbolic; the derivatives of f′ are checked as any answer is, at
// random κ (where nothing saturates), and each printed derivative of f
// must equal the one of f′ with the numbers put back: be the same
// expression once simplified, or have the same nonzero values at random
// inputs (a comparison of values, which saturation does not disturb;
// values that are 0 in float64 compare nothing). ok is false when the
// lift does not apply (f has no such number, or f′ cannot be derived or
// checked either); the result is then not a verdict.
func checkLifted(res *ast.Result, opts numeric.Options) (v *ast.Verification, ok bool, err error) {
	f := res.Canonical
	if f == nil {
		f = res.F
	}
	prog := res.Program
	lifted, consts, vars := liftNumbers(f, prog)
	putBack := func(n *ast.Node) *ast.Node {
		for i, c := range vars {
			n = ast.Substitute(n, c, consts[i])
		}
		return n
	}
	if len(consts) == 0 || putBack(lifted) != f {
		return nil, false, nil
	}
	liftedProg := &ast.Program{Src: prog.Src, Root: lifted, Vars: append(append([]*ast.Node(nil), prog.Vars...), vars...), Funcs: prog.Funcs}
	lres := &ast.Result{Program: liftedProg, F: lifted, Canonical: simplify.Simplify(lifted)}
	for _, d := range res.Derivatives {
		ld, err := derive(simplify.New(), lifted, d.Wrt, Options{Hessian: d.Hessian != nil, Jacobian: d.Jacobian != nil})
		if err != nil {
			return nil, false, nil
		}
		lres.Derivatives = append(lres.Derivatives, *ld)
	}
	lv, err := verifyChecks(lres, opts, canonOf(lres))
	if err != nil || !lv.OK {
		return nil, false, nil // the lifted f could not be checked either: the first verdict stands
	}
	v = &ast.Verification{OK: true, RelErr: lv.RelErr, Note: lv.Note}
	var words []string
	for _, c := range consts {
		words = append(words, c.Num.RatString())
	}
	v.Note = strings.TrimPrefix(v.Note+"; "+fmt.Sprintf(liftedNote, strings.Join(words, ", ")), "; ")
	for i, d := range res.Derivatives {
		ld := lres.Derivatives[i]
		delta := ast.Delta(d.Wrt.Name, d.Wrt.Shape)
		dir := ast.Var(freshName(prog, "δ", 0), d.Wrt.Shape, 0) // Δ as a variable, so that values compare
		for _, pair := range [][2]*ast.Node{{d.Differential, ld.Differential}, {d.Gradient, ld.Gradient}, {d.Hessian, ld.Hessian}, {d.HessianMat, ld.HessianMat}, {d.Jacobian, ld.Jacobian}} {
			printed, want := pair[0], pair[1]
			if printed == nil || want == nil {
				continue
			}
			want = simplify.Simplify(putBack(want))
			if want == printed {
				continue // the same expression: equal without a draw
			}
			printed, want = ast.Substitute(printed, delta, dir), ast.Substitute(want, delta, dir)
			what := func() string {
				return fmt.Sprintf("%s against %s (the derivative of f with its numbers as variables, put back)", checkText(printed), checkText(want))
			}
			rep, err := compared(prog, opts, what, func(o numeric.Options) (numeric.Report, error) {
				return numeric.SameValue(printed, want, prog, o)
			})
			if err != nil || rep.OK && rep.Zeros > 0 {
				return nil, false, nil // compared nothing, or only zeros (1 − tanh(32)² is 0)
			}
			v.RelErr = math.Max(v.RelErr, rep.RelErr)
			if !rep.OK {
				v.OK = false
				return v, true, &CheckFailedError{What: what(), RelErr: rep.RelErr, Tol: tolOf(opts), Draws: rep.Draws, Sizes: sizesOf(rep), Cond: rep.Cond}
			}
		}
	}
	return v, true, nil
}

// liftNumbers returns f with every number that is not an integer in
// [−2, 2] and not an exponent replaced by a fresh scalar variable, the
// numbers replaced and their variables, in order of first appearance.
func liftNumbers(f *ast.Node, prog *ast.Program) (*ast.Node, []*ast.Node, []*ast.Node) {
	var consts, vars []*ast.Node
	varOf := map[*ast.Node]*ast.Node{}
	memo := map[*ast.Node]*ast.Node{}
	var lift func(n *ast.Node) *ast.Node
	lift = func(n *ast.Node) *ast.Node {
		if r, ok := memo[n]; ok {
			return r
		}
		r := n
		switch {
		case n.Kind == ast.KNum:
			if small := n.Num.IsInt() && n.Num.Num().IsInt64() && n.Num.Num().Int64() >= -2 && n.Num.Num().Int64() <= 2; !small {
				if varOf[n] == nil {
					varOf[n] = ast.Var(freshName(prog, "κ", len(vars)+1), ast.Scalar, 0)
					consts, vars = append(consts, n), append(vars, varOf[n])
				}
				r = varOf[n]
			}
		case n.Kind == ast.KPow, n.Kind == ast.KMatPowSym: // the exponent stays a number
			r = ast.WithArgs(n, append([]*ast.Node{lift(n.Args[0])}, n.Args[1:]...)...)
		case len(n.Args) > 0:
			args := make([]*ast.Node, len(n.Args))
			for i, a := range n.Args {
				args[i] = lift(a)
			}
			r = ast.WithArgs(n, args...)
		}
		memo[n] = r
		return r
	}
	return lift(f), consts, vars
}

// freshName returns base followed by k (none when k is 0), primed until no
// variable of prog has that name.
func freshName(prog *ast.Program, base string, k int) string {
	name := base
	if k > 0 {
		name += strconv.Itoa(k)
	}
	for prog.Var(name) != nil {
		name += "′"
	}
	return name
}

// uncheckable reports whether err says no input could be compared.
func uncheckable(err error) bool {
	var unchecked *UncheckedError
	return errors.As(err, &unchecked)
}
