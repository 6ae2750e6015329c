package ast

import (
	"math/big"
	"sort"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// ShapeRule is the shape of a built-in operation's result in terms of its
// operands': plain data that the shape checker and the constructors read.
type ShapeRule uint8

// The shape rules.
const (
	SameShape      ShapeRule = iota + 1 // any A → the shape of A (elementwise functions)
	ColumnSame                          // a column x → the shape of x (softmax)
	SquareScalar                        // a square A → a scalar (tr, det, logdet)
	AnyScalar                           // any A → a scalar (sum, mean, norm)
	ColumnScalar                        // a column x → a scalar (logsumexp)
	ColumnToDiag                        // a column x of n → n×n (diag(x))
	SquareToColumn                      // a square n×n → a column of n (diag(A))
	StackColumns                        // m×n → a column of m·n (vec)
	KronShape                           // m×n, p×q → mp×nq (kron)
	Constant                            // no operands → a scalar (π)
	Unstack                             // a column of m·n, the sizes m, n → m×n (unvec(a, m, n))
)

// Spelling is how an operation is written in each notation. A spelling that
// holds "%s" is a template for its one operand (np.maximum(%s, 0.0)), in
// the code formats as fmt.Sprintf reads it (%[1]s for an operand written
// twice); in LaTeX "%p" is an operand printed tight, as after \det.
// Otherwise it is a function name written before the parenthesized operands
// (an infix operator for an Infix op in text and LaTeX).
// An empty spelling means the notation cannot write the operation.
//
// The code formats read their column the same way: a function name is
// called on the operands (in Go an elementwise one is a func(float64)
// float64, mapped over a matrix's entries), a template is filled with
// them. In Octave, CLASS stands for the generated class, whose private
// static helper method (OctaveHelper) a spelling may call; in Go, an operation whose result is a
// scalar for matrix operands returns a float64, any other a *mat.Dense.
type Spelling struct {
	Text, ASCII, LaTeX string
	LaTeXScalar        string // LaTeX for a 1×1 operand, when it differs (\sqrt{%s})
	NumPy              string
	NumPyScalar        string // NumPy for a 1×1 operand, when it differs
	NumPyHelper        string // the definition of a helper the NumPy spelling calls
	Torch              string
	TorchScalar        string // PyTorch for a 1×1 (0-dim tensor) operand, when it differs
	TorchHelper        string // the definition of a helper the PyTorch spelling calls
	Octave             string
	OctaveHelper       string // a private static method of the class the Octave spelling calls
	Go                 string
	GoHelper           string // the definition of a helper the Go spelling calls
}

// Op describes one built-in operation: one row of the table in package
// builtin, read by every stage. A node of kind KCall carries its Op.
type Op struct {
	Name    string   // the name in input and in ASCII output
	Aliases []string // other input names (asin, trace, ⊗ is syntax)
	Args    int      // number of operands
	Shape   ShapeRule

	// Infix: printed between its operands in text and LaTeX (A ⊗ B), as a
	// call in ASCII and code.
	Infix bool

	// Elementwise: f(A)ᵢⱼ = f(Aᵢⱼ), so f commutes with transposes and
	// broadcasts. Linear: f is linear in its (one) operand.
	Elementwise, Linear bool

	// ZeroAtZero: f(0) = 0 for an f that is not linear (‖0‖ = 0,
	// det(0) = 0), so that f of a zero operand is folded to 0 before it is
	// differentiated (the differential of ‖A‖ divides by ‖A‖).
	ZeroAtZero bool

	// Scalar is f of one entry, for an elementwise f.
	Scalar func(float64) float64
	// Eval is f of whole operands (for an elementwise f it may be nil:
	// Scalar is mapped over the entries).
	Eval func(args []*mat.Dense) (*mat.Dense, error)

	// Deriv returns the differential of n = f(args) given the differentials
	// da of its operands (nil where zero); nil means zero. Rule is the
	// identity it implements, as --steps shows it.
	Deriv func(n *Node, da []*Node) *Node
	Rule  string

	// Adjoint returns the cotangent of operand k of the linear operation n
	// when the form so far is ⟨g, n⟩: ⟨g, f(Δ)⟩ = ⟨Adjoint(n, g, k), Δ⟩.
	// AdjointRule is that identity. Nil for an operation no linear form
	// can hold Δ inside.
	Adjoint     func(n, g *Node, k int) *Node
	AdjointRule string

	// Fold returns f at an exact number, or nil when f(x) is not rational
	// (or not worth writing exactly).
	Fold func(x *big.Rat) *big.Rat

	// The numerical check's screen of a draw (package numeric rejects draws
	// where the derivative has lost the digits it compares). Saturation,
	// for an elementwise f that tends to a constant (its derivative a
	// difference from 1, or 1/(1 + x²)), is the largest argument at which
	// that derivative is at least 10⁻⁹ (tanh 11, sigmoid 20.7, arctan
	// 31 623; of |x| when SaturatesBothWays); zero: none.
	// SaturatesLikeSoftmax: the derivative is lost where the largest entry
	// of softmax of the operand is within 10⁻⁹ of 1. RangeChecked: f under-
	// or overflows for large arguments (exp), and such draws are rejected.
	// Oscillation, for a periodic f (sin, cos, tan), is the largest |x| at
	// which finite differences can follow it: beyond, a small relative
	// change of the inputs spans many periods; zero: none.
	Saturation           float64
	SaturatesBothWays    bool
	SaturatesLikeSoftmax bool
	RangeChecked         bool
	Oscillation          float64

	Print Spelling

	seq int // registration order
}

var registry = struct {
	sync.Mutex
	byName map[string][]*Op
	all    []*Op
}{byName: map[string][]*Op{}}

// Register adds op to the table of operations the shape checker looks names
// up in. Operations that share a name (diag) are overloads, tried in the
// order they were registered.
func Register(op *Op) {
	registry.Lock()
	defer registry.Unlock()
	op.seq = len(registry.all) + 1
	registry.all = append(registry.all, op)
	for _, name := range append([]string{op.Name}, op.Aliases...) {
		registry.byName[name] = append(registry.byName[name], op)
	}
}

// RegisterAlias adds another input name of the registered op.
func RegisterAlias(op *Op, name string) {
	registry.Lock()
	defer registry.Unlock()
	op.Aliases = append(op.Aliases, name)
	registry.byName[name] = append(registry.byName[name], op)
}

// LookupOp returns the operations the name denotes (nil for none).
func LookupOp(name string) []*Op {
	registry.Lock()
	defer registry.Unlock()
	return registry.byName[name]
}

// OpNames returns every registered name and alias, sorted.
func OpNames() []string {
	registry.Lock()
	defer registry.Unlock()
	var out []string
	for name := range registry.byName {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// Ops returns every registered operation, in registration order.
func Ops() []*Op {
	registry.Lock()
	defer registry.Unlock()
	return append([]*Op(nil), registry.all...)
}

// ResultShape returns the shape of op applied to operands of the given
// shapes; ok is false when the operands do not fit the rule.
func (op *Op) ResultShape(args ...Shape) (s Shape, ok bool) {
	if len(args) != op.Args {
		return Shape{}, false
	}
	if op.Shape == Constant {
		return Scalar, true
	}
	a := args[0]
	switch op.Shape {
	case SameShape:
		return a, true
	case ColumnSame:
		return a, a.Cols == One
	case SquareScalar:
		return Scalar, a.IsSquare()
	case AnyScalar:
		return Scalar, true
	case ColumnScalar:
		return Scalar, a.Cols == One
	case ColumnToDiag:
		return Shape{a.Rows, a.Rows}, a.Cols == One
	case SquareToColumn:
		return Vec(a.Rows), a.IsSquare()
	case StackColumns:
		return Vec(dimProduct(a.Rows, a.Cols)), true
	case KronShape:
		b := args[1]
		return Shape{dimProduct(a.Rows, b.Rows), dimProduct(a.Cols, b.Cols)}, true
	}
	return Shape{}, false
}

// Of returns the call of the built-in operation op with the operands args;
// the shapes of args must fit op's shape rule.
func (op *Op) Of(args ...*Node) *Node {
	shapes := make([]Shape, len(args))
	for i, a := range args {
		shapes[i] = a.Shape
	}
	s, ok := op.ResultShape(shapes...)
	if op.Shape == Unstack && len(args) == 3 {
		s, ok = unstackShape(args[0], args[1], args[2])
	}
	if !ok {
		shapePanic(op.Name, "operands of shape %v", shapes)
	}
	return makeOp(op, KCall, s, op.Name, 0, nil, op.seq, args...)
}

// unstackShape is the shape m×n of unvec(a, m, n): m and n are sizes as
// scalars (KSize or an integer), and a is a column of m·n.
func unstackShape(a, m, n *Node) (Shape, bool) {
	r, okR := sizeOf(m)
	c, okC := sizeOf(n)
	return Shape{r, c}, okR && okC && a.Shape.Cols == One && a.Shape.Rows == dimProduct(r, c)
}

// sizeOf is the size a scalar node names: a KSize, or a positive integer.
func sizeOf(n *Node) (Dim, bool) {
	switch {
	case n.Kind == KSize:
		return Dim(n.Name), true
	case n.Kind == KNum && n.Num.IsInt() && n.Num.Sign() > 0:
		return Dim(n.Num.RatString()), true
	}
	return "", false
}

// Is reports whether n is a call of op.
func (n *Node) Is(op *Op) bool { return n.Kind == KCall && n.Op == op }

// IsElementwiseCall reports whether n is a call of an elementwise built-in.
func (n *Node) IsElementwiseCall() bool { return n.Kind == KCall && n.Op.Elementwise }
