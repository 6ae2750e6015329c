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

func (l *lowerer) errAt(t lexer.Token, msg string) *ast.Error {
	return ast.Errorf(l.src, pos(t), end(t), msg)
}

func (l *lowerer) expr(g *gExpr) (ast.Expr, error) {
	x, err := l.term(g.Head)
	if err != nil {
		return nil, err
	}
	for _, t := range g.Tail {
		y, err := l.term(t.Y)
		if err != nil {
			return nil, err
		}
		op := ast.OpAdd
		if t.Op.Value != "+" {
			op = ast.OpSub
		}
		x = &ast.Binary{X: x, OpPos: pos(t.Op), Op: op, Y: y}
	}
	return x, nil
}

var mulOps = map[string]ast.BinOp{
	"*": ast.OpMul, "·": ast.OpMul, "/": ast.OpDiv,
	".*": ast.OpHadamard, "⊙": ast.OpHadamard, "./": ast.OpElemDiv, "⊘": ast.OpElemDiv, "⊗": ast.OpKron,
}

func (l *lowerer) term(g *gTerm) (ast.Expr, error) {
	x, err := l.unary(g.Head)
	if err != nil {
		return nil, err
	}
	for _, t := range g.Tail {
		y, err := l.unary(t.Y)
		if err != nil {
			return nil, err
		}
		x = &ast.Binary{X: x, OpPos: pos(t.Op), Op: mulOps[t.Op.Value], Y: y}
	}
	return x, nil
}

func (l *lowerer) unary(g *gUnary) (ast.Expr, error) {
	x, err := l.postfix(g.X)
	if err != nil {
		return nil, err
	}
	for i := len(g.Signs) - 1; i >= 0; i-- {
		x = &ast.Unary{OpPos: pos(g.Signs[i].Op), X: x}
	}
	return x, nil
}

// postfix lowers a primary and its suffixes, left to right. A name followed
// by primes and a call is a function application g'(X); a call anywhere
// else is an error.
func (l *lowerer) postfix(g *gPostfix) (ast.Expr, error) {
	sfx := g.Suffixes
	var x ast.Expr
	if id := g.X.Ident; id.Value != "" {
		k := 0
		for k < len(sfx) && sfx[k].Tick.Value == "'" {
			k++
		}
		if k < len(sfx) && sfx[k].Call != nil {
			c, err := l.call(id, k, sfx[k].Call)
			if err != nil {
				return nil, err
			}
			x, sfx = c, sfx[k+1:]
		}
	}
	if x == nil {
		var err error
		if x, err = l.primary(g.X); err != nil {
			return nil, err
		}
	}
	for _, s := range sfx {
		switch {
		case s.Tick.Value != "":
			x = &ast.Tick{X: x, OpEnd: end(s.Tick)}
		case s.Sup.Value != "":
			x = l.superscript(x, s.Sup)
		case s.Call != nil:
			return nil, l.errAt(s.Call.Open, `unexpected "(", expected an operator such as "*"`)
		case s.Pow != nil:
			var err error
			if x, err = l.pow(x, s.Pow); err != nil {
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

// pow lowers X^k and X.^k. For ^ (not .^) the exponents T and \top, bare or
// in braces, are transposes, and -T is the inverse transpose.
func (l *lowerer) pow(x ast.Expr, p *gPow) (ast.Expr, error) {
	elementwise := p.Op.Value == ".^"
	if p.Brace != nil {
		if sign, ok := braceTranspose(p.Brace); ok && !elementwise {
			return l.transpose(x, sign, end(p.Close)), nil
		}
		e, err := l.expr(p.Brace)
		if err != nil {
			return nil, err
		}
		return &ast.Power{X: x, OpPos: pos(p.Op), Elementwise: elementwise, Exp: e, EndPos: end(p.Close)}, nil
	}
	if !elementwise && p.Call == nil && isTransposeWord(p.Atom) {
		var sign *lexer.Token
		if p.Sign != nil {
			sign = &p.Sign.Op
		}
		return l.transpose(x, sign, end(primaryToken(p.Atom))), nil
	}
	var e ast.Expr
	var err error
	switch {
	case p.Call != nil && p.Atom.Ident.Value != "":
		e, err = l.call(p.Atom.Ident, 0, p.Call)
	case p.Call != nil:
		return nil, l.errAt(p.Call.Open, `unexpected "(", expected an operator such as "*"`)
	default:
		e, err = l.primary(p.Atom)
	}
	if err != nil {
		return nil, err
	}
	if p.Sign != nil {
		e = &ast.Unary{OpPos: pos(p.Sign.Op), X: e}
	}
	return &ast.Power{X: x, OpPos: pos(p.Op), Elementwise: elementwise, Exp: e, EndPos: e.End()}, nil
}

// transpose returns Xᵀ, or X⁻ᵀ when sign is not nil, ending at e.
func (l *lowerer) transpose(x ast.Expr, sign *lexer.Token, e ast.Pos) ast.Expr {
	if sign != nil {
		x = &ast.Power{X: x, OpPos: pos(*sign), Exp: l.minusOne(pos(*sign), e), EndPos: e}
	}
	return &ast.Tick{X: x, OpEnd: e}
}

// isTransposeWord reports whether an exponent is T or \top.
func isTransposeWord(g *gPrimary) bool {
	return g.Ident.Value == "T" || g.Command.Value != ""
}

// braceTranspose reports whether {…} holds T, \top, -T or -\top; sign is the
// minus, if any.
func braceTranspose(g *gExpr) (sign *lexer.Token, ok bool) {
	if len(g.Tail) > 0 || len(g.Head.Tail) > 0 {
		return nil, false
	}
	u := g.Head.Head
	if len(u.Signs) > 1 || len(u.X.Suffixes) > 0 || !isTransposeWord(u.X.X) {
		return nil, false
	}
	if len(u.Signs) == 1 {
		return &u.Signs[0].Op, true
	}
	return nil, true
}

// primaryToken is the single token of a Number, Ident or Command primary.
func primaryToken(g *gPrimary) lexer.Token {
	switch {
	case g.Num.Value != "":
		return g.Num
	case g.Ident.Value != "":
		return g.Ident
	}
	return g.Command
}

// name normalises the spelling of a name: 𝟙 is ones.
func name(t lexer.Token) string {
	if t.Value == ones {
		return "ones"
	}
	return t.Value
}

func (l *lowerer) primary(g *gPrimary) (ast.Expr, error) {
	switch {
	case g.Num.Value != "":
		return l.number(g.Num)
	case g.Ident.Value != "":
		return l.ident(g.Ident), nil
	case g.Command.Value != "":
		return nil, l.errAt(g.Command, `unexpected "\top" (it is only understood as an exponent: A^\top)`)
	case g.Paren != nil:
		x, err := l.expr(g.Paren)
		if err != nil {
			return nil, err
		}
		return &ast.Paren{Lparen: pos(g.Open), Rparen: pos(g.Close), X: x}, nil
	case g.Norm != nil:
		return l.norm(g.Norm)
	case g.Inner != nil:
		return l.inner(g.Inner)
	}
	panic(fmt.Sprintf("parser.primary: empty grammar node %+v", g))
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

func (l *lowerer) call(fn lexer.Token, primes int, c *gCall) (ast.Expr, error) {
	call := &ast.Call{FunPos: pos(fn), Fun: name(fn), Primes: primes, Rparen: pos(c.Close)}
	args := make([]*gArg, 0, 1+len(c.Rest))
	if c.First != nil {
		args = append(args, c.First)
	} else if len(c.Rest) > 0 {
		return nil, l.errAt(c.Rest[0].Comma, `unexpected ",", expected an operand`)
	}
	for _, m := range c.Rest {
		args = append(args, m.Arg)
	}
	for _, a := range args {
		if a.Str.Value != "" {
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
func (l *lowerer) norm(g *gNorm) (ast.Expr, error) {
	x, err := l.expr(g.X)
	if err != nil {
		return nil, err
	}
	n := &ast.Norm{Lbar: pos(g.Open), X: x, EndPos: end(g.Close)}
	if s := g.Sub; s != nil {
		word := s.Word
		n.EndPos = end(word)
		switch {
		case s.Sub.Value != "":
			word, n.EndPos = s.Sub, end(s.Sub)
		case s.Braced.Value != "":
			word, n.EndPos = s.Braced, end(s.RBrace)
		}
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

func (l *lowerer) inner(g *gInner) (ast.Expr, error) {
	if want := closers[g.Open.Value]; g.Close.Value != want {
		return nil, l.errAt(g.Close, fmt.Sprintf("unexpected %q, expected %q to close %q", g.Close.Value, want, g.Open.Value))
	}
	x, err := l.expr(g.X)
	if err != nil {
		return nil, err
	}
	y, err := l.expr(g.Y)
	if err != nil {
		return nil, err
	}
	return &ast.InnerProd{Lang: pos(g.Open), X: x, Y: y, Rang: pos(g.Close), EndPos: end(g.Close)}, nil
}
