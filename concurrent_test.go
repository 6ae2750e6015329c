package mdiff_test

import (
	"bytes"
	"sync"
	"testing"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/render"
)

// TestConcurrentDerive: the library is safe for concurrent use and its
// answers do not depend on what else the process computes: the same
// expressions derived on many goroutines at once print exactly as they do
// one at a time (run under -race in CI).
func TestConcurrentDerive(t *testing.T) {
	cases := []struct{ src, let, wrt string }{
		{"||Y - B*X||_F^2", "Y: q x n; B: q x p; X: p x n", "B"},
		{"logdet(X) + tr(A*X)", "X: spd n x n; A: n x n", "X"},
		{"sum(log(1 + exp(-y .* (X*w))))", "X: m x n; y: m; w: n", "w"},
		{"x'*A*x", "x: n; A: n x n", "x"},
		{"inv(X)", "X: n x n", "X"},
	}
	answer := func(i int) string {
		c := cases[i%len(cases)]
		res, err := mdiff.Derive(c.src, mdiff.Options{Wrt: []string{c.wrt}, Let: []string{c.let}, Hessian: c.src != "inv(X)"})
		if err != nil {
			t.Error(err)
			return ""
		}
		var buf bytes.Buffer
		if err := render.Write(&buf, res, render.FormatASCII, render.TextOptions{}); err != nil {
			t.Error(err)
		}
		return buf.String()
	}
	want := make([]string, len(cases))
	for i := range cases {
		want[i] = answer(i)
	}
	const n = 40
	got := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i] = answer(i) })
	}
	wg.Wait()
	for i, g := range got {
		if w := want[i%len(cases)]; g != w {
			t.Errorf("%s on a goroutine:\n%s\nalone:\n%s", cases[i%len(cases)].src, g, w)
		}
	}
}
