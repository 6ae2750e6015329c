package flops

import (
	"testing"

	"github.com/mdiff/mdiff/ast"
)

func TestCount(t *testing.T) {
	n, p := ast.Dim("n"), ast.Dim("p")
	A := ast.Var("A", ast.Mat(n, n), 0)
	B := ast.Var("B", ast.Mat(n, p), 0)
	x := ast.Var("x", ast.Vec(n), 0)
	sizes := Sizes{n: 10, p: 3}
	for _, c := range []struct {
		name string
		root *ast.Node
		want float64
	}{
		// xᵀ·A·x: (xᵀ·A)·x or xᵀ·(A·x), 2·10·10 + 2·10.
		{"quadratic form", ast.Mul(ast.Transpose(x), A, x), 220},
		// A·A·B: A·(A·B) costs 2·(10·10·3) twice, not 2·10³ + 2·10·10·3.
		{"chain order", ast.Mul(A, A, B), 1200},
		// A + A·B·Bᵀ: the product once (B·Bᵀ first costs 600, then 2000; A·B first 600 + 600), then 100 additions.
		{"sum", ast.Add(A, ast.Mul(A, B, ast.Transpose(B))), 1300},
		// (A·x) shared by two uses is computed once: 200 + 2·10 (inner) .
		{"shared", ast.Inner(ast.Mul(A, x), ast.Mul(A, x)), 220},
		{"inverse", ast.Inverse(A), 1000},
	} {
		got, err := Count(sizes, c.root)
		if err != nil || got != c.want {
			t.Errorf("%s: Count = %v, %v; want %v", c.name, got, err, c.want)
		}
	}
	if _, err := Count(Sizes{}, A); err != nil {
		t.Errorf("a leaf costs nothing and needs no size: %v", err)
	}
	if _, err := Count(Sizes{n: 2}, ast.Mul(A, B)); err == nil {
		t.Error("Count without a value for p: no error")
	}
}

// TestGreedyChainCost: on a chain longer than maxChainDP the greedy cost is
// at least the optimum and, on a chain that ends in a vector, equal to it.
func TestGreedyChainCost(t *testing.T) {
	p := []float64{1}
	for range maxChainDP {
		p = append(p, 10)
	}
	p = append(p, 1)
	// 1×10 · 10×10 ·…· 10×1: vector-matrix products, 2·10·10 each but the last 2·10.
	want := float64(maxChainDP-1)*200 + 20
	if got := greedyChainCost(p); got != want {
		t.Errorf("greedyChainCost = %v, want %v", got, want)
	}
	if got := chainCost(p); got != want {
		t.Errorf("chainCost = %v, want %v", got, want)
	}
}
