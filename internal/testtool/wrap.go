package testtool

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// WrapProblems compares a document printed for a terminal of width columns
// (wrapped) with the same document printed without wrapping (flat) and
// returns one line per problem:
//
//   - a row wider than width (a terminal would break it wherever it falls,
//     inside a token);
//   - a break between two characters of one token (a letter, digit or
//     script character on each side, as in "lambd" / "a");
//   - text lost, added or reordered: without whitespace the two documents
//     must be the same string.
func WrapProblems(flat, wrapped string, width int) []string {
	var bad []string
	rows := strings.Split(strings.TrimSuffix(wrapped, "\n"), "\n")
	for i, r := range rows {
		if n := utf8.RuneCountInString(r); n > width {
			bad = append(bad, fmt.Sprintf("row %d is %d columns wide, more than %d: %q", i+1, n, width, r))
		}
		if i == 0 {
			continue
		}
		prev := strings.TrimRight(rows[i-1], " ")
		next := strings.TrimLeft(r, " ")
		a, _ := utf8.DecodeLastRuneInString(prev)
		b, _ := utf8.DecodeRuneInString(next)
		if prev != "" && next != "" && tokenChar(a) && tokenChar(b) && !spaceBetween(flat, prev, next) {
			bad = append(bad, fmt.Sprintf("rows %d and %d break a token: %q / %q", i, i+1, prev, next))
		}
	}
	if squeeze(flat) != squeeze(wrapped) {
		bad = append(bad, "the wrapped document does not hold the same text as the flat one")
	}
	return bad
}

// tokenChar reports whether r can be part of a name or a number.
func tokenChar(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("ᵀ⁻¹²³⁰⁴⁵⁶⁷⁸⁹ᵖᵏⁱʲₖₙₚᵢⱼ₀₁₂₃₄₅₆₇₈₉′'", r)
}

// spaceBetween reports whether, in flat, the last word of prev is followed
// by a space before the first word of next: the break fell on a space.
func spaceBetween(flat, prev, next string) bool {
	lw := prev[strings.LastIndexAny(prev, " ")+1:]
	fw := next
	if i := strings.IndexByte(next, ' '); i >= 0 {
		fw = next[:i]
	}
	return regexp.MustCompile(regexp.QuoteMeta(lw) + `\s+` + regexp.QuoteMeta(fw)).MatchString(flat)
}

func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}
