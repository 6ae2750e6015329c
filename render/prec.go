package render

import (
	"math/big"

	"github.com/mdiff/mdiff/ast"
)

// Precedence levels shared by every printer, loosest first (STYLE item 3).
// An operand printed in a context that requires a level higher than its own
// is parenthesised. The levels follow SPEC §2 (and Python, for NumPy):
// sum < product (·, ⊙, ⊘, /, ⊗, @) < unary minus < postfix (ᵀ, ⁻¹, powers)
// < atoms and calls.
const (
	precLowest  = iota // a whole expression, a function argument
	precSum            // a + b, a − b
	precProd           // a·b, a ⊙ b, a ⊘ b, a / s, a ⊗ b
	precUnary          // −a
	precPostfix        // aᵀ, a⁻¹, a², a^p
	precAtom           // names, numbers, calls, ‖a‖, ⟨a, b⟩, parenthesised
	precForce          // a context that parenthesises everything
)

// Operand contexts derived from the table.
const (
	ctxTerm    = precSum + 1  // a later term of a sum: A − (B − C)
	ctxFactor  = precProd + 1 // an operand of a product-level operator
	ctxUnary   = precUnary + 1
	ctxPostfix = precAtom // the operand of ᵀ, ⁻¹ and powers: (A + B)ᵀ, (x²)ᵀ
)

// isLeaf reports whether n is one of the leaf kinds, which are never
// temporaries.
func isLeaf(n *ast.Node) bool {
	switch n.Kind {
	case ast.KVar, ast.KNum, ast.KDelta, ast.KIdentity, ast.KOnes, ast.KZero, ast.KSize:
		return true
	}
	return false
}

// isElementwise reports whether broadcasting an operand of n is implicit in
// the syntax (NumPy-style broadcasting of + ⊙ ⊘).
func isElementwise(n *ast.Node) bool {
	switch n.Kind {
	case ast.KAdd, ast.KHadamard, ast.KDiv:
		return true
	}
	return false
}

// hideBroadcasts reports whether the KBroadcast operands of the elementwise
// node n may be printed without their broadcast: only when some other
// operand has n's full shape natively, so that implicit broadcasting
// recovers exactly n's shape.
func hideBroadcasts(n *ast.Node) bool {
	if !isElementwise(n) {
		return false
	}
	for _, a := range n.Args {
		if a.Kind != ast.KBroadcast {
			return true
		}
	}
	return false
}

// isDivPow reports whether n is s^(−p) for a scalar s and a negative number
// −p, which prints as a division 1 / s^p.
func isDivPow(n *ast.Node) bool {
	return n.Kind == ast.KPow && n.Args[0].IsScalar() && n.Args[1].Kind == ast.KNum && n.Args[1].Num.Sign() < 0
}

// recip returns the denominator that the division form of the scalar power
// n = s^(−p) prints: s for p = 1, s^p otherwise.
func recip(n *ast.Node) *ast.Node {
	p := new(big.Rat).Neg(n.Args[1].Num)
	if ast.IsOne(p) {
		return n.Args[0]
	}
	return ast.Pow(n.Args[0], ast.Number(p))
}

// mulForm is the printed shape of a product (or of a lone s^(−p)):
//
//	[−] [num·] factor·factor… [/ (den·denom·…)]
//
// The first number among the factors is the coefficient; it is printed
// first (scalars commute) with its sign in front and its denominator moved
// under the division: 3/2·X prints as 3·X / 2.
type mulForm struct {
	neg     bool
	num     *big.Int    // |numerator of the coefficient|; read only
	den     *big.Int    // denominator of the coefficient; read only
	factors []*ast.Node // the other factors, in order
	denoms  []*ast.Node // scalar denominators
}

// newMulForm analyses n (a KMul or an isDivPow node); flip negates the
// coefficient. isName reports temporaries, which are kept as factors.
func newMulForm(n *ast.Node, flip bool, isName func(*ast.Node) bool) mulForm {
	args := n.Args
	if n.Kind != ast.KMul {
		args = []*ast.Node{n}
	}
	var coef *big.Rat // the node's own number, read only; nil is 1
	var f mulForm
	for _, a := range args {
		switch {
		case coef == nil && a.Kind == ast.KNum:
			coef = a.Num
		case isDivPow(a) && !isName(a):
			f.denoms = append(f.denoms, recip(a))
		default:
			f.factors = appendFactors(f.factors, a, isName)
		}
	}
	f.num, f.den = bigOne, bigOne
	sign := 1
	if coef != nil {
		sign = coef.Sign()
		f.num, f.den = coef.Num(), coef.Denom()
		if sign < 0 {
			f.num = new(big.Int).Neg(f.num)
		}
	}
	f.neg = sign != 0 && (sign < 0) != flip
	return f
}

// bigOne is the coefficient of a product without a number; read only.
var bigOne = big.NewInt(1)

// appendFactors appends the factor a to fs, or, when a is a plain matrix
// product that is not a temporary (as [shareChains] nests them), its own
// factors: (A·B)·C prints A·B·C, the product being associative.
func appendFactors(fs []*ast.Node, a *ast.Node, isName func(*ast.Node) bool) []*ast.Node {
	if a.Kind != ast.KMul || a.IsScalar() || isName(a) {
		return append(fs, a)
	}
	for _, x := range a.Args {
		if x.IsScalar() || isDivPow(x) {
			return append(fs, a)
		}
	}
	for _, x := range a.Args {
		fs = appendFactors(fs, x, isName)
	}
	return fs
}

// hasDiv reports whether the product prints with a division.
func (f mulForm) hasDiv() bool { return len(f.denoms) > 0 || !f.den.IsInt64() || f.den.Int64() != 1 }

// showNum reports whether the coefficient's numerator is printed.
func (f mulForm) showNum() bool {
	return !f.num.IsInt64() || f.num.Int64() != 1 || len(f.factors) == 0
}

// items is the number of numerator items printed.
func (f mulForm) items() int {
	k := len(f.factors)
	if f.showNum() {
		k++
	}
	return k
}

// single returns the only factor when the product prints as that factor
// alone (coefficient 1, no division), for delegation.
func (f mulForm) single() (*ast.Node, bool) {
	if !f.neg && !f.hasDiv() && !f.showNum() && len(f.factors) == 1 {
		return f.factors[0], true
	}
	return nil, false
}
