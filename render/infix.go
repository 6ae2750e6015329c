package render

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/mdiff/mdiff/ast"
)

// infixLang is a code language whose expressions are infix operators and
// calls — NumPy, PyTorch, MATLAB/Octave: one printer over the node kinds;
// the operators, the spellings of the node kinds and the column of the
// operation table (ast.Spelling) that spells the built-in operations are
// what differ.
type infixLang struct {
	lang string
	// spell maps a node kind that is not a built-in operation to a
	// format string over its printed operands: "eye" (n), "ones", "zeros"
	// (shape), "inv", "matpow" (a, k), "matpowsym" (a, an integer
	// expression k), "bcast", "multidot" (the list of a chain), "inner"
	// (the Hadamard product). The built-in operations (KCall) are spelled
	// by their rows, through column.
	spell map[string]string
	// The operators.
	matmul, hadamard, divide, power string                                     // " @ ", " * ", " / ", " ** "
	transpose                       string                                     // postfix: ".T"
	recip                           string                                     // of a scalar: "1.0 / "
	one, zero                       string                                     // scalar constants
	size                            string                                     // a size as a number: "float(%s)"
	multiDot                        bool                                       // a chain of three or more is one "multidot" call
	tensorArgs                      bool                                       // functions take tensors, not numbers (torch)
	shape                           func(p *codePrinter, s ast.Shape) string   // the shape argument of ones, zeros
	bcastArgs                       func(p *codePrinter, n *ast.Node) []string // the operands of "bcast" for a broadcast n
	class                           string                                     // replaces CLASS in a spelling (octave's helper methods)
	// column is the language's spelling of a built-in operation in its
	// row of package builtin (for a 1×1 operand when scalarArg), and the
	// definition of the helper it calls, if any.
	column func(sp ast.Spelling, scalarArg bool) (tmpl, helper string)
}

// helperCall finds the module helpers (_name) a spelling calls.
var helperCall = regexp.MustCompile(`\b_[a-z]+\(`)

// sp spells op over args, marking the helpers it calls as used.
func (l *infixLang) sp(p *codePrinter, op string, args ...string) (string, int) {
	t, ok := l.spell[op]
	if !ok {
		return p.fail("no %s form for %s", l.lang, op), precAtom
	}
	t = strings.ReplaceAll(t, "CLASS", l.class)
	for _, h := range helperCall.FindAllString(t, -1) {
		p.help(strings.TrimSuffix(h, "("))
	}
	as := make([]any, len(args))
	for i, a := range args {
		as[i] = a
	}
	return fmt.Sprintf(t, as...), precAtom
}

// bcast writes a broadcast node explicitly.
func (l *infixLang) bcast(p *codePrinter, n *ast.Node) string {
	s, _ := l.sp(p, "bcast", l.bcastArgs(p, n)...)
	return s
}

// expr spells n (not a temporary's name).
func (l *infixLang) expr(p *codePrinter, n *ast.Node) (string, int) {
	arg := func(i int) string { return p.at(n.Args[i], precLowest) }
	if n.Kind == ast.KMul || isDivPow(n) {
		return l.mul(p, n)
	}
	switch n.Kind {
	case ast.KVar:
		return p.varID(n.Name), precAtom
	case ast.KNum:
		return codeRat(n.Num, false)
	case ast.KDelta:
		return p.deltaID, precAtom
	case ast.KSize:
		return fmt.Sprintf(l.size, p.dim(ast.Dim(n.Name))), precAtom
	case ast.KIdentity:
		return l.sp(p, "eye", p.dim(n.Shape.Rows))
	case ast.KOnes, ast.KZero:
		op, c := "ones", l.one
		if n.Kind == ast.KZero {
			op, c = "zeros", l.zero
		}
		if n.IsScalar() {
			return c, precAtom
		}
		return l.sp(p, op, l.shape(p, n.Shape))
	case ast.KAdd:
		hide := hideBroadcasts(n)
		var sb strings.Builder
		for i, t := range n.Args {
			if hide && t.Kind == ast.KBroadcast && !p.isName(t) {
				t = t.Args[0]
			}
			if i == 0 {
				sb.WriteString(p.at(t, precSum))
				continue
			}
			s := p.at(t, ctxTerm)
			if rest, ok := strings.CutPrefix(s, "-"); ok {
				sb.WriteString(" - " + rest)
			} else {
				sb.WriteString(" + " + s)
			}
		}
		return sb.String(), precSum
	case ast.KHadamard, ast.KDiv:
		op := l.hadamard
		if n.Kind == ast.KDiv {
			op = l.divide
		}
		hide := hideBroadcasts(n)
		var parts []string
		for i, a := range n.Args {
			if hide && a.Kind == ast.KBroadcast && !p.isName(a) {
				a = a.Args[0]
			}
			if i == 0 {
				parts = append(parts, p.at(a, ctxFactor))
			} else {
				parts = append(parts, p.operand(a, ctxFactor))
			}
		}
		return strings.Join(parts, op), precProd
	case ast.KTranspose:
		if n.IsScalar() {
			return p.expr(n.Args[0])
		}
		return p.at(n.Args[0], precAtom) + l.transpose, precPostfix
	case ast.KInverse:
		if n.IsScalar() {
			return l.recip + p.operand(n.Args[0], ctxFactor), precProd
		}
		return l.sp(p, "inv", arg(0))
	case ast.KMatPow:
		if n.IsScalar() {
			return p.at(n.Args[0], precAtom) + l.power + strconv.Itoa(n.K), precPostfix
		}
		return l.sp(p, "matpow", arg(0), strconv.Itoa(n.K))
	case ast.KPow:
		base := n.Args[0]
		var b string
		if base.Kind == ast.KBroadcast && !p.isName(base) {
			b = l.bcast(p, base)
		} else {
			b = p.at(base, precAtom)
		}
		return b + l.power + p.at(n.Args[1], precAtom), precPostfix
	case ast.KMatPowSym: // the exponent is an integer (an int variable arrives as one)
		return l.sp(p, "matpowsym", arg(0), arg(1))
	case ast.KApply:
		key, _, err := genericKey(n)
		if err != nil {
			return p.fail("%v", err), precAtom
		}
		return p.funcID(key) + "(" + arg(0) + ")", precAtom
	case ast.KCall:
		return l.call(p, n)
	case ast.KInner:
		return l.sp(p, "inner", p.at(n.Args[0], ctxFactor)+l.hadamard+p.operand(n.Args[1], ctxFactor))
	case ast.KBroadcast:
		return l.bcast(p, n), precAtom
	}
	return p.fail("unsupported node kind %v", n.Kind), precAtom
}

// call writes a built-in operation with its row's spelling in this
// language (ast.Spelling): a function name called on the operands, or a
// template filled with them; a helper the spelling calls is written into
// the module. In torch a constant scalar operand (2, π) becomes a tensor.
func (l *infixLang) call(p *codePrinter, n *ast.Node) (string, int) {
	scalarArg := len(n.Args) == 1 && n.Args[0].IsScalar()
	tmpl, helper := l.column(n.Op.Print, scalarArg)
	tmpl = strings.ReplaceAll(tmpl, "CLASS", l.class)
	switch {
	case tmpl == "":
		return p.fail("no %s form for %s", l.lang, n.Name), precAtom
	case len(n.Args) == 0:
		return tmpl, precAtom
	case tmpl == "%s":
		return p.expr(n.Args[0])
	}
	if helper != "" {
		p.ops[n.Op] = true
	}
	args := make([]any, len(n.Args))
	for i, a := range n.Args {
		s := p.at(a, precLowest)
		if l.tensorArgs && a.IsScalar() && isConstant(a) { // torch.log(2) needs a tensor
			s = "torch.as_tensor(" + s + ", **like)"
		}
		args[i] = s
	}
	if strings.Contains(tmpl, "%") {
		return fmt.Sprintf(tmpl, args...), precAtom
	}
	strs := make([]string, len(args))
	for i, a := range args {
		strs[i] = a.(string)
	}
	return tmpl + "(" + strings.Join(strs, ", ") + ")", precAtom
}

// isConstant reports whether n holds no variable and no direction.
func isConstant(n *ast.Node) bool {
	c := true
	ast.Walk(n, func(m *ast.Node) { c = c && m.Kind != ast.KVar && m.Kind != ast.KDelta })
	return c
}

// mul writes a product: the coefficient and scalar factors with *, the
// matrix chain with the matrix product (or one multidot call for three or
// more), scalar denominators with /.
func (l *infixLang) mul(p *codePrinter, n *ast.Node) (string, int) {
	m := newMulForm(n, false, p.isName)
	if one, ok := m.single(); ok {
		return p.expr(one)
	}
	var parts []string
	if m.showNum() {
		parts = append(parts, intText(m.num))
	}
	var chain []*ast.Node
	for _, a := range m.factors {
		if a.IsScalar() {
			parts = append(parts, p.operand(a, ctxFactor))
		} else {
			chain = append(chain, a)
		}
	}
	prec := precProd
	switch {
	case len(chain) == 0:
	case len(chain) >= 3 && l.multiDot:
		var items []string
		for _, a := range chain {
			items = append(items, p.at(a, precLowest))
		}
		s, _ := l.sp(p, "multidot", strings.Join(items, ", "))
		parts = append(parts, s)
		if len(parts) == 1 && !m.hasDiv() {
			prec = precAtom
		}
	default:
		var items []string
		for _, a := range chain {
			items = append(items, p.operand(a, ctxFactor))
		}
		c := strings.Join(items, l.matmul)
		// @ and * differ in Python: 2 * (A @ B); MATLAB's * is one operator.
		if len(chain) > 1 && l.matmul != " * " && (len(parts) > 0 || m.hasDiv()) {
			c = "(" + c + ")"
		}
		parts = append(parts, c)
	}
	s := strings.Join(parts, " * ")
	if m.hasDiv() {
		var den []string
		if !m.den.IsInt64() || m.den.Int64() != 1 {
			den = append(den, intText(m.den))
		}
		for _, d := range m.denoms {
			den = append(den, p.operand(d, ctxFactor))
		}
		if len(den) == 1 {
			s += " / " + den[0]
		} else {
			s += " / (" + strings.Join(den, " * ") + ")"
		}
	}
	if m.neg {
		s = "-" + s
		prec = min(prec, precUnary)
	}
	return s, prec
}

// pyShape is Python's shape argument, a tuple.
func pyShape(p *codePrinter, s ast.Shape) string {
	return "(" + p.dim(s.Rows) + ", " + p.dim(s.Cols) + ")"
}

// pyBcastArgs are broadcast_to's operands: the operand and the shape.
func pyBcastArgs(p *codePrinter, n *ast.Node) []string {
	return []string{p.at(n.Args[0], precLowest), pyShape(p, n.Shape)}
}

// octShape is MATLAB's shape arguments, rows, cols.
func octShape(p *codePrinter, s ast.Shape) string { return p.dim(s.Rows) + ", " + p.dim(s.Cols) }

// octBcastArgs are repmat's operands: the operand and the repeat counts.
func octBcastArgs(p *codePrinter, n *ast.Node) []string {
	a := n.Args[0]
	return []string{p.at(a, precLowest), p.repeats(a.Shape.Rows, n.Shape.Rows), p.repeats(a.Shape.Cols, n.Shape.Cols)}
}

// repeats is the repmat count that broadcasts a dimension from to to.
func (p *codePrinter) repeats(from, to ast.Dim) string {
	if from == to {
		return "1"
	}
	return p.dim(to)
}
