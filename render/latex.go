package render

import (
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mdiff/mdiff/ast"
)

// WriteLaTeX writes r as LaTeX math without a preamble: one aligned
// environment with a row per line of the text format,
//
//	\begin{aligned}
//	f(B) &= \lVert Y - B X \rVert_F^{2} \qquad Y \in \mathbf{R}^{q\times n}, … \\
//	\mathrm{d}f &= \langle \Delta, 2 \left(B X - Y\right) X^{\top} \rangle \\
//	\nabla_{B} f &= 2 \left(B X - Y\right) X^{\top} \quad\in \mathbf{R}^{q\times p}
//	\end{aligned}
//
// followed by the temporaries (\text{where } T_{1} &= …) and, before each
// block, the derivation steps when present. It uses amsmath only (so the
// reals are \mathbf{R}: \mathbb needs amssymb), renders in KaTeX display
// mode and compiles inside \[ … \] with pdflatex. The numerical check is not
// part of it: the caller reports it elsewhere.
func WriteLaTeX(w io.Writer, r *ast.Result) error {
	a, err := newAnswer(r)
	if err != nil {
		return err
	}
	nm := a.names
	var rows []string
	in := func(s ast.Shape) string { return ` \quad\in ` + shapeIn(s, notLaTeX) }
	var doms []string
	for _, v := range a.vars {
		doms = append(doms, latexName(v.Name)+` \in `+shapeIn(v.Shape, notLaTeX))
	}
	fRow := "f(" + a.wrtList(latexName) + ") &= " + a.fNames.LaTeX(a.f)
	if len(doms) > 0 {
		fRow += ` \qquad ` + strings.Join(doms, `,\; `)
	}
	rows = append(rows, fRow)
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
			row := `\text{` + strconv.Itoa(i+1) + `.}\quad ` + join(left) + " &= " + join(right)
			if st.Rule != "" {
				row += ` \qquad [` + latexText(st.Rule) + `]`
			}
			rows = append(rows, row)
		}
		if d.Gradient != nil {
			rows = append(rows, sub(`\mathrm{d}`)+"f &= "+nm.LaTeX(d.df))
			rows = append(rows, `\nabla_{`+x+"} f &= "+nm.LaTeX(d.Gradient)+in(d.Gradient.Shape))
		} else {
			rows = append(rows, sub(`\mathrm{d}`)+`f &= \Delta \mapsto `+nm.LaTeX(d.df)+in(d.df.Shape))
		}
		if d.Hessian != nil {
			rows = append(rows, sub("H")+`[\Delta] &= `+nm.LaTeX(d.Hessian)+in(d.Hessian.Shape))
		}
		if d.HessianMat != nil {
			rows = append(rows, `\nabla^{2}_{`+x+"} f &= "+nm.LaTeX(d.HessianMat)+in(d.HessianMat.Shape))
		} else if d.NoHessianMat != "" {
			rows = append(rows, `\nabla^{2}_{`+x+"} f &= "+latexText("none: "+d.NoHessianMat))
		}
		switch {
		case d.Jacobian != nil:
			rows = append(rows, sub("J")+" &= "+nm.LaTeX(d.Jacobian)+in(d.Jacobian.Shape))
		case d.NoJacobian != "":
			rows = append(rows, sub("J")+" &= "+latexText("none: "+d.NoJacobian))
		}
	}
	for i, t := range a.temps {
		row := "T_{" + strconv.Itoa(i+1) + "} &= " + nm.LaTeX(t)
		if i == 0 {
			row = `\text{where } ` + row
		}
		rows = append(rows, row)
	}
	s := "\\begin{aligned}\n" + strings.Join(rows, " \\\\\n") + "\n\\end{aligned}\n"
	_, err = io.WriteString(w, s)
	return err
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
