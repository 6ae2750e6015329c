// This file holds the rewrites of symbolic matrix powers Aᵏ (k: int), in
// one place so that they can move into the operation table as a row.

package simplify

import (
	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
)

// symPow rewrites n when it is a symbolic power or a det or logdet of one,
// assuming n's operands are canonical, and returns nil otherwise:
//
//	det(Aᵏ)    = det(A)ᵏ
//	logdet(Aᵏ) = k·logdet(A)        (log|det Aᵏ| = k·log|det A|)
//	Iᵏ         = I
//	Aᶜ         = A·…·A, A⁻¹, I      for a number c (k − k + 2)
//	tᵏ⁻¹·t     = tᵏ                 for a scalar t (d det(Aᵏ) = k·det(A)ᵏ·tr(A⁻¹dA))
//	Aʲ·Aᵏ      = Aʲ⁺ᵏ,  (Aʲ)ᵏ = Aʲᵏ,  (Aᵏ)⁻¹ = A⁻ᵏ   (A·Aᵏ = Aᵏ⁺¹, one of them symbolic)
//
// These hold for every integer k (negative k: powers of A⁻¹). The first
// two are what give det and logdet of Aᵏ a differential in closed form.
func symPow(n *ast.Node) *ast.Node {
	switch n.Kind {
	case ast.KInverse:
		if a := n.Args[0]; a.Kind == ast.KMatPowSym {
			return ast.MatPowSym(a.Args[0], ast.Mul(ast.Int(-1), a.Args[1]))
		}
	case ast.KMatPow:
		if a := n.Args[0]; a.Kind == ast.KMatPowSym {
			return ast.MatPowSym(a.Args[0], ast.Mul(ast.Int(int64(n.K)), a.Args[1]))
		}
	case ast.KMul:
		for i := 0; i+1 < len(n.Args); i++ {
			if n.Args[i].Kind != ast.KMatPowSym && n.Args[i+1].Kind != ast.KMatPowSym {
				continue // neither is symbolic: cheap to tell, before powerOf builds exponents
			}
			a, j := powerOf(n.Args[i])
			b, k := powerOf(n.Args[i+1])
			if a == nil || a != b || n.Args[i].Kind != ast.KMatPowSym && n.Args[i+1].Kind != ast.KMatPowSym {
				continue
			}
			args := append(append(append([]*ast.Node{}, n.Args[:i]...), ast.MatPowSym(a, ast.Add(j, k))), n.Args[i+2:]...)
			return ast.Mul(args...)
		}
		for i, f := range n.Args {
			if f.Kind != ast.KPow || !f.IsScalar() || !hasInteger(f.Args[1]) {
				continue
			}
			for j, g := range n.Args {
				if g != f.Args[0] {
					continue
				}
				var args []*ast.Node
				for l, h := range n.Args {
					switch l {
					case i:
						args = append(args, ast.Pow(g, ast.Add(f.Args[1], ast.Int(1))))
					case j:
					default:
						args = append(args, h)
					}
				}
				return ast.Mul(args...)
			}
		}
	case ast.KCall:
		a := n.Args[0]
		if a.Kind != ast.KMatPowSym || !n.Is(builtin.Det) && !n.Is(builtin.Logdet) {
			return nil
		}
		base, k := a.Args[0], a.Args[1]
		if n.Is(builtin.Det) {
			return ast.Pow(builtin.Det.Of(base), k)
		}
		return ast.Mul(k, builtin.Logdet.Of(base))
	case ast.KMatPowSym:
		base, k := n.Args[0], n.Args[1]
		if base.Kind == ast.KIdentity {
			return base
		}
		switch base.Kind {
		case ast.KMatPowSym: // (Aʲ)ᵏ = Aʲᵏ
			return ast.MatPowSym(base.Args[0], ast.Mul(base.Args[1], k))
		case ast.KMatPow:
			return ast.MatPowSym(base.Args[0], ast.Mul(ast.Int(int64(base.K)), k))
		}
		if k.Kind == ast.KNum && k.Num.IsInt() && k.Num.Num().IsInt64() {
			switch c := k.Num.Num().Int64(); {
			case c == 0:
				return ast.Identity(n.Shape.Rows)
			case c == 1:
				return base
			case c == -1:
				return ast.Inverse(base)
			case c < -1 && c >= -ast.MaxMatPow:
				return ast.MatPow(ast.Inverse(base), int(-c))
			case c > 1 && c <= ast.MaxMatPow:
				return ast.MatPow(base, int(c))
			}
		}
	}
	return nil
}

// hasInteger reports whether an integer variable (k: int) occurs in n.
func hasInteger(n *ast.Node) bool {
	found := false
	ast.Walk(n, func(m *ast.Node) { found = found || m.Kind == ast.KVar && m.Props&ast.Integer != 0 })
	return found
}

// powerOf returns A and the exponent e of a non-scalar square factor Aᵉ: a
// symbolic power, a matrix power, or A itself (e = 1); nil otherwise.
func powerOf(f *ast.Node) (*ast.Node, *ast.Node) {
	if f.IsScalar() || !f.Shape.IsSquare() {
		return nil, nil
	}
	switch f.Kind {
	case ast.KMatPowSym:
		return f.Args[0], f.Args[1]
	case ast.KMatPow:
		return f.Args[0], ast.Int(int64(f.K))
	}
	return f, ast.Int(1)
}
