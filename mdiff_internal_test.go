package mdiff

import (
	"testing"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/numeric"
)

// TestSameValue checks the guard that lets the numerical check run on the
// canonical form of f: equal forms pass even when one is badly conditioned,
// different ones fail.
func TestSameValue(t *testing.T) {
	prog, err := Parse("inv(X^20)", []string{"X: n x n"})
	if err != nil {
		t.Fatal(err)
	}
	x := prog.Var("X")
	opts := numeric.Options{Seed: 1, Gentle: true}
	if rep, err := numeric.SameValue(prog.Root, ast.MatPow(ast.Inverse(x), 20), prog, opts); err != nil || rep.RelErr > 1e-9 || rep.Draws != numeric.DefaultDraws {
		t.Errorf("inv(X^20) vs inv(X)^20: %v, relative difference %g on %d draws, want ~0 on %d", err, rep.RelErr, rep.Draws, numeric.DefaultDraws)
	}
	if rep, err := numeric.SameValue(prog.Root, ast.MatPow(ast.Inverse(ast.Transpose(x)), 20), prog, opts); err != nil || rep.RelErr < 1e-3 || rep.OK {
		t.Errorf("inv(X^20) vs inv(X')^20: %v, relative difference %g, want O(1)", err, rep.RelErr)
	}
}
