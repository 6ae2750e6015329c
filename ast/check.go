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

// BuiltinFuncs are the built-in functions an expression may call, besides
// [ElementwiseFuncs]. Their names, and the constants I and ones, cannot be
// declared.
var BuiltinFuncs = map[string]bool{
	"tr": true, "trace": true, "det": true, "logdet": true, "sum": true, "diag": true,
	"logsumexp": true, "softmax": true, "inv": true, "norm": true, "kron": true,
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
// declared size and no name of the expression. I is the identity and ones
// (𝟙) the all-ones matrix, both sized by context; a side of 𝟙 that nothing
// sizes is 1, so 𝟙ᵀ*x is the sum of x. Operations on number literals are
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
	c := &checker{
		src:        src,
		decls:      map[string]*Decl{},
		names:      map[string]typ{},
		types:      map[Expr]typ{},
		sizes:      map[Dim]dim{},
		powers:     map[*Power]*big.Rat{},
		symPowers:  map[*Power]bool{},
		ints:       map[string]*Power{},
		spans:      map[*Node]Span{},
		why:        map[string]reason{},
		mulOps:     map[string]bool{},
		transposed: map[string]bool{},
		diagMat:    map[*Call]bool{},
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
	for _, v := range c.vars {
		if root.DependsOn(v.Name) {
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

	// Union–find over dimension variables. value[root] is the fixed size of
	// a class, "" while it is free.
	parent []dim
	value  []Dim
	sizes  map[Dim]dim // one variable per fixed size
	one    dim

	powers    map[*Power]*big.Rat // constant exponent of a power of a non-scalar
	symPowers map[*Power]bool     // X^k: a matrix power with a symbolic integer exponent
	ints      map[string]*Power   // undeclared names taken as integers, with the first power that says so
	spans     map[*Node]Span      // where each lowered node first occurs in src

	// For the notes (notes.go): why a name lost its default shape, and how it is used.
	why        map[string]reason
	mulOps     map[string]bool // names that are an operand of a matrix product
	transposed map[string]bool // names that occur transposed
	diagMat    map[*Call]bool  // diag(x) of a column vector (else diag(A))

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
	return ra == rb || c.value[ra] == "" || c.value[rb] == "" || c.value[ra] == c.value[rb]
}

// unify merges the classes of a and b and reports whether it could: it
// does nothing when they are fixed to different sizes.
func (c *checker) unify(a, b dim) bool {
	if !c.canUnify(a, b) {
		return false
	}
	ra, rb := c.find(a), c.find(b)
	switch {
	case ra == rb:
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
		case d.Name == "I":
			return Errorf(d.Src, d.Pos, nameEnd, "I is the identity matrix, sized by context; it cannot be declared")
		case d.Name == "ones":
			return Errorf(d.Src, d.Pos, nameEnd, "ones is the all-ones matrix, sized by context; it cannot be declared")
		case BuiltinFuncs[d.Name] || ElementwiseFuncs[d.Name]:
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
	s := c.src[p:max(p, q)]
	if utf8.RuneCountInString(s) > 30 {
		s = string([]rune(s)[:29]) + "…"
	}
	return s
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

// ---- pass 1: inference ----

// infer computes the type of e and of its subexpressions, unifying sizes.
func (c *checker) infer(e Expr) (typ, error) {
	t, err := c.infer1(e)
	if err == nil {
		c.types[e] = t
	}
	return t, err
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
	case e.Name == "I":
		n := c.newDim()
		return typ{n, n}, nil
	case e.Name == "ones":
		t := typ{c.newDim(), c.newDim()}
		c.onesDims = append(c.onesDims, t.r, t.c)
		return t, nil
	case BuiltinFuncs[e.Name] || ElementwiseFuncs[e.Name]:
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

var opText = map[BinOp]string{OpAdd: "+", OpSub: "-", OpMul: "*", OpDiv: "/", OpHadamard: ".*", OpElemDiv: "./"}

func (c *checker) binary(e *Binary) (typ, error) {
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
		switch {
		case c.defScalar(tx):
			return ty, nil
		case c.defScalar(ty):
			return tx, nil
		case c.canUnify(tx.c, ty.r):
			c.mulOperand(e.X)
			c.mulOperand(e.Y)
			c.track(e.X, tx, c.text(e), false, func() {
				c.track(e.Y, ty, c.text(e), false, func() { c.unify(tx.c, ty.r) })
			})
			return typ{tx.r, ty.c}, nil
		case c.couldBeScalar(tx):
			c.track(e.X, tx, c.text(e), false, func() { c.makeScalar(tx) })
			return ty, nil
		case c.couldBeScalar(ty):
			c.track(e.Y, ty, c.text(e), false, func() { c.makeScalar(ty) })
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
		c.track(e.Y, ty, c.text(e)+" divides by it", false, func() { c.makeScalar(ty) })
		return tx, nil
	}
	// + - .* ./ broadcast like NumPy.
	switch {
	case c.defScalar(tx):
		return ty, nil
	case c.defScalar(ty):
		return tx, nil
	}
	// One axis after the other: unifying the rows may fix a size that
	// decides whether the columns broadcast (x + I).
	var r, col dim
	var okR, okC bool
	c.track(e.X, tx, c.text(e), false, func() {
		c.track(e.Y, ty, c.text(e), false, func() {
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
	c.track(e.Exp, tp, "the exponent of "+c.text(e), false, func() { c.makeScalar(tp) })
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
		c.track(e.X, tx, c.text(e)+" is a power", true, func() { c.unify(tx.r, tx.c) })
		c.powers[e] = k
		return tx, nil
	}
	if !c.couldBeScalar(tx) || c.fixed(tx.r) != One && c.fixed(tx.c) != One && c.canUnify(tx.r, tx.c) {
		// A matrix (declared, or upper-case by default): X^k with k: int.
		return c.symbolicPower(e, tx)
	}
	c.track(e.X, tx, c.text(e)+" is a power", true, func() { c.makeScalar(tx) })
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
			Msg: fmt.Sprintf("matrix power needs an integer exponent, but %s %s (for a symbolic power declare --let '%s: int'; for an elementwise power write %s.^%s)",
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
	d, declared := c.decls[e.Fun]
	builtin := BuiltinFuncs[e.Fun] || ElementwiseFuncs[e.Fun]
	switch {
	case declared && !d.Func:
		nameSpan.Msg = fmt.Sprintf("%s is a variable, not a function (a product needs \"*\")", e.Fun)
		return typ{}, nameSpan
	case e.Fun == "I" || e.Fun == "ones":
		nameSpan.Msg = fmt.Sprintf("%s is a constant sized by context, not a function", e.Fun)
		return typ{}, nameSpan
	case !declared && !builtin:
		nameSpan.Msg = fmt.Sprintf("unknown function %s (declare it with --let '%s: func')", e.Fun, e.Fun)
		return typ{}, nameSpan
	case builtin && e.Primes > 0:
		nameSpan.Msg = fmt.Sprintf("%s%s: only a declared function (--let 'g: func') has a derivative written g'", e.Fun, strings.Repeat("'", e.Primes))
		return typ{}, nameSpan
	}
	lo, hi := arity(e.Fun)
	if n := len(e.Args); n < lo || n > hi {
		want := "1 argument"
		switch {
		case lo == 2:
			want = "2 arguments"
		case hi == 2:
			want = "1 or 2 arguments"
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
	switch e.Fun {
	case "kron": // printed Jacobians: A ⊗ B of operands whose shapes are known
		u, err := c.infer(e.Args[1])
		if err != nil {
			return typ{}, err
		}
		sizes := []Dim{c.fixed(t.r), c.fixed(u.r), c.fixed(t.c), c.fixed(u.c)}
		if slices.Contains(sizes, "") {
			return typ{}, c.errorf(e, "kron needs operands whose shapes are declared")
		}
		k := Shape{dimProduct(sizes[0], sizes[1]), dimProduct(sizes[2], sizes[3])}
		return typ{c.fixedDim(k.Rows), c.fixedDim(k.Cols)}, nil
	case "tr", "trace", "det", "logdet":
		return scalar, square(e.Fun)
	case "inv":
		return t, square("inv")
	case "sum", "norm":
		return scalar, nil
	case "logsumexp":
		return scalar, column()
	case "softmax":
		return t, column()
	case "diag":
		if c.isOne(t.c) {
			c.diagMat[e] = true
			return typ{t.r, t.r}, nil
		}
		if !c.canUnify(t.r, t.c) {
			return typ{}, &Error{Src: c.src, Spans: []Span{c.span(x, t)},
				Msg: fmt.Sprintf("diag needs a column vector or a square matrix, but %s is %s", c.text(x), describe(c.shape(t)))}
		}
		c.unify(t.r, t.c)
		return typ{t.r, c.one}, nil
	}
	return t, nil // elementwise, built-in or declared
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

// lower lowers e and records the span of the node's first occurrence.
func (c *checker) lower(e Expr) (*Node, error) {
	n, err := c.lower1(e)
	if err == nil {
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
		switch e.Name {
		case "I":
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

func (c *checker) lowerBinary(e *Binary) (*Node, error) {
	x, err := c.lower(e.X)
	if err != nil {
		return nil, err
	}
	y, err := c.lower(e.Y)
	if err != nil {
		return nil, err
	}
	switch e.Op {
	case OpMul:
		if x.Kind == KNum && y.Kind == KNum {
			return Number(new(big.Rat).Mul(x.Num, y.Num)), nil
		}
		// (−yᵀ)·z reads −yᵀ·z: a coefficient on the left factor leads the product.
		if x.Kind == KMul && x.Args[0].Kind == KNum && !x.IsScalar() {
			return Mul(append(append([]*Node{}, x.Args...), y)...), nil
		}
		return Mul(x, y), nil
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
	if e.Op == OpSub {
		y = neg(y)
	}
	if e.Op == OpElemDiv && y.Kind == KNum && y.Num.Sign() == 0 {
		return nil, c.errorf(e.Y, "division by zero")
	}
	if x.Kind == KNum && y.Kind == KNum {
		switch e.Op {
		case OpAdd, OpSub:
			return Number(new(big.Rat).Add(x.Num, y.Num)), nil
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
	case OpElemDiv:
		return Div(x, y), nil
	}
	return Add(x, y), nil
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

var reductions = map[string]Kind{
	"tr": KTrace, "trace": KTrace, "det": KDet, "logdet": KLogdet, "sum": KSum, "logsumexp": KLogsumexp,
}

func (c *checker) lowerCall(e *Call) (*Node, error) {
	if e.Fun == "norm" {
		sub := ""
		if len(e.Args) == 2 {
			sub, _ = normKind(c, e.Args[1])
		}
		return c.lowerNorm(e, e.Args[0], sub)
	}
	x, err := c.lower(e.Args[0])
	if err != nil {
		return nil, err
	}
	if k, ok := reductions[e.Fun]; ok {
		return Reduce(k, x), nil
	}
	if e.Fun == "kron" {
		y, err := c.lower(e.Args[1])
		if err != nil {
			return nil, err
		}
		return Kron(x, y), nil
	}
	switch e.Fun {
	case "inv":
		if x.IsScalar() {
			return Pow(x, Int(-1)), nil
		}
		return Inverse(x), nil
	case "softmax":
		return Softmax(x), nil
	case "diag":
		if c.diagMat[e] {
			return DiagMat(x), nil
		}
		return DiagVec(x), nil
	}
	if d := c.decls[e.Fun]; d != nil && d.Func && !c.seenFunc[e.Fun] {
		c.seenFunc[e.Fun] = true
		c.funcs = append(c.funcs, e.Fun)
	}
	return Apply(e.Fun, e.Primes, x), nil
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
	return Reduce(KNorm, x), nil
}
