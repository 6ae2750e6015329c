package render

import (
	"fmt"
	"go/token"
	"io"
	"strings"

	"github.com/mdiff/mdiff/ast"
)

// Format names an output format of mdiff diff (--format).
type Format string

// The output formats of SPEC §4.
const (
	FormatText   Format = "text"
	FormatASCII  Format = "ascii"
	FormatLaTeX  Format = "latex"
	FormatNumPy  Format = "numpy"
	FormatTorch  Format = "torch"
	FormatOctave Format = "octave"
	FormatGo     Format = "go"
	FormatJSON   Format = "json"
)

// Formats lists every format, the default first.
var Formats = []Format{FormatText, FormatASCII, FormatLaTeX, FormatNumPy, FormatTorch, FormatOctave, FormatGo, FormatJSON}

// IsCode reports whether f is a code format (numpy, torch, octave, go),
// which takes one expression and a module name ([TextOptions].Name).
func (f Format) IsCode() bool {
	return f == FormatNumPy || f == FormatTorch || f == FormatOctave || f == FormatGo
}

// ParseFormat returns the format named s, or an error listing the valid
// names.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return "", fmt.Errorf("unknown format %q (want %s)", s, strings.Join(names, ", "))
}

// ReportsCheck reports whether the format carries the numerical check
// itself (text, ascii, json); for latex and numpy the caller reports it on
// standard error so that standard output stays pure.
func (f Format) ReportsCheck() bool {
	return f == FormatText || f == FormatASCII || f == FormatJSON
}

// CheckName reports whether name can name the module of format f (--name):
// a MATLAB class name for octave, a Go package name for go; any name for
// the other formats, which ignore it. The empty name is the default.
func CheckName(f Format, name string) error {
	if name == "" {
		return nil
	}
	switch f {
	case FormatOctave:
		if !octaveIdentRE.MatchString(name) || octaveKeywords[name] {
			return fmt.Errorf("--name %q is not a MATLAB class name (a letter, then letters, digits or _)", name)
		}
	case FormatGo:
		if !token.IsIdentifier(name) || name == "_" || name == "main" {
			return fmt.Errorf("--name %q is not a Go package name (an identifier other than main)", name)
		}
	}
	return nil
}

// Write writes r in format f; opt.Theme and opt.Width apply to text and
// ascii, opt.Name to octave (the class) and go (the package).
func Write(w io.Writer, r *ast.Result, f Format, opt TextOptions) error {
	switch f {
	case FormatText, "":
		return WriteText(w, r, opt)
	case FormatASCII:
		return WriteASCII(w, r, opt)
	case FormatLaTeX:
		return WriteLaTeX(w, r)
	case FormatNumPy:
		return WriteNumPy(w, r)
	case FormatTorch:
		return WriteTorch(w, r)
	case FormatOctave:
		return WriteOctave(w, r, opt.Name)
	case FormatGo:
		return WriteGo(w, r, opt.Name)
	case FormatJSON:
		return WriteJSON(w, r)
	}
	return fmt.Errorf("render: unknown format %q", f)
}

// CheckLine returns the check line of the text format without a newline,
// "✓ checked numerically: relative error 2e-11", styled with th; the
// caller prints it on standard error for latex and numpy. It returns ""
// for a nil c.
func CheckLine(c *ast.Verification, th Theme) string {
	if c == nil {
		return ""
	}
	return join((&lineBuilder{nt: notText, th: th}).checkLine(c))
}

// NoteText words a note of inference for a user who declares with --let
// (the command, the web page's declarations field): "… or declare --let
// 'x: scalar'".
func NoteText(n ast.Note) string {
	return n.Format(func(d string) string {
		if n.Lead == "" {
			return "it with --let '" + d + "'"
		}
		return "--let '" + d + "'"
	})
}
