// Package flops estimates the floating-point operations that code evaluating
// an expression performs at concrete sizes: the cost model behind the
// benchmark that compares a gradient's code with its value's.
//
// The model is the one the code formats follow: every distinct node of the
// DAG is computed once (shared subexpressions are temporaries), a chain of
// matrix products is parenthesised optimally (NumPy's multi_dot), an
// elementwise operation costs one flop an entry, a reduction one flop an
// entry of its operand, and an inverse, a determinant or a log-determinant
// of an n×n matrix costs n³ (an LU factorisation and its solves, to a
// constant). Transposes, broadcasts and leaves are free.
package flops

import (
	"fmt"
	"strconv"

	"github.com/mdiff/mdiff/ast"
)

// Sizes gives every symbolic size its value.
type Sizes map[ast.Dim]int

// Count returns the estimated flops of evaluating every distinct node of
// roots once (nil roots are skipped), or an error naming a size that sizes
// does not give.
func Count(sizes Sizes, roots ...*ast.Node) (float64, error) {
	c := &counter{sizes: sizes, seen: map[*ast.Node]bool{}}
	for _, r := range roots {
		if r != nil {
			c.visit(r)
		}
	}
	return c.total, c.err
}

type counter struct {
	sizes Sizes
	seen  map[*ast.Node]bool
	total float64
	err   error
}

func (c *counter) dim(d ast.Dim) float64 {
	if v, err := strconv.Atoi(string(d)); err == nil {
		return float64(v)
	}
	v, ok := c.sizes[d]
	if !ok && c.err == nil {
		c.err = fmt.Errorf("flops: no value for the size %s", d)
	}
	return float64(v)
}

func (c *counter) entries(n *ast.Node) float64 { return c.dim(n.Shape.Rows) * c.dim(n.Shape.Cols) }

func (c *counter) visit(n *ast.Node) {
	if c.seen[n] {
		return
	}
	c.seen[n] = true
	for _, a := range n.Args {
		c.visit(a)
	}
	c.total += c.own(n)
}

// own is the cost of n given its operands.
func (c *counter) own(n *ast.Node) float64 {
	switch n.Kind {
	case ast.KVar, ast.KNum, ast.KIdentity, ast.KOnes, ast.KZero, ast.KDelta, ast.KSize,
		ast.KTranspose, ast.KBroadcast:
		return 0
	case ast.KMul:
		return c.product(n)
	case ast.KInverse:
		return cube(c.dim(n.Shape.Rows))
	case ast.KMatPow:
		return float64(bits(n.K)) * 2 * cube(c.dim(n.Shape.Rows))
	case ast.KInner:
		return 2 * c.entries(n.Args[0])
	case ast.KAdd, ast.KHadamard:
		return float64(len(n.Args)-1) * c.entries(n)
	}
	if cubic(n) {
		return cube(c.dim(n.Args[0].Shape.Rows))
	}
	// Elementwise operations and reductions: a flop an entry of the larger
	// of the result and the operands.
	w := c.entries(n)
	for _, a := range n.Args {
		w = max(w, c.entries(a))
	}
	return w
}

// product is the cost of a product with its matrix factors multiplied in
// the optimal order and each scalar factor applied once to the result.
func (c *counter) product(n *ast.Node) float64 {
	var p []float64 // dimensions of the chain: factor i is p[i]×p[i+1]
	scalars := 0
	for _, a := range n.Args {
		if a.IsScalar() {
			scalars++
			continue
		}
		if len(p) == 0 {
			p = append(p, c.dim(a.Shape.Rows))
		}
		p = append(p, c.dim(a.Shape.Cols))
	}
	cost := chainCost(p)
	if scalars > 0 && len(p) > 0 {
		cost += c.entries(n)
	}
	if scalars > 1 {
		cost += float64(scalars - 1)
	}
	return cost
}

// chainCost is the optimal cost 2·Σ m·k·n of multiplying the chain whose
// factor i is p[i]×p[i+1] (the matrix-chain programme).
func chainCost(p []float64) float64 {
	k := len(p) - 1
	if k < 2 {
		return 0
	}
	if k > maxChainDP {
		return greedyChainCost(p)
	}
	cost := make([][]float64, k)
	for i := range cost {
		cost[i] = make([]float64, k)
	}
	for l := 1; l < k; l++ {
		for i := 0; i+l < k; i++ {
			j := i + l
			cost[i][j] = -1
			for s := i; s < j; s++ {
				v := cost[i][s] + cost[s+1][j] + 2*p[i]*p[s+1]*p[j+1]
				if cost[i][j] < 0 || v < cost[i][j] {
					cost[i][j] = v
				}
			}
		}
	}
	return cost[0][k-1]
}

// maxChainDP is the longest chain costed by the cubic programme; longer
// ones are costed as numeric evaluates them, greedily.
const maxChainDP = 32

// greedyChainCost is the cost of multiplying the chain by always taking
// next the adjacent pair whose product is cheapest.
func greedyChainCost(p []float64) float64 {
	p = append([]float64(nil), p...)
	total := 0.0
	for len(p) > 2 {
		best := 0
		for i := 1; i+2 < len(p); i++ {
			if p[i]*p[i+1]*p[i+2] < p[best]*p[best+1]*p[best+2] {
				best = i
			}
		}
		total += 2 * p[best] * p[best+1] * p[best+2]
		p = append(p[:best+1], p[best+2:]...)
	}
	return total
}

func cube(x float64) float64 { return x * x * x }

// bits is the number of squarings and multiplications of a power by
// repeated squaring, about 2·log₂ k.
func bits(k int) int {
	b := 0
	for ; k > 1; k >>= 1 {
		b += 1 + k&1
	}
	return b
}

// cubic reports whether n factorises its square operand: a built-in
// operation from a square matrix to a scalar that is not linear (a
// determinant or a log-determinant; the trace is linear).
func cubic(n *ast.Node) bool {
	return n.Kind == ast.KCall && n.Op.Shape == ast.SquareScalar && !n.Op.Linear
}
