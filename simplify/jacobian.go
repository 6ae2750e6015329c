package simplify

import (
	"fmt"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
)

// NoJacobianError says why a linear map has no Jacobian in matrix or
// Kronecker form (for example a term with Δᵀ of a matrix variable, which
// needs the commutation matrix).
type NoJacobianError struct{ Reason string }

func (e *NoJacobianError) Error() string { return "no Jacobian in closed form: " + e.Reason }

// JacobianMatrix returns M with L(δ) = M·δ for a map L linear in the
// column-vector direction delta, whose value is a column vector or a
// scalar. For a scalar L, M is the row ∇ᵀ.
func (sf *Simplifier) JacobianMatrix(l, delta *ast.Node) (*ast.Node, error) {
	if delta.Shape.Cols != ast.One {
		return nil, &NoJacobianError{"the variable is not a vector"}
	}
	if l.Shape.Cols != ast.One {
		return nil, &NoJacobianError{"the value is not a vector"}
	}
	memo := map[*ast.Node]*ast.Node{}
	var jac func(n *ast.Node) (*ast.Node, error)
	jac = func(n *ast.Node) (*ast.Node, error) {
		if r, ok := memo[n]; ok {
			return r, nil
		}
		r, err := sf.jacobianOf(n, delta, jac)
		if err != nil {
			return nil, err
		}
		memo[n] = r
		return r, nil
	}
	j, err := jac(l)
	if err != nil {
		return nil, err
	}
	return sf.Simplify(j), nil
}

// jacobianOf is one step of JacobianMatrix for a column-valued node n:
//
//	J[δ] = I;  J[A + B] = J[A] + J[B];  J[s·L·F·R] = s·L·J[F]·R (R 1×1);
//	J[v·φ] = v·J[φ] for a scalar φ;  J[a ⊙ F] = diag(a)·J[F];
//	J[F ⊘ b] = diag(b)⁻¹·J[F];  J[bcast φ] = 𝟙·J[φ];  J[φ] = (∇φ)ᵀ for a scalar φ.
func (sf *Simplifier) jacobianOf(n, delta *ast.Node, jac func(*ast.Node) (*ast.Node, error)) (*ast.Node, error) {
	if !n.HasDelta() {
		return ast.Zero(ast.Shape{Rows: n.Shape.Rows, Cols: delta.Shape.Rows}), nil
	}
	if n == delta {
		return ast.Identity(delta.Shape.Rows), nil
	}
	if n.IsScalar() {
		g, err := sf.Gradient(n, delta, nil)
		if err != nil {
			return nil, err
		}
		return ast.Transpose(g), nil
	}
	switch n.Kind {
	case ast.KAdd:
		var terms []*ast.Node
		for _, a := range n.Args {
			j, err := jac(a)
			if err != nil {
				return nil, err
			}
			terms = append(terms, j)
		}
		return ast.Add(terms...), nil
	case ast.KMul:
		k := -1
		for i, a := range n.Args {
			if a.HasDelta() {
				k = i
			}
		}
		f := n.Args[k]
		if !f.IsScalar() && f.Shape.Cols != ast.One {
			scalars, left, right := around(n.Args, k)
			if rs, ok := ast.MulShape(right...); len(right) > 0 && ok && rs.Cols == ast.One {
				r := ast.Mul(right...)
				var inner, jInner *ast.Node
				switch {
				case f.Shape.Rows == ast.One: // L·(f·r) with f·r a scalar φ: J = L·J[φ]
					inner = ast.Mul(f, r)
					jInner = inner
				case f.Is(builtin.DiagMat): // L·diag(g)·r = L·diag(r)·g
					inner = f.Args[0]
					left = append(left, builtin.DiagMat.Of(r))
					jInner = inner
				}
				if jInner != nil {
					jg, err := jac(jInner)
					if err != nil {
						return nil, err
					}
					return ast.Mul(append(append(scalars, left...), jg)...), nil
				}
			}
			return nil, &NoJacobianError{fmt.Sprintf("a factor of shape %v holds δ", f.Shape)}
		}
		jf, err := jac(f)
		if err != nil {
			return nil, err
		}
		if f.IsScalar() { // n = (other factors, a column)·φ
			rest := append(append([]*ast.Node{}, n.Args[:k]...), n.Args[k+1:]...)
			return ast.Mul(append(rest, jf)...), nil
		}
		// Factors after F multiply a column into a column: their product is 1×1.
		args := append(append(append([]*ast.Node{}, n.Args[:k]...), jf), scalarProduct(n.Args[k+1:])...)
		return ast.Mul(args...), nil
	case ast.KHadamard:
		var others []*ast.Node
		var f *ast.Node
		for _, a := range n.Args {
			if a.HasDelta() {
				f = a
			} else {
				others = append(others, a)
			}
		}
		jf, err := jac(f)
		if err != nil {
			return nil, err
		}
		return ast.Mul(builtin.DiagMat.Of(ast.Hadamard(others...)), jf), nil
	case ast.KDiv:
		jf, err := jac(n.Args[0])
		if err != nil {
			return nil, err
		}
		return ast.Mul(builtin.DiagMat.Of(ast.Pow(n.Args[1], ast.Int(-1))), jf), nil
	case ast.KBroadcast:
		jf, err := jac(n.Args[0])
		if err != nil {
			return nil, err
		}
		return ast.Mul(ast.Ones(ast.Vec(n.Shape.Rows)), jf), nil
	case ast.KTranspose:
		if a := n.Args[0]; a.Shape.Rows == ast.One { // (δᵀ…)ᵀ: transpose the row first
			t := sf.Simplify(n)
			if t != n {
				return jac(t)
			}
		}
	}
	return nil, &NoJacobianError{fmt.Sprintf("%s of δ has no matrix form here; the differential map is the answer", opName(n))}
}

// scalarProduct returns the factors of a 1×1 product as one scalar factor.
func scalarProduct(fs []*ast.Node) []*ast.Node {
	if len(fs) <= 1 {
		return fs
	}
	return []*ast.Node{ast.Mul(fs...)}
}

// Kronecker returns K with vec(L(Δ)) = K·vec(Δ) for a map linear in Δ
// whose canonical terms are c·A·Δ·B, by vec(A·Δ·B) = (Bᵀ ⊗ A)·vec(Δ)
// (column-major vec). For a vector direction Δᵀ is allowed too, since
// vec(δᵀ) = vec(δ). A factor vec(M(Δ)) contributes its own Kronecker form:
// vec(A·vec(M)·B) = (Bᵀ ⊗ A)·K_M·vec(Δ). Products are distributed over the
// sums that hold Δ, and common factors are collected by bilinearity.
func (sf *Simplifier) Kronecker(l, delta *ast.Node) (*ast.Node, error) {
	l = sf.Simplify(l)
	if l.Is(builtin.Vec) { // vec(vec(M)) = vec(M)
		return sf.Kronecker(l.Args[0], delta)
	}
	terms := linearTerms(l)
	rowsF, colsF := l.Shape.Rows, l.Shape.Cols
	var out []kronTerm
	for _, t := range terms {
		c, body := split(t)
		var fs []*ast.Node
		switch {
		case body == nil:
			return nil, &NoJacobianError{"a term is constant"}
		case body.Kind == ast.KMul:
			fs = body.Args
		default:
			fs = []*ast.Node{body}
		}
		k := -1
		for i, f := range fs {
			if f.HasDelta() {
				if k >= 0 {
					return nil, &NoJacobianError{"a term holds Δ twice"}
				}
				k = i
			}
		}
		if k < 0 { // the zero map, or a term constant in Δ
			return nil, &NoJacobianError{"a term does not hold Δ"}
		}
		f := fs[k]
		var inner *ast.Node // K_M of a factor vec(M(Δ))
		if f.Is(builtin.Vec) && f != delta {
			var err error
			if inner, err = sf.Kronecker(f.Args[0], delta); err != nil {
				return nil, err
			}
		}
		isVec := delta.Shape.Cols == ast.One || delta.Shape.Rows == ast.One // vec(δᵀ) = vec(δ)
		if inner == nil && f != delta && !(isVec && f.Kind == ast.KTranspose && f.Args[0] == delta) {
			if f.Kind == ast.KTranspose && f.Args[0] == delta {
				return nil, &NoJacobianError{"a term holds Δᵀ, which needs the commutation matrix; the differential map is the answer"}
			}
			return nil, &NoJacobianError{fmt.Sprintf("a term holds Δ inside %s, which has no Kronecker form; the differential map is the answer", opName(f))}
		}
		scalars, left, right := around(fs, k)
		a := ast.Identity(rowsF)
		if len(left) > 0 {
			a = ast.Mul(left...)
		}
		b := ast.Identity(colsF)
		if len(right) > 0 {
			b = ast.Mul(right...)
		}
		out = append(out, kronTerm{coef: ast.Mul(append([]*ast.Node{ast.Number(c)}, scalars...)...), left: sf.transposeCanon(b), right: a, inner: inner})
	}
	return sf.Simplify(sf.collectKron(out)), nil
}

// kronTerm is coef·(left ⊗ right)·inner (inner nil: the identity).
type kronTerm struct{ coef, left, right, inner *ast.Node }

// collectKron sums Kronecker terms, collecting a common factor by
// bilinearity — Σ cᵢ·(Bᵢ ⊗ A) = (Σ cᵢ·Bᵢ) ⊗ A, and likewise on the left —
// and writing I ⊗ I as the identity of the product size. Terms with an
// inner factor K_M are summed as they are.
func (sf *Simplifier) collectKron(ts []kronTerm) *ast.Node {
	group := func(ts []kronTerm, byRight bool) []kronTerm {
		var out []kronTerm
		index := map[*ast.Node]int{}
		for _, t := range ts {
			if t.inner != nil {
				out = append(out, t)
				continue
			}
			key := t.left
			if byRight {
				key = t.right
			}
			i, ok := index[key]
			if !ok {
				index[key] = len(out)
				out = append(out, t)
				continue
			}
			g := &out[i]
			if byRight {
				g.left = ast.Add(ast.Mul(g.coef, g.left), ast.Mul(t.coef, t.left))
			} else {
				g.right = ast.Add(ast.Mul(g.coef, g.right), ast.Mul(t.coef, t.right))
			}
			g.coef = ast.Int(1)
		}
		return out
	}
	ts = group(group(ts, true), false)
	var sum []*ast.Node
	for _, t := range ts {
		l, r := sf.Simplify(t.left), sf.Simplify(t.right)
		k := builtin.Kron.Of(l, r)
		if l.Kind == ast.KIdentity && r.Kind == ast.KIdentity {
			k = ast.Identity(k.Shape.Rows)
		}
		if t.inner != nil {
			k = ast.Mul(k, t.inner)
		}
		sum = append(sum, ast.Mul(t.coef, k))
	}
	return ast.Add(sum...)
}

// linearTerms splits l into the terms of a sum, distributing products over
// the sums that hold Δ: 2·(λ·Δ + Aᵀ·A·Δ) → 2·λ·Δ, 2·Aᵀ·A·Δ.
func linearTerms(l *ast.Node) []*ast.Node {
	switch l.Kind {
	case ast.KAdd:
		var out []*ast.Node
		for _, a := range l.Args {
			out = append(out, linearTerms(a)...)
		}
		return out
	case ast.KMul:
		for i, f := range l.Args {
			if f.Kind != ast.KAdd || !f.HasDelta() {
				continue
			}
			var out []*ast.Node
			for _, a := range f.Args {
				args := append(append(append([]*ast.Node{}, l.Args[:i]...), a), l.Args[i+1:]...)
				out = append(out, linearTerms(ast.Mul(args...))...)
			}
			return out
		}
	}
	return []*ast.Node{l}
}

func (sf *Simplifier) transposeCanon(n *ast.Node) *ast.Node { return sf.Simplify(ast.Transpose(n)) }

// opName names a node's operation for a message.
func opName(n *ast.Node) string {
	k := n.Kind
	switch k {
	case ast.KCall, ast.KApply:
		return n.Name
	case ast.KHadamard:
		return "a Hadamard product ⊙"
	case ast.KDiv:
		return "an elementwise quotient ⊘"
	case ast.KBroadcast:
		return "a broadcast"
	case ast.KTranspose:
		return "a transpose"
	}
	return k.String()
}
