// This file lowers the participle grammar structs to the ast syntax tree.

package parser

import (
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/mdiff/mdiff/ast"
)

// lowerer turns grammar structs into ast nodes with byte positions into src.
type lowerer struct {
	src  string
	defs map[string]ast.Expr    // the temporaries of a where clause defined so far
	used map[string]lexer.Token // the first use of each other name, to catch a use before its definition
}

func pos(t lexer.Token) ast.Pos { return ast.Pos(t.Pos.Offset) }
func end(t lexer.Token) ast.Pos { return ast.Pos(t.Pos.Offset + len(t.Value)) }

// last is the last of a grammar struct's Tokens, its closing bracket.
func last(toks []lexer.Token) lexer.Token { return toks[len(toks)-1] }

func (l *lowerer) errAt(t lexer.Token, msg string) *ast.Error {
	return ast.Errorf(l.src, pos(t), end(t), msg)
}

// binop is a binary operator of an expression's flat list.
type binop struct {
	pos ast.Pos
	op  ast.BinOp
}

var binOps = map[string]ast.BinOp{
	"+": ast.OpAdd, "-": ast.OpSub, "−": ast.OpSub,
	"*": ast.OpMul, "·": ast.OpMul, "/": ast.OpDiv,
	".*": ast.OpHadamard, "⊙": ast.OpHadamard, "./": ast.OpElemDiv, "⊘": ast.OpElemDiv, "⊗": ast.OpKron,
}

// The precedences of the binary operators, loosest first.
const (
	sumPrec     = 1 // + -
	productPrec = 2 // * / .* ./ ⊗
)

// precedence reports how tightly op binds; larger binds tighter.
func precedence(op ast.BinOp) int {
	if op == ast.OpAdd || op == ast.OpSub {
		return sumPrec
	}
	return productPrec
}

// expr lowers an expression: each operand with its postfixes, in source
// order, then the binary tree over the operands.
func (l *lowerer) expr(g *gExpr) (ast.Expr, error) {
	xs, ops, err := l.operands(g)
	if err != nil {
		return nil, err
	}
	c := climber{xs: xs, ops: ops}
	return c.tree(sumPrec), nil
}

// operands lowers the operands of g, left to right, and returns them with
// the binary operators between them: ops[k] joins xs[k] and xs[k+1].
func (l *lowerer) operands(g *gExpr) (xs []ast.Expr, ops []binop, err error) {
	// The operand being gathered: the operand, its tokens (signs first)
	// and the index of its first postfix in g.Tails.
	o, toks, first := &g.gOperand, g.Tokens, 0
	for i := 0; i <= len(g.Tails); i++ {
		if i < len(g.Tails) && g.Tails[i].Tokens[0].Type != tBinOp {
			continue // a postfix of the operand
		}
		x, err := l.operand(o, toks, g.Tails[first:i])
		if err != nil {
			return nil, nil, err
		}
		xs = append(xs, x)
		if i < len(g.Tails) {
			t := g.Tails[i]
			op := t.Tokens[0]
			ops = append(ops, binop{pos: pos(op), op: binOps[op.Value]})
			o, toks, first = &t.gOperand, t.Tokens[1:], i+1
		}
	}
	return xs, ops, nil
}

// climber builds the binary tree over a flat list of operands by
// precedence climbing, as go/parser's parseBinaryExpr does: ops[k] joins
// xs[k] and xs[k+1], and next is the index of the next operand.
type climber struct {
	xs   []ast.Expr
	ops  []binop
	next int
}

// tree returns the tree of the next operand and the operators after it that
// bind at least as tightly as prec1, with the operands they join. Operators
// of equal precedence associate to the left; the recursion is as deep as
// the number of precedences, whatever the length of the list.
func (c *climber) tree(prec1 int) ast.Expr {
	x := c.xs[c.next]
	c.next++
	for c.next <= len(c.ops) {
		op := c.ops[c.next-1] // the operator after x
		prec := precedence(op.op)
		if prec < prec1 {
			break
		}
		y := c.tree(prec + 1)
		x = &ast.Binary{X: x, OpPos: op.pos, Op: op.op, Y: y}
	}
	return x
}

// signs returns the number of signs of o and its atom.
func (o *gOperand) signs() (int, gAtom) {
	n := 0
	for ; o.Neg != nil; o = o.Neg {
		n++
	}
	return n, gAtom{Paren: o.Paren, Norm: o.Norm, Inner: o.Inner}
}

// operand lowers the operand o with the postfixes sfx. The postfixes apply
// to its atom left to right, then the signs, innermost first, so -x^2 is
// -(x^2). toks are the operand's tokens, its signs first.
func (l *lowerer) operand(o *gOperand, toks []lexer.Token, sfx []*gTail) (ast.Expr, error) {
	signs, a := o.signs()
	x, err := l.postfix(&a, toks[signs], sfx)
	if err != nil {
		return nil, err
	}
	for i := signs - 1; i >= 0; i-- {
		x = &ast.Unary{OpPos: pos(toks[i]), X: x}
	}
	return x, nil
}

// postfix lowers an atom, whose first token is first, and its postfixes,
// left to right. A name followed by primes and a call is a function
// application g'(X); a call anywhere else is an error.
func (l *lowerer) postfix(a *gAtom, first lexer.Token, sfx []*gTail) (ast.Expr, error) {
	var x ast.Expr
	if first.Type == tIdent {
		k := 0
		for k < len(sfx) && sfx[k].Tokens[0].Type == tTick && sfx[k].Tokens[0].Value == "'" {
			k++
		}
		if k < len(sfx) && sfx[k].Call != nil {
			c, err := l.call(first, k, sfx[k].Call)
			if err != nil {
				return nil, err
			}
			x, sfx = c, sfx[k+1:]
		}
	}
	if x == nil {
		var err error
		if x, err = l.atom(a, first); err != nil {
			return nil, err
		}
	}
	for _, s := range sfx {
		op := s.Tokens[0]
		switch {
		case op.Type == tTick:
			x = &ast.Tick{X: x, OpEnd: end(op)}
		case op.Type == tSup:
			x = l.superscript(x, op)
		case s.Call != nil:
			return nil, l.errAt(op, `unexpected "(", expected an operator such as "*"`)
		case s.Pow != nil:
			var err error
			if x, err = l.pow(x, op, s.Pow); err != nil {
				return nil, err
			}
		}
	}
	return x, nil
}

// superscript lowers X², X⁻¹, X⁻ᵀ (the inverse transpose) and other
// superscript integers.
func (l *lowerer) superscript(x ast.Expr, t lexer.Token) ast.Expr {
	if t.Value == "⁻ᵀ" {
		inv := &ast.Power{X: x, OpPos: pos(t), Exp: l.minusOne(pos(t), end(t)), EndPos: end(t)}
		return &ast.Tick{X: inv, OpEnd: end(t)}
	}
	var digits strings.Builder
	for _, r := range t.Value {
		if r == '⁻' {
			digits.WriteByte('-')
			continue
		}
		digits.WriteRune('0' + rune(slices.Index([]rune(superDigits), r)))
	}
	v, _ := new(big.Rat).SetString(digits.String())
	k := &ast.NumLit{ValuePos: pos(t), ValueEnd: end(t), Text: t.Value, Value: v}
	return &ast.Power{X: x, OpPos: pos(t), Exp: k, EndPos: end(t)}
}

// minusOne is the exponent -1 of an inverse written without digits (X⁻ᵀ, X^-T).
func (l *lowerer) minusOne(p, e ast.Pos) *ast.NumLit {
	return &ast.NumLit{ValuePos: p, ValueEnd: e, Text: l.src[p:e], Value: big.NewRat(-1, 1)}
}

// pow lowers X^k and X.^k, where op is the ^ or .^. For ^ (not .^) the
// exponents T and \top, bare or in braces, are transposes, and -T is the
// inverse transpose.
func (l *lowerer) pow(x ast.Expr, op lexer.Token, p *gPow) (ast.Expr, error) {
	elementwise := op.Value == ".^"
	if p.Brace != nil {
		closing := end(last(p.Tokens))
		if sign, ok := braceTranspose(p.Brace); ok && !elementwise {
			return l.transpose(x, sign, closing), nil
		}
		e, err := l.expr(p.Brace)
		if err != nil {
			return nil, err
		}
		return &ast.Power{X: x, OpPos: pos(op), Elementwise: elementwise, Exp: e, EndPos: closing}, nil
	}
	var sign *lexer.Token
	first := p.Tokens[0] // of the atom
	if p.Sign != "" {
		sign, first = &p.Tokens[0], p.Tokens[1]
	}
	if !elementwise && p.Call == nil && isTransposeWord(first) {
		return l.transpose(x, sign, end(first)), nil
	}
	var e ast.Expr
	var err error
	switch {
	case p.Call != nil && first.Type == tIdent:
		e, err = l.call(first, 0, p.Call)
	case p.Call != nil:
		return nil, l.errAt(p.Open, `unexpected "(", expected an operator such as "*"`)
	default:
		e, err = l.atom(&p.gAtom, first)
	}
	if err != nil {
		return nil, err
	}
	if sign != nil {
		e = &ast.Unary{OpPos: pos(*sign), X: e}
	}
	return &ast.Power{X: x, OpPos: pos(op), Elementwise: elementwise, Exp: e, EndPos: e.End()}, nil
}

// transpose returns Xᵀ, or X⁻ᵀ when sign is not nil, ending at e.
func (l *lowerer) transpose(x ast.Expr, sign *lexer.Token, e ast.Pos) ast.Expr {
	if sign != nil {
		x = &ast.Power{X: x, OpPos: pos(*sign), Exp: l.minusOne(pos(*sign), e), EndPos: e}
	}
	return &ast.Tick{X: x, OpEnd: e}
}

// isTransposeWord reports whether an exponent whose first token is t is T
// or \top.
func isTransposeWord(t lexer.Token) bool {
	return t.Type == tIdent && t.Value == "T" || t.Type == tCommand
}

// braceTranspose reports whether {…} holds T, \top, -T or -\top; sign is the
// minus, if any.
func braceTranspose(g *gExpr) (sign *lexer.Token, ok bool) {
	signs, _ := g.signs()
	if len(g.Tails) > 0 || signs > 1 || !isTransposeWord(g.Tokens[signs]) {
		return nil, false
	}
	if signs == 1 {
		return &g.Tokens[0], true
	}
	return nil, true
}

// name normalises the spelling of a name: 𝟙 is ones.
func name(t lexer.Token) string {
	if t.Value == ones {
		return "ones"
	}
	return t.Value
}

// atom lowers an atom whose first token is first.
func (l *lowerer) atom(a *gAtom, first lexer.Token) (ast.Expr, error) {
	switch {
	case first.Type == tNumber:
		return l.number(first)
	case first.Type == tIdent:
		return l.ident(first), nil
	case first.Type == tCommand:
		return nil, l.errAt(first, `unexpected "\top" (it is only understood as an exponent: A^\top)`)
	case a.Paren != nil:
		x, err := l.expr(a.Paren.X)
		if err != nil {
			return nil, err
		}
		return &ast.Paren{Lparen: pos(first), Rparen: pos(last(a.Paren.Tokens)), X: x}, nil
	case a.Norm != nil:
		return l.norm(first, a.Norm)
	case a.Inner != nil:
		return l.inner(first, a.Inner)
	}
	panic(fmt.Sprintf("parser.atom: empty grammar node at %q", first.Value))
}

// number converts a number literal to an exact rational. The lexer has
// already bounded its exponent.
func (l *lowerer) number(t lexer.Token) (ast.Expr, error) {
	v, ok := new(big.Rat).SetString(strings.TrimSuffix(t.Value, "."))
	if !ok {
		return nil, l.errAt(t, fmt.Sprintf("malformed number %q", t.Value))
	}
	return &ast.NumLit{ValuePos: pos(t), ValueEnd: end(t), Text: t.Value, Value: v}, nil
}

// call lowers the application of the function named fn, with primes
// primes, to the arguments c.
func (l *lowerer) call(fn lexer.Token, primes int, c *gCall) (ast.Expr, error) {
	call := &ast.Call{FunPos: pos(fn), Fun: name(fn), Primes: primes, Rparen: pos(last(c.Tokens))}
	args := make([]*gArg, 0, 1+len(c.Rest))
	if c.First != nil {
		args = append(args, c.First)
	} else if len(c.Rest) > 0 {
		return nil, l.errAt(c.Tokens[0], `unexpected ",", expected an operand`)
	}
	args = append(args, c.Rest...)
	for _, a := range args {
		if a.X == nil {
			v := a.Str.Value
			call.Args = append(call.Args, &ast.StrLit{QuotePos: pos(a.Str), QuoteEnd: end(a.Str), Value: v[1 : len(v)-1]})
			continue
		}
		x, err := l.expr(a.X)
		if err != nil {
			return nil, err
		}
		call.Args = append(call.Args, x)
	}
	return call, nil
}

// norm lowers ||X||, ‖X‖ and their subscripts _2, ₂, _{2}, _F, _{F}, _fro.
// lbar is the opening bar.
func (l *lowerer) norm(lbar lexer.Token, g *gNorm) (ast.Expr, error) {
	x, err := l.expr(g.X)
	if err != nil {
		return nil, err
	}
	n := &ast.Norm{Lbar: pos(lbar), X: x, EndPos: end(g.Tokens[len(g.X.Tokens)])}
	if s := g.Sub; s != nil {
		word := s.Word
		n.EndPos = end(last(s.Tokens))
		switch word.Value {
		case "2", "₂":
			n.Sub = "2"
		case "F", "fro":
			n.Sub = word.Value
		default:
			return nil, l.errAt(word, fmt.Sprintf("unknown norm subscript %q (write _2 or _F)", word.Value))
		}
	}
	if g.Sup.Value != "" { // ‖X‖²_F is (‖X‖_F)²
		return l.superscript(n, g.Sup), nil
	}
	return n, nil
}

var closers = map[string]string{"<": ">", "⟨": "⟩"}

// inner lowers an inner product; lang is its opening bracket.
func (l *lowerer) inner(lang lexer.Token, g *gInner) (ast.Expr, error) {
	rang := last(g.Tokens)
	if want := closers[lang.Value]; rang.Value != want {
		return nil, l.errAt(rang, fmt.Sprintf("unexpected %q, expected %q to close %q", rang.Value, want, lang.Value))
	}
	x, err := l.expr(g.X)
	if err != nil {
		return nil, err
	}
	y, err := l.expr(g.Y)
	if err != nil {
		return nil, err
	}
	return &ast.InnerProd{Lang: pos(lang), X: x, Y: y, Rang: pos(rang), EndPos: end(rang)}, nil
}
