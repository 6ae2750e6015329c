// This file holds the participle grammar of mdiff expressions (README.md, "Expressions").
// The structs are unexported: only lower.go looks at them, and turns them
// into the ast syntax tree.
//
// In EBNF, loosest first:
//
//	top     = expr [ "where" def { "," def } ] .
//	def     = Ident "=" expr .
//	expr    = term { ("+" | "-" | "−") term } .
//	term    = unary { ("*" | "·" | "/" | ".*" | "⊙" | "./" | "⊘" | "⊗") unary } .
//	unary   = { "-" | "−" } postfix .
//	postfix = primary { Tick | Sup | call | pow } .
//	pow     = ("^" | ".^") ( "{" expr "}" | [ "-" | "−" ] primary [ call ] ) .
//	call    = "(" [ arg ] { "," arg } ")" .
//	arg     = String | expr .
//	primary = Number | Ident | Command | "(" expr ")" | norm | inner .
//	norm    = LBar expr RBar [ Sup ] [ Sub | "_" ( "{" word "}" | word ) ] .
//	inner   = ("<" | "⟨") expr "," expr (">" | "⟩") .
//
// A call is a postfix so that g'(X) needs no backtracking: the lowering
// accepts it only right after a name and its primes. The grammar is LL(1),
// so the parser runs with no lookahead: it commits to a branch as soon as
// the branch consumes a token, and reports an error where it occurs.

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
	Kw   lexer.Token `parser:"@'where'"`
	Defs []*gDef     `parser:"@@ ( ',' @@ )*"`
}

type gDef struct {
	Name lexer.Token `parser:"@Ident"`
	Eq   lexer.Token `parser:"@'='"`
	X    *gExpr      `parser:"@@"`
}

type gExpr struct {
	Head *gTerm  `parser:"@@"`
	Tail []*gAdd `parser:"@@*"`
}

type gAdd struct {
	Op lexer.Token `parser:"@('+' | '-' | '−')"`
	Y  *gTerm      `parser:"@@"`
}

type gTerm struct {
	Head *gUnary `parser:"@@"`
	Tail []*gMul `parser:"@@*"`
}

type gMul struct {
	Op lexer.Token `parser:"@('*' | '·' | '/' | '.*' | '⊙' | './' | '⊘' | '⊗')"`
	Y  *gUnary     `parser:"@@"`
}

type gUnary struct {
	Signs []*gSign  `parser:"@@*"`
	X     *gPostfix `parser:"@@"`
}

type gSign struct {
	Op lexer.Token `parser:"@('-' | '−')"`
}

type gPostfix struct {
	X        *gPrimary  `parser:"@@"`
	Suffixes []*gSuffix `parser:"@@*"`
}

type gSuffix struct {
	Tick lexer.Token `parser:"  @Tick"`
	Sup  lexer.Token `parser:"| @Sup"`
	Call *gCall      `parser:"| @@"`
	Pow  *gPow       `parser:"| @@"`
}

type gPow struct {
	Op    lexer.Token `parser:"@('^' | '.^')"`
	Open  lexer.Token `parser:"( @'{'"`
	Brace *gExpr      `parser:"  @@"`
	Close lexer.Token `parser:"  @'}'"`
	Sign  *gSign      `parser:"| @@?"`
	Atom  *gPrimary   `parser:"  @@"`
	Call  *gCall      `parser:"  @@? )"`
}

type gCall struct {
	Open  lexer.Token `parser:"@'('"`
	First *gArg       `parser:"@@?"`
	Rest  []*gMore    `parser:"@@*"`
	Close lexer.Token `parser:"@')'"`
}

type gMore struct {
	Comma lexer.Token `parser:"@','"`
	Arg   *gArg       `parser:"@@"`
}

type gArg struct {
	Str lexer.Token `parser:"  @String"`
	X   *gExpr      `parser:"| @@"`
}

type gPrimary struct {
	Num     lexer.Token `parser:"  @Number"`
	Ident   lexer.Token `parser:"| @Ident"`
	Command lexer.Token `parser:"| @Command"`
	Open    lexer.Token `parser:"| @'('"`
	Paren   *gExpr      `parser:"  @@"`
	Close   lexer.Token `parser:"  @')'"`
	Norm    *gNorm      `parser:"| @@"`
	Inner   *gInner     `parser:"| @@"`
}

type gNorm struct {
	Open  lexer.Token `parser:"@LBar"`
	X     *gExpr      `parser:"@@"`
	Close lexer.Token `parser:"@RBar"`
	Sup   lexer.Token `parser:"@Sup?"` // ‖X‖²_F, as mdiff prints it
	Sub   *gNormSub   `parser:"@@?"`
}

type gNormSub struct {
	Sub    lexer.Token `parser:"  @Sub"`
	Under  lexer.Token `parser:"| @'_'"`
	LBrace lexer.Token `parser:"  ( @'{'"`
	Braced lexer.Token `parser:"    @(Ident | Number)"`
	RBrace lexer.Token `parser:"    @'}'"`
	Word   lexer.Token `parser:"  | @(Ident | Number) )"`
}

type gInner struct {
	Open  lexer.Token `parser:"@('<' | '⟨')"`
	X     *gExpr      `parser:"@@ ','"`
	Y     *gExpr      `parser:"@@"`
	Close lexer.Token `parser:"@('>' | '⟩')"`
}

// grammar is built once; a participle Parser is safe for concurrent use.
var grammar = participle.MustBuild[gTop](
	participle.Lexer(definition{}),
	participle.UseLookahead(0),
)
