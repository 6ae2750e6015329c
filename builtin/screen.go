package builtin

import "github.com/mdiff/mdiff/ast"

// The numerical check's screens (ast.Op.Saturation and the fields after it):
// where tanh, sigmoid, arctan, softmax and logsumexp saturate and where exp
// overflows, and where sin, cos and tan oscillate too fast. Set after the rows of elementwise.go and reductions.go.
func init() {
	Tanh.Saturation, Tanh.SaturatesBothWays = 11, true // sech²(11) = 10⁻⁹
	Sigmoid.Saturation = 20.7                          // 1 − σ(20.7) = 10⁻⁹; below zero σ is small and exact
	// arctan tends to ±π/2 as tanh to ±1: 1/(1 + x²) = 10⁻⁹ at 31 623
	// (arctan(arctan(e^27·…)) failed the check, its differences noise).
	Arctan.Saturation, Arctan.SaturatesBothWays = 31623, true
	Softmax.SaturatesLikeSoftmax = true
	Logsumexp.SaturatesLikeSoftmax = true // its gradient is softmax
	Exp.RangeChecked = true
	// A large argument of a periodic function is one that moves fast: a
	// finite-difference step that moves it by a fraction of a period is
	// far below the inputs' scale (cos(1/softplus(x)) at x = −14 has an
	// argument of 10⁶; sin(1/x) at x = 0.002, of 500, where the step of
	// the differences is as large as x). Draws beyond 100 are redrawn.
	for _, op := range []*ast.Op{Sin, Cos, Tan} {
		op.Oscillation = 100
	}
}
