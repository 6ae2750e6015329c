package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/render"
)

type checkOptions struct {
	inputOptions
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
		Long: `Evaluate EXPR on random inputs that respect the declarations and compare the
gradient (mdiff's own, or the --grad candidate) with central finite
differences; print the relative error and exit 0 when they agree, 1 when they
do not.

The candidate is a gradient of the shape of the variable, or a differential in
the direction Delta (Δ): <Delta, G>, or for a matrix-valued f the map
-inv(X)*Delta*inv(X), with or without the head "Delta ->". It may end with
temporaries, "… where T1 = X*W, T2 = tanh(T1)": every line that
mdiff diff --format ascii prints as the gradient or the differential is a
candidate as it stands.

Without --grad, - or -f FILE checks mdiff's own gradient of every expression
of the file, one a line.` + languageHelp,
		Example: `  mdiff check '<B, Ω*B>' --wrt B --grad '2*Ω*B'                       # fails: Ω is not symmetric
  mdiff check '<B, Ω*B>' --wrt B --grad '2*Ω*B' --let 'Ω: sym q x q'   # passes
  mdiff check 'inv(X)' --wrt X --grad '-inv(X)*Delta*inv(X)'
  mdiff check '||tanh(W*X) - Y||_F^2' --wrt W --grad "2*((T1 - Y) .* (1 - T1.^2))*X' where T1 = tanh(W*X)"
  mdiff check -f losses.txt --wrt w --let-file shapes.txt`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return checkRun(args, opts, cmd.InOrStdin(), stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.Wrt, "wrt", nil, "the variable")
	f.StringArrayVar(&opts.Let, "let", nil, "declarations (repeatable)")
	f.StringArrayVar(&opts.LetFile, "let-file", nil, "read declarations from FILE, one or more a line, # comments (repeatable)")
	f.StringVarP(&opts.File, "file", "f", "", "check mdiff's gradient of every expression of FILE, one a line (- for standard input)")
	f.StringVar(&opts.Grad, "grad", "", "candidate gradient (or differential in Delta) to check")
	f.Uint64Var(&opts.Seed, "seed", 1, "seed of the random inputs")
	f.IntVar(&opts.Draws, "draws", 5, "number of random inputs")
	return cmd
}

func checkRun(args []string, opts *checkOptions, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(opts.Wrt) != 1 || strings.Contains(opts.Wrt[0], ",") || strings.TrimSpace(opts.Wrt[0]) == "" {
		return &usageError{errors.New("check needs exactly one --wrt VARIABLE")}
	}
	if opts.Draws < 1 || opts.Draws > 1000 {
		return &usageError{fmt.Errorf("--draws must be between 1 and 1000, not %d", opts.Draws)}
	}
	var err error
	if opts.Let, err = lets(opts.Let, opts.LetFile); err != nil {
		return err
	}
	srcs, many, err := sources(args, opts.inputOptions, stdin)
	if err != nil {
		return err
	}
	if many && opts.Grad != "" {
		return &usageError{errors.New("--grad is a candidate for one expression; with - or -f each expression's own gradient is checked")}
	}
	type outcome struct {
		rep *mdiff.CheckReport
		err error
	}
	check := func(s source) (o outcome) {
		defer func() {
			if r := recover(); r != nil {
				o.err = fmt.Errorf("internal error: %v", r)
			}
		}()
		o.rep, o.err = mdiff.CheckCandidate(s.text, mdiff.CheckOptions{Wrt: opts.Wrt[0], Let: opts.Let, Candidate: opts.Grad, Seed: opts.Seed, Draws: opts.Draws})
		return o
	}
	if !many {
		o := check(srcs[0])
		if o.err != nil {
			return o.err
		}
		printNotes(stderr, "", o.rep.Notes)
		fmt.Fprint(stdout, o.rep.String())
		if !o.rep.OK {
			return &exitCodeError{exitError}
		}
		return nil
	}
	bad := false
	inOrder(srcs, check, func(s source, o outcome) {
		switch {
		case o.err != nil:
			fmt.Fprintf(stderr, "mdiff: %s: %s\n", s.where, describe(o.err))
			bad = true
		default:
			printNotes(stderr, s.where+": ", o.rep.Notes)
			fmt.Fprintf(stdout, "%s: %s", s.where, o.rep.String())
			bad = bad || !o.rep.OK
		}
	})
	if bad {
		return &exitCodeError{exitError}
	}
	return nil
}

// printNotes writes the notes of inference (SPEC §3), one "note:" line
// each, to standard error; with -f each after the place of its line.
func printNotes(w io.Writer, where string, notes []ast.Note) {
	for _, n := range notes {
		fmt.Fprintln(w, where+"note: "+render.NoteText(n))
	}
}
