// This file holds the participle grammar of mdiff expressions (README.md, "Expressions").
// The structs are unexported: only lower.go looks at them, and turns them
// into the ast syntax tree.
//
// In EBNF:
//
//	top     = expr [ "where" def { "," def } ] .
//	def     = Ident "=" expr .
//	expr    = operand { tail } .
//	tail    = BinOp operand | call | Tick | pow | Sup .
//	operand = Sign operand | atom .
//	atom    = Ident | Number | Command | "(" expr ")" | norm | inner .
//	pow     = Pow ( "{" expr "}" | [ Sign ] atom [ call ] ) .
//	call    = CallOpen [ arg ] { "," arg } ")" .
//	arg     = expr | String .
//	norm    = LBar expr RBar [ Sup ] [ Sub | "_" ( "{" word "}" | word ) ] .
//	inner   = ("<" | "⟨") expr "," expr (">" | "⟩") .
//
// An expression is a flat list: its operands with the postfix operators
// (call, Tick, pow, Sup) that follow each, joined by binary operators. The
// lowering applies the postfixes to their operand, left to right, then its
// signs, and builds the binary tree by precedence climbing (STYLE.md §3).
// A call is a postfix so that g'(X) needs no backtracking: the lowering
// accepts it only right after a name and its primes.
//
// The lexer gives every choice of the grammar its own token type (a Sign is
// a - where an operand starts, a CallOpen a ( after an operand), so the
// grammar is LL(1) over token types and the parser runs with no lookahead:
// it commits to a branch as soon as the branch consumes a token, and reports
// an error where it occurs.
//
// Participle builds every struct by reflection and every alternative it
// tries costs an allocation, so the structs are few and capture little
// besides their sub-structs: most tokens are read from a struct's Tokens
// (the tokens it spans, a slice of the parser's, not a copy), whose types
// tell which alternative matched. The alternatives most inputs take come
// first.

package parser

import (
	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

type gTop struct {
	Body  *gExpr  `parser:"@@"`
	Where *gWhere `parser:"@@?"`
}

type gWhere struct {
	Defs []*gDef `parser:"'where' @@ ( ',' @@ )*"`
}

type gDef struct {
	Name lexer.Token `parser:"@Ident"`
	X    *gExpr      `parser:"'=' @@"`
}

// gExpr is an expression: its head operand, then its tails. Tokens start
// with the head operand's.
type gExpr struct {
	Tokens []lexer.Token
	gOperand
	Tails []*gTail `parser:"@@*"`
}

// gTail is a binary operator and its right operand, or a postfix operator
// of the operand before it. Tokens start with the operator's, whose type
// tells the kind of tail.
type gTail struct {
	Tokens []lexer.Token
	BinOp  struct{} `parser:"( BinOp"`
	gOperand
	Call *gCall `parser:"| CallOpen @@ | Tick"`
	Pow  *gPow  `parser:"| Pow @@ | Sup )"`
}

// gOperand is an operand without postfixes: an atom (gAtom), or a sign and
// an operand. The struct embedding it knows its first token, which tells
// the kind: an Ident, Number or Command is that token alone. Neg nests as
// deep as the signs run (checkDepth bounds it); an operand with no sign,
// the usual one, costs participle nothing for its signs.
type gOperand struct {
	Paren *gParen   `parser:"( Ident | Number | Command | '(' @@"`
	Norm  *gNorm    `parser:"| LBar @@"`
	Inner *gInner   `parser:"| ('<' | '⟨') @@"`
	Neg   *gOperand `parser:"| Sign @@ )"`
}

// gAtom is an operand without signs or postfixes, as an exponent has it
// (gOperand less Neg). Its first token, which the struct embedding it
// knows, tells the kind.
type gAtom struct {
	Paren *gParen `parser:"( Ident | Number | Command | '(' @@"`
	Norm  *gNorm  `parser:"| LBar @@"`
	Inner *gInner `parser:"| ('<' | '⟨') @@ )"`
}

// gParen is a parenthesised expression after its "("; Tokens end with ")".
type gParen struct {
	Tokens []lexer.Token
	X      *gExpr `parser:"@@ ')'"`
}

// gPow is the exponent of a power, after its ^ or .^. Tokens start with
// "{", the sign or the atom.
type gPow struct {
	Tokens []lexer.Token
	Brace  *gExpr `parser:"( '{' @@ '}'"`
	Sign   string `parser:"| @Sign?"`
	gAtom
	Open lexer.Token `parser:"  ( @CallOpen"`
	Call *gCall      `parser:"    @@ )? )"`
}

// gCall is the arguments of a call, after its "(". Tokens start with the
// first argument's, or with its "," or ")", and end with its ")".
type gCall struct {
	Tokens []lexer.Token
	First  *gArg   `parser:"@@?"`
	Rest   []*gArg `parser:"( ',' @@ )* ')'"`
}

// gArg is an argument of a call: an expression or a quoted word.
type gArg struct {
	X   *gExpr      `parser:"  @@"`
	Str lexer.Token `parser:"| @String"`
}

// gNorm is a norm after its opening bar; Tokens start with X's, then
// the closing bar.
type gNorm struct {
	Tokens []lexer.Token
	X      *gExpr      `parser:"@@ RBar"`
	Sup    lexer.Token `parser:"@Sup?"` // ‖X‖²_F, as mdiff prints it
	Sub    *gNormSub   `parser:"@@?"`
}

// gNormSub is a norm's subscript: ₂, or a word after "_", bare or braced.
// Tokens are all of it, Word the subscript itself.
type gNormSub struct {
	Tokens []lexer.Token
	Word   lexer.Token `parser:"@Sub | '_' ( '{' @(Ident | Number) '}' | @(Ident | Number) )"`
}

// gInner is an inner product after its opening bracket; Tokens end with
// the closing one.
type gInner struct {
	Tokens []lexer.Token
	X      *gExpr `parser:"@@ ','"`
	Y      *gExpr `parser:"@@ ('>' | '⟩')"`
}

// grammar is built once; a participle Parser is safe for concurrent use.
var grammar = buildGrammar()

func buildGrammar() *participle.Parser[gTop] {
	return participle.MustBuild[gTop](
		participle.Lexer(definition{}),
		participle.UseLookahead(0),
	)
}
