package mdiff_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/internal/flops"
	"github.com/mdiff/mdiff/render"
)

// flopCase is an expression whose gradient's code is costed against its
// value's.
type flopCase struct{ name, src, let, wrt string }

// goldenFlopCases reads the scalar cases of the goldens (testdata/golden):
// the expression is the first line of the args section, then flag, value
// lines.
func goldenFlopCases(tb testing.TB) []flopCase {
	files, err := filepath.Glob("testdata/golden/*.txtar")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no goldens: %v", err)
	}
	var cases []flopCase
	for _, f := range files {
		ar, err := txtar.ParseFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		for _, file := range ar.Files {
			if file.Name != "args" {
				continue
			}
			lines := strings.Split(strings.TrimSpace(string(file.Data)), "\n")
			c := flopCase{name: strings.TrimSuffix(filepath.Base(f), ".txtar"), src: lines[0]}
			for i := 1; i+1 < len(lines); i += 2 {
				switch lines[i] {
				case "--wrt":
					c.wrt = lines[i+1]
				case "--let":
					c.let = lines[i+1]
				}
			}
			cases = append(cases, c)
		}
	}
	return cases
}

// familyFlopCases are the scaling families of issue 9 at depth L.
func familyFlopCases(L int) []flopCase {
	var mlp, trprod, chainInv strings.Builder
	var lets []string
	inner := "X"
	for i := 1; i < L; i++ {
		inner = fmt.Sprintf("tanh(W%d*%s)", i, inner)
	}
	fmt.Fprintf(&mlp, "||W%d*%s - Y||_F^2", L, inner)
	trprod.WriteString("tr(")
	chainInv.WriteString("tr(")
	for i := 1; i <= L; i++ {
		sep := ""
		if i > 1 {
			sep = "*"
		}
		fmt.Fprintf(&trprod, "%sA%d*X", sep, i)
		fmt.Fprintf(&chainInv, "%sinv(A%d + X)", sep, i)
		lets = append(lets, fmt.Sprintf("A%d: n x n; W%d: n x n", i, i))
	}
	trprod.WriteString(")")
	chainInv.WriteString(")")
	let := strings.Join(append(lets, "X: n x n"), "; ")
	return []flopCase{
		{fmt.Sprintf("mlp/L=%d", L), mlp.String(), strings.Join(append(lets, "X: n x k", "Y: n x k"), "; "), "W1"},
		{fmt.Sprintf("quadpow/L=%d", L), fmt.Sprintf("x'*X^%d*x", L+1), "x: n; X: n x n", "X"},
		{fmt.Sprintf("trprod/L=%d", L), trprod.String(), let, "X"},
		{fmt.Sprintf("chain_inv/L=%d", L), chainInv.String(), let, "X"},
	}
}

// flopRatio derives c and returns the flops of its gradient's code (as the
// code formats print it: temporaries shared, chains shared by
// render.SharedChains) over those of its value's, at sizes 20, 30, 40, … given to
// the size names in sorted order. ok is false for a non-scalar f.
func flopRatio(tb testing.TB, c flopCase) (ratio float64, ok bool) {
	res, err := mdiff.Derive(c.src, mdiff.Options{Wrt: []string{c.wrt}, Let: []string{c.let}, NoCheck: true})
	if err != nil {
		tb.Fatalf("%s: %v", c.src, err)
	}
	var grads []*ast.Node
	for _, d := range render.SharedChains(res).Derivatives {
		if d.Gradient == nil {
			return 0, false
		}
		grads = append(grads, d.Gradient)
	}
	dims := map[ast.Dim]bool{}
	for _, v := range res.Program.Vars {
		dims[v.Shape.Rows], dims[v.Shape.Cols] = true, true
	}
	sizes := flops.Sizes{}
	for i, d := range slices.Sorted(mapsKeys(dims)) {
		sizes[d] = 20 + 10*i
	}
	value, err := flops.Count(sizes, res.F)
	if err != nil {
		tb.Fatal(err)
	}
	grad, err := flops.Count(sizes, grads...)
	if err != nil {
		tb.Fatal(err)
	}
	return grad / value, true
}

func mapsKeys(m map[ast.Dim]bool) func(func(ast.Dim) bool) {
	return func(yield func(ast.Dim) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// maxFlopRatio bounds the cost of a gradient's code by that of its value's:
// reverse mode's bound is a small constant (about three), and mdiff's
// printed gradients keep to it.
const maxFlopRatio = 4

// TestFlopRatio: for every golden case with a gradient and every scaling
// family, the gradient's code costs at most maxFlopRatio times the value's.
func TestFlopRatio(t *testing.T) {
	cases := goldenFlopCases(t)
	for _, L := range []int{1, 2, 8, 64} {
		cases = append(cases, familyFlopCases(L)...)
	}
	for _, c := range cases {
		r, ok := flopRatio(t, c)
		if ok && r > maxFlopRatio {
			t.Errorf("%s: %s: gradient costs %.2f× the value", c.name, c.src, r)
		}
	}
}

// BenchmarkFlopRatio reports the gradient/value flop ratio of each golden
// case and each scaling family (grad/value metric), for the README's table.
func BenchmarkFlopRatio(b *testing.B) {
	cases := goldenFlopCases(b)
	for _, L := range []int{8, 64} {
		cases = append(cases, familyFlopCases(L)...)
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var r float64
			var ok bool
			for b.Loop() {
				r, ok = flopRatio(b, c)
			}
			if !ok {
				b.Skip("not a scalar function")
			}
			b.ReportMetric(r, "grad/value")
		})
	}
}
