package numeric

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
)

// A plan is the evaluation order of a DAG, computed once and reused by every
// evaluation of the DAG within one call (a check evaluates the same
// expressions at dozens of inputs). The plan's order lists operands before
// their users, each distinct node once, in post-order (topo): with one
// root, evaluating the order from the start is exactly what a fresh
// evaluation of that root does, node for node.
//
// A plan is never modified once built, except for what it memoises
// (dependsOn, orderOf), and so belongs to one call: it is not safe for
// concurrent use, and there is no package-level cache of plans.
type plan struct {
	nodes []*ast.Node // the distinct nodes, operands before their users
	// args lists operand positions: those of nodes[i] are
	// args[argAt[i]:argAt[i+1]], in the order of nodes[i].Args.
	args  []int32
	argAt []int32
	pos   map[*ast.Node]int32 // the position of each node in nodes
	// dims are the distinct dims of the nodes' shapes; shape[i] holds
	// the positions in dims of nodes[i]'s rows and columns.
	dims  []planDim
	shape [][2]int32
	// inputs are the positions of the KVar and KDelta nodes, in order:
	// the nodes whose values bindSizes reads.
	inputs  []int32
	rootsAt []int32           // the positions of the distinct roots, each after the nodes below it
	inputAt []int32           // the index in inputs of the node at each position, −1 for the others
	scalar  []bool            // nodes[i] is 1×1 by its shape (ast.Node.IsScalar)
	kinds   []ast.Kind        // the kind of nodes[i]
	ops     []*ast.Op         // the operation of nodes[i] (KCall), or nil
	deps    map[string][]bool // memo of dependsOn
	// slots[k] is the slot in slotTab of the variable inputs[k] (−1: a
	// direction, or a name slotTab lacks): memo of slotsFor.
	slotTab *valTable
	slots   []int32
	orders  map[int32][]int32 // memo of orderOf
}

// planDim is a dim of a plan, classified once.
type planDim struct {
	d    ast.Dim
	kind dimKind
}

type dimKind uint8

const (
	dimName   dimKind = iota // a size name, looked up in the sizes (and bound from values)
	dimNumber                // a decimal number (anything strconv.Atoi reads)
	dimKron                  // a Kronecker dim a·b
)

// newPlan returns the plan of the DAG rooted at roots: the distinct nodes
// of all of them, operands before their users, the nodes of roots[0] first
// (in the order of topo(roots[0])), then those of roots[1] not already
// listed, and so on. Nil roots are skipped. It is iterative, so the depth
// of the DAG is not limited by the call stack.
func newPlan(roots ...*ast.Node) *plan {
	p := &plan{pos: map[*ast.Node]int32{}}
	dimAt := map[ast.Dim]int32{}
	lastDim, lastAt := ast.Dim(""), int32(-1) // most nodes share their dims with the last
	dimOf := func(d ast.Dim) int32 {
		if lastAt >= 0 && d == lastDim {
			return lastAt
		}
		if k, ok := dimAt[d]; ok {
			lastDim, lastAt = d, k
			return k
		}
		k := int32(len(p.dims))
		kind := dimName
		switch {
		case strings.Contains(string(d), "·"):
			kind = dimKron
		default:
			if _, err := strconv.Atoi(string(d)); err == nil {
				kind = dimNumber
			}
		}
		p.dims = append(p.dims, planDim{d: d, kind: kind})
		dimAt[d] = k
		return k
	}
	type frame struct {
		n    *ast.Node
		next int // index of the next operand to visit
	}
	const pending = -1 // on the stack, not yet placed
	var stack []frame
	edges := 0 // operands of the nodes placed
	for _, root := range roots {
		if root == nil {
			continue
		}
		if _, seen := p.pos[root]; seen {
			continue
		}
		p.pos[root] = pending
		stack = append(stack[:0], frame{n: root})
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.next < len(top.n.Args) {
				a := top.n.Args[top.next]
				top.next++
				if _, seen := p.pos[a]; !seen {
					p.pos[a] = pending
					stack = append(stack, frame{n: a})
				}
				continue
			}
			n := top.n
			stack = stack[:len(stack)-1]
			p.pos[n] = int32(len(p.nodes))
			p.nodes = append(p.nodes, n)
			edges += len(n.Args)
		}
		p.rootsAt = append(p.rootsAt, p.pos[root])
	}
	// The tables by position, each allocated once at its length.
	k := len(p.nodes)
	p.argAt, p.args = make([]int32, k+1), make([]int32, 0, edges)
	p.shape, p.inputAt = make([][2]int32, k), make([]int32, k)
	p.scalar, p.kinds, p.ops = make([]bool, k), make([]ast.Kind, k), make([]*ast.Op, k)
	for i, n := range p.nodes {
		p.argAt[i] = int32(len(p.args))
		for _, a := range n.Args {
			p.args = append(p.args, p.pos[a]) // placed before n: a DAG has no cycle
		}
		p.shape[i] = [2]int32{dimOf(n.Shape.Rows), dimOf(n.Shape.Cols)}
		p.inputAt[i] = -1
		p.scalar[i], p.kinds[i], p.ops[i] = n.IsScalar(), n.Kind, n.Op
		if n.Kind == ast.KVar || n.Kind == ast.KDelta {
			p.inputAt[i] = int32(len(p.inputs))
			p.inputs = append(p.inputs, int32(i))
		}
	}
	p.argAt[k] = int32(len(p.args))
	return p
}

// walk calls visit with the distinct nodes of the DAGs of roots, operands
// before their users, in the order of newPlan(roots...).nodes (nil roots
// skipped), and the position of each in p (−1 for a node p lacks),
// without building that plan: below a node of p, whose whole DAG is in p,
// the walk follows p's operand positions and marks them in a slice; only
// the other nodes are looked up and marked in maps. It is iterative, as
// newPlan is.
func (p *plan) walk(roots []*ast.Node, visit func(n *ast.Node, at int32)) {
	type frame struct {
		n    *ast.Node
		i    int32 // the position of n in p, −1 if none
		next int   // index of the next operand to visit
	}
	seen := make([]bool, len(p.nodes))
	seenOther := map[*ast.Node]bool{}
	var stack []frame
	push := func(n *ast.Node) {
		if i, ok := p.pos[n]; ok {
			if !seen[i] {
				seen[i] = true
				stack = append(stack, frame{n: n, i: i})
			}
		} else if !seenOther[n] {
			seenOther[n] = true
			stack = append(stack, frame{n: n, i: -1})
		}
	}
	for _, root := range roots {
		if root == nil {
			continue
		}
		push(root)
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.i >= 0 {
				if ops := p.operands(top.i); top.next < len(ops) {
					a := ops[top.next]
					top.next++
					if !seen[a] {
						seen[a] = true
						stack = append(stack, frame{n: p.nodes[a], i: a})
					}
					continue
				}
			} else if top.next < len(top.n.Args) {
				a := top.n.Args[top.next]
				top.next++
				push(a)
				continue
			}
			visit(top.n, top.i)
			stack = stack[:len(stack)-1]
		}
	}
}

// tooLarge reports whether some node of the plan has more than MaxEntries
// entries at the sizes at (a node whose shape does not resolve has none),
// each distinct dim resolved once.
func (p *plan) tooLarge(at map[ast.Dim]int) bool {
	dims := make([]float64, len(p.dims))
	for j, pd := range p.dims {
		if k, err := resolveDim(pd.d, at); err == nil {
			dims[j] = float64(k)
		}
	}
	for _, sh := range p.shape {
		if dims[sh[0]]*dims[sh[1]] > MaxEntries {
			return true
		}
	}
	return false
}

// holds reports whether every node of ns but nil ones is a node of the
// plan, and so is every node below them.
func (p *plan) holds(ns []*ast.Node) bool {
	for _, n := range ns {
		if _, ok := p.pos[n]; n != nil && !ok {
			return false
		}
	}
	return true
}

// operands returns the positions of the operands of the node at i.
func (p *plan) operands(i int32) []int32 { return p.args[p.argAt[i]:p.argAt[i+1]] }

// orderOf returns the positions of the nodes of the DAG rooted at the node
// at i, operands before their users, in the order of topo: for the last
// node of a plan of one root, every position in order. The result is
// memoised in the plan and must not be modified.
func (p *plan) orderOf(i int32) []int32 {
	if o, ok := p.orders[i]; ok {
		return o
	}
	var order []int32
	if int(i) == len(p.nodes)-1 && p.single() {
		order = make([]int32, len(p.nodes))
		for k := range order {
			order[k] = int32(k)
		}
	} else {
		order = (&evaluator{p: p, vals: make([]*mat.Dense, len(p.nodes))}).pending(i, nil)
	}
	if p.orders == nil {
		p.orders = map[int32][]int32{}
	}
	p.orders[i] = order
	return order
}

// single reports whether the plan has one root, so that every node of it
// is below its last node.
func (p *plan) single() bool { return len(p.rootsAt) == 1 }

// dependsOn reports, for each node of the plan, whether the variable name
// occurs in it (a KVar named name; the direction Δname is not the
// variable). The result is memoised in the plan and must not be modified.
func (p *plan) dependsOn(name string) []bool {
	if d, ok := p.deps[name]; ok {
		return d
	}
	dep := make([]bool, len(p.nodes))
	for i, n := range p.nodes {
		if n.Kind == ast.KVar && n.Name == name {
			dep[i] = true
			continue
		}
		for _, a := range p.operands(int32(i)) {
			if dep[a] { // operands come first
				dep[i] = true
				break
			}
		}
	}
	if p.deps == nil {
		p.deps = map[string][]bool{}
	}
	p.deps[name] = dep
	return dep
}

// evaluator evaluates the nodes of one plan at one env. Each node is
// evaluated at most once (vals is the memo, by position), so a sequence of
// values of one DAG costs its size once, not once per value.
type evaluator struct {
	p   *plan
	env *Env
	// over, when overSet, is the value of the variable overName in place
	// of env's: the evaluator evaluates at a copy of env in which overName
	// has the value over, without copying env.Vals.
	overName string
	over     *mat.Dense
	overSet  bool
	// sizes are env.Sizes and the names bindSizes inferred; it is env.Sizes
	// itself until the first inference (copied then: env is never
	// modified).
	sizes    map[ast.Dim]int
	ownSizes bool
	dimState []uint8 // per plan dim: dimUnknown, dimAbsent (a name sizes lacks) or dimKnown
	dimVal   []int   // per plan dim: the size in sizes (a name) or the resolved size (dimKnown)
	vals     []*mat.Dense
	inVals   []*mat.Dense // per plan input: its value in env, once looked up (noValue: none)
	// argBuf and chainBuf are the operands of evalNode and the chain of
	// mul, reused. They are not cleared after use (a clear per node is a
	// runtime call with write barriers, as dear as a 3×3 operation): they
	// may keep the last operands alive for as long as the evaluator lives,
	// which is no longer than the call that made it.
	argBuf    []*mat.Dense
	chainBuf  []*mat.Dense
	mark      []uint32 // visit marks of pending, by position
	markStamp uint32
	pendStack []pendFrame // the stack of pending, reused
	orderBuf  []int32     // the order of value, reused
	// ar holds the values the evaluator computes: the session's arena,
	// shared by its evaluators, or one of the evaluator's own.
	ar *arena
}

const (
	dimUnknown uint8 = iota // not looked up yet
	dimAbsent               // a name that sizes does not hold
	dimKnown                // dimVal holds the value
)

// newEvaluator returns an evaluator of p at env with an empty memo.
func newEvaluator(p *plan, env *Env) *evaluator {
	return &evaluator{
		p: p, env: env, sizes: env.Sizes,
		dimState: make([]uint8, len(p.dims)),
		dimVal:   make([]int, len(p.dims)),
		vals:     make([]*mat.Dense, len(p.nodes)),
		inVals:   make([]*mat.Dense, len(p.inputs)),
		ar:       new(arena),
	}
}

// reset makes ev an evaluator of its plan at env with an empty memo, as
// newEvaluator returns it, for a caller that holds none of its values
// (its buffers are kept).
func (ev *evaluator) reset(env *Env) {
	ev.env, ev.sizes, ev.ownSizes = env, env.Sizes, false
	ev.overName, ev.over, ev.overSet = "", nil, false
	clear(ev.dimState)
	clear(ev.dimVal)
	clear(ev.vals)
	clear(ev.inVals)
}

// noValue marks, in evaluator.inVals, an input that env has no value for.
// It is never a value.
var noValue = new(mat.Dense)

// input returns the value in env of the variable or direction at position
// i (nil when env has none), looked up once per evaluator: env does not
// change while it evaluates.
func (ev *evaluator) input(i int32) *mat.Dense {
	k := ev.p.inputAt[i]
	switch v := ev.inVals[k]; v {
	case noValue:
		return nil
	case nil:
	default:
		return v
	}
	var v *mat.Dense
	if ev.p.kinds[i] == ast.KVar {
		v = ev.varValue(i, k)
	} else {
		v = ev.env.Deltas[ev.p.nodes[i].Name]
	}
	if v == nil {
		ev.inVals[k] = noValue
	} else {
		ev.inVals[k] = v
	}
	return v
}

// override makes the evaluator evaluate at a copy of env in which the
// variable name has the value v (env itself is not modified).
func (ev *evaluator) override(name string, v *mat.Dense) {
	ev.overName, ev.over, ev.overSet = name, v, true
}

// varValue returns the value of the variable at position i, the plan's
// k-th input; by its slot (Env.tab), it does not read the node.
func (ev *evaluator) varValue(i, k int32) *mat.Dense {
	if ev.overSet && ev.p.nodes[i].Name == ev.overName {
		return ev.over
	}
	if t := ev.env.tab; t != nil {
		if j := ev.p.slotsFor(t)[k]; j >= 0 {
			return ev.env.vals[j]
		}
		return nil
	}
	return ev.env.Vals[ev.p.nodes[i].Name]
}

// slotsFor returns, for each input of the plan, the slot of its variable
// in t (−1 for a direction or a name t lacks), memoised for the last t:
// what Env.Vals[name] is to an env without a tab. It must not be modified.
func (p *plan) slotsFor(t *valTable) []int32 {
	if p.slotTab != t {
		p.slots = make([]int32, len(p.inputs))
		for k, i := range p.inputs {
			p.slots[k] = -1
			if n := p.nodes[i]; n.Kind == ast.KVar {
				if j, ok := t.slot[n.Name]; ok {
					p.slots[k] = j
				}
			}
		}
		p.slotTab = t
	}
	return p.slots
}

// recoverMat turns a gonum size panic that slipped through the size checks
// of the operations into an error (every operation checks its operands'
// sizes first).
func recoverMat(m **mat.Dense, err *error) {
	if r := recover(); r != nil {
		me, ok := r.(mat.Error)
		if !ok {
			panic(r)
		}
		*m, *err = nil, fmt.Errorf("numeric: %v", me)
	}
}

// all evaluates every node of the plan, in order, and returns the value of
// the last (the root of a plan of one root). The result is the memo's own
// matrix: the caller must not modify it.
func (ev *evaluator) all() (m *mat.Dense, err error) {
	defer recoverMat(&m, &err)
	if err := ev.bindSizes(ev.p.inputs); err != nil {
		return nil, err
	}
	for i := range ev.p.nodes {
		if err := ev.evalNode(int32(i)); err != nil {
			return nil, err
		}
	}
	return ev.vals[len(ev.vals)-1], nil
}

// root evaluates the node at i and the nodes below it that have no value
// yet, in the order of orderOf(i) (that of a fresh evaluation, without the
// nodes already evaluated, which include everything below them), sizes
// bound from their values first. The result is the memo's own matrix: the
// caller must not modify it.
func (ev *evaluator) root(i int32) (m *mat.Dense, err error) { return ev.evalRoot(i, true) }

// evalRoot is root, with the sizes bound first only when bind is set (see
// session.eval for when they need not be).
func (ev *evaluator) evalRoot(i int32, bind bool) (m *mat.Dense, err error) {
	if v := ev.vals[i]; v != nil {
		return v, nil
	}
	defer recoverMat(&m, &err)
	order := ev.p.orderOf(i)
	if bind {
		if err := ev.bindSizes(order); err != nil {
			return nil, err
		}
	}
	for _, x := range order {
		if ev.vals[x] != nil {
			continue
		}
		if err := ev.evalNode(x); err != nil {
			return nil, err
		}
	}
	return ev.vals[i], nil
}

// varied is root(i) for an evaluator whose env is base.env with the
// variable name given another value of the same size (override), base an
// evaluator of the same plan that has evaluated the node at i: the nodes
// that do not depend on name keep their values from base. Those values are
// bit-identical to what evaluating them again would give (their inputs,
// sizes and functions are the same), and base evaluated them without
// error, so the result, or the error, is that of a fresh evaluation.
//
// When the new value has the size of the old one in env.Vals, ev takes
// base's sizes (sharesSizes) instead of binding them again from every
// input.
func (ev *evaluator) varied(base *evaluator, i int32, name string) (m *mat.Dense, err error) {
	defer recoverMat(&m, &err)
	order := ev.p.orderOf(i)
	if old := ev.env.Vals[name]; old != nil && ev.overName == name && sameDims("", old, ev.over) == nil {
		ev.sharesSizes(base)
	} else if err := ev.bindSizes(order); err != nil {
		return nil, err
	}
	dep := ev.p.dependsOn(name)
	for _, x := range order {
		switch {
		case ev.vals[x] != nil:
		case !dep[x]:
			ev.vals[x] = base.vals[x]
		default:
			if err := ev.evalNode(x); err != nil {
				return nil, err
			}
		}
	}
	return ev.vals[i], nil
}

// value evaluates the node n of the plan, reusing what earlier calls of the
// same evaluator computed. The nodes below n that are not yet evaluated are
// evaluated in the order of topo(n) restricted to them — sizes bound from
// their values first, as a fresh evaluation of n would — so the results and
// errors do not depend on what was evaluated before. The result is the
// memo's own matrix: the caller must not modify it.
func (ev *evaluator) value(n *ast.Node) (m *mat.Dense, err error) {
	i, ok := ev.p.pos[n]
	if !ok {
		return nil, fmt.Errorf("numeric: %s is not part of the evaluated expressions", describe(n))
	}
	if v := ev.vals[i]; v != nil {
		return v, nil
	}
	defer recoverMat(&m, &err)
	order := ev.pending(i, ev.orderBuf[:0])
	ev.orderBuf = order // used up below: reused by the next call
	if err := ev.bindSizes(order); err != nil {
		return nil, err
	}
	for _, x := range order {
		if err := ev.evalNode(x); err != nil {
			return nil, err
		}
	}
	return ev.vals[i], nil
}

// pendFrame is a node on the stack of pending: its position and the index
// of its next operand to visit.
type pendFrame struct{ i, next int32 }

// pending returns, appended to order, the positions of the nodes below
// root (root included) that have no value yet, nor only below nodes that
// have one, operands before their users, in the order of topo: the part
// of the DAG the evaluator has not computed yet.
func (ev *evaluator) pending(root int32, order []int32) []int32 {
	if ev.mark == nil {
		ev.mark = make([]uint32, len(ev.p.nodes))
	}
	ev.markStamp++
	stamp := ev.markStamp
	ev.mark[root] = stamp
	stack := append(ev.pendStack[:0], pendFrame{i: root})
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		ops := ev.p.operands(top.i)
		if int(top.next) < len(ops) {
			a := ops[top.next]
			top.next++
			if ev.mark[a] != stamp {
				ev.mark[a] = stamp
				if ev.vals[a] == nil {
					stack = append(stack, pendFrame{i: a})
				}
			}
			continue
		}
		order = append(order, top.i)
		stack = stack[:len(stack)-1]
	}
	ev.pendStack = stack // empty, its room kept for the next call
	return order
}

// bindSizes infers the size names that the sizes leave open from the values
// of the variables and directions among the nodes at positions that have
// no value yet, in order, and rejects values whose size contradicts a fixed
// dim.
func (ev *evaluator) bindSizes(positions []int32) error {
	for _, i := range positions {
		if ev.p.inputAt[i] < 0 || ev.vals[i] != nil {
			continue
		}
		n := ev.p.nodes[i]
		v := ev.input(i)
		if v == nil {
			continue
		}
		r, c := v.Dims()
		sh := ev.p.shape[i]
		for _, b := range [2]struct {
			j int32
			k int
		}{{sh[0], r}, {sh[1], c}} {
			if ev.p.dims[b.j].kind != dimName {
				// a Kronecker dim; a number is checked against the value
				// when the node is evaluated
				continue
			}
			if got, ok := ev.lookup(b.j); ok {
				if got != b.k {
					return fmt.Errorf("numeric: %s: value is %d×%d but size %s is %d", describe(n), r, c, ev.p.dims[b.j].d, got)
				}
				continue
			}
			ev.bind(b.j, b.k)
		}
	}
	return nil
}

// sharesSizes gives ev the sizes base has bound, for an evaluator at
// base's env with one variable given another value of the same size,
// before it evaluates anything. Every input then has the size it has in
// base, so bindSizes over them would bind exactly what base's did and
// succeed as base's did (base evaluated them); no size name is bound later
// (ev.ownSizes is false: a bind would copy, never write into base's map).
func (ev *evaluator) sharesSizes(base *evaluator) {
	ev.sizes, ev.ownSizes = base.sizes, false
	copy(ev.dimState, base.dimState)
	copy(ev.dimVal, base.dimVal)
}

// lookup returns the value of the size name at plan dim j in the sizes.
func (ev *evaluator) lookup(j int32) (int, bool) {
	if ev.dimState[j] == dimUnknown {
		if k, ok := ev.sizes[ev.p.dims[j].d]; ok {
			ev.dimState[j], ev.dimVal[j] = dimKnown, k
		} else {
			ev.dimState[j] = dimAbsent
		}
	}
	return ev.dimVal[j], ev.dimState[j] == dimKnown
}

// bind gives the size name at plan dim j the value k.
func (ev *evaluator) bind(j int32, k int) {
	if !ev.ownSizes {
		sizes := make(map[ast.Dim]int, len(ev.sizes)+1)
		for d, v := range ev.sizes {
			sizes[d] = v
		}
		ev.sizes, ev.ownSizes = sizes, true
	}
	ev.sizes[ev.p.dims[j].d] = k
	ev.dimState[j], ev.dimVal[j] = dimKnown, k
}

// dimAt resolves the plan dim j as resolveDim does. A size, once resolved,
// never changes (sizes are only ever added), so successes are memoised.
func (ev *evaluator) dimAt(j int32) (int, error) {
	pd := ev.p.dims[j]
	if pd.kind == dimName {
		if k, ok := ev.lookup(j); ok && k >= 1 {
			return k, nil
		}
		return resolveDim(pd.d, ev.sizes) // the error
	}
	if ev.dimState[j] == dimKnown {
		return ev.dimVal[j], nil
	}
	k, err := resolveDim(pd.d, ev.sizes)
	if err == nil {
		ev.dimState[j], ev.dimVal[j] = dimKnown, k
	}
	return k, err
}

// shapeAt resolves the shape of the node at i, as resolveShape does.
func (ev *evaluator) shapeAt(i int32) (int, int, error) {
	sh := ev.p.shape[i]
	r, err := ev.dimAt(sh[0])
	if err != nil {
		return 0, 0, err
	}
	c, err := ev.dimAt(sh[1])
	if err != nil {
		return 0, 0, err
	}
	return r, c, nil
}

// evalNode evaluates the node at i, whose operands already have values,
// and checks that the value has the node's shape.
func (ev *evaluator) evalNode(i int32) error {
	n := ev.p.nodes[i]
	args := ev.argBuf[:0]
	for _, a := range ev.p.operands(i) {
		args = append(args, ev.vals[a])
	}
	ev.argBuf = args // op keeps none of them: the buffer is reused
	v, err := ev.op(i, n, args)
	if err != nil {
		if strings.HasPrefix(err.Error(), "numeric: ") {
			return err
		}
		return fmt.Errorf("numeric: %s: %w", describe(n), err)
	}
	r, c, err := ev.shapeAt(i)
	if err != nil {
		return err
	}
	if vr, vc := v.Dims(); vr != r || vc != c {
		return fmt.Errorf("numeric: %s: value is %d×%d, want %d×%d", describe(n), vr, vc, r, c)
	}
	if n.Kind == ast.KPow {
		if err := powUnderflow(n, args[0], v); err != nil {
			return err
		}
	}
	if ev.env.jitter != nil && ev.p.argAt[i+1] > ev.p.argAt[i] { // a node with operands
		if ev.p.kinds[i] == ast.KCall && !ownsValue(ev.p.ops[i]) {
			v = ev.ar.copyOf(v)
		}
		jitter(v, ev.env.jitter)
	}
	ev.vals[i] = v
	return nil
}

// powUnderflow reports a *RejectedDraw wrapping ErrOutOfRange where the
// power n = a∘^p has underflowed: an entry of a that is not 0 gives 0 or a
// subnormal number. T·(e^s + T)⁻² is 0, not T⁻¹, where T = 10²²⁴ (the
// screen does not evaluate squares and cubes: see powInRange).
func powUnderflow(n *ast.Node, a, v *mat.Dense) error {
	ra, rv := a.RawMatrix(), v.RawMatrix()
	for i := range rv.Rows {
		for j := range rv.Cols {
			x, y := ra.Data[i*ra.Stride+j], rv.Data[i*rv.Stride+j]
			if x != 0 && math.Abs(y) < 0x1p-1022 {
				return &RejectedDraw{Node: n, Value: y, At: x, kind: ErrOutOfRange}
			}
		}
	}
	return nil
}

// ownsValue reports whether the value evaluator.op computes for a call of
// o is a matrix made for it that nothing else holds, which may be changed
// in place, as the values of every other kind of node with operands are:
// not when o evaluates itself (Op.Eval, which may hand back an operand),
// unless o is tr, which op computes.
func ownsValue(o *ast.Op) bool {
	return o.Eval == nil || o == builtin.Trace
}

// jitter multiplies every entry of v by 1 + jitterRel·R, R uniform in
// [−1, 1] (see Env.jitter), in row-major order: R = 2u − 1, u drawn from
// src as rand.New(src).Float64 would draw it (TestJitterLeavesOperands
// draws it so).
func jitter(v *mat.Dense, src *rand.PCG) {
	raw := v.RawMatrix()
	for i := 0; i < raw.Rows; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
		for j, x := range row {
			u := float64(src.Uint64()<<11>>11) / (1 << 53)
			row[j] = x * (1 + jitterRel*(2*u-1))
		}
	}
}
