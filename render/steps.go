package render

import (
	"github.com/mdiff/mdiff/ast"
)

// stepParts splits a derivation step into the side left of its first = and
// the rest, as pieces in one notation:
//
//	perturb   f(X + Δ) = f(X) + df + o(‖Δ‖)
//	rule      d(lhs) = rhs
//	identity  lhs = rhs
//	read-off  df = lhs = ⟨Δ, G⟩
//
// A nil side is left out.
func stepParts(nm Names, nt notation, th Theme, st ast.Step) (left, right []piece) {
	p := &printer{nt: nt, th: th}
	expr := func(n *ast.Node) []piece {
		if n == nil {
			return nil
		}
		return nm.pieces(nt, th, n)
	}
	switch st.Kind {
	case ast.StepPerturb:
		left = expr(st.Lhs)
		p.raw(" ")
		p.op("+")
		p.raw(" o")
		p.raw(p.pick("(‖", "(||", `\left(\lVert `))
		p.emit(th.Delta, p.pick("Δ", "Delta", `\Delta`))
		p.raw(p.pick("‖)", "||)", ` \rVert\right)`))
		right = append(expr(st.Rhs), p.ps...)
	case ast.StepRule:
		p.fn(p.pick("d", "d", `\mathrm{d}`))
		p.raw(p.pick("(", "(", `\left(`))
		// the node the rule differentiates, as it is: d(−(B·X − Y)) by d(−A) = −dA
		left = append(append(p.ps, nm.literalPieces(nt, th, st.Lhs)...), piece{s: p.pick(")", ")", `\right)`), w: 1})
		right = expr(st.Rhs)
	case ast.StepReadOff:
		p.raw(p.pick("df", "df", `\mathrm{d}f`))
		left = p.ps
		right = expr(st.Lhs)
		if st.Rhs != nil {
			right = append(append(right, piece{s: " ", w: 1, brk: brkSum}, piece{s: "= ", w: 2}), expr(st.Rhs)...)
		}
	default:
		left, right = expr(st.Lhs), expr(st.Rhs)
		if st.Literal && st.Rhs != nil {
			right = nm.literalPieces(nt, th, st.Rhs)
		}
	}
	return left, right
}

// stepKind names a step kind in JSON.
func stepKind(k ast.StepKind) string {
	switch k {
	case ast.StepPerturb:
		return "perturb"
	case ast.StepRule:
		return "rule"
	case ast.StepIdentity:
		return "identity"
	case ast.StepReadOff:
		return "read-off"
	}
	return "step"
}
