package mdiff_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/ast"
)

// TestCheckCandidateSpellings checks that a candidate may be written as
// mdiff prints it: with a where clause, with Delta (or Δ, \Delta) as the
// direction, as a differential of a scalar f, and after the head
// "Delta ->" of a map; and that a wrong candidate in each form fails.
func TestCheckCandidateSpellings(t *testing.T) {
	tests := []struct {
		expr, let, wrt, good, bad string
	}{
		{"||tanh(W*X) - Y||_F^2", "W: m x n; X: n x k; Y: m x k", "W",
			"2*((T1 - Y) .* (1 - T1 .^ 2))*X' where T1 = tanh(W*X)",
			"2*((T1 - Y) .* (1 - T1))*X' where T1 = tanh(W*X)"},
		{"||tanh(W*X) - Y||_F^2", "W: m x n; X: n x k; Y: m x k", "W",
			"2*((T2 - Y) .* T1)*X' where T2 = tanh(W*X), T1 = 1 - T2.^2",
			"2*((T2 - Y) .* T1)*X' where T2 = tanh(W*X), T1 = 1 + T2.^2"},
		{"logdet(X)", "X: n x n", "X", "<Delta, inv(X')>", "<Delta, inv(X)>"},
		{"logdet(X)", "X: n x n", "X", "<Δ, inv(X')>", "<Δ, X>"},
		{"inv(X)", "X: n x n", "X", "-inv(X)*Delta*inv(X)", "-inv(X)*Delta'*inv(X)"},
		{"inv(X)", "X: n x n", "X", "Delta -> -inv(X)*Delta*inv(X)", "Delta -> -inv(X)*inv(X)*Delta"},
		{"inv(X)", "X: n x n", "X", `Δ ↦ -inv(X)*\Delta*inv(X)`, `Δ ↦ inv(X)*\Delta*inv(X)`},
		{"A*X*B", "A: m x n; X: n x p; B: p x q", "X", "A*Delta*B", "A*Delta*B + A*Delta*B"},
	}
	for _, tt := range tests {
		for _, c := range []struct {
			cand string
			ok   bool
		}{{tt.good, true}, {tt.bad, false}} {
			rep, err := mdiff.CheckCandidate(tt.expr, mdiff.CheckOptions{Wrt: tt.wrt, Let: []string{tt.let}, Candidate: c.cand, Seed: 3, Draws: 3})
			if err != nil {
				t.Errorf("check %q --grad %q: %v", tt.expr, c.cand, err)
				continue
			}
			if rep.OK != c.ok {
				t.Errorf("check %q --grad %q: OK = %v, want %v (%s)", tt.expr, c.cand, rep.OK, c.ok, rep)
			}
		}
	}
}

// TestMisspelledDecl checks the note for a declaration that f does not use
// while a name of f is close to it, and that an unused declaration with
// nothing close (one file of declarations for many expressions) is quiet.
func TestMisspelledDecl(t *testing.T) {
	tests := []struct{ src, let, note string }{
		{"<B, Omega*B>", "Omgea: sym n x n", "Omgea is declared but f does not use it: did you mean Omega, which is undeclared (m×m)?"},
		{"x'*Sigma*x", "x: n; Sgima: spd n x n", "Sgima is declared but f does not use it: did you mean Sigma, which is undeclared (n×n)?"},
		{"tr(X)", "X: n x n; Y: n x n", ""},
		{"tr(A*X)", "A: n x n; Z: n x n", ""},
	}
	for _, tt := range tests {
		prog, err := mdiff.Parse(tt.src, []string{tt.let})
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.src, err)
			continue
		}
		got := ""
		for _, n := range prog.Notes {
			if strings.Contains(n.String(), "is declared but") {
				got = n.String()
			}
		}
		if got != tt.note {
			t.Errorf("Parse(%q, %q): note %q, want %q", tt.src, tt.let, got, tt.note)
		}
	}
}

// TestLibraryErrorsAreTyped: the facade's errors carry no command-line
// wording; a program words them from their fields.
func TestLibraryErrorsAreTyped(t *testing.T) {
	_, err := mdiff.Derive("tr(X)", mdiff.Options{Wrt: []string{"X"}, Let: []string{"X: 2000 x 2000"}})
	var big *mdiff.TooLargeError
	if !errors.As(err, &big) || big.Name != "X" || strings.Contains(err.Error(), "--") {
		t.Errorf("Derive of a 2000×2000 X: %v, want a *TooLargeError without flags", err)
	}
	for _, src := range []string{"g(X)", "inverse(X)", "exp'(X)", "tr(X^t)"} {
		_, err := mdiff.Derive(src, mdiff.Options{Wrt: []string{"X"}, Let: []string{"t: scalar"}})
		var e *ast.Error
		if !errors.As(err, &e) || strings.Contains(err.Error(), "--") {
			t.Errorf("Derive(%q): %v, want an *ast.Error without flags", src, err)
		}
	}
	prog, err := mdiff.Parse("tr(X^k) + c*x'*x", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(prog.Notes) < 2 {
		t.Errorf("notes %v: want one for k and one for c", prog.Notes)
	}
	for _, n := range prog.Notes {
		if n.Decl == "" || strings.Contains(n.String(), "--") {
			t.Errorf("note %q: want a declaration, and no flags", n)
		}
	}
}
