package render

import (
	"testing"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
)

// printCase is one row of the printer tables: a tree and its three
// notations.
type printCase struct {
	name               string
	n                  *ast.Node
	text, ascii, latex string
}

var printCases = []printCase{
	// leaves and numbers
	{"var", vA, "A", "A", "A"},
	{"int", ast.Int(2), "2", "2", "2"},
	{"negative", ast.Int(-2), "−2", "-2", "-2"},
	{"decimal", num(1, 8), "0.125", "0.125", "0.125"},
	{"fraction", num(1, 3), "1/3", "1/3", `\frac{1}{3}`},
	{"identity", ast.Identity(dn), "I", "I", "I"},
	{"ones", ast.Ones(ast.Mat(dn, dp)), "𝟙", "ones", `\mathbf{1}`},
	{"zero", ast.Zero(ast.Mat(dn, dp)), "0", "0", "0"},
	{"delta", ast.Delta("X", vX.Shape), "Δ", "Delta", `\Delta`},
	// sums
	{"sum", ast.Add(vA, vC, vS), "A + C + S", "A + C + S", "A + C + S"},
	{"difference", ast.Add(vA, neg(vC)), "A − C", "A - C", "A - C"},
	{"sub-scaled", ast.Add(vA, ast.Mul(ast.Int(-2), vC)), "A − 2·C", "A - 2*C", "A - 2 C"},
	{"sub-number", ast.Add(vs, ast.Int(-3)), "s − 3", "s - 3", "s - 3"},
	{"left-assoc", ast.Add(vA, neg(ast.Add(vC, neg(vS)))), "A − (C − S)", "A - (C - S)", `A - \left(C - S\right)`},
	{"nested-sum-right", ast.Add(vA, ast.Add(vC, vS)), "A + (C + S)", "A + (C + S)", `A + \left(C + S\right)`},
	{"leading-minus", ast.Add(neg(vA), vC), "−A + C", "-A + C", "-A + C"},
	// products
	{"product", ast.Mul(ast.Int(2), vB, vX), "2·B·X", "2*B*X", "2 B X"},
	{"regression-gradient", ast.Mul(ast.Int(2), ast.Add(ast.Mul(vB, vX), neg(vY)), tr(vX)), "2·(B·X − Y)·Xᵀ", "2*(B*X - Y)*X'", `2 \left(B X - Y\right) X^{\top}`},
	{"neg-product", ast.Mul(ast.Int(-1), vA, vC), "−A·C", "-A*C", "-A C"},
	{"neg-of-product", neg(ast.Mul(vA, vC)), "−A·C", "-A*C", `-A C`},
	{"neg-of-sum", neg(ast.Add(vA, vC)), "−A − C", "-A - C", `-A - C`}, // the minus distributed: two parentheses fewer
	{"neg-neg", neg(neg(vA)), "−(−A)", "-(-A)", `-\left(-A\right)`},
	{"left-nested-product", ast.Mul(ast.Mul(tr(vx), vA), vx), "xᵀ·A·x", "x'*A*x", `x^{\top} A x`},
	{"right-nested-product", ast.Mul(vA, ast.Mul(vC, vS)), "A·C·S", "A*C*S", `A C S`}, // associative: shareChains nests products
	{"sum-factor", ast.Mul(ast.Add(vA, vC), vx), "(A + C)·x", "(A + C)*x", `\left(A + C\right) x`},
	{"scalar-times-matrix", ast.Mul(vs, vA), "s·A", "s*A", "s A"},
	{"coefficient-first", ast.Mul(vs, ast.Int(3), vA), "3·s·A", "3*s*A", "3 s A"},
	{"digit-after-factor", ast.Mul(ast.Int(2), vs, ast.Int(3), vA), "2·s·3·A", "2*s*3*A", `2 s \cdot 3 A`},
	// divisions
	{"div-scalar", ast.Mul(vA, ast.Pow(vs, ast.Int(-1))), "A / s", "A / s", `\frac{A}{s}`},
	{"div-square", ast.Mul(vx, ast.Pow(vs, ast.Int(-2))), "x / s²", "x / s^2", `\frac{x}{s^{2}}`},
	{"div-two", ast.Mul(vx, ast.Pow(vs, ast.Int(-1)), ast.Pow(vt, ast.Int(-1))), "x / (s·t)", "x / (s*t)", `\frac{x}{s t}`},
	{"half", ast.Mul(num(1, 2), ast.Add(vA, tr(vA))), "(A + Aᵀ) / 2", "(A + A') / 2", `\frac{A + A^{\top}}{2}`},
	{"three-halves", ast.Mul(num(3, 2), vA), "3·A / 2", "3*A / 2", `\frac{3 A}{2}`},
	{"minus-half", ast.Mul(num(-1, 2), vA, ast.Pow(vs, ast.Int(-1))), "−A / (2·s)", "-A / (2*s)", `-\frac{A}{2 s}`},
	{"reciprocal", ast.Pow(vs, ast.Int(-1)), "1 / s", "1 / s", `\frac{1}{s}`},
	{"div-sum-denominator", ast.Mul(vA, ast.Pow(ast.Add(vs, vt), ast.Int(-1))), "A / (s + t)", "A / (s + t)", `\frac{A}{s + t}`},
	{"sub-division", ast.Add(vA, ast.Mul(num(-1, 2), vC)), "A − C / 2", "A - C / 2", `A - \frac{C}{2}`},
	// elementwise
	{"hadamard", ast.Hadamard(vA, vC), "A ⊙ C", "A .* C", `A \odot C`},
	{"hadamard-neg", ast.Hadamard(vA, neg(vC)), "A ⊙ (−C)", "A .* (-C)", `A \odot \left(-C\right)`},
	{"hadamard-of-product", ast.Hadamard(ast.Mul(vA, vC), vS), "(A·C) ⊙ S", "(A*C) .* S", `\left(A C\right) \odot S`},
	{"product-of-hadamard", ast.Mul(ast.Hadamard(vA, vC), vS), "(A ⊙ C)·S", "(A .* C)*S", `\left(A \odot C\right) S`},
	{"hadamard-left-nested", ast.Hadamard(ast.Hadamard(vA, vC), vS), "A ⊙ C ⊙ S", "A .* C .* S", `A \odot C \odot S`},
	{"elementwise-div", ast.Div(vA, ast.Add(vC, vS)), "A ⊘ (C + S)", "A ./ (C + S)", `A \oslash \left(C + S\right)`},
	{"tanh-derivative", ast.Add(ast.Broadcast(ast.Int(1), vA.Shape), neg(pow(builtin.Tanh.Of(vA), 2))), "1 − tanh(A)∘²", "1 - tanh(A).^2", `1 - \tanh\left(A\right)^{\circ 2}`},
	// postfix
	{"transpose", tr(vX), "Xᵀ", "X'", `X^{\top}`},
	{"transpose-sum", tr(ast.Add(vA, vC)), "(A + C)ᵀ", "(A + C)'", `\left(A + C\right)^{\top}`},
	{"transpose-product", tr(ast.Mul(vA, vC)), "(A·C)ᵀ", "(A*C)'", `\left(A C\right)^{\top}`},
	{"transpose-power", tr(pow(vx, 2)), "(x∘²)ᵀ", "(x.^2)'", `\left(x^{\circ 2}\right)^{\top}`},
	{"transpose-neg", tr(neg(vA)), "(−A)ᵀ", "(-A)'", `\left(-A\right)^{\top}`},
	{"inverse", ast.Inverse(vA), "A⁻¹", "inv(A)", `A^{-1}`},
	{"inverse-transpose", tr(ast.Inverse(vA)), "A⁻ᵀ", "inv(A)'", `A^{-\top}`},
	{"transpose-inverse", ast.Inverse(tr(vA)), "A⁻ᵀ", "inv(A')", `A^{-\top}`},
	{"inverse-sum", ast.Inverse(ast.Add(vA, vC)), "(A + C)⁻¹", "inv(A + C)", `\left(A + C\right)^{-1}`},
	{"matpow", ast.MatPow(vA, 3), "A³", "A^3", `A^{3}`},
	{"matpow-transpose", ast.MatPow(tr(vA), 3), "(Aᵀ)³", "(A')^3", `\left(A^{\top}\right)^{3}`},
	{"scalar-square", pow(vs, 2), "s²", "s^2", `s^{2}`},
	{"hadamard-square", pow(vA, 2), "A∘²", "A.^2", `A^{\circ 2}`},
	{"power-fraction", ast.Pow(vA, num(1, 3)), "A∘^(1/3)", "A.^(1/3)", `A^{\circ \frac{1}{3}}`},
	{"power-half", ast.Pow(vs, num(1, 2)), "s^0.5", "s^0.5", `s^{0.5}`},
	{"power-symbolic", ast.Pow(vs, vt), "s^t", "s^t", `s^{t}`},
	{"power-negative-matrix", pow(vA, -1), "1 ⊘ A", "1 ./ A", `1 \oslash A`},
	{"power-of-negative", pow(ast.Int(-2), 2), "(−2)²", "(-2)^2", `\left(-2\right)^{2}`},
	{"neg-power", neg(pow(vA, 2)), "−A∘²", "-A.^2", `-A^{\circ 2}`},
	// calls
	{"trace", builtin.Trace.Of(ast.Mul(vA, vC)), "tr(A·C)", "tr(A*C)", `\operatorname{tr}\left(A C\right)`},
	{"det", builtin.Det.Of(vA), "det(A)", "det(A)", `\det\left(A\right)`},
	{"logdet", builtin.Logdet.Of(vA), "logdet(A)", "logdet(A)", `\log\lvert\det A\rvert`},
	{"logdet-sum", builtin.Logdet.Of(ast.Add(vA, vC)), "logdet(A + C)", "logdet(A + C)", `\log\lvert\det \left(A + C\right)\rvert`},
	{"sum-all", builtin.Sum.Of(vA), "sum(A)", "sum(A)", `\operatorname{sum}\left(A\right)`},
	{"diag-mat", builtin.DiagMat.Of(vx), "diag(x)", "diag(x)", `\operatorname{diag}\left(x\right)`},
	{"diag-vec", builtin.DiagVec.Of(vA), "diag(A)", "diag(A)", `\operatorname{diag}\left(A\right)`},
	{"logsumexp", builtin.Logsumexp.Of(vx), "logsumexp(x)", "logsumexp(x)", `\operatorname{logsumexp}\left(x\right)`},
	{"softmax", builtin.Softmax.Of(vx), "softmax(x)", "softmax(x)", `\operatorname{softmax}\left(x\right)`},
	{"exp", builtin.Exp.Of(vA), "exp(A)", "exp(A)", `\exp\left(A\right)`},
	{"sigmoid", builtin.Sigmoid.Of(vx), "sigmoid(x)", "sigmoid(x)", `\operatorname{sigmoid}\left(x\right)`},
	{"sqrt-scalar", builtin.Sqrt.Of(vs), "sqrt(s)", "sqrt(s)", `\sqrt{s}`},
	{"step", builtin.Step.Of(vx), "step(x)", "step(x)", `\operatorname{step}\left(x\right)`},
	{"generic", ast.Apply("g", 0, vA), "g(A)", "g(A)", `g\left(A\right)`},
	{"generic-prime", ast.Apply("g", 1, vA), "g′(A)", "g'(A)", `g'\left(A\right)`},
	{"generic-second", ast.Apply("g", 2, vA), "g″(A)", "g''(A)", `g''\left(A\right)`},
	{"transpose-call", tr(builtin.Exp.Of(vX)), "exp(X)ᵀ", "exp(X)'", `\exp\left(X\right)^{\top}`},
	// norms and inner products
	{"norm-fro", builtin.Norm.Of(vA), "‖A‖_F", "||A||_F", `\lVert A \rVert_F`},
	{"norm-vec", builtin.Norm.Of(vx), "‖x‖", "||x||", `\lVert x \rVert`},
	{"norm-fro-squared", pow(builtin.Norm.Of(ast.Add(vY, neg(ast.Mul(vB, vX)))), 2), "‖Y − B·X‖²_F", "||Y - B*X||_F^2", `\lVert Y - B X \rVert_F^{2}`},
	{"norm-vec-squared", pow(builtin.Norm.Of(vx), 2), "‖x‖²", "||x||^2", `\lVert x \rVert^{2}`},
	{"norm-half", ast.Pow(builtin.Norm.Of(vx), num(1, 2)), "‖x‖^0.5", "||x||^0.5", `\lVert x \rVert^{0.5}`},
	{"inner", ast.Inner(ast.Delta("Y", vY.Shape), ast.Mul(vB, vX)), "⟨Δ, B·X⟩", "<Delta, B*X>", `\langle \Delta, B X \rangle`},
	{"scaled-inner", ast.Mul(ast.Int(2), ast.Inner(vA, vC)), "2·⟨A, C⟩", "2*<A, C>", `2 \langle A, C \rangle`},
	// broadcasts
	{"broadcast-scalar", ast.Mul(vA, ast.Broadcast(vs, vA.Shape)), "A·(s·𝟙)", "A*(s*ones)", `A \left(s \mathbf{1}\right)`},
	{"broadcast-column", ast.Broadcast(vx, ast.Mat(dn, dp)), "x·𝟙ᵀ", "x*ones'", `x \mathbf{1}^{\top}`},
	{"broadcast-row", ast.Broadcast(tr(vx), ast.Mat(dp, dn)), "𝟙·xᵀ", "ones*x'", `\mathbf{1} x^{\top}`},
	{"broadcast-in-sum", ast.Add(vA, ast.Broadcast(vx, vA.Shape)), "A + x", "A + x", "A + x"},
	{"broadcast-only-in-sum", ast.Add(ast.Broadcast(vs, vA.Shape), ast.Broadcast(vx, vA.Shape)), "s·𝟙 + x·𝟙ᵀ", "s*ones + x*ones'", `s \mathbf{1} + x \mathbf{1}^{\top}`},
	{"broadcast-neg-in-sum", ast.Add(vA, ast.Broadcast(ast.Mul(ast.Int(-2), vs), vA.Shape)), "A − 2·s", "A - 2*s", "A - 2 s"},
	{"broadcast-power-base", pow(ast.Broadcast(vs, vA.Shape), 2), "(s·𝟙)∘²", "(s*ones).^2", `\left(s \mathbf{1}\right)^{\circ 2}`},
	// Kronecker
	{"kron", builtin.Kron.Of(tr(vA), vC), "Aᵀ ⊗ C", "kron(A', C)", `A^{\top} \otimes C`},
	// names
	{"greek", ast.Mul(ast.Var("λ", ast.Scalar, 0), ast.Var("Ω", ast.Mat(dn, dn), 0)), "λ·Ω", "lambda*Omega", `\lambda \Omega`},
	{"indexed", ast.Mul(ast.Var("W2", ast.Mat(dq, dn), 0), ast.Var("x_hat", ast.Vec(dn), 0)), "W2·x_hat", "W2*x_hat", `W_{2} x_{\mathrm{hat}}`},
	{"word", ast.Var("lambda", ast.Scalar, 0), "λ", "lambda", `\lambda`},
	{"long-name", ast.Var("beta1", ast.Scalar, 0), "β1", "beta1", `\beta_{1}`},
	{"multi-letter", ast.Var("Xtr", ast.Mat(dn, dn), 0), "Xtr", "Xtr", `\mathit{Xtr}`},
}

func TestText(t *testing.T) {
	for _, tc := range printCases {
		if got := Text(tc.n, Plain()); got != tc.text {
			t.Errorf("%s: Text(%s) = %q, want %q", tc.name, ast.Dump(tc.n), got, tc.text)
		}
	}
}

func TestASCII(t *testing.T) {
	for _, tc := range printCases {
		if got := ASCII(tc.n); got != tc.ascii {
			t.Errorf("%s: ASCII(%s) = %q, want %q", tc.name, ast.Dump(tc.n), got, tc.ascii)
		}
	}
}

func TestLaTeX(t *testing.T) {
	for _, tc := range printCases {
		if got := LaTeX(tc.n); got != tc.latex {
			t.Errorf("%s: LaTeX(%s) = %q, want %q", tc.name, ast.Dump(tc.n), got, tc.latex)
		}
	}
}
