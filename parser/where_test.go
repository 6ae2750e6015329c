package parser_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/parser"
)

// TestWhere checks that the temporaries of a where clause stand for their
// definitions, each use the same node.
func TestWhere(t *testing.T) {
	tests := []struct{ in, want string }{
		{"T1 where T1 = X*W", "(paren (*@15 X@14 W@16))"},
		{"T2*T1 where T1 = X*W, T2 = tanh(T1)",
			"(*@2 (paren (tanh@27 (paren (*@18 X@17 W@19)))) (paren (*@18 X@17 W@19)))"},
		{"2*((T1 - Y) .* (1 - T1 .^ 2))*X' where T1 = tanh(W*X)",
			"(*@29 (*@1 2@0 (paren (.*@12 (paren (-@7 (paren (tanh@44 (*@50 W@49 X@51))) Y@9)) (paren (-@18 1@16 (.^@23 (paren (tanh@44 (*@50 W@49 X@51))) 2@26)))))) (T X@30))"},
		{"where + x", "(+@6 where@0 x@8)"}, // where is a keyword only after an expression
		{"x where y = 2", "x@0"},           // an unused temporary
		{"Delta + \\Delta", "(+@6 Delta@0 \\Delta@8)"},
	}
	for _, tt := range tests {
		e, err := parser.Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := sexpr(e); got != tt.want {
			t.Errorf("Parse(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	// Each use of a temporary is one node.
	e := parser.MustParse("T1 + T1 where T1 = X*W")
	if b := e.(*ast.Binary); b.X != b.Y {
		t.Errorf("the two uses of T1 are different nodes")
	}
}

func TestWhere_error(t *testing.T) {
	tests := []struct{ in, want string }{
		{"T2 where T2 = T1*x, T1 = X*W", "T1 is used before its definition (each temporary of a where clause is usable after it)\n  T2 where T2 = T1*x, T1 = X*W\n                ^~"},
		{"T1 where T1 = X, T1 = x", "T1 is defined twice in the where clause\n  T1 where T1 = X, T1 = x\n                   ^~"},
		{"x where", "after \"where\", expected a definition such as T1 = X*W\n  x where\n         ^"},
		{"x where 2", "after \"where\", expected a definition such as T1 = X*W\n  x where 2\n          ^"},
		{"x where T1", "unexpected end of input\n  x where T1\n            ^"},
		{"x where T1 = ", "unexpected end of input, expected an operand\n  x where T1 = \n               ^"},
		{"x where I = 2", "I is a built-in name; a temporary needs another name\n  x where I = 2\n          ^"},
		{"x where Delta = 2", "Delta is a built-in name; a temporary needs another name\n  x where Delta = 2\n          ^~~~~"},
		{"x where tr = 2", "tr is a built-in function; a temporary needs another name\n  x where tr = 2\n          ^~"},
		{"A = B", "unexpected \"=\"\n  A = B\n    ^"},
		{"log det(X)", "unexpected \"det\", expected an operator such as \"*\" (did you mean logdet?)\n  log det(X)\n  ^~~~~~~"},
		{"tr X", "unexpected \"X\", expected an operator such as \"*\" (did you mean tr(X)?)\n  tr X\n     ^"},
		{"2*tr ace(X)", "unexpected \"ace\", expected an operator such as \"*\" (did you mean trace?)\n  2*tr ace(X)\n    ^~~~~~"},
	}
	for _, tt := range tests {
		_, err := parser.Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q) succeeded", tt.in)
			continue
		}
		if got := err.Error(); got != tt.want {
			t.Errorf("Parse(%q) error:\n%s\nwant:\n%s", tt.in, got, tt.want)
		}
	}
}

// TestWhereDepth checks that a chain of temporaries, each using the last
// twice, is linear in size and bounded in its expanded depth.
func TestWhereDepth(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("T0 where T0 = x")
	for i := 1; i <= 60; i++ {
		sb.WriteString(", T" + itoa(i) + " = T" + itoa(i-1) + " + T" + itoa(i-1))
	}
	src := strings.Replace(sb.String(), "T0 where", "T60 where", 1)
	if _, err := parser.Parse(src); err != nil { // 2⁶⁰ leaves as a tree
		t.Fatalf("Parse: %v", err)
	}
	sb.Reset()
	sb.WriteString("T0 where T0 = x")
	n := parser.MaxExpandedDepth/100 + 1
	for i := 1; i <= n; i++ {
		sb.WriteString(", T" + itoa(i) + " = " + strings.Repeat("(", 99) + "T" + itoa(i-1) + strings.Repeat(")", 99))
	}
	src = strings.Replace(sb.String(), "T0 where", "T"+itoa(n)+" where", 1)
	if _, err := parser.Parse(src); err == nil || !strings.Contains(err.Error(), "nested too deeply once its temporaries are substituted") {
		t.Fatalf("Parse of a chain nested %d deep: %v", 100*n, err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
