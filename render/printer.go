package render

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
)

// notation selects the tokens of a printer; the grammar is the same.
type notation uint8

const (
	notText  notation = iota // Unicode: A·Bᵀ − X⁻¹, ‖X‖²_F, ⟨Δ, G⟩
	notASCII                 // the input syntax of SPEC §2: A*B' - inv(X)
	notLaTeX                 // amsmath: A B^{\top} - X^{-1}
)

// Break levels: a line of a document may wrap before a piece that carries
// one, at the top level of an expression.
const (
	brkNone uint8 = iota
	brkSum        // before a top-level + or −
	brkProd       // before a top-level ·
)

// piece is a run of output: its styled text, the width of its unstyled text
// in runes, and whether a line may break before it.
type piece struct {
	s   string
	w   int
	brk uint8
}

// printer writes one expression in one notation. Parentheses are added only
// where the precedence table (prec.go) requires them.
type printer struct {
	nt    notation
	th    Theme
	names Names
	root  *ast.Node // printed in full even when it is a temporary
	ps    []piece
	depth int // nesting of brackets; breaks are marked only at depth 0
	// literal prints negated sums as they are, −(B·X − Y) (see negatedSum).
	literal bool
	untr    untransposer // names are opaque to it
	forms   map[formKey]mulForm
}

// formKey identifies a product's printed form: the node, and whether its
// coefficient is negated.
type formKey struct {
	n    *ast.Node
	flip bool
}

// mulForm is newMulForm with this printer's temporaries kept as factors,
// computed once per node: a product is analysed by every check of its
// sign and precedence as well as by its printing.
func (p *printer) mulForm(n *ast.Node, flip bool) mulForm {
	k := formKey{n, flip}
	if f, ok := p.forms[k]; ok {
		return f
	}
	if p.forms == nil {
		p.forms = map[formKey]mulForm{}
	}
	f := newMulForm(n, flip, p.isName)
	p.forms[k] = f
	return f
}

// Text returns n in Unicode notation, styled with th: 2·(B·X − Y)·Xᵀ.
func Text(n *ast.Node, th Theme) string { return Names(nil).Text(n, th) }

// ASCII returns n in the input syntax of SPEC §2, which mdiff parses back:
// 2*(B*X - Y)*X'.
func ASCII(n *ast.Node) string { return Names(nil).ASCII(n) }

// LaTeX returns n as LaTeX math using amsmath only: 2 (B X - Y) X^{\top}.
func LaTeX(n *ast.Node) string { return Names(nil).LaTeX(n) }

// Text returns n in Unicode notation with the temporaries of nm written as
// T₁, T₂, …; n itself is written in full.
func (nm Names) Text(n *ast.Node, th Theme) string { return join(nm.pieces(notText, th, n)) }

// ASCII returns n in the ASCII syntax with the temporaries of nm written as
// T1, T2, …; n itself is written in full.
func (nm Names) ASCII(n *ast.Node) string { return join(nm.pieces(notASCII, Theme{}, n)) }

// LaTeX returns n in LaTeX with the temporaries of nm written as T_{1},
// T_{2}, …; n itself is written in full.
func (nm Names) LaTeX(n *ast.Node) string { return join(nm.pieces(notLaTeX, Theme{}, n)) }

func (nm Names) pieces(nt notation, th Theme, n *ast.Node) []piece {
	p := &printer{nt: nt, th: th, names: nm, root: n}
	p.top(n)
	return p.ps
}

// literalPieces is pieces with negated sums printed as they are.
func (nm Names) literalPieces(nt notation, th Theme, n *ast.Node) []piece {
	p := &printer{nt: nt, th: th, names: nm, root: n, literal: true}
	p.top(n)
	return p.ps
}

func join(ps []piece) string {
	n := 0
	for _, p := range ps {
		n += len(p.s)
	}
	var sb strings.Builder
	sb.Grow(n)
	for _, p := range ps {
		sb.WriteString(p.s)
	}
	return sb.String()
}

func width(ps []piece) int {
	w := 0
	for _, p := range ps {
		w += p.w
	}
	return w
}

// top prints a root. The operands of a root inner product ⟨Δ, G⟩ count as
// top level, so that a long differential can wrap.
func (p *printer) top(n *ast.Node) {
	if n.Kind == ast.KInner {
		p.inner(n, false)
		return
	}
	p.expr(n, precLowest)
}

// emit appends styled text of the given visible width.
func (p *printer) emit(f func(a ...any) string, s string) {
	p.ps = append(p.ps, piece{s: style(f, s), w: utf8.RuneCountInString(s)})
}

func (p *printer) raw(s string) { p.emit(nil, s) }
func (p *printer) op(s string)  { p.emit(p.th.Op, s) }
func (p *printer) fn(s string)  { p.emit(p.th.Func, s) }

// name writes a name; in ASCII a Greek letter is spelled out (Ω → Omega).
func (p *printer) name(s string) {
	if p.nt == notASCII {
		s = ASCIIName(s)
	}
	p.emit(p.th.Var, s)
}

// brk appends a space before which a line may break (at depth 0); a broken
// line drops it.
func (p *printer) brk(level uint8) {
	if p.depth > 0 {
		level = brkNone
	}
	p.ps = append(p.ps, piece{s: " ", w: 1, brk: level})
}

func (p *printer) open(s string)  { p.raw(s); p.depth++ }
func (p *printer) close(s string) { p.depth--; p.raw(s) }

// minus writes a minus sign.
func (p *printer) minus() {
	switch p.nt {
	case notText:
		p.op("−")
	default:
		p.op("-")
	}
}

// untransposed is m with n = mᵀ (see untransposer), looking into no
// temporary that prints as a name here.
func (p *printer) untransposed(n *ast.Node) *ast.Node {
	if p.untr.opaque == nil {
		p.untr.opaque = p.isName
	}
	return p.untr.of(n)
}

// isName reports whether n prints as a temporary's name here.
func (p *printer) isName(n *ast.Node) bool { return n != p.root && p.names[n] != 0 }

// expr prints n in a context that requires precedence ctx.
func (p *printer) expr(n *ast.Node, ctx int) { p.exprFlip(n, ctx, false) }

// exprFlip prints n (or −n when flip is set; only for flippable nodes).
func (p *printer) exprFlip(n *ast.Node, ctx int, flip bool) {
	if p.isName(n) {
		p.tempName(p.names[n])
		return
	}
	if len(p.names) > 0 && (n.Kind == ast.KAdd || n.Kind == ast.KMul) {
		if u := p.untransposed(n); u != nil && p.isName(u) { // xᵀ − mᵀ as T₁ᵀ for T₁ = x − m
			p.exprFlip(ast.Transpose(u), ctx, flip)
			return
		}
	}
	if !flip {
		if m := p.negatedSum(n); m != nil {
			n = m
		}
	}
	if n.Kind == ast.KMul || isDivPow(n) {
		f := p.mulForm(n, flip)
		if g, ok := f.single(); ok {
			p.expr(g, ctx)
			return
		}
		p.paren(p.mulPrec(f), ctx, func() { p.mul(f) })
		return
	}
	if flip {
		// Only numbers are flippable besides products.
		p.paren(p.numPrec(n.Num, true), ctx, func() { p.number(n, true) })
		return
	}
	p.paren(p.prec(n), ctx, func() { p.body(n) })
}

// negatedSum returns c·(a − b)·… for a product −c·(b − a)·… with one sum
// factor that has a negative term, so that it prints as
// S⁻¹ − S⁻¹·x·xᵀ·S⁻¹ rather than −(S⁻¹·x·xᵀ·S⁻¹ − S⁻¹), and −(a + b) as
// −a − b. The tree keeps its
// canonical sign; only the printed form changes. It returns nil otherwise.
func (p *printer) negatedSum(n *ast.Node) *ast.Node {
	if p.literal || n.Kind != ast.KMul || n.Args[0].Kind != ast.KNum || n.Args[0].Num.Sign() >= 0 {
		return nil
	}
	k := -1
	for i, a := range n.Args[1:] {
		if a.Kind == ast.KAdd {
			if k >= 0 {
				return nil // two sums: which one to flip is a matter of taste
			}
			k = i + 1
		}
	}
	if k < 0 || p.isName(n.Args[k]) {
		return nil
	}
	sum := n.Args[k]
	var pos, neg []*ast.Node
	for _, t := range sum.Args {
		if !p.flippable(t) {
			pos = append(pos, negate(t))
			continue
		}
		neg = append(neg, negate(t))
	}
	if len(neg) == 0 {
		if len(n.Args) == 2 && n.Args[0].IsNum(-1) {
			// −(a + b) prints as −a − b, two parentheses fewer.
			return ast.Add(pos...)
		}
		return nil
	}
	c := new(big.Rat).Neg(n.Args[0].Num)
	args := append([]*ast.Node{}, n.Args[1:]...)
	args[k-1] = ast.Add(append(neg, pos...)...)
	if !ast.IsOne(c) {
		args = append([]*ast.Node{ast.Number(c)}, args...)
	}
	if len(args) == 1 {
		return args[0]
	}
	return ast.Mul(args...)
}

// negate returns −t for printing: the coefficient of a product flips.
func negate(t *ast.Node) *ast.Node {
	switch {
	case t.Kind == ast.KNum:
		return ast.Number(new(big.Rat).Neg(t.Num))
	case t.Kind == ast.KMul && t.Args[0].Kind == ast.KNum:
		c := new(big.Rat).Neg(t.Args[0].Num)
		if ast.IsOne(c) {
			return ast.Mul(t.Args[1:]...)
		}
		return ast.Mul(append([]*ast.Node{ast.Number(c)}, t.Args[1:]...)...)
	}
	return ast.Mul(ast.Int(-1), t)
}

// operand prints n as a non-leading operand: besides precedence, an
// operand that would start with a minus sign is parenthesised (A ⊙ (−B)).
func (p *printer) operand(n *ast.Node, ctx int) {
	if p.leadingMinus(n) {
		ctx = precForce
	}
	p.expr(n, ctx)
}

func (p *printer) paren(prec, ctx int, body func()) {
	if prec >= ctx {
		body()
		return
	}
	if p.nt == notLaTeX {
		p.open(`\left(`)
		body()
		p.close(`\right)`)
		return
	}
	p.open("(")
	body()
	p.close(")")
}

func (p *printer) tempName(k int) {
	switch p.nt {
	case notText:
		p.name("T" + subscript(strconv.Itoa(k)))
	case notASCII:
		p.name("T" + strconv.Itoa(k))
	default:
		p.raw("T_{" + strconv.Itoa(k) + "}")
	}
}

// flippable reports whether n prints with a leading minus that a sum can
// turn into its operator: A + (−2·B) is A − 2·B.
func (p *printer) flippable(n *ast.Node) bool {
	if p.isName(n) {
		return false
	}
	switch {
	case n.Kind == ast.KNum:
		return n.Num.Sign() < 0
	case n.Kind == ast.KMul || isDivPow(n):
		f := p.mulForm(n, false)
		_, single := f.single()
		return f.neg && !single
	}
	return false
}

// leadingMinus reports whether n's printed form starts with a minus sign
// (outside parentheses).
func (p *printer) leadingMinus(n *ast.Node) bool {
	if p.isName(n) {
		return false
	}
	switch {
	case p.flippable(n):
		return true
	case n.Kind == ast.KMul:
		if g, ok := p.mulForm(n, false).single(); ok {
			return p.leadingMinus(g)
		}
	case n.Kind == ast.KAdd:
		first := n.Args[0]
		if hideBroadcasts(n) && first.Kind == ast.KBroadcast && !p.isName(first) {
			first = first.Args[0]
		}
		return p.leadingMinus(first)
	case n.Kind == ast.KBroadcast:
		return !n.Args[0].Shape.IsRowVector() && p.leadingMinus(n.Args[0])
	}
	return false
}

// mulPrec is the precedence of a printed product.
func (p *printer) mulPrec(f mulForm) int {
	switch {
	case p.elementwiseTail(f):
		return precProd // −A ⊘ B
	case f.hasDiv() && p.nt == notLaTeX:
		if f.neg {
			return precUnary
		}
		return precPostfix // \frac{…}{…} is an atom, but keep it out of ^{}
	case f.hasDiv() || f.items() > 1:
		return precProd
	}
	return precUnary // −X
}

// prec is the precedence of n's printed form (n is not a product, a
// division or a temporary).
func (p *printer) prec(n *ast.Node) int {
	switch n.Kind {
	case ast.KNum:
		return p.numPrec(n.Num, false)
	case ast.KAdd:
		return precSum
	case ast.KHadamard, ast.KDiv, ast.KBroadcast:
		return precProd
	case ast.KCall:
		if n.Op.Infix && p.nt != notASCII {
			return precProd // A ⊗ B; kron(A, B) in ASCII
		}
		return precAtom
	case ast.KPow:
		if reciprocal(n) {
			return precProd
		}
		return precPostfix
	case ast.KTranspose, ast.KMatPow, ast.KMatPowSym:
		return precPostfix
	case ast.KInverse:
		if p.nt == notASCII {
			return precAtom // inv(X), inv(X')
		}
		return precPostfix
	}
	return precAtom
}

// numPrec is the precedence of a printed number (negated when flip is set).
func (p *printer) numPrec(r *big.Rat, flip bool) int {
	if s := r.Sign(); s < 0 != flip && s != 0 {
		return precUnary
	}
	if _, frac := ratText(new(big.Rat).Abs(r)); frac {
		if p.nt == notLaTeX {
			return precPostfix
		}
		return precProd
	}
	return precAtom
}

// invT returns X when n is (X⁻¹)ᵀ or (Xᵀ)⁻¹ and the inner node is not a
// temporary.
func (p *printer) invT(n *ast.Node) (*ast.Node, bool) {
	switch n.Kind {
	case ast.KTranspose, ast.KInverse:
		in := n.Args[0]
		want := ast.KInverse
		if n.Kind == ast.KInverse {
			want = ast.KTranspose
		}
		if in.Kind == want && !p.isName(in) {
			return in.Args[0], true
		}
	}
	return nil, false
}

// body prints n (not a product or a temporary) without outer parentheses.
func (p *printer) body(n *ast.Node) {
	switch n.Kind {
	case ast.KVar:
		switch p.nt {
		case notLaTeX:
			p.emit(p.th.Var, latexName(n.Name))
		case notText:
			p.name(textName(n.Name))
		default:
			p.name(n.Name)
		}
	case ast.KNum:
		p.number(n, false)
	case ast.KIdentity:
		p.name("I")
	case ast.KSize:
		p.name(n.Name)
	case ast.KOnes:
		p.ones()
		if n.Shape.IsRowVector() { // a row of ones is 𝟙ᵀ
			p.power("ᵀ", "'", `{\top}`)
		}
	case ast.KZero:
		p.emit(p.th.Num, "0")
	case ast.KDelta:
		p.emit(p.th.Delta, p.pick("Δ", "Delta", `\Delta`))
	case ast.KAdd:
		p.add(n)
	case ast.KHadamard:
		p.infix(n, p.pick("⊙", ".*", `\odot`))
	case ast.KDiv:
		p.infix(n, p.pick("⊘", "./", `\oslash`))
	case ast.KTranspose, ast.KInverse:
		p.postfixOp(n)
	case ast.KMatPow:
		p.expr(n.Args[0], ctxPostfix)
		k := strconv.Itoa(n.K)
		p.power(k, k, "{"+k+"}")
	case ast.KPow:
		p.pow(n)
	case ast.KMatPowSym:
		p.symPower(n)
	case ast.KApply:
		p.apply(n)
	case ast.KCall:
		p.opCall(n)
	case ast.KInner:
		p.inner(n, true)
	case ast.KBroadcast:
		p.broadcast(n)
	default:
		panic(fmt.Sprintf("render.printer.body: unexpected node kind %v", n.Kind))
	}
}

// pick chooses a token by notation.
func (p *printer) pick(text, ascii, latex string) string {
	switch p.nt {
	case notText:
		return text
	case notASCII:
		return ascii
	}
	return latex
}

func (p *printer) ones() {
	p.name(p.pick("𝟙", "ones", `\mathbf{1}`))
}

// number prints a number node, negated when flip is set.
func (p *printer) number(n *ast.Node, flip bool) {
	r := n.Num
	neg := r.Sign() < 0 != flip && r.Sign() != 0
	if neg {
		p.minus()
	}
	abs := new(big.Rat).Abs(r)
	s, frac := ratText(abs)
	if frac && p.nt == notLaTeX {
		s = `\frac{` + abs.Num().String() + "}{" + abs.Denom().String() + "}"
	}
	p.emit(p.th.Num, s)
}

// add prints a sum: a later term with a leading minus prints as " − term".
func (p *printer) add(n *ast.Node) {
	hide := hideBroadcasts(n)
	for i, t := range n.Args {
		if hide && t.Kind == ast.KBroadcast && !p.isName(t) {
			t = t.Args[0]
		}
		if i == 0 {
			p.expr(t, precSum)
			continue
		}
		p.brk(brkSum)
		if p.flippable(t) {
			p.minus()
			p.raw(" ")
			p.exprFlip(t, ctxTerm, true)
			continue
		}
		p.op("+")
		p.raw(" ")
		p.operand(t, ctxTerm)
	}
}

// infix prints an elementwise or Kronecker product; every operand is
// parenthesised unless it binds tighter than a product.
func (p *printer) infix(n *ast.Node, op string) {
	hide := hideBroadcasts(n)
	for i, a := range n.Args {
		if hide && a.Kind == ast.KBroadcast && !p.isName(a) {
			a = a.Args[0]
		}
		if i > 0 {
			p.raw(" ")
			p.op(op)
			p.raw(" ")
			p.operand(a, ctxFactor)
			continue
		}
		if a.Kind == n.Kind && !p.isName(a) {
			p.expr(a, precProd) // (A ⊙ B) ⊙ C reads A ⊙ B ⊙ C
			continue
		}
		p.expr(a, ctxFactor)
	}
}

// mul prints a product in the form described by mulForm.
func (p *printer) mul(f mulForm) {
	if f.neg {
		p.minus()
	}
	// A leading product factor needs no parentheses: the product is
	// associative and the parser reads x'*A*x as (x'*A)*x.
	lead := !f.neg && !f.showNum()
	if p.nt == notLaTeX && f.hasDiv() {
		p.fn(`\frac{`)
		p.depth++
		p.factors(f.numItems(), f.items() > 1, lead)
		p.fn("}{")
		p.factors(f.denItems(), len(f.denItems()) > 1, false)
		p.depth--
		p.fn("}")
		return
	}
	items := f.numItems()
	if p.elementwiseTail(f) {
		items[len(items)-1].bare = true
	}
	p.factors(items, true, lead)
	if !f.hasDiv() {
		return
	}
	p.raw(" ")
	p.op("/")
	p.raw(" ")
	den := f.denItems()
	if len(den) == 1 {
		p.operandItem(den[0], ctxFactor)
		return
	}
	p.open("(")
	p.factors(den, true, false)
	p.close(")")
}

// mulItem is a printed factor: a node, or a bare number (a coefficient's
// numerator or denominator). A bare node prints without parentheses at the
// precedence of a product (see elementwiseTail).
type mulItem struct {
	n    *ast.Node
	num  string
	bare bool
}

// elementwiseTail reports whether f is a sign and scalar factors followed
// by one elementwise product or quotient, which then prints without its
// parentheses: the parser reads −A ⊘ B as (−A) ⊘ B, and 2·A ⊙ X as
// (2·A) ⊙ X (one precedence, left to right), both equal to the product.
// The quotient's own first operand must not start with a minus.
func (p *printer) elementwiseTail(f mulForm) bool {
	if f.hasDiv() {
		return false
	}
	items := f.numItems()
	last := items[len(items)-1].n
	if last == nil || p.isName(last) || last.Kind != ast.KHadamard && last.Kind != ast.KDiv {
		return false
	}
	if len(items) == 1 && !f.neg {
		return false
	}
	for _, it := range items[:len(items)-1] {
		if it.n != nil && !it.n.IsScalar() {
			return false
		}
	}
	return !p.leadingMinus(last.Args[0])
}

func (f mulForm) numItems() []mulItem {
	items := make([]mulItem, 0, len(f.factors)+1)
	if f.showNum() {
		items = append(items, mulItem{num: intText(f.num)})
	}
	for _, a := range f.factors {
		items = append(items, mulItem{n: a})
	}
	return items
}

func (f mulForm) denItems() []mulItem {
	var items []mulItem
	if !f.den.IsInt64() || f.den.Int64() != 1 {
		items = append(items, mulItem{num: intText(f.den)})
	}
	for _, a := range f.denoms {
		items = append(items, mulItem{n: a})
	}
	return items
}

// factors prints items joined by the product operator: · in text, * in
// ASCII, juxtaposition in LaTeX (\cdot before a digit). With several items
// each is parenthesised unless it binds tighter than a product; a single
// item is printed as is (inside \frac). When lead is set, a first item that
// is itself a plain product (no sign, no division) is not parenthesised.
func (p *printer) factors(items []mulItem, several, lead bool) {
	ctx := precLowest
	if several {
		ctx = ctxFactor
	}
	for i, it := range items {
		if i == 0 && lead && it.n != nil && p.plainProduct(it.n) {
			p.expr(it.n, precProd)
			continue
		}
		if i > 0 {
			switch p.nt {
			case notText:
				p.ps = append(p.ps, piece{s: style(p.th.Op, "·"), w: 1, brk: p.brkLevel(brkProd)})
			case notASCII:
				p.ps = append(p.ps, piece{s: "*", w: 1, brk: p.brkLevel(brkProd)})
			default:
				at := len(p.ps)
				p.raw(" ")
				p.operandItem(it, ctx)
				if s := join(p.ps[at+1:]); s != "" && (s[0] >= '0' && s[0] <= '9' || s[0] == '-') {
					p.ps[at].s = ` \cdot `
				}
				continue
			}
		}
		p.operandItem(it, ctx)
	}
}

// plainProduct reports whether n prints as a product without a sign or a
// division.
func (p *printer) plainProduct(n *ast.Node) bool {
	if n.Kind != ast.KMul || p.isName(n) {
		return false
	}
	f := p.mulForm(n, false)
	return !f.neg && !f.hasDiv()
}

func (p *printer) brkLevel(l uint8) uint8 {
	if p.depth > 0 {
		return brkNone
	}
	return l
}

func (p *printer) operandItem(it mulItem, ctx int) {
	if it.n == nil {
		p.emit(p.th.Num, it.num)
		return
	}
	if it.bare {
		p.expr(it.n, precProd)
		return
	}
	p.operand(it.n, ctx)
}

// postfixOp prints a transpose or an inverse (X⁻ᵀ for either nesting).
func (p *printer) postfixOp(n *ast.Node) {
	if x, ok := p.invT(n); ok {
		switch p.nt {
		case notASCII:
			if n.Kind == ast.KTranspose { // inv(X)'
				p.call("inv", x)
				p.op("'")
			} else { // inv(X')
				p.fn("inv")
				p.open("(")
				p.expr(x, ctxPostfix)
				p.op("'")
				p.close(")")
			}
		default:
			p.expr(x, ctxPostfix)
			p.power("⁻ᵀ", "", `{-\top}`)
		}
		return
	}
	if n.Kind == ast.KInverse && p.nt == notASCII {
		p.call("inv", n.Args[0])
		return
	}
	p.expr(n.Args[0], ctxPostfix)
	if n.Kind == ast.KTranspose {
		p.power("ᵀ", "'", `{\top}`)
	} else {
		p.power("⁻¹", "", `{-1}`)
	}
}

// power writes a postfix token: the text form as is, the ASCII form after
// ^ unless it is a tick, the LaTeX form after ^.
func (p *printer) power(text, ascii, latex string) {
	switch p.nt {
	case notText:
		p.op(superscriptIfDigits(text))
	case notASCII:
		if ascii == "'" {
			p.op("'")
		} else {
			p.op("^" + ascii)
		}
	default:
		p.op("^" + latex)
	}
}

func superscriptIfDigits(s string) string {
	if isDigits(s) {
		return superscript(s)
	}
	return s
}

// reciprocal reports whether n is A.^(−1) of a matrix or vector A, printed 1 ⊘ A.
func reciprocal(n *ast.Node) bool {
	return n.Kind == ast.KPow && !n.Args[0].IsScalar() && n.Args[1].IsNum(-1)
}

// pow prints an elementwise power (a scalar power for a scalar base).
func (p *printer) pow(n *ast.Node) {
	base, e := n.Args[0], n.Args[1]
	if reciprocal(n) {
		p.emit(p.th.Num, "1")
		p.raw(" ")
		p.op(p.pick("⊘", "./", `\oslash`))
		p.raw(" ")
		p.expr(base, precPostfix)
		return
	}
	k, isInt := 0, false
	if e.Kind == ast.KNum {
		k, isInt = smallInt(e.Num)
	}
	if base.Is(builtin.Norm) && !p.isName(base) && isInt && k > 0 {
		p.norm(base, strconv.Itoa(k))
		return
	}
	p.expr(base, ctxPostfix)
	switch p.nt {
	case notText:
		// A Hadamard power of a matrix is A∘², so that it never reads as the matrix power A².
		if !base.IsScalar() {
			p.op("∘")
		}
		if isInt {
			p.op(superscript(strconv.Itoa(k)))
			return
		}
		p.op("^")
		p.expr(e, precAtom)
	case notASCII:
		if base.IsScalar() {
			p.op("^")
		} else {
			p.op(".^")
		}
		p.expr(e, precAtom)
	default:
		p.op("^{")
		if !base.IsScalar() {
			p.op(`\circ `)
		}
		p.depth++
		p.expr(e, precLowest)
		p.depth--
		p.op("}")
	}
}

// norm prints ‖X‖_F (‖x‖ for a vector), with the power exp ("" for none)
// written as ‖X‖²_F, ||X||_F^2, \lVert X \rVert_F^{2}.
func (p *printer) norm(n *ast.Node, exp string) {
	a := n.Args[0]
	sub := ""
	if !a.Shape.IsColVector() && !a.Shape.IsRowVector() && !a.IsScalar() {
		sub = "F"
	}
	switch p.nt {
	case notText:
		p.open("‖")
		p.expr(a, precLowest)
		p.close("‖")
		if exp != "" {
			p.op(superscript(exp))
		}
		if sub != "" {
			p.raw("_" + sub)
		}
	case notASCII:
		p.open("||")
		p.expr(a, precLowest)
		p.close("||")
		if sub != "" {
			p.raw("_" + sub)
		}
		if exp != "" {
			p.op("^" + exp)
		}
	default:
		p.open(`\lVert `)
		p.expr(a, precLowest)
		p.close(` \rVert`)
		if sub != "" {
			p.raw("_" + sub)
		}
		if exp != "" {
			p.op("^{" + exp + "}")
		}
	}
}

// inner prints ⟨A, B⟩; nested is false for a root, whose operands count as
// top level for line breaking.
func (p *printer) inner(n *ast.Node, nested bool) {
	l, sep, r := p.pick("⟨", "<", `\langle `), ", ", p.pick("⟩", ">", ` \rangle`)
	if nested {
		p.open(l)
	} else {
		p.raw(l)
	}
	p.expr(n.Args[0], precLowest)
	p.raw(sep)
	p.expr(n.Args[1], precLowest)
	if nested {
		p.close(r)
	} else {
		p.raw(r)
	}
}

// call prints name(args…).
func (p *printer) call(name string, args ...*ast.Node) {
	p.fn(name)
	lp, rp := "(", ")"
	if p.nt == notLaTeX {
		lp, rp = `\left(`, `\right)`
	}
	p.open(lp)
	for i, a := range args {
		if i > 0 {
			p.raw(", ")
		}
		p.expr(a, precLowest)
	}
	p.close(rp)
}

// opCall prints a built-in operation with its row's spelling for the
// notation: a function call tr(A), an infix A ⊗ B (text and LaTeX), a
// template such as \log\lvert\det A\rvert, or a constant π. A norm is
// written with bars, ‖A‖ (‖A‖_F for a matrix).
func (p *printer) opCall(n *ast.Node) {
	if n.Is(builtin.Norm) {
		p.norm(n, "")
		return
	}
	sp := n.Op.Print
	s := p.pick(sp.Text, sp.ASCII, sp.LaTeX)
	if p.nt == notLaTeX && sp.LaTeXScalar != "" && n.Args[0].IsScalar() {
		s = sp.LaTeXScalar
	}
	switch {
	case len(n.Args) == 0:
		p.fn(s)
	case n.Op.Infix && p.nt != notASCII:
		p.infix(n, s)
	case strings.Contains(s, "%s") || strings.Contains(s, "%p"):
		before, after, tight := strings.Cut(s, "%p")
		if !tight {
			before, after, _ = strings.Cut(s, "%s")
		}
		p.fn(before)
		p.depth++
		if tight {
			p.expr(n.Args[0], ctxPostfix)
		} else {
			p.expr(n.Args[0], precLowest)
		}
		p.depth--
		p.fn(after)
	default:
		p.call(s, n.Args...)
	}
}

// apply prints a declared generic function: g(X), g′(X).
func (p *printer) apply(n *ast.Node) {
	a := n.Args[0]
	var name string
	switch p.nt {
	case notText:
		name = n.Name + primes(n.K)
	case notASCII:
		name = n.Name + strings.Repeat("'", n.K)
	default:
		name = latexName(n.Name) + strings.Repeat("'", n.K)
	}
	p.call(name, a)
}

// primes writes k primes: ′, ″, ‴, then repeated ′.
func primes(k int) string {
	switch k {
	case 0:
		return ""
	case 1:
		return "′"
	case 2:
		return "″"
	case 3:
		return "‴"
	}
	return strings.Repeat("′", k)
}

// broadcast prints a visible broadcast: s·𝟙 for a scalar, c·𝟙ᵀ for a
// column, 𝟙·r for a row.
func (p *printer) broadcast(n *ast.Node) {
	a := n.Args[0]
	sep := func() {
		switch p.nt {
		case notText:
			p.op("·")
		case notASCII:
			p.op("*")
		default:
			p.raw(" ")
		}
	}
	if a.Shape.IsRowVector() {
		p.ones()
		sep()
		p.operand(a, ctxFactor)
		return
	}
	p.expr(a, ctxFactor)
	sep()
	p.ones()
	if !a.IsScalar() {
		p.power("ᵀ", "'", `{\top}`)
	}
}
