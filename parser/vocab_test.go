package parser_test

import (
	"strings"
	"testing"

	"github.com/mdiff/mdiff/ast"
)

// TestVocabularySpellings: the words of the operation table and their
// other spellings mean the same tree; ⊗ binds like * (left to right).
func TestVocabularySpellings(t *testing.T) {
	const decls = "A: m x n; B: p x q; C: q x r; x: n; S: n x n"
	tests := []struct{ a, b string }{
		{"A ⊗ B", "kron(A, B)"},
		{"A ⊗ B * kron(x, C)", "kron(A, B) * kron(x, C)"},
		{"A' * A ⊗ B", "kron(A' * A, B)"},
		{"A ⊗ B ⊗ S", "kron(kron(A, B), S)"},
		{"sum(asin(x))", "sum(arcsin(x))"},
		{"sum(acos(x))", "sum(arccos(x))"},
		{"sum(atan(x))", "sum(arctan(x))"},
		{"norm2(x)", "norm(x)"},
		{"norm2(A)", "||A||_F"},
		{"trace(S)", "tr(S)"},
		{"π*x", "pi*x"},
		{"x'*eye*x", "x'*I*x"},
		{"vector(1)'*x", "ones'*x"},
		{"sum(A .* matrix(2))", "sum(A .* (2*ones))"},
	}
	for _, tt := range tests {
		pa, err := typed(tt.a, decls)
		if err != nil {
			t.Errorf("%s: %v", tt.a, err)
			continue
		}
		pb, err := typed(tt.b, decls)
		if err != nil {
			t.Errorf("%s: %v", tt.b, err)
			continue
		}
		if pa.Root != pb.Root {
			t.Errorf("%s = %s, want %s (as %s)", tt.a, ast.Dump(pa.Root), ast.Dump(pb.Root), tt.b)
		}
	}
}

// TestVocabularyErrors: misuses of the new words are errors that say why.
func TestVocabularyErrors(t *testing.T) {
	tests := []struct{ src, decls, want string }{
		{"pi(x)", "", "pi is a constant, not a function"},
		{"pi*x", "pi: scalar", "pi is the constant π; it cannot be declared"},
		{"mean(x)", "mean: n", "mean is a built-in function; it cannot be declared"},
		{"kron(A)", "A: n x n", "kron takes 2 arguments, got 1"},
		{"vector(x)", "x: n", "vector(c) fills every entry with the scalar c, but x is n×1"},
		{"tr(kron(A, B))", "A: m x n; B: p x q", "tr needs a square matrix"},
		{"vec(A)'*vec(B)", "A: m x n; B: p x q", "shape mismatch"},
	}
	for _, tt := range tests {
		_, err := typed(tt.src, tt.decls)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.src, err, tt.want)
		}
	}
}
