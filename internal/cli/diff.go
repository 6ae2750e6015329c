package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/render"
)

type diffOptions struct {
	mdiff.Options
	Format string
	Color  string
	Name   string
}

func newDiffCmd(stdout, stderr io.Writer) *cobra.Command {
	opts := &diffOptions{}
	cmd := &cobra.Command{
		Use:   "diff EXPR --wrt X [--wrt Y] [--let DECL]...",
		Short: "Print the differential and gradient of EXPR, checked numerically",
		Example: `  mdiff diff '||Y - B*X||_F^2' --wrt B --let 'Y: q x n; B: q x p; X: p x n'
  mdiff diff 'inv(X)' --wrt X --format latex`,
		Args: exactlyOneExpr,
		RunE: func(cmd *cobra.Command, args []string) error {
			return diffRun(args[0], opts, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.Wrt, "wrt", nil, "variable to differentiate with respect to (repeatable, or X,Y)")
	f.StringArrayVar(&opts.Let, "let", nil, "declarations such as 'X: n x p; S: sym n x n; g: func' (repeatable)")
	f.StringVar(&opts.Format, "format", "text", "output format: text, ascii, latex, json, or code: numpy, torch, octave, go")
	f.StringVar(&opts.Name, "name", "", "module name of --format octave (the classdef, default mdiff_f) and go (the package, default grad)")
	f.BoolVar(&opts.Steps, "steps", false, "show the derivation")
	f.BoolVar(&opts.Hessian, "hessian", false, "add the second derivative (scalar f)")
	f.BoolVar(&opts.Jacobian, "jacobian", false, "add the Jacobian (vector- or matrix-valued f)")
	f.BoolVar(&opts.NoCheck, "no-check", false, "skip the numerical verification")
	f.Uint64Var(&opts.Seed, "seed", 1, "seed of the random inputs of the numerical check")
	f.StringVar(&opts.Color, "color", "auto", "colour: auto, always or never")
	return cmd
}

func diffRun(src string, opts *diffOptions, stdout, stderr io.Writer) error {
	format, err := render.ParseFormat(opts.Format)
	if err != nil {
		return &usageError{err}
	}
	if err := render.CheckName(format, opts.Name); err != nil {
		return &usageError{err}
	}
	if strings.TrimSpace(strings.ReplaceAll(strings.Join(opts.Wrt, ""), ",", "")) == "" {
		return &usageError{errors.New("diff needs --wrt VARIABLE")}
	}
	switch opts.Color {
	case "auto", "always", "never":
	default:
		return &usageError{fmt.Errorf("--color must be auto, always or never, not %q", opts.Color)}
	}
	res, err := mdiff.Derive(src, opts.Options)
	var failed *mdiff.CheckFailedError
	if err != nil && !errors.As(err, &failed) {
		return err
	}
	if failed != nil {
		// A wrong answer is never printed as if it were right.
		return fmt.Errorf("%v\n  the derivative of %s was not printed; please report this expression", failed, src)
	}
	th := render.Plain()
	if format == render.FormatText && colourWanted(stdout, opts.Color) {
		th = render.Colour()
	}
	var out bytes.Buffer
	if err := render.Write(&out, res, format, render.TextOptions{Theme: th, Width: terminalWidth(stdout), Name: opts.Name}); err != nil {
		msg := strings.TrimPrefix(strings.TrimPrefix(err.Error(), "render: "), string(format)+": ")
		return ast.Errorf(src, 0, ast.Pos(len(src)), fmt.Sprintf("cannot write --format %s: %s", format, msg))
	}
	if _, err := stdout.Write(out.Bytes()); err != nil {
		return err
	}
	if !format.ReportsCheck() && res.Check != nil {
		fmt.Fprintln(stderr, render.CheckLine(res.Check, render.Plain()))
	}
	return nil
}
