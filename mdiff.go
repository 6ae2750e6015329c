// Package mdiff is the library facade: one call runs the whole pipeline of
// DESIGN.md — parse, check shapes, differentiate, simplify to ⟨Δ, G⟩, and
// verify the answer numerically.
package mdiff

import (
	"errors"
	"fmt"
	"strings"

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

// Derive computes f and its derivatives for every variable of opts.Wrt and,
// unless opts.NoCheck, verifies them against central finite differences. A
// failed check returns the result together with a *CheckFailedError, a check
// that could compare nothing together with an *UncheckedError.
func Derive(src string, opts Options) (*ast.Result, error) {
	prog, err := Parse(src, opts.Let)
	if err != nil {
		return nil, err
	}
	wrts, err := variables(prog, opts.Wrt)
	if err != nil {
		return nil, err
	}
	res := &ast.Result{Program: prog, F: prog.Root}
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
	return res, err
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
			var none *simplify.NoJacobianError
			if errors.As(err, &none) {
				err = nil
			}
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
