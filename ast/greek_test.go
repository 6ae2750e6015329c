package ast_test

import (
	"testing"

	"github.com/mdiff/mdiff/ast"
)

// TestCheck_greekNames: a Greek letter spelled out follows the default
// shape rule of the letter (SPEC §3): lower case a scalar, upper case a
// matrix; other words starting with those letters are Latin names.
func TestCheck_greekNames(t *testing.T) {
	tests := []struct{ src, vars string }{
		{"lambda*x", "lambda:scalar x:n"},
		{"alpha*x + beta*y", "alpha:scalar x:n beta:scalar y:n"},
		{"sigma2*x + mu_0*x", "sigma2:scalar x:n mu_0:scalar"},
		{"Sigma*x", "Sigma:n×m x:m"},
		{"x'*Omega*x", "x:n Omega:n×n"},
		{"alphabet*x", "alphabet:n x:scalar"}, // not a Greek name
		{"theta'*x", "theta:scalar x:n"},
		// A column by default times a matrix by default: the column is the scalar.
		{"t*X + Y", "t:scalar X:n×m Y:n×m"},
		{"c*x'", "c:n x:m"}, // an outer product with a row
		{"c*x'*x", "c:n x:m"},
		{"x*a", "x:n a:scalar"},
	}
	for _, tt := range tests {
		p, err := check(tt.src, "")
		if err != nil {
			t.Errorf("Check(%q): %v", tt.src, err)
			continue
		}
		if got := varList(p); got != tt.vars {
			t.Errorf("Check(%q) vars = %q, want %q", tt.src, got, tt.vars)
		}
	}
}

func TestGreekBase(t *testing.T) {
	tests := []struct {
		name, letter, rest string
		ok                 bool
	}{
		{"lambda", "λ", "", true}, {"Sigma", "Σ", "", true}, {"sigma2", "σ", "2", true},
		{"mu_x", "μ", "_x", true}, {"Delta", "", "", false}, {"pi", "", "", false},
		{"alphas", "", "", false}, {"x", "", "", false},
	}
	for _, tt := range tests {
		g, rest, ok := ast.GreekBase(tt.name)
		letter := ""
		if ok {
			letter = string(g)
		}
		if letter != tt.letter || rest != tt.rest || ok != tt.ok {
			t.Errorf("GreekBase(%q) = %q, %q, %v, want %q, %q, %v", tt.name, letter, rest, ok, tt.letter, tt.rest, tt.ok)
		}
	}
	if len(ast.GreekNames) != 2*24-2 {
		t.Errorf("GreekNames has %d names, want 46 (24 letters in two cases, Delta and pi aside)", len(ast.GreekNames))
	}
}
