package ast

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestSnippetWindow: an error in a long expression shows a window around
// the caret, marked with … where it is cut, not the whole expression.
func TestSnippetWindow(t *testing.T) {
	src := strings.Repeat("x + ", 50000) + "@ + " + strings.Repeat("y + ", 50000) + "z"
	at := Pos(strings.Index(src, "@"))
	msg := Errorf(src, at, at+1, "unknown character").Error()
	lines := strings.Split(msg, "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines:\n%s", len(lines), msg)
	}
	line, marks := lines[1], lines[2]
	if n := utf8.RuneCountInString(line); n > maxSnippet+4 || !strings.HasPrefix(line, "  …") || !strings.HasSuffix(line, "…") {
		t.Errorf("the source line is %d characters: %q", n, line)
	}
	col := strings.IndexRune(marks, '^')
	if col < 0 || []rune(line)[utf8.RuneCountInString(marks[:col])] != '@' {
		t.Errorf("the caret is not under @:\n%s\n%s", line, marks)
	}
	short := Errorf("x + @", 4, 5, "unknown character").Error()
	if !strings.HasSuffix(short, "\n  x + @\n      ^") {
		t.Errorf("a short expression is shown whole: %q", short)
	}
}

// TestShorten checks shorten against its definition: s itself up to n
// runes, else its first n-1 runes (invalid bytes as U+FFFD) and "…".
func TestShorten(t *testing.T) {
	for _, s := range []string{"", "x", "tr(A*X)", strings.Repeat("a", 30), strings.Repeat("a", 31),
		strings.Repeat("λ", 29) + "ᵀ", strings.Repeat("λ", 30) + "ᵀ", strings.Repeat("x + ", 10000),
		strings.Repeat("\xff", 31), "ab\xffc" + strings.Repeat("é", 40)} {
		want := s
		if utf8.RuneCountInString(s) > 30 {
			want = string([]rune(s)[:29]) + "…"
		}
		if got := shorten(s, 30); got != want {
			t.Errorf("shorten(%.40q, 30) = %q, want %q", s, got, want)
		}
	}
}
