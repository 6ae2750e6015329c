package render

import (
	"math/big"
	"strings"
)

// ratText writes the non-negative rational r exactly: an integer as is, a
// terminating decimal as 0.5 or 0.125, anything else as p/q. frac reports
// the p/q form (which needs the precedence of a product).
func ratText(r *big.Rat) (s string, frac bool) {
	if r.IsInt() {
		return r.Num().String(), false
	}
	if d, ok := decimalDigits(r.Denom()); ok {
		return r.FloatString(d), false
	}
	return r.Num().String() + "/" + r.Denom().String(), true
}

// decimalDigits reports whether 1/q has a terminating decimal expansion and
// how many digits it has: max(a, b) for q = 2^a·5^b.
func decimalDigits(q *big.Int) (int, bool) {
	q = new(big.Int).Set(q)
	two, five := big.NewInt(2), big.NewInt(5)
	var a, b int
	m := new(big.Int)
	for {
		if q.QuoRem(q, two, m); m.Sign() != 0 {
			q.Mul(q, two).Add(q, m)
			break
		}
		a++
	}
	for {
		if q.QuoRem(q, five, m); m.Sign() != 0 {
			q.Mul(q, five).Add(q, m)
			break
		}
		b++
	}
	if !q.IsInt64() || q.Int64() != 1 {
		return 0, false
	}
	return max(a, b), true
}

var superDigits = []rune("⁰¹²³⁴⁵⁶⁷⁸⁹")
var subDigits = []rune("₀₁₂₃₄₅₆₇₈₉")

// superscript writes the integer string s (digits and an optional leading
// '-') in Unicode superscripts: "-12" → "⁻¹²".
func superscript(s string) string { return mapDigits(s, superDigits, '⁻') }

// subscript writes the digits of s as Unicode subscripts: "12" → "₁₂".
func subscript(s string) string { return mapDigits(s, subDigits, '₋') }

func mapDigits(s string, digits []rune, minus rune) string {
	var sb strings.Builder
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			sb.WriteRune(digits[c-'0'])
		case c == '-':
			sb.WriteRune(minus)
		default:
			sb.WriteRune(c)
		}
	}
	return sb.String()
}

// smallInt returns the integer value of r when r is an integer that fits
// in an int.
func smallInt(r *big.Rat) (int, bool) {
	if !r.IsInt() || !r.Num().IsInt64() {
		return 0, false
	}
	v := r.Num().Int64()
	if v != int64(int(v)) {
		return 0, false
	}
	return int(v), true
}
