package render

import (
	"strings"

	"github.com/mdiff/mdiff/ast"
)

// TextWhere returns n in Unicode notation, styled with th, with its
// temporaries ([Temps]) named T₁, T₂, … and defined after it:
// "2·((T₁ − Y) ⊙ (1 − T₁∘²))·Xᵀ where T₁ = tanh(W·X)". Without shared
// subexpressions it is [Text].
func TextWhere(n *ast.Node, th Theme) string {
	temps := Temps(n)
	nm := NewNames(temps)
	var sb strings.Builder
	sb.WriteString(nm.Text(n, th))
	for i, t := range temps {
		if i == 0 {
			sb.WriteString(" where ")
		} else {
			sb.WriteString(", ")
		}
		p := &printer{nt: notText, th: th}
		p.tempName(i + 1)
		sb.WriteString(join(p.ps) + " = " + nm.Text(t, th))
	}
	return sb.String()
}

// ASCIIWhere returns n as a line of --format ascii writes it: in the ASCII
// syntax with the temporaries of nm written T1, T2, …, followed by the
// where clause that defines those it uses ("2*T1*X' where T1 = tanh(W*X)"),
// so that it parses back on its own. n itself is written in full.
func (nm Names) ASCIIWhere(n *ast.Node) string {
	b := &lineBuilder{nt: notASCII, names: nm}
	return join(append(nm.pieces(notASCII, Theme{}, n), b.where(nm, n)...))
}
