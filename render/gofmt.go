package render

import (
	"strings"
)

// The Go format writes its statements as gofmt would, without go/format
// (which, with go/parser and go/printer, would add more than a megabyte
// to the page's WebAssembly module): the expressions it generates — names,
// numbers, strings, calls, indexes, parentheses, unary −, and + − * / —
// are parsed here and printed with go/printer's spacing rule. A binary
// operator is written with blanks when its precedence is below the cutoff
// of its expression: 6 at depth 1 (a statement's own expression) unless the
// expression mixes + and * (then 5: a*b + c); 4 deeper (the operands of a
// call of several arguments, the right operand of a binary operator). A
// parenthesis undoes one level of depth.

// goNode is a parsed Go expression.
type goNode struct {
	kind  byte // 'a' atom, 'b' binary, 'u' unary, 'p' parenthesis, 'c' call, 'i' index
	text  string
	op    string
	x, y  *goNode
	args  []*goNode
	index *goNode
}

// goTokens splits a Go expression into tokens; ok is false for a
// character the generated expressions do not hold.
func goTokens(s string) (toks []string, ok bool) {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return nil, false
			}
			toks = append(toks, s[i:j+1])
			i = j + 1
		case isGoWord(c):
			j := i
			for j < len(s) && (isGoWord(s[j]) || (s[j] == '-' || s[j] == '+') && j > i && (s[j-1] == 'e' || s[j-1] == 'E') && isDigit(s[i])) {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		case strings.IndexByte("()[],+-*/", c) >= 0:
			toks = append(toks, s[i:i+1])
			i++
		default:
			return nil, false
		}
	}
	return toks, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isGoWord(c byte) bool {
	return c == '_' || c == '.' || isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// goParser parses the tokens of one expression.
type goParser struct {
	toks []string
	pos  int
	bad  bool
}

func (p *goParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *goParser) next() string {
	t := p.peek()
	p.pos++
	return t
}

func goPrec(op string) int {
	switch op {
	case "+", "-":
		return 4
	case "*", "/":
		return 5
	}
	return 0
}

func (p *goParser) binary(prec int) *goNode {
	x := p.unary()
	for {
		op := p.peek()
		q := goPrec(op)
		if q == 0 || q < prec {
			return x
		}
		p.next()
		x = &goNode{kind: 'b', op: op, x: x, y: p.binary(q + 1)}
	}
}

func (p *goParser) unary() *goNode {
	if t := p.peek(); t == "-" || t == "+" {
		p.next()
		return &goNode{kind: 'u', op: t, x: p.unary()}
	}
	return p.primary()
}

func (p *goParser) primary() *goNode {
	var x *goNode
	switch t := p.next(); {
	case t == "(":
		x = &goNode{kind: 'p', x: p.binary(1)}
		if p.next() != ")" {
			p.bad = true
		}
	case t != "" && (isGoWord(t[0]) || t[0] == '"'):
		x = &goNode{kind: 'a', text: t}
	default:
		p.bad = true
		return &goNode{kind: 'a'}
	}
	for !p.bad {
		switch p.peek() {
		case "(":
			p.next()
			c := &goNode{kind: 'c', x: x}
			for p.peek() != ")" && !p.bad {
				c.args = append(c.args, p.binary(1))
				if p.peek() == "," {
					p.next()
				} else if p.peek() != ")" {
					p.bad = true
				}
			}
			p.next()
			x = c
		case "[":
			p.next()
			x = &goNode{kind: 'i', x: x, index: p.binary(1)}
			if p.next() != "]" {
				p.bad = true
			}
		default:
			return x
		}
	}
	return x
}

// walkBinary is go/printer's: whether e mixes precedences 4 and 5, and the
// cutoff a unary operand forces (a - -b).
func walkBinary(e *goNode) (has4, has5 bool, maxProblem int) {
	switch goPrec(e.op) {
	case 4:
		has4 = true
	case 5:
		has5 = true
	}
	if l := e.x; l.kind == 'b' && goPrec(l.op) >= goPrec(e.op) {
		h4, h5, mp := walkBinary(l)
		has4, has5, maxProblem = has4 || h4, has5 || h5, max(maxProblem, mp)
	}
	switch r := e.y; r.kind {
	case 'b':
		if goPrec(r.op) > goPrec(e.op) {
			h4, h5, mp := walkBinary(r)
			has4, has5, maxProblem = has4 || h4, has5 || h5, max(maxProblem, mp)
		}
	case 'u':
		if s := e.op + r.op; s == "--" || s == "++" {
			maxProblem = max(maxProblem, 4)
		}
	}
	return
}

func goCutoff(e *goNode, depth int) int {
	has4, has5, maxProblem := walkBinary(e)
	if maxProblem > 0 {
		return maxProblem + 1
	}
	if has4 && has5 {
		if depth == 1 {
			return 5
		}
		return 4
	}
	if depth == 1 {
		return 6
	}
	return 4
}

// print writes n as go/printer's expr1 does, in a context of precedence
// prec1 at depth.
func (n *goNode) print(sb *strings.Builder, prec1, depth int) {
	switch n.kind {
	case 'a':
		sb.WriteString(n.text)
	case 'b':
		prec := goPrec(n.op)
		cutoff := goCutoff(n, depth)
		if prec < prec1 { // not produced by the parser: parentheses are nodes
			sb.WriteString("(")
			n.print(sb, 0, max(depth-1, 1))
			sb.WriteString(")")
			return
		}
		blank := prec < cutoff
		d := depth + 1
		if n.x.kind == 'b' && goPrec(n.x.op) == prec {
			d = depth
		}
		n.x.print(sb, prec, d)
		if blank {
			sb.WriteString(" " + n.op + " ")
		} else {
			sb.WriteString(n.op)
		}
		n.y.print(sb, prec+1, depth+1)
	case 'u':
		sb.WriteString(n.op)
		n.x.print(sb, 6, depth)
	case 'p':
		if n.x.kind == 'p' {
			n.x.print(sb, 0, depth)
			return
		}
		sb.WriteString("(")
		n.x.print(sb, 0, max(depth-1, 1))
		sb.WriteString(")")
	case 'c':
		if len(n.args) > 1 {
			depth++
		}
		n.x.print(sb, 7, depth)
		sb.WriteString("(")
		for i, a := range n.args {
			if i > 0 {
				sb.WriteString(", ")
			}
			a.print(sb, 0, depth)
		}
		sb.WriteString(")")
	case 'i':
		n.x.print(sb, 7, 1)
		sb.WriteString("[")
		n.index.print(sb, 0, depth+1)
		sb.WriteString("]")
	}
}

// gofmtExprs writes a comma-separated list of expressions, each at depth
// 1 (a return statement's results, an assignment's right side), as gofmt
// would; what it cannot parse it returns unchanged.
func gofmtExprs(s string) string {
	toks, ok := goTokens(s)
	if !ok {
		return s
	}
	p := &goParser{toks: toks}
	var parts []string
	for {
		n := p.binary(1)
		if p.bad {
			return s
		}
		var sb strings.Builder
		n.print(&sb, 0, 1)
		parts = append(parts, sb.String())
		if p.peek() != "," {
			break
		}
		p.next()
	}
	if p.pos != len(toks) {
		return s
	}
	return strings.Join(parts, ", ")
}

// gofmtStmt writes a generated statement (x := e, return e, …, or a call)
// as gofmt would.
func gofmtStmt(line string) string {
	if rest, ok := strings.CutPrefix(line, "return "); ok {
		return "return " + gofmtExprs(rest)
	}
	if lhs, rhs, ok := strings.Cut(line, " := "); ok && !strings.ContainsAny(lhs, "(\"") {
		return lhs + " := " + gofmtExprs(rhs)
	}
	if lhs, rhs, ok := strings.Cut(line, " = "); ok && !strings.ContainsAny(lhs, "(\"") {
		return lhs + " = " + gofmtExprs(rhs)
	}
	return gofmtExprs(line)
}
