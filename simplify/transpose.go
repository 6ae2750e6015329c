package simplify

import "github.com/mdiff/mdiff/ast"

// transpose returns aᵀ with the transpose pushed towards the leaves:
// (Aᵀ)ᵀ = A, (AB)ᵀ = BᵀAᵀ, (A + B)ᵀ = Aᵀ + Bᵀ, (A ⊙ B)ᵀ = Aᵀ ⊙ Bᵀ,
// g(A)ᵀ = g(Aᵀ), (A⁻¹)ᵀ = (Aᵀ)⁻¹, Sᵀ = S for symmetric S, sᵀ = s.
// The operand a is canonical; the result is too.
func transpose(a *ast.Node) *ast.Node {
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
	case ast.KAdd, ast.KHadamard:
		args := make([]*ast.Node, len(a.Args))
		for i, x := range a.Args {
			args[i] = transpose(x)
		}
		if a.Kind == ast.KAdd {
			return simplify(ast.Add(args...))
		}
		return simplify(ast.Hadamard(args...))
	case ast.KDiv:
		return simplify(ast.Div(transpose(a.Args[0]), transpose(a.Args[1])))
	case ast.KMul:
		args := make([]*ast.Node, len(a.Args))
		for i, x := range a.Args {
			args[len(a.Args)-1-i] = transpose(x)
		}
		return simplify(ast.Mul(args...))
	case ast.KApply:
		return simplify(ast.Apply(a.Name, a.K, transpose(a.Args[0])))
	case ast.KPow:
		return simplify(ast.Pow(transpose(a.Args[0]), a.Args[1]))
	case ast.KInverse:
		return simplify(ast.Inverse(transpose(a.Args[0])))
	case ast.KMatPow:
		return simplify(ast.MatPow(transpose(a.Args[0]), a.K))
	case ast.KBroadcast:
		return simplify(ast.Broadcast(transpose(a.Args[0]), a.Shape.T()))
	case ast.KKron:
		return simplify(ast.Kron(transpose(a.Args[0]), transpose(a.Args[1])))
	}
	return ast.Transpose(a)
}
