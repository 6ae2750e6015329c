// Package rules computes the Fréchet differential of a typed expression: the
// part of f(X+Δ) − f(X) that is linear in Δ. One rule per node kind; each
// rule's comment states the identity it implements.
package rules

import (
	"fmt"
	"math/big"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
)

// UnsupportedError reports an operation that has no differentiation rule.
// It is an error, never a silent zero.
type UnsupportedError struct {
	Node *ast.Node
	Why  string // the reason, when there is more to say than "no rule"
}

func (e *UnsupportedError) Error() string {
	if e.Why != "" {
		return e.Why
	}
	return fmt.Sprintf("no differentiation rule for %s", describe(e.Node))
}

func describe(n *ast.Node) string {
	if n.Kind == ast.KApply || n.Kind == ast.KCall {
		return n.Name
	}
	return n.Kind.String()
}

// Recorder receives every rule application: d[Lhs] = Rhs by Rule.
type Recorder func(rule string, lhs, rhs *ast.Node)

// Differential returns dF: the differential of f with respect to the variable
// wrt, as an expression linear in ast.Delta(wrt.Name, wrt.Shape). It is not
// simplified. A subexpression free of wrt has differential 0; each shared node
// is differentiated once. rec may be nil.
func Differential(f, wrt *ast.Node, rec Recorder) (*ast.Node, error) {
	d := &differ{wrt: wrt.Name, deps: ast.NewDependence(wrt.Name), delta: ast.Delta(wrt.Name, wrt.Shape), memo: map[*ast.Node]*ast.Node{}, rec: rec}
	df, err := d.d(f)
	if err != nil {
		return nil, err
	}
	if df == nil {
		return ast.Zero(f.Shape), nil
	}
	return df, nil
}

type differ struct {
	wrt   string
	deps  *ast.Dependence // on wrt
	delta *ast.Node
	memo  map[*ast.Node]*ast.Node
	rec   Recorder
}

// d returns the differential of n, or nil when it is zero.
func (d *differ) d(n *ast.Node) (*ast.Node, error) {
	if !d.deps.Of(n) {
		return nil, nil
	}
	if r, ok := d.memo[n]; ok {
		return r, nil
	}
	args := make([]*ast.Node, len(n.Args))
	self := isNormPower(n) || isTracePower(n)
	zero := len(n.Args) > 0 && !self
	for i, a := range n.Args {
		if i == 0 && self {
			continue // pow and tracePower differentiate the operand's operand themselves
		}
		da, err := d.d(a)
		if err != nil {
			return nil, err
		}
		args[i] = da
		zero = zero && da == nil
	}
	if zero {
		// Every operand's differential is zero (step(X), whose derivative
		// is 0, under a transpose or an inverse): so is n's, by the chain
		// rule; the rules of one operand assume a nonzero one.
		d.memo[n] = nil
		return nil, nil
	}
	rule, r, err := d.rule(n, args)
	if err != nil {
		return nil, err
	}
	if d.rec != nil && r != nil && n.Kind != ast.KVar {
		d.rec(rule, n, r)
	}
	d.memo[n] = r
	return r, nil
}

// rule applies the differentiation rule of n's kind, given the differentials
// da of its operands (nil where zero).
func (d *differ) rule(n *ast.Node, da []*ast.Node) (string, *ast.Node, error) {
	a := n.Args
	switch n.Kind {
	case ast.KVar: // dX = Δ
		return "dX = Δ", d.delta, nil

	case ast.KAdd: // d(A + B) = dA + dB
		return "d(A + B) = dA + dB", sum(nonNil(da)...), nil

	case ast.KMul: // d(A·B) = dA·B + A·dB, for every factor
		var terms []*ast.Node
		for i, di := range da {
			if di == nil {
				continue
			}
			f := append(append(append([]*ast.Node{}, a[:i]...), di), a[i+1:]...)
			terms = append(terms, ast.Mul(f...))
		}
		return mulRule(a, da), sum(terms...), nil

	case ast.KHadamard: // d(A ⊙ B) = dA ⊙ B + A ⊙ dB
		var terms []*ast.Node
		for i, di := range da {
			if di == nil {
				continue
			}
			f := append(append(append([]*ast.Node{}, a[:i]...), di), a[i+1:]...)
			terms = append(terms, ast.Hadamard(f...))
		}
		return "d(A ⊙ B) = dA ⊙ B + A ⊙ dB", sum(terms...), nil

	case ast.KDiv: // d(A ⊘ B) = dA ⊘ B − A ⊙ dB ⊘ (B ⊙ B)
		var terms []*ast.Node
		if da[0] != nil {
			terms = append(terms, ast.Div(da[0], a[1]))
		}
		if da[1] != nil {
			terms = append(terms, neg(ast.Div(ast.Hadamard(a[0], da[1]), ast.Hadamard(a[1], a[1]))))
		}
		return "d(A ⊘ B) = dA ⊘ B − A ⊙ dB ⊘ (B ⊙ B)", sum(terms...), nil

	case ast.KTranspose: // d(Aᵀ) = (dA)ᵀ
		return "d(Aᵀ) = (dA)ᵀ", ast.Transpose(da[0]), nil

	case ast.KInverse: // d(A⁻¹) = −A⁻¹·dA·A⁻¹
		return "d(A⁻¹) = −A⁻¹·dA·A⁻¹", ast.Mul(ast.Int(-1), n, da[0], n), nil

	case ast.KMatPow: // d(Aᵏ) = Σ_{i=0}^{k−1} Aⁱ·dA·A^{k−1−i}
		var terms []*ast.Node
		for i := 0; i < n.K; i++ {
			var f []*ast.Node
			if p := power(a[0], i); p != nil {
				f = append(f, p)
			}
			f = append(f, da[0])
			if p := power(a[0], n.K-1-i); p != nil {
				f = append(f, p)
			}
			terms = append(terms, ast.Mul(f...))
		}
		return "d(Aᵏ) = Σᵢ Aⁱ·dA·Aᵏ⁻¹⁻ⁱ", sum(terms...), nil

	case ast.KPow:
		return d.pow(n, da)

	case ast.KApply: // a declared generic function: d g⁽ᵏ⁾(A) = g⁽ᵏ⁺¹⁾(A) ⊙ dA
		return "d g(A) = g′(A) ⊙ dA", elementwiseTimes(ast.Apply(n.Name, n.K+1, a[0]), da[0]), nil

	case ast.KCall: // the operation's own rule, from its row of the table (package builtin)
		if isTracePower(n) {
			return d.tracePower(n)
		}
		if n.Op.Deriv == nil {
			return "", nil, &UnsupportedError{Node: n}
		}
		return n.Op.Rule, n.Op.Deriv(n, da), nil

	case ast.KMatPowSym: // closed forms only inside tr (tracePower), det and logdet (simplify)
		return "", nil, &UnsupportedError{Node: n, Why: "the differential of a symbolic matrix power A^k (k: int) has a closed form only inside tr, det and logdet"}

	case ast.KInner: // d⟨A, B⟩ = ⟨dA, B⟩ + ⟨A, dB⟩
		var terms []*ast.Node
		if da[0] != nil {
			terms = append(terms, ast.Inner(da[0], a[1]))
		}
		if da[1] != nil {
			terms = append(terms, ast.Inner(a[0], da[1]))
		}
		return "d⟨A, B⟩ = ⟨dA, B⟩ + ⟨A, dB⟩", sum(terms...), nil

	case ast.KBroadcast: // a broadcast is linear: d(bcast a) = bcast(da)
		return "d(broadcast a) = broadcast(da)", ast.Broadcast(da[0], n.Shape), nil

	}
	return "", nil, &UnsupportedError{Node: n}
}

// pow differentiates A .^ p:
//
//	d(A .^ p) = p·A.^(p−1) ⊙ dA + log(A) ⊙ A.^p · dp
//	d‖A‖^p    = p·‖A‖^(p−2)·⟨A, dA⟩   (so d‖A‖² = 2⟨A, dA⟩)
func (d *differ) pow(n *ast.Node, da []*ast.Node) (string, *ast.Node, error) {
	base, p := n.Args[0], n.Args[1]
	var terms []*ast.Node
	rule := "d(A .^ p) = p·A .^ (p−1) ⊙ dA"
	switch {
	case isNormPower(n):
		rule = "d‖A‖ᵖ = p·‖A‖ᵖ⁻²·⟨A, dA⟩"
		dn, err := d.d(base.Args[0])
		if err != nil {
			return "", nil, err
		}
		if dn != nil {
			f := []*ast.Node{p}
			if !p.IsNum(2) {
				f = append(f, ast.Pow(base, minus(p, 2)))
			}
			f = append(f, ast.Inner(base.Args[0], dn))
			terms = append(terms, ast.Mul(f...))
		}
	case da[0] != nil:
		terms = append(terms, ast.Mul(p, elementwiseTimes(ast.Pow(base, minus(p, 1)), da[0])))
	}
	if da[1] != nil {
		rule += " + log(A) ⊙ A .^ p · dp"
		logb := builtin.Log.Of(base)
		terms = append(terms, ast.Mul(da[1], elementwiseTimes(logb, n)))
	}
	return rule, sum(terms...), nil
}

// ---- symbolic matrix powers A^k, k: int ----
// (det(A^k) = det(A)^k and logdet(A^k) = k·logdet(A) are rewritten by simplify.)

// isTracePower reports whether n is tr(Aᵏ) with a symbolic integer k.
func isTracePower(n *ast.Node) bool {
	return n.Is(builtin.Trace) && n.Args[0].Kind == ast.KMatPowSym
}

// tracePower differentiates tr(Aᵏ) for a symbolic integer k:
//
//	d tr(Aᵏ) = k·tr(Aᵏ⁻¹·dA)
//
// (the k terms Aⁱ·dA·Aᵏ⁻¹⁻ⁱ of d(Aᵏ) are equal under the trace; for k < 0
// the same holds with A⁻¹). k does not depend on the variable: an integer
// is never one.
func (d *differ) tracePower(n *ast.Node) (string, *ast.Node, error) {
	pw := n.Args[0]
	a, k := pw.Args[0], pw.Args[1]
	da, err := d.d(a)
	if err != nil || da == nil {
		return "", nil, err
	}
	return "d tr(Aᵏ) = k·tr(Aᵏ⁻¹·dA)", ast.Mul(k, builtin.Trace.Of(ast.Mul(ast.MatPowSym(a, minus(k, 1)), da))), nil
}

// isNormPower reports whether n is ‖A‖ᵖ with a constant p, differentiated
// as a whole so that d‖A‖² = 2⟨A, dA⟩ needs no division by ‖A‖.
func isNormPower(n *ast.Node) bool {
	return n.Kind == ast.KPow && n.Args[0].Is(builtin.Norm) && n.Args[1].Kind == ast.KNum
}

// mulRule names the rule of a product's differential: the product rule
// when two or more factors vary, and otherwise the rule of a constant
// factor, d(−A) = −dA, d(c·A) = c·dA (c scalar), d(L·A·R) = L·dA·R.
func mulRule(a, da []*ast.Node) string {
	varying, scalars := 0, true
	for i, d := range da {
		switch {
		case d != nil:
			varying++
		case !a[i].IsScalar():
			scalars = false
		}
	}
	switch {
	case varying > 1:
		return "d(A·B) = dA·B + A·dB"
	case len(a) == 2 && a[0].IsNum(-1):
		return "d(−A) = −dA"
	case scalars:
		return "d(c·A) = c·dA"
	}
	return "d(L·A·R) = L·dA·R"
}

// elementwiseTimes is a ⊙ b, or the ordinary product when a and b are scalars.
func elementwiseTimes(a, b *ast.Node) *ast.Node {
	if a.IsScalar() && b.IsScalar() {
		return ast.Mul(a, b)
	}
	if a.IsScalar() {
		return ast.Mul(a, b)
	}
	return ast.Hadamard(a, b)
}

func bcast(a *ast.Node, s ast.Shape) *ast.Node { return ast.Broadcast(a, s) }

func neg(a *ast.Node) *ast.Node { return ast.Mul(ast.Int(-1), a) }

// minus returns p − k, folded when p is a number.
func minus(p *ast.Node, k int64) *ast.Node {
	if p.Kind == ast.KNum {
		return ast.Number(new(big.Rat).Sub(p.Num, new(big.Rat).SetInt64(k)))
	}
	return ast.Add(p, ast.Int(-k))
}

// power returns a^i: nil for i = 0, a for 1, a matrix power otherwise.
func power(a *ast.Node, i int) *ast.Node {
	switch i {
	case 0:
		return nil
	case 1:
		return a
	}
	return ast.MatPow(a, i)
}

func nonNil(xs []*ast.Node) []*ast.Node {
	var out []*ast.Node
	for _, x := range xs {
		if x != nil {
			out = append(out, x)
		}
	}
	return out
}

// sum adds terms; no terms is a zero differential (nil).
func sum(terms ...*ast.Node) *ast.Node {
	switch len(terms) {
	case 0:
		return nil
	case 1:
		return terms[0]
	}
	return ast.Add(terms...)
}
