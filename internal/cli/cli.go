// Package cli is the mdiff command line: cobra commands over the mdiff facade.
// It is the only place that knows about flags, files, colours and exit codes.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"
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
	fmt.Fprintf(stderr, "mdiff: %v\n", err)
	var ue *usageError
	if errors.As(err, &ue) || strings.HasPrefix(err.Error(), "unknown command") {
		return exitUsage
	}
	return exitError
}

// protectExpressions keeps an expression that starts with a minus sign,
// such as -y'*log(p), from being read as a flag: every argument that starts
// with a single "-" but is not a flag of mdiff gets a leading space, which the
// expression parser ignores.
func protectExpressions(root *cobra.Command, args []string) []string {
	known := map[string]bool{"-h": true, "--help": true, "--": true}
	takesValue := map[string]bool{}
	for _, c := range append(root.Commands(), root) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			known["--"+f.Name] = true
			takesValue["--"+f.Name] = f.NoOptDefVal == ""
			if f.Shorthand != "" {
				known["-"+f.Shorthand] = true
			}
		})
	}
	out := make([]string, len(args))
	for i, a := range args {
		name, _, _ := strings.Cut(a, "=")
		isValue := i > 0 && takesValue[args[i-1]] // pflag takes the next argument as the value
		if strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && !known[name] && !isValue {
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
		Use:           "mdiff",
		Short:         "Symbolic matrix calculus: derivatives of matrix expressions, verified numerically",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return &usageError{err} })
	root.AddCommand(newDiffCmd(stdout, stderr), newCheckCmd(stdout, stderr), newServeCmd(stdout, stderr))
	return root
}

// exactlyOneExpr is cobra.ExactArgs(1) as a usage error.
func exactlyOneExpr(cmd *cobra.Command, args []string) error {
	if len(args) != 1 {
		return &usageError{fmt.Errorf("%s takes one expression (quote it), got %d arguments", cmd.Name(), len(args))}
	}
	return nil
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
