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

// WriteASCII writes r with the layout of [WriteText] but in pure ASCII:
// every expression in the input syntax (grad_B f = 2*(B*X - Y)*X'), the
// direction written Delta, Greek names spelled out, and a check line
// "checked numerically: relative error 2e-11". A line that uses temporaries
// ends with the where clause that defines them (… where T1 = X*W, T2 =
// tanh(T1)), so that every printed expression, as it stands, parses back:
// the gradient line is a --grad candidate, the differential too.
// opt.Theme is ignored.
func WriteASCII(w io.Writer, r *ast.Result, opt TextOptions) error {
	opt.Theme = Theme{}
	return writeLines(w, r, notASCII, opt)
}

// textLine is one logical line of a text document: label = expr  note. A
// line without a label is written as is (expr only).
type textLine struct {
	label  []piece
	expr   []piece
	note   []piece
	indent int // where a wrapped line without a label continues
}

func writeLines(w io.Writer, r *ast.Result, nt notation, opt TextOptions) error {
	a, err := newAnswer(r)
	if err != nil {
		return err
	}
	th := opt.Theme
	b := &lineBuilder{nt: nt, th: th, names: a.names, namesFor: a.namesFor}
	wrtName := func(s string) string { return s }
	switch nt {
	case notText:
		wrtName = textName
	case notASCII:
		wrtName = ASCIIName
	}
	lines := []textLine{{
		label: b.plainLabel("f(" + a.wrtList(wrtName) + ")"),
		expr:  append(a.fNames.pieces(nt, th, a.f), b.where(a.fNames, a.f)...),
		note:  b.domains(a.vars, a.funcs()),
	}}
	for _, d := range a.ders {
		lines = append(lines, b.derivativeLines(a, d)...)
	}
	for i, t := range a.temps {
		if nt == notASCII {
			break // each line carries its own where clause
		}
		label := b.tempLabel(i + 1)
		if i == 0 {
			label = append([]piece{{s: "where ", w: 6}}, label...)
		} else {
			label = append([]piece{{s: "      ", w: 6}}, label...)
		}
		lines = append(lines, textLine{label: label, expr: a.names.pieces(nt, th, t)})
	}
	if c := r.Check; c != nil {
		lines = append(lines, textLine{expr: b.checkLine(c), indent: 2})
	}
	return layoutLines(w, lines, opt.Width)
}

// lineBuilder makes the labels and notes of one notation.
type lineBuilder struct {
	nt    notation
	th    Theme
	names Names
	// namesFor returns the names a root prints with (answer.namesFor).
	namesFor func(*ast.Node) Names
}

// rootNames is b.namesFor(n), or b.names without it.
func (b *lineBuilder) rootNames(n *ast.Node) Names {
	if b.namesFor == nil {
		return b.names
	}
	return b.namesFor(n)
}

// where returns, in ASCII, the clause " where T1 = …, T2 = …" that defines
// the temporaries of nm that roots use, directly or through other
// temporaries, in order of definition; nothing in other notations, which
// print the temporaries once on lines of their own, or when roots use
// none. Each root is printed in full, so it counts as used only through
// its subexpressions.
func (b *lineBuilder) where(nm Names, roots ...*ast.Node) []piece {
	if b.nt != notASCII || len(nm) == 0 {
		return nil
	}
	used := map[*ast.Node]bool{}
	seen := map[*ast.Node]bool{}
	var visit func(n *ast.Node)
	visit = func(n *ast.Node) {
		if seen[n] {
			return
		}
		seen[n] = true
		if nm[n] != 0 {
			used[n] = true
		}
		for _, a := range n.Args {
			visit(a)
		}
	}
	for _, r := range roots {
		if r != nil {
			for _, a := range r.Args {
				visit(a)
			}
		}
	}
	if len(used) == 0 {
		return nil
	}
	top := 0
	for _, k := range nm {
		top = max(top, k)
	}
	byNumber := make([]*ast.Node, top+1)
	for n, k := range nm {
		if k > 0 {
			byNumber[k] = n
		}
	}
	ps := []piece{{s: " ", w: 1, brk: brkSum}, {s: "where ", w: 6}}
	first := true
	for k, n := range byNumber {
		if n == nil || !used[n] {
			continue
		}
		if !first {
			ps = append(ps, piece{s: ",", w: 1}, piece{s: " ", w: 1, brk: brkSum})
		}
		first = false
		p := &printer{nt: b.nt, th: b.th}
		p.tempName(k)
		ps = append(append(append(ps, p.ps...), piece{s: " = ", w: 3}), nm.pieces(b.nt, b.th, n)...)
	}
	return ps
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

// domains writes the declarations of the variables and functions, each with
// its kind: "Y ∈ ℝ^{q×n}, S ∈ ℝ^{n×n} sym, g: ℝ → ℝ" (ASCII "S in R^{n x n}
// sym, g: R -> R"). The kind words are those of the declaration (sym, spd,
// pos), after the space. A line may break after each comma.
func (b *lineBuilder) domains(vars []*ast.Node, funcs []string) []piece {
	var ps []piece
	in, fn := " ∈ ", ": ℝ → ℝ"
	if b.nt == notASCII {
		in, fn = " in ", ": R -> R"
	}
	sep := func() {
		if len(ps) > 0 {
			ps = append(ps, piece{s: style(b.th.Note, ","), w: 1}, piece{s: " ", w: 1, brk: brkSum})
		}
	}
	for _, v := range vars {
		sep()
		name := v.Name
		switch b.nt {
		case notText:
			name = textName(name)
		case notASCII:
			name = ASCIIName(name) // Omega, lambda: pure ASCII
		}
		s := in + varIn(v, b.nt)
		if k := propWords(v.Props); k != "" {
			s += " " + k
		}
		// One piece: a declaration is never broken.
		ps = append(ps, piece{s: style(b.th.Var, name) + style(b.th.Note, s), w: utf8.RuneCountInString(name + s)})
	}
	for _, g := range funcs {
		sep()
		ps = append(ps, piece{s: style(b.th.Func, g) + style(b.th.Note, fn), w: utf8.RuneCountInString(g + fn)})
	}
	return ps
}

// propWords names the declared properties of a variable with the words of
// the declaration syntax: "sym", "spd" (which implies sym), "pos", or "" for
// none; several are separated by spaces ("spd pos").
func propWords(p ast.Props) string {
	var w []string
	switch {
	case p&ast.PosDef != 0:
		w = append(w, "spd")
	case p&ast.Symmetric != 0:
		w = append(w, "sym")
	}
	if p&ast.Positive != 0 {
		w = append(w, "pos")
	}
	if p&ast.Diagonal != 0 {
		w = append(w, "diag")
	}
	return strings.Join(w, " ")
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
	switch b.nt {
	case notText:
		x = textName(x)
	case notASCII:
		x = ASCIIName(x)
	}
	var lines []textLine
	for i, st := range d.Steps {
		lines = append(lines, textLine{expr: b.stepLine(i+1, st), indent: stepIndent(i + 1)})
	}
	dl := "df"
	if multi {
		dl = "d_" + x + " f"
	}
	var expr []piece
	var note []piece
	if d.Gradient == nil {
		p := &printer{nt: b.nt, th: b.th}
		p.emit(b.th.Delta, p.pick("Δ", "Delta", `\Delta`))
		p.raw(" ")
		p.op(map[bool]string{true: "↦", false: "->"}[text])
		p.raw(" ")
		expr = append(p.ps, b.rootNames(d.df).pieces(b.nt, b.th, d.df)...)
		note = b.in(d.df.Shape)
	} else {
		expr = b.rootNames(d.df).pieces(b.nt, b.th, d.df)
	}
	expr = append(expr, b.where(b.rootNames(d.df), d.df)...)
	lines = append(lines, textLine{label: b.plainLabel(dl), expr: expr, note: note})
	if d.Gradient != nil {
		gl := "∇_" + x + " f"
		if !text {
			gl = "grad_" + x + " f"
		}
		lines = append(lines, textLine{label: b.label(b.th.Label, gl), expr: b.exprWhere(d.Gradient), note: b.in(d.Gradient.Shape)})
	}
	if d.Hessian != nil {
		dir := map[bool]string{true: "Δ", false: "Delta"}[text]
		hl := "H[" + dir + "]"
		if multi {
			hl = "H_" + x + "[" + dir + "]"
		}
		lines = append(lines, textLine{label: b.plainLabel(hl), expr: b.exprWhere(d.Hessian), note: b.in(d.Hessian.Shape)})
	}
	if d.HessianMat != nil {
		hl := "∇²_" + x + " f"
		if !text {
			hl = "hess_" + x + " f"
		}
		lines = append(lines, textLine{label: b.plainLabel(hl), expr: b.exprWhere(d.HessianMat), note: b.in(d.HessianMat.Shape)})
	} else if d.NoHessianMat != "" {
		hl := "∇²_" + x + " f"
		if !text {
			hl = "hess_" + x + " f"
		}
		lines = append(lines, textLine{label: b.plainLabel(hl), expr: words(b.th.Note, "none: "+d.NoHessianMat)})
	}
	jl := "J"
	if multi {
		jl = "J_" + x
	}
	switch {
	case d.Jacobian != nil:
		lines = append(lines, textLine{label: b.plainLabel(jl), expr: b.exprWhere(d.Jacobian), note: b.in(d.Jacobian.Shape)})
	case d.NoJacobian != "":
		s := "none: " + d.NoJacobian
		lines = append(lines, textLine{label: b.plainLabel(jl), expr: words(b.th.Note, s)})
	}
	return lines
}

// exprWhere is n with the names of the temporaries, and in ASCII the where
// clause that defines those it uses.
func (b *lineBuilder) exprWhere(n *ast.Node) []piece {
	return append(b.rootNames(n).pieces(b.nt, b.th, n), b.where(b.rootNames(n), n)...)
}

// stepLine writes "  1. lhs = rhs    [rule]" (see stepParts).
func (b *lineBuilder) stepLine(k int, st ast.Step) []piece {
	ps := []piece{{s: "  " + strconv.Itoa(k) + ". ", w: stepIndent(k)}}
	left, right := stepParts(b.names, b.nt, b.th, st)
	ps = append(ps, left...)
	if left != nil && right != nil {
		ps = append(ps, piece{s: " ", w: 1, brk: brkSum}, piece{s: "= ", w: 2})
	}
	ps = append(ps, right...)
	ps = append(ps, b.where(b.names, st.Lhs, st.Rhs)...)
	if st.Rule != "" {
		rule := st.Rule
		if b.nt == notASCII {
			rule = asciiRule.Replace(rule)
		}
		ps = append(ps, piece{s: " ", w: 1, brk: brkSum}, piece{s: "   ", w: 3})
		ps = append(ps, words(b.th.Note, "["+rule+"]")...)
	}
	return ps
}

// stepIndent is the width of "  k. ", where the expressions of step k start.
func stepIndent(k int) int { return 4 + len(strconv.Itoa(k)) }

// words writes s styled with f, a piece per word and per space, so that a
// line may break between words.
func words(f func(a ...any) string, s string) []piece {
	var ps []piece
	for i, w := range strings.Split(s, " ") {
		if i > 0 {
			ps = append(ps, piece{s: " ", w: 1})
		}
		if w != "" {
			ps = append(ps, piece{s: style(f, w), w: utf8.RuneCountInString(w)})
		}
	}
	return ps
}

// asciiRule writes a rule's name, or a note, in the input syntax's
// characters.
var asciiRule = strings.NewReplacer("Δ", "Delta", "t²", "t^2",
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
	if c.Note != "" && b.nt == notASCII {
		s += " (" + asciiRule.Replace(c.Note) + ")"
	} else if c.Note != "" {
		s += " (" + c.Note + ")"
	}
	if strings.HasPrefix(s, " ") {
		ps = append(ps, piece{s: " ", w: 1})
		s = s[1:]
	}
	return append(ps, words(nil, s)...)
}

// noteCap is the widest line after which notes are still aligned in a
// column; a longer line gets its note three spaces after its end.
const noteCap = 60

// layoutLines aligns the = of every labelled line and the notes in one
// column, wrapping lines wider than wid (when wid > 0) with [wrap]: an
// expression continues under its first character, a note that does not fit
// after its expression goes on rows of its own under the expression, and a
// line without a label (a step, the check line) continues at its indent.
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
			rows[i] = indentRows(wrap(l.expr, 0, l.indent, wid), l.indent)
			continue
		}
		head := append(append([]piece{}, l.label...), piece{s: strings.Repeat(" ", lw-width(l.label)) + " = ", w: lw - width(l.label) + 3})
		rs := indentRows(wrap(l.expr, lw+3, lw+1, wid), lw+1)
		rs[0] = append(head, rs[0]...)
		rows[i] = rs
		if l.note != nil {
			if lastW := width(rs[len(rs)-1]); lastW <= noteCap {
				col = max(col, lastW)
			}
		}
	}
	col += 3
	var sb strings.Builder
	writeRow := func(r []piece) {
		sb.WriteString(strings.TrimRight(join(r), " "))
		sb.WriteByte('\n')
	}
	for i, l := range lines {
		rs := rows[i]
		for j, r := range rs {
			if j < len(rs)-1 || l.note == nil {
				writeRow(r)
				continue
			}
			pad := col - width(r)
			if pad < 3 || (wid > 0 && col+width(l.note) > wid) {
				pad = 3
			}
			if wid <= 0 || width(r)+pad+width(l.note) <= wid {
				writeRow(append(append(r[:len(r):len(r)], piece{s: strings.Repeat(" ", pad), w: pad}), l.note...))
				continue
			}
			// The note does not fit: it goes on rows of its own, under the expression.
			writeRow(r)
			for _, nr := range wrap(l.note, lw+3, lw+3, wid) {
				writeRow(append([]piece{{s: strings.Repeat(" ", lw+3), w: lw + 3}}, nr...))
			}
		}
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// indentRows prefixes every row of rs but the first with indent spaces.
func indentRows(rs [][]piece, indent int) [][]piece {
	for j := 1; j < len(rs); j++ {
		rs[j] = append([]piece{{s: strings.Repeat(" ", indent), w: indent}}, rs[j]...)
	}
	return rs
}

// breakLevels are the places wrap may break a line, in order of preference:
// before a top-level + or −, before a top-level ·, before any other space
// and after a comma (inside brackets, between words), and last between any
// two pieces. A piece is never split, so no token (a name, a number, an
// operator, ℝ^{n×p}) is ever broken.
var breakLevels = []func(prev, p piece) bool{
	func(_, p piece) bool { return p.brk == brkSum },
	func(_, p piece) bool { return p.brk == brkProd },
	func(prev, p piece) bool {
		return p.s == " " || strings.HasSuffix(prev.s, ", ") || strings.HasSuffix(prev.s, ",")
	},
	func(_, _ piece) bool { return true },
}

// wrap splits a line into rows no wider than wid: the first row starts at
// column start, the others at column indent (which the caller writes). It
// breaks at the most preferred level of [breakLevels] that makes a part fit,
// so a sum is broken before its terms are, and a term before its factors. A
// row that begins at a break drops the break's space, so it starts with the
// operator. Only a single piece wider than wid − indent can overflow. With
// wid ≤ 0 the line is one row.
func wrap(ps []piece, start, indent, wid int) [][]piece {
	return wrapLevels(ps, start, indent, wid, breakLevels)
}

// wrapLevels is [wrap] with the given break levels, most preferred first.
func wrapLevels(ps []piece, start, indent, wid int, levels []func(prev, p piece) bool) [][]piece {
	if wid <= 0 || start+width(ps) <= wid {
		return [][]piece{ps}
	}
	wr := &wrapper{rows: [][]piece{nil}, cur: start, indent: indent, wid: wid, levels: levels}
	wr.add(ps, 0, false)
	return wr.rows
}

type wrapper struct {
	rows             [][]piece
	cur, indent, wid int
	levels           []func(prev, p piece) bool
}

// add places chunk whole if it fits on the current row, or (when a row may
// break before it) on a fresh row; otherwise it splits chunk at level lvl
// and places the parts.
func (wr *wrapper) add(chunk []piece, lvl int, breakable bool) {
	cw := width(chunk)
	fresh := wr.indent + cw
	if chunk[0].s == " " {
		fresh--
	}
	if wr.cur+cw <= wr.wid || (breakable && fresh <= wr.wid) || lvl == len(wr.levels) || len(chunk) == 1 {
		wr.place(chunk, breakable)
		return
	}
	for i, part := range splitAt(chunk, wr.levels[lvl]) {
		wr.add(part, lvl+1, breakable || i > 0)
	}
}

// place appends chunk to the current row, or to a new row when it does not
// fit and a row may break before it.
func (wr *wrapper) place(chunk []piece, breakable bool) {
	last := len(wr.rows) - 1
	cw := width(chunk)
	if breakable && len(wr.rows[last]) > 0 && wr.cur+cw > wr.wid {
		if chunk[0].s == " " {
			chunk, cw = chunk[1:], cw-1
		}
		wr.rows = append(wr.rows, nil)
		last++
		wr.cur = wr.indent
	}
	wr.rows[last] = append(wr.rows[last], chunk...)
	wr.cur += cw
}

// splitAt cuts ps before every piece at which at(previous, piece) holds.
func splitAt(ps []piece, at func(prev, p piece) bool) [][]piece {
	var out [][]piece
	begin := 0
	for i := 1; i < len(ps); i++ {
		if at(ps[i-1], ps[i]) {
			out = append(out, ps[begin:i])
			begin = i
		}
	}
	return append(out, ps[begin:])
}
