package cli

import (
	"github.com/fatih/color"

	"github.com/mdiff/mdiff/render"
)

// colourTheme returns a render.Theme with ANSI colours. Colour is always on in the
// returned Theme: each *color.Color has EnableColor called, so fatih/color's
// global NoColor (computed from stdout) never overrides the caller's choice.
// Whether to use it is the caller's decision (flags, NO_COLOR, isatty).
func colourTheme() render.Theme {
	c := func(attrs ...color.Attribute) func(a ...any) string {
		col := color.New(attrs...)
		col.EnableColor()
		return col.SprintFunc()
	}
	return render.Theme{
		Var:   c(color.FgCyan),
		Num:   c(color.FgGreen),
		Op:    c(color.Faint),
		Func:  c(color.FgMagenta),
		Delta: c(color.FgYellow, color.Bold),
		Label: c(color.FgBlue, color.Bold),
		Note:  c(color.Faint),
		Good:  c(color.FgGreen, color.Bold),
		Bad:   c(color.FgRed, color.Bold),
		Caret: c(color.FgRed, color.Bold),
	}
}
