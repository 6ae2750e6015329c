// Package parser reads mdiff expressions (README.md, "Expressions") into
// the ast syntax tree, and the declarations of a --let flag (README.md,
// "Declarations") into ast.Decl.
//
// The grammar is a participle grammar (grammar.go) over a hand-written lexer
// (lexer.go), because ' is context-sensitive: after an operand it is a
// transpose, elsewhere it opens a quoted word. Participle types never leave
// this package: Parse lowers them to [ast.Expr].
//
// Every error is an *ast.Error whose spans point into the source; Parse never
// panics on input and rejects nesting deeper than [MaxDepth] before the
// recursive-descent parser sees it.
package parser

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"unicode"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/mdiff/mdiff/ast"
	_ "github.com/mdiff/mdiff/builtin" // the operation table, which the shape checker reads
)

// MaxDepth is the deepest nesting Parse accepts: brackets, norm bars, and
// runs of unary minuses and postfix operators on one operand all count.
const MaxDepth = 1000

// Parse parses one expression (README.md, "Expressions"). Precedence, loosest first:
// + -; * / .* ./ (left-associative); unary minus; the postfix ^ .^ ' ᵀ and
// superscripts, left to right, binding tightest after function application,
// so -x^2 is -(x^2) and A*B' is A*(B'). The exponent of ^ is a possibly
// negated number, name, call, parenthesised or braced expression; T and
// \top there (bare or braced, also -T) mean the transpose (inverse
// transpose), whatever T is declared as. g'(X) is a call with Primes = 1.
// 𝟙 is the name ones.
//
// The tree has byte offsets into src on every node. The error, if any, is
// an *ast.Error with Src = src. Parse is safe for concurrent use.
func Parse(src string) (e ast.Expr, err error) {
	// The tokens are participle's: the lexer hands them over one at a time.
	s := newScanner(src)
	peek, err := lexer.Upgrade(s)
	if err != nil {
		return nil, err
	}
	toks := peek.Range(0, lexer.RawCursor(s.n))
	if err := checkDepth(src, toks); err != nil {
		return nil, err
	}
	defer func() {
		// participle reports a few grammar-level failures by panicking with a
		// participle.Error; anything else is a bug and propagates.
		if r := recover(); r != nil {
			perr, ok := r.(participle.Error)
			if _, isRuntime := r.(runtime.Error); !ok || isRuntime {
				panic(r)
			}
			e, err = nil, syntaxError(src, toks, tokenAt(toks, perr.Position().Offset))
		}
	}()
	g, err := grammar.ParseFromLexer(peek)
	if err != nil {
		var ute *participle.UnexpectedTokenError
		var perr participle.Error
		switch {
		case errors.As(err, &ute):
			return nil, syntaxError(src, toks, tokenAt(toks, ute.Unexpected.Pos.Offset))
		case errors.As(err, &perr):
			return nil, syntaxError(src, toks, tokenAt(toks, perr.Position().Offset))
		}
		return nil, ast.Errorf(src, 0, ast.Pos(len(src)), err.Error())
	}
	return (&lowerer{src: src}).top(g)
}

// MustParse is Parse for expressions known to be valid, such as rule
// patterns; it panics on error.
func MustParse(src string) ast.Expr {
	e, err := Parse(src)
	if err != nil {
		panic("parser.MustParse: " + err.Error())
	}
	return e
}

// tokenAt returns the index of the first token at or after byte offset off.
func tokenAt(toks []lexer.Token, off int) int {
	for i, t := range toks {
		if t.Pos.Offset >= off {
			return i
		}
	}
	return len(toks) - 1
}

func isOpener(t lexer.Token) bool {
	if t.Type == tLBar {
		return true
	}
	if !isPunct(t) {
		return false
	}
	switch t.Value {
	case "(", "{", "[", "<", "⟨":
		return true
	}
	return false
}

func isCloser(t lexer.Token) bool {
	if t.Type == tRBar {
		return true
	}
	if !isPunct(t) {
		return false
	}
	switch t.Value {
	case ")", "}", "]", ">", "⟩":
		return true
	}
	return false
}

// isChain reports whether t lengthens the chain of unary operators around
// one operand: a prefix minus (prevEnds false), a transpose, a superscript
// or a power.
func isChain(t lexer.Token, prevEnds bool) bool {
	switch {
	case t.Type == tTick, t.Type == tSup:
		return true
	case isPunct(t):
		switch t.Value {
		case "^", ".^":
			return true
		case "-", "−":
			return !prevEnds
		}
	}
	return false
}

// checkDepth rejects inputs that would make the recursive-descent parser
// (or any later recursive pass) nest deeper than MaxDepth. The depth at a
// token is the number of open brackets plus the unary chains (signs,
// postfix operators) of the operands that enclose it.
func checkDepth(src string, toks []lexer.Token) error {
	var saved []int // chain length outside each open bracket
	total, chain := 0, 0
	for i, t := range toks {
		prevEnds := i > 0 && endsOperand(toks[i-1])
		switch {
		case isOpener(t):
			saved = append(saved, chain)
			total += chain + 1
			chain = 0
		case isCloser(t):
			if n := len(saved); n > 0 {
				chain = saved[n-1]
				saved = saved[:n-1]
				total -= chain + 1
			}
		case isChain(t, prevEnds):
			chain++
		case isPunct(t) && t.Value != "_":
			chain = 0 // an infix operator or a comma starts a new operand
		}
		if total+chain > MaxDepth {
			return ast.Errorf(src, pos(t), end(t), fmt.Sprintf("expression nested too deeply (more than %d levels)", MaxDepth))
		}
	}
	return nil
}

// startsOperand reports whether t can begin an operand.
func startsOperand(t lexer.Token) bool {
	switch {
	case t.Type == tIdent, t.Type == tNumber, t.Type == tString, t.Type == tLBar, t.Type == tCommand:
		return true
	case isPunct(t):
		switch t.Value {
		case "(", "<", "⟨":
			return true
		}
	}
	return false
}

// show quotes a token for a message without escaping \ or non-ASCII letters.
func show(s string) string {
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return strconv.Quote(s)
		}
	}
	return `"` + s + `"`
}

// syntaxError explains why the parser stopped at toks[i].
func syntaxError(src string, toks []lexer.Token, i int) *ast.Error {
	t := toks[i]
	operandPos := i == 0 || !endsOperand(toks[i-1])
	var open []lexer.Token // brackets still open before t
	for _, u := range toks[:i] {
		switch {
		case isOpener(u):
			open = append(open, u)
		case isCloser(u) && len(open) > 0:
			open = open[:len(open)-1]
		}
	}
	at := func(u lexer.Token, msg string) *ast.Error { return ast.Errorf(src, pos(u), end(u), msg) }
	if i > 0 && toks[i-1].Value == "where" && toks[i-1].Type == tIdent && (t.EOF() || t.Type != tIdent) {
		u := ast.Errorf(src, pos(t), end(t)+1, `after "where", expected a definition such as T1 = X*W`)
		return u
	}
	if t.EOF() {
		eof := ast.Errorf(src, ast.Pos(len(src)), ast.Pos(len(src)+1), "")
		switch {
		case i == 0:
			eof.Msg = "empty expression"
		case toks[i-1].Value == "_":
			eof.Msg = "unexpected end of input, expected a norm subscript such as F or 2"
		case operandPos:
			eof.Msg = "unexpected end of input, expected an operand"
		case len(open) > 0:
			u := open[len(open)-1]
			return at(u, fmt.Sprintf("unclosed %s", show(u.Value)))
		default:
			eof.Msg = "unexpected end of input"
		}
		return eof
	}
	switch {
	case isCloser(t) && len(open) == 0:
		return at(t, fmt.Sprintf("unmatched %s", show(t.Value)))
	case operandPos:
		return at(t, fmt.Sprintf("unexpected %s, expected an operand", show(t.Value)))
	case startsOperand(t):
		e := at(t, fmt.Sprintf(`unexpected %s, expected an operator such as "*"`, show(t.Value)))
		switch u := toks[i-1]; {
		case u.Type == tIdent && t.Type == tIdent && slices.Contains(ast.FuncNames(), u.Value+t.Value):
			e.Spans[0].Pos, e.Suggest = pos(u), u.Value+t.Value // log det(X) is logdet(X)
		case u.Type == tIdent && (t.Type == tIdent || t.Type == tNumber) && slices.Contains(ast.FuncNames(), u.Value) &&
			(i+1 == len(toks) || !startsOperand(toks[i+1]) && toks[i+1].Value != "("):
			e.Suggest = u.Value + "(" + t.Value + ")" // tr X is tr(X)
		}
		return e
	}
	return at(t, fmt.Sprintf("unexpected %s", show(t.Value)))
}
