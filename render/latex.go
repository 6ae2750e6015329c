package render

import (
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mdiff/mdiff/ast"
)

// WriteLaTeX writes r as a LaTeX display that compiles when pasted into a
// document with amsmath (\usepackage{amsmath}), as it stands: one aligned
// environment inside \[ … \], with a row per line of the text format,
//
//	\[
//	\begin{aligned}
//	f(B) &= \lVert Y - B X \rVert_F^{2} \qquad Y \in \mathbf{R}^{q\times n}, … \\
//	\mathrm{d}f &= \langle \Delta, 2 \left(B X - Y\right) X^{\top} \rangle \\
//	\nabla_{B} f &= 2 \left(B X - Y\right) X^{\top} \quad\in \mathbf{R}^{q\times p}
//	\end{aligned}
//	\]
//
// followed by the temporaries (\text{where } T_{1} &= …) and, before each
// block, the derivation steps when present (\text{1.}\quad lhs = rhs
// \qquad [rule], in the right column). A row wider than [latexTextWidth]
// (by the estimate of [latexWidth]) is broken at a top-level + or − (then
// ·) into rows that continue after &\quad, the declarations at their commas,
// so that nothing overflows the text width of an A4 or letter article in
// pdflatex. It uses amsmath only (so the reals are \mathbf{R}: \mathbb needs
// amssymb); KaTeX renders what is between \[ and \] in display mode. The
// numerical check is not part of it: the caller reports it elsewhere.
func WriteLaTeX(w io.Writer, r *ast.Result) error {
	a, err := newAnswer(r)
	if err != nil {
		return err
	}
	nm := a.names
	lx := func(n *ast.Node) []piece { return latexPieces(a.namesFor(n).pieces(notLaTeX, Theme{}, n)) }
	var rows []string
	add := func(left string, right []piece) {
		rows = append(rows, latexRows(left, right)...)
	}
	in := func(s ast.Shape) []piece {
		return []piece{latexPiece(` `, brkSum), latexPiece(`\quad\in `+shapeIn(s, notLaTeX), brkNone)}
	}
	var doms []piece
	for i, v := range a.vars {
		if i > 0 {
			doms = append(doms, latexPiece(`,\;`, brkNone))
		}
		d := latexName(v.Name) + ` \in ` + varIn(v, notLaTeX)
		if k := propWords(v.Props); k != "" {
			d += `\ \text{` + k + `}`
		}
		doms = append(doms, latexPiece(" ", brkSum), latexPiece(d, brkNone))
	}
	for _, g := range a.funcs() {
		if len(doms) > 0 {
			doms = append(doms, latexPiece(`,\;`, brkNone))
		}
		doms = append(doms, latexPiece(" ", brkSum), latexPiece(latexName(g)+`\colon \mathbf{R} \to \mathbf{R}`, brkNone))
	}
	fRow := append([]piece{latexPiece("= ", brkNone)}, latexPieces(a.fNames.pieces(notLaTeX, Theme{}, a.f))...)
	if len(doms) > 0 {
		fRow = append(fRow, latexPiece(" ", brkSum), latexPiece(`\qquad `, brkNone))
		fRow = append(fRow, doms[1:]...)
	}
	add("f("+a.wrtList(latexName)+")", fRow)
	eq := func(ps []piece) []piece { return append([]piece{latexPiece("= ", brkNone)}, ps...) }
	for _, d := range a.ders {
		x := latexName(d.Wrt.Name)
		sub := func(s string) string {
			if a.multi() {
				return s + "_{" + x + "}"
			}
			return s
		}
		for i, st := range d.Steps {
			left, right := stepParts(nm, notLaTeX, Theme{}, st)
			row := []piece{latexPiece(`\text{`+strconv.Itoa(i+1)+`.}\quad `, brkNone)}
			if st.Kind == ast.StepRule {
				// d(node): breaking inside the d(…) would read as a product.
				row = append(row, latexPiece(join(left), brkNone))
			} else {
				row = append(row, latexPieces(left)...)
			}
			row = append(row, latexPiece(" ", brkSum), latexPiece("= ", brkNone))
			row = append(row, latexPieces(right)...)
			if st.Rule != "" {
				row = append(row, latexPiece(" ", brkSum), latexPiece(`\qquad [`+latexText(st.Rule)+`]`, brkNone))
			}
			add("", row)
		}
		if d.Gradient != nil {
			add(sub(`\mathrm{d}`)+"f", eq(lx(d.df)))
			add(`\nabla_{`+x+"} f", append(eq(lx(d.Gradient)), in(d.Gradient.Shape)...))
		} else {
			add(sub(`\mathrm{d}`)+"f", append(eq(append([]piece{latexPiece(`\Delta \mapsto `, brkNone)}, lx(d.df)...)), in(d.df.Shape)...))
		}
		if d.Hessian != nil {
			add(sub("H")+`[\Delta]`, append(eq(lx(d.Hessian)), in(d.Hessian.Shape)...))
		}
		if d.HessianMat != nil {
			add(`\nabla^{2}_{`+x+"} f", append(eq(lx(d.HessianMat)), in(d.HessianMat.Shape)...))
		} else if d.NoHessianMat != "" {
			add(`\nabla^{2}_{`+x+"} f", eq(latexWords("none: "+d.NoHessianMat)))
		}
		switch {
		case d.Jacobian != nil:
			add(sub("J"), append(eq(lx(d.Jacobian)), in(d.Jacobian.Shape)...))
		case d.NoJacobian != "":
			add(sub("J"), eq([]piece{latexPiece(latexText("none: "+d.NoJacobian), brkNone)}))
		}
	}
	for i, t := range a.temps {
		label := "T_{" + strconv.Itoa(i+1) + "}"
		if i == 0 {
			label = `\text{where } ` + label
		}
		add(label, eq(lx(t)))
	}
	s := "\\[\n\\begin{aligned}\n" + strings.Join(rows, " \\\\\n") + "\n\\end{aligned}\n\\]\n"
	_, err = io.WriteString(w, s)
	return err
}

// latexTextWidth is the width, in tenths of a point, that a row of the
// aligned environment may take by the estimate of [latexWidth]: the text
// width of the article class at 10pt on A4 or letter paper is 345pt; the
// estimate keeps a margin for its own error.
const latexTextWidth = 3000

// brkInner + k marks a space of a LaTeX expression inside k+1 \left
// brackets (k ≤ maxInner) but outside any {…} group: a row may break there
// when the top-level breaks do not suffice, closing the \left delimiters
// still open with \right. and opening them again on the next row with
// \left.. Outer brackets are broken before inner ones.
const (
	brkInner uint8 = 3
	maxInner       = 5
)

// latexBreakLevels are the breaks of a LaTeX row, in order of preference:
// before a top-level + or −, before a top-level ·, at a space inside one
// bracket, two, … .
var latexBreakLevels = func() []func(prev, p piece) bool {
	levels := []func(prev, p piece) bool{breakLevels[0], breakLevels[1]}
	for k := uint8(0); k <= maxInner; k++ {
		levels = append(levels, func(_, p piece) bool { return p.brk == brkInner+k })
	}
	return levels
}()

// latexRows writes one line of the display, label on the left of the &,
// breaking right (which starts with "= " or is a step) into rows of at most
// latexTextWidth, which continue after &\quad. A row never breaks inside a
// {…} group; a \left delimiter still open at the end of a row is closed
// with \right. and reopened on the next with \left., so that each row is
// balanced, as aligned requires.
func latexRows(label string, right []piece) []string {
	lw := latexWidth(label)
	indent := lw + latexWidth(`\quad`)
	rs := wrapLevels(right, lw, indent, latexTextWidth, latexBreakLevels)
	out := make([]string, len(rs))
	open := 0 // \left delimiters open at the start of the row
	for i, r := range rs {
		body := strings.TrimSpace(join(r))
		lefts := len(leftDelim.FindAllString(body, -1)) - len(rightDelim.FindAllString(body, -1))
		body = strings.Repeat(`\left. `, open) + body + strings.Repeat(` \right.`, open+lefts)
		open += lefts
		if i == 0 {
			out[i] = strings.TrimSpace(label + " &" + body)
			continue
		}
		out[i] = `&\quad ` + body
	}
	return out
}

var (
	leftDelim  = regexp.MustCompile(`\\left[^a-zA-Z]`)
	rightDelim = regexp.MustCompile(`\\right[^a-zA-Z]`)
)

// latexPiece is s as a piece of its estimated width.
func latexPiece(s string, brk uint8) piece { return piece{s: s, w: latexWidth(s), brk: brk} }

// latexPieces gives the printer's LaTeX pieces their estimated widths, and
// marks as brkInner + k each space outside {…} groups that the printer did
// not mark (one inside brackets), k+1 being the number of \left brackets
// around it.
func latexPieces(ps []piece) []piece {
	out := make([]piece, len(ps))
	braces, lefts := 0, 0
	for i, p := range ps {
		out[i] = piece{s: p.s, w: latexWidth(p.s), brk: p.brk}
		if p.s == " " && p.brk == brkNone && braces == 0 {
			out[i].brk = brkInner + uint8(min(max(lefts-1, 0), maxInner))
		}
		lefts += len(leftDelim.FindAllString(p.s+" ", -1)) - len(rightDelim.FindAllString(p.s+" ", -1))
		for j := 0; j < len(p.s); j++ {
			switch p.s[j] {
			case '\\':
				j++ // \{ and \} are not groups
			case '{':
				braces++
			case '}':
				braces--
			}
		}
	}
	return out
}

// latexGlyphs are estimated widths (tenths of a point, Computer Modern at
// 10pt, math spacing included) of the macros the printers write.
var latexGlyphs = map[string]int{
	"left": 0, "right": 0, "quad": 100, "qquad": 200, ",": 17, ";": 28, ":": 22, "!": -17, " ": 33,
	"top": 78, "cdot": 72, "odot": 122, "otimes": 122, "oslash": 122, "circ": 72, "times": 122,
	"in": 134, "mapsto": 150, "to": 134, "colon": 40, "langle": 39, "rangle": 39,
	"lVert": 50, "rVert": 50, "Vert": 50, "lvert": 28, "rvert": 28, "vert": 28,
	"{": 50, "}": 50, "_": 50, "&": 78, "#": 83, "%": 83, "$": 50, "dots": 130,
}

// latexWidth estimates the printed width of LaTeX math s, in tenths of a
// point at 10pt: a small letter 5.5pt, a capital 8pt, a binary operator with its spacing 12.2pt,
// a relation 13.4pt, scripts at 80%, the words of \text and
// \operatorname as upright letters, a macro name not listed one wide
// letter. It is meant to overestimate a little; the pdflatex test holds it
// to the truth.
func latexWidth(s string) int {
	total := 0.0
	scale := []float64{1}
	pendingScript := false
	cur := func() float64 { return scale[len(scale)-1] }
	addw := func(w float64) {
		total += w * cur()
		if pendingScript {
			pendingScript = false
			scale = scale[:len(scale)-1]
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			j := i + 1
			for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z') {
				j++
			}
			if j == i+1 && j < len(s) {
				j++
			}
			name := s[i+1 : j]
			i = j
			switch name {
			case "text", "operatorname", "mathrm", "mathit", "mathbf":
				// The group's letters, upright (text keeps its spaces).
				if i < len(s) && s[i] == '{' {
					k := strings.IndexByte(s[i:], '}')
					if k < 0 {
						k = len(s) - i
					}
					body := s[i+1 : i+k]
					i += k + 1
					n := 0.0
					for _, r := range body {
						if r == ' ' {
							n += 33
						} else if r >= 'A' && r <= 'Z' {
							n += 80
						} else if r != '\\' {
							n += 50
						}
					}
					if name == "operatorname" {
						n += 17
					}
					addw(n)
				}
				continue
			case "log", "det", "exp", "sin", "cos", "tanh", "tr":
				addw(50*float64(len(name)) + 17)
				continue
			}
			if w, ok := latexGlyphs[name]; ok {
				addw(float64(w))
			} else {
				addw(80) // a Greek letter or another symbol
			}
			continue
		case c == '^' || c == '_':
			total += 5 * cur() // \scriptspace
			scale = append(scale, cur()*0.8)
			pendingScript = true
			i++
			if i < len(s) && s[i] == '{' {
				// The group keeps the script scale until its brace closes.
				pendingScript = false
				scale = append(scale, cur())
				i++
			}
			continue
		case c == '{':
			scale = append(scale, cur())
			i++
			continue
		case c == '}':
			if len(scale) > 1 {
				scale = scale[:len(scale)-1]
				// A script group: drop its script scale too.
				if len(scale) > 1 && scale[len(scale)-1] < scale[len(scale)-2] {
					scale = scale[:len(scale)-1]
				}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == ' ':
		case r >= 'a' && r <= 'z':
			addw(55)
		case r >= 'A' && r <= 'Z':
			addw(80)
		case r >= '0' && r <= '9':
			addw(50)
		case r == '+' || r == '-':
			addw(122)
		case r == '=' || r == '<' || r == '>':
			addw(134)
		case r == ',' || r == ';':
			addw(45)
		case r == '(' || r == ')' || r == '[' || r == ']' || r == '|':
			addw(39)
		default:
			addw(50)
		}
	}
	return int(math.Ceil(total))
}

// latexSymbols are the non-ASCII characters a rule name may use, in math.
var latexSymbols = map[rune]string{
	'·': `\cdot `, '−': `-`, '×': `\times `, '⊙': `\odot `, '⊘': `\oslash `, '⊗': `\otimes `,
	'∘': `\circ `, '⟨': `\langle `, '⟩': `\rangle `, '‖': `\Vert `, '∇': `\nabla `, '∈': `\in `,
	'↦': `\mapsto `, '→': `\to `, '≠': `\neq `, '≤': `\leq `, '≥': `\geq `, '∂': `\partial `,
	'𝟙': `\mathbf{1}`, 'ℝ': `\mathbf{R}`, '…': `\dots `, '′': `'`, '⇒': `\Rightarrow `, '≡': `\equiv `,
	'<': `<`, '>': `>`, '|': `\vert `, '\\': `\backslash `, '{': `\{`, '}': `\}`, '~': `\sim `, '^': `\wedge `,
}

// Unicode super- and subscript characters, grouped into ^{…} and _{…}.
var (
	superChars = map[rune]string{'ᵀ': `\top `, '⁻': "-", '⁺': "+", '⁽': "(", '⁾': ")",
		'ᵖ': "p", 'ⁿ': "n", 'ᵏ': "k", 'ⁱ': "i", 'ʲ': "j", 'ˣ': "x"}
	subChars = map[rune]string{'ᵢ': "i", 'ⱼ': "j", '₊': "+", '₋': "-", 'ₖ': "k", 'ₙ': "n",
		'ₚ': "p", 'ₓ': "x", '₍': "(", '₎': ")"}
)

func init() {
	for i, r := range superDigits {
		superChars[r] = strconv.Itoa(i)
	}
	for i, r := range subDigits {
		subChars[r] = strconv.Itoa(i)
	}
}

// latexText writes free text (a rule name such as "d(AB) = dA·B + A·dB")
// for a math row: runs of plain ASCII in \text{…}, known symbols as math,
// Greek letters as macros, Unicode super- and subscripts as ^{…} and _{…},
// anything else as ?. The result compiles with pdflatex and KaTeX.
// latexWords writes a sentence as text that may break between its words.
func latexWords(s string) []piece {
	ws := strings.Split(s, " ")
	var ps []piece
	for i, w := range ws {
		if i < len(ws)-1 {
			w += " "
		}
		brk := uint8(brkNone)
		if i > 0 {
			brk = brkSum
		}
		ps = append(ps, latexPiece(latexText(w), brk))
	}
	return ps
}

func latexText(s string) string {
	var sb, run strings.Builder
	flush := func() {
		if run.Len() > 0 {
			sb.WriteString(`\text{` + run.String() + `}`)
			run.Reset()
		}
	}
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if m, ok := superChars[r]; ok {
			flush()
			sb.WriteString("{}^{" + m)
			for i+1 < len(rs) && superChars[rs[i+1]] != "" {
				i++
				sb.WriteString(superChars[rs[i]])
			}
			sb.WriteString("}")
			continue
		}
		if m, ok := subChars[r]; ok {
			flush()
			sb.WriteString("{}_{" + m)
			for i+1 < len(rs) && subChars[rs[i+1]] != "" {
				i++
				sb.WriteString(subChars[rs[i]])
			}
			sb.WriteString("}")
			continue
		}
		switch {
		case latexSymbols[r] != "":
			flush()
			sb.WriteString(latexSymbols[r])
		case greek[r] != "":
			flush()
			sb.WriteString(latexGreek[greek[r]] + " ")
		case r == '$' || r == '&' || r == '#' || r == '%' || r == '_':
			run.WriteString(`\` + string(r))
		case r == '"':
			run.WriteString("''")
		case r >= ' ' && r < utf8.RuneSelf:
			run.WriteRune(r)
		default:
			run.WriteRune('?')
		}
	}
	flush()
	return sb.String()
}
