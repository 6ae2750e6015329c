package ast

import (
	"strings"
	"unicode/utf8"
)

// Span is a half-open byte range [Pos, End) of the source, with an optional label.
type Span struct {
	Pos, End Pos
	Label    string
}

// Error is a user-facing error about an expression or a declaration. Its
// message shows the source with a caret under every span, columns counted in
// runes so Greek letters and ᵀ line up.
type Error struct {
	Src   string // the text the spans point into
	Msg   string
	Spans []Span // at least one for a positioned error; the first is the main place
}

// Errorf returns a positioned error at [pos, end) of src.
func Errorf(src string, pos, end Pos, msg string) *Error {
	return &Error{Src: src, Msg: msg, Spans: []Span{{Pos: pos, End: end}}}
}

// Error renders the message, the source line and carets under each span:
//
//	unknown name Z
//	  A*Z
//	    ^
func (e *Error) Error() string {
	var sb strings.Builder
	sb.WriteString(e.Msg)
	if len(e.Spans) == 0 || strings.ContainsRune(e.Src, '\n') {
		return sb.String()
	}
	sb.WriteString("\n  ")
	sb.WriteString(e.Src)
	sb.WriteString("\n  ")
	marks := []rune(strings.Repeat(" ", utf8.RuneCountInString(e.Src)+1))
	for _, s := range e.Spans {
		p, q := clamp(int(s.Pos), len(e.Src)), clamp(int(s.End), len(e.Src))
		c0 := utf8.RuneCountInString(e.Src[:p])
		c1 := utf8.RuneCountInString(e.Src[:q])
		if c1 <= c0 {
			c1 = c0 + 1
		}
		marks[c0] = '^'
		for c := c0 + 1; c < c1 && c < len(marks); c++ {
			marks[c] = '~'
		}
	}
	sb.WriteString(strings.TrimRight(string(marks), " "))
	for _, s := range e.Spans {
		if s.Label != "" {
			sb.WriteString("\n  ")
			sb.WriteString(s.Label)
		}
	}
	return sb.String()
}

func clamp(i, n int) int {
	if i < 0 {
		return 0
	}
	if i > n {
		return n
	}
	return i
}
