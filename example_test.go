package mdiff_test

import (
	"errors"
	"fmt"
	"os"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/render"
)

// Derive differentiates an expression, checks the answer numerically and
// returns it as trees that render prints in any notation.
func ExampleDerive() {
	res, err := mdiff.Derive("||Y - B*X||_F^2", mdiff.Options{
		Wrt: []string{"B"},
		Let: []string{"Y: q x n; B: q x p; X: p x n"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	d := res.Derivatives[0]
	fmt.Println("gradient:", render.Text(d.Gradient, render.Plain()))
	fmt.Println("ascii:   ", render.ASCII(d.Gradient))
	fmt.Println("shape:   ", d.Gradient.Shape)
	fmt.Println("checked: ", res.Check.OK)
	// Output:
	// gradient: 2·(B·X − Y)·Xᵀ
	// ascii:    2*(B*X - Y)*X'
	// shape:    q×p
	// checked:  true
}

// A matrix-valued f has no gradient: its derivative is the linear map in
// the direction Δ.
func ExampleDerive_matrixValued() {
	res, err := mdiff.Derive("inv(X)", mdiff.Options{Wrt: []string{"X"}, Let: []string{"X: n x n"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	d := res.Derivatives[0]
	fmt.Println(d.Gradient == nil)
	fmt.Println("Δ ↦", render.Text(d.Differential, render.Plain()))
	// Output:
	// true
	// Δ ↦ −X⁻¹·Δ·X⁻¹
}

// The whole answer in one of mdiff's formats, as the command prints it.
func ExampleDerive_render() {
	res, err := mdiff.Derive("||tanh(W*X) - Y||_F^2", mdiff.Options{
		Wrt: []string{"W"}, Let: []string{"W: m x n; X: n x k; Y: m x k"}, NoCheck: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	render.Write(os.Stdout, res, render.FormatASCII, render.TextOptions{})
	// Output:
	// f(W)     = ||tanh(W*X) - Y||_F^2   W in R^{m x n}, X in R^{n x k}, Y in R^{m x k}
	// df       = <Delta, 2*((T1 - Y) .* (1 - T1.^2))*X'> where T1 = tanh(W*X)
	// grad_W f = 2*((T1 - Y) .* (1 - T1.^2))*X' where T1 = tanh(W*X)   in R^{m x n}
}

// CheckCandidate compares a gradient someone derived by hand with finite
// differences. ⟨B, ΩB⟩ has gradient 2ΩB only for a symmetric Ω.
func ExampleCheckCandidate() {
	for _, let := range []string{"Ω: q x q", "Ω: sym q x q"} {
		rep, err := mdiff.CheckCandidate("<B, Ω*B>", mdiff.CheckOptions{Wrt: "B", Let: []string{let}, Candidate: "2*Ω*B"})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%-13s %v\n", let, rep.OK)
	}
	// Output:
	// Ω: q x q      false
	// Ω: sym q x q  true
}

// Errors about an expression are *ast.Error values: the message, the
// place (with a caret in Error()), a Code, and what would fix it — a near
// name (Suggest) or a declaration (Decl) — for a program to word its way.
func ExampleDerive_errors() {
	for _, src := range []string{"inverse(X)", "g(X) + tr(X)"} {
		_, err := mdiff.Derive(src, mdiff.Options{Wrt: []string{"X"}})
		var e *ast.Error
		if errors.As(err, &e) {
			fmt.Printf("code %d, suggest %q, declare %q, at byte %d\n", e.Code, e.Suggest, e.Decl, e.Spans[0].Pos)
			fmt.Println(e)
		}
	}
	// Output:
	// code 1, suggest "inv", declare "", at byte 0
	// unknown function inverse (did you mean inv?)
	//   inverse(X)
	//   ^~~~~~~
	// code 1, suggest "", declare "g: func", at byte 0
	// unknown function g (declare g: func)
	//   g(X) + tr(X)
	//   ^
}
