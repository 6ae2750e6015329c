// Package mdiff is the library facade: one call runs the whole pipeline of
// DESIGN.md — parse, check shapes, differentiate, simplify to ⟨Δ, G⟩, and
// verify the answer numerically.
package mdiff

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/numeric"
	"github.com/mdiff/mdiff/parser"
	"github.com/mdiff/mdiff/rules"
	"github.com/mdiff/mdiff/simplify"
)

// Options select what Derive computes.
type Options struct {
	Wrt      []string // variables; each entry may hold several names separated by ","
	Let      []string // declarations, each the value of one --let flag
	Hessian  bool     // add the second derivative (scalar f)
	Jacobian bool     // add the Jacobian (vector- or matrix-valued f)
	Steps    bool     // record the derivation
	NoCheck  bool     // skip the numerical verification
	Seed     uint64   // seed of the random inputs of the check
}

// CheckFailedError is returned, with the result, when the numerical check
// disagrees with the derived answer.
type CheckFailedError struct{ RelErr float64 }

func (e *CheckFailedError) Error() string {
	return fmt.Sprintf("numerical check failed: relative error %.1e between the derived answer and finite differences", e.RelErr)
}

// Parse parses and type-checks src under the declarations of let.
func Parse(src string, let []string) (*ast.Program, error) {
	decls, err := parseLets(let)
	if err != nil {
		return nil, err
	}
	e, err := parser.Parse(src)
	if err != nil {
		return nil, err
	}
	prog, err := ast.Check(src, e, decls)
	if err != nil {
		return nil, err
	}
	if prog.Var(directionName) != nil {
		i := strings.Index(src, directionName)
		return nil, ast.Errorf(src, ast.Pos(i), ast.Pos(i+len(directionName)), "Δ is the name of the direction in every answer; please call this variable something else")
	}
	return prog, nil
}

// parseLets parses the values of the --let flags.
func parseLets(let []string) ([]ast.Decl, error) {
	var decls []ast.Decl
	for _, l := range let {
		ds, err := parser.ParseDecls(l)
		if err != nil {
			return nil, err
		}
		decls = append(decls, ds...)
	}
	return decls, nil
}

// directionName is how every answer writes the direction of a variable.
const directionName = "Δ"

// borderline is the relative error under which a failed check is repeated
// at near-identity inputs before it counts as a failure.
const borderline = 1e-3

// maxCheckedEntries bounds the size of one matrix in the numerical check;
// larger declared sizes need --no-check.
const maxCheckedEntries = 1 << 20

// Derive computes f and its derivatives for every variable of opts.Wrt and,
// unless opts.NoCheck, verifies them against central finite differences. A
// failed check returns the result together with a *CheckFailedError.
func Derive(src string, opts Options) (*ast.Result, error) {
	prog, err := Parse(src, opts.Let)
	if err != nil {
		return nil, err
	}
	wrts, err := variables(prog, opts.Wrt)
	if err != nil {
		return nil, err
	}
	res := &ast.Result{Program: prog, F: prog.Root, Canonical: simplify.Simplify(prog.Root)}
	for _, v := range wrts {
		d, err := derive(prog.Root, v, opts)
		if err != nil {
			return nil, err
		}
		res.Derivatives = append(res.Derivatives, *d)
	}
	if opts.NoCheck {
		return res, nil
	}
	res.Check, err = Verify(res, numeric.Options{Seed: opts.Seed})
	if err != nil {
		return res, err
	}
	if !res.Check.OK {
		return res, &CheckFailedError{res.Check.RelErr}
	}
	return res, nil
}

// variables resolves the --wrt names to the program's variables.
func variables(prog *ast.Program, wrt []string) ([]*ast.Node, error) {
	var out []*ast.Node
	seen := map[string]bool{}
	for _, w := range wrt {
		for _, name := range strings.Split(w, ",") {
			name = strings.TrimSpace(name)
			if name == "" || seen[name] {
				continue
			}
			seen[name] = true
			v := prog.Var(name)
			if v == nil {
				return nil, &ast.Error{Src: prog.Src, Msg: fmt.Sprintf("--wrt %s: f does not depend on %s", name, name), Spans: []ast.Span{{Pos: 0, End: ast.Pos(len(prog.Src))}}}
			}
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no variable to differentiate with respect to: use --wrt")
	}
	return out, nil
}

// derive differentiates f with respect to v.
func derive(f, v *ast.Node, opts Options) (*ast.Derivative, error) {
	d := &ast.Derivative{Wrt: v}
	delta := ast.Delta(v.Name, v.Shape)
	var rec rules.Recorder
	if opts.Steps {
		rec = func(rule string, lhs, rhs *ast.Node) {
			d.Steps = append(d.Steps, ast.Step{Kind: ast.StepRule, Rule: rule, Lhs: lhs, Rhs: rhs})
		}
	}
	// Differentiate the canonical form of f: (X⁻⁹)⁻² is X¹⁸, whose differential is smaller and better conditioned.
	raw, err := rules.Differential(simplify.Simplify(f), v, rec)
	if err != nil {
		return nil, err
	}
	d.Differential = simplify.Simplify(raw)
	if opts.Steps && raw != d.Differential {
		d.Steps = append(d.Steps, ast.Step{Kind: ast.StepIdentity, Rule: "collect: (AB)ᵀ = BᵀAᵀ, sᵀ = s for a scalar, like terms", Lhs: raw, Rhs: d.Differential})
	}
	if opts.Steps {
		perturbed := ast.Substitute(f, v, ast.Add(v, delta))
		d.Steps = append([]ast.Step{{Kind: ast.StepPerturb, Rule: "keep the part linear in Δ", Lhs: perturbed, Rhs: ast.Add(f, d.Differential)}}, d.Steps...)
	}
	if !f.IsScalar() {
		if opts.Hessian {
			return nil, fmt.Errorf("--hessian needs a scalar f; f has shape %v (use --jacobian)", f.Shape)
		}
		if opts.Jacobian {
			jacobian(d, f, delta)
		}
		return d, nil
	}
	var arec simplify.AdjointRecorder
	if opts.Steps {
		arec = func(id string, n, g *ast.Node, args, cots []*ast.Node) {
			var rhs []*ast.Node
			for i, a := range args {
				rhs = append(rhs, pairing(simplify.Simplify(cots[i]), a))
			}
			if lhs, r := pairing(g, n), ast.Add(rhs...); lhs != r {
				d.Steps = append(d.Steps, ast.Step{Kind: ast.StepIdentity, Rule: id, Lhs: lhs, Rhs: r})
			}
		}
	}
	g, err := simplify.Gradient(d.Differential, delta, arec)
	if err != nil {
		return nil, err
	}
	if v.Props&(ast.Symmetric|ast.PosDef) != 0 {
		if gs := simplify.Symmetrize(g); gs != g {
			if opts.Steps {
				d.Steps = append(d.Steps, ast.Step{Kind: ast.StepIdentity, Rule: "Δ is symmetric: ⟨Δ, G⟩ = ⟨Δ, (G + Gᵀ)/2⟩", Lhs: ast.Inner(delta, g), Rhs: ast.Inner(delta, gs)})
			}
			g = gs
		}
	}
	d.Gradient = g
	if opts.Steps {
		d.Steps = append(d.Steps, ast.Step{Kind: ast.StepReadOff, Rule: "read off G", Lhs: d.Differential, Rhs: ast.Inner(delta, g)})
	}
	if opts.Hessian {
		h, err := rules.Differential(g, v, nil)
		if err != nil {
			return nil, err
		}
		d.Hessian = simplify.Simplify(h)
		switch {
		case v.IsScalar():
			d.HessianMat, err = simplify.Gradient(d.Hessian, delta, nil)
		case v.Shape.Cols == ast.One:
			// The map H[Δ] is the answer; the matrix is added where it has a closed form.
			d.HessianMat, err = simplify.JacobianMatrix(d.Hessian, delta)
		default:
			// vec(H[Δ]) = K·vec(Δ) where every term of H is A·Δ·B: K = Σ Bᵀ ⊗ A.
			d.HessianMat, err = simplify.Kronecker(d.Hessian, delta)
		}
		var none *simplify.NoJacobianError
		if errors.As(err, &none) {
			d.HessianMat, err = nil, nil
			d.NoHessianMat = strings.Replace(none.Reason, "the differential map", "the Hessian map H[Δ]", 1)
		}
		if err != nil {
			return nil, err
		}
	}
	if opts.Jacobian && v.Shape.Cols == ast.One && !v.IsScalar() {
		d.Jacobian = simplify.Simplify(ast.Transpose(g))
	}
	return d, nil
}

// jacobian adds the Jacobian of a vector- or matrix-valued f: a matrix for a
// vector variable and vector value, the Kronecker form otherwise, or the
// reason there is none.
func jacobian(d *ast.Derivative, f, delta *ast.Node) {
	var j *ast.Node
	var err error
	if delta.IsScalar() { // dF = M·dt: the Jacobian is M, of the shape of f
		d.Jacobian = simplify.Simplify(ast.Substitute(d.Differential, delta, ast.Int(1)))
		return
	}
	if delta.Shape.Cols == ast.One && f.Shape.Cols == ast.One {
		j, err = simplify.JacobianMatrix(d.Differential, delta)
	} else {
		j, err = simplify.Kronecker(d.Differential, delta)
	}
	if err != nil {
		d.NoJacobian = err.Error()
		return
	}
	d.Jacobian = j
}

// Verify checks every derivative of res numerically and returns the largest
// relative error.
func Verify(res *ast.Result, opts numeric.Options) (*ast.Verification, error) {
	c := &ast.Verification{OK: true}
	for _, v := range res.Program.Vars {
		r, _ := strconv.Atoi(string(v.Shape.Rows))
		k, _ := strconv.Atoi(string(v.Shape.Cols))
		if r*k > maxCheckedEntries || r > maxCheckedEntries || k > maxCheckedEntries {
			return nil, fmt.Errorf("%s is %v: too large to check numerically; use --no-check, or declare symbolic sizes", v.Name, v.Shape)
		}
	}
	for _, d := range res.Derivatives {
		delta := ast.Delta(d.Wrt.Name, d.Wrt.Shape)
		f := simplify.Simplify(res.F) // equal to f, and evaluated with less rounding ((X⁻⁹)⁻² is X¹⁸)
		if f != res.F {
			e := sameValue(res.F, f, res.Program, opts)
			c.RelErr = math.Max(c.RelErr, e)
			c.OK = c.OK && e < numeric.DefaultTol
		}
		checks := []func(numeric.Options) (numeric.Report, error){func(opts numeric.Options) (numeric.Report, error) {
			if d.Gradient != nil {
				return numeric.CheckGradient(f, d.Gradient, d.Wrt, res.Program, opts)
			}
			return numeric.CheckDifferential(f, d.Differential, d.Wrt, res.Program, opts)
		}}
		if d.Hessian != nil {
			checks = append(checks, func(opts numeric.Options) (numeric.Report, error) {
				return numeric.CheckDifferential(d.Gradient, d.Hessian, d.Wrt, res.Program, opts)
			})
		}
		if m := d.HessianMat; m != nil && !d.Wrt.IsScalar() {
			checks = append(checks, func(opts numeric.Options) (numeric.Report, error) {
				if d.Wrt.Shape.Cols == ast.One {
					return numeric.CheckDifferential(d.Gradient, ast.Mul(m, delta), d.Wrt, res.Program, opts)
				}
				// The Kronecker form against the map H[Δ], itself checked above.
				return checkKronecker(m, d.Hessian, d.Wrt, res.Program, opts)
			})
		}
		if j := d.Jacobian; j != nil && (d.Wrt.IsScalar() || res.F.Shape.Cols == ast.One && d.Wrt.Shape.Cols == ast.One) {
			checks = append(checks, func(opts numeric.Options) (numeric.Report, error) {
				return numeric.CheckDifferential(f, ast.Mul(j, delta), d.Wrt, res.Program, opts)
			})
		} else if j != nil {
			checks = append(checks, func(opts numeric.Options) (numeric.Report, error) {
				return checkKronecker(j, d.Differential, d.Wrt, res.Program, opts)
			})
		}
		for _, check := range checks {
			rep, err := retrySizes(res.Program, opts, check)
			if err == nil && !rep.OK && rep.RelErr < borderline {
				// Close to the tolerance: finite differences at N(0, 1)
				// inputs may have lost the digits (high powers, inverses);
				// a wrong derivative is off by O(1) at any input.
				gentle := opts
				gentle.Gentle = true
				rep, err = retrySizes(res.Program, gentle, check)
			}
			if err != nil {
				return nil, err
			}
			c.RelErr = math.Max(c.RelErr, rep.RelErr)
			c.OK = c.OK && rep.OK
		}
	}
	if len(res.Program.Funcs) > 0 {
		c.Note = numeric.StandInNote
	}
	return c, nil
}

// pairing is ⟨g, n⟩ as a person writes it: n itself when g = 1, g·n for scalars.
func pairing(g, n *ast.Node) *ast.Node {
	switch {
	case g.IsNum(1):
		return n
	case n.IsScalar():
		return ast.Mul(g, n)
	}
	return ast.Inner(g, n)
}

// checkKronecker verifies vec(dF[Δ]) = K·vec(Δ) (column-major vec) on random
// inputs and directions; dF itself is checked against finite differences.
func checkKronecker(k, df, v *ast.Node, prog *ast.Program, opts numeric.Options) (numeric.Report, error) {
	rng := rand.New(rand.NewPCG(opts.Seed, 0x6b726f6e))
	rep := numeric.Report{OK: true}
	for range 3 {
		env := numeric.RandomEnv(rng, prog, opts.Sizes)
		env.Deltas = map[string]*mat.Dense{v.Name: numeric.RandomDirection(rng, v, env)}
		km, err := numeric.Eval(k, env)
		if err != nil {
			return rep, err
		}
		dm, err := numeric.Eval(df, env)
		if err != nil {
			return rep, err
		}
		var got mat.Dense
		got.Mul(km, numeric.Vec(env.Deltas[v.Name]))
		want := numeric.Vec(dm)
		var diff mat.Dense
		diff.Sub(&got, want)
		scale := math.Max(mat.Norm(want, 2), 1e-300)
		e := mat.Norm(&diff, 2) / scale
		rep.RelErr = math.Max(rep.RelErr, e)
		rep.OK = rep.OK && e < numeric.DefaultTol
	}
	return rep, nil
}

// retrySizes runs a check with the default sizes and, when no random input
// gave finite values, again with the sizes assigned in the opposite order:
// logdet(Xᵀ·X) needs X tall, which one order of distinct sizes cannot give.
func retrySizes(prog *ast.Program, opts numeric.Options, check func(numeric.Options) (numeric.Report, error)) (numeric.Report, error) {
	rep, err := check(opts)
	if err == nil || !errors.Is(err, numeric.ErrNoFiniteDraw) || opts.Sizes != nil {
		return rep, err
	}
	var names []string
	seen := map[ast.Dim]bool{}
	for _, v := range prog.Vars {
		for _, d := range []ast.Dim{v.Shape.Rows, v.Shape.Cols} {
			if !d.IsNumber() && !seen[d] {
				seen[d] = true
				names = append(names, string(d))
			}
		}
	}
	slices.Sort(names)
	for _, plan := range []func(i int) int{
		func(i int) int { return 3 + len(names) - 1 - i }, // reversed: later names smaller
		func(int) int { return 4 },                        // all equal: square products
	} {
		o := opts
		o.Sizes = map[ast.Dim]int{}
		for i, n := range names {
			o.Sizes[ast.Dim(n)] = plan(i)
		}
		if r, e := check(o); e == nil || !errors.Is(e, numeric.ErrNoFiniteDraw) {
			return r, e
		}
	}
	return rep, err
}

// sameValue returns the largest relative difference between a and b (the
// canonical form of a) on random inputs where both are finite, so that the
// checks made against b also hold for a.
func sameValue(a, b *ast.Node, prog *ast.Program, opts numeric.Options) float64 {
	rng := rand.New(rand.NewPCG(opts.Seed, 0x73616d65))
	worst := 0.0
	for range 3 {
		env := numeric.RandomEnv(rng, prog, opts.Sizes)
		// Near-identity square matrices keep powers and inverses well
		// conditioned, so that rounding in a (inv(X²⁰)) is not taken for a
		// difference; an identity that does not hold still differs by O(1).
		for name, m := range env.Vals {
			if v := prog.Var(name); v == nil || v.Props&ast.Positive != 0 {
				continue
			}
			r, c := m.Dims()
			m.Scale(0.05, m)
			if r == c {
				for i := range r {
					m.Set(i, i, m.At(i, i)+1)
				}
			}
		}
		va, err1 := numeric.Eval(a, env)
		vb, err2 := numeric.Eval(b, env)
		if err1 != nil || err2 != nil || !numeric.Finite(va) || !numeric.Finite(vb) {
			continue
		}
		var diff mat.Dense
		diff.Sub(va, vb)
		scale := math.Max(math.Max(mat.Norm(va, 2), mat.Norm(vb, 2)), 1e-300)
		worst = math.Max(worst, mat.Norm(&diff, 2)/scale)
	}
	return worst
}
