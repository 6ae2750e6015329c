// This file lists the Greek letters spelled out in ASCII (SPEC.md §2).

package ast

import "strings"

// GreekNames maps each ASCII spelling of a Greek letter to the letter:
// alpha → α, Sigma → Σ. Delta and pi are not in it: Delta is the ASCII
// direction and pi the constant π (SPEC.md §2).
var GreekNames = map[string]rune{
	"alpha": 'α', "beta": 'β', "gamma": 'γ', "delta": 'δ', "epsilon": 'ε', "zeta": 'ζ',
	"eta": 'η', "theta": 'θ', "iota": 'ι', "kappa": 'κ', "lambda": 'λ', "mu": 'μ',
	"nu": 'ν', "xi": 'ξ', "omicron": 'ο', "rho": 'ρ', "sigma": 'σ',
	"tau": 'τ', "upsilon": 'υ', "phi": 'φ', "chi": 'χ', "psi": 'ψ', "omega": 'ω',
	"Alpha": 'Α', "Beta": 'Β', "Gamma": 'Γ', "Epsilon": 'Ε', "Zeta": 'Ζ',
	"Eta": 'Η', "Theta": 'Θ', "Iota": 'Ι', "Kappa": 'Κ', "Lambda": 'Λ', "Mu": 'Μ',
	"Nu": 'Ν', "Xi": 'Ξ', "Omicron": 'Ο', "Pi": 'Π', "Rho": 'Ρ', "Sigma": 'Σ', "Tau": 'Τ',
	"Upsilon": 'Υ', "Phi": 'Φ', "Chi": 'Χ', "Psi": 'Ψ', "Omega": 'Ω',
}

// GreekBase splits a name into a spelled Greek letter and the rest, a
// subscript of digits or one that starts with '_': lambda → (λ, ""),
// sigma2 → (σ, "2"), mu_x → (μ, "_x"). ok is false for any other name
// (alphabet, Delta, pi).
func GreekBase(name string) (letter rune, rest string, ok bool) {
	base := name
	if i := strings.IndexByte(name, '_'); i > 0 {
		base = name[:i]
	} else {
		base = strings.TrimRight(name, "0123456789")
	}
	letter, ok = GreekNames[base]
	return letter, name[len(base):], ok
}
