package parser_test

import (
	"errors"
	"strings"
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
		checkNoPanic(t, src, e, nil)
		checkNoPanic(t, src, e, fuzzDecls)
	})
}

// fuzzDecls gives the fuzzer's names declared shapes to conflict with.
var fuzzDecls, _ = parser.ParseDecls("X: n x p; A: n x n; S: sym n; x: n; y: p; r: 1 x n; t: pos scalar; g: func")

func checkNoPanic(t *testing.T, src string, e ast.Expr, decls []ast.Decl) {
	p, err := ast.Check(src, e, decls)
	if err != nil {
		var aerr *ast.Error
		if !errors.As(err, &aerr) || len(aerr.Spans) == 0 {
			t.Fatalf("Check(%q): error without position: %v", src, err)
		}
		if msg := err.Error(); strings.Contains(msg, "internal error") {
			t.Fatalf("Check(%q): %s", src, msg)
		}
		return
	}
	if p.Root == nil {
		t.Fatalf("Check(%q): nil root", src)
	}
	_ = ast.Dump(p.Root)
}
