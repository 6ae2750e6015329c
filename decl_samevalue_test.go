package mdiff_test

import (
	"testing"

	"github.com/mdiff/mdiff"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
	"github.com/mdiff/mdiff/numeric"
)

// TestSameValue_int: the guard that f equals its canonical form keeps an
// int an int (k in X^k), so it compares det(X^k) with det(X)^k and tells it
// from det(X)^(k+1) instead of skipping every draw.
func TestSameValue_int(t *testing.T) {
	prog, err := mdiff.Parse("det(X^k)", []string{"X: n x n; k: int"})
	if err != nil {
		t.Fatal(err)
	}
	x, k := prog.Var("X"), prog.Var("k")
	opts := numeric.Options{Seed: 1}
	if rep, err := numeric.SameValue(prog.Root, ast.Pow(builtin.Det.Of(x), k), prog, opts); err != nil || !rep.OK || rep.Draws == 0 {
		t.Errorf("det(X^k) vs det(X)^k: %+v, %v; want agreement on compared draws", rep, err)
	}
	if rep, err := numeric.SameValue(prog.Root, ast.Pow(builtin.Det.Of(x), ast.Add(k, ast.Int(1))), prog, opts); err != nil || rep.OK || rep.RelErr < 1e-3 {
		t.Errorf("det(X^k) vs det(X)^(k+1): %+v, %v; want a difference of O(1)", rep, err)
	}
}
