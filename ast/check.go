// This file implements Check: shape inference over the syntax tree and its
// lowering to the typed, hash-consed Node.

package ast

import (
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// IsBuiltinName reports whether name is a built-in operation (a row of the
// operation table, registered with [Register]) or inv. Such names, and the
// constants I and ones, cannot be declared.
func IsBuiltinName(name string) bool {
	return name == "inv" || len(LookupOp(name)) > 0
}

// MaxMatPow bounds |k| in a matrix power A^k: its differential has k terms.
const MaxMatPow = 100

// Check type-checks the syntax tree e of src against decls: it infers the
// shape of every subexpression and lowers e to a typed [Node].
//
// Shapes come from the declarations and, for undeclared names, from
// unification over dimension variables: a name is first assumed to be a
// matrix (upper-case first letter), a column vector (lower-case Latin) or a
// scalar (anything else, e.g. lower-case Greek), with free sizes, and the
// operators then constrain the sizes. A Greek letter spelled out (lambda,
// Sigma; [GreekNames]) counts as the letter. The power X^k of a non-scalar
// X with a symbolic exponent is a matrix power ([KMatPowSym]) whose
// exponent must be an integer expression; its undeclared names are taken as
// integers (k: int). Program.Notes says where a name's inferred shape is
// not its default (see notes.go). Distinct declared sizes never unify
// (n ≠ p ≠ 3), but a free size unifies with anything. Sizes still free at the
// end get fresh names (n, m, p, q, r, k, n1, n2, …) that clash with no
// declared size and no name of the expression. I (also eye) is the identity
// and ones (𝟙) the all-ones matrix, both sized by context; a side of 𝟙 that
// nothing sizes is 1, so 𝟙ᵀ*x is the sum of x; vector(c) and matrix(c) are
// c·𝟙. A call of a built-in takes its arity and shape rule from its row of
// the operation table ([LookupOp]); pi and π are its constant π. The sides
// of kron(A, B) and the length of vec(A) are products of the operands'
// sizes, which unify factor by factor. Operations on number literals are
// folded (2*3 is 6, A/2 is A·1/2, -2 is the number -2).
//
// The error, if any, is an *Error: for the expression, with Src = src and
// spans under the operands involved (a shape conflict shows both); for a bad
// declaration, with the Src of that declaration. Check does not panic on any
// syntax tree produced by the parser.
func Check(src string, e Expr, decls []Decl) (*Program, error) {
	return check(src, e, decls, nil, true)
}

// CheckAs is Check for an expression whose shape is known in advance (a
// candidate gradient has the shape of its variable): sizes that nothing else
// fixes, such as those of I or ones, take it. A conflicting shape is not an
// error here; the caller compares Root.Shape with want.
func CheckAs(src string, e Expr, decls []Decl, want Shape) (*Program, error) {
	return check(src, e, decls, &want, false)
}

// check is Check, and CheckAs with want; withNotes adds Program.Notes.
func check(src string, e Expr, decls []Decl, want *Shape, withNotes bool) (prog *Program, err error) {
	// A syntax node per two bytes of source is about as dense as an
	// expression gets (tr(A1*X) + … has one per 1.8): the maps sized so
	// do not grow again and again for a wide expression.
	nodes := len(src) / 2
	c := &checker{
		src:        src,
		decls:      map[string]*Decl{},
		names:      map[string]typ{},
		types:      make(map[Expr]typ, nodes),
		lowered:    make(map[Expr]*Node, nodes),
		sizes:      map[Dim]dim{},
		prod:       map[dim][2]dim{},
		powers:     map[*Power]*big.Rat{},
		callOp:     map[*Call]*Op{},
		kron:       map[*Binary]*Call{},
		symPowers:  map[*Power]bool{},
		ints:       map[string]*Power{},
		spans:      make(map[*Node]Span, nodes),
		why:        map[string]reason{},
		mulOps:     map[string]bool{},
		transposed: map[string]bool{},
		taken:      map[Dim]bool{},
		seenVar:    map[string]bool{},
		seenFunc:   map[string]bool{},
	}
	defer func() {
		// The constructors panic with *ShapeError on misuse; inference
		// guarantees that cannot happen, but a bug must not crash the CLI.
		if r := recover(); r != nil {
			se, ok := r.(*ShapeError)
			if !ok {
				panic(r)
			}
			prog, err = nil, Errorf(src, e.Pos(), e.End(), "internal error: "+se.Error())
		}
	}()
	c.one = c.fixedDim(One)
	if err := c.declare(decls); err != nil {
		return nil, err
	}
	t, err := c.infer(e)
	if err != nil {
		return nil, err
	}
	if want != nil && c.canUnify(t.r, c.fixedDim(want.Rows)) && c.canUnify(t.c, c.fixedDim(want.Cols)) {
		c.unify(t.r, c.fixedDim(want.Rows))
		c.unify(t.c, c.fixedDim(want.Cols))
	}
	c.defaultOnes()
	root, err := c.lower(e)
	if err != nil {
		return nil, err
	}
	prog = &Program{Src: src, Root: root, Vars: c.rootVars(root), Funcs: c.rootFuncs(root), Spans: c.spans}
	if withNotes {
		prog.Notes = c.notes(e, decls, prog)
	}
	return prog, nil
}

// defaultOnes sets to 1 every size of a 𝟙 that is still free and shared
// with no variable, so that 𝟙ᵀ*x is the sum of x and X*𝟙 the row sums of X
// while A*𝟙 with an undeclared A keeps A a matrix.
func (c *checker) defaultOnes() {
	varDims := map[dim]bool{}
	for _, t := range c.names {
		varDims[c.find(t.r)], varDims[c.find(t.c)] = true, true
	}
	for _, d := range c.onesDims {
		if c.fixed(d) == "" && !varDims[c.find(d)] {
			c.unify(d, c.one)
		}
	}
}

// rootVars lists the variables of root in order of first appearance in the
// source. A name that lowering dropped (X in X^0) is not among them.
func (c *checker) rootVars(root *Node) []*Node {
	var vs []*Node
	names := VarNames(root)
	for _, v := range c.vars {
		if names[v.Name] {
			vs = append(vs, v)
		}
	}
	return vs
}

// rootFuncs lists the generic functions root applies, in order of first
// appearance in the source.
func (c *checker) rootFuncs(root *Node) []string {
	applied := map[string]bool{}
	Walk(root, func(n *Node) {
		if n.Kind == KApply {
			applied[n.Name] = true
		}
	})
	var fs []string
	for _, f := range c.funcs {
		if applied[f] {
			fs = append(fs, f)
		}
	}
	return fs
}

// dim is a dimension variable: an index into checker.parent.
type dim int

// typ is the inferred shape of a syntax node, over dimension variables.
type typ struct{ r, c dim }

type checker struct {
	src   string
	decls map[string]*Decl
	names map[string]typ // the type of every variable, declared or inferred
	types map[Expr]typ   // the type of every inferred syntax node

	lowered map[Expr]*Node // the typed node of every lowered syntax node

	// Union–find over dimension variables. value[root] is the fixed size of
	// a class, "" while it is free.
	parent []dim
	value  []Dim
	sizes  map[Dim]dim    // one variable per fixed size
	prod   map[dim][2]dim // a class that is the product of two classes
	one    dim

	powers    map[*Power]*big.Rat // constant exponent of a power of a non-scalar
	callOp    map[*Call]*Op       // the operation of each built-in call (diag: the overload)
	kron      map[*Binary]*Call   // A ⊗ B as the call kron(A, B)
	symPowers map[*Power]bool     // X^k: a matrix power with a symbolic integer exponent
	ints      map[string]*Power   // undeclared names taken as integers, with the first power that says so
	spans     map[*Node]Span      // where each lowered node first occurs in src

	// For the notes (notes.go): why a name lost its default shape, and how it is used.
	why        map[string]reason
	mulOps     map[string]bool // names that are an operand of a matrix product
	transposed map[string]bool // names that occur transposed

	onesDims []dim // the sizes of every 𝟙, which default to 1

	taken map[Dim]bool // names a fresh size must not take
	fresh int

	vars     []*Node
	seenVar  map[string]bool
	funcs    []string
	seenFunc map[string]bool
}

// ---- dimension variables ----

func (c *checker) newDim() dim {
	c.parent = append(c.parent, dim(len(c.parent)))
	c.value = append(c.value, "")
	return dim(len(c.parent) - 1)
}

func (c *checker) fixedDim(d Dim) dim {
	if v, ok := c.sizes[d]; ok {
		return v
	}
	v := c.newDim()
	c.value[v] = d
	c.sizes[d] = v
	return v
}

func (c *checker) find(d dim) dim {
	root := d
	for c.parent[root] != root {
		root = c.parent[root]
	}
	for c.parent[d] != root {
		c.parent[d], d = root, c.parent[d]
	}
	return root
}

func (c *checker) fixed(d dim) Dim { return c.value[c.find(d)] }

func (c *checker) isOne(d dim) bool  { return c.fixed(d) == One }
func (c *checker) notOne(d dim) bool { f := c.fixed(d); return f != "" && f != One }

// canUnify reports whether a and b may be the same size.
func (c *checker) canUnify(a, b dim) bool {
	ra, rb := c.find(a), c.find(b)
	pa, okA := c.prod[ra]
	pb, okB := c.prod[rb]
	switch {
	case ra == rb:
		return true
	case okA && okB && (c.occurs(ra, rb) || c.occurs(rb, ra)):
		return false // a product equal to a product of itself and more
	case okA && okB: // sizes commute: n·p = p·n
		return c.canUnify(pa[0], pb[0]) && c.canUnify(pa[1], pb[1]) || c.canUnify(pa[0], pb[1]) && c.canUnify(pa[1], pb[0])
	case okA && c.occurs(rb, ra):
		q, ok := c.cofactor(pa, rb)
		return ok && c.canUnify(q, c.one)
	case okB && c.occurs(ra, rb):
		q, ok := c.cofactor(pb, ra)
		return ok && c.canUnify(q, c.one)
	case okA:
		return c.productCanBe(pa, rb)
	case okB:
		return c.productCanBe(pb, ra)
	}
	return c.value[ra] == "" || c.value[rb] == "" || c.value[ra] == c.value[rb]
}

// occurs reports whether the class of x is d's or a factor, at any depth,
// of the product d. The classes form no cycle (canUnify never lets a size
// be a product of itself), so the walk ends.
func (c *checker) occurs(x, d dim) bool {
	r := c.find(d)
	if r == c.find(x) {
		return true
	}
	p, ok := c.prod[r]
	return ok && (c.occurs(x, p[0]) || c.occurs(x, p[1]))
}

// cofactor returns q when the product p is r·q or q·r: r = r·q holds for
// q = 1 only. ok is false when r is deeper in p: r = (r·q)·s would need
// q = s = 1, which the checker does not infer.
func (c *checker) cofactor(p [2]dim, r dim) (q dim, ok bool) {
	switch c.find(r) {
	case c.find(p[0]):
		return p[1], true
	case c.find(p[1]):
		return p[0], true
	}
	return 0, false
}

// productCanBe reports whether the product of the classes p may be the
// size of the class r (not a product): r is free, or p's factors are known
// well enough to compare.
func (c *checker) productCanBe(p [2]dim, r dim) bool {
	v := c.value[r]
	f0, f1 := c.fixed(p[0]), c.fixed(p[1])
	switch {
	case v == "":
		return true
	case f0 == One:
		return c.canUnify(p[1], r)
	case f1 == One:
		return c.canUnify(p[0], r)
	case f0 != "" && f1 != "" && !c.isProduct(p[0]) && !c.isProduct(p[1]):
		return dimProduct(f0, f1) == v
	}
	return false
}

func (c *checker) isProduct(d dim) bool { _, ok := c.prod[c.find(d)]; return ok }

// productDim is a size a·b (the sides of a Kronecker product, the length of
// vec): a class of its own while a or b is free, so that unifying two
// products unifies their factors (tr(A ⊗ X) makes A and X square).
func (c *checker) productDim(a, b dim) dim {
	switch {
	case c.isOne(a):
		return b
	case c.isOne(b):
		return a
	}
	if fa, fb := c.fixed(a), c.fixed(b); fa != "" && fb != "" && !c.isProduct(a) && !c.isProduct(b) {
		return c.fixedDim(dimProduct(fa, fb))
	}
	d := c.newDim()
	c.prod[d] = [2]dim{a, b}
	return d
}

// unify merges the classes of a and b and reports whether it could: it
// does nothing when they are fixed to different sizes.
func (c *checker) unify(a, b dim) bool {
	if !c.canUnify(a, b) {
		return false
	}
	ra, rb := c.find(a), c.find(b)
	pa, okA := c.prod[ra]
	pb, okB := c.prod[rb]
	switch {
	case ra == rb:
	case okA && okB:
		if c.canUnify(pa[0], pb[0]) && c.canUnify(pa[1], pb[1]) {
			c.unify(pa[0], pb[0])
			c.unify(pa[1], pb[1])
		} else {
			c.unify(pa[0], pb[1])
			c.unify(pa[1], pb[0])
		}
		c.parent[c.find(rb)] = c.find(ra)
	case okA || okB:
		if okB {
			ra, rb, pa = rb, ra, pb
		}
		// ra is the product, rb a plain class.
		switch {
		case c.occurs(rb, ra): // rb = rb·q: q is 1 (canUnify said it can be)
			q, _ := c.cofactor(pa, rb)
			c.unify(q, c.one)
			c.parent[c.find(ra)] = c.find(rb)
		case c.value[rb] == "":
			c.parent[rb] = ra
		case c.fixed(pa[0]) == One:
			c.unify(pa[1], rb)
			c.parent[c.find(ra)] = c.find(rb)
		case c.fixed(pa[1]) == One:
			c.unify(pa[0], rb)
			c.parent[c.find(ra)] = c.find(rb)
		default:
			c.parent[ra] = rb
		}
	case c.value[ra] == "":
		c.parent[ra] = rb
	default:
		c.parent[rb] = ra
	}
	return true
}

func (c *checker) defScalar(t typ) bool { return c.isOne(t.r) && c.isOne(t.c) }

func (c *checker) couldBeScalar(t typ) bool {
	return c.canUnify(t.r, c.one) && c.canUnify(t.c, c.one)
}

func (c *checker) makeScalar(t typ) { c.unify(t.r, c.one); c.unify(t.c, c.one) }

// resolve returns the size of d, naming it afresh if it is still free.
func (c *checker) resolve(d dim) Dim {
	r := c.find(d)
	if p, ok := c.prod[r]; ok && c.value[r] == "" {
		delete(c.prod, r)
		c.value[r] = dimProduct(c.resolve(p[0]), c.resolve(p[1]))
	}
	if c.value[r] == "" {
		c.value[r] = c.freshName()
	}
	return c.value[r]
}

func (c *checker) shape(t typ) Shape { return Shape{c.resolve(t.r), c.resolve(t.c)} }

var freshNames = []Dim{"n", "m", "p", "q", "r", "k"}

func (c *checker) freshName() Dim {
	for {
		var d Dim
		if c.fresh < len(freshNames) {
			d = freshNames[c.fresh]
		} else {
			d = Dim("n" + strconv.Itoa(c.fresh-len(freshNames)+1))
		}
		c.fresh++
		if !c.taken[d] {
			c.taken[d] = true
			return d
		}
	}
}

// ---- declarations ----

func (c *checker) declare(decls []Decl) error {
	for i := range decls {
		d := &decls[i]
		nameEnd := d.End
		if p := int(d.Pos); p >= 0 && p <= len(d.Src) && strings.HasPrefix(d.Src[p:], d.Name) {
			nameEnd = d.Pos + Pos(len(d.Name))
		}
		switch {
		case d.Name == "I" || d.Name == "eye":
			return Errorf(d.Src, d.Pos, nameEnd, d.Name+" is the identity matrix, sized by context; it cannot be declared")
		case d.Name == "ones":
			return Errorf(d.Src, d.Pos, nameEnd, "ones is the all-ones matrix, sized by context; it cannot be declared")
		case constantOp(d.Name) != nil:
			return Errorf(d.Src, d.Pos, nameEnd, fmt.Sprintf("%s is the constant π; it cannot be declared", d.Name))
		case IsBuiltinName(d.Name):
			return Errorf(d.Src, d.Pos, nameEnd, fmt.Sprintf("%s is a built-in function; it cannot be declared", d.Name))
		}
		if first, ok := c.decls[d.Name]; ok {
			return Errorf(d.Src, d.Pos, d.End, fmt.Sprintf("%s is declared twice (first as %q)", d.Name, declText(first)))
		}
		if !d.Func && d.Props&(Symmetric|PosDef|Diagonal) != 0 && !d.Shape.IsSquare() {
			return Errorf(d.Src, d.Pos, d.End, fmt.Sprintf("a symmetric matrix must be square, not %v", d.Shape))
		}
		c.decls[d.Name] = d
		c.taken[Dim(d.Name)] = true
		if !d.Func {
			c.taken[d.Shape.Rows], c.taken[d.Shape.Cols] = true, true
			c.names[d.Name] = typ{c.fixedDim(d.Shape.Rows), c.fixedDim(d.Shape.Cols)}
		}
	}
	return nil
}

// declText is the source text of a declaration, or its name.
func declText(d *Decl) string {
	if 0 <= d.Pos && d.Pos <= d.End && int(d.End) <= len(d.Src) {
		return d.Src[d.Pos:d.End]
	}
	return d.Name
}

// ---- messages ----

// text is the source of e, shortened for a message.
func (c *checker) text(e Expr) string {
	p, q := clamp(int(e.Pos()), len(c.src)), clamp(int(e.End()), len(c.src))
	return shorten(c.src[p:max(p, q)], 30)
}

// describe writes a shape for a sentence: "a scalar" or "n×p".
func describe(s Shape) string {
	if s.IsScalar() {
		return "a scalar"
	}
	return string(s.Rows) + "×" + string(s.Cols)
}

// span underlines e with the label "e: shape".
func (c *checker) span(e Expr, t typ) Span {
	return Span{Pos: e.Pos(), End: e.End(), Label: c.text(e) + ": " + c.shape(t).String()}
}

func (c *checker) errorf(e Expr, format string, args ...any) *Error {
	return Errorf(c.src, e.Pos(), e.End(), fmt.Sprintf(format, args...))
}

// mismatch reports a conflict between the operands x and y of e.
func (c *checker) mismatch(e, x Expr, tx typ, y Expr, ty typ, detail string) *Error {
	return &Error{
		Src:   c.src,
		Msg:   fmt.Sprintf("shape mismatch in %s: %s", c.text(e), detail),
		Spans: []Span{c.span(x, tx), c.span(y, ty)},
	}
}

// constantOp is the operation without operands (π) the name denotes, or nil.
func constantOp(name string) *Op {
	for _, op := range LookupOp(name) {
		if op.Args == 0 {
			return op
		}
	}
	return nil
}

// filled reports whether a call of name is vector(c) or matrix(c), a
// constant c in every entry, sized by context (matrixcalculus.org's
// spelling), and whether it is a vector.
func (c *checker) filled(name string) (ok, vector bool) {
	if _, declared := c.decls[name]; declared {
		return false, false
	}
	return name == "vector" || name == "matrix", name == "vector"
}

// ---- pass 1: inference ----

// infer computes the type of e and of its subexpressions, unifying sizes.
// A node met again (a temporary of a where clause used twice) keeps its type.
func (c *checker) infer(e Expr) (typ, error) {
	if t, ok := c.types[e]; ok {
		return t, nil
	}
	if err := c.inferSpine(e); err != nil {
		return typ{}, err
	}
	t, err := c.infer1(e)
	if err == nil {
		c.types[e] = t
	}
	return t, err
}

// inferSpine infers the left operands of a chain of binary operators
// a + b * c - …, which nests to the left as deep as the chain is long,
// innermost first: the order in which binary's recursion into X would
// reach them, so that it finds them done and recurses only one level.
func (c *checker) inferSpine(e Expr) error {
	var spine []*Binary
	for x := e; ; {
		b, ok := x.(*Binary)
		if !ok || b.Op == OpKron {
			break // kron(A, B) is a call that infers its operands itself
		}
		if _, done := c.types[b.X]; done {
			break
		}
		if b != e {
			spine = append(spine, b)
		}
		x = b.X
	}
	for i := len(spine) - 1; i >= 0; i-- {
		if _, err := c.infer(spine[i]); err != nil {
			return err
		}
	}
	return nil
}

func (c *checker) infer1(e Expr) (typ, error) {
	scalar := typ{c.one, c.one}
	switch e := e.(type) {
	case *Ident:
		return c.ident(e)
	case *NumLit:
		return scalar, nil
	case *StrLit:
		return typ{}, c.errorf(e, "a quoted word is only allowed as the second argument of norm, as in norm(X, 'fro')")
	case *Unary:
		return c.infer(e.X)
	case *Paren:
		return c.infer(e.X)
	case *Tick:
		if id, ok := unparen(e.X).(*Ident); ok {
			c.transposed[id.Name] = true
		}
		t, err := c.infer(e.X)
		return typ{t.c, t.r}, err
	case *Binary:
		return c.binary(e)
	case *Power:
		return c.power(e)
	case *Call:
		return c.call(e)
	case *Norm:
		if _, err := c.infer(e.X); err != nil {
			return typ{}, err
		}
		switch e.Sub {
		case "", "2", "F", "fro":
		default:
			return typ{}, c.errorf(e, "unknown norm subscript %q (write _2 or _F)", e.Sub)
		}
		return scalar, nil
	case *InnerProd:
		tx, err := c.infer(e.X)
		if err != nil {
			return typ{}, err
		}
		ty, err := c.infer(e.Y)
		if err != nil {
			return typ{}, err
		}
		if !c.unify(tx.r, ty.r) || !c.unify(tx.c, ty.c) {
			return typ{}, c.mismatch(e, e.X, tx, e.Y, ty,
				fmt.Sprintf("%s is %s but %s is %s", c.text(e.X), describe(c.shape(tx)), c.text(e.Y), describe(c.shape(ty))))
		}
		return scalar, nil
	}
	return typ{}, c.errorf(e, "internal error: unexpected syntax node %T", e)
}

func (c *checker) ident(e *Ident) (typ, error) {
	c.taken[Dim(e.Name)] = true
	if d, ok := c.decls[e.Name]; ok {
		if d.Func {
			return typ{}, c.errorf(e, "%s is a function; call it as %s(…)", e.Name, e.Name)
		}
		return c.names[e.Name], nil
	}
	switch {
	case e.Name == "I" || e.Name == "eye":
		n := c.newDim()
		return typ{n, n}, nil
	case constantOp(e.Name) != nil:
		return typ{c.one, c.one}, nil
	case e.Name == "ones":
		t := typ{c.newDim(), c.newDim()}
		c.onesDims = append(c.onesDims, t.r, t.c)
		return t, nil
	case IsBuiltinName(e.Name):
		return typ{}, c.errorf(e, "%s is a function; call it as %s(…)", e.Name, e.Name)
	}
	if t, ok := c.names[e.Name]; ok {
		return t, nil
	}
	if _, ok := c.sizes[Dim(e.Name)]; ok { // a size of a declaration, as printed in answers: n·𝟙
		return typ{c.one, c.one}, nil
	}
	r, _ := utf8.DecodeRuneInString(e.Name)
	if g, _, ok := GreekBase(e.Name); ok {
		r = g // lambda is λ, Sigma is Σ
	}
	var t typ
	switch {
	case unicode.IsUpper(r):
		t = typ{c.newDim(), c.newDim()}
	case unicode.IsLower(r) && unicode.Is(unicode.Latin, r):
		t = typ{c.newDim(), c.one}
	default:
		t = typ{c.one, c.one}
	}
	c.names[e.Name] = t
	return t, nil
}

var opText = map[BinOp]string{OpAdd: "+", OpSub: "-", OpMul: "*", OpDiv: "/", OpHadamard: ".*", OpElemDiv: "./", OpKron: "⊗"}

func (c *checker) binary(e *Binary) (typ, error) {
	if e.Op == OpKron { // A ⊗ B is kron(A, B)
		call := &Call{FunPos: e.X.Pos(), Fun: "kron", Args: []Expr{e.X, e.Y}, Rparen: e.End() - 1}
		c.kron[e] = call
		t, err := c.call(call)
		if err == nil {
			c.types[call] = t
		}
		return t, err
	}
	tx, err := c.infer(e.X)
	if err != nil {
		return typ{}, err
	}
	ty, err := c.infer(e.Y)
	if err != nil {
		return typ{}, err
	}
	switch e.Op {
	case OpMul:
		c.mulOperand(e.X, e.Y)
		c.mulOperand(e.Y, e.X)
		switch {
		case c.defScalar(tx):
			return ty, nil
		case c.defScalar(ty):
			return tx, nil
		case c.isOne(tx.c) && c.fixed(tx.r) == "" && c.fixed(ty.r) == "" && c.fixed(ty.c) == "":
			// s*X with s a column and X a matrix by default: s is the
			// scalar a person means, not X a row (an outer product).
			c.track(e.X, tx, e, "%s", false, func() { c.makeScalar(tx) })
			return ty, nil
		case c.canUnify(tx.c, ty.r):
			c.track(e.X, tx, e, "%s", false, func() {
				c.track(e.Y, ty, e, "%s", false, func() { c.unify(tx.c, ty.r) })
			})
			return typ{tx.r, ty.c}, nil
		case c.couldBeScalar(tx):
			c.track(e.X, tx, e, "%s", false, func() { c.makeScalar(tx) })
			return ty, nil
		case c.couldBeScalar(ty):
			c.track(e.Y, ty, e, "%s", false, func() { c.makeScalar(ty) })
			return tx, nil
		}
		rows := "rows"
		if c.resolve(ty.r) == One {
			rows = "row"
		}
		return typ{}, c.mismatch(e, e.X, tx, e.Y, ty, fmt.Sprintf("%s is %s but %s has %s %s",
			c.text(e.X), describe(c.shape(tx)), c.text(e.Y), c.resolve(ty.r), rows))
	case OpDiv:
		if !c.couldBeScalar(ty) {
			return typ{}, &Error{Src: c.src, Spans: []Span{c.span(e.Y, ty)},
				Msg: fmt.Sprintf("division by a non-scalar in %s: %s is %s (for an elementwise quotient write ./)",
					c.text(e), c.text(e.Y), describe(c.shape(ty)))}
		}
		c.track(e.Y, ty, e, "%s divides by it", false, func() { c.makeScalar(ty) })
		return tx, nil
	}
	// + - .* ./ broadcast like NumPy.
	switch {
	case c.defScalar(tx) && c.freeName(e.Y, ty) && !isLiteral(e.X):
		// w'*x + b: a name nothing sizes, added to a scalar, is the scalar
		// a person means (a bias), not a vector the scalar broadcasts to.
		c.track(e.Y, ty, e, "%s", false, func() { c.makeScalar(ty) })
		return tx, nil
	case c.defScalar(ty) && c.freeName(e.X, tx) && !isLiteral(e.Y):
		c.track(e.X, tx, e, "%s", false, func() { c.makeScalar(tx) })
		return ty, nil
	case c.defScalar(tx):
		return ty, nil
	case c.defScalar(ty):
		return tx, nil
	}
	// One axis after the other: unifying the rows may fix a size that
	// decides whether the columns broadcast (x + I).
	var r, col dim
	var okR, okC bool
	c.track(e.X, tx, e, "%s", false, func() {
		c.track(e.Y, ty, e, "%s", false, func() {
			r, okR = c.broadcastDim(tx.r, ty.r)
			col, okC = c.broadcastDim(tx.c, ty.c)
		})
	})
	if !okR || !okC {
		return typ{}, c.mismatch(e, e.X, tx, e.Y, ty, fmt.Sprintf("%s is %s but %s is %s",
			c.text(e.X), describe(c.shape(tx)), c.text(e.Y), describe(c.shape(ty))))
	}
	return typ{r, col}, nil
}

// freeName reports whether e is an undeclared name of type t whose sizes
// nothing has fixed yet (other than a 1 of its default shape).
func (c *checker) freeName(e Expr, t typ) bool {
	id, ok := unparen(e).(*Ident)
	if !ok {
		return false
	}
	if _, declared := c.decls[id.Name]; declared || id.Name == "I" || id.Name == "ones" {
		return false
	}
	if _, isSize := c.sizes[Dim(id.Name)]; isSize && c.names[id.Name] == (typ{}) {
		return false
	}
	return c.fixed(t.r) == "" && (c.fixed(t.c) == "" || c.isOne(t.c))
}

// isLiteral reports whether e is a number (x + 1 broadcasts the 1).
func isLiteral(e Expr) bool {
	_, ok := unparen(e).(*NumLit)
	return ok
}

// broadcastDim decides one axis of an elementwise operation with operand
// sizes a and b and returns the size of the result: a 1 stretches to a size
// known not to be 1; otherwise a and b are unified. ok is false when neither
// is possible.
func (c *checker) broadcastDim(a, b dim) (d dim, ok bool) {
	switch {
	case c.isOne(a) && c.notOne(b):
		return b, true
	case c.notOne(a) && c.isOne(b):
		return a, true
	}
	return a, c.unify(a, b)
}

// constValue evaluates a constant exponent such as 2, -1 or (1-3).
func constValue(e Expr) (*big.Rat, bool) {
	switch e := e.(type) {
	case *NumLit:
		return e.Value, true
	case *Paren:
		return constValue(e.X)
	case *Unary:
		v, ok := constValue(e.X)
		if !ok {
			return nil, false
		}
		return new(big.Rat).Neg(v), true
	case *Binary:
		x, okX := constValue(e.X)
		y, okY := constValue(e.Y)
		if !okX || !okY {
			return nil, false
		}
		switch e.Op {
		case OpAdd:
			return new(big.Rat).Add(x, y), true
		case OpSub:
			return new(big.Rat).Sub(x, y), true
		case OpMul, OpHadamard:
			return new(big.Rat).Mul(x, y), true
		case OpDiv, OpElemDiv:
			if y.Sign() != 0 {
				return new(big.Rat).Quo(x, y), true
			}
		}
	}
	return nil, false
}

func (c *checker) power(e *Power) (typ, error) {
	tx, err := c.infer(e.X)
	if err != nil {
		return typ{}, err
	}
	tp, err := c.infer(e.Exp)
	if err != nil {
		return typ{}, err
	}
	if !c.couldBeScalar(tp) {
		return typ{}, &Error{Src: c.src, Spans: []Span{c.span(e.Exp, tp)},
			Msg: fmt.Sprintf("the exponent must be a scalar, but %s is %s", c.text(e.Exp), describe(c.shape(tp)))}
	}
	c.track(e.Exp, tp, e, "the exponent of %s", false, func() { c.makeScalar(tp) })
	if e.Elementwise || c.defScalar(tx) {
		return tx, nil
	}
	if k, ok := constValue(e.Exp); ok && k.IsInt() {
		if !c.canUnify(tx.r, tx.c) {
			what := "matrix power"
			if k.Cmp(big.NewRat(-1, 1)) == 0 {
				what = "the inverse"
			}
			return typ{}, &Error{Src: c.src, Spans: []Span{c.span(e.X, tx)},
				Msg: fmt.Sprintf("%s needs a square matrix, but %s is %s (for an elementwise power write %s.^%s)",
					what, c.text(e.X), describe(c.shape(tx)), c.text(e.X), c.text(e.Exp))}
		}
		c.track(e.X, tx, e, "%s is a power", true, func() { c.unify(tx.r, tx.c) })
		c.powers[e] = k
		return tx, nil
	}
	if !c.couldBeScalar(tx) || c.fixed(tx.r) != One && c.fixed(tx.c) != One && c.canUnify(tx.r, tx.c) {
		// A matrix (declared, or upper-case by default): X^k with k: int.
		return c.symbolicPower(e, tx)
	}
	c.track(e.X, tx, e, "%s is a power", true, func() { c.makeScalar(tx) })
	return tx, nil
}

// symbolicPower types the matrix power X^k of a non-scalar X with a
// symbolic exponent, which must be an integer expression (see intExponent).
// Undeclared names of the exponent are taken as integers.
func (c *checker) symbolicPower(e *Power, tx typ) (typ, error) {
	var names []*Ident
	if bad := c.intExponent(e.Exp, &names); bad != nil {
		id, ok := bad.(*Ident)
		if !ok {
			return typ{}, &Error{Src: c.src, Spans: []Span{c.span(e.X, tx), {Pos: e.Exp.Pos(), End: e.Exp.End()}},
				Msg: fmt.Sprintf("matrix power needs an integer exponent (for an elementwise power write %s.^%s)",
					c.text(e.X), c.text(e.Exp))}
		}
		why := "is not a scalar"
		if d := c.decls[id.Name]; d != nil {
			why = fmt.Sprintf("is declared %q", declText(d))
		}
		return typ{}, &Error{Src: c.src, Spans: []Span{{Pos: bad.Pos(), End: bad.End()}},
			Msg: fmt.Sprintf("matrix power needs an integer exponent, but %s %s (for a symbolic power declare %s: int; for an elementwise power write %s.^%s)",
				id.Name, why, id.Name, c.text(e.X), c.text(e.Exp))}
	}
	if !c.canUnify(tx.r, tx.c) {
		return typ{}, &Error{Src: c.src, Spans: []Span{c.span(e.X, tx)},
			Msg: fmt.Sprintf("matrix power needs a square matrix, but %s is %s (for an elementwise power write %s.^%s)",
				c.text(e.X), describe(c.shape(tx)), c.text(e.X), c.text(e.Exp))}
	}
	c.unify(tx.r, tx.c)
	for _, id := range names {
		if _, ok := c.ints[id.Name]; !ok {
			c.ints[id.Name] = e
		}
	}
	c.symPowers[e] = true
	return tx, nil
}

// intExponent reports the first part of e that is not an integer
// expression, or nil: integers, integer variables (declared k: int, or
// undeclared, which are then appended to names), sizes, and their sums,
// differences, negations and products.
func (c *checker) intExponent(e Expr, names *[]*Ident) Expr {
	switch e := e.(type) {
	case *NumLit:
		if e.Value.IsInt() {
			return nil
		}
	case *Paren:
		return c.intExponent(e.X, names)
	case *Unary:
		return c.intExponent(e.X, names)
	case *Binary:
		switch e.Op {
		case OpAdd, OpSub, OpMul:
			if bad := c.intExponent(e.X, names); bad != nil {
				return bad
			}
			return c.intExponent(e.Y, names)
		}
	case *Ident:
		if d, ok := c.decls[e.Name]; ok {
			if !d.Func && d.Props&Integer != 0 {
				return nil
			}
			return e
		}
		if _, isSize := c.sizes[Dim(e.Name)]; isSize && c.names[e.Name] == (typ{}) {
			return nil // a declared size n is a positive integer
		}
		if t, ok := c.names[e.Name]; ok && c.defScalar(t) {
			*names = append(*names, e)
			return nil
		}
	}
	return e
}

// arity is the number of arguments each built-in takes (norm: 1 or 2).
func arity(fn string) (lo, hi int) {
	switch fn {
	case "norm":
		return 1, 2
	case "kron":
		return 2, 2
	}
	return 1, 1
}

func (c *checker) call(e *Call) (typ, error) {
	c.taken[Dim(e.Fun)] = true
	nameSpan := Errorf(c.src, e.FunPos, e.FunPos+Pos(len(e.Fun)), "")
	if ok, vector := c.filled(e.Fun); ok {
		if len(e.Args) != 1 {
			return typ{}, c.errorf(e, "%s takes 1 argument (the value of every entry), got %d", e.Fun, len(e.Args))
		}
		t, err := c.infer(e.Args[0])
		if err != nil {
			return typ{}, err
		}
		if !c.couldBeScalar(t) {
			return typ{}, &Error{Src: c.src, Spans: []Span{c.span(e.Args[0], t)},
				Msg: fmt.Sprintf("%s(c) fills every entry with the scalar c, but %s is %s", e.Fun, c.text(e.Args[0]), describe(c.shape(t)))}
		}
		c.makeScalar(t)
		r := typ{c.newDim(), c.one}
		if !vector {
			r.c = c.newDim()
		}
		c.onesDims = append(c.onesDims, r.r, r.c)
		return r, nil
	}
	d, declared := c.decls[e.Fun]
	ops := LookupOp(e.Fun)
	builtin := IsBuiltinName(e.Fun)
	switch {
	case declared && !d.Func:
		nameSpan.Msg = fmt.Sprintf("%s is a variable, not a function (a product needs \"*\")", e.Fun)
		return typ{}, nameSpan
	case e.Fun == "I" || e.Fun == "ones":
		nameSpan.Msg = fmt.Sprintf("%s is a constant sized by context, not a function", e.Fun)
		return typ{}, nameSpan
	case !declared && !builtin:
		nameSpan.Msg, nameSpan.Code = "unknown function "+e.Fun, CodeUnknownFunc
		if nameSpan.Suggest = c.suggestCall(e); nameSpan.Suggest == "" {
			nameSpan.Decl = e.Fun + ": func"
		}
		return typ{}, nameSpan
	case builtin && len(ops) > 0 && ops[0].Args == 0:
		nameSpan.Msg = fmt.Sprintf("%s is a constant, not a function", e.Fun)
		return typ{}, nameSpan
	case builtin && e.Primes > 0:
		nameSpan.Msg = fmt.Sprintf("%s%s: only a declared generic function (g: func) has a derivative written g'", e.Fun, strings.Repeat("'", e.Primes))
		nameSpan.Code = CodeNotDeclaredFunc
		return typ{}, nameSpan
	}
	lo, hi := 1, 1
	if len(ops) > 0 {
		lo, hi = ops[0].Args, ops[0].Args
	}
	if e.Fun == "norm" { // norm(X, 'fro'), norm(x, 2): the subscript of ‖·‖ as a second argument
		hi = 2
	}
	if n := len(e.Args); n < lo || n > hi {
		want := "1 argument"
		switch {
		case lo != hi:
			want = fmt.Sprintf("%d or %d arguments", lo, hi)
		case lo != 1:
			want = fmt.Sprintf("%d arguments", lo)
		}
		return typ{}, c.errorf(e, "%s takes %s, got %d", e.Fun, want, n)
	}
	if e.Fun == "norm" && len(e.Args) == 2 {
		if _, err := normKind(c, e.Args[1]); err != nil {
			return typ{}, err
		}
	}
	x := e.Args[0]
	t, err := c.infer(x)
	if err != nil {
		return typ{}, err
	}
	scalar := typ{c.one, c.one}
	square := func(what string) error {
		if !c.canUnify(t.r, t.c) {
			return &Error{Src: c.src, Spans: []Span{c.span(x, t)},
				Msg: fmt.Sprintf("%s needs a square matrix, but %s is %s", what, c.text(x), describe(c.shape(t)))}
		}
		c.unify(t.r, t.c)
		return nil
	}
	column := func() error {
		if !c.canUnify(t.c, c.one) {
			return &Error{Src: c.src, Spans: []Span{c.span(x, t)},
				Msg: fmt.Sprintf("%s needs a column vector, but %s is %s", e.Fun, c.text(x), describe(c.shape(t)))}
		}
		c.unify(t.c, c.one)
		return nil
	}
	if len(ops) == 0 {
		if builtin { // inv(A): the structural inverse A⁻¹
			return t, square(e.Fun)
		}
		return t, nil // a declared generic function, elementwise
	}
	op := ops[0]
	if len(ops) > 1 { // overloads by shape: diag(x) of a column, else diag(A) of a square matrix
		op = nil
		for _, o := range ops {
			if o.Shape == ColumnToDiag && c.isOne(t.c) || o.Shape == SquareToColumn && c.canUnify(t.r, t.c) {
				op = o
				break
			}
		}
		if op == nil {
			return typ{}, &Error{Src: c.src, Spans: []Span{c.span(x, t)},
				Msg: fmt.Sprintf("%s needs a column vector or a square matrix, but %s is %s", e.Fun, c.text(x), describe(c.shape(t)))}
		}
	}
	c.callOp[e] = op
	switch op.Shape {
	case SameShape:
		return t, nil
	case ColumnSame:
		return t, column()
	case SquareScalar:
		return scalar, square(e.Fun)
	case AnyScalar:
		return scalar, nil
	case ColumnScalar:
		return scalar, column()
	case ColumnToDiag:
		return typ{t.r, t.r}, column()
	case SquareToColumn:
		return typ{t.r, c.one}, square(e.Fun)
	case StackColumns: // vec: m×n → mn
		return typ{c.productDim(t.r, t.c), c.one}, nil
	case Unstack: // unvec(a, m, n): a column of m·n → m×n
		var sides [2]dim
		for i, arg := range e.Args[1:] {
			d, ok := c.sizeArg(arg)
			if !ok {
				return typ{}, c.errorf(arg, "%s(a, m, n) takes sizes m and n (names of declared sizes or integers), not %s", e.Fun, c.text(arg))
			}
			sides[i] = d
		}
		if err := column(); err != nil {
			return typ{}, err
		}
		if p := c.productDim(sides[0], sides[1]); !c.unify(t.r, p) {
			return typ{}, &Error{Src: c.src, Spans: []Span{c.span(x, t)},
				Msg: fmt.Sprintf("%s(a, m, n) needs a column of m·n entries, but %s has %s", e.Fun, c.text(x), c.resolve(t.r))}
		}
		return typ{sides[0], sides[1]}, nil
	case KronShape: // A ⊗ B: m×n, p×q → mp×nq
		u, err := c.infer(e.Args[1])
		if err != nil {
			return typ{}, err
		}
		return typ{c.productDim(t.r, u.r), c.productDim(t.c, u.c)}, nil
	}
	return typ{}, c.errorf(e, "internal error: %s has no shape rule", e.Fun)
}

// sizeArg reads a size given as an argument (unvec(a, m, n)): the name of
// a declared size, or a positive integer.
func (c *checker) sizeArg(e Expr) (dim, bool) {
	switch e := e.(type) {
	case *Ident:
		if _, isVar := c.names[e.Name]; isVar {
			return 0, false
		}
		if _, ok := c.sizes[Dim(e.Name)]; ok {
			c.types[e] = typ{c.one, c.one}
			return c.fixedDim(Dim(e.Name)), true
		}
	case *NumLit:
		if e.Value.IsInt() && e.Value.Sign() > 0 {
			c.types[e] = typ{c.one, c.one}
			return c.fixedDim(Dim(e.Value.RatString())), true
		}
	}
	return 0, false
}

// normKind reads the second argument of norm: 2 or 'fro' (also 'F').
func normKind(c *checker, a Expr) (string, error) {
	switch a := a.(type) {
	case *NumLit:
		if a.Value.Cmp(big.NewRat(2, 1)) == 0 {
			return "2", nil
		}
	case *StrLit:
		if a.Value == "fro" || a.Value == "F" {
			return "F", nil
		}
	}
	return "", c.errorf(a, "unsupported norm: write norm(x), norm(x, 2) or norm(X, 'fro')")
}

// ---- pass 2: lowering ----

// lower lowers e, once per syntax node (a temporary of a where clause used
// twice is one typed node), and records the span of the node's first
// occurrence.
func (c *checker) lower(e Expr) (*Node, error) {
	if n, ok := c.lowered[e]; ok {
		return n, nil
	}
	n, err := c.lower1(e)
	if err == nil {
		c.lowered[e] = n
		if _, ok := c.spans[n]; !ok {
			c.spans[n] = Span{Pos: e.Pos(), End: e.End()}
		}
	}
	return n, err
}

func (c *checker) lower1(e Expr) (*Node, error) {
	switch e := e.(type) {
	case *Ident:
		return c.lowerIdent(e), nil
	case *NumLit:
		return Number(e.Value), nil
	case *Paren:
		return c.lower(e.X)
	case *Unary:
		x, err := c.lower(e.X)
		if err != nil {
			return nil, err
		}
		return neg(x), nil
	case *Tick:
		x, err := c.lower(e.X)
		if err != nil {
			return nil, err
		}
		return Transpose(x), nil
	case *Binary:
		return c.lowerBinary(e)
	case *Power:
		return c.lowerPower(e)
	case *Call:
		return c.lowerCall(e)
	case *Norm:
		return c.lowerNorm(e, e.X, e.Sub)
	case *InnerProd:
		x, err := c.lower(e.X)
		if err != nil {
			return nil, err
		}
		y, err := c.lower(e.Y)
		if err != nil {
			return nil, err
		}
		return Inner(x, y), nil
	}
	return nil, c.errorf(e, "internal error: unexpected syntax node %T", e)
}

func (c *checker) lowerIdent(e *Ident) *Node {
	t := c.types[e]
	if _, declared := c.decls[e.Name]; !declared {
		if op := constantOp(e.Name); op != nil {
			return op.Of()
		}
		switch e.Name {
		case "I", "eye":
			return Identity(c.resolve(t.r))
		case "ones":
			return Ones(c.shape(t))
		}
		if _, ok := c.sizes[Dim(e.Name)]; ok && c.names[e.Name] == (typ{}) {
			return Size(Dim(e.Name))
		}
	}
	var props Props
	if d := c.decls[e.Name]; d != nil {
		props = d.Props
	} else if _, ok := c.ints[e.Name]; ok {
		props = Integer
	}
	v := Var(e.Name, c.shape(t), props)
	if !c.seenVar[e.Name] {
		c.seenVar[e.Name] = true
		c.vars = append(c.vars, v)
	}
	return v
}

// neg is -x, folding a number.
func neg(x *Node) *Node {
	if x.Kind == KNum {
		return Number(new(big.Rat).Neg(x.Num))
	}
	return Mul(Int(-1), x)
}

// chain returns the operands of a left-nested chain of the operators ops
// (a op b op c …), leftmost first, with the operator before each (the first
// entry's is e's innermost operator and unused), so that a chain of n terms
// is lowered in one pass rather than through its n − 1 partial results.
func chain(e *Binary, ops ...BinOp) (operands []Expr, before []*Binary) {
	var x Expr = e
	for {
		b, ok := x.(*Binary)
		if !ok || !slices.Contains(ops, b.Op) {
			break
		}
		operands = append(operands, b.Y)
		before = append(before, b)
		x = b.X
	}
	operands = append(operands, x)
	before = append(before, nil)
	slices.Reverse(operands)
	slices.Reverse(before)
	return operands, before
}

// lowerSum lowers a ± b ± c … to one n-ary sum, each term broadcast to the
// shape of the whole: building the partial sums would make a sum of n terms
// cost n² here and in every later stage.
func (c *checker) lowerSum(e *Binary) (*Node, error) {
	operands, before := chain(e, OpAdd, OpSub)
	s := c.shape(c.types[e])
	terms := make([]*Node, 0, len(operands))
	allNum := true
	for i, o := range operands {
		t, err := c.lower(o)
		if err != nil {
			return nil, err
		}
		if i > 0 && before[i].Op == OpSub {
			t = neg(t)
		}
		allNum = allNum && t.Kind == KNum
		terms = append(terms, t)
	}
	if allNum {
		sum := new(big.Rat)
		for _, t := range terms {
			sum.Add(sum, t.Num)
		}
		return Number(sum), nil
	}
	for i, t := range terms {
		terms[i] = Broadcast(t, s)
	}
	return Add(terms...), nil
}

// maxProductBits bounds the numbers that a product of literal numbers
// folds to (8 192 bits, about 10^2466; a literal itself is refused past
// float64's range): 20 000 factors 9e99 multiplied for seconds, each step
// on a longer number.
const maxProductBits = 1 << 13

// lowerProduct lowers a * b * c … to one n-ary product where the factors
// chain (scalars commute), folding adjacent numbers; a factor that does not
// chain onto the product so far (xᵀ·y·A: the 1×1 xᵀ·y times A) multiplies
// the product built up to it.
func (c *checker) lowerProduct(e *Binary) (*Node, error) {
	operands, _ := chain(e, OpMul)
	var factors []*Node
	var last *Node   // the last non-scalar factor
	var run *big.Rat // the product of a run of numbers that ends the factors, a node once the run ends
	flush := func() {
		if run != nil {
			factors = append(factors, Number(run))
			run = nil
		}
	}
	for _, o := range operands {
		y, err := c.lower(o)
		if err != nil {
			return nil, err
		}
		if y.Kind == KNum {
			if run == nil {
				run = new(big.Rat).Set(y.Num)
			} else {
				run.Mul(run, y.Num)
			}
			if run.Num().BitLen() > maxProductBits || run.Denom().BitLen() > maxProductBits {
				return nil, Errorf(c.src, e.Pos(), o.End(), "the numbers of this product multiply out of range (past 10^2466)")
			}
			continue
		}
		flush()
		if !y.IsScalar() && last != nil && last.Shape.Cols != y.Shape.Rows {
			factors = []*Node{Mul(factors...)}
		}
		// (−yᵀ)·z reads −yᵀ·z: a coefficient on the left factor leads the product.
		if len(factors) == 0 && y.Kind == KMul && y.Args[0].Kind == KNum && !y.IsScalar() && len(operands) > 1 {
			factors = append(factors, y.Args...)
		} else {
			factors = append(factors, y)
		}
		if !y.IsScalar() {
			last = y
		}
	}
	flush()
	return Mul(factors...), nil
}

func (c *checker) lowerBinary(e *Binary) (*Node, error) {
	if call := c.kron[e]; call != nil {
		return c.lowerCall(call)
	}
	switch e.Op {
	case OpAdd, OpSub:
		return c.lowerSum(e)
	case OpMul:
		return c.lowerProduct(e)
	}
	x, err := c.lower(e.X)
	if err != nil {
		return nil, err
	}
	y, err := c.lower(e.Y)
	if err != nil {
		return nil, err
	}
	switch e.Op {
	case OpDiv:
		if y.Kind == KNum {
			if y.Num.Sign() == 0 {
				return nil, c.errorf(e.Y, "division by zero")
			}
			inv := new(big.Rat).Inv(y.Num)
			if x.Kind == KNum {
				return Number(inv.Mul(inv, x.Num)), nil
			}
			return Mul(x, Number(inv)), nil
		}
		if x.IsNum(1) {
			return Pow(y, Int(-1)), nil
		}
		return Mul(x, Pow(y, Int(-1))), nil
	}
	if e.Op == OpElemDiv && y.Kind == KNum && y.Num.Sign() == 0 {
		return nil, c.errorf(e.Y, "division by zero")
	}
	if x.Kind == KNum && y.Kind == KNum {
		switch e.Op {
		case OpHadamard:
			return Number(new(big.Rat).Mul(x.Num, y.Num)), nil
		case OpElemDiv:
			return Number(new(big.Rat).Quo(x.Num, y.Num)), nil
		}
	}
	s := c.shape(c.types[e])
	x, y = Broadcast(x, s), Broadcast(y, s)
	switch e.Op {
	case OpHadamard:
		return Hadamard(x, y), nil
	}
	return Div(x, y), nil
}

func (c *checker) lowerPower(e *Power) (*Node, error) {
	x, err := c.lower(e.X)
	if err != nil {
		return nil, err
	}
	k, isMatPow := c.powers[e]
	if c.symPowers[e] && !x.IsScalar() {
		p, err := c.lower(e.Exp)
		if err != nil {
			return nil, err
		}
		if p.Kind == KNum { // k − k + 2: a constant after all
			return c.constPower(e, x, p.Num)
		}
		return MatPowSym(x, p), nil
	}
	if e.Elementwise || x.IsScalar() || !isMatPow {
		p, err := c.lower(e.Exp)
		if err != nil {
			return nil, err
		}
		return Pow(x, p), nil
	}
	return c.constPower(e, x, k)
}

// constPower lowers the matrix power x^k with the integer k at e.
func (c *checker) constPower(e *Power, x *Node, k *big.Rat) (*Node, error) {
	if new(big.Rat).Abs(k).Cmp(big.NewRat(MaxMatPow, 1)) > 0 {
		return nil, c.errorf(e.Exp, "matrix power exponent %s is too large (at most %d)", k.RatString(), MaxMatPow)
	}
	switch n := int(k.Num().Int64()); {
	case n == 0:
		return Identity(x.Shape.Rows), nil
	case n == 1:
		return x, nil
	case n == -1:
		return Inverse(x), nil
	case n < 0:
		return MatPow(Inverse(x), -n), nil
	default:
		return MatPow(x, n), nil
	}
}

func (c *checker) lowerCall(e *Call) (*Node, error) {
	if ok, _ := c.filled(e.Fun); ok { // vector(c), matrix(c): c·𝟙
		x, err := c.lower(e.Args[0])
		if err != nil {
			return nil, err
		}
		o := Ones(c.shape(c.types[e]))
		switch {
		case o.IsScalar():
			return x, nil
		case x.IsNum(1):
			return o, nil
		}
		return Mul(x, o), nil
	}
	if e.Fun == "norm" && len(e.Args) == 2 {
		sub, _ := normKind(c, e.Args[1])
		return c.lowerNorm(e, e.Args[0], sub)
	}
	op := c.callOp[e]
	args := make([]*Node, 0, len(e.Args))
	for _, a := range e.Args {
		x, err := c.lower(a)
		if err != nil {
			return nil, err
		}
		args = append(args, x)
	}
	if op != nil {
		return op.Of(args...), nil
	}
	x := args[0]
	if IsBuiltinName(e.Fun) { // inv
		if x.IsScalar() {
			return Pow(x, Int(-1)), nil
		}
		return Inverse(x), nil
	}
	if d := c.decls[e.Fun]; d != nil && d.Func && !c.seenFunc[e.Fun] {
		c.seenFunc[e.Fun] = true
		c.funcs = append(c.funcs, e.Fun)
	}
	return Apply(e.Fun, e.Primes, x), nil
}

// normOp is the operation the notation ‖·‖ denotes: the row named norm.
func normOp() *Op {
	if ops := LookupOp("norm"); len(ops) > 0 {
		return ops[0]
	}
	return nil
}

// lowerNorm lowers ‖x‖ (sub "") , ‖x‖₂ (sub "2") and ‖X‖_F (sub "F" or
// "fro") at e. The 2-norm of a matrix that is not a vector is the spectral
// norm, which mdiff does not support.
func (c *checker) lowerNorm(e, arg Expr, sub string) (*Node, error) {
	x, err := c.lower(arg)
	if err != nil {
		return nil, err
	}
	if sub == "2" && x.Shape.Rows != One && x.Shape.Cols != One {
		return nil, &Error{Src: c.src, Spans: []Span{{Pos: e.Pos(), End: e.End(), Label: c.text(arg) + ": " + x.Shape.String()}},
			Msg: "the spectral norm ‖X‖₂ of a matrix is not supported; use ‖X‖_F"}
	}
	op := normOp()
	if op == nil {
		return nil, c.errorf(e, "internal error: no norm operation is registered")
	}
	return op.Of(x), nil
}
