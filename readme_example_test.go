package mdiff_test

import (
	"fmt"
	"log"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/render"
)

// Example_readme is the Go program of README.md ("Using mdiff from Go"); the
// README test checks that the two agree.
func Example_readme() {
	res, err := mdiff.Derive("x'*A*x", mdiff.Options{Wrt: []string{"x"}, Let: []string{"x: n; A: n x n"}})
	if err != nil {
		log.Fatal(err) // a bad expression: the message shows it with a caret
	}
	grad := res.Derivatives[0].Gradient
	fmt.Println(render.Text(grad, render.Plain())) // Unicode
	fmt.Println(render.ASCII(grad))                // the input syntax, which parses back
	fmt.Println(res.Check.OK)                      // checked against finite differences
	// Output:
	// (A + Aᵀ)·x
	// (A + A')*x
	// true
}
