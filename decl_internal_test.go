package mdiff

import (
	"testing"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
	"github.com/mdiff/mdiff/numeric"
)

// TestSameValue_int: the guard that f equals its canonical form keeps an
// int an int (k in X^k), so it compares det(X^k) with det(X)^k and tells it
// from det(X)^(k+1) instead of skipping every draw.
func TestSameValue_int(t *testing.T) {
	prog, err := Parse("det(X^k)", []string{"X: n x n; k: int"})
	if err != nil {
		t.Fatal(err)
	}
	x, k := prog.Var("X"), prog.Var("k")
	opts := numeric.Options{Seed: 1}
	if e := sameValue(prog.Root, ast.Pow(builtin.Det.Of(x), k), prog, opts); e > 1e-9 {
		t.Errorf("det(X^k) vs det(X)^k: relative difference %g, want ~0", e)
	}
	if e := sameValue(prog.Root, ast.Pow(builtin.Det.Of(x), ast.Add(k, ast.Int(1))), prog, opts); e < 1e-3 {
		t.Errorf("det(X^k) vs det(X)^(k+1): relative difference %g, want O(1)", e)
	}
}
