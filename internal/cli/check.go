package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mdiff/mdiff"
)

type checkOptions struct {
	Wrt   []string
	Let   []string
	Grad  string
	Seed  uint64
	Draws int
}

func newCheckCmd(stdout, stderr io.Writer) *cobra.Command {
	opts := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check EXPR --wrt X [--grad CANDIDATE] [--let DECL]...",
		Short: "Compare a gradient (mdiff's own, or --grad) with finite differences; exit 1 if they disagree",
		Example: `  mdiff check '<B, Ω*B>' --wrt B --grad '2*Ω*B'                       # fails: Ω is not symmetric
  mdiff check '<B, Ω*B>' --wrt B --grad '2*Ω*B' --let 'Ω: sym q x q'   # passes`,
		Args: exactlyOneExpr,
		RunE: func(cmd *cobra.Command, args []string) error {
			return checkRun(args[0], opts, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.Wrt, "wrt", nil, "the variable")
	f.StringArrayVar(&opts.Let, "let", nil, "declarations (repeatable)")
	f.StringVar(&opts.Grad, "grad", "", "candidate gradient (or, for a matrix-valued f, differential in Δ) to check")
	f.Uint64Var(&opts.Seed, "seed", 1, "seed of the random inputs")
	f.IntVar(&opts.Draws, "draws", 5, "number of random inputs")
	return cmd
}

func checkRun(src string, opts *checkOptions, stdout, stderr io.Writer) error {
	if len(opts.Wrt) != 1 || strings.Contains(opts.Wrt[0], ",") || strings.TrimSpace(opts.Wrt[0]) == "" {
		return &usageError{errors.New("check needs exactly one --wrt VARIABLE")}
	}
	if opts.Draws < 1 || opts.Draws > 1000 {
		return &usageError{fmt.Errorf("--draws must be between 1 and 1000, not %d", opts.Draws)}
	}
	rep, err := mdiff.CheckCandidate(src, mdiff.CheckOptions{Wrt: opts.Wrt[0], Let: opts.Let, Candidate: opts.Grad, Seed: opts.Seed, Draws: opts.Draws})
	if err != nil {
		return err
	}
	for _, n := range rep.Notes {
		fmt.Fprintln(stderr, "note: "+n)
	}
	fmt.Fprint(stdout, rep.String())
	if !rep.OK {
		return &exitCodeError{exitError}
	}
	return nil
}
