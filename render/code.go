package render

// The shared lowering of the code formats (numpy, torch, octave, go;
// DESIGN.md): a Result becomes a list of functions, each a straight-line
// program — load and check every input, define the temporaries T_k once,
// return the results — that a language then only spells. What the value and
// the gradient both need is one temporary of value_and_gradient, computed
// once.

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/mdiff/mdiff/ast"
)

// Function kinds of a generated module (SPEC §5), in snake case; each
// language re-cases them (Go: Value, ValueAndGradient, HessianMatrix).
const (
	fnValue         = "value"
	fnValueAndGrad  = "value_and_gradient"
	fnGradient      = "gradient"
	fnDifferential  = "differential"
	fnHessian       = "hessian"
	fnHessianMatrix = "hessian_matrix"
)

// codeFunc is one function of a module: straight-line statements over
// temporaries and the results they feed.
type codeFunc struct {
	kind    string      // fnValue, …
	wrt     *ast.Node   // the variable of a derivative function, or nil
	multi   bool        // several --wrt: the name carries the variable
	delta   *ast.Node   // the direction parameter, or nil
	doc     string      // what the function returns
	temps   []*ast.Node // T_k = temps[k-1], in order of definition
	names   Names
	results []*ast.Node // returned, in order
	shapes  []ast.Shape // the exact shape of each result
}

// codeModule is the language-independent lowering of a Result.
type codeModule struct {
	a     *answer
	vars  []*ast.Node // every variable: each function loads and checks all of them
	funcs []string    // generic functions applied (g), in order
	fns   []codeFunc
	sizes []ast.Dim // the symbolic sizes, in order of first appearance in vars
}

// lowerCode builds the functions of a code module for a: value; for a
// scalar f value_and_gradient; per variable gradient (scalar f),
// differential, and with a Hessian hessian and, where a matrix exists,
// hessian_matrix. It fails when a size no input fixes is needed.
func lowerCode(a *answer) (*codeModule, error) {
	m := &codeModule{a: a, vars: a.vars}
	if a.r.Program != nil {
		m.funcs = a.r.Program.Funcs
	}
	seen := map[ast.Dim]bool{}
	for _, v := range m.vars {
		for _, d := range []ast.Dim{v.Shape.Rows, v.Shape.Cols} {
			if !d.IsNumber() && !seen[d] {
				seen[d] = true
				m.sizes = append(m.sizes, d)
			}
		}
	}
	add := func(kind string, d *derivative, delta *ast.Node, doc string, roots []*ast.Node, shapes []ast.Shape) {
		f := codeFunc{kind: kind, multi: a.multi(), delta: delta, doc: doc, results: roots, shapes: shapes}
		if d != nil {
			f.wrt = d.Wrt
		}
		f.temps = codeTemps(roots...)
		f.names = NewNames(f.temps)
		m.fns = append(m.fns, f)
	}
	// f in canonical form, whose subexpressions are those of the gradient.
	fv := a.f
	if c := a.r.Canonical; c != nil && c.Shape == a.f.Shape {
		fv = c
	}
	add(fnValue, nil, nil, "f itself", []*ast.Node{fv}, []ast.Shape{a.f.Shape})
	scalar := a.f.IsScalar()
	if scalar && len(a.ders) > 0 {
		roots, shapes := []*ast.Node{fv}, []ast.Shape{a.f.Shape}
		var wrts []string
		for _, d := range a.ders {
			roots = append(roots, d.Gradient)
			shapes = append(shapes, d.Wrt.Shape)
			wrts = append(wrts, d.Wrt.Name)
		}
		add(fnValueAndGrad, nil, nil, "f and its gradient with respect to "+strings.Join(wrts, ", then ")+", sharing their temporaries", roots, shapes)
	}
	for i := range a.ders {
		d := &a.ders[i]
		x := d.Wrt.Name
		if d.Gradient != nil {
			add(fnGradient, d, nil, "the gradient with respect to "+x+", of the shape of "+x, []*ast.Node{d.Gradient}, []ast.Shape{d.Wrt.Shape})
		}
		add(fnDifferential, d, d.delta, "the differential of f with respect to "+x+" applied to the direction delta, of the shape of f", []*ast.Node{d.df}, []ast.Shape{a.f.Shape})
		if d.Hessian != nil {
			add(fnHessian, d, d.delta, "the Hessian with respect to "+x+" applied to the direction delta, of the shape of "+x, []*ast.Node{d.Hessian}, []ast.Shape{d.Wrt.Shape})
		}
		if hm := d.HessianMat; hm != nil {
			doc := "the Hessian matrix with respect to " + x
			if !d.Wrt.IsScalar() && d.Wrt.Shape.Cols != ast.One {
				doc += ", acting on vec of the direction, its columns stacked"
			}
			add(fnHessianMatrix, d, nil, doc, []*ast.Node{hm}, []ast.Shape{hm.Shape})
		}
	}
	// Every size a function uses must come from an input.
	for _, f := range m.fns {
		for _, d := range usedSizes(f) {
			if !seen[d] {
				return nil, fmt.Errorf("render: no input fixes the size %s", d)
			}
		}
	}
	return m, nil
}

// kronHessian reports whether a function is a Hessian matrix of a matrix
// variable (on vec(Δ)), whose convention the module's header states.
func (m *codeModule) kronHessian() bool {
	for _, f := range m.fns {
		if f.kind == fnHessianMatrix && !f.wrt.IsScalar() && f.wrt.Shape.Cols != ast.One {
			return true
		}
	}
	return false
}

// usedSizes lists the symbolic sizes a function's nodes and results use.
func usedSizes(f codeFunc) []ast.Dim {
	var out []ast.Dim
	seen := map[ast.Dim]bool{}
	note := func(s ast.Shape) {
		for _, d := range []ast.Dim{s.Rows, s.Cols} {
			for _, p := range strings.Split(string(d), "·") {
				if dd := ast.Dim(p); !dd.IsNumber() && !seen[dd] {
					seen[dd] = true
					out = append(out, dd)
				}
			}
		}
	}
	visited := map[*ast.Node]bool{}
	var walk func(n *ast.Node)
	walk = func(n *ast.Node) {
		if visited[n] {
			return
		}
		visited[n] = true
		if n.Kind == ast.KSize {
			note(ast.Shape{Rows: ast.Dim(n.Name), Cols: ast.One})
		}
		note(n.Shape)
		for _, a := range n.Args {
			walk(a)
		}
	}
	for _, r := range f.results {
		walk(r)
	}
	for _, s := range f.shapes {
		note(s)
	}
	return out
}

// funcsUsed lists the generic functions (keys "g", "g'") f applies.
func (f codeFunc) funcsUsed() map[string]bool {
	out := map[string]bool{}
	seen := map[*ast.Node]bool{}
	var walk func(n *ast.Node)
	walk = func(n *ast.Node) {
		if seen[n] {
			return
		}
		seen[n] = true
		if n.Kind == ast.KApply {
			if key, _, err := genericKey(n); err == nil {
				out[key] = true
			}
		}
		for _, a := range n.Args {
			walk(a)
		}
	}
	for _, r := range f.results {
		walk(r)
	}
	return out
}

// name is the snake-case name of f: gradient, gradient_X (several --wrt).
func (f codeFunc) name(word func(string) string) string {
	if f.wrt != nil && f.multi {
		return f.kind + "_" + word(f.wrt.Name)
	}
	return f.kind
}

// sizeBinding says where a size is read: the axis of a variable.
type sizeBinding struct {
	dim  ast.Dim
	v    *ast.Node
	axis int // 0 rows, 1 columns
}

// bindings lists, for every symbolic size, the first variable and axis
// that has it (vars in order, rows before columns).
func (m *codeModule) bindings() []sizeBinding {
	var out []sizeBinding
	seen := map[ast.Dim]bool{}
	for _, v := range m.vars {
		for axis, d := range []ast.Dim{v.Shape.Rows, v.Shape.Cols} {
			if !d.IsNumber() && !seen[d] {
				seen[d] = true
				out = append(out, sizeBinding{d, v, axis})
			}
		}
	}
	return out
}

// shapeLabel writes a shape for a message: "scalar", "n", "n x p".
func shapeLabel(s ast.Shape) string { return s.ASCII() }

// codePrinter writes the nodes of one function in one language: the
// temporaries print as their names, everything else through spell.
type codePrinter struct {
	self  *ast.Node // the node being defined: printed in full
	names Names
	delta *ast.Node
	// identifiers, given by the language
	varID   func(name string) string
	deltaID string
	sizeID  func(d ast.Dim) string
	funcID  func(key string) string // "g" or "g'"
	tempID  func(k int) string
	spell   func(p *codePrinter, n *ast.Node) (string, int)
	lang    string
	used    map[string]bool  // helpers used, by name
	ops     map[*ast.Op]bool // operations whose row's helper the function calls
	err     error
}

// expr writes n and returns its precedence.
func (p *codePrinter) expr(n *ast.Node) (string, int) {
	if p.isName(n) {
		return p.tempID(p.names[n]), precAtom
	}
	if n.Kind == ast.KDelta && (p.delta == nil || n.Name != p.delta.Name) {
		return p.fail("direction of %s outside its differential", n.Name), precAtom
	}
	return p.spell(p, n)
}

// isName reports whether n prints as a temporary's name here.
func (p *codePrinter) isName(n *ast.Node) bool { return n != p.self && p.names[n] != 0 }

// defn writes n in full (not as its own temporary name).
func (p *codePrinter) defn(n *ast.Node) string {
	p.self = n
	s, _ := p.expr(n)
	return s
}

// at writes n in a context that requires precedence ctx.
func (p *codePrinter) at(n *ast.Node, ctx int) string {
	s, prec := p.expr(n)
	if prec < ctx {
		return "(" + s + ")"
	}
	return s
}

// operand writes a non-leading operand, parenthesised if it starts with a
// minus sign.
func (p *codePrinter) operand(n *ast.Node, ctx int) string {
	s := p.at(n, ctx)
	if strings.HasPrefix(s, "-") {
		return "(" + s + ")"
	}
	return s
}

func (p *codePrinter) fail(format string, args ...any) string {
	if p.err == nil {
		p.err = fmt.Errorf("render: "+p.lang+": "+format, args...)
	}
	return "0"
}

// dim writes a size: a number, s_n, or the product (s_n * s_p) of a
// Kronecker size.
func (p *codePrinter) dim(d ast.Dim) string {
	var out []string
	for _, part := range strings.Split(string(d), "·") {
		if _, err := strconv.Atoi(part); err == nil {
			out = append(out, part)
			continue
		}
		out = append(out, p.sizeID(ast.Dim(part)))
	}
	if len(out) == 1 {
		return out[0]
	}
	return "(" + strings.Join(out, " * ") + ")"
}

// help marks a helper as used and returns its name.
func (p *codePrinter) help(name string) string {
	p.used[name] = true
	return name
}

// rat writes a number literal with a decimal point where it is an integer
// (so that it is a float in every language) and its precedence.
func codeRat(r *big.Rat, float bool) (string, int) {
	abs := new(big.Rat).Abs(r)
	s, frac := ratText(abs)
	prec := precAtom
	if frac {
		num := abs.Num().String()
		if float {
			num += ".0"
		}
		s = num + " / " + abs.Denom().String()
		prec = precProd
	} else if float && !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	if r.Sign() < 0 {
		s = "-" + s
		prec = min(prec, precUnary)
	}
	return s, prec
}

// genericKey returns the key ("g" or "g'") and word ("g", "g_prime") of a
// generic function applied in n, or an error for a higher derivative.
func genericKey(n *ast.Node) (key, word string, err error) {
	switch n.K {
	case 0:
		return n.Name, n.Name, nil
	case 1:
		return n.Name + "'", n.Name + "_prime", nil
	}
	return "", "", fmt.Errorf("%s%s (derivative of order %d of the generic function %s) cannot be evaluated: only %s and %s_prime are passed in",
		n.Name, strings.Repeat("'", n.K), n.K, n.Name, n.Name, n.Name)
}
