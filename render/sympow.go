// This file prints symbolic matrix powers Aᵏ (k: int).

package render

import (
	"regexp"
	"strings"

	"github.com/mdiff/mdiff/ast"
)

// superLetters are the Unicode superscripts of the lower-case Latin letters
// that have one (there is none for q).
var superLetters = map[rune]rune{
	'a': 'ᵃ', 'b': 'ᵇ', 'c': 'ᶜ', 'd': 'ᵈ', 'e': 'ᵉ', 'f': 'ᶠ', 'g': 'ᵍ', 'h': 'ʰ', 'i': 'ⁱ',
	'j': 'ʲ', 'k': 'ᵏ', 'l': 'ˡ', 'm': 'ᵐ', 'n': 'ⁿ', 'o': 'ᵒ', 'p': 'ᵖ', 'r': 'ʳ', 's': 'ˢ',
	't': 'ᵗ', 'u': 'ᵘ', 'v': 'ᵛ', 'w': 'ʷ', 'x': 'ˣ', 'y': 'ʸ', 'z': 'ᶻ',
}

// superExponent matches the exponents that read well as superscripts: a
// one-letter name, optionally plus or minus a whole number (k, k − 1).
var superExponent = regexp.MustCompile(`^-?[a-z]( [-+] [0-9]+)?$`)

// symPower prints Aᵏ: Aᵏ, (Aᵀ)ᵏ⁻¹ or A^(2·k) in text; A^k, (A')^(k - 1)
// in ASCII (which parses back, k: int); A^{k - 1} in LaTeX.
func (p *printer) symPower(n *ast.Node) {
	base, k := n.Args[0], n.Args[1]
	p.expr(base, ctxPostfix)
	switch p.nt {
	case notText:
		if s := Names(nil).ASCII(k); !p.isName(k) && superExponent.MatchString(s) {
			var sb strings.Builder
			for _, r := range strings.ReplaceAll(s, " ", "") {
				switch {
				case superLetters[r] != 0:
					sb.WriteRune(superLetters[r])
				case r == '+':
					sb.WriteRune('⁺')
				default:
					sb.WriteString(superscript(string(r)))
				}
			}
			p.op(sb.String())
			return
		}
		p.op("^")
		p.expr(k, precAtom)
	case notASCII:
		p.op("^")
		p.expr(k, precAtom)
	default:
		p.op("^{")
		p.depth++
		p.expr(k, precLowest)
		p.depth--
		p.op("}")
	}
}
