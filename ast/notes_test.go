package ast_test

import (
	"strings"
	"testing"
)

// TestCheck_notes: one note per departure from the default shape rule, and
// for a non-scalar f that one vector-by-default name declared scalar would
// make scalar; none where the defaults hold or the declarations say it.
func TestCheck_notes(t *testing.T) {
	tests := []struct{ src, decls, notes string }{
		{"x^2", "", "x is taken as a scalar (x^2 is a power); for an elementwise power write x.^2, or declare --let 'x: scalar'"},
		{"x^2", "x: scalar", ""},
		{"x.^2", "", ""},
		{"tr(X^k)", "", "k is taken as an integer (X^k is a matrix power); declare it with --let 'k: int'"},
		{"tr(X^k)", "k: int", ""},
		{"tr(X^(k - 1))", "", "k is taken as an integer (X^(k - 1) is a matrix power); declare it with --let 'k: int'"},
		{"c*x'*x", "", "f is a column vector (n×1), not a scalar, because c is taken as a column vector; if c is a scalar, declare --let 'c: scalar'"},
		{"c*x'*x", "c: scalar", ""},
		{"x/t", "", "t is taken as a scalar (x/t divides by it); declare it with --let 't: scalar'"},
		{"A*x", "", ""},
		{"x'*A*x", "", ""},
		{"x*x'", "", ""},
		{"softmax(x)", "", ""},
		{"lambda*x + Sigma*x", "", ""},
		{"w'*x + b", "", "b is taken as a scalar (w'*x + b); declare it with --let 'b: scalar'"},
		{"log(1 + exp(-y*(w'*x + b)))", "", "b is taken as a scalar (w'*x + b); declare it with --let 'b: scalar'\n" +
			"f is a column vector (n×1), not a scalar, because y is taken as a column vector; if y is a scalar, declare --let 'y: scalar'"},
		{"log(1 + exp(-y*(w'*x + b)))", "y: scalar; b: scalar", ""},
		{"2*x", "", ""},
		{"x + 1", "", ""},
		{"x + t", "", ""},
		{"t*X + Y", "", "t is taken as a scalar (t*X); declare it with --let 't: scalar'"},
		{"tr(s*X)", "", "s is taken as a scalar (s*X); declare it with --let 's: scalar'"},
		{"A + x", "", "A is taken as a column vector (A + x); declare it with --let 'A: n'"},
		{"X + y'", "", "X is taken as a row vector (X + y'); declare it with --let 'X: 1 x n'"},
	}
	for _, tt := range tests {
		p, err := check(tt.src, tt.decls)
		if err != nil {
			t.Errorf("Check(%q, %q): %v", tt.src, tt.decls, err)
			continue
		}
		var notes []string
		for _, n := range p.Notes {
			// As the mdiff command words it.
			notes = append(notes, n.Format(func(d string) string {
				if n.Lead == "" {
					return "it with --let '" + d + "'"
				}
				return "--let '" + d + "'"
			}))
		}
		if got := strings.Join(notes, "\n"); got != tt.notes {
			t.Errorf("Check(%q, %q) notes:\n%s\nwant:\n%s", tt.src, tt.decls, got, tt.notes)
		}
	}
}
