package parser_test

import (
	"strings"
	"testing"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/parser"
)

// TestParseDecls_newWords: int, diag and pos diag (SPEC §3).
func TestParseDecls_newWords(t *testing.T) {
	for _, tt := range []struct {
		in    string
		shape ast.Shape
		props ast.Props
	}{
		{"k: int", ast.Scalar, ast.Integer},
		{"D: diag n x n", ast.Mat("n", "n"), ast.Diagonal},
		{"D: diag n", ast.Mat("n", "n"), ast.Diagonal},
		{"D: pos diag 3 x 3", ast.Mat("3", "3"), ast.Diagonal | ast.Positive},
	} {
		ds, err := parser.ParseDecls(tt.in)
		if err != nil {
			t.Errorf("ParseDecls(%q): %v", tt.in, err)
			continue
		}
		if d := ds[0]; d.Shape != tt.shape || d.Props != tt.props {
			t.Errorf("ParseDecls(%q) = %v props %b, want %v props %b", tt.in, d.Shape, d.Props, tt.shape, tt.props)
		}
	}
}

// TestParseDecls_suggest: a word mdiff does not know is an error that says
// what it expected and suggests the nearest word, under a caret.
func TestParseDecls_suggest(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"X: real n", "unknown word \"real\" (expected sym, spd, pos, diag, then a shape: n x p, n, scalar, int or func); did you mean \"scalar\"? (a real vector or matrix is declared by its size alone: X: n)\n  X: real n\n     ^~~~"},
		{"X: nxn", "unknown size \"nxn\"; did you mean n x n (with spaces)?\n  X: nxn\n     ^~~"},
		{"X: n x mxp", "unknown size \"mxp\"; did you mean m x p (with spaces)?"},
		{"k: integer", "did you mean \"int\"?\n  k: integer\n     ^~~~~~~"},
		{"S: symmetric n", "did you mean \"sym\"?"},
		{"S: symetric n", "did you mean \"sym\"?"},
		{"P: spdd n", "did you mean \"spd\"?"},
		{"D: diagonal n", "did you mean \"diag\"?"},
		{"D: pos diagnal n", "did you mean \"diag\"?\n  D: pos diagnal n\n         ^~~~~~~"},
		{"g: function", "did you mean \"func\"?"},
		{"t: scalr", "did you mean \"scalar\"?"},
		{"X: matrix", "did you mean \"n x n\"?"},
		{"D: diag n x p", "a diagonal matrix must be square, not n×p"},
		{"k: sym int", "an integer cannot be sym"},
	} {
		_, err := parser.ParseDecls(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseDecls(%q) error = %v, want it to contain %q", tt.in, err, tt.want)
		}
	}
	// Size names stay size names.
	for _, in := range []string{"x: n", "x: nx", "X: m1 x n2", "x: xn", "X: 3x4"} {
		if _, err := parser.ParseDecls(in); err != nil {
			t.Errorf("ParseDecls(%q): %v", in, err)
		}
	}
}
