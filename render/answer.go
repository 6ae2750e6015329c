package render

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/mdiff/mdiff/ast"
)

// answer is what every document printer needs from a Result: f, the
// expressions to print for each derivative, and the temporaries shared by
// all of them.
type answer struct {
	r      *ast.Result
	f      *ast.Node
	fNames Names // the names f is printed with: nil unless f is a huge DAG
	vars   []*ast.Node
	ders   []derivative
	temps  []*ast.Node
	names  Names
	// rootNames holds, for each printed root (and each ⟨Δ, G⟩ built from a
	// gradient G), the names it prints: a root does not use a temporary
	// that only other roots share (see tempsByRoot).
	rootNames map[*ast.Node]Names
}

// namesFor returns the names n prints with: its own when n is a root,
// all of them otherwise (temporaries' definitions, steps).
func (a *answer) namesFor(n *ast.Node) Names {
	if nm, ok := a.rootNames[n]; ok {
		return nm
	}
	return a.names
}

// derivative is one --wrt block, with its differential ready to print.
type derivative struct {
	ast.Derivative
	delta *ast.Node // Δ of the variable
	df    *ast.Node // ⟨Δ, G⟩ for a scalar f, the map M(Δ) otherwise
}

// newAnswer checks r and collects what the printers need, its long products
// sharing their prefixes and suffixes ([SharedChains]). The temporaries
// are taken over the derivatives (gradient or differential, Hessian,
// Hessian matrix, Jacobian), not over f, which is printed as the user wrote
// it, nor over the steps.
func newAnswer(r *ast.Result) (*answer, error) {
	if r == nil {
		return nil, errors.New("render: nil result")
	}
	r = SharedChains(r)
	a := &answer{r: r, f: r.F}
	if r.Program != nil {
		a.vars = r.Program.Vars
		if a.f == nil {
			a.f = r.Program.Root
		}
	}
	if a.f == nil {
		return nil, errors.New("render: result without an expression")
	}
	var roots []*ast.Node
	for i, d := range r.Derivatives {
		if d.Wrt == nil {
			return nil, fmt.Errorf("render: derivative %d has no variable", i+1)
		}
		dd := derivative{Derivative: d, delta: ast.Delta(d.Wrt.Name, d.Wrt.Shape)}
		switch {
		case d.Gradient != nil:
			if d.Gradient.Shape != d.Wrt.Shape {
				return nil, fmt.Errorf("render: gradient of shape %v for %s of shape %v", d.Gradient.Shape, d.Wrt.Name, d.Wrt.Shape)
			}
			dd.df = ast.Inner(dd.delta, d.Gradient)
			roots = append(roots, d.Gradient)
		case d.Differential != nil:
			dd.df = d.Differential
			roots = append(roots, d.Differential)
		default:
			return nil, fmt.Errorf("render: derivative with respect to %s has neither differential nor gradient", d.Wrt.Name)
		}
		roots = append(roots, d.Hessian, d.HessianMat, d.Jacobian)
		a.ders = append(a.ders, dd)
	}
	// f is printed as the user wrote it, without temporaries, unless it is
	// a DAG whose tree would be huge (never the case for parsed input, whose
	// tree is as long as its text).
	if treeSize(a.f, maxTreeF) >= maxTreeF {
		roots = append([]*ast.Node{a.f}, roots...)
	}
	var qualified []map[*ast.Node]bool
	a.temps, qualified = tempsByRoot(roots, bigShared)
	a.names = NewNames(a.temps)
	a.rootNames = map[*ast.Node]Names{}
	for i, r := range roots {
		if r == nil || qualified[i] == nil {
			continue
		}
		nm, ok := a.rootNames[r]
		if !ok {
			nm = Names{}
			a.rootNames[r] = nm
		}
		for t := range qualified[i] {
			nm[t] = a.names[t]
		}
	}
	for _, d := range a.ders {
		if d.Gradient != nil {
			a.rootNames[d.df] = a.namesFor(d.Gradient)
		}
	}
	if treeSize(a.f, maxTreeF) >= maxTreeF {
		a.fNames = a.names
	}
	return a, nil
}

// SharedChains returns r with the long matrix products of its derivatives
// re-associated so that the prefix and suffix products they have in common
// are one node each (see shareChains): the form every format prints, with
// those products as temporaries. r is not modified.
func SharedChains(r *ast.Result) *ast.Result {
	var roots []*ast.Node
	for _, d := range r.Derivatives {
		first := d.Gradient
		if first == nil {
			first = d.Differential
		}
		roots = append(roots, first, d.Hessian, d.HessianMat, d.Jacobian)
	}
	roots = shareChains(roots)
	out := *r
	out.Derivatives = make([]ast.Derivative, len(r.Derivatives))
	for i, d := range r.Derivatives {
		out.Derivatives[i] = withRoots(d, roots[4*i:4*i+4])
	}
	return &out
}

// withRoots returns d with its gradient (or differential), Hessian, Hessian
// matrix and Jacobian replaced by roots, in that order.
func withRoots(d ast.Derivative, roots []*ast.Node) ast.Derivative {
	if d.Gradient != nil {
		d.Gradient = roots[0]
	} else {
		d.Differential = roots[0]
	}
	d.Hessian, d.HessianMat, d.Jacobian = roots[1], roots[2], roots[3]
	return d
}

// maxTreeF is the tree size above which f is printed with temporaries.
const maxTreeF = 10000

// treeSize counts the nodes of n's tree (with repetition), up to limit.
func treeSize(n *ast.Node, limit int) int {
	memo := map[*ast.Node]int{}
	var size func(*ast.Node) int
	size = func(m *ast.Node) int {
		if s, ok := memo[m]; ok {
			return s
		}
		s := 1
		for _, a := range m.Args {
			s = min(s+size(a), limit)
		}
		memo[m] = s
		return s
	}
	return size(n)
}

// multi reports whether there are several --wrt blocks, labelled by
// variable.
func (a *answer) multi() bool { return len(a.ders) > 1 }

// wrtList is the argument list of f: "B" or "D, R".
func (a *answer) wrtList(name func(string) string) string {
	var parts []string
	for _, d := range a.ders {
		parts = append(parts, name(d.Wrt.Name))
	}
	return strings.Join(parts, ", ")
}

// relErr formats a relative error the way the check line prints it: one
// significant digit, 2e-11.
func relErr(e float64) string {
	switch {
	case e == 0:
		return "0"
	case math.IsNaN(e) || math.IsInf(e, 0):
		return fmt.Sprint(e)
	}
	return fmt.Sprintf("%.0e", e)
}

// varIn writes the space of a variable: that of its shape, or ℤ (Z,
// \mathbf{Z}) for an integer (k: int).
func varIn(v *ast.Node, nt notation) string {
	if v.Props&ast.Integer == 0 {
		return shapeIn(v.Shape, nt)
	}
	switch nt {
	case notText:
		return "ℤ"
	case notASCII:
		return "Z"
	}
	return `\mathbf{Z}`
}

// shapeIn writes the space of a shape: ℝ, ℝ^{n}, ℝ^{q×p} (text); R,
// R^{n}, R^{q x p} (ASCII); \mathbf{R}^{q\times p} (LaTeX; \mathbb needs
// amssymb, which the LaTeX output must not require).
func shapeIn(s ast.Shape, nt notation) string {
	var field, sep string
	switch nt {
	case notText:
		field, sep = "ℝ", "×"
	case notASCII:
		field, sep = "R", " x "
	default:
		field, sep = `\mathbf{R}`, `\times `
	}
	dim := func(d ast.Dim) string {
		switch nt {
		case notText:
			return string(d)
		case notASCII:
			return strings.ReplaceAll(string(d), "·", "*")
		}
		var parts []string
		for _, part := range strings.Split(string(d), "·") {
			parts = append(parts, latexName(part))
		}
		return strings.Join(parts, `\,`)
	}
	switch {
	case s.IsScalar():
		return field
	case s.IsColVector():
		return field + "^{" + dim(s.Rows) + "}"
	}
	return field + "^{" + dim(s.Rows) + sep + dim(s.Cols) + "}"
}

// funcs are the declared generic functions (g: func), in declaration order.
func (a *answer) funcs() []string {
	if a.r.Program == nil {
		return nil
	}
	return a.r.Program.Funcs
}
