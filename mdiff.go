// Package mdiff is the library facade: one call runs the whole pipeline of
// DESIGN.md — parse, check shapes, differentiate, simplify to ⟨Δ, G⟩, and
// verify the answer numerically.
package mdiff

import (
	"fmt"
	"math"
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

// CheckFailedError is returned, with the result, when the numerical check
// disagrees with the derived answer.
type CheckFailedError struct{ RelErr float64 }

func (e *CheckFailedError) Error() string {
	return fmt.Sprintf("numerical check failed: relative error %.1e between the derived answer and finite differences", e.RelErr)
}

// Parse parses and type-checks src under the declarations of let.
func Parse(src string, let []string) (*ast.Program, error) {
	var decls []ast.Decl
	for _, l := range let {
		ds, err := parser.ParseDecls(l)
		if err != nil {
			return nil, err
		}
		decls = append(decls, ds...)
	}
	e, err := parser.Parse(src)
	if err != nil {
		return nil, err
	}
	return ast.Check(src, e, decls)
}

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
				return nil, &ast.Error{Src: prog.Src, Msg: fmt.Sprintf("--wrt %s: %s does not occur in the expression", name, name), Spans: []ast.Span{{Pos: 0, End: ast.Pos(len(prog.Src))}}}
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
	var rec rules.Recorder
	if opts.Steps {
		rec = func(rule string, lhs, rhs *ast.Node) {
			d.Steps = append(d.Steps, ast.Step{Rule: rule, Lhs: lhs, Rhs: rhs})
		}
	}
	raw, err := rules.Differential(f, v, rec)
	if err != nil {
		return nil, err
	}
	d.Differential = simplify.Simplify(raw)
	if !f.IsScalar() {
		return d, nil
	}
	delta := ast.Delta(v.Name, v.Shape)
	g, err := simplify.Gradient(d.Differential, delta, nil)
	if err != nil {
		return nil, err
	}
	if v.Props&(ast.Symmetric|ast.PosDef) != 0 {
		g = simplify.Symmetrize(g)
	}
	d.Gradient = g
	return d, nil
}

// Verify checks every derivative of res numerically and returns the largest
// relative error.
func Verify(res *ast.Result, opts numeric.Options) (*ast.Verification, error) {
	c := &ast.Verification{OK: true}
	for _, d := range res.Derivatives {
		var rep numeric.Report
		var err error
		if d.Gradient != nil {
			rep, err = numeric.CheckGradient(res.F, d.Gradient, d.Wrt, res.Program, opts)
		} else {
			rep, err = numeric.CheckDifferential(res.F, d.Differential, d.Wrt, res.Program, opts)
		}
		if err != nil {
			return nil, err
		}
		c.RelErr = math.Max(c.RelErr, rep.RelErr)
		c.OK = c.OK && rep.OK
	}
	if len(res.Program.Funcs) > 0 {
		c.Note = numeric.StandInNote
	}
	return c, nil
}
