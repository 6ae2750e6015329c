package cli

import (
	"testing"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/render"
)

// TestColourTheme: the command's colours are on whatever fatih/color's
// global NoColor says (it is computed from stdout, which a test redirects).
func TestColourTheme(t *testing.T) {
	a := ast.Var("A", ast.Mat("n", "n"), 0)
	if got, want := render.Text(a, colourTheme()), "\x1b[36mA\x1b[0m"; got != want {
		t.Errorf("Text(A, colourTheme()) = %q, want %q", got, want)
	}
}
