package parser_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mdiff/mdiff/parser"
)

// wide builds n terms with term(i) joined by sep.
func wide(n int, sep string, term func(i int) string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = term(i)
	}
	return strings.Join(parts, sep)
}

// BenchmarkParse measures Parse on small expressions and on the wide inputs
// of the scaling issue: a sum of 10 000 distinct terms, a product of 1 000
// factors and 2 000 distinct names.
func BenchmarkParse(b *testing.B) {
	cases := []struct{ name, src string }{
		{"small", "||Y - B*X||_F^2"},
		{"logistic", "sum(log(1 + exp(-y .* (X*w))))"},
		{"sum_tr", wide(10000, " + ", func(i int) string { return fmt.Sprintf("tr(A%d*X)", i) })},
		{"product", "a'*" + wide(1000, "*", func(i int) string { return fmt.Sprintf("A%d", i) }) + "*b"},
		{"names", "sum(" + wide(2000, " + ", func(i int) string { return fmt.Sprintf("x%d .* x", i) }) + ")"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := parser.Parse(c.src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
