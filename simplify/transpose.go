package simplify

import (
	"slices"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
)

// transpose returns aᵀ with the transpose pushed towards the leaves:
// (Aᵀ)ᵀ = A, (AB)ᵀ = BᵀAᵀ, (A + B)ᵀ = Aᵀ + Bᵀ, (A ⊙ B)ᵀ = Aᵀ ⊙ Bᵀ,
// (A⁻¹)ᵀ = (Aᵀ)⁻¹, Sᵀ = S for symmetric S, sᵀ = s. Elementwise operations
// keep the transpose outside, (g(A))ᵀ, so that g(A) stays one shared node
// (see pullTranspose).
// The operand a is canonical; the result is too.
func (sf *Simplifier) transpose(a *ast.Node) *ast.Node {
	if t, ok := sf.memo.transposed[a]; ok {
		return t
	}
	t := sf.transpose1(a)
	sf.memo.transposed[a] = t
	return t
}

// transpose1 is transpose without its memo: the transposes of a sum's
// terms and a product's factors recur across the terms of a gradient.
func (sf *Simplifier) transpose1(a *ast.Node) *ast.Node {
	if a.IsScalar() || a.IsSymmetric() && a.Kind != ast.KMul && a.Kind != ast.KAdd {
		return a
	}
	switch a.Kind {
	case ast.KTranspose:
		return a.Args[0]
	case ast.KOnes:
		return ast.Ones(a.Shape.T())
	case ast.KZero:
		return ast.Zero(a.Shape.T())
	case ast.KAdd:
		args := make([]*ast.Node, len(a.Args))
		for i, x := range a.Args {
			args[i] = sf.transpose(x)
		}
		return sf.simplify(ast.Add(args...))
	case ast.KMul:
		args := make([]*ast.Node, len(a.Args))
		for i, x := range a.Args {
			args[len(a.Args)-1-i] = sf.transpose(x)
		}
		if sf.memo.m[a] == a && !slices.ContainsFunc(a.Args, (*ast.Node).IsScalar) {
			// The transpose of a canonical chain of matrices is the chain
			// of its factors' canonical transposes reversed, itself
			// canonical: no rule looks at the orientation of a matrix
			// chain without scalars (TestCanonicalIdempotent holds it on
			// every suite). A gradient transposes L chains of L factors.
			return sf.known(ast.Mul(args...))
		}
		return sf.simplify(ast.Mul(args...))
	case ast.KInverse:
		return sf.simplify(ast.Inverse(sf.transpose(a.Args[0])))
	case ast.KMatPow:
		return sf.simplify(ast.MatPow(sf.transpose(a.Args[0]), a.K))
	case ast.KMatPowSym: // (Aᵏ)ᵀ = (Aᵀ)ᵏ
		return sf.simplify(ast.MatPowSym(sf.transpose(a.Args[0]), a.Args[1]))
	case ast.KBroadcast:
		return sf.simplify(ast.Broadcast(sf.transpose(a.Args[0]), a.Shape.T()))
	case ast.KCall:
		if a.Is(builtin.Kron) { // (A ⊗ B)ᵀ = Aᵀ ⊗ Bᵀ
			return sf.simplify(builtin.Kron.Of(sf.transpose(a.Args[0]), sf.transpose(a.Args[1])))
		}
	}
	return ast.Transpose(a)
}

// pullTranspose moves transposes out of an elementwise operation whose
// operands are all transposed (or scalar, or broadcast scalars):
// g(Aᵀ) = g(A)ᵀ, Aᵀ ⊙ Bᵀ = (A ⊙ B)ᵀ, Aᵀ.^p = (A.^p)ᵀ. It returns nil when
// that does not apply.
func pullTranspose(n *ast.Node) *ast.Node {
	if n.IsScalar() {
		return nil
	}
	var args []*ast.Node
	found := false
	for i, a := range n.Args {
		switch {
		case n.Kind == ast.KPow && i == 1:
			args = append(args, a)
		case a.Kind == ast.KTranspose:
			args = append(args, a.Args[0])
			found = true
		case a.Kind == ast.KBroadcast && a.Args[0].IsScalar():
			args = append(args, ast.Broadcast(a.Args[0], a.Shape.T()))
		default:
			return nil
		}
	}
	if !found {
		return nil
	}
	return ast.Transpose(ast.WithArgs(n, args...))
}
