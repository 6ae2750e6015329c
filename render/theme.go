package render

import "fmt"

// Theme styles the parts of rendered text. Each field maps a piece of text
// to its styled form; a nil field leaves the text unchanged, so the zero
// Theme is the same as [Plain]. Styles must not change the visible width
// of the text (only add escape sequences): line wrapping counts runes of
// the unstyled text.
type Theme struct {
	Var   func(a ...any) string // variable, size and temporary names
	Num   func(a ...any) string // numbers
	Op    func(a ...any) string // operators: + − · ⊙ ᵀ ⁻¹ = ↦ …
	Func  func(a ...any) string // function names: tr, exp, g′ …
	Delta func(a ...any) string // the direction Δ
	Label func(a ...any) string // the label of the gradient line (∇_X f)
	Note  func(a ...any) string // annotations such as ∈ ℝ^{n×p}
	Good  func(a ...any) string // the ✓ of a passed check
	Bad   func(a ...any) string // a failed check
	Caret func(a ...any) string // the caret under an error (for the CLI)
}

// Plain returns the Theme that leaves every piece of text unchanged. A
// coloured Theme is the caller's (the command builds one with ANSI codes),
// so render, and the WebAssembly engine, need no terminal library.
func Plain() Theme {
	id := fmt.Sprint
	return Theme{Var: id, Num: id, Op: id, Func: id, Delta: id, Label: id, Note: id, Good: id, Bad: id, Caret: id}
}

// style applies f to s, or returns s when f is nil.
func style(f func(a ...any) string, s string) string {
	if f == nil || s == "" {
		return s
	}
	return f(s)
}
