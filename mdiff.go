// Package mdiff is the library facade: one call runs the whole pipeline
// (README.md, "Layout and tests") — parse, check shapes, differentiate,
// simplify to ⟨Δ, G⟩, and verify the answer numerically.
package mdiff

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
	"github.com/mdiff/mdiff/numeric"
	"github.com/mdiff/mdiff/parser"
	"github.com/mdiff/mdiff/render"
	"github.com/mdiff/mdiff/rules"
	"github.com/mdiff/mdiff/simplify"
)

// Options select what Derive computes.
type Options struct {
	Wrt      []string // variables; each entry may hold several names separated by ","
	Let      []string // declarations: each entry one or more, separated by ";" or ","
	Hessian  bool     // add the second derivative (scalar f)
	Jacobian bool     // add the Jacobian (vector- or matrix-valued f)
	Steps    bool     // record the derivation
	NoCheck  bool     // skip the numerical verification
	Seed     uint64   // seed of the random inputs of the check
	// Budget is the number of rewrites the simplifier may make for the
	// call; ≤ 0 means simplify.DefaultBudget. Exceeding it is an error.
	Budget int
	// OnRewrite, when set, is called with every rewrite of the simplifier:
	// the name of its rule and the node before and after (equal in value).
	OnRewrite func(rule string, before, after *ast.Node)
}

// TooLargeError is returned by the numerical check for a variable whose
// declared size is too large to draw (more than 2²⁰ entries).
type TooLargeError struct {
	Name  string
	Shape ast.Shape
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is %v: too large to check numerically; skip the check, or declare symbolic sizes", e.Name, e.Shape)
}

// MaxSource is the longest expression Parse reads, in bytes: a sum of
// 10 000 distinct terms is about 100 kB and is answered in about a second;
// a megabyte is refused at once rather than after minutes and gigabytes.
const MaxSource = 256 << 10

// Parse parses and type-checks src under the declarations of let.
func Parse(src string, let []string) (*ast.Program, error) {
	if len(src) > MaxSource {
		return nil, ast.Errorf(src, ast.Pos(MaxSource), ast.Pos(len(src)),
			fmt.Sprintf("the expression is %d bytes long; mdiff reads at most %d (split it, or name its parts)", len(src), MaxSource))
	}
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
	for _, d := range directionNames {
		if prog.Var(d) != nil {
			i := max(strings.Index(src, d), 0)
			return nil, ast.Errorf(src, ast.Pos(i), ast.Pos(i+len(d)), "Δ (Delta) is the name of the direction in every answer; please call this variable something else")
		}
	}
	prog.Notes = append(prog.Notes, misspelledDecls(decls, prog)...)
	return prog, nil
}

// misspelledDecls notes each declaration that f does not use while an
// undeclared name of f is close to it (Omgea declared, Omega used): the
// declaration was probably meant for that name, which has its default shape
// instead. A declaration f does not use is otherwise fine (one declaration
// file serves many expressions).
func misspelledDecls(decls []ast.Decl, prog *ast.Program) []ast.Note {
	declared := map[string]bool{}
	for _, d := range decls {
		declared[d.Name] = true
	}
	var undeclared []string
	for _, v := range prog.Vars {
		if !declared[v.Name] {
			undeclared = append(undeclared, v.Name)
		}
	}
	var notes []ast.Note
	for _, d := range decls {
		if d.Func || prog.Var(d.Name) != nil {
			continue
		}
		if near := ast.Nearest(d.Name, undeclared); near != "" {
			notes = append(notes, ast.Note{Msg: fmt.Sprintf("%s is declared but f does not use it: did you mean %s, which is undeclared (%s)?", d.Name, near, prog.Var(near).Shape)})
		}
	}
	return notes
}

// directionNames are the spellings of the direction Δ in input (SPEC §2).
var directionNames = []string{"Δ", "Delta", `\Delta`}

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
	sf := simplify.New() // the rewriting state of this call
	if opts.Budget > 0 {
		sf.SetBudget(opts.Budget)
	}
	sf.OnRewrite(opts.OnRewrite)
	res.Canonical = sf.Simplify(prog.Root)
	for _, v := range wrts {
		d, err := derive(sf, prog.Root, v, opts)
		if err != nil {
			return nil, positioned(prog, atCall(src, err))
		}
		res.Derivatives = append(res.Derivatives, *d)
	}
	// The answer as every format prints it, long products sharing their
	// prefixes and suffixes: the check evaluates what is printed, in time
	// linear in the chain (the written-out gradient of a chain of L
	// factors has L² of them).
	res = render.SharedChains(res)
	if opts.NoCheck {
		return res, nil
	}
	res.Check, err = Verify(res, numeric.Options{Seed: opts.Seed})
	return res, err
}

// atCall puts a caret under the operation an error of the derivation names
// (a Kronecker product or vec whose adjoint mdiff cannot write): at its
// first call in src, or under the whole expression.
func atCall(src string, err error) error {
	var na *simplify.NoAdjointError
	if !errors.As(err, &na) {
		return err
	}
	op := na.Node.Op
	pos, end := 0, len(src)
	for _, name := range append([]string{op.Name}, op.Aliases...) {
		if i := strings.Index(src, name+"("); i >= 0 {
			pos, end = i, i+len(name)
			break
		}
	}
	if op.Infix && pos == 0 && end == len(src) {
		if i := strings.Index(src, op.Print.Text); i >= 0 {
			pos, end = i, i+len(op.Print.Text)
		}
	}
	return ast.Errorf(src, ast.Pos(pos), ast.Pos(end), err.Error())
}

// positioned puts an operation without a rule under the caret: the error
// shows the expression with the operation's source underlined.
func positioned(prog *ast.Program, err error) error {
	var budget *simplify.BudgetError
	if errors.As(err, &budget) {
		return &ast.Error{Src: prog.Src, Msg: err.Error(), Spans: []ast.Span{{Pos: 0, End: ast.Pos(len(prog.Src))}}}
	}
	var unsup *rules.UnsupportedError
	if errors.As(err, &unsup) {
		return prog.ErrorAt(unsup.Node, err.Error())
	}
	return err
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
				var names []string
				for _, x := range prog.Vars {
					names = append(names, x.Name)
				}
				return nil, &ast.Error{Src: prog.Src, Msg: fmt.Sprintf("f does not depend on %s", name), Spans: []ast.Span{{Pos: 0, End: ast.Pos(len(prog.Src))}},
					Suggest: ast.Nearest(name, names)}
			}
			if v.Props&ast.Integer != 0 {
				return nil, &ast.Error{Src: prog.Src, Msg: fmt.Sprintf("%s is an integer (%s: int); there is no derivative with respect to it", name, name), Spans: []ast.Span{{Pos: 0, End: ast.Pos(len(prog.Src))}}}
			}
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no variable to differentiate with respect to")
	}
	return out, nil
}

// derive differentiates f with respect to v. A simplifier that ran out of
// its step budget is an error (*simplify.BudgetError).
func derive(sf *simplify.Simplifier, f, v *ast.Node, opts Options) (*ast.Derivative, error) {
	d, err := deriveAll(sf, f, v, opts)
	if err == nil {
		err = sf.Err()
	}
	if err != nil {
		return nil, err
	}
	return d, nil
}

// deriveAll is derive without the budget's verdict.
func deriveAll(sf *simplify.Simplifier, f, v *ast.Node, opts Options) (*ast.Derivative, error) {
	d := &ast.Derivative{Wrt: v}
	delta := ast.Delta(v.Name, v.Shape)
	var rec rules.Recorder
	if opts.Steps {
		rec = func(rule string, lhs, rhs *ast.Node) {
			d.Steps = append(d.Steps, ast.Step{Kind: ast.StepRule, Rule: rule, Lhs: lhs, Rhs: rhs})
		}
	}
	// Differentiate the canonical form of f: (X⁻⁹)⁻² is X¹⁸, whose differential is smaller and better conditioned.
	canon := sf.Simplify(f)
	if opts.Steps && canon != f { // the rules differentiate a node the user did not write: say so
		d.Steps = append(d.Steps, ast.Step{Kind: ast.StepIdentity, Rule: "canonical form: signs, transposes at the leaves, like terms", Lhs: f, Rhs: canon, Literal: true})
	}
	raw, err := rules.Differential(canon, v, rec)
	if err != nil {
		return nil, err
	}
	d.Differential = sf.Simplify(raw)
	if opts.Steps && raw != d.Differential {
		d.Steps = append(d.Steps, ast.Step{Kind: ast.StepIdentity, Rule: "collect: (AB)ᵀ = BᵀAᵀ, sᵀ = s for a scalar, like terms", Lhs: raw, Rhs: d.Differential})
	}
	if opts.Steps {
		perturbed := ast.Substitute(f, v, ast.Add(v, delta))
		d.Steps = append([]ast.Step{{Kind: ast.StepPerturb, Rule: "keep the part linear in Δ", Lhs: perturbed, Rhs: ast.Add(f, d.Differential)}}, d.Steps...)
	}
	if !f.IsScalar() {
		if opts.Hessian {
			return nil, fmt.Errorf("the Hessian needs a scalar f; f has shape %v (its Jacobian exists)", f.Shape)
		}
		if opts.Jacobian {
			jacobian(sf, d, f, delta)
		}
		return d, nil
	}
	var arec simplify.AdjointRecorder
	if opts.Steps {
		arec = func(id string, n, g *ast.Node, args, cots []*ast.Node) {
			var rhs []*ast.Node
			for i, a := range args {
				rhs = append(rhs, pairing(sf.Simplify(cots[i]), a))
			}
			if lhs, r := pairing(g, n), ast.Add(rhs...); lhs != r {
				d.Steps = append(d.Steps, ast.Step{Kind: ast.StepIdentity, Rule: id, Lhs: lhs, Rhs: r})
			}
		}
	}
	g, err := sf.Gradient(d.Differential, delta, arec)
	if err != nil {
		return nil, err
	}
	if v.Props&ast.Diagonal != 0 {
		if gd := diagonalPart(sf, g); gd != g {
			if opts.Steps {
				d.Steps = append(d.Steps, ast.Step{Kind: ast.StepIdentity, Rule: "Δ is diagonal: ⟨Δ, G⟩ = ⟨Δ, I ⊙ G⟩", Lhs: ast.Inner(delta, g), Rhs: ast.Inner(delta, gd)})
			}
			g = gd
		}
	} else if v.Props&(ast.Symmetric|ast.PosDef) != 0 {
		if gs := sf.Symmetrize(g); gs != g {
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
			return nil, fmt.Errorf("--hessian: the differential of the gradient: %w", err)
		}
		d.Hessian = sf.Simplify(h)
		switch {
		case v.IsScalar():
			d.HessianMat, err = sf.Gradient(d.Hessian, delta, nil)
		case v.Shape.Cols == ast.One:
			// The map H[Δ] is the answer; the matrix is added where it has a closed form.
			d.HessianMat, err = sf.JacobianMatrix(d.Hessian, delta)
		default:
			// vec(H[Δ]) = K·vec(Δ) where every term of H is A·Δ·B: K = Σ Bᵀ ⊗ A.
			d.HessianMat, err = sf.Kronecker(d.Hessian, delta)
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
		d.Jacobian = sf.Simplify(ast.Transpose(g))
	}
	return d, nil
}

// jacobian adds the Jacobian of a vector- or matrix-valued f: a matrix for a
// vector variable and vector value, the Kronecker form otherwise, or the
// reason there is none.
func jacobian(sf *simplify.Simplifier, d *ast.Derivative, f, delta *ast.Node) {
	var j *ast.Node
	var err error
	if delta.IsScalar() { // dF = M·dt: the Jacobian is M, of the shape of f
		d.Jacobian = sf.Simplify(ast.Substitute(d.Differential, delta, ast.Int(1)))
		return
	}
	if delta.Shape.Cols == ast.One && f.Shape.Cols == ast.One {
		j, err = sf.JacobianMatrix(d.Differential, delta)
	} else {
		j, err = sf.Kronecker(d.Differential, delta)
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

// diagonalPart returns I ⊙ g, written diag(diag(g)), for the gradient g of
// a diagonal variable: its directions Δ are diagonal, so ⟨Δ, g⟩ = ⟨Δ, I ⊙ g⟩
// and I ⊙ g is the gradient on the diagonal matrices. A g that is already
// diagonal (diag(x), c·I, a diagonal variable) is returned as is.
func diagonalPart(sf *simplify.Simplifier, g *ast.Node) *ast.Node {
	if g.IsDiagonal() {
		return g
	}
	if g.Kind == ast.KAdd { // diag(A + B) = diag(A) + diag(B): each term may simplify
		var terms []*ast.Node
		for _, t := range g.Args {
			terms = append(terms, builtin.DiagVec.Of(t))
		}
		return sf.Simplify(builtin.DiagMat.Of(ast.Add(terms...)))
	}
	return sf.Simplify(builtin.DiagMat.Of(builtin.DiagVec.Of(g)))
}
