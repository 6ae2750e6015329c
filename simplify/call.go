package simplify

import (
	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
)

// simplifyCall applies the identities of built-in operations (RULES.md),
// assuming n's operands are canonical. An identity that concerns one
// operation names its row of the table, never its name.
func (sf *Simplifier) simplifyCall(n *ast.Node) *ast.Node {
	op := n.Op
	if op.Elementwise {
		a := n.Args[0]
		switch a.Kind {
		case ast.KBroadcast: // g(bcast s) = bcast g(s)
			return ast.Broadcast(op.Of(a.Args[0]), n.Shape)
		case ast.KZero: // g(0) = bcast g(0)
			return ast.Broadcast(op.Of(ast.Int(0)), n.Shape)
		case ast.KNum: // constant folding at exact points: exp(0) = 1
			if op.Fold != nil {
				if v := op.Fold(a.Num); v != nil {
					return ast.Number(v)
				}
			}
		}
		return n
	}
	var a, b *ast.Node
	if len(n.Args) > 0 {
		a = n.Args[0]
	}
	if len(n.Args) > 1 {
		b = n.Args[1]
	}
	kron := a != nil && a.Is(builtin.Kron)
	switch op {
	case builtin.Trace:
		if kron { // tr(A ⊗ B) = tr(A)·tr(B)
			return sf.simplify(ast.Mul(builtin.Trace.Of(a.Args[0]), builtin.Trace.Of(a.Args[1])))
		}
		return sf.simplifyTrace(n)
	case builtin.Sum:
		switch {
		case kron: // sum(A ⊗ B) = sum(A)·sum(B)
			return sf.simplify(ast.Mul(builtin.Sum.Of(a.Args[0]), builtin.Sum.Of(a.Args[1])))
		case a.Is(builtin.Vec): // sum(vec(A)) = sum(A)
			return sf.simplify(builtin.Sum.Of(a.Args[0]))
		}
		return sf.simplifySum(n)
	case builtin.Mean:
		switch {
		case a.IsScalar():
			return a
		case a.Kind == ast.KTranspose, a.Is(builtin.Vec): // mean(Aᵀ) = mean(vec(A)) = mean(A)
			return sf.simplify(builtin.Mean.Of(a.Args[0]))
		}
		if sc, rest := pullScalars(a); len(sc) > 0 { // mean(c·A) = c·mean(A)
			return sf.simplify(ast.Mul(append(sc, builtin.Mean.Of(rest))...))
		}
	case builtin.Det, builtin.Logdet:
		switch {
		case a.Kind == ast.KTranspose: // det(Aᵀ) = det(A)
			return op.Of(a.Args[0])
		case a.Kind == ast.KIdentity: // det(I) = 1, log|det I| = 0
			if op == builtin.Det {
				return ast.Int(1)
			}
			return ast.Int(0)
		case kron && a.Args[0].Shape.IsSquare() && a.Args[1].Shape.IsSquare():
			// det(A ⊗ B) = det(A)^p·det(B)^m, log|det(A ⊗ B)| = p·log|det A| + m·log|det B| (A m×m, B p×p)
			x, y := a.Args[0], a.Args[1]
			m, p := ast.Size(x.Shape.Rows), ast.Size(y.Shape.Rows)
			if op == builtin.Det {
				return sf.simplify(ast.Mul(ast.Pow(builtin.Det.Of(x), p), ast.Pow(builtin.Det.Of(y), m)))
			}
			return sf.simplify(ast.Add(ast.Mul(p, builtin.Logdet.Of(x)), ast.Mul(m, builtin.Logdet.Of(y))))
		}
	case builtin.Norm:
		switch {
		case kron: // ‖A ⊗ B‖_F = ‖A‖_F·‖B‖_F
			return sf.simplify(ast.Mul(builtin.Norm.Of(a.Args[0]), builtin.Norm.Of(a.Args[1])))
		case a.Is(builtin.Vec): // ‖vec(A)‖ = ‖A‖_F
			return sf.simplify(builtin.Norm.Of(a.Args[0]))
		}
	case builtin.Logsumexp:
		if a.Is(builtin.Vec) && !a.Args[0].Shape.IsScalar() { // logsumexp(vec(A)) = log(sum(exp(A)))
			return sf.simplify(builtin.Log.Of(builtin.Sum.Of(builtin.Exp.Of(a.Args[0]))))
		}
	case builtin.Norm1:
		if a.Is(builtin.Vec) { // norm1(vec(A)) = norm1(A)
			return sf.simplify(builtin.Norm1.Of(a.Args[0]))
		}
	case builtin.Unvec:
		if a.Is(builtin.Vec) && a.Args[0].Shape == n.Shape { // unvec(vec(A)) = A
			return a.Args[0]
		}
	case builtin.Vec:
		switch {
		case a.Is(builtin.Unvec): // vec(unvec(a)) = a
			return a.Args[0]
		case a.Shape.Cols == ast.One: // vec(x) = x for a column
			return a
		case a.Shape.Rows == ast.One: // vec(r) = rᵀ for a row
			return sf.simplify(ast.Transpose(a))
		}
	case builtin.DiagVec:
		switch {
		case a.Is(builtin.DiagMat): // diag(diag(x)) = x
			return a.Args[0]
		case a.Kind == ast.KTranspose: // diag(Aᵀ) = diag(A)
			return builtin.DiagVec.Of(a.Args[0])
		case a.Kind == ast.KIdentity: // diag(I) = 𝟙
			return ast.Ones(n.Shape)
		case a.Kind == ast.KMul && len(a.Args) == 2 && a.Args[0].Shape.Cols == ast.One && a.Args[1].Shape.Rows == ast.One:
			return ast.Hadamard(a.Args[0], sf.transpose(a.Args[1])) // diag(u·vᵀ) = u ⊙ v
		}
	case builtin.DiagMat:
		if a.Kind == ast.KOnes { // diag(𝟙) = I
			return ast.Identity(n.Shape.Rows)
		}
	case builtin.Kron: // s ⊗ B = B ⊗ s = s·B for a scalar s
		if a.IsScalar() {
			return sf.simplify(ast.Mul(a, b))
		}
		if b.IsScalar() {
			return sf.simplify(ast.Mul(b, a))
		}
	}
	return n
}

// kronPair rewrites the adjacent factors x·y of a product when an identity
// of vec or ⊗ applies (RULES.md), and returns nil otherwise:
//
//	vec(A)ᵀ·vec(B) = ⟨A, B⟩
//	(Bᵀ ⊗ A)·vec(X) = vec(A·X·B)
//	vec(X)ᵀ·(B ⊗ A) = vec(Aᵀ·X·B)ᵀ
//	(A ⊗ B)·(C ⊗ D) = (A·C) ⊗ (B·D)
func (sf *Simplifier) kronPair(x, y *ast.Node) *ast.Node {
	vecT := func(n *ast.Node) *ast.Node { // X for vec(X)ᵀ
		if n.Kind == ast.KTranspose && n.Args[0].Is(builtin.Vec) {
			return n.Args[0].Args[0]
		}
		return nil
	}
	switch {
	case vecT(x) != nil && y.Is(builtin.Vec) && vecT(x).Shape == y.Args[0].Shape:
		return sf.simplify(ast.Inner(vecT(x), y.Args[0]))
	case x.Is(builtin.Kron) && y.Is(builtin.Vec):
		c, d, m := x.Args[0], x.Args[1], y.Args[0] // (C ⊗ D)·vec(M) = vec(D·M·Cᵀ)
		if d.Shape.Cols == m.Shape.Rows && m.Shape.Cols == c.Shape.Cols {
			return sf.simplify(builtin.Vec.Of(ast.Mul(d, m, ast.Transpose(c))))
		}
	case vecT(x) != nil && y.Is(builtin.Kron):
		m, c, d := vecT(x), y.Args[0], y.Args[1] // vec(M)ᵀ·(C ⊗ D) = vec(Dᵀ·M·C)ᵀ
		if d.Shape.Rows == m.Shape.Rows && m.Shape.Cols == c.Shape.Rows {
			return sf.simplify(ast.Transpose(builtin.Vec.Of(ast.Mul(ast.Transpose(d), m, c))))
		}
	case x.Is(builtin.Kron) && y.Is(builtin.Kron):
		a, b, c, d := x.Args[0], x.Args[1], y.Args[0], y.Args[1]
		if a.Shape.Cols == c.Shape.Rows && b.Shape.Cols == d.Shape.Rows {
			return sf.simplify(builtin.Kron.Of(ast.Mul(a, c), ast.Mul(b, d)))
		}
	}
	return nil
}

// pullVec moves vec out of an elementwise operation of vecs of one shape
// and of a scalar multiple: f(vec A) = vec(f(A)), vec(A) ⊙ vec(B) =
// vec(A ⊙ B), vec(A) + vec(B) = vec(A + B), s·vec(A) = vec(s·A), so that the
// adjoint of vec, ⟨vec(H), vec(Δ)⟩ = ⟨H, Δ⟩, finds its vec(H). It returns
// nil when that does not apply.
func (sf *Simplifier) pullVec(n *ast.Node) *ast.Node {
	switch {
	case n.Kind == ast.KAdd, n.Kind == ast.KHadamard, n.Kind == ast.KDiv, n.IsElementwiseCall(),
		n.Kind == ast.KApply, n.Kind == ast.KPow:
	case n.Kind == ast.KMul:
		k := -1
		for i, a := range n.Args {
			if !a.IsScalar() {
				if k >= 0 {
					return nil
				}
				k = i
			}
		}
		if k < 0 || !n.Args[k].Is(builtin.Vec) {
			return nil
		}
		args := append([]*ast.Node{}, n.Args...)
		args[k] = n.Args[k].Args[0]
		return sf.simplify(builtin.Vec.Of(ast.Mul(args...)))
	default:
		return nil
	}
	var inner ast.Shape
	args := make([]*ast.Node, len(n.Args))
	for i, a := range n.Args {
		switch {
		case n.Kind == ast.KPow && i == 1:
			args[i] = a
			continue
		case !a.Is(builtin.Vec):
			return nil
		case i > 0 && a.Args[0].Shape != inner:
			return nil
		}
		inner = a.Args[0].Shape
		args[i] = a.Args[0]
	}
	return sf.simplify(builtin.Vec.Of(ast.WithArgs(n, args...)))
}
