// This file implements mdiff's hand-written lexer and its participle
// lexer.Definition.

package parser

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/mdiff/mdiff/ast"
)

// Token types. Every token's Value is exactly the source text it covers,
// src[Pos.Offset : Pos.Offset+len(Value)], so spans can be computed from
// tokens alone; the lowering normalises spellings (− to -, 𝟙 to ones, …).
const (
	tEOF                      = lexer.EOF
	tIdent    lexer.TokenType = -(iota + 1) // X, x_1, λ, 𝟙
	tNumber                                 // 2, 0.5, .5, 1e-3
	tString                                 // 'fro' (a ' in operand position)
	tTick                                   // ' (after an operand), ᵀ, .'
	tSup                                    // superscript number ² ³ ⁻¹ or ⁻ᵀ
	tSub                                    // subscript number ₂
	tLBar                                   // || or ‖ opening a norm
	tRBar                                   // || or ‖ closing a norm
	tCommand                                // \top
	tBinOp                                  // an infix operator: + − * · / .* ⊙ ./ ⊘ ⊗, and - after an operand
	tSign                                   // - or − where an operand starts (a unary minus)
	tPow                                    // ^ or .^
	tCallOpen                               // ( after an operand, opening the arguments of a call
	tPunct                                  // the other brackets and punctuation
)

// symbols builds the symbol table. It is a function, not a package
// variable, because participle calls it through an interface during package
// initialisation, which Go's initialisation order cannot see.
func symbols() map[string]lexer.TokenType {
	return map[string]lexer.TokenType{
		"EOF":      tEOF,
		"Ident":    tIdent,
		"Number":   tNumber,
		"String":   tString,
		"Tick":     tTick,
		"Sup":      tSup,
		"Sub":      tSub,
		"LBar":     tLBar,
		"RBar":     tRBar,
		"Command":  tCommand,
		"BinOp":    tBinOp,
		"Sign":     tSign,
		"Pow":      tPow,
		"CallOpen": tCallOpen,
		"Punct":    tPunct,
	}
}

// definition is the participle lexer.Definition of mdiff expressions.
type definition struct{}

func (definition) Symbols() map[string]lexer.TokenType { return symbols() }

func (d definition) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return d.LexString(filename, string(b))
}

// LexString returns the lexer of src; a bad character is reported as an
// *ast.Error when the lexer reaches it.
func (definition) LexString(_ string, src string) (lexer.Lexer, error) {
	return newScanner(src), nil
}

// puncts are the operator and bracket spellings, longest first where one is a
// prefix of another.
var puncts = []string{
	".*", "./", ".^", "+", "-", "−", "*", "·", "/", "⊙", "⊘", "⊗", "^",
	"(", ")", "{", "}", "[", "]", "<", ">", "⟨", "⟩", ",", "_", "=",
}

// asciiPuncts marks the ASCII bytes that are a punct of one byte.
var asciiPuncts = func() (m [utf8.RuneSelf]bool) {
	for _, p := range puncts {
		if len(p) == 1 {
			m[p[0]] = true
		}
	}
	return m
}()

// punctAt returns the longest of puncts that rest starts with, or "".
func punctAt(rest string) string {
	if b := rest[0]; b < utf8.RuneSelf && b != '.' {
		if asciiPuncts[b] {
			return rest[:1]
		}
		return ""
	}
	for _, p := range puncts {
		if strings.HasPrefix(rest, p) {
			return p
		}
	}
	return ""
}

// endsOperand reports whether a token can end an operand. After such a token
// a ' is a transpose, a norm bar closes, - is a binary minus and ( opens the
// arguments of a call; elsewhere ' opens a quoted word, a bar opens a norm,
// - is a sign and ( a parenthesis.
func endsOperand(t lexer.Token) bool {
	switch t.Type {
	case tIdent, tNumber, tString, tTick, tSup, tSub, tRBar, tCommand:
		return true
	case tPunct:
		switch t.Value {
		case ")", "]", "}", ">", "⟩":
			return true
		}
	}
	return false
}

// isPunct reports whether t is an operator or a bracket, of whichever of
// the token types that split them for the grammar.
func isPunct(t lexer.Token) bool {
	switch t.Type {
	case tPunct, tBinOp, tSign, tPow, tCallOpen:
		return true
	}
	return false
}

// punctType is the token type of the operator or bracket p. The lexer, not
// the grammar, tells a sign from a binary minus and a call's ( from a
// parenthesis, by prevEnds, exactly as it tells a transpose from a quote;
// this keeps each choice of the grammar a single token type.
func punctType(p string, prevEnds bool) lexer.TokenType {
	switch p {
	case "-", "−":
		if !prevEnds {
			return tSign
		}
		return tBinOp
	case "+", "*", "·", "/", ".*", "⊙", "./", "⊘", "⊗":
		return tBinOp
	case "^", ".^":
		return tPow
	case "(":
		if prevEnds {
			return tCallOpen
		}
	}
	return tPunct
}

// isIdentStart reports whether r can start a name: a letter (Greek
// included) but not a modifier letter such as ᵀ.
func isIdentStart(r rune) bool {
	if r < utf8.RuneSelf {
		return isASCIILetter(byte(r))
	}
	return unicode.IsLetter(r) && !unicode.Is(unicode.Lm, r)
}

// isIdentPart reports whether r can continue a name: a letter, an ASCII digit or _.
func isIdentPart(r rune) bool {
	return isIdentStart(r) || ('0' <= r && r <= '9') || r == '_'
}

// IsIdent reports whether s is a valid mdiff name: letters (Greek included),
// ASCII digits and _, starting with a letter.
func IsIdent(s string) bool {
	for i, r := range s {
		if i == 0 && !isIdentStart(r) || !isIdentPart(r) {
			return false
		}
	}
	return s != ""
}

const (
	superDigits = "⁰¹²³⁴⁵⁶⁷⁸⁹"
	subDigits   = "₀₁₂₃₄₅₆₇₈₉"
	ones        = "𝟙"
)

func isSuperDigit(r rune) bool { return strings.ContainsRune(superDigits, r) }
func isSubDigit(r rune) bool   { return strings.ContainsRune(subDigits, r) }

// maxExponent bounds the decimal exponent of a number literal, so that
// 1e999999999 is an error instead of a gigabyte-sized rational.
const maxExponent = 1000

// scanner is the lexer of mdiff expressions: it returns src's tokens one
// at a time, ending with EOF at len(src), so that participle's copy
// (lexer.Upgrade) is the only token slice. Whitespace separates tokens and
// is dropped.
type scanner struct {
	src       string
	i         int  // the offset of the next byte to scan
	line, col int  // the position of byte i
	prevEnds  bool // whether the last token returned ends an operand
	n         int  // the number of tokens returned, EOF included
}

func newScanner(src string) *scanner { return &scanner{src: src, line: 1, col: 1} }

// Next returns the next token; at the end of src it returns EOF.
func (s *scanner) Next() (lexer.Token, error) {
	for s.i < len(s.src) {
		r, size := rune(s.src[s.i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s.src[s.i:])
		}
		if !unicode.IsSpace(r) {
			break
		}
		if r == '\n' {
			s.line, s.col = s.line+1, 1
		} else {
			s.col++
		}
		s.i += size
	}
	s.n++
	if s.i == len(s.src) {
		return lexer.Token{Type: tEOF, Pos: lexer.Position{Offset: s.i, Line: s.line, Column: s.col}}, nil
	}
	typ, j, err := scanToken(s.src, s.i, s.prevEnds)
	if err != nil {
		return lexer.Token{}, err
	}
	t := lexer.Token{Type: typ, Value: s.src[s.i:j], Pos: lexer.Position{Offset: s.i, Line: s.line, Column: s.col}}
	s.prevEnds = endsOperand(t)
	s.col += utf8.RuneCountInString(t.Value)
	s.i = j
	return t, nil
}

// tokenize splits src into tokens ending with EOF at len(src).
func tokenize(src string) ([]lexer.Token, error) {
	var toks []lexer.Token
	for s := newScanner(src); ; {
		t, err := s.Next()
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
		if t.EOF() {
			return toks, nil
		}
	}
}

// scanToken returns the type and the end of the token that starts at
// src[i], which is not a space. prevEnds tells whether the previous token
// ends an operand, which decides what ' and a norm bar are.
func scanToken(src string, i int, prevEnds bool) (lexer.TokenType, int, error) {
	r, size := utf8.DecodeRuneInString(src[i:])
	rest := src[i:]
	errorf := func(end int, format string, args ...any) (lexer.TokenType, int, error) {
		return 0, 0, ast.Errorf(src, ast.Pos(i), ast.Pos(end), fmt.Sprintf(format, args...))
	}
	switch {
	case r == utf8.RuneError && size == 1:
		return errorf(i+1, "invalid UTF-8 byte in expression")
	case strings.HasPrefix(rest, ones):
		return tIdent, i + len(ones), nil
	case isIdentStart(r):
		return tIdent, runEnd(src, i+size, isIdentPart), nil
	case isDigit(src[i]), r == '.' && i+1 < len(src) && isDigit(src[i+1]):
		j, err := scanNumber(src, i)
		return tNumber, j, err
	case r == '\'' && prevEnds:
		return tTick, i + 1, nil
	case r == '\'':
		j := strings.IndexByte(src[i+1:], '\'')
		if j < 0 {
			return errorf(len(src), "unclosed quote")
		}
		return tString, i + j + 2, nil
	case r == 'ᵀ':
		return tTick, i + size, nil
	case strings.HasPrefix(rest, ".'"):
		return tTick, i + 2, nil
	case r == '⁻':
		r2, n := utf8.DecodeRuneInString(src[i+size:])
		switch {
		case r2 == 'ᵀ':
			return tSup, i + size + n, nil
		case !isSuperDigit(r2):
			return errorf(i+size, `unknown character "⁻" (write ⁻¹, ⁻ᵀ or ^-k)`)
		}
		return tSup, runEnd(src, i+size, isSuperDigit), nil
	case isSuperDigit(r):
		return tSup, runEnd(src, i, isSuperDigit), nil
	case isSubDigit(r):
		return tSub, runEnd(src, i, isSubDigit), nil
	case strings.HasPrefix(rest, "||"), r == '‖':
		end := i + len("||")
		if r == '‖' {
			end = i + size
		}
		if prevEnds {
			return tRBar, end, nil
		}
		return tLBar, end, nil
	case r == '|':
		return errorf(i+1, `unknown character "|" (write ||x|| for a norm, abs(x) for an absolute value)`)
	case r == '\\':
		j := i + 1
		for j < len(src) && isASCIILetter(src[j]) {
			j++
		}
		switch src[i:j] {
		case `\top`:
			return tCommand, j, nil
		case `\Delta`: // the direction, as LaTeX writes it
			return tIdent, j, nil
		}
		return errorf(j, `unknown command "%s" (only \top and \Delta are understood)`, src[i:j])
	}
	if p := punctAt(rest); p != "" {
		return punctType(p, prevEnds), i + len(p), nil
	}
	return errorf(i+size, "unknown character %q", string(r))
}

// runEnd returns the end of the run of runes satisfying in that starts at i.
func runEnd(src string, i int, in func(rune) bool) int {
	for i < len(src) {
		r, n := utf8.DecodeRuneInString(src[i:])
		if !in(r) {
			break
		}
		i += n
	}
	return i
}

func isDigit(b byte) bool       { return '0' <= b && b <= '9' }
func isASCIILetter(b byte) bool { u := b &^ 0x20; return 'A' <= u && u <= 'Z' }

// scanNumber returns the end of the number literal starting at i: digits,
// an optional fraction and an optional exponent. A "." is part of the number
// only when a digit follows it, so 2.*A is 2 .* A; a trailing "2." is 2.
func scanNumber(src string, i int) (int, error) {
	start := i
	for i < len(src) && isDigit(src[i]) {
		i++
	}
	if i < len(src) && src[i] == '.' {
		switch {
		case i+1 < len(src) && isDigit(src[i+1]):
			i++
			for i < len(src) && isDigit(src[i]) {
				i++
			}
		case i+1 == len(src) || !strings.ContainsRune("*/^'", rune(src[i+1])):
			i++ // "2." is 2
		}
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		j := i + 1
		if j < len(src) && (src[j] == '+' || src[j] == '-') {
			j++
		}
		k := j
		for k < len(src) && isDigit(src[k]) {
			k++
		}
		if k > j {
			exp := strings.TrimLeft(src[j:k], "0")
			if n, err := strconv.Atoi(exp); len(exp) > 6 || err == nil && n > maxExponent {
				return 0, ast.Errorf(src, ast.Pos(start), ast.Pos(k), fmt.Sprintf("number %s is out of range", src[start:k]))
			}
			i = k
		}
	}
	return i, nil
}
