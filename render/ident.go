package render

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mdiff/mdiff/ast"
)

// greek maps each Greek letter to its spelled name, which is also the name
// of its LaTeX macro when latexGreek has it.
var greek = map[rune]string{
	'α': "alpha", 'β': "beta", 'γ': "gamma", 'δ': "delta", 'ε': "epsilon", 'ζ': "zeta",
	'η': "eta", 'θ': "theta", 'ι': "iota", 'κ': "kappa", 'λ': "lambda", 'μ': "mu",
	'ν': "nu", 'ξ': "xi", 'ο': "omicron", 'π': "pi", 'ρ': "rho", 'σ': "sigma", 'ς': "varsigma",
	'τ': "tau", 'υ': "upsilon", 'φ': "phi", 'χ': "chi", 'ψ': "psi", 'ω': "omega",
	'ϑ': "vartheta", 'ϕ': "phi", 'ϵ': "epsilon", 'ϱ': "varrho", 'ϖ': "varpi", 'ϰ': "varkappa",
	'Α': "Alpha", 'Β': "Beta", 'Γ': "Gamma", 'Δ': "Delta", 'Ε': "Epsilon", 'Ζ': "Zeta",
	'Η': "Eta", 'Θ': "Theta", 'Ι': "Iota", 'Κ': "Kappa", 'Λ': "Lambda", 'Μ': "Mu",
	'Ν': "Nu", 'Ξ': "Xi", 'Ο': "Omicron", 'Π': "Pi", 'Ρ': "Rho", 'Σ': "Sigma", 'Τ': "Tau",
	'Υ': "Upsilon", 'Φ': "Phi", 'Χ': "Chi", 'Ψ': "Psi", 'Ω': "Omega",
}

// latexGreek maps a spelled Greek name to its LaTeX (amsmath, KaTeX) form.
// Capitals that look like Latin letters have no macro and print as the
// Latin letter.
var latexGreek = map[string]string{}

func init() {
	for _, name := range []string{
		"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
		"lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "varsigma", "tau", "upsilon", "phi",
		"chi", "psi", "omega", "vartheta", "varrho", "varpi", "varkappa",
		"Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega",
	} {
		latexGreek[name] = `\` + name
	}
	latexGreek["omicron"] = "o"
	for name, latin := range map[string]string{
		"Alpha": "A", "Beta": "B", "Epsilon": "E", "Zeta": "Z", "Eta": "H", "Iota": "I",
		"Kappa": "K", "Mu": "M", "Nu": "N", "Omicron": "O", "Rho": "P", "Tau": "T", "Chi": "X",
	} {
		latexGreek[name] = `\mathrm{` + latin + `}`
	}
}

// latexName writes an identifier (a variable, size or function name) in
// LaTeX: Greek letters and spelled Greek names as macros (λ, lambda →
// \lambda), trailing digits as a subscript (W1 → W_{1}), a part after the
// first '_' as a subscript (x_hat → x_{\mathrm{hat}}), and other
// multi-letter names in \mathit. Characters LaTeX cannot take literally are
// escaped, so the result always compiles.
func latexName(name string) string {
	if base, sub, ok := strings.Cut(name, "_"); ok && base != "" && sub != "" {
		return latexBase(base) + "_{" + latexSub(sub) + "}"
	}
	i := len(name)
	for i > 0 && name[i-1] >= '0' && name[i-1] <= '9' {
		i--
	}
	if i > 0 && i < len(name) {
		return latexBase(name[:i]) + "_{" + name[i:] + "}"
	}
	return latexBase(name)
}

// latexBase writes a name without subscripts.
func latexBase(s string) string {
	if r, size := utf8.DecodeRuneInString(s); size == len(s) {
		if g, ok := greek[r]; ok {
			return latexGreek[g]
		}
		if r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return s
		}
	}
	if g, ok := latexGreek[s]; ok {
		return g
	}
	return `\mathit{` + latexWord(s) + `}`
}

// latexSub writes the subscript part of a name: digits and single letters
// as is, words upright.
func latexSub(s string) string {
	if isDigits(s) {
		return s
	}
	if utf8.RuneCountInString(s) == 1 || latexGreek[s] != "" {
		return latexBase(s)
	}
	return `\mathrm{` + latexWord(s) + `}`
}

// latexWord escapes a word for \mathit or \mathrm: ASCII letters and digits
// stay, '_' becomes \_, a Greek letter becomes its macro and any other
// character its code point, so that pdflatex never meets raw Unicode.
func latexWord(s string) string {
	var sb strings.Builder
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			sb.WriteRune(r)
		case r == '_':
			sb.WriteString(`\_`)
		case greek[r] != "":
			sb.WriteString(latexGreek[greek[r]] + " ")
		default:
			fmt.Fprintf(&sb, "u%04X", r)
		}
	}
	return strings.TrimSpace(sb.String())
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// pyIdentRE is what render accepts as a Python identifier: ASCII only.
var pyIdentRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// pyKeywords are Python's reserved words (and soft keywords), never emitted
// as identifiers.
var pyKeywords = map[string]bool{
	"False": true, "None": true, "True": true, "and": true, "as": true, "assert": true,
	"async": true, "await": true, "break": true, "class": true, "continue": true, "def": true,
	"del": true, "elif": true, "else": true, "except": true, "finally": true, "for": true,
	"from": true, "global": true, "if": true, "import": true, "in": true, "is": true,
	"lambda": true, "nonlocal": true, "not": true, "or": true, "pass": true, "raise": true,
	"return": true, "try": true, "while": true, "with": true, "yield": true,
	"match": true, "case": true, "type": true, "_": true,
}

// validPyIdent reports whether s is safe to emit as a Python identifier.
func validPyIdent(s string) bool { return pyIdentRE.MatchString(s) && !pyKeywords[s] }

// pyWord transliterates a name to ASCII identifier characters: ASCII
// letters, digits and '_' stay, Greek letters are spelled (λ → lambda),
// anything else becomes u + its code point.
func pyWord(s string) string {
	var sb strings.Builder
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_'):
			sb.WriteRune(r)
		case greek[r] != "":
			sb.WriteString(greek[r])
		default:
			fmt.Fprintf(&sb, "u%04X", r)
		}
	}
	return sb.String()
}

// ASCIIName is a name as --format ascii writes it: ASCII letters, digits
// and '_' as they are, a Greek letter spelled out (Ω → Omega, σ2 → sigma2),
// any other character u + its code point.
func ASCIIName(s string) string { return pyWord(s) }

// pyNamer hands out unique, validated Python identifiers.
type pyNamer struct{ used map[string]bool }

func newPyNamer(reserved ...string) *pyNamer {
	n := &pyNamer{used: map[string]bool{}}
	for _, r := range reserved {
		n.used[r] = true
	}
	return n
}

// name returns prefix + the transliterated word, made unique with a numeric
// suffix. It returns an error if the result is not a valid identifier,
// which cannot happen for a non-empty prefix starting with a letter.
func (n *pyNamer) name(prefix, word string) (string, error) {
	base := prefix + pyWord(word)
	id := base
	for k := 2; n.used[id]; k++ {
		id = fmt.Sprintf("%s_%d", base, k)
	}
	if !validPyIdent(id) {
		return "", fmt.Errorf("render: cannot make a Python identifier of %q", word)
	}
	n.used[id] = true
	return id, nil
}

// textName writes a name in the Unicode notation: a Greek letter spelled
// out in ASCII is the letter (lambda → λ, Sigma_1 → Σ_1, sigma2 → σ2);
// every other name is itself. The ASCII notation keeps the spelling.
func textName(name string) string {
	if g, rest, ok := ast.GreekBase(name); ok {
		return string(g) + rest
	}
	return name
}
