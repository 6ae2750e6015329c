package ast_test

import (
	"errors"
	"testing"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/parser"
)

// TestSuggest checks the did-you-mean of an unknown function, and that the
// advice to declare it comes only when nothing is close.
func TestSuggest(t *testing.T) {
	tests := []struct{ src, let, suggest, decl string }{
		{"inverse(X)", "", "inv", ""},
		{"transpose(A*B)", "", "A*B'", ""},
		{"nrom(x)", "", "norm", ""},
		{"Tr(X)", "", "tr", ""},
		{"lgodet(X)", "", "logdet", ""},
		{"sigmiod(x)", "", "sigmoid", ""},
		{"expp(x)", "", "exp", ""},
		{"determinant(X)", "", "det", ""},
		{"guass(x)", "gauss: func", "gauss", ""},
		{"g(X)", "", "", "g: func"},
		{"foo(x)", "", "", "foo: func"},
		{"x(y)", "", "", "x: func"},
		{"phi(x)", "", "", "phi: func"},
	}
	for _, tt := range tests {
		var decls []ast.Decl
		if tt.let != "" {
			var err error
			if decls, err = parser.ParseDecls(tt.let); err != nil {
				t.Fatal(err)
			}
		}
		_, err := ast.Check(tt.src, parser.MustParse(tt.src), decls)
		var e *ast.Error
		if !errors.As(err, &e) || e.Code != ast.CodeUnknownFunc {
			t.Errorf("Check(%q) = %v, want an unknown-function error", tt.src, err)
			continue
		}
		if e.Suggest != tt.suggest || e.Decl != tt.decl {
			t.Errorf("Check(%q): Suggest %q, Decl %q; want %q, %q", tt.src, e.Suggest, e.Decl, tt.suggest, tt.decl)
		}
	}
}

func TestNearest(t *testing.T) {
	known := []string{"exp", "log", "logdet", "norm", "tr"}
	for w, want := range map[string]string{
		"nrom": "norm", "NORM": "norm", "lgo": "log", "logdte": "logdet", "xp": "exp",
		"t": "", "x": "", "abc": "", "logsumexp": "", "log": "",
	} {
		if got := ast.Nearest(w, known); got != want {
			t.Errorf("Nearest(%q) = %q, want %q", w, got, want)
		}
	}
}
