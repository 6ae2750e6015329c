package simplify

import (
	"fmt"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
)

// NotLinearError reports a node of a linear form that is not linear in Δ.
type NotLinearError struct{ Node *ast.Node }

func (e *NotLinearError) Error() string {
	return fmt.Sprintf("internal error: %s is not linear in Δ", ast.Dump(e.Node))
}

// NoAdjointError reports an operation that holds Δ in a linear form but
// whose adjoint mdiff cannot write in its notation: a Kronecker product or a
// vec that no identity removes (RULES.md). It is an error for the user, not
// an internal one.
type NoAdjointError struct{ Node *ast.Node }

func (e *NoAdjointError) Error() string {
	name := e.Node.Name
	msg := fmt.Sprintf("no closed-form gradient through %s: Δ stays inside %s(…) and no identity removes it", name, name)
	if r := e.Node.Op.AdjointRule; r != "" {
		msg += " (mdiff writes its adjoint only as " + r + ")"
	}
	return msg
}

// Identity names the identities the adjoint pass uses, for --steps.
var (
	IdentitySum       = "⟨G, A + B⟩ = ⟨G, A⟩ + ⟨G, B⟩"
	IdentityProduct   = "⟨G, L·Δ·R⟩ = ⟨Lᵀ·G·Rᵀ, Δ⟩"
	IdentityScalar    = "⟨G, s·A⟩ = s·⟨G, A⟩ = ⟨⟨G, A⟩, s⟩"
	IdentityHadamard  = "⟨G, A ⊙ Δ⟩ = ⟨G ⊙ A, Δ⟩"
	IdentityQuotient  = "⟨G, Δ ⊘ B⟩ = ⟨G ⊘ B, Δ⟩"
	IdentityTranspose = "⟨G, Δᵀ⟩ = ⟨Gᵀ, Δ⟩"
	IdentityTrace     = builtin.Trace.AdjointRule
	IdentitySumAll    = builtin.Sum.AdjointRule
	IdentityInner     = "g·⟨A, Δ⟩ = ⟨g·A, Δ⟩"
	IdentityDiagMat   = builtin.DiagMat.AdjointRule
	IdentityDiagVec   = builtin.DiagVec.AdjointRule
	IdentityBroadcast = "⟨G, broadcast(δ)⟩ = ⟨sum of G over the broadcast axes, δ⟩"
)

// AdjointRecorder receives each identity used, once per node: the form
// ⟨cot, node⟩ equals Σᵢ ⟨argCots[i], args[i]⟩ by identity.
type AdjointRecorder func(identity string, node, cot *ast.Node, args, argCots []*ast.Node)

// Gradient returns G with L(Δ) = ⟨Δ, G⟩ for a scalar linear form L in the
// direction delta, simplified. It is reverse-mode differentiation done
// symbolically: each node of L is visited once, so G is as small as L.
func (sf *Simplifier) Gradient(l, delta *ast.Node, rec AdjointRecorder) (*ast.Node, error) {
	if !l.IsScalar() {
		return nil, fmt.Errorf("simplify.Gradient: form of shape %v is not scalar", l.Shape)
	}
	// Topological order of the nodes that contain Δ, parents first.
	var order []*ast.Node
	seen := map[*ast.Node]bool{}
	var visit func(*ast.Node)
	visit = func(n *ast.Node) {
		if seen[n] || !n.HasDelta() {
			return
		}
		seen[n] = true
		for _, a := range n.Args {
			visit(a)
		}
		order = append(order, n)
	}
	visit(l)
	cot := map[*ast.Node][]*ast.Node{l: {ast.Int(1)}}
	var used string
	var args, cots []*ast.Node
	pass := func(id string, n, g, arg, c *ast.Node) {
		used = id
		args, cots = append(args, arg), append(cots, c)
		cot[arg] = append(cot[arg], c)
	}
	for i := len(order) - 1; i >= 0; i-- {
		n := order[i]
		if len(cot[n]) == 0 {
			continue
		}
		g := sf.Simplify(ast.Add(cot[n]...))
		if n.Kind == ast.KDelta {
			if n != delta {
				return nil, &NotLinearError{n}
			}
			continue
		}
		args, cots = nil, nil
		if err := adjoint(n, g, pass); err != nil {
			return nil, err
		}
		if rec != nil {
			rec(used, n, g, args, cots)
		}
	}
	if len(cot[delta]) == 0 {
		return ast.Zero(delta.Shape), nil
	}
	return sf.Simplify(ast.Add(cot[delta]...)), nil
}

// adjoint passes the cotangent g of n (the form so far is ⟨g, n⟩) to the
// operand of n that contains Δ (RULES.md, adjoint column).
func adjoint(n, g *ast.Node, pass func(id string, n, g, arg, c *ast.Node)) error {
	a := n.Args
	withDelta := func() (int, error) {
		k := -1
		for i, x := range a {
			if x.HasDelta() {
				if k >= 0 {
					return 0, &NotLinearError{n}
				}
				k = i
			}
		}
		return k, nil
	}
	switch n.Kind {
	case ast.KAdd: // ⟨G, A + B⟩ = ⟨G, A⟩ + ⟨G, B⟩
		for _, x := range a {
			if x.HasDelta() {
				pass(IdentitySum, n, g, x, g)
			}
		}
		return nil
	case ast.KMul:
		k, err := withDelta()
		if err != nil {
			return err
		}
		f := a[k]
		scalars, left, right := around(a, k)
		if f.IsScalar() { // ⟨G, s·A⟩ = s·⟨G, A⟩
			rest := append(append(append([]*ast.Node{}, scalars...), left...), right...)
			var c *ast.Node
			switch {
			case len(rest) == 0:
				c = g
			case n.IsScalar():
				c = ast.Mul(append(rest, g)...)
			default:
				c = ast.Inner(g, ast.Mul(rest...))
			}
			pass(IdentityScalar, n, g, f, c)
			return nil
		}
		// ⟨G, s·L·F·R⟩ = ⟨s·Lᵀ·G·Rᵀ, F⟩
		c := []*ast.Node{}
		c = append(c, scalars...)
		if len(left) > 0 {
			c = append(c, ast.Transpose(ast.Mul(left...)))
		}
		c = append(c, g)
		if len(right) > 0 {
			c = append(c, ast.Transpose(ast.Mul(right...)))
		}
		pass(IdentityProduct, n, g, f, ast.Mul(c...))
		return nil
	case ast.KHadamard: // ⟨G, A ⊙ Δ⟩ = ⟨G ⊙ A, Δ⟩
		k, err := withDelta()
		if err != nil {
			return err
		}
		others := []*ast.Node{g}
		for i, x := range a {
			if i != k {
				others = append(others, x)
			}
		}
		pass(IdentityHadamard, n, g, a[k], ast.Hadamard(others...))
		return nil
	case ast.KDiv: // ⟨G, Δ ⊘ B⟩ = ⟨G ⊘ B, Δ⟩
		if a[1].HasDelta() {
			return &NotLinearError{n}
		}
		pass(IdentityQuotient, n, g, a[0], ast.Div(g, a[1]))
		return nil
	case ast.KTranspose: // ⟨G, Δᵀ⟩ = ⟨Gᵀ, Δ⟩
		pass(IdentityTranspose, n, g, a[0], ast.Transpose(g))
		return nil
	case ast.KInner: // g·⟨A, Δ⟩ = ⟨g·A, Δ⟩
		k, err := withDelta()
		if err != nil {
			return err
		}
		pass(IdentityInner, n, g, a[k], ast.Mul(g, a[1-k]))
		return nil
	case ast.KCall: // the operation's adjoint, from its row of the table (package builtin)
		k, err := withDelta()
		if err != nil {
			return err
		}
		var c *ast.Node
		if n.Op.Adjoint != nil {
			c = n.Op.Adjoint(n, g, k)
		}
		if c == nil {
			return &NoAdjointError{n}
		}
		pass(n.Op.AdjointRule, n, g, a[k], c)
		return nil
	case ast.KBroadcast: // a broadcast operand gets G summed over the broadcast axes
		x := a[0]
		var c *ast.Node
		switch {
		case x.IsScalar():
			c = builtin.Sum.Of(g)
		case x.Shape.Rows == ast.One: // a row: 𝟙ᵀ·G
			c = ast.Mul(ast.Ones(ast.Shape{Rows: ast.One, Cols: g.Shape.Rows}), g)
		default: // a column: G·𝟙
			c = ast.Mul(g, ast.Ones(ast.Shape{Rows: g.Shape.Cols, Cols: ast.One}))
		}
		pass(IdentityBroadcast, n, g, x, c)
		return nil
	}
	return &NotLinearError{n}
}

// Symmetrize returns the gradient on the space of symmetric matrices, the
// symmetric part (G + Gᵀ)/2, or G itself when it is already symmetric.
func (sf *Simplifier) Symmetrize(g *ast.Node) *ast.Node {
	gt := sf.Simplify(ast.Transpose(g))
	if gt == g {
		return g
	}
	return sf.Simplify(ast.Mul(ast.Number(half), ast.Add(g, gt)))
}

// around splits the factors of a product around factor k: its scalar
// factors, and the chain factors left and right of k.
func around(fs []*ast.Node, k int) (scalars, left, right []*ast.Node) {
	for i, x := range fs {
		switch {
		case i == k:
		case x.IsScalar():
			scalars = append(scalars, x)
		case i < k:
			left = append(left, x)
		default:
			right = append(right, x)
		}
	}
	return scalars, left, right
}
