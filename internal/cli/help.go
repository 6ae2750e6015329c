package cli

import (
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mdiff/mdiff/ast"
)

// functionNames is the list of built-in functions the help shows: the one
// place the CLI takes it from.
func functionNames() []string { return ast.FuncNames() }

// languageHelp ends the long help of diff and check: the expression
// syntax, the functions and the declarations.
var languageHelp = `

Expressions: A + B, A - B, A * B, 2*A, A / t, A .* B, A ./ B, A .^ 2, A', A^T,
inv(A), A^-1, A^2, <A, B>, ||x||, ||X||_F, ||X||_F^2, norm(X, 'fro'), A ⊗ B;
constants: numbers, pi, I, ones, eye, vector(c), matrix(c); Unicode also
(·, ⊙, ᵀ, ⁻¹, ², ‖‖, ⟨⟩, −, π). The direction of a differential (in a --grad
candidate) is Delta (Δ). An expression may end with temporaries:
… where T1 = X*W, T2 = tanh(T1).

Functions:
` + wrapWords(functionNames(), 78, "  ") + `

Declarations (--let, --let-file; several separated by ; or ,):
  X: n x p        matrix with symbolic sizes (× also accepted)
  x: n            column vector
  a: scalar
  S: sym n x n    symmetric matrix
  P: spd n x n    symmetric positive definite
  w: pos n        entrywise positive (also pos scalar, pos n x p)
  g: func         generic differentiable function, applied elementwise (g'(X))
  k: int          integer scalar (a symbolic matrix power X^k, in tr, det, logdet)
  D: diag n x n   diagonal matrix (its gradient is the diagonal part)
An undeclared name gets its shape by inference: upper-case a matrix,
lower-case Latin a column vector, lower-case Greek a scalar.`

// wrapWords joins words with ", " into lines of at most width columns,
// each starting with indent.
func wrapWords(words []string, width int, indent string) string {
	var lines []string
	line := indent
	for i, w := range words {
		item := w
		if i < len(words)-1 {
			item += ","
		}
		if line != indent && len(line)+1+len(item) > width {
			lines = append(lines, line)
			line = indent
		}
		if line != indent {
			line += " "
		}
		line += item
	}
	return strings.Join(append(lines, line), "\n")
}

// version is the module version from the build information: a tag for
// go install …@v1.2.3, "(devel)" for a build from a checkout.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version of mdiff",
		Example: "  mdiff version\n  mdiff --version",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cmd.Println("mdiff " + version())
			return nil
		},
	}
}

// completeValues completes the values of a flag from a fixed list.
func completeValues(cmd *cobra.Command, flag string, values []string) {
	_ = cmd.RegisterFlagCompletionFunc(flag, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	})
}
