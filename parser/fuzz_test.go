package parser_test

import (
	"errors"
	"testing"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/parser"
)

// FuzzParse checks that no input makes Parse or Check panic, hang or return
// an error without a position.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"x'*A*x", "||Y - B*X||_F^2", "tr(A*X*B)", "log(det(X))", "inv(X)",
		"<B, Ω*B>", "x^3", "A⁻ᵀ + A^{-1}", "norm(X, 'fro')^2", "‖x‖₂²",
		"g''(X) .* g'(X)", "softmax(W*x + b)", "logsumexp(x) - x'*y",
		"2.*A ./ (1 + exp(-X))", "A^\\top * 𝟙", "diag(x)*I", "sum(X .^ 2) / t",
		"-x^2 · λ", "A^(p-1)", "tr(A*", "((", "||x||_{F}'", "1e-3 * .5",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := parser.Parse(src)
		if err != nil {
			var aerr *ast.Error
			if !errors.As(err, &aerr) || len(aerr.Spans) == 0 {
				t.Fatalf("Parse(%q): error without position: %v", src, err)
			}
			_ = err.Error()
			return
		}
		if e.Pos() < 0 || e.End() > ast.Pos(len(src)) || e.Pos() >= e.End() {
			t.Fatalf("Parse(%q): root span [%d, %d) out of range", src, e.Pos(), e.End())
		}
		p, err := ast.Check(src, e, nil)
		if err != nil {
			var aerr *ast.Error
			if !errors.As(err, &aerr) || len(aerr.Spans) == 0 {
				t.Fatalf("Check(%q): error without position: %v", src, err)
			}
			_ = err.Error()
			return
		}
		if p.Root == nil {
			t.Fatalf("Check(%q): nil root", src)
		}
		_ = ast.Dump(p.Root)
	})
}
