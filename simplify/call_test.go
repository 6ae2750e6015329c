package simplify_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mdiff/mdiff/numeric"
	"github.com/mdiff/mdiff/render"
	"github.com/mdiff/mdiff/simplify"
)

// TestKronVecIdentities checks each identity of ⊗, vec and mean that
// Simplify applies (RULES.md): the left side simplifies to the right side,
// and the two are equal numerically at random inputs. A wrong identity
// fails the numeric comparison; one that does not apply fails the first.
func TestKronVecIdentities(t *testing.T) {
	const let = "A: m x n; B: p x q; C: n x r; D: q x s; S: m x m; T: p x p; X: n x p; M: m x n; E: r x s; Z: n x q; W: m x p"
	tests := []struct{ lhs, want string }{
		{"tr(kron(S, T))", "tr(S)*tr(T)"},                   // tr(A⊗B) = tr(A)·tr(B)
		{"kron(A, B)'", "kron(A', B')"},                     // (A⊗B)ᵀ = Aᵀ⊗Bᵀ
		{"kron(A, B)*kron(C, D)", "kron(A*C, B*D)"},         // (A⊗B)(C⊗D) = (AC)⊗(BD)
		{"inv(kron(S, T))", "kron(inv(S), inv(T))"},         // (A⊗B)⁻¹ = A⁻¹⊗B⁻¹
		{"det(kron(S, T))", "det(S)^p*det(T)^m"},            // det(A⊗B) = det(A)^p·det(B)^m
		{"logdet(kron(S, T))", "p*logdet(S) + m*logdet(T)"}, // log|det(A⊗B)| = p·log|det A| + m·log|det B|
		{"norm(kron(A, B))", "norm(A)*norm(B)"},             // ‖A⊗B‖_F = ‖A‖_F·‖B‖_F
		{"sum(kron(A, B))", "sum(A)*sum(B)"},                // sum(A⊗B) = sum(A)·sum(B)
		{"kron(E', A)*vec(C)", "vec(A*C*E)"},                // (Bᵀ⊗A)·vec(X) = vec(A·X·B)
		{"vec(W)'*kron(B, A)*vec(Z)", "<Z, A'*W*B>"},        // vec(X)ᵀ·(B⊗A)·vec(Y) = tr(Xᵀ·A·Y·Bᵀ)
		{"vec(A)'*vec(M)", "<A, M>"},                        // vec(A)ᵀ·vec(B) = ⟨A, B⟩
		{"sum(vec(A))", "sum(A)"},                           // sum(vec A) = sum(A)
		{"norm(vec(A))", "norm(A)"},                         // ‖vec A‖ = ‖A‖_F
		{"exp(vec(A)) .* vec(M)", "vec(exp(A) .* M)"},       // f(vec A) ⊙ vec(B) = vec(f(A) ⊙ B)
		{"mean(3*A')", "3*mean(A)"},                         // mean(c·Aᵀ) = c·mean(A)
		{"norm1(vec(A))", "norm1(A)"},                       // norm1(vec A) = norm1(A)
	}
	rng := rand.New(rand.NewPCG(3, 5))
	for _, tt := range tests {
		t.Run(tt.lhs, func(t *testing.T) {
			p := program(t, tt.lhs, let)
			got := simplify.Simplify(p.Root)
			want := simplify.Simplify(program(t, tt.want, let).Root)
			if got != want {
				t.Errorf("Simplify(%s) = %s, want %s", tt.lhs, render.ASCII(got), render.ASCII(want))
			}
			env := numeric.RandomEnv(rng, p, nil)
			a, err := numeric.Eval(p.Root, env)
			if err != nil {
				t.Fatal(err)
			}
			b, err := numeric.Eval(got, env)
			if err != nil {
				t.Fatal(err)
			}
			if d := maxRelDiff(a.RawMatrix().Data, b.RawMatrix().Data); d > 1e-10 {
				t.Errorf("%s and %s differ numerically by %g", tt.lhs, render.ASCII(got), d)
			}
		})
	}
}

func maxRelDiff(a, b []float64) float64 {
	num, den := 0.0, 0.0
	for i := range a {
		num = math.Max(num, math.Abs(a[i]-b[i]))
		den = math.Max(den, math.Abs(a[i]))
	}
	return num / math.Max(den, 1e-300)
}
