package mdiff_test

import (
	"strings"
	"testing"

	"github.com/mdiff/mdiff"
)

// BenchmarkDerive measures the whole pipeline (parse, shapes, differential,
// adjoint, canonical form), with and without the numerical check.
func BenchmarkDerive(b *testing.B) {
	cases := []struct{ name, src, let, wrt string }{
		{"regression", "||Y - B*X||_F^2", "Y: q x n; B: q x p; X: p x n", "B"},
		{"logistic", "sum(log(1 + exp(-y .* (X*w))))", "X: m x n; y: m; w: n", "w"},
		{"mlp", "||W2*tanh(W1*X) - Y||_F^2", "W1: h x d; W2: k x h; X: d x n; Y: k x n", "W1"},
		{"deep", "sum(" + strings.Repeat("tanh(W*", 30) + "x" + strings.Repeat(")", 30) + ")", "W: n x n; x: n", "W"},
	}
	for _, c := range cases {
		for _, check := range []bool{false, true} {
			name := c.name
			if check {
				name += "/checked"
			}
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				opts := mdiff.Options{Wrt: []string{c.wrt}, Let: []string{c.let}, NoCheck: !check, Hessian: false}
				for b.Loop() {
					if _, err := mdiff.Derive(c.src, opts); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
