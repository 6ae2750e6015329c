// This file lowers the trailing where clause of an expression (SPEC.md §2):
// f where T1 = …, T2 = …, the form in which --format ascii prints its
// temporaries.

package parser

import (
	"fmt"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/mdiff/mdiff/ast"
)

// MaxExpandedDepth bounds the depth of the tree of an expression with a
// where clause once its temporaries are substituted (each use of T1 stands
// for T1's definition), as deep as a sum of a hundred thousand terms.
const MaxExpandedDepth = 100 * MaxDepth

// top lowers an expression and its where clause. Each temporary is usable
// after its definition; every use of it is the same syntax node, its
// definition in parentheses, so the tree stays as small as the text (a
// checker that memoises by node visits a shared definition once).
func (l *lowerer) top(g *gTop) (ast.Expr, error) {
	if g.Where != nil {
		l.defs = map[string]ast.Expr{}
		l.used = map[string]lexer.Token{}
		for _, d := range g.Where.Defs {
			if err := l.define(d); err != nil {
				return nil, err
			}
		}
	}
	x, err := l.expr(g.Body)
	if err != nil {
		return nil, err
	}
	if g.Where != nil && depth(x, map[ast.Expr]int{}) > MaxExpandedDepth {
		return nil, ast.Errorf(l.src, x.Pos(), x.End(), fmt.Sprintf("expression nested too deeply once its temporaries are substituted (more than %d levels)", MaxExpandedDepth))
	}
	return x, nil
}

// define lowers one temporary T = expr of a where clause.
func (l *lowerer) define(d *gDef) error {
	n := d.Name.Value
	switch {
	case n == "I" || n == "ones" || n == ones || isDirection(n):
		return l.errAt(d.Name, fmt.Sprintf("%s is a built-in name; a temporary needs another name", n))
	case ast.IsBuiltinName(n):
		return l.errAt(d.Name, fmt.Sprintf("%s is a built-in function; a temporary needs another name", n))
	}
	if _, ok := l.defs[n]; ok {
		return l.errAt(d.Name, fmt.Sprintf("%s is defined twice in the where clause", n))
	}
	if u, ok := l.used[n]; ok {
		return l.errAt(u, fmt.Sprintf("%s is used before its definition (each temporary of a where clause is usable after it)", n))
	}
	x, err := l.expr(d.X)
	if err != nil {
		return err
	}
	l.defs[n] = &ast.Paren{Lparen: x.Pos(), Rparen: x.End() - 1, X: x}
	return nil
}

// ident lowers a name: a temporary of the where clause stands for its
// definition.
func (l *lowerer) ident(t lexer.Token) ast.Expr {
	n := name(t)
	if x, ok := l.defs[n]; ok {
		return x
	}
	if l.used != nil {
		if _, ok := l.used[n]; !ok {
			l.used[n] = t
		}
	}
	return &ast.Ident{NamePos: pos(t), Name: n}
}

// isDirection reports whether n is a spelling of the direction: Δ, Delta or \Delta.
func isDirection(n string) bool { return n == "Δ" || n == "Delta" || n == `\Delta` }

// depth is the nesting depth of e's tree, shared nodes counted once per
// use but computed once.
func depth(e ast.Expr, memo map[ast.Expr]int) int {
	if d, ok := memo[e]; ok {
		return d
	}
	var kids []ast.Expr
	switch e := e.(type) {
	case *ast.Unary:
		kids = []ast.Expr{e.X}
	case *ast.Binary:
		kids = []ast.Expr{e.X, e.Y}
	case *ast.Tick:
		kids = []ast.Expr{e.X}
	case *ast.Power:
		kids = []ast.Expr{e.X, e.Exp}
	case *ast.Call:
		kids = e.Args
	case *ast.Norm:
		kids = []ast.Expr{e.X}
	case *ast.InnerProd:
		kids = []ast.Expr{e.X, e.Y}
	case *ast.Paren:
		kids = []ast.Expr{e.X}
	}
	d := 0
	for _, k := range kids {
		d = max(d, depth(k, memo))
	}
	memo[e] = d + 1
	return d + 1
}
