package builtin

// The numerical check's screens (ast.Op.Saturation and the fields after it):
// where tanh, sigmoid, softmax and logsumexp saturate and where exp
// overflows. Set after the rows of elementwise.go and reductions.go.
func init() {
	Tanh.Saturation, Tanh.SaturatesBothWays = 11, true // sech²(11) = 10⁻⁹
	Sigmoid.Saturation = 20.7                          // 1 − σ(20.7) = 10⁻⁹; below zero σ is small and exact
	Softmax.SaturatesLikeSoftmax = true
	Logsumexp.SaturatesLikeSoftmax = true // its gradient is softmax
	Exp.RangeChecked = true
}
