package ast

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"math/big"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"weak"
)

// Kind is the closed set of typed node kinds.
type Kind uint8

// The node kinds. Args lists the operands; every node has a Shape.
const (
	KVar       Kind = iota + 1 // a named variable or constant: Name, Props
	KNum                       // a rational number (always 1×1): Num
	KIdentity                  // the identity I, n×n
	KOnes                      // the all-ones matrix 𝟙 of its shape
	KZero                      // the zero matrix of its shape
	KDelta                     // the direction Δ of the variable Name
	KAdd                       // Args[0] + Args[1] + …, all of one shape
	KMul                       // product: 1×1 factors are scalars and commute; the others form a conformable chain
	KHadamard                  // Args[0] ⊙ Args[1] ⊙ …, all of one shape
	KDiv                       // Args[0] ⊘ Args[1], elementwise quotient, one shape
	KTranspose                 // Args[0]ᵀ
	KInverse                   // Args[0]⁻¹, square
	KMatPow                    // Args[0]^K, matrix power, K ≥ 2
	KPow                       // Args[0] .^ Args[1], elementwise power, Args[1] scalar
	KApply                     // the declared generic function Name, derivative order K
	KCall                      // the built-in operation Op (a row of package builtin) of Args
	KInner                     // ⟨Args[0], Args[1]⟩ = sum(A ⊙ B)
	KBroadcast                 // Args[0] (scalar, row or column) repeated to Shape
	KSize                      // the symbolic size Name as a scalar: tr(I) = n, 𝟙ᵀ·𝟙 = n
	KMatPowSym                 // Args[0]^Args[1], matrix power with a symbolic integer exponent (k: int)
)

var kindNames = [...]string{
	KVar: "var", KNum: "num", KIdentity: "I", KOnes: "ones", KZero: "zero", KDelta: "delta",
	KAdd: "+", KMul: "*", KHadamard: ".*", KDiv: "./", KTranspose: "T", KInverse: "inv",
	KMatPow: "^", KPow: ".^", KApply: "apply", KCall: "call",
	KInner: "inner", KBroadcast: "bcast", KSize: "size", KMatPowSym: "^k",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "kind" + strconv.Itoa(int(k))
}

// Props are the declared properties of a variable.
type Props uint8

const (
	Symmetric Props = 1 << iota // Sᵀ = S
	PosDef                      // symmetric positive definite
	Positive                    // every entry > 0
	Diagonal                    // square, zero off the diagonal: Dᵀ = D, its directions are diagonal
	Integer                     // a scalar that takes integer values (k: int), the exponent of a matrix power
)

// Node is a typed, immutable, hash-consed expression. Never build one with a
// composite literal: use the constructors, which intern it.
type Node struct {
	Kind  Kind
	Shape Shape
	Name  string   // KVar, KDelta: the variable; KApply: the function; KCall: Op.Name
	Op    *Op      // KCall: the operation
	Props Props    // KVar
	Num   *big.Rat // KNum; never modified
	K     int      // KMatPow: exponent; KApply: derivative order of a generic function
	Args  []*Node

	id       uint64
	hasDelta bool
}

// ID is unique per distinct node; it orders nodes by creation.
func (n *Node) ID() uint64 { return n.id }

// IsScalar reports whether the node is 1×1.
func (n *Node) IsScalar() bool { return n.Shape.IsScalar() }

// DependsOn reports whether the variable name occurs in n. It walks n's
// DAG once; a pass that asks of many nodes uses a Dependence instead.
func (n *Node) DependsOn(name string) bool { return NewDependence(name).Of(n) }

// Dependence answers, for one variable, whether nodes mention it. It
// memoises over the DAG, so asking of every node of an expression costs
// one visit per distinct node. It belongs to one call (not safe for
// concurrent use).
type Dependence struct {
	name string
	memo map[*Node]bool
}

// NewDependence returns the dependence on the variable name.
func NewDependence(name string) *Dependence {
	return &Dependence{name: name, memo: map[*Node]bool{}}
}

// Of reports whether the variable occurs in n.
func (d *Dependence) Of(n *Node) bool {
	if n.Kind == KVar {
		return n.Name == d.name
	}
	if len(n.Args) == 0 {
		return false
	}
	if r, ok := d.memo[n]; ok {
		return r
	}
	r := false
	for _, a := range n.Args {
		if d.Of(a) {
			r = true
			break
		}
	}
	d.memo[n] = r
	return r
}

// VarNames is the set of the variables that occur in n, in one walk.
func VarNames(n *Node) map[string]bool {
	names := map[string]bool{}
	seen := map[*Node]bool{}
	var walk func(n *Node)
	walk = func(n *Node) {
		if seen[n] {
			return
		}
		seen[n] = true
		if n.Kind == KVar {
			names[n.Name] = true
		}
		for _, a := range n.Args {
			walk(a)
		}
	}
	walk(n)
	return names
}

// HasDelta reports whether a direction Δ occurs in n.
func (n *Node) HasDelta() bool { return n.hasDelta }

// IsSymmetric reports whether n is known to equal its transpose without rewriting:
// symmetric variables, I, scalars, square 𝟙 and 0, diagonal matrices, and
// inverses, powers and elementwise maps of symmetric nodes.
func (n *Node) IsSymmetric() bool {
	if n.IsScalar() {
		return true
	}
	switch n.Kind {
	case KVar:
		return n.Props&(Symmetric|PosDef|Diagonal) != 0
	case KIdentity:
		return true
	case KCall:
		switch {
		case n.Op.Shape == ColumnToDiag:
			return true
		case n.Op.Elementwise:
			return n.Args[0].IsSymmetric()
		}
		return false
	case KOnes, KZero:
		return n.Shape.IsSquare()
	case KInverse, KMatPow, KMatPowSym, KApply:
		return n.Args[0].IsSymmetric()
	case KPow:
		return n.Args[0].IsSymmetric()
	case KAdd, KHadamard, KDiv:
		for _, a := range n.Args {
			if !a.IsSymmetric() {
				return false
			}
		}
		return true
	}
	return false
}

// IsDiagonal reports whether n is known to be a diagonal matrix: diag(x),
// I, 0, a diagonal variable, and inverses, powers, products, sums and
// Hadamard products of diagonal matrices (scalars aside).
func (n *Node) IsDiagonal() bool {
	if n.IsScalar() || !n.Shape.IsSquare() {
		return false
	}
	switch n.Kind {
	case KIdentity, KZero:
		return true
	case KCall:
		return n.Op.Shape == ColumnToDiag // diag(x)
	case KVar:
		return n.Props&Diagonal != 0
	case KTranspose, KInverse, KMatPow, KMatPowSym:
		return n.Args[0].IsDiagonal()
	case KMul:
		for _, a := range n.Args {
			if !a.IsScalar() && !a.IsDiagonal() {
				return false
			}
		}
		return true
	case KAdd, KHadamard:
		for _, a := range n.Args {
			if !a.IsDiagonal() {
				return false
			}
		}
		return true
	}
	return false
}

// intern is the hash-consing table: one node for each structure, so that
// structurally equal nodes are one pointer. It maps the hash of a
// structure (internHash) to its node, the rare second node of an equal
// hash going to more. It holds its nodes weakly: a node no expression
// refers to any more is collected, and its entry is removed by the next
// sweep, which runs when the table has doubled since the last one (so it
// costs O(1) per node made) and in InternedNodes. The table thus holds at
// most about twice what the live expressions hold (a server answering many
// distinct requests does not grow). A slot is 16 bytes where a key of the
// whole structure took 120: the table of a wide expression (a sum of
// 10 000 traces) stays in cache longer and grows by copying less.
var intern = struct {
	sync.Mutex
	m       map[uint64]weak.Pointer[Node]
	more    map[uint64][]weak.Pointer[Node] // nodes whose hash an other node in m has
	next    uint64
	sweepAt int // the size at which the next insertion sweeps
}{m: map[uint64]weak.Pointer[Node]{}, more: map[uint64][]weak.Pointer[Node]{}, sweepAt: minSweep}

// internSeed seeds internHash; the hash decides only where a node is
// stored, never an output.
var internSeed = maphash.MakeSeed()

// minSweep is the smallest table that is swept.
const minSweep = 1 << 12

// sweep removes the entries of collected nodes and sets the size of the
// next sweep. The caller holds the lock.
func sweep() {
	for h, wp := range intern.m {
		if wp.Value() == nil {
			delete(intern.m, h)
		}
	}
	for h, wps := range intern.more {
		live := slices.DeleteFunc(wps, func(wp weak.Pointer[Node]) bool { return wp.Value() == nil })
		if len(live) == 0 {
			delete(intern.more, h)
		} else {
			intern.more[h] = live
		}
	}
	intern.sweepAt = max(2*(len(intern.m)+len(intern.more)), minSweep)
}

// InternedNodes is the number of entries of the hash-consing table once
// those of collected nodes are removed, for tests of its bound.
func InternedNodes() int {
	intern.Lock()
	defer intern.Unlock()
	sweep()
	n := len(intern.m)
	for _, wps := range intern.more {
		n += len(wps)
	}
	return n
}

// internHash hashes a node's structure: each field in a self-delimiting
// form (strings after their lengths, numbers as varints), so distinct
// structures give distinct byte strings, and the operands by their ids,
// which are never reused.
func internHash(kind Kind, op *Op, shape Shape, name string, props Props, num *big.Rat, k int, args []*Node) uint64 {
	var buf [128]byte
	b := append(buf[:0], byte(kind), byte(props))
	b = binary.AppendVarint(b, int64(k))
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	str(string(shape.Rows))
	str(string(shape.Cols))
	str(name)
	if op != nil {
		str(op.Name)
	}
	if num != nil {
		b = appendRat(b, num)
	}
	for _, a := range args {
		b = binary.AppendUvarint(b, a.id)
	}
	return maphash.Bytes(internSeed, b)
}

// appendRat appends r for internHash: its sign, then its numerator's and
// denominator's bytes, each after its length. It takes time linear in the
// size of r, where the decimal form (RatString) is quadratic: a product of
// 4 000 literal numbers took half a minute to check, interning the growing
// coefficient at each factor.
func appendRat(b []byte, r *big.Rat) []byte {
	num, den := r.Num().Bytes(), r.Denom().Bytes()
	b = append(b, byte(r.Sign()+1))
	b = binary.AppendUvarint(b, uint64(len(num)))
	b = append(b, num...)
	b = binary.AppendUvarint(b, uint64(len(den)))
	return append(b, den...)
}

// is reports whether n has the given structure.
func (n *Node) is(kind Kind, op *Op, shape Shape, name string, props Props, num *big.Rat, k int, args []*Node) bool {
	if n.Kind != kind || n.Op != op || n.Shape != shape || n.Name != name || n.Props != props || n.K != k || len(n.Args) != len(args) {
		return false
	}
	if (n.Num == nil) != (num == nil) || num != nil && n.Num.Cmp(num) != 0 {
		return false
	}
	for i, a := range args {
		if n.Args[i] != a {
			return false
		}
	}
	return true
}

// make interns a node. It is the only place nodes are created.
func make_(kind Kind, shape Shape, name string, props Props, num *big.Rat, k int, args ...*Node) *Node {
	return makeOp(nil, kind, shape, name, props, num, k, args...)
}

// makeOp is make_ for a node that carries an operation (KCall).
func makeOp(op *Op, kind Kind, shape Shape, name string, props Props, num *big.Rat, k int, args ...*Node) *Node {
	h := internHash(kind, op, shape, name, props, num, k, args)
	intern.Lock()
	defer intern.Unlock()
	if first, ok := intern.m[h]; ok {
		if n := first.Value(); n != nil && n.is(kind, op, shape, name, props, num, k, args) {
			return n
		}
		for _, wp := range intern.more[h] {
			if n := wp.Value(); n != nil && n.is(kind, op, shape, name, props, num, k, args) {
				return n
			}
		}
	}
	intern.next++
	n := &Node{Kind: kind, Shape: shape, Name: name, Op: op, Props: props, Num: num, K: k, Args: append([]*Node(nil), args...), id: intern.next}
	if kind == KDelta {
		n.hasDelta = true
	}
	for _, a := range args {
		n.hasDelta = n.hasDelta || a.hasDelta
	}
	if len(intern.m) >= intern.sweepAt {
		sweep()
	}
	if first, ok := intern.m[h]; ok && first.Value() != nil {
		intern.more[h] = append(intern.more[h], weak.Make(n))
	} else {
		intern.m[h] = weak.Make(n)
	}
	return n
}

// ShapeError reports an internal misuse of a constructor: a bug, not bad input.
type ShapeError struct{ Op, Detail string }

func (e *ShapeError) Error() string { return "ast." + e.Op + ": " + e.Detail }

func shapePanic(op string, format string, args ...any) {
	panic(&ShapeError{op, fmt.Sprintf(format, args...)})
}

// Var returns the variable name of the given shape and properties.
func Var(name string, s Shape, p Props) *Node { return make_(KVar, s, name, p, nil, 0) }

// Number returns the scalar constant r.
func Number(r *big.Rat) *Node { return make_(KNum, Scalar, "", 0, new(big.Rat).Set(r), 0) }

// IsOne reports whether c = 1, without building a 1 to compare with.
func IsOne(c *big.Rat) bool { return c.IsInt() && c.Num().IsInt64() && c.Num().Int64() == 1 }

// Int returns the scalar constant i.
func Int(i int64) *Node { return Number(new(big.Rat).SetInt64(i)) }

// Identity returns the n×n identity.
func Identity(n Dim) *Node { return make_(KIdentity, Shape{n, n}, "", 0, nil, 0) }

// Ones returns the all-ones matrix of shape s.
func Ones(s Shape) *Node { return make_(KOnes, s, "", 0, nil, 0) }

// Zero returns the zero matrix of shape s.
func Zero(s Shape) *Node { return make_(KZero, s, "", 0, nil, 0) }

// Size returns the size d as a scalar, a number when d is one.
func Size(d Dim) *Node {
	if n, err := strconv.Atoi(string(d)); err == nil {
		return Int(int64(n))
	}
	return make_(KSize, Scalar, string(d), 0, nil, 0)
}

// Delta returns the direction Δ in which the variable name (of shape s) is perturbed.
func Delta(name string, s Shape) *Node { return make_(KDelta, s, name, 0, nil, 0) }

// Add returns the sum of args, which must share one shape. One argument is returned as is.
func Add(args ...*Node) *Node {
	if len(args) == 1 {
		return args[0]
	}
	if len(args) == 0 {
		shapePanic("Add", "no arguments")
	}
	for _, a := range args[1:] {
		if a.Shape != args[0].Shape {
			shapePanic("Add", "shapes %v and %v", args[0].Shape, a.Shape)
		}
	}
	return make_(KAdd, args[0].Shape, "", 0, nil, 0, args...)
}

// MulShape is the shape of a product: scalar factors commute, the others chain.
// ok is false when the chain is not conformable.
func MulShape(args ...*Node) (Shape, bool) {
	var first, last *Node
	for _, a := range args {
		if a.IsScalar() {
			continue
		}
		if last != nil && last.Shape.Cols != a.Shape.Rows {
			return Shape{}, false
		}
		if first == nil {
			first = a
		}
		last = a
	}
	if first == nil {
		return Scalar, true
	}
	return Shape{first.Shape.Rows, last.Shape.Cols}, true
}

// Mul returns the product of args. One argument is returned as is.
func Mul(args ...*Node) *Node {
	if len(args) == 1 {
		return args[0]
	}
	s, ok := MulShape(args...)
	if !ok || len(args) == 0 {
		shapePanic("Mul", "non-conformable factors %v", shapes(args))
	}
	return make_(KMul, s, "", 0, nil, 0, args...)
}

func shapes(args []*Node) []string {
	var out []string
	for _, a := range args {
		out = append(out, a.Shape.String())
	}
	return out
}

// Hadamard returns the elementwise product of args, which share one shape.
func Hadamard(args ...*Node) *Node {
	if len(args) == 1 {
		return args[0]
	}
	for _, a := range args[1:] {
		if a.Shape != args[0].Shape {
			shapePanic("Hadamard", "shapes %v", shapes(args))
		}
	}
	return make_(KHadamard, args[0].Shape, "", 0, nil, 0, args...)
}

// Div returns the elementwise quotient a ⊘ b (one shape).
func Div(a, b *Node) *Node {
	if a.Shape != b.Shape {
		shapePanic("Div", "shapes %v and %v", a.Shape, b.Shape)
	}
	return make_(KDiv, a.Shape, "", 0, nil, 0, a, b)
}

// Transpose returns aᵀ.
func Transpose(a *Node) *Node { return make_(KTranspose, a.Shape.T(), "", 0, nil, 0, a) }

// Inverse returns a⁻¹ for square a.
func Inverse(a *Node) *Node {
	if !a.Shape.IsSquare() {
		shapePanic("Inverse", "non-square %v", a.Shape)
	}
	return make_(KInverse, a.Shape, "", 0, nil, 0, a)
}

// MatPow returns the matrix power a^k, k ≥ 2, for square a.
func MatPow(a *Node, k int) *Node {
	if !a.Shape.IsSquare() || k < 2 {
		shapePanic("MatPow", "%v ^ %d", a.Shape, k)
	}
	return make_(KMatPow, a.Shape, "", 0, nil, k, a)
}

// MatPowSym returns the matrix power a^k of a square a with a symbolic
// integer exponent k: a scalar expression of integer variables (k: int) and
// integers, such as k or k − 1. A negative k is a power of a⁻¹.
func MatPowSym(a, k *Node) *Node {
	if !a.Shape.IsSquare() || !k.IsScalar() {
		shapePanic("MatPowSym", "%v ^ (%v)", a.Shape, k.Shape)
	}
	return make_(KMatPowSym, a.Shape, "", 0, nil, 0, a, k)
}

// Pow returns the elementwise power a .^ p for a scalar exponent p.
func Pow(a, p *Node) *Node {
	if !p.IsScalar() {
		shapePanic("Pow", "exponent of shape %v", p.Shape)
	}
	return make_(KPow, a.Shape, "", 0, nil, 0, a, p)
}

// Apply returns the elementwise function fn applied to a. For a generic
// (declared) function, order is the derivative order: g is 0, g′ is 1.
func Apply(fn string, order int, a *Node) *Node {
	return make_(KApply, a.Shape, fn, 0, nil, order, a)
}

// Inner returns ⟨a, b⟩ = sum(a ⊙ b); a and b share one shape.
func Inner(a, b *Node) *Node {
	if a.Shape != b.Shape {
		shapePanic("Inner", "shapes %v and %v", a.Shape, b.Shape)
	}
	return make_(KInner, Scalar, "", 0, nil, 0, a, b)
}

// Broadcast repeats a (a scalar, a 1×n row or an m×1 column) to shape s.
// It returns a unchanged when a already has shape s.
func Broadcast(a *Node, s Shape) *Node {
	if a.Shape == s {
		return a
	}
	okR := a.Shape.Rows == s.Rows || a.Shape.Rows == One
	okC := a.Shape.Cols == s.Cols || a.Shape.Cols == One
	if !okR || !okC {
		shapePanic("Broadcast", "%v to %v", a.Shape, s)
	}
	return make_(KBroadcast, s, "", 0, nil, 0, a)
}

// dimProduct is the size a·b. Sizes commute, so the factors are kept
// sorted (n·p = p·n) and numbers multiplied: vec(X) of X n×p has the size
// of a Kronecker side p·n, as (Bᵀ ⊗ A)·vec(X) = vec(A·X·B) needs.
func dimProduct(a, b Dim) Dim {
	switch {
	case a == One:
		return b
	case b == One:
		return a
	}
	num := 1
	var names []string
	for _, f := range append(strings.Split(string(a), "·"), strings.Split(string(b), "·")...) {
		if k, err := strconv.Atoi(f); err == nil {
			num *= k
		} else {
			names = append(names, f)
		}
	}
	sort.Strings(names)
	if num != 1 || len(names) == 0 {
		names = append([]string{strconv.Itoa(num)}, names...)
	}
	return Dim(strings.Join(names, "·"))
}

// WithArgs returns a node of n's kind and attributes with new operands,
// recomputing the shape. It returns n itself when nothing changed.
func WithArgs(n *Node, args ...*Node) *Node {
	same := len(args) == len(n.Args)
	for i := 0; same && i < len(args); i++ {
		same = args[i] == n.Args[i]
	}
	if same {
		return n
	}
	switch n.Kind {
	case KAdd:
		return Add(args...)
	case KMul:
		return Mul(args...)
	case KHadamard:
		return Hadamard(args...)
	case KDiv:
		return Div(args[0], args[1])
	case KTranspose:
		return Transpose(args[0])
	case KInverse:
		return Inverse(args[0])
	case KMatPow:
		return MatPow(args[0], n.K)
	case KMatPowSym:
		return MatPowSym(args[0], args[1])
	case KPow:
		return Pow(args[0], args[1])
	case KApply:
		return Apply(n.Name, n.K, args[0])
	case KCall:
		return n.Op.Of(args...)
	case KInner:
		return Inner(args[0], args[1])
	case KBroadcast:
		return Broadcast(args[0], n.Shape)
	}
	shapePanic("WithArgs", "leaf kind %v", n.Kind)
	return nil
}

// IsNum reports whether n is the number v.
func (n *Node) IsNum(v int64) bool {
	return n.Kind == KNum && n.Num.IsInt() && n.Num.Num().IsInt64() && n.Num.Num().Int64() == v
}

// Compare orders nodes structurally (kind, name, shape, value, then operands).
// It is a total order consistent with pointer identity, used for canonical
// ordering of commutative operands.
func Compare(a, b *Node) int {
	if a == b {
		return 0
	}
	if c := rank(a) - rank(b); c != 0 {
		return c
	}
	if a.Kind != b.Kind {
		return int(a.Kind) - int(b.Kind)
	}
	if a.Kind == KCall {
		if c := callRank(a.Op) - callRank(b.Op); c != 0 {
			return c
		}
	}
	if c := strings.Compare(a.Name, b.Name); c != 0 {
		return c
	}
	if a.Num != nil && b.Num != nil {
		if c := a.Num.Cmp(b.Num); c != 0 {
			return c
		}
	}
	if c := a.K - b.K; c != 0 {
		return c
	}
	for i := 0; i < len(a.Args) && i < len(b.Args); i++ {
		if c := Compare(a.Args[i], b.Args[i]); c != 0 {
			return c
		}
	}
	if c := len(a.Args) - len(b.Args); c != 0 {
		return c
	}
	if c := strings.Compare(a.Shape.String(), b.Shape.String()); c != 0 {
		return c
	}
	if a.id < b.id {
		return -1
	}
	return 1
}

// callRank orders calls: elementwise functions first, by name, then the
// other operations in table order.
func callRank(op *Op) int {
	if op.Elementwise {
		return 0
	}
	return op.seq
}

// rank sorts leaves first: a sum reads Δ-free constants and variables
// before compound terms.
func rank(n *Node) int {
	switch n.Kind {
	case KNum:
		return 0
	case KVar, KDelta, KIdentity, KOnes, KZero, KSize:
		return 1
	case KTranspose, KInverse:
		return rank(n.Args[0])
	}
	return 2
}

// Walk calls f for every distinct node of the DAG rooted at n, children
// before parents, each node once.
func Walk(n *Node, f func(*Node)) {
	seen := map[*Node]bool{}
	var visit func(*Node)
	visit = func(m *Node) {
		if seen[m] {
			return
		}
		seen[m] = true
		for _, a := range m.Args {
			visit(a)
		}
		f(m)
	}
	visit(n)
}

// Substitute replaces every occurrence of the node from by to (same shape) in n.
func Substitute(n, from, to *Node) *Node {
	memo := map[*Node]*Node{}
	var sub func(*Node) *Node
	sub = func(m *Node) *Node {
		if m == from {
			return to
		}
		if r, ok := memo[m]; ok {
			return r
		}
		args := make([]*Node, len(m.Args))
		for i, a := range m.Args {
			args[i] = sub(a)
		}
		r := m
		if len(args) > 0 {
			r = WithArgs(m, args...)
		}
		memo[m] = r
		return r
	}
	return sub(n)
}

// Dump writes n as an S-expression, for tests and debugging.
func Dump(n *Node) string {
	var sb strings.Builder
	var w func(*Node)
	w = func(m *Node) {
		switch m.Kind {
		case KVar:
			sb.WriteString(m.Name)
			return
		case KNum:
			sb.WriteString(m.Num.RatString())
			return
		case KDelta:
			sb.WriteString("Δ" + m.Name)
			return
		case KSize:
			sb.WriteString("#" + m.Name)
			return
		case KIdentity, KOnes, KZero:
			fmt.Fprintf(&sb, "%s[%s]", m.Kind, m.Shape)
			return
		}
		if m.Kind == KCall {
			sb.WriteString("(" + m.Name)
		} else {
			sb.WriteString("(" + m.Kind.String())
		}
		if m.Kind == KApply {
			sb.WriteString(" " + m.Name + strings.Repeat("'", m.K))
		}
		if m.Kind == KMatPow {
			fmt.Fprintf(&sb, "%d", m.K)
		}
		for _, a := range m.Args {
			sb.WriteByte(' ')
			w(a)
		}
		sb.WriteByte(')')
	}
	w(n)
	return sb.String()
}
