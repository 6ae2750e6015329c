package simplify

import (
	"slices"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
)

// The rows of the table for built-in operations (RULES.md), assuming n's
// operands are canonical. An identity that concerns one operation names its
// row of the table, never its name. Each returns nil when it does not apply.

func isKron(a *ast.Node) bool { return a.Is(builtin.Kron) }

// tr(A ⊗ B) = tr(A)·tr(B)
func traceKron(sf *Simplifier, n *ast.Node) *ast.Node {
	if a := n.Args[0]; isKron(a) {
		return sf.simplify(ast.Mul(builtin.Trace.Of(a.Args[0]), builtin.Trace.Of(a.Args[1])))
	}
	return nil
}

// tr(s) = s
func traceScalar(_ *Simplifier, n *ast.Node) *ast.Node {
	if a := n.Args[0]; a.IsScalar() {
		return a
	}
	return nil
}

// tr(Iₙ) = n
func traceIdentity(_ *Simplifier, n *ast.Node) *ast.Node {
	if a := n.Args[0]; a.Kind == ast.KIdentity {
		return ast.Size(a.Shape.Rows)
	}
	return nil
}

// tr(Aᵀ) = tr(A)
func traceTranspose(_ *Simplifier, n *ast.Node) *ast.Node {
	if a := n.Args[0]; a.Kind == ast.KTranspose {
		return builtin.Trace.Of(a.Args[0])
	}
	return nil
}

// tr(A + B) = tr(A) + tr(B)
func traceSum(_ *Simplifier, n *ast.Node) *ast.Node {
	a := n.Args[0]
	if a.Kind != ast.KAdd {
		return nil
	}
	terms := make([]*ast.Node, len(a.Args))
	for i, t := range a.Args {
		terms[i] = builtin.Trace.Of(t)
	}
	return ast.Add(terms...)
}

// tr(s·A) = s·tr(A)
func traceScalarsOut(sf *Simplifier, n *ast.Node) *ast.Node {
	if sc, rest := pullScalars(n.Args[0]); len(sc) > 0 {
		return sf.simplify(ast.Mul(append(sc, builtin.Trace.Of(rest))...))
	}
	return nil
}

// tr(x·yᵀ…) = yᵀ…·x by cyclic rotation, when that leaves a 1×1 product.
func traceCyclic(_ *Simplifier, n *ast.Node) *ast.Node {
	a := n.Args[0]
	if a.Kind != ast.KMul {
		return nil
	}
	ch := a.Args
	for k := 1; k < len(ch); k++ {
		rot := append(slices.Clone(ch[k:]), ch[:k]...)
		if s, ok := ast.MulShape(rot...); ok && s.IsScalar() {
			return ast.Mul(rot...)
		}
	}
	return nil
}

// ofKron is the rule op(A ⊗ B) = op(A)·op(B), for an op that is
// multiplicative over Kronecker products: sum(A ⊗ B) = sum(A)·sum(B),
// ‖A ⊗ B‖_F = ‖A‖_F·‖B‖_F.
func ofKron(op *ast.Op) func(*Simplifier, *ast.Node) *ast.Node {
	return func(sf *Simplifier, n *ast.Node) *ast.Node {
		if a := n.Args[0]; isKron(a) {
			return sf.simplify(ast.Mul(op.Of(a.Args[0]), op.Of(a.Args[1])))
		}
		return nil
	}
}

// ofVec is the rule op(vec(A)) = op(A), for an op of the entries that
// ignores their arrangement: sum, ‖·‖ (‖vec(A)‖ = ‖A‖_F), norm1.
func ofVec(op *ast.Op) func(*Simplifier, *ast.Node) *ast.Node {
	return func(sf *Simplifier, n *ast.Node) *ast.Node {
		if a := n.Args[0]; a.Is(builtin.Vec) {
			return sf.simplify(op.Of(a.Args[0]))
		}
		return nil
	}
}

// sum(s) = s
func sumScalar(_ *Simplifier, n *ast.Node) *ast.Node {
	if a := n.Args[0]; a.IsScalar() {
		return a
	}
	return nil
}

// the entries of softmax(x) sum to 1
func sumSoftmax(_ *Simplifier, n *ast.Node) *ast.Node {
	if n.Args[0].Is(builtin.Softmax) {
		return ast.Int(1)
	}
	return nil
}

// sum(𝟙ₘₓₙ) = m·n
func sumOnes(sf *Simplifier, n *ast.Node) *ast.Node {
	if a := n.Args[0]; a.Kind == ast.KOnes {
		return sf.simplify(ast.Mul(ast.Size(a.Shape.Rows), ast.Size(a.Shape.Cols)))
	}
	return nil
}

// sum(s·𝟙ₘₓₙ) = s·m·n
func sumBroadcast(sf *Simplifier, n *ast.Node) *ast.Node {
	if a := n.Args[0]; a.Kind == ast.KBroadcast && a.Args[0].IsScalar() {
		return sf.simplify(ast.Mul(a.Args[0], ast.Size(a.Shape.Rows), ast.Size(a.Shape.Cols)))
	}
	return nil
}

// sum(Aᵀ) = sum(A)
func sumTranspose(_ *Simplifier, n *ast.Node) *ast.Node {
	if a := n.Args[0]; a.Kind == ast.KTranspose {
		return builtin.Sum.Of(a.Args[0])
	}
	return nil
}

// sum(c·A) = c·sum(A)
func sumScalarsOut(sf *Simplifier, n *ast.Node) *ast.Node {
	if sc, rest := pullScalars(n.Args[0]); len(sc) > 0 {
		return sf.simplify(ast.Mul(append(sc, builtin.Sum.Of(rest))...))
	}
	return nil
}

// mean(s) = s
func meanScalar(_ *Simplifier, n *ast.Node) *ast.Node {
	if a := n.Args[0]; a.IsScalar() {
		return a
	}
	return nil
}

// mean(Aᵀ) = mean(vec(A)) = mean(A)
func meanTransposeVec(sf *Simplifier, n *ast.Node) *ast.Node {
	if a := n.Args[0]; a.Kind == ast.KTranspose || a.Is(builtin.Vec) {
		return sf.simplify(builtin.Mean.Of(a.Args[0]))
	}
	return nil
}

// mean(c·A) = c·mean(A)
func meanScalarsOut(sf *Simplifier, n *ast.Node) *ast.Node {
	if sc, rest := pullScalars(n.Args[0]); len(sc) > 0 {
		return sf.simplify(ast.Mul(append(sc, builtin.Mean.Of(rest))...))
	}
	return nil
}

// det(Aᵀ) = det(A), logdet(Aᵀ) = logdet(A)
func detTranspose(_ *Simplifier, n *ast.Node) *ast.Node {
	if a := n.Args[0]; a.Kind == ast.KTranspose {
		return n.Op.Of(a.Args[0])
	}
	return nil
}

// det(I) = 1, log|det I| = 0
func detIdentity(_ *Simplifier, n *ast.Node) *ast.Node {
	if n.Args[0].Kind != ast.KIdentity {
		return nil
	}
	if n.Is(builtin.Det) {
		return ast.Int(1)
	}
	return ast.Int(0)
}

// det(A ⊗ B) = det(A)^p·det(B)^m, log|det(A ⊗ B)| = p·log|det A| + m·log|det B| (A m×m, B p×p)
func detKron(sf *Simplifier, n *ast.Node) *ast.Node {
	a := n.Args[0]
	if !isKron(a) || !a.Args[0].Shape.IsSquare() || !a.Args[1].Shape.IsSquare() {
		return nil
	}
	x, y := a.Args[0], a.Args[1]
	m, p := ast.Size(x.Shape.Rows), ast.Size(y.Shape.Rows)
	if n.Is(builtin.Det) {
		return sf.simplify(ast.Mul(ast.Pow(builtin.Det.Of(x), p), ast.Pow(builtin.Det.Of(y), m)))
	}
	return sf.simplify(ast.Add(ast.Mul(p, builtin.Logdet.Of(x)), ast.Mul(m, builtin.Logdet.Of(y))))
}

// sqrt(xᵀ·x) = ‖x‖ for a column x
func sqrtGram(sf *Simplifier, n *ast.Node) *ast.Node {
	a := n.Args[0]
	if a.Kind != ast.KMul || len(a.Args) != 2 {
		return nil
	}
	l, r := a.Args[0], a.Args[1]
	if r.Shape.Cols == ast.One && !r.IsScalar() && l == sf.transpose(r) {
		return sf.simplify(builtin.Norm.Of(r))
	}
	return nil
}

// logsumexp(vec(A)) = log(sum(exp(A)))
func logsumexpVec(sf *Simplifier, n *ast.Node) *ast.Node {
	if a := n.Args[0]; a.Is(builtin.Vec) && !a.Args[0].Shape.IsScalar() {
		return sf.simplify(builtin.Log.Of(builtin.Sum.Of(builtin.Exp.Of(a.Args[0]))))
	}
	return nil
}

// unvec(vec(A)) = A
func unvecVec(_ *Simplifier, n *ast.Node) *ast.Node {
	if a := n.Args[0]; a.Is(builtin.Vec) && a.Args[0].Shape == n.Shape {
		return a.Args[0]
	}
	return nil
}

// vec(unvec(a)) = a
func vecUnvec(_ *Simplifier, n *ast.Node) *ast.Node {
	if a := n.Args[0]; a.Is(builtin.Unvec) {
		return a.Args[0]
	}
	return nil
}

// vec(x) = x for a column
func vecColumn(_ *Simplifier, n *ast.Node) *ast.Node {
	if a := n.Args[0]; a.Shape.Cols == ast.One {
		return a
	}
	return nil
}

// vec(r) = rᵀ for a row
func vecRow(sf *Simplifier, n *ast.Node) *ast.Node {
	if a := n.Args[0]; a.Shape.Rows == ast.One {
		return sf.simplify(ast.Transpose(a))
	}
	return nil
}

// diag(diag(x)) = x
func diagOfDiag(_ *Simplifier, n *ast.Node) *ast.Node {
	if a := n.Args[0]; a.Is(builtin.DiagMat) {
		return a.Args[0]
	}
	return nil
}

// diag(Aᵀ) = diag(A)
func diagTranspose(_ *Simplifier, n *ast.Node) *ast.Node {
	if a := n.Args[0]; a.Kind == ast.KTranspose {
		return builtin.DiagVec.Of(a.Args[0])
	}
	return nil
}

// diag(I) = 𝟙
func diagIdentity(_ *Simplifier, n *ast.Node) *ast.Node {
	if n.Args[0].Kind == ast.KIdentity {
		return ast.Ones(n.Shape)
	}
	return nil
}

// diag(u·vᵀ) = u ⊙ v
func diagOuter(sf *Simplifier, n *ast.Node) *ast.Node {
	if a := n.Args[0]; a.Kind == ast.KMul && len(a.Args) == 2 && a.Args[0].Shape.Cols == ast.One && a.Args[1].Shape.Rows == ast.One {
		return ast.Hadamard(a.Args[0], sf.transpose(a.Args[1]))
	}
	return nil
}

// diag(𝟙) = I
func diagmatOnes(_ *Simplifier, n *ast.Node) *ast.Node {
	if n.Args[0].Kind == ast.KOnes {
		return ast.Identity(n.Shape.Rows)
	}
	return nil
}

// diag(diag(A)) = I ⊙ A: the diagonal part of A, in three symbols for
// seven; A itself when A is diagonal. diag(diag(A) + diag(B) + …) is the sum
// of the diagonal parts: diag(diag(S) + diag(D⁻¹)) = I ⊙ S + D⁻¹, and
// diag(diag(A) ⊙ diag(B)) their product.
func diagmatDiag(sf *Simplifier, n *ast.Node) *ast.Node {
	part := func(a *ast.Node) *ast.Node {
		if a.IsDiagonal() {
			return a
		}
		return ast.Hadamard(ast.Identity(n.Shape.Rows), a)
	}
	a := n.Args[0]
	if a.Is(builtin.DiagVec) {
		return sf.simplify(part(a.Args[0]))
	}
	var combine func(...*ast.Node) *ast.Node
	switch a.Kind {
	case ast.KAdd:
		combine = ast.Add
	case ast.KHadamard: // diag(diag(A) ⊙ diag(D)) = (I ⊙ A)·D
		combine = ast.Mul
	default:
		return nil
	}
	parts := make([]*ast.Node, len(a.Args))
	for i, t := range a.Args {
		if !t.Is(builtin.DiagVec) {
			return nil
		}
		parts[i] = part(t.Args[0])
	}
	return sf.simplify(combine(parts...))
}

// s ⊗ B = B ⊗ s = s·B for a scalar s
func kronScalar(sf *Simplifier, n *ast.Node) *ast.Node {
	a, b := n.Args[0], n.Args[1]
	if a.IsScalar() {
		return sf.simplify(ast.Mul(a, b))
	}
	if b.IsScalar() {
		return sf.simplify(ast.Mul(b, a))
	}
	return nil
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
