package parser_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/parser"
)

// declString prints declarations as "name:shape[props]{span}".
func declString(ds []ast.Decl) string {
	var parts []string
	for _, d := range ds {
		s := d.Name + ":"
		if d.Func {
			s += "func"
		} else {
			s += d.Shape.String()
		}
		var props []string
		if d.Props&ast.Symmetric != 0 {
			props = append(props, "sym")
		}
		if d.Props&ast.PosDef != 0 {
			props = append(props, "pd")
		}
		if d.Props&ast.Positive != 0 {
			props = append(props, "pos")
		}
		if len(props) > 0 {
			s += "[" + strings.Join(props, ",") + "]"
		}
		s += fmt.Sprintf("{%s}", d.Src[d.Pos:d.End])
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func TestParseDecls(t *testing.T) {
	tests := []struct{ in, want string }{
		{"X: n x p", "X:n×p{X: n x p}"},
		{"X: n × p", "X:n×p{X: n × p}"},
		{"X:n×p", "X:n×p{X:n×p}"},
		{"x: n", "x:n{x: n}"},
		{"a: scalar", "a:scalar{a: scalar}"},
		{"S: sym n x n", "S:n×n[sym]{S: sym n x n}"},
		{"S: sym n", "S:n×n[sym]{S: sym n}"},
		{"P: spd n x n", "P:n×n[sym,pd]{P: spd n x n}"},
		{"P: spd n", "P:n×n[sym,pd]{P: spd n}"},
		{"w: pos n", "w:n[pos]{w: pos n}"},
		{"t: pos scalar", "t:scalar[pos]{t: pos scalar}"},
		{"W: pos n x p", "W:n×p[pos]{W: pos n x p}"},
		{"g: func", "g:func{g: func}"},
		{"r: 1 x n", "r:1×n{r: 1 x n}"},
		{"c: n x 1", "c:n{c: n x 1}"},
		{"s: 1", "s:scalar{s: 1}"},
		{"M: 3 x 4", "M:3×4{M: 3 x 4}"},
		{"M: 3x4", "M:3×4{M: 3x4}"},
		{"M: 03 x n_2", "M:3×n_2{M: 03 x n_2}"},
		{"Ω: sym q x q", "Ω:q×q[sym]{Ω: sym q x q}"},
		{"Y: q x n; B: q x p; X: p x n", "Y:q×n{Y: q x n} B:q×p{B: q x p} X:p×n{X: p x n}"},
		{"x: n, A: n x n", "x:n{x: n} A:n×n{A: n x n}"},
		{" x : n ; ", "x:n{x : n}"},
		{"", ""},
		{";;", ""},
	}
	for _, tt := range tests {
		ds, err := parser.ParseDecls(tt.in)
		if err != nil {
			t.Errorf("ParseDecls(%q): %v", tt.in, err)
			continue
		}
		for _, d := range ds {
			if d.Src != tt.in {
				t.Errorf("ParseDecls(%q): Src = %q", tt.in, d.Src)
			}
		}
		if got := declString(ds); got != tt.want {
			t.Errorf("ParseDecls(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestParseDecls_error(t *testing.T) {
	tests := []struct{ in, want string }{
		{"X n x p", "missing \":\" after X (X: n x p)\n  X n x p\n    ^"},
		{"X", "missing \":\" after X (X: n x p)\n  X\n   ^"},
		{"X:", "missing shape after \"X:\" (e.g. n x p, n, scalar, int, sym n, diag n, func)\n  X:\n    ^"},
		{"S: sym", "missing shape after \"sym\" (e.g. n x p, n, scalar, int, sym n, diag n, func)\n  S: sym\n        ^"},
		{": n", "expected a name at the start of a declaration, not \":\"\n  : n\n  ^"},
		{"2X: n", "expected a name at the start of a declaration, not \"2X\"\n  2X: n\n  ^~"},
		{"S: symm n x n", "unknown word \"symm\" (expected sym, spd, pos, diag, then a shape: n x p, n, scalar, int or func); did you mean \"sym\"?\n  S: symm n x n\n     ^~~~"},
		{"X: n p", "missing \"x\" between n and p\n  X: n p\n       ^"},
		{"X: n x p q", "unexpected \"q\" in declaration (e.g. n x p, n, scalar, int, sym n, diag n, func)\n  X: n x p q\n           ^"},
		{"X: n x", "incomplete shape (e.g. n x p, n, scalar, int, sym n, diag n, func)\n  X: n x\n       ^"},
		{"X: n x sym", "bad size \"sym\" (a size is a name or a positive integer)\n  X: n x sym\n         ^~~"},
		{"X: n sym", "\"sym\" must come before the shape\n  X: n sym\n       ^~~"},
		{"S: sym n x p", "a sym matrix must be square, not n×p\n  S: sym n x p\n         ^~~~~"},
		{"P: spd 2 x 3", "a spd matrix must be square, not 2×3\n  P: spd 2 x 3\n         ^~~~~"},
		{"x: 0", "bad size \"0\" (a size is a name or a positive integer)\n  x: 0\n     ^"},
		{"x: 99999999999999999999", "bad size \"99999999999999999999\" (a size is a name or a positive integer)\n  x: 99999999999999999999\n     ^~~~~~~~~~~~~~~~~~~~"},
		{"x: 2n", "bad size \"2n\" (a size is a name or a positive integer)\n  x: 2n\n     ^~"},
		{"x: n-1", "unexpected \"-\" in declaration\n  x: n-1\n      ^"},
		{"g: sym func", "a function cannot be sym\n  g: sym func\n     ^~~"},
		{"g: func n", "unexpected \"n\" after \"func\"\n  g: func n\n          ^"},
		{"x: n; y", "missing \":\" after y (y: n x p)\n  x: n; y\n         ^"},
	}
	for _, tt := range tests {
		_, err := parser.ParseDecls(tt.in)
		var aerr *ast.Error
		if !errors.As(err, &aerr) {
			t.Errorf("ParseDecls(%q) = %v, want an *ast.Error", tt.in, err)
			continue
		}
		if aerr.Src != tt.in {
			t.Errorf("ParseDecls(%q): error Src = %q", tt.in, aerr.Src)
		}
		if got := err.Error(); got != tt.want {
			t.Errorf("ParseDecls(%q) error:\n%s\nwant:\n%s", tt.in, got, tt.want)
		}
	}
}
