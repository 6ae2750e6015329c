package render

import "github.com/mdiff/mdiff/ast"

// minSharedChain is the number of matrix factors from which a product takes
// part in chain sharing: shorter ones are written out flat, as a
// person would.
const minSharedChain = 6

// shareChains re-associates the long matrix products of roots so that the
// products they have in common are one node, and so one temporary. It is the
// symbolic form of what reverse mode does with the prefix and suffix
// products of a chain: the gradient of tr(A₁·X·A₂·X·…·A_L·X) has L terms,
// each a rotation of one cycle of factors, L² factors in all when written
// out, but linear in L once the suffixes and prefixes of the cycle are named.
//
// The cut is the digram (a, b) of adjacent factors that the most chains
// contain. A chain that contains it splits after its first a·b boundary into
// a left part, nested to the right (a₁·(a₂·(…·a)), so that the left parts
// of all chains share their common endings), and a right part, nested to the
// left (((b·b₂)·…), so that they share their common beginnings). A chain
// without the cut is nested to the right when it ends with a, to the left
// when it starts with b, and otherwise left as it is. Only associativity is
// used: every node keeps its value. Roots are returned in order; nil stays
// nil.
func shareChains(roots []*ast.Node) []*ast.Node {
	var chains []*ast.Node
	seen := map[*ast.Node]bool{}
	var visit func(*ast.Node)
	visit = func(n *ast.Node) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		for _, a := range n.Args {
			visit(a)
		}
		if n.Kind == ast.KMul && len(matrixFactors(n)) >= minSharedChain {
			chains = append(chains, n)
		}
	}
	for _, r := range roots {
		visit(r)
	}
	if len(chains) < 2 {
		return roots
	}
	a, b, ok := cutDigram(chains)
	if !ok {
		return roots
	}
	var pairs pairMemo
	rewrite := map[*ast.Node]*ast.Node{}
	var re func(*ast.Node) *ast.Node
	re = func(n *ast.Node) *ast.Node {
		if r, ok := rewrite[n]; ok {
			return r
		}
		r := n
		if len(n.Args) > 0 {
			args := make([]*ast.Node, len(n.Args))
			changed := false
			for i, x := range n.Args {
				args[i] = re(x)
				changed = changed || args[i] != x
			}
			if changed {
				r = ast.WithArgs(n, args...)
			}
			if n.Kind == ast.KMul && len(matrixFactors(n)) >= minSharedChain {
				r = pairs.splitChain(r, a, b)
			}
		}
		rewrite[n] = r
		return r
	}
	out := make([]*ast.Node, len(roots))
	for i, r := range roots {
		if r != nil {
			out[i] = re(r)
		}
	}
	return out
}

// maxExpandedPower is the largest matrix power Aᵏ that a chain with a
// vector in it writes as k factors A.
const maxExpandedPower = 256

// matrixFactors returns the non-scalar factors of the product n, in order.
// In a chain that holds a vector a matrix power Aᵏ counts as k factors A:
// nested from the vector outwards, (Aᵀ)ⁱ·x = Aᵀ·((Aᵀ)ⁱ⁻¹·x) costs one
// matrix-vector product more than its predecessor, which the gradient of
// xᵀ·Aᵏ·x shares, where k powers of A would cost k matrix products.
func matrixFactors(n *ast.Node) []*ast.Node {
	var fs []*ast.Node
	vector := false
	for _, f := range n.Args {
		if !f.IsScalar() {
			fs = append(fs, f)
			vector = vector || f.Shape.Rows == ast.One || f.Shape.Cols == ast.One
		}
	}
	if !vector {
		return fs
	}
	var out []*ast.Node
	for _, f := range fs {
		if f.Kind == ast.KMatPow && f.K <= maxExpandedPower {
			for range f.K {
				out = append(out, f.Args[0])
			}
			continue
		}
		out = append(out, f)
	}
	return out
}

// cutDigram returns the pair of adjacent factors (a, b) that occurs in the
// most chains, counting each chain once; ties go to the pair seen first. ok
// is false when no pair occurs in two chains.
func cutDigram(chains []*ast.Node) (a, b *ast.Node, ok bool) {
	type digram struct{ a, b *ast.Node }
	type tally struct {
		count int
		last  int // the last chain counted, so that a chain counts once
	}
	tallies := map[digram]*tally{}
	var order []digram
	for c, n := range chains {
		fs := matrixFactors(n)
		for i := 0; i+1 < len(fs); i++ {
			d := digram{fs[i], fs[i+1]}
			t := tallies[d]
			if t == nil {
				t = &tally{last: -1}
				tallies[d] = t
				order = append(order, d)
			}
			if t.last != c {
				t.last = c
				t.count++
			}
		}
	}
	best := -1
	for i, d := range order {
		if best < 0 || tallies[d].count > tallies[order[best]].count {
			best = i
		}
	}
	if best < 0 || tallies[order[best]].count < 2 {
		return nil, nil, false
	}
	return order[best].a, order[best].b, true
}

// pairMemo remembers the binary products x·y built by one call of
// shareChains: the nested chains share most of their partial products, and
// a lookup here is much cheaper than building (interning) the node again.
type pairMemo map[[2]*ast.Node]*ast.Node

// mul returns ast.Mul(x, y).
func (m *pairMemo) mul(x, y *ast.Node) *ast.Node {
	k := [2]*ast.Node{x, y}
	if r, ok := (*m)[k]; ok {
		return r
	}
	if *m == nil {
		*m = pairMemo{}
	}
	r := ast.Mul(x, y)
	(*m)[k] = r
	return r
}

// splitChain re-associates the product n around the cut a·b (see
// [shareChains]); its scalar factors stay in front.
func (m *pairMemo) splitChain(n, a, b *ast.Node) *ast.Node {
	var scalars []*ast.Node
	for _, f := range n.Args {
		if f.IsScalar() {
			scalars = append(scalars, f)
		}
	}
	fs := matrixFactors(n)
	q := -1
	for i := 1; i < len(fs); i++ {
		if fs[i-1] == a && fs[i] == b {
			q = i
			break
		}
	}
	var chain []*ast.Node
	switch {
	case q > 0:
		chain = []*ast.Node{m.nestRight(fs[:q]), m.nestLeft(fs[q:])}
	case fs[len(fs)-1] == a:
		chain = []*ast.Node{m.nestRight(fs)}
	case fs[0] == b:
		chain = []*ast.Node{m.nestLeft(fs)}
	default:
		return n
	}
	return ast.Mul(append(scalars, chain...)...)
}

// nestRight returns f₁·(f₂·(…·f_k)), whose suffix products are nodes.
func (m *pairMemo) nestRight(fs []*ast.Node) *ast.Node {
	r := fs[len(fs)-1]
	for i := len(fs) - 2; i >= 0; i-- {
		r = m.mul(fs[i], r)
	}
	return r
}

// nestLeft returns ((f₁·f₂)·…)·f_k, whose prefix products are nodes.
func (m *pairMemo) nestLeft(fs []*ast.Node) *ast.Node {
	r := fs[0]
	for _, f := range fs[1:] {
		r = m.mul(r, f)
	}
	return r
}
