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

// Code classifies an [Error]. Values are stable: new codes go at the end.
type Code int

const (
	// CodeOther is any error without a code of its own.
	CodeOther Code = iota
	// CodeUnknownFunc: a call of a name that is neither built in nor
	// declared a function. Example: inverse(X), nrom(x), g(X) without g: func.
	CodeUnknownFunc
	// CodeSyntax: the text is not an expression. Example: log det(X).
	CodeSyntax
	// CodeNotDeclaredFunc: a derivative g'(X) of a function that is not a
	// declared generic function. Example: exp'(x).
	CodeNotDeclaredFunc
)

// Error is a user-facing error about an expression or a declaration. Its
// message shows the source with a caret under every span, columns counted in
// runes so Greek letters and ᵀ line up.
//
// Suggest and Decl say how to fix it, in the library's own words; a
// program such as the mdiff command may word them its own way (Decl as a
// --let flag) with [Error.Head] and [Error.Snippet].
type Error struct {
	Src     string // the text the spans point into
	Msg     string
	Spans   []Span // at least one for a positioned error; the first is the main place
	Code    Code
	Suggest string // what the user probably meant, e.g. inv or X' (did you mean …?)
	Decl    string // a declaration that would make the expression valid, e.g. "g: func"
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
	return e.Head() + e.Snippet()
}

// Head is the message with its suggestion: "unknown function inverse (did
// you mean inv?)", "unknown function g (declare g: func)".
func (e *Error) Head() string {
	switch {
	case e.Suggest != "":
		return e.Msg + " (did you mean " + e.Suggest + "?)"
	case e.Decl != "":
		return e.Msg + " (declare " + e.Decl + ")"
	}
	return e.Msg
}

// Snippet is the part of the message after the head: the source line and
// the carets under each span, each on a line of its own starting with a
// newline, then the spans' labels; "" without spans or for a source of
// several lines.
func (e *Error) Snippet() string {
	var sb strings.Builder
	if len(e.Spans) == 0 || strings.ContainsRune(e.Src, '\n') {
		return ""
	}
	runes := utf8.RuneCountInString(e.Src)
	marks := []rune(strings.Repeat(" ", runes+1))
	first := len(marks)
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
		first = min(first, c0)
	}
	// A long expression shows a window of it around the first mark, so
	// that an error in a 1 MB input is a line, not a megabyte.
	lo, hi := 0, len(marks)
	if runes > maxSnippet {
		lo = max(0, first-snippetContext)
		hi = min(len(marks), lo+maxSnippet)
	}
	line, under := runeSlice(e.Src, lo, min(hi, runes)), string(marks[lo:hi])
	if lo > 0 {
		line, under = "…"+line, " "+under
	}
	if hi < runes {
		line += "…"
	}
	sb.WriteString("\n  ")
	sb.WriteString(line)
	sb.WriteString("\n  ")
	sb.WriteString(strings.TrimRight(under, " "))
	for _, s := range e.Spans {
		if s.Label != "" {
			sb.WriteString("\n  ")
			sb.WriteString(s.Label)
		}
	}
	return sb.String()
}

// runeSlice returns the runes [lo, hi) of s as they are in s (an invalid
// byte is one rune and is kept as it is).
func runeSlice(s string, lo, hi int) string {
	i, start, end := 0, 0, len(s)
	for b := range s {
		if i == lo {
			start = b
		}
		if i == hi {
			end = b
			break
		}
		i++
	}
	return s[start:end]
}

// maxSnippet is the longest part of an expression an error shows; longer
// expressions show a window around the error, snippetContext characters
// before it.
const (
	maxSnippet     = 160
	snippetContext = 60
)

func clamp(i, n int) int {
	if i < 0 {
		return 0
	}
	if i > n {
		return n
	}
	return i
}

// shorten returns s if it has at most n runes, and otherwise its first n-1
// runes and "…". It reads no more than n+1 runes of s, so that a message
// about a wide expression costs no more than one about a small one; invalid
// UTF-8 in the part kept becomes U+FFFD, as in a []rune conversion.
func shorten(s string, n int) string {
	cut, count := 0, 0 // cut: the byte offset after n-1 runes
	for i := range s {
		if count == n-1 {
			cut = i
		}
		if count == n {
			return string([]rune(s[:cut])) + "…"
		}
		count++
	}
	return s
}
