// This file parses the declarations of a --let flag (README.md, "Declarations").

package parser

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mdiff/mdiff/ast"
)

// ParseDecls parses the value of one --let flag: declarations separated by
// ";" or ",". Empty declarations (a trailing ";") are skipped. Each has the
// form NAME ":" SPEC where SPEC is one of
//
//	scalar              a scalar
//	n                   a column vector n×1 (1 is a scalar)
//	n x p, n × p        a matrix; 1 x n is a row vector
//	func                a generic differentiable function, applied elementwise
//	int                 an integer scalar (the exponent k of a matrix power A^k)
//
// optionally preceded by properties: sym (symmetric), spd (symmetric
// positive definite), pos (entrywise positive), diag (diagonal), e.g.
// "S: sym n x n", "w: pos n", "t: pos scalar", "D: pos diag n x n". With
// sym, spd or diag a single size is shorthand for a square matrix: "S: sym
// n" is "S: sym n x n". Sizes are names or positive integers.
//
// Every Decl has Src = src and the span of its text; an error is an
// *ast.Error with Src = src and a caret under the offending word.
func ParseDecls(src string) ([]ast.Decl, error) {
	var decls []ast.Decl
	start := 0
	for i := 0; i <= len(src); i++ {
		if i < len(src) && src[i] != ';' && src[i] != ',' {
			continue
		}
		toks, err := declTokens(src, start, i)
		if err != nil {
			return nil, err
		}
		if len(toks) > 0 {
			d, err := parseDecl(src, toks)
			if err != nil {
				return nil, err
			}
			decls = append(decls, d)
		}
		start = i + 1
	}
	return decls, nil
}

// declToken is a word (a run of letters, digits and _), ":" or "×" of a declaration.
type declToken struct {
	text     string
	pos, end int
}

// sizeBySize matches "3x4", which the word scanner reads as one word.
var sizeBySize = regexp.MustCompile(`^([0-9]+)x([0-9]+)$`)

// declTokens splits src[start:stop] into declaration tokens.
func declTokens(src string, start, stop int) ([]declToken, error) {
	var toks []declToken
	for i := start; i < stop; {
		r, size := utf8.DecodeRuneInString(src[i:stop])
		switch {
		case unicode.IsSpace(r):
			i += size
		case r == ':' || r == '×':
			toks = append(toks, declToken{src[i : i+size], i, i + size})
			i += size
		case isIdentPart(r):
			j := i
			for j < stop {
				r, n := utf8.DecodeRuneInString(src[j:stop])
				if !isIdentPart(r) {
					break
				}
				j += n
			}
			if m := sizeBySize.FindStringSubmatchIndex(src[i:j]); m != nil {
				toks = append(toks,
					declToken{src[i+m[2] : i+m[3]], i + m[2], i + m[3]},
					declToken{"x", i + m[3], i + m[3] + 1},
					declToken{src[i+m[4] : i+m[5]], i + m[4], i + m[5]})
			} else {
				toks = append(toks, declToken{src[i:j], i, j})
			}
			i = j
		default:
			return nil, ast.Errorf(src, ast.Pos(i), ast.Pos(i+size), fmt.Sprintf("unexpected %s in declaration", show(string(r))))
		}
	}
	return toks, nil
}

var declProps = map[string]ast.Props{
	"sym":  ast.Symmetric,
	"spd":  ast.PosDef | ast.Symmetric,
	"pos":  ast.Positive,
	"diag": ast.Diagonal,
}

// declKeywords are the words that cannot be size names.
var declKeywords = map[string]bool{"sym": true, "spd": true, "pos": true, "diag": true, "scalar": true, "func": true, "int": true, "x": true}

const shapeHint = "e.g. n x p, n, scalar, int, sym n, diag n, func"

func parseDecl(src string, toks []declToken) (ast.Decl, error) {
	errAt := func(t declToken, msg string) error { return ast.Errorf(src, ast.Pos(t.pos), ast.Pos(t.end), msg) }
	after := func(t declToken) declToken { return declToken{pos: t.end, end: t.end + 1} }
	last := toks[len(toks)-1]
	d := ast.Decl{Src: src, Pos: ast.Pos(toks[0].pos), End: ast.Pos(last.end)}
	nameTok := toks[0]
	if !IsIdent(nameTok.text) {
		return d, errAt(nameTok, fmt.Sprintf("expected a name at the start of a declaration, not %s", show(nameTok.text)))
	}
	d.Name = nameTok.text
	if len(toks) < 2 || toks[1].text != ":" {
		if len(toks) < 2 {
			return d, errAt(after(nameTok), fmt.Sprintf(`missing ":" after %s (%s: n x p)`, d.Name, d.Name))
		}
		return d, errAt(toks[1], fmt.Sprintf(`missing ":" after %s (%s: n x p)`, d.Name, d.Name))
	}
	rest := toks[2:]
	if len(rest) == 0 {
		return d, errAt(after(toks[1]), fmt.Sprintf("missing shape after %q (%s)", d.Name+":", shapeHint))
	}
	for len(rest) > 0 && declProps[rest[0].text] != 0 {
		d.Props |= declProps[rest[0].text]
		rest = rest[1:]
	}
	if len(rest) > 0 {
		if err := unknownWord(src, d.Name, rest); err != nil {
			return d, err
		}
	}
	if len(rest) == 0 {
		return d, errAt(after(last), fmt.Sprintf("missing shape after %q (%s)", last.text, shapeHint))
	}
	if rest[0].text == "func" {
		switch {
		case d.Props != 0:
			return d, errAt(toks[2], fmt.Sprintf("a function cannot be %s", toks[2].text))
		case len(rest) > 1:
			return d, errAt(rest[1], fmt.Sprintf(`unexpected %s after "func"`, show(rest[1].text)))
		}
		d.Func = true
		return d, nil
	}
	square := d.Props&(ast.Symmetric|ast.Diagonal) != 0
	switch {
	case len(rest) == 1 && rest[0].text == "int":
		if d.Props&^ast.Positive != 0 {
			return d, errAt(toks[2], fmt.Sprintf("an integer cannot be %s", toks[2].text))
		}
		d.Shape, d.Props = ast.Scalar, d.Props|ast.Integer
	case len(rest) == 1 && rest[0].text == "scalar":
		d.Shape = ast.Scalar
	case len(rest) == 1:
		n, err := declSize(src, rest[0])
		if err != nil {
			return d, err
		}
		d.Shape = ast.Vec(n)
		if square {
			d.Shape = ast.Mat(n, n)
		}
	case len(rest) == 3 && isTimes(rest[1].text):
		r, err := declSize(src, rest[0])
		if err != nil {
			return d, err
		}
		c, err := declSize(src, rest[2])
		if err != nil {
			return d, err
		}
		d.Shape = ast.Mat(r, c)
		if square && r != c {
			kind := "sym"
			switch {
			case d.Props&ast.PosDef != 0:
				kind = "spd"
			case d.Props&ast.Diagonal != 0:
				kind = "diagonal"
			}
			span := ast.Errorf(src, ast.Pos(rest[0].pos), ast.Pos(rest[2].end), "")
			span.Msg = fmt.Sprintf("a %s matrix must be square, not %s", kind, d.Shape)
			return d, span
		}
	default:
		return d, declShapeError(src, rest)
	}
	return d, nil
}

func isTimes(s string) bool { return s == "x" || s == "×" }

// declShapeError explains a shape that is none of the accepted forms.
func declShapeError(src string, rest []declToken) error {
	errAt := func(t declToken, msg string) error { return ast.Errorf(src, ast.Pos(t.pos), ast.Pos(t.end), msg) }
	sizeLike := func(t declToken) bool { return !declKeywords[t.text] && t.text != ":" && t.text != "×" }
	switch {
	case len(rest) == 2 && sizeLike(rest[0]) && sizeLike(rest[1]):
		return errAt(rest[1], fmt.Sprintf(`missing "x" between %s and %s`, rest[0].text, rest[1].text))
	case (len(rest) == 2 || len(rest) == 4) && sizeLike(rest[0]) && sizeLike(rest[1]) &&
		(len(rest) == 2 || isTimes(rest[2].text)):
		return errAt(rest[0], unknownWordMsg(rest[0].text, ""))
	}
	// Point at the first token that does not fit size [x size].
	for i, t := range rest {
		ok := i < 3 && (i%2 == 0 && sizeLike(t) || i == 1 && isTimes(t.text))
		if i == 0 && (t.text == "scalar" || t.text == "func") {
			ok = true
		}
		if !ok {
			if declProps[t.text] != 0 {
				return errAt(t, fmt.Sprintf("%q must come before the shape", t.text))
			}
			return errAt(t, fmt.Sprintf("unexpected %s in declaration (%s)", show(t.text), shapeHint))
		}
	}
	return errAt(rest[len(rest)-1], "incomplete shape ("+shapeHint+")")
}

// maxSize bounds a numeric size.
const maxSize = 1 << 20

// declSize validates a size: a name, or a positive integer (normalised, so
// 03 is 3).
func declSize(src string, t declToken) (ast.Dim, error) {
	bad := func() (ast.Dim, error) {
		return "", ast.Errorf(src, ast.Pos(t.pos), ast.Pos(t.end),
			fmt.Sprintf("bad size %s (a size is a name or a positive integer)", show(t.text)))
	}
	if declKeywords[t.text] || t.text == "×" || t.text == ":" {
		return bad()
	}
	if r, _ := utf8.DecodeRuneInString(t.text); '0' <= r && r <= '9' {
		n, err := strconv.Atoi(t.text)
		if err != nil || n < 1 || n > maxSize {
			return bad()
		}
		return ast.Dim(strconv.Itoa(n)), nil
	}
	if !IsIdent(t.text) {
		return bad()
	}
	if m := sizeTimesSize.FindStringSubmatch(t.text); m != nil {
		return "", ast.Errorf(src, ast.Pos(t.pos), ast.Pos(t.end),
			fmt.Sprintf("unknown size %q; did you mean %s x %s (with spaces)?", t.text, m[1], m[2]))
	}
	return ast.Dim(t.text), nil
}

// declWords are the words a declaration may use before or as its shape.
var declWords = []string{"scalar", "int", "func", "sym", "spd", "pos", "diag"}

// declSynonyms are words people write for a declaration word.
var declSynonyms = map[string]string{
	"real": "scalar", "float": "scalar", "double": "scalar", "number": "scalar", "num": "scalar",
	"integer": "int", "natural": "int", "nat": "int",
	"symmetric": "sym", "symm": "sym", "spsd": "spd", "pd": "spd", "posdef": "spd",
	"positive": "pos", "diagonal": "diag", "function": "func", "fun": "func", "fn": "func",
	"matrix": "n x n", "mat": "n x n", "vector": "n", "vec": "n",
}

// sizeTimesSize matches a size product written without spaces, nxn or
// mxp, which would otherwise be read as one size name.
var sizeTimesSize = regexp.MustCompile(`^([A-Za-z][0-9]*|[0-9]+)[x×]([A-Za-z][0-9]*|[0-9]+)$`)

// unknownWord reports the first word of the shape rest when it is none of
// the declaration words but a synonym of one or close to one, and suggests
// the word meant. (declSize catches a product nxp written without spaces.)
func unknownWord(src, name string, rest []declToken) error {
	w := rest[0]
	if slices.Contains(declWords, w.text) || isTimes(w.text) {
		return nil
	}
	errAt := func(msg string) error { return ast.Errorf(src, ast.Pos(w.pos), ast.Pos(w.end), msg) }
	sugg := nearestDeclWord(w.text)
	if sugg == "" {
		return nil // a size name
	}
	sizes := ""
	if len(rest) > 1 && sugg == "scalar" {
		sizes = fmt.Sprintf(" (a real vector or matrix is declared by its size alone: %s: %s)", name, declSpan(src, rest[1:]))
	}
	return errAt(unknownWordMsg(w.text, sugg) + sizes)
}

// declSpan is the source text from the first to the last of toks.
func declSpan(src string, toks []declToken) string {
	return src[toks[0].pos:toks[len(toks)-1].end]
}

// unknownWordMsg says which words a declaration expects, and the nearest.
func unknownWordMsg(w, sugg string) string {
	if sugg == "" {
		sugg = nearestDeclWord(w)
	}
	msg := fmt.Sprintf("unknown word %q (expected sym, spd, pos, diag, then a shape: n x p, n, scalar, int or func)", w)
	if sugg != "" {
		msg += fmt.Sprintf("; did you mean %q?", sugg)
	}
	return msg
}

// nearestDeclWord returns the declaration word w stands for: its synonym,
// a word that starts with one (symetric → sym), or the nearest of
// declWords within edit distance 2 (1 for words of up to three letters),
// or "".
func nearestDeclWord(w string) string {
	lw := strings.ToLower(w)
	if s, ok := declSynonyms[lw]; ok {
		return s
	}
	best, bestD := "", 3
	if utf8.RuneCountInString(lw) <= 3 {
		bestD = 2
	}
	for _, k := range declWords {
		if len(lw) > len(k) && len(k) >= 3 && strings.HasPrefix(lw, k) {
			return k // symetric, positiv
		}
	}
	for _, k := range declWords {
		if d := editDistance(lw, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}
