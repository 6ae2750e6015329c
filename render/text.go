package render

import (
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mdiff/mdiff/ast"
)

// TextOptions configure [WriteText] and [WriteASCII]. The zero value prints
// plain text without wrapping.
type TextOptions struct {
	Theme Theme // styles of the text format; ignored by WriteASCII
	// Width, when positive, wraps a line longer than Width columns at a
	// top-level + or − (or, if a term is still too long, a top-level ·),
	// never inside a token; continuation lines start under the =.
	Width int
	// Name is the module name of the code formats that need one: the
	// classdef of octave (default mdiff_f), the package of go (default
	// grad). Ignored by the other formats.
	Name string
}

// WriteText writes r in the default format, e.g.
//
//	f(B)  = ‖Y − B·X‖²_F     Y ∈ ℝ^{q×n}, B ∈ ℝ^{q×p}, X ∈ ℝ^{p×n}
//	df    = ⟨Δ, 2·(B·X − Y)·Xᵀ⟩
//	∇_B f = 2·(B·X − Y)·Xᵀ   ∈ ℝ^{q×p}
//	✓ checked numerically: relative error 2e-11
//
// For a matrix-valued f the differential is the map df = Δ ↦ M(Δ) and
// there is no gradient line. With several variables each block is labelled
// by its variable (d_D f, ∇_D f). Hessian (H[Δ]), Hessian matrix (∇²_x f),
// Jacobian (J) and the derivation steps are printed when present, shared
// subexpressions once as "where T₁ = …", and the check line last (none when
// r.Check is nil).
func WriteText(w io.Writer, r *ast.Result, opt TextOptions) error {
	return writeLines(w, r, notText, opt)
}

// WriteASCII writes r with the layout of [WriteText] but every expression
// in the ASCII input syntax (grad_B f = 2*(B*X - Y)*X'), and a check line
// "checked numerically: relative error 2e-11". opt.Theme is ignored.
func WriteASCII(w io.Writer, r *ast.Result, opt TextOptions) error {
	opt.Theme = Theme{}
	return writeLines(w, r, notASCII, opt)
}

// textLine is one logical line of a text document: label = expr  note. A
// line without a label is written as is (expr only).
type textLine struct {
	label []piece
	expr  []piece
	note  []piece
}

func writeLines(w io.Writer, r *ast.Result, nt notation, opt TextOptions) error {
	a, err := newAnswer(r)
	if err != nil {
		return err
	}
	th := opt.Theme
	b := &lineBuilder{nt: nt, th: th, names: a.names}
	lines := []textLine{{
		label: b.plainLabel("f(" + a.wrtList(func(s string) string { return s }) + ")"),
		expr:  a.fNames.pieces(nt, th, a.f),
		note:  b.domains(a.vars),
	}}
	for _, d := range a.ders {
		lines = append(lines, b.derivativeLines(a, d)...)
	}
	for i, t := range a.temps {
		label := b.tempLabel(i + 1)
		if i == 0 {
			label = append([]piece{{s: "where ", w: 6}}, label...)
		} else {
			label = append([]piece{{s: "      ", w: 6}}, label...)
		}
		lines = append(lines, textLine{label: label, expr: a.names.pieces(nt, th, t)})
	}
	if c := r.Check; c != nil {
		lines = append(lines, textLine{expr: b.checkLine(c)})
	}
	return layoutLines(w, lines, opt.Width)
}

// lineBuilder makes the labels and notes of one notation.
type lineBuilder struct {
	nt    notation
	th    Theme
	names Names
}

func (b *lineBuilder) plainLabel(s string) []piece {
	return []piece{{s: s, w: utf8.RuneCountInString(s)}}
}

func (b *lineBuilder) tempLabel(k int) []piece {
	p := &printer{nt: b.nt, th: b.th}
	p.tempName(k)
	return p.ps
}

// label makes a label styled with f (the ∇ line's label is highlighted).
func (b *lineBuilder) label(f func(a ...any) string, s string) []piece {
	return []piece{{s: style(f, s), w: utf8.RuneCountInString(s)}}
}

// domains writes "Y ∈ ℝ^{q×n}, B ∈ ℝ^{q×p}".
func (b *lineBuilder) domains(vars []*ast.Node) []piece {
	var ps []piece
	in := " ∈ "
	if b.nt == notASCII {
		in = " in "
	}
	for i, v := range vars {
		if i > 0 {
			ps = append(ps, piece{s: style(b.th.Note, ", "), w: 2})
		}
		ps = append(ps, piece{s: style(b.th.Var, v.Name), w: utf8.RuneCountInString(v.Name)})
		s := in + shapeIn(v.Shape, b.nt)
		ps = append(ps, piece{s: style(b.th.Note, s), w: utf8.RuneCountInString(s)})
	}
	return ps
}

// in writes "∈ ℝ^{q×p}" for a result of shape s.
func (b *lineBuilder) in(s ast.Shape) []piece {
	t := "∈ " + shapeIn(s, b.nt)
	if b.nt == notASCII {
		t = "in " + shapeIn(s, b.nt)
	}
	return []piece{{s: style(b.th.Note, t), w: utf8.RuneCountInString(t)}}
}

func (b *lineBuilder) derivativeLines(a *answer, d derivative) []textLine {
	x := d.Wrt.Name
	multi := a.multi()
	text := b.nt == notText
	var lines []textLine
	for i, st := range d.Steps {
		lines = append(lines, textLine{expr: b.stepLine(i+1, st)})
	}
	dl := "df"
	if multi {
		dl = "d_" + x + " f"
	}
	var expr []piece
	var note []piece
	if d.Gradient == nil {
		p := &printer{nt: b.nt, th: b.th}
		p.emit(b.th.Delta, "Δ")
		p.raw(" ")
		p.op(map[bool]string{true: "↦", false: "->"}[text])
		p.raw(" ")
		expr = append(p.ps, b.names.pieces(b.nt, b.th, d.df)...)
		note = b.in(d.df.Shape)
	} else {
		expr = b.names.pieces(b.nt, b.th, d.df)
	}
	lines = append(lines, textLine{label: b.plainLabel(dl), expr: expr, note: note})
	if d.Gradient != nil {
		gl := "∇_" + x + " f"
		if !text {
			gl = "grad_" + x + " f"
		}
		lines = append(lines, textLine{label: b.label(b.th.Label, gl), expr: b.names.pieces(b.nt, b.th, d.Gradient), note: b.in(d.Gradient.Shape)})
	}
	if d.Hessian != nil {
		hl := "H[Δ]"
		if multi {
			hl = "H_" + x + "[Δ]"
		}
		lines = append(lines, textLine{label: b.plainLabel(hl), expr: b.names.pieces(b.nt, b.th, d.Hessian), note: b.in(d.Hessian.Shape)})
	}
	if d.HessianMat != nil {
		hl := "∇²_" + x + " f"
		if !text {
			hl = "hess_" + x + " f"
		}
		lines = append(lines, textLine{label: b.plainLabel(hl), expr: b.names.pieces(b.nt, b.th, d.HessianMat), note: b.in(d.HessianMat.Shape)})
	} else if d.NoHessianMat != "" {
		hl := "∇²_" + x + " f"
		if !text {
			hl = "hess_" + x + " f"
		}
		s := "none: " + d.NoHessianMat
		lines = append(lines, textLine{label: b.plainLabel(hl), expr: []piece{{s: style(b.th.Note, s), w: utf8.RuneCountInString(s)}}})
	}
	jl := "J"
	if multi {
		jl = "J_" + x
	}
	switch {
	case d.Jacobian != nil:
		lines = append(lines, textLine{label: b.plainLabel(jl), expr: b.names.pieces(b.nt, b.th, d.Jacobian), note: b.in(d.Jacobian.Shape)})
	case d.NoJacobian != "":
		s := "none: " + d.NoJacobian
		lines = append(lines, textLine{label: b.plainLabel(jl), expr: []piece{{s: style(b.th.Note, s), w: utf8.RuneCountInString(s)}}})
	}
	return lines
}

// stepLine writes "  1. lhs = rhs    [rule]" (see stepParts).
func (b *lineBuilder) stepLine(k int, st ast.Step) []piece {
	ps := []piece{{s: "  " + strconv.Itoa(k) + ". ", w: 5 + len(strconv.Itoa(k))}}
	left, right := stepParts(b.names, b.nt, b.th, st)
	ps = append(ps, left...)
	if left != nil && right != nil {
		ps = append(ps, piece{s: " = ", w: 3})
	}
	ps = append(ps, right...)
	if st.Rule != "" {
		rule := st.Rule
		if b.nt == notASCII {
			rule = asciiRule.Replace(rule)
		}
		s := "    [" + rule + "]"
		ps = append(ps, piece{s: style(b.th.Note, s), w: utf8.RuneCountInString(s)})
	}
	return ps
}

// asciiRule writes a rule's name in the input syntax's characters (Δ and
// Greek letters stay, as in every ASCII answer).
var asciiRule = strings.NewReplacer(
	"ᵀ", "'", "⁻¹", "^-1", "⁻²", "^-2", "ᵖ", "^p", "ᵏ", "^k", "ⁱ", "^i", "²", "^2",
	"·", "*", "⊙", ".*", "⊘", "./", "⊗", " kron ", "⟨", "<", "⟩", ">", "‖", "||",
	"−", "-", "𝟙", "ones", "′", "'", "σ", "sigmoid", "Σᵢ", "sum_i ", "→", "->", "ᵢ", "_i",
)

// checkLine writes "✓ checked numerically: relative error 2e-11 (note)".
func (b *lineBuilder) checkLine(c *ast.Verification) []piece {
	var s string
	var ps []piece
	switch {
	case b.nt == notASCII && c.OK:
		s = "checked numerically: relative error " + relErr(c.RelErr)
	case b.nt == notASCII:
		s = "numerical check FAILED: relative error " + relErr(c.RelErr)
	case c.OK:
		ps = append(ps, piece{s: style(b.th.Good, "✓"), w: 1})
		s = " checked numerically: relative error " + relErr(c.RelErr)
	default:
		ps = append(ps, piece{s: style(b.th.Bad, "✗"), w: 1})
		s = " numerical check failed: relative error " + relErr(c.RelErr)
	}
	if c.Note != "" {
		s += " (" + c.Note + ")"
	}
	return append(ps, piece{s: s, w: utf8.RuneCountInString(s)})
}

// noteCap is the widest line after which notes are still aligned in a
// column; a longer line gets its note three spaces after its end.
const noteCap = 60

// layoutLines aligns the = of every labelled line and the notes in one
// column, wrapping expressions wider than width (when width > 0).
func layoutLines(w io.Writer, lines []textLine, wid int) error {
	lw := 0
	for _, l := range lines {
		if l.label != nil {
			lw = max(lw, width(l.label))
		}
	}
	rows := make([][][]piece, len(lines))
	col := 0
	for i, l := range lines {
		if l.label == nil {
			rows[i] = [][]piece{l.expr}
			continue
		}
		head := append(append([]piece{}, l.label...), piece{s: strings.Repeat(" ", lw-width(l.label)) + " = ", w: lw - width(l.label) + 3})
		rs := wrap(l.expr, lw+3, lw+1, wid)
		rs[0] = append(head, rs[0]...)
		for j := 1; j < len(rs); j++ {
			rs[j] = append([]piece{{s: strings.Repeat(" ", lw+1), w: lw + 1}}, rs[j]...)
		}
		rows[i] = rs
		if l.note != nil {
			if lastW := width(rs[len(rs)-1]); lastW <= noteCap {
				col = max(col, lastW)
			}
		}
	}
	col += 3
	var sb strings.Builder
	for i, l := range lines {
		rs := rows[i]
		for j, r := range rs {
			sb.WriteString(join(r))
			if j == len(rs)-1 && l.note != nil {
				pad := col - width(r)
				if pad < 3 || (wid > 0 && col+width(l.note) > wid) {
					pad = 3
				}
				if wid > 0 && width(r)+pad+width(l.note) > wid {
					// The note does not fit: it goes on a row of its own, under the expression.
					sb.WriteByte('\n')
					pad = lw + 3
				}
				sb.WriteString(strings.Repeat(" ", pad))
				sb.WriteString(join(l.note))
			}
			sb.WriteByte('\n')
		}
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// wrap splits an expression into rows: the first starts at column start,
// the others at column indent, each no wider than width unless a single
// unbreakable chunk is. It breaks before top-level + and − first, and before
// a top-level · only inside a term that is too wide on a row of its own. A
// row that begins at a break drops the break's space, so it starts with the
// operator.
func wrap(ps []piece, start, indent, wid int) [][]piece {
	if wid <= 0 || start+width(ps) <= wid {
		return [][]piece{ps}
	}
	rows := [][]piece{nil}
	cur := start
	place := func(chunk []piece) {
		last := len(rows) - 1
		cw := width(chunk)
		if len(rows[last]) > 0 && cur+cw > wid && chunk[0].brk != brkNone {
			if chunk[0].s == " " {
				chunk, cw = chunk[1:], cw-1
			}
			rows = append(rows, nil)
			last++
			cur = indent
		}
		rows[last] = append(rows[last], chunk...)
		cur += cw
	}
	for _, sc := range split(ps, brkSum) {
		if cur+width(sc) <= wid || (sc[0].brk != brkNone && indent+width(sc)-1 <= wid) {
			place(sc)
			continue
		}
		for _, pc := range split(sc, brkProd) {
			place(pc)
		}
	}
	return rows
}

// split cuts ps before every piece that carries the break level.
func split(ps []piece, level uint8) [][]piece {
	var out [][]piece
	begin := 0
	for i, p := range ps {
		if i > begin && p.brk == level {
			out = append(out, ps[begin:i])
			begin = i
		}
	}
	return append(out, ps[begin:])
}
