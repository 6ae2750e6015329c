package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/mdiff/mdiff"
)

// DiffArgs parses the arguments of `mdiff diff` (those after "diff") with
// the command's own flags, as [Main] does, and returns the expression and the
// options of the pipeline it runs, without running it. Tests that print
// through Main use it to derive the same result and check it numerically.
func DiffArgs(args []string) (expr string, opts mdiff.Options, err error) {
	root := newRootCmd(io.Discard, io.Discard)
	diff, _, err := root.Find([]string{"diff"})
	if err != nil {
		return "", opts, err
	}
	diff.RunE = func(cmd *cobra.Command, a []string) error {
		if len(a) != 1 {
			return fmt.Errorf("DiffArgs takes one expression, got %d arguments", len(a))
		}
		f := cmd.Flags()
		expr = a[0]
		opts.Wrt, _ = f.GetStringArray("wrt")
		opts.Let, _ = f.GetStringArray("let")
		opts.Steps, _ = f.GetBool("steps")
		opts.Hessian, _ = f.GetBool("hessian")
		opts.Jacobian, _ = f.GetBool("jacobian")
		opts.NoCheck, _ = f.GetBool("no-check")
		opts.Seed, _ = f.GetUint64("seed")
		return nil
	}
	root.SetArgs(protectExpressions(root, append([]string{"diff"}, args...)))
	err = root.Execute()
	return expr, opts, err
}
