// This file suggests what a user meant by an unknown function.

package ast

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// FuncNames lists the names of the built-in functions an expression may
// call, sorted: every name and alias of a row of the operation table that
// takes operands, and inv. It is the one list that suggestions and help
// texts read.
func FuncNames() []string {
	names := []string{"inv"}
	for _, op := range Ops() {
		if op.Args == 0 {
			continue // a constant such as pi
		}
		for _, n := range append([]string{op.Name}, op.Aliases...) {
			if r, _ := utf8.DecodeRuneInString(n); unicode.IsLetter(r) {
				names = append(names, n)
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// otherSpellings maps names that other tools and textbooks use to mdiff's
// spelling of the same function; "'" stands for the postfix transpose.
var otherSpellings = map[string]string{
	"inverse": "inv", "transpose": "'", "determinant": "det", "logdeterminant": "logdet",
	"log_det": "logdet", "logabsdet": "logdet", "ln": "log", "sigm": "sigmoid", "logistic": "sigmoid",
	"frobenius": "norm", "fro": "norm",
}

// suggestCall returns what an unknown call e probably means: a built-in or
// declared function whose name is the same up to case or one or two edits
// (nrom → norm, Tr → tr), another tool's name for a built-in (inverse →
// inv), or, for transpose(X), the postfix X'. It returns "" when nothing
// is close.
func (c *checker) suggestCall(e *Call) string {
	if s, ok := otherSpellings[strings.ToLower(e.Fun)]; ok {
		if s == "'" {
			if len(e.Args) == 1 {
				return c.text(e.Args[0]) + "'"
			}
			return "X'"
		}
		return s
	}
	known := FuncNames()
	for name, d := range c.decls {
		if d.Func {
			known = append(known, name)
		}
	}
	slices.Sort(known)
	return Nearest(e.Fun, known)
}

// Nearest returns the word of known closest to w: equal up to case, or
// within one edit (two for words of five letters or more), where swapping
// two neighbouring letters is one edit; a word of one letter has no near
// word. It returns "" when none is that
// close; of several equally close words the first is taken.
func Nearest(w string, known []string) string {
	best, bestD := "", 0
	limit := 1
	if len([]rune(w)) >= 5 {
		limit = 2
	}
	for _, k := range known {
		if k == w || len([]rune(w)) < 2 {
			continue
		}
		d := editDistance(strings.ToLower(w), strings.ToLower(k))
		if d <= limit && d < len([]rune(k)) && (best == "" || d < bestD) {
			best, bestD = k, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance of a and b:
// insertions, deletions, substitutions and transpositions of neighbouring
// runes each cost one.
func editDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}
