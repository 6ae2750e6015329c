package mdiff_test

import (
	"strings"
	"testing"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/numeric"
	"github.com/mdiff/mdiff/render"
	"github.com/mdiff/mdiff/simplify"
)

// TestShortGradients pins the short forms of issue 8, item 2: the
// gradient a person writes, each proven by mdiff's own numerical check
// (and again by numeric.CheckGradient with another seed).
func TestShortGradients(t *testing.T) {
	tests := []struct{ src, let, wrt, want string }{
		// powers of one matrix merge across inverses and transposes
		{"tr(X^2*inv(X))", "X: n x n", "X", "I"},
		{"det(X^3)", "X: n x n", "X", "3*det(X^3)*inv(X')"},
		// the inverse of a product of square factors splits where a neighbour cancels
		{"det(A*X^2*B)", "A: n x n; X: n x n; B: n x n", "X", "2*det(A*X^2*B)*inv(X')"},
		{"det(A*X*B)", "A: n x n; X: n x n; B: n x n", "X", "det(A*X*B)*inv(X')"},
		{"det(X'*A*X)", "X: n x n; A: n x n", "X", "2*det(X'*A*X)*inv(X')"},
		// diag(γ)·𝟙 = γ, and the column sums 𝟙ᵀ·(A ⊙ B) = diag(Aᵀ·B)ᵀ
		{"x'*diag(γ)*ones", "x: n; γ: n", "x", "gamma"},
		{"sum(diag(M*diag(x)*N))", "M: n x n; N: n x n; x: n", "x", "diag(M'*N')"},
		// diag(a)·b = a ⊙ b; exp(x) / sum(exp(x)) = softmax(x)
		{"x'*diag(x)*x", "x: n", "x", "3*x.^2"},
		{"log(sum(exp(x)))", "x: n", "x", "softmax(x)"},
		// like terms across a division: Q·x/2 + Qᵀ·x/2 = (Q + Qᵀ)·x / 2
		{"0.5*x'*Q*x + c'*x + nu'*(A*x - b)", "x: n; Q: n x n; c: n; nu: m; A: m x n; b: m", "x", "c + A'*nu + (Q + Q')*x / 2"},
		{"det(X)^(1/n)", "X: n x n", "X", "det(X)^(1 / n)*inv(X') / n"},
		// a common denominator: 1/T − S/T² = 1/T² for T = 1 + S
		{"sum(exp(x))/(1 + sum(exp(x)))", "x: n", "x", "exp(x) / (1 + sum(exp(x)))^2"},
		{"a/(1 + b) - a*b/(1 + b)^2", "a: scalar; b: scalar", "b", "-2*a / (1 + b)^3"},
		// a norm or det of 0 is 0: f is constant (the differential of ‖A‖ divides by ‖A‖, a refusal once)
		{"norm(x*(||M - M||_F^2))", "x: n; M: n x n", "x", "0"},
		{"sum(x)*norm1(M - M) + det(M - M)*sum(x) + sum(x)", "x: n; M: n x n", "x", "ones"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			res, err := mdiff.Derive(tt.src, mdiff.Options{Wrt: []string{tt.wrt}, Let: []string{tt.let}})
			if err != nil {
				t.Fatalf("diff %s: %v", tt.src, err)
			}
			g := res.Derivatives[0].Gradient
			if got := render.ASCII(g); got != tt.want {
				t.Errorf("gradient of %s = %s, want %s", tt.src, got, tt.want)
			}
			if res.Check == nil || !res.Check.OK {
				t.Errorf("gradient of %s not checked: %+v", tt.src, res.Check)
			}
			rep, err := numeric.CheckGradient(res.Program.Root, g, res.Program.Var(tt.wrt), res.Program, numeric.Options{Seed: 11})
			if err != nil || !rep.OK {
				t.Errorf("gradient %s of %s: relative error %.3g, %v", render.ASCII(g), tt.src, rep.RelErr, err)
			}
		})
	}
}

// TestShortForms pins canonical forms of expressions (issue 8, item 2),
// each equal in value to what it rewrites.
func TestShortForms(t *testing.T) {
	tests := []struct{ src, let, want string }{
		{"diag(γ)*ones", "γ: n", "gamma"},
		{"ones'*diag(γ)", "γ: n", "gamma'"},
		{"diag(M*diag(x)*N)", "M: n x p; N: p x n; x: p", "(M .* N')*x"},
		{"X^2*inv(X)", "X: n x n", "X"},
		{"inv(X)^3*X^2", "X: n x n", "inv(X)"},
		{"X'*inv(X')^3*X'", "X: n x n", "inv(X')"},
		{"A*inv(B*A)", "A: n x n; B: n x n", "inv(B)"},
		{"inv(A*B)*A", "A: n x n; B: n x n", "inv(B)"},
		{"det(X)^(1/n - 1)*det(X)", "X: n x n", "det(X)^(1 / n)"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			prog, err := mdiff.Parse(tt.src, []string{tt.let})
			if err != nil {
				t.Fatal(err)
			}
			got := simplify.Simplify(prog.Root)
			if s := render.ASCII(got); s != tt.want {
				t.Errorf("Simplify(%s) = %s, want %s", tt.src, s, tt.want)
			}
			rep, err := numeric.SameValue(prog.Root, got, prog, numeric.Options{Seed: 7})
			if err != nil || !rep.OK || rep.Draws == 0 {
				t.Errorf("%s ≠ %s: relative error %.3g over %d draws, %v", tt.src, render.ASCII(got), rep.RelErr, rep.Draws, err)
			}
		})
	}
}

// TestGradientIndependentOfOtherOutputs: a gradient prints the same whether
// or not the Hessian or the Jacobian is asked for too (render.Temps names a
// small node only when one root uses it twice).
func TestGradientIndependentOfOtherOutputs(t *testing.T) {
	tests := []struct{ src, let, wrt string }{
		{"x'*A*x", "x: n; A: n x n", "x"},
		{"-y'*log(sigmoid(X*w)) - (1 - y)'*log(1 - sigmoid(X*w))", "X: n x p; y: n; w: p", "w"},
		{"sum(log(1 + exp(-y .* (X*w))))", "X: m x n; y: m; w: n", "w"},
	}
	for _, tt := range tests {
		var outs []string
		for _, extra := range [][]string{nil, {"--jacobian"}, {"--hessian"}} {
			args := append([]string{"diff", tt.src, "--wrt", tt.wrt, "--let", tt.let, "--format", "ascii"}, extra...)
			out, stderr, code := runMain(args...)
			if code != 0 {
				t.Fatalf("mdiff %v: exit %d\n%s", args, code, stderr)
			}
			for _, line := range strings.Split(out, "\n") {
				if strings.HasPrefix(line, "grad_") {
					outs = append(outs, strings.Join(strings.Fields(line), " "))
				}
			}
		}
		if len(outs) != 3 || outs[0] != outs[1] || outs[0] != outs[2] {
			t.Errorf("%s: the gradient prints differently with other outputs:\n%s", tt.src, strings.Join(outs, "\n"))
		}
	}
}

// TestTransposedTemporary: the transpose of a temporary prints as its name
// transposed, S⁻¹·T₁·T₁ᵀ·S⁻¹ with T₁ = x − m, not S⁻¹·T₁·(xᵀ − mᵀ)·S⁻¹; the
// printed answer passes mdiff's check and, pasted back, check --grad.
func TestTransposedTemporary(t *testing.T) {
	args := []string{"diff", "(x-m)'*inv(S)*(x-m)", "--wrt", "S", "--let", "x: n; m: n; S: spd n x n", "--color", "never"}
	out, stderr, code := runMain(args...)
	if code != 0 {
		t.Fatalf("mdiff %v: exit %d\n%s", args, code, stderr)
	}
	for _, want := range []string{"∇_S f    = −S⁻¹·T₁·T₁ᵀ·S⁻¹", "where T₁ = x − m", "✓ checked numerically"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	ascii, _, _ := runMain(append(args, "--format", "ascii")...)
	var grad string
	for _, line := range strings.Split(ascii, "\n") {
		if g, ok := strings.CutPrefix(line, "grad_S f = "); ok {
			grad, _, _ = strings.Cut(g, "   in R")
		}
	}
	if grad != "-inv(S)*T1*T1'*inv(S) where T1 = x - m" {
		t.Fatalf("ASCII gradient %q", grad)
	}
	if out, stderr, code := runMain("check", "(x-m)'*inv(S)*(x-m)", "--wrt", "S", "--let", "x: n; m: n; S: spd n x n", "--grad", "<Delta, "+strings.Replace(grad, " where ", "> where ", 1)); code != 0 {
		t.Errorf("check --grad %q: exit %d\n%s%s", grad, code, out, stderr)
	}
}

// TestStepsNameTheirRule: each --steps line names the rule of the node it
// differentiates (a constant factor is not the product rule), and the
// canonical rewrite of f that the rules differentiate is a step of its own.
// golden_steps_test checks every step numerically.
func TestStepsNameTheirRule(t *testing.T) {
	out, stderr, code := runMain("diff", "||Y - B*X||_F^2", "--wrt", "B", "--let", "Y: q x n; B: q x p; X: p x n", "--steps", "--color", "never")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, want := range []string{
		"2. ‖Y − B·X‖²_F = ‖−(B·X − Y)‖²_F    [canonical form",
		"d(B·X) = Δ·X    [d(L·A·R) = L·dA·R]",
		"d(−(B·X − Y)) = −Δ·X    [d(−A) = −dA]",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("--steps lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "d(Y − B·X)") {
		t.Errorf("--steps differentiates Y − B·X, which is −(B·X − Y) in the tree:\n%s", out)
	}
}
