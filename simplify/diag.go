// This file holds the rewrites that diagonal matrices (D: diag n x n,
// diag(x), I) allow.

package simplify

import (
	"slices"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
)

// diagRewrite rewrites diag of a product, and returns nil when nothing
// applies:
//
//	diag(𝟙)    = 𝟙                   for a square 𝟙 (so diag(diag(𝟙)) = I)
//	diag(s·M)  = s·diag(M)           for scalars s (either diag)
//	diag(D·M)  = diag(D) ⊙ diag(M),  diag(M·D) = diag(M) ⊙ diag(D)

// for a diagonal D and square M ((D·M)ᵢᵢ = Dᵢᵢ·Mᵢᵢ).
func diagRewrite(n *ast.Node) *ast.Node {
	if n.Is(builtin.DiagVec) && n.Args[0].Kind == ast.KOnes {
		return ast.Ones(n.Shape)
	}
	if !n.Is(builtin.DiagVec) && !n.Is(builtin.DiagMat) || n.Args[0].Kind != ast.KMul {
		return nil
	}
	var mats []*ast.Node
	var scalars []*ast.Node
	for _, f := range n.Args[0].Args {
		if f.IsScalar() {
			scalars = append(scalars, f)
		} else {
			mats = append(mats, f)
		}
	}
	if len(scalars) > 0 && len(mats) > 0 {
		return ast.Mul(append(scalars, ast.WithArgs(n, ast.Mul(mats...)))...)
	}
	if len(mats) < 2 || !n.Is(builtin.DiagVec) {
		return nil
	}
	first, last := mats[0], mats[len(mats)-1]
	var d, rest *ast.Node
	switch {
	case first.IsDiagonal() && ast.Mul(mats[1:]...).Shape.IsSquare():
		d, rest = first, ast.Mul(mats[1:]...)
	case last.IsDiagonal() && ast.Mul(mats[:len(mats)-1]...).Shape.IsSquare():
		d, rest = last, ast.Mul(mats[:len(mats)-1]...)
	default:
		return nil
	}
	return ast.Hadamard(builtin.DiagVec.Of(d), builtin.DiagVec.Of(rest))
}

// diagInterior rewrites diag(L·diag(x)·R) = (L ⊙ Rᵀ)·x (Σⱼ Lᵢⱼ·xⱼ·Rⱼᵢ)
// for the first diag(x) inside a product of matrices, with L and R not
// empty, and returns nil when there is none.
func diagInterior(_ *Simplifier, n *ast.Node) *ast.Node {
	a := n.Args[0]
	if a.Kind != ast.KMul || a.IsScalar() {
		return nil
	}
	mats := a.Args
	for i := 1; i+1 < len(mats); i++ {
		if mats[i].Is(builtin.DiagMat) && !slices.ContainsFunc(mats, (*ast.Node).IsScalar) {
			l, r := ast.Mul(mats[:i]...), ast.Mul(mats[i+1:]...)
			return ast.Mul(ast.Hadamard(l, ast.Transpose(r)), mats[i].Args[0])
		}
	}
	return nil
}
