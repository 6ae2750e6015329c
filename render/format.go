package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/mdiff/mdiff/ast"
)

// Format names an output format of mdiff diff (--format).
type Format string

// The output formats of SPEC §4.
const (
	FormatText  Format = "text"
	FormatASCII Format = "ascii"
	FormatLaTeX Format = "latex"
	FormatNumPy Format = "numpy"
	FormatJSON  Format = "json"
)

// Formats lists every format, the default first.
var Formats = []Format{FormatText, FormatASCII, FormatLaTeX, FormatNumPy, FormatJSON}

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

// Write writes r in format f; opt applies to text and ascii only.
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
