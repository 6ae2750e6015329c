package mdiff_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/numeric"
	"github.com/mdiff/mdiff/render"
)

// scaling is one expression of a family, built at depth or width L.
type scaling struct {
	name, src, let, wrt string
}

// deepFamilies are the four families of expression swell: a deep network,
// a high matrix power, a long trace of a product and a chain of inverses.
func deepFamily(family string, L int) scaling {
	var b strings.Builder
	var lets []string
	switch family {
	case "mlp": // ||WL*tanh(W{L-1}*…tanh(W1*X)…) - Y||_F^2 wrt W1
		inner := "X"
		for i := 1; i < L; i++ {
			inner = fmt.Sprintf("tanh(W%d*%s)", i, inner)
			lets = append(lets, fmt.Sprintf("W%d: n x n", i))
		}
		fmt.Fprintf(&b, "||W%d*%s - Y||_F^2", L, inner)
		lets = append(lets, fmt.Sprintf("W%d: n x n", L), "X: n x k", "Y: n x k")
		return scaling{family, b.String(), strings.Join(lets, "; "), "W1"}
	case "quadpow": // x'*X^L*x wrt X
		return scaling{family, fmt.Sprintf("x'*X^%d*x", L+1), "x: n; X: n x n", "X"}
	case "trprod": // tr(A1*X*A2*X*…*AL*X) wrt X
		b.WriteString("tr(")
		for i := 1; i <= L; i++ {
			if i > 1 {
				b.WriteString("*")
			}
			fmt.Fprintf(&b, "A%d*X", i)
			lets = append(lets, fmt.Sprintf("A%d: n x n", i))
		}
		b.WriteString(")")
		return scaling{family, b.String(), strings.Join(append(lets, "X: n x n"), "; "), "X"}
	case "chain_inv": // tr(inv(A1 + X)*…*inv(AL + X)) wrt X
		b.WriteString("tr(")
		for i := 1; i <= L; i++ {
			if i > 1 {
				b.WriteString("*")
			}
			fmt.Fprintf(&b, "inv(A%d + X)", i)
			lets = append(lets, fmt.Sprintf("A%d: n x n", i))
		}
		b.WriteString(")")
		return scaling{family, b.String(), strings.Join(append(lets, "X: n x n"), "; "), "X"}
	}
	panic("unknown family " + family)
}

// wideCase is one of the wide expressions: many terms, factors or names.
func wideCase(kind string, n int) scaling {
	var parts []string
	switch kind {
	case "sum_tr": // tr(A1*X) + … + tr(An*X)
		for i := range n {
			parts = append(parts, fmt.Sprintf("tr(A%d*X)", i))
		}
		return scaling{kind, strings.Join(parts, " + "), "X: n x n", "X"}
	case "names": // sum(x0 .* x + … + x{n-1} .* x)
		for i := range n {
			parts = append(parts, fmt.Sprintf("x%d .* x", i))
		}
		return scaling{kind, "sum(" + strings.Join(parts, " + ") + ")", "x: n", "x"}
	case "vector_names": // A*x0 + … + A*x{n-1} wrt x0: a vector f of n names
		for i := range n {
			parts = append(parts, fmt.Sprintf("A*x%d", i))
		}
		return scaling{kind, strings.Join(parts, " + "), "A: n x n", "x0"}
	case "product": // a'*A1*A2*…*An*b wrt a
		for i := range n {
			parts = append(parts, fmt.Sprintf("A%d", i))
		}
		return scaling{kind, "a'*" + strings.Join(parts, "*") + "*b", "a: n; b: n", "a"}
	}
	panic("unknown wide case " + kind)
}

// answerSize is the size of an answer as the issue measures it: the length
// of every ASCII text of its JSON form, temporaries included.
func answerSize(tb testing.TB, res *ast.Result) int {
	tb.Helper()
	var buf bytes.Buffer
	if err := render.WriteJSON(&buf, res); err != nil {
		tb.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		tb.Fatal(err)
	}
	size := 0
	var walk func(v any, key string)
	walk = func(v any, key string) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(x, k)
			}
		case []any:
			for _, x := range v {
				walk(x, key)
			}
		case string:
			if key == "ascii" {
				size += len(v)
			}
		}
	}
	walk(doc, "")
	return size
}

// deriveChecked runs the pipeline as `mdiff diff` does: derive, then verify.
func deriveChecked(tb testing.TB, c scaling) *ast.Result {
	res, err := mdiff.Derive(c.src, mdiff.Options{Wrt: []string{c.wrt}, Let: []string{c.let}})
	if err != nil {
		tb.Fatalf("%s: %v", c.src, err)
	}
	return res
}

// BenchmarkDeep reports, for each family and depth L, the time of the whole
// pipeline with its numerical check and the answer size (ascii-bytes).
func BenchmarkDeep(b *testing.B) {
	for _, family := range []string{"mlp", "quadpow", "trprod", "chain_inv"} {
		for _, L := range []int{1, 2, 4, 8, 16, 32, 64, 256} {
			if L == 256 && family != "mlp" {
				continue
			}
			c := deepFamily(family, L)
			b.Run(fmt.Sprintf("%s/L=%d", family, L), func(b *testing.B) {
				b.ReportAllocs()
				var res *ast.Result
				for b.Loop() {
					res = deriveChecked(b, c)
				}
				b.ReportMetric(float64(answerSize(b, res)), "ascii-bytes")
			})
		}
	}
}

// BenchmarkRenderDeep reports the time of printing the answer of each deep
// family at L = 8 and 64, as the terminal shows it (text) and as JSON (text,
// ASCII and LaTeX of every form): the part of a run that BenchmarkDeep
// leaves out.
func BenchmarkRenderDeep(b *testing.B) {
	for _, family := range []string{"mlp", "quadpow", "trprod", "chain_inv"} {
		for _, L := range []int{8, 64} {
			res := deriveChecked(b, deepFamily(family, L))
			for _, f := range []render.Format{render.FormatText, render.FormatJSON} {
				b.Run(fmt.Sprintf("%s/L=%d/%s", family, L, f), func(b *testing.B) {
					b.ReportAllocs()
					var buf bytes.Buffer
					for b.Loop() {
						buf.Reset()
						if err := render.Write(&buf, res, f, render.TextOptions{}); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(buf.Len()), "out-bytes")
				})
			}
		}
	}
}

// BenchmarkWide reports the time of wide expressions: many distinct terms,
// factors and names.
func BenchmarkWide(b *testing.B) {
	for _, c := range []scaling{wideCase("sum_tr", 10000), wideCase("product", 1000), wideCase("names", 2000), wideCase("vector_names", 2000)} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var res *ast.Result
			for b.Loop() {
				res = deriveChecked(b, c)
			}
			b.ReportMetric(float64(answerSize(b, res)), "ascii-bytes")
		})
	}
}

// BenchmarkParseWide reports the time of mdiff.Parse (syntax and shapes)
// on the wide expressions of BenchmarkWide.
func BenchmarkParseWide(b *testing.B) {
	for _, c := range []scaling{wideCase("sum_tr", 10000), wideCase("product", 1000), wideCase("names", 2000), wideCase("vector_names", 2000)} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := mdiff.Parse(c.src, []string{c.let}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestDeepCheckCompares: the gradient of a deep tanh network wrt its first
// layer vanishes at random N(0, 1) weights, so draws there compare two
// zeros; the check then draws near-identity weights, where it does not
// vanish, and so tells a wrong gradient (twice the right one) from the
// right one.
func TestDeepCheckCompares(t *testing.T) {
	c := deepFamily("mlp", 128)
	res, err := mdiff.Derive(c.src, mdiff.Options{Wrt: []string{c.wrt}, Let: []string{c.let}, NoCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	d := res.Derivatives[0]
	for seed := uint64(1); seed <= 3; seed++ {
		rep, err := numeric.CheckGradient(res.F, d.Gradient, d.Wrt, res.Program, numeric.Options{Seed: seed})
		if err != nil || !rep.OK || rep.Draws < 3 {
			t.Errorf("seed %d: the right gradient: %+v, %v", seed, rep, err)
		}
		bad, err := numeric.CheckGradient(res.F, ast.Mul(ast.Int(2), d.Gradient), d.Wrt, res.Program, numeric.Options{Seed: seed})
		if err != nil || bad.OK {
			t.Errorf("seed %d: twice the gradient passed: %+v, %v", seed, bad, err)
		}
	}
}
