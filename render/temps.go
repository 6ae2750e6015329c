package render

import (
	"slices"
	"strconv"

	"github.com/mdiff/mdiff/ast"
)

// Temps returns the subexpressions of roots that are worth naming as
// temporaries, in order of definition: every temporary comes after the
// temporaries it uses. Nil roots are skipped.
//
// A node is a temporary when it occurs more than once in one root's DAG
// (counting parent edges, the same parent twice included, and one edge for
// the root itself), or once in each of several roots and it prints in
// bigShared tokens or more; it is not a leaf (variable, number, Δ, I, 𝟙, 0), not a
// broadcast nor a scalar power s^(−p) (their operand is named instead), not
// a transpose or negation of a leaf, and it is big enough to be worth a name once the temporaries inside
// it are named: at least two non-number leaves or temporaries below it, or a
// printed size of four or more tokens, or a function of one leaf used three
// or more times. A shared node that is not a temporary
// therefore prints in a bounded number of tokens, so printing every root and
// every temporary's definition takes space linear in the size of the DAG.
//
// The order is the post-order of a depth-first, left-to-right walk of the
// roots, so the numbering is deterministic.
func Temps(roots ...*ast.Node) []*ast.Node {
	temps, _ := tempsByRoot(roots, bigShared)
	return temps
}

// codeTemps is Temps for a program: a node used once in each of several
// roots is a temporary whatever its size, so that a function returning
// several results (value_and_gradient) computes what they share once.
func codeTemps(roots ...*ast.Node) []*ast.Node {
	temps, _ := tempsByRoot(roots, 0)
	return temps
}

// tempsByRoot is Temps, with, for each root, the temporaries that root
// prints as names: those it uses twice itself or that are big (see
// bigShared), and the temporaries inside their definitions. A root prints
// the others in full, so that it prints the same whichever other roots
// there are.
//
// crossMin is the printed size from which a node used once in each of
// several roots is a temporary (bigShared for the notations).
func tempsByRoot(roots []*ast.Node, crossMin int) ([]*ast.Node, []map[*ast.Node]bool) {
	// Every node of the roots gets a dense index, in the post-order of a
	// depth-first, left-to-right walk of the roots in turn (order), so that
	// the counts below are slices rather than maps.
	index := map[*ast.Node]int32{}
	var order []*ast.Node
	for _, r := range roots {
		if r == nil {
			continue
		}
		ast.Walk(r, func(n *ast.Node) { // children first: the nodes of earlier roots are numbered already
			if _, ok := index[n]; !ok {
				index[n] = int32(len(order))
				order = append(order, n)
			}
		})
	}
	within := make([]int32, len(order)) // the largest count of uses within one root
	total := make([]int32, len(order))  // the uses across all roots
	perRoot := make([][]rootUse, len(roots))
	count := make([]int32, len(order)) // the current root's uses; zero between roots
	seen := make([]bool, len(order))   // the current root's nodes; false between roots
	var untr untransposer
	for i, r := range roots {
		if r == nil {
			continue
		}
		var local []int32 // the root's nodes in post-order
		var visit func(*ast.Node)
		visit = func(n *ast.Node) {
			k := index[n]
			if seen[k] {
				return
			}
			seen[k] = true
			for _, a := range n.Args {
				count[index[a]]++
				visit(a)
			}
			local = append(local, k)
		}
		count[index[r]]++
		visit(r)
		// A broadcast is invisible under elementwise operators and s^(−p)
		// prints as a division by s: their uses are uses of their operand.
		// Parents come before children in reverse post-order.
		for j := len(local) - 1; j >= 0; j-- {
			if n := order[local[j]]; transparent(n) {
				count[index[n.Args[0]]] += count[local[j]] - 1
			}
		}
		// A node that is the transpose of another of the root, xᵀ − mᵀ of
		// x − m, prints as that one's name transposed: its uses are the
		// other's. Parents come before children in reverse post-order.
		for j := len(local) - 1; j >= 0; j-- {
			if n := order[local[j]]; n.Kind == ast.KTranspose { // a transpose node is already a use of its operand
				continue
			} else if u := untr.of(n); u != nil {
				if k, ok := index[u]; ok && seen[k] {
					count[k] += count[local[j]]
				}
			}
		}
		uses := make([]rootUse, 0, len(local))
		for _, k := range local {
			c := count[k]
			within[k] = max(within[k], c)
			total[k] += c
			uses = append(uses, rootUse{k, c})
			count[k], seen[k] = 0, false
		}
		perRoot[i] = uses
	}
	const big = 1 << 20
	leaves := make([]int32, len(order)) // non-number leaves and temporaries below, capped at 2
	weight := make([]int32, len(order)) // printed tokens, temporaries counting 1, capped
	isTemp := make([]bool, len(order))
	bigTemp := make([]bool, len(order))
	var temps []int32
	for k, n := range order {
		if isLeaf(n) {
			if n.Kind != ast.KNum {
				leaves[k] = 1
			}
			weight[k] = 1
			continue
		}
		var l, w int32 = 0, 1
		for _, a := range n.Args {
			l += leaves[index[a]]
			w = min(w+weight[index[a]], big)
		}
		leaves[k] = min(l, 2)
		weight[k] = w
		worth := w >= 3 && (l >= 2 || w >= 4) || within[k] >= 3 && w >= 2 // softmax(x) used thrice
		shared := within[k] >= 2 || total[k] >= 2 && w >= int32(crossMin)
		if shared && !transparent(n) && !trivial(n) && worth {
			temps = append(temps, int32(k))
			isTemp[k] = true
			leaves[k], weight[k] = 1, 1 // from now on it prints as a name
			bigTemp[k] = total[k] >= 2 && w >= int32(crossMin)
		}
	}
	qualified := make([]map[*ast.Node]bool, len(roots))
	for i, uses := range perRoot {
		if roots[i] == nil {
			continue
		}
		// The temporaries inside a qualified one's definition: one walk of
		// the root's DAG in all, a node seen once having had its
		// descendants seen.
		for _, u := range uses {
			count[u.node] = u.count
		}
		q := map[*ast.Node]bool{}
		var marked []int32
		var mark func(int32)
		mark = func(k int32) {
			if seen[k] {
				return
			}
			seen[k] = true
			marked = append(marked, k)
			if isTemp[k] {
				q[order[k]] = true
			}
			for _, a := range order[k].Args {
				mark(index[a])
			}
		}
		for _, t := range temps {
			if count[t] >= 2 || count[t] >= 1 && bigTemp[t] {
				mark(t)
			}
		}
		for _, u := range uses {
			count[u.node] = 0
		}
		for _, k := range marked {
			seen[k] = false
		}
		qualified[i] = q
	}
	out := make([]*ast.Node, len(temps))
	for j, t := range temps {
		out[j] = order[t]
	}
	return out, qualified
}

// rootUse is the number of uses of a node (by its index) within one root.
type rootUse struct{ node, count int32 }

// untransposer finds, for a node n, the node m with n = mᵀ by the
// canonical form's rules — (Aᵀ)ᵀ = A, (A + B)ᵀ = Aᵀ + Bᵀ, (c·A·B)ᵀ =
// c·Bᵀ·Aᵀ, sᵀ = s for a scalar factor — when n is a sum or product of
// transposed matrices (or a transpose), and nil otherwise. m is built, and
// may be a node that the expression does not hold. Answers are memoized for
// the call that owns the untransposer, so that a DAG is looked into once;
// an opaque node (a temporary's name, to a printer) is not looked into, and
// a sum or product holding one has no m.
type untransposer struct {
	memo   map[*ast.Node]*ast.Node
	opaque func(*ast.Node) bool // nil: every node is looked into
}

// of returns m with n = mᵀ, or nil.
func (t *untransposer) of(n *ast.Node) *ast.Node {
	if n.Kind != ast.KTranspose && n.Kind != ast.KAdd && n.Kind != ast.KMul {
		return nil
	}
	if t.memo == nil {
		t.memo = map[*ast.Node]*ast.Node{}
	}
	if m, ok := t.memo[n]; ok {
		return m
	}
	m := t.compute(n)
	t.memo[n] = m
	return m
}

// part is of for an operand of a sum or product.
func (t *untransposer) part(n *ast.Node) *ast.Node {
	if t.opaque != nil && t.opaque(n) {
		return nil
	}
	return t.of(n)
}

func (t *untransposer) compute(n *ast.Node) *ast.Node {
	switch n.Kind {
	case ast.KTranspose:
		return n.Args[0]
	case ast.KAdd:
		terms := make([]*ast.Node, len(n.Args))
		for i, a := range n.Args {
			if terms[i] = t.part(a); terms[i] == nil {
				return nil
			}
		}
		return ast.Add(terms...)
	case ast.KMul:
		if n.IsScalar() {
			return nil
		}
		var scalars, chain []*ast.Node
		for _, f := range n.Args {
			if f.IsScalar() {
				scalars = append(scalars, f)
				continue
			}
			u := t.part(f)
			if u == nil {
				return nil
			}
			chain = append(chain, u)
		}
		slices.Reverse(chain)
		return ast.Mul(append(scalars, chain...)...)
	}
	return nil
}

// bigShared is the printed size (in tokens, temporaries counting one) from
// which a node used once in each of several roots is named; a smaller one is
// named only when one root uses it twice, so that how a gradient prints does
// not depend on which other outputs (Hessian, Jacobian) were asked for.
const bigShared = 12

// transparent reports whether n is never a temporary, its operand being
// named instead: a broadcast, or a scalar power s^(−p) (printed … / s^p).
func transparent(n *ast.Node) bool { return n.Kind == ast.KBroadcast || isDivPow(n) }

// trivial reports whether n is a transpose, inverse or negation of a leaf:
// short enough to repeat.
func trivial(n *ast.Node) bool {
	switch n.Kind {
	case ast.KTranspose, ast.KInverse:
		return isLeaf(n.Args[0]) || trivial(n.Args[0])
	case ast.KMul:
		return len(n.Args) == 2 && n.Args[0].IsNum(-1) && (isLeaf(n.Args[1]) || trivial(n.Args[1]))
	}
	return false
}

// Names numbers temporaries: Names[n] = k means that n prints as T_k (T₁ in
// text, T1 in ASCII, NumPy and JSON, T_{1} in LaTeX). A nil Names names
// nothing. The printers never replace the node they are asked to print by
// its own name, only its subexpressions, so printing a temporary with its
// Names writes its definition.
type Names map[*ast.Node]int

// NewNames numbers temps from 1 in the given order (that of [Temps]).
func NewNames(temps []*ast.Node) Names {
	nm := make(Names, len(temps))
	for i, t := range temps {
		nm[t] = i + 1
	}
	return nm
}

// Name returns the ASCII name of a temporary, "T1", or "" if n has none.
func (nm Names) Name(n *ast.Node) string {
	if k, ok := nm[n]; ok {
		return "T" + strconv.Itoa(k)
	}
	return ""
}
