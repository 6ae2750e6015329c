// Package numeric is mdiff's ground truth: it evaluates any typed expression
// ([ast.Node]) on concrete matrices with gonum, draws random inputs that
// respect the declarations (symmetric, positive definite, positive), and
// compares symbolic derivatives with finite differences.
//
// Conventions, as in README.md ("Conventions"): vectors are n×1 columns, scalars are 1×1,
// ⟨A, B⟩ = sum(A ⊙ B), and a gradient G of a scalar f satisfies
// df = ⟨Δ, G⟩ for every direction Δ — every symmetric Δ for a variable
// declared symmetric, so that there only the symmetric part (G + Gᵀ)/2
// matters.
//
// Finite differences use the five-point central stencil
//
//	f′ ≈ (−f(2h) + 8f(h) − 8f(−h) + f(−2h)) / (12h),
//
// whose truncation error is O(h⁴) and whose rounding error is O(ε/h); the
// two balance at h ≈ ε^{1/5} ≈ 7·10⁻⁴ relative to the scale of the input,
// which is why the base step is h = 10⁻³·max(1, ‖X‖_max)/‖Δ‖_max. The
// estimates at h and h/2 are combined by Richardson extrapolation and their
// difference serves as an error estimate; when that estimate is too large
// (a kink of abs or relu inside the stencil, a nearly singular matrix) the
// step is shrunk, and failing that the inputs are drawn again.
//
// A check compares only where the comparison means something. Each draw is
// screened first (the matrices inverted or under det/logdet have condition
// number at most MaxCond; powers and exp stay in floating-point range), and
// each compared value carries its rounding uncertainty, estimated from a
// second difference over inputs perturbed by 10⁻⁸ (evalUnc). Both sides
// within their uncertainty of zero compare nothing; a difference beyond the
// tolerance but within the uncertainty is no verdict; both are redrawn.
// Every draw a Report counts was compared, and a check that finds none
// returns an error wrapping ErrNoFiniteDraw — never agreement. SizePlans
// lists the size assignments a caller tries when no input can be compared
// at the default sizes.
package numeric
