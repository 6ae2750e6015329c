package mdiff

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/numeric"
	"github.com/mdiff/mdiff/parser"
	"github.com/mdiff/mdiff/render"
	"github.com/mdiff/mdiff/simplify"
)

// CheckOptions configure CheckCandidate.
type CheckOptions struct {
	Wrt       string
	Let       []string
	Candidate string // a gradient (scalar f) or a differential in Δ (matrix-valued f); "" checks mdiff's own answer
	Seed      uint64
	Draws     int
}

// CheckReport is the outcome of CheckCandidate.
type CheckReport struct {
	Label      string // what was checked, e.g. "∇_B f = 2·Ω·B"
	RelErr     float64
	OK         bool
	Draws      int
	Tol        float64
	Mismatches []numeric.Mismatch
	Note       string
	Notes      []ast.Note // the notes of inference (ast.Program.Notes), for standard error
}

// String is the report as mdiff check prints it.
func (r *CheckReport) String() string {
	var sb strings.Builder
	mark, verb := "✓", "agrees with"
	if !r.OK {
		mark, verb = "✗", "disagrees with"
	}
	fmt.Fprintf(&sb, "%s %s %s finite differences: relative error %.1e (%d random draws, tolerance %.0e)\n", mark, r.Label, verb, r.RelErr, r.Draws, r.Tol)
	for _, m := range r.Mismatches {
		fmt.Fprintf(&sb, "  entry (%d,%d): candidate %.6g, finite differences %.6g\n", m.Row+1, m.Col+1, m.Got, m.Want)
	}
	if r.Note != "" {
		fmt.Fprintf(&sb, "  (%s)\n", r.Note)
	}
	return sb.String()
}

// CheckCandidate compares a candidate derivative of src (or, without one,
// mdiff's own) with central finite differences on random inputs that respect
// the declarations. A candidate of the wrong shape is an error.
//
// The candidate is a gradient (of the shape of the variable, for a scalar
// f) or a differential: an expression in the direction Δ (also written
// Delta), such as <Delta, G> or, for a matrix-valued f, -inv(X)*Delta*inv(X),
// optionally after the head "Delta ->" with which mdiff prints the map. It
// may end with a where clause and may spell a Greek name of the expression
// out (Omega for Ω), so every line mdiff prints as the gradient or the
// differential, in any format, is a candidate as it stands.
func CheckCandidate(src string, opts CheckOptions) (*CheckReport, error) {
	prog, err := Parse(src, opts.Let)
	if err != nil {
		return nil, err
	}
	wrts, err := variables(prog, []string{opts.Wrt})
	if err != nil {
		return nil, err
	}
	v := wrts[0]
	f := prog.Root
	nopts := numeric.Options{Seed: opts.Seed, Draws: opts.Draws}
	rep := &CheckReport{Draws: nopts.Draws, Tol: numeric.DefaultTol, Notes: prog.Notes}
	if rep.Draws <= 0 {
		rep.Draws = numeric.DefaultDraws
	}
	if len(prog.Funcs) > 0 {
		rep.Note = numeric.StandInNote
	}
	var nrep numeric.Report
	if opts.Candidate == "" {
		d, err := derive(simplify.New(), f, v, Options{})
		if err != nil {
			return nil, positioned(prog, err)
		}
		if d.Gradient != nil {
			rep.Label = fmt.Sprintf("mdiff's ∇_%s f = %s", v.Name, render.TextWhere(d.Gradient, render.Plain()))
			nrep, err = compared(prog, nopts, func() string { return rep.Label }, func(o numeric.Options) (numeric.Report, error) {
				return numeric.CheckGradient(f, d.Gradient, v, prog, o)
			})
		} else {
			rep.Label = fmt.Sprintf("mdiff's df = %s", render.TextWhere(d.Differential, render.Plain()))
			nrep, err = compared(prog, nopts, func() string { return rep.Label }, func(o numeric.Options) (numeric.Report, error) {
				return numeric.CheckDifferential(f, d.Differential, v, prog, o)
			})
		}
		if err != nil {
			return nil, err
		}
	} else {
		cand, err := parseCandidate(opts.Candidate, prog, v, opts.Let)
		if err != nil {
			return nil, err
		}
		if f.IsScalar() && !cand.HasDelta() {
			if cand.Shape != v.Shape {
				return nil, ast.Errorf(opts.Candidate, 0, ast.Pos(len(opts.Candidate)),
					fmt.Sprintf("the candidate gradient has shape %v, but a gradient with respect to %s has the shape of %s: %v", cand.Shape, v.Name, v.Name, v.Shape))
			}
			rep.Label = fmt.Sprintf("∇_%s f = %s", v.Name, render.TextWhere(cand, render.Plain()))
			nrep, err = compared(prog, nopts, func() string { return rep.Label }, func(o numeric.Options) (numeric.Report, error) { return numeric.CompareGradient(cand, f, v, prog, o) })
		} else {
			if cand.Shape != f.Shape || !cand.HasDelta() {
				return nil, ast.Errorf(opts.Candidate, 0, ast.Pos(len(opts.Candidate)),
					fmt.Sprintf("f is not scalar: the candidate must be its differential, an expression in Δ of shape %v (it has shape %v)", f.Shape, cand.Shape))
			}
			rep.Label = fmt.Sprintf("df = %s", render.TextWhere(cand, render.Plain()))
			nrep, err = compared(prog, nopts, func() string { return rep.Label }, func(o numeric.Options) (numeric.Report, error) { return numeric.CheckDifferential(f, cand, v, prog, o) })
		}
		if err != nil {
			return nil, err
		}
	}
	rep.RelErr, rep.OK, rep.Mismatches, rep.Draws = nrep.RelErr, nrep.OK, nrep.Mismatches, nrep.Draws
	return rep, nil
}

// parseCandidate type-checks a candidate in the context of prog: its names
// keep the shapes they have in the expression, and Δ is the direction of v.
func parseCandidate(src string, prog *ast.Program, v *ast.Node, let []string) (*ast.Node, error) {
	decls, err := parseLets(let)
	if err != nil {
		return nil, err
	}
	declared := map[string]bool{}
	for _, d := range decls {
		declared[d.Name] = true
	}
	spelled := map[string]*ast.Node{} // Omega for Ω, as --format ascii writes it
	for _, x := range prog.Vars {
		if !declared[x.Name] {
			decls = append(decls, ast.Decl{Name: x.Name, Shape: x.Shape, Props: x.Props})
		}
		if a := render.ASCIIName(x.Name); a != x.Name && prog.Var(a) == nil && !declared[a] {
			spelled[a] = x
			decls = append(decls, ast.Decl{Name: a, Shape: x.Shape, Props: x.Props})
		}
	}
	for _, d := range directionNames {
		if !declared[d] {
			decls = append(decls, ast.Decl{Name: d, Shape: v.Shape})
		}
	}
	e, err := parser.Parse(stripMapsTo(src))
	if err != nil {
		return nil, err
	}
	want := v.Shape
	if !prog.Root.IsScalar() {
		want = prog.Root.Shape // the candidate is the differential
	}
	cp, err := ast.CheckAs(src, e, decls, want)
	if err != nil {
		return nil, err
	}
	n := cp.Root
	for _, x := range cp.Vars {
		switch {
		case slices.Contains(directionNames, x.Name):
			n = ast.Substitute(n, x, ast.Delta(v.Name, v.Shape))
		case spelled[x.Name] != nil:
			n = ast.Substitute(n, x, spelled[x.Name])
		case prog.Var(x.Name) == nil:
			return nil, ast.Errorf(src, 0, ast.Pos(len(src)), fmt.Sprintf("the candidate uses %s, which does not occur in the expression", x.Name))
		}
	}
	return n, nil
}

// mapsTo matches the head "Δ ↦ " (or "Delta -> ") of a differential as
// mdiff prints it for a matrix-valued f.
var mapsTo = regexp.MustCompile(`^\s*(Δ|Delta|\\Delta)\s*(->|↦|\\mapsto)`)

// stripMapsTo blanks the head "Delta -> " of a pasted differential, keeping
// byte offsets, so that the printed line is a candidate as it stands.
func stripMapsTo(src string) string {
	if m := mapsTo.FindStringIndex(src); m != nil {
		return strings.Repeat(" ", m[1]) + src[m[1]:]
	}
	return src
}
