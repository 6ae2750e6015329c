package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/render"
)

type diffOptions struct {
	mdiff.Options
	inputOptions
	Format string
	Color  string
	Name   string
}

func newDiffCmd(stdout, stderr io.Writer) *cobra.Command {
	opts := &diffOptions{}
	cmd := &cobra.Command{
		Use:   "diff EXPR --wrt X [--wrt Y] [--let DECL]...",
		Short: "Print the differential and gradient of EXPR, checked numerically",
		Long: `Print f, its differential df (the linear map in the direction Δ) and, for a
scalar f, the gradient with respect to each --wrt variable, each checked
numerically against finite differences before it is printed.

The expression is the argument, or with - (or -f FILE) every non-blank line of
standard input (of FILE) not starting with #, answered in order: a blank line
between answers, one JSON object a line for --format json; a line that fails
is reported as FILE:N with its caret, the others are still answered, and the
exit status is then 1. Code formats (numpy, torch, octave, go) take one expression.` + languageHelp,
		Example: `  mdiff diff '||Y - B*X||_F^2' --wrt B --let 'Y: q x n; B: q x p; X: p x n'
  mdiff diff 'inv(X)' --wrt X --format latex
  mdiff diff 'logdet(P)' --wrt P --let 'P: spd n x n' --hessian
  mdiff diff 'A*X*B' --wrt X --jacobian
  echo 'tr(X)' | mdiff diff - --wrt X --let 'X: n x n'
  mdiff diff -f losses.txt --wrt w --let-file shapes.txt --format ascii`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return diffRun(args, opts, cmd.InOrStdin(), stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.Wrt, "wrt", nil, "variable to differentiate with respect to (repeatable, or X,Y)")
	f.StringArrayVar(&opts.Let, "let", nil, "declarations such as 'X: n x p; S: sym n x n; g: func' (repeatable)")
	f.StringArrayVar(&opts.LetFile, "let-file", nil, "read declarations from FILE, one or more a line, # comments (repeatable)")
	f.StringVarP(&opts.File, "file", "f", "", "read the expressions from FILE, one a line (- for standard input)")
	f.StringVar(&opts.Format, "format", "text", "output format: "+formatList())
	f.StringVar(&opts.Name, "name", "", "module name of --format octave (the classdef, default mdiff_f) and go (the package, default grad)")
	f.BoolVar(&opts.Steps, "steps", false, "show the derivation")
	f.BoolVar(&opts.Hessian, "hessian", false, "add the second derivative (scalar f)")
	f.BoolVar(&opts.Jacobian, "jacobian", false, "add the Jacobian (vector- or matrix-valued f)")
	f.BoolVar(&opts.NoCheck, "no-check", false, "skip the numerical verification")
	f.Uint64Var(&opts.Seed, "seed", 1, "seed of the random inputs of the numerical check")
	f.StringVar(&opts.Color, "color", "auto", "colour: auto, always or never")
	completeValues(cmd, "format", formatNames())
	completeValues(cmd, "color", []string{"auto", "always", "never"})
	return cmd
}

// formatNames lists the names of --format.
func formatNames() []string {
	var names []string
	for _, f := range render.Formats {
		names = append(names, string(f))
	}
	return names
}

func formatList() string { return strings.Join(formatNames(), ", ") }

// isCode reports whether a format is a program (numpy, …): one expression only.
func isCode(f render.Format) bool {
	switch f {
	case render.FormatText, render.FormatASCII, render.FormatLaTeX, render.FormatJSON:
		return false
	}
	return true
}

// diffAnswer is the output of one expression: what goes to standard output
// and standard error, or the error.
type diffAnswer struct {
	out, errOut []byte
	err         error
}

func diffRun(args []string, opts *diffOptions, stdin io.Reader, stdout, stderr io.Writer) error {
	format, err := render.ParseFormat(strings.ToLower(opts.Format))
	if err != nil {
		return &usageError{err}
	}
	if err := render.CheckName(format, opts.Name); err != nil {
		return &usageError{err}
	}
	if strings.TrimSpace(strings.ReplaceAll(strings.Join(opts.Wrt, ""), ",", "")) == "" {
		return &usageError{errors.New("diff needs --wrt VARIABLE")}
	}
	opts.Color = strings.ToLower(opts.Color)
	switch opts.Color {
	case "auto", "always", "never":
	default:
		return &usageError{fmt.Errorf("--color must be auto, always or never, not %q", opts.Color)}
	}
	if opts.Let, err = lets(opts.Let, opts.LetFile); err != nil {
		return err
	}
	srcs, many, err := sources(args, opts.inputOptions, stdin)
	if err != nil {
		return err
	}
	if many && isCode(format) && len(srcs) > 1 {
		return &usageError{fmt.Errorf("--format %s writes one program for one expression; %s holds %d", format, strings.Split(srcs[0].where, ":")[0], len(srcs))}
	}
	th := render.Plain()
	if format == render.FormatText && colourWanted(stdout, opts.Color) {
		th = colourTheme()
	}
	topts := render.TextOptions{Theme: th, Width: terminalWidth(stdout), Name: opts.Name}
	answer := func(s source) diffAnswer {
		var a diffAnswer
		a.out, a.errOut, a.err = diffOne(s.text, opts.Options, format, topts, many)
		return a
	}
	if !many {
		a := answer(srcs[0])
		if a.err != nil {
			stderr.Write(a.errOut) // the notes
			return a.err
		}
		if _, err := stdout.Write(a.out); err != nil {
			return err
		}
		_, err := stderr.Write(a.errOut)
		return err
	}
	failed := false
	first := true
	inOrder(srcs, answer, func(s source, a diffAnswer) {
		if a.err != nil {
			failed = true
			stderr.Write(a.errOut) // the notes
			fmt.Fprintf(stderr, "mdiff: %s: %s\n", s.where, describe(a.err))
			return
		}
		if !first && format != render.FormatJSON {
			fmt.Fprintln(stdout)
		}
		first = false
		stdout.Write(a.out)
		stderr.Write(a.errOut)
	})
	if failed {
		return &exitCodeError{exitError}
	}
	return nil
}

// inOrder computes answer for every source on a bounded pool of workers,
// one per core, and hands the results to emit in the order of srcs, each as
// soon as it and those before it are done.
func inOrder[A any](srcs []source, answer func(source) A, emit func(source, A)) {
	workers := runtime.GOMAXPROCS(0)
	queue := make(chan chan A, 4*workers) // results in input order; bounds the work in flight
	sem := make(chan struct{}, workers)
	go func() {
		for _, s := range srcs {
			ch := make(chan A, 1)
			sem <- struct{}{}
			queue <- ch
			go func() {
				defer func() { <-sem }()
				ch <- answer(s)
			}()
		}
		close(queue)
	}()
	i := 0
	for ch := range queue {
		emit(srcs[i], <-ch)
		i++
	}
}

// diffOne answers one expression: its output, what goes to standard error
// (the check line of the formats whose standard output stays pure), or the
// error. In JSON Lines (line) the JSON document is one line.
func diffOne(src string, opts mdiff.Options, format render.Format, topts render.TextOptions, line bool) (out, errOut []byte, err error) {
	defer func() {
		if r := recover(); r != nil { // a bug in one expression must not stop the others
			err = fmt.Errorf("internal error: %v", r)
		}
	}()
	res, err := mdiff.Derive(src, opts)
	var notes bytes.Buffer // the notes of inference (SPEC §3), before the answer or the error
	if res != nil && res.Program != nil {
		for _, n := range res.Program.Notes {
			fmt.Fprintln(&notes, "note: "+render.NoteText(n))
		}
	}
	var failed *mdiff.CheckFailedError
	var unchecked *mdiff.UncheckedError
	if err != nil && !errors.As(err, &failed) && !errors.As(err, &unchecked) {
		return nil, notes.Bytes(), err
	}
	if failed != nil {
		// A wrong answer is never printed as if it were right.
		return nil, notes.Bytes(), fmt.Errorf("%v\n  the derivative of %s was not printed; please report this expression", failed, src)
	}
	if unchecked != nil {
		// Nor is an answer that could not be checked.
		return nil, notes.Bytes(), fmt.Errorf("%v\n  the derivative of %s was not printed; --no-check prints it unchecked", unchecked, src)
	}
	var buf bytes.Buffer
	if err := render.Write(&buf, res, format, topts); err != nil {
		msg := strings.TrimPrefix(strings.TrimPrefix(err.Error(), "render: "), string(format)+": ")
		return nil, notes.Bytes(), ast.Errorf(src, 0, ast.Pos(len(src)), fmt.Sprintf("cannot write --format %s: %s", format, msg))
	}
	out = buf.Bytes()
	if line && format == render.FormatJSON {
		var c bytes.Buffer
		if err := json.Compact(&c, out); err != nil {
			return nil, nil, err
		}
		out = append(c.Bytes(), '\n')
	}
	errOut = notes.Bytes()
	if !format.ReportsCheck() && res.Check != nil {
		errOut = append(errOut, render.CheckLine(res.Check, render.Plain())+"\n"...)
	}
	return out, errOut, nil
}
