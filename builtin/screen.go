package builtin

import "github.com/mdiff/mdiff/ast"

// The numerical check's screens (ast.Op.Saturation and the fields after it):
// where tanh, sigmoid, softmax and logsumexp saturate and where exp
// overflows, and where sin, cos and tan oscillate too fast. Set after the rows of elementwise.go and reductions.go.
func init() {
	Tanh.Saturation, Tanh.SaturatesBothWays = 11, true // sech²(11) = 10⁻⁹
	Sigmoid.Saturation = 20.7                          // 1 − σ(20.7) = 10⁻⁹; below zero σ is small and exact
	Softmax.SaturatesLikeSoftmax = true
	Logsumexp.SaturatesLikeSoftmax = true // its gradient is softmax
	Exp.RangeChecked = true
	// sin(10³·(1 ± 10⁻⁶)) already moves by 10⁻³: beyond 10³ a step of the
	// inputs' own size crosses periods (cos(1/softplus(x)) at x = −14).
	for _, op := range []*ast.Op{Sin, Cos, Tan} {
		op.Oscillation = 1e3
	}
}
