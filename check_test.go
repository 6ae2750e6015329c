package mdiff_test

import (
	"testing"

	"github.com/mdiff/mdiff"
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
