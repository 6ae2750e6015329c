// Package cli is the mdiff command line: cobra commands over the mdiff facade.
// It is the only place that knows about flags, files, colours and exit codes.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/ast"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // a bad expression, a failed check
	exitUsage = 2 // a bad command line
)

// usageError marks an error in the command line itself.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// Main runs mdiff with args and returns the exit code. It never panics on input.
func Main(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "mdiff: internal error: %v\n", r)
			code = exitError
		}
	}()
	root := newRootCmd(stdout, stderr)
	root.SetArgs(protectExpressions(root, args))
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var exit *exitCodeError
	if errors.As(err, &exit) {
		return exit.code
	}
	fmt.Fprintf(stderr, "mdiff: %s\n", describe(err))
	var ue *usageError
	var ae *ast.Error
	if errors.As(err, &ue) || !errors.As(err, &ae) && strings.HasPrefix(err.Error(), "unknown command") { // cobra's
		return exitUsage
	}
	return exitError
}

// protectExpressions keeps an expression that starts with a minus sign,
// such as -y'*log(p) or --x*y, from being read as a flag: every argument
// that starts with a single "-" but is not a flag of mdiff, or with "--"
// followed by a character no flag name has, gets a leading space, which the
// expression parser ignores.
func protectExpressions(root *cobra.Command, args []string) []string {
	known := map[string]bool{"-h": true, "--help": true, "--": true, "-": true, "-v": true, "--version": true}
	takesValue := map[string]bool{}
	for _, c := range append(root.Commands(), root) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			known["--"+f.Name] = true
			known["-"+f.Name] = true // pflag takes -wrt as a shorthand list: let it report that, not the parser
			takesValue["--"+f.Name] = f.NoOptDefVal == ""
			if f.Shorthand != "" {
				known["-"+f.Shorthand] = true
				takesValue["-"+f.Shorthand] = f.NoOptDefVal == ""
			}
		})
	}
	out := make([]string, len(args))
	for i, a := range args {
		name, _, _ := strings.Cut(a, "=")
		isValue := i > 0 && takesValue[args[i-1]] // pflag takes the next argument as the value
		switch {
		case isValue:
		case strings.HasPrefix(a, "--"):
			if strings.ContainsFunc(name[2:], func(r rune) bool { return !(r == '-' || r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r))) }) {
				a = " " + a // --x*y, --(x)
			}
		case strings.HasPrefix(a, "-") && !known[name]:
			a = " " + a
		}
		out[i] = a
	}
	return out
}

// exitCodeError ends the command with a code after its output was written.
type exitCodeError struct{ code int }

func (e *exitCodeError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "mdiff",
		Short: "Symbolic matrix calculus: derivatives of matrix expressions, verified numerically",
		Long: `mdiff computes derivatives of matrix expressions the way a person does on
paper: perturb X by a direction Δ, keep the part of f(X + Δ) − f(X) linear in
Δ, and rewrite it as ⟨Δ, G⟩ to read off the gradient G. Every answer is
checked numerically against finite differences before it is printed.` + languageHelp,
		Example: `  mdiff diff '||Y - B*X||_F^2' --wrt B --let 'Y: q x n; B: q x p; X: p x n'
  mdiff diff 'inv(X)' --wrt X --format ascii
  mdiff check '<B, Ω*B>' --wrt B --grad '2*Ω*B' --let 'Ω: sym q x q'
  echo 'tr(X)' | mdiff diff - --wrt X --let 'X: n x n'
  mdiff diff --help        # the syntax, the functions and the declarations`,
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("mdiff {{.Version}}\n")
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(flagError)
	root.AddCommand(newDiffCmd(stdout, stderr), newCheckCmd(stdout, stderr), newVersionCmd(), newServeCmd(stdout, stderr))
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Example = "  source <(mdiff completion bash)\n  mdiff completion zsh > \"${fpath[1]}/_mdiff\"\n  mdiff completion fish > ~/.config/fish/completions/mdiff.fish"
		}
	}
	// Flags are forgiving in case: --Hessian is --hessian.
	root.SetGlobalNormalizationFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		return pflag.NormalizedName(strings.ToLower(name))
	})
	return root
}

// flagError makes a flag error a usage error and, for an unknown flag
// close to one of the command's, suggests it: --hesian → --hessian.
func flagError(c *cobra.Command, err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "unknown flag: --"); ok {
		var names []string
		c.Flags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
		c.InheritedFlags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
		if s := ast.Nearest(name, names); s != "" {
			return &usageError{fmt.Errorf("%s (did you mean --%s?)", msg, s)}
		}
	}
	return &usageError{err}
}

// describe words an error for the command line: a declaration the
// expression needs becomes the --let flag that gives it.
func describe(err error) string {
	var ae *ast.Error
	var big *mdiff.TooLargeError
	switch {
	case errors.As(err, &ae) && ae.Suggest == "" && ae.Decl != "" && err == error(ae):
		return fmt.Sprintf("%s (declare it with --let '%s')%s", ae.Msg, ae.Decl, ae.Snippet())
	case errors.As(err, &big):
		return fmt.Sprintf("%s is %v: too large to check numerically; use --no-check, or declare symbolic sizes", big.Name, big.Shape)
	}
	return err.Error()
}

// terminalWidth is the width of w when it is a terminal, else 0 (no wrapping).
func terminalWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok || !isatty.IsTerminal(f.Fd()) {
		return 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return width
}

// colourWanted decides colour once: only on a terminal, never under NO_COLOR or TERM=dumb.
func colourWanted(w io.Writer, mode string) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" { // no-color.org: a non-empty NO_COLOR
		return false
	}
	f, ok := w.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}
