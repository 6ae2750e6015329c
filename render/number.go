package render

import (
	"math/big"
	"strconv"
	"strings"
)

// ratText writes the non-negative rational r exactly: an integer as is, a
// terminating decimal as 0.5 or 0.125, anything else as p/q. frac reports
// the p/q form (which needs the precedence of a product).
func ratText(r *big.Rat) (s string, frac bool) {
	if r.IsInt() {
		return scientific(r.Num().String(), 0), false
	}
	if d, ok := decimalDigits(r.Denom()); ok {
		n := new(big.Int).Mul(r.Num(), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d)), nil))
		n.Quo(n, r.Denom())
		if s := scientific(n.String(), d); s != "" {
			return s, false
		}
		return r.FloatString(d), false
	}
	return r.Num().String() + "/" + r.Denom().String(), true
}

// maxPlainDigits is the longest number written out digit by digit; longer
// ones with few significant digits are written 1e308, 2.5e-300 (exactly).
const maxPlainDigits = 21

// scientific writes digits·10^(−shift) as m.mmme±x when that is shorter
// than maxPlainDigits plain digits would be; for shift 0 it returns the
// digits themselves otherwise, for shift > 0 "" (the caller writes the
// decimal).
func scientific(digits string, shift int) string {
	sig := strings.TrimRight(digits, "0")
	plain := len(digits)
	if shift > 0 {
		plain = max(len(digits), shift+1) + 1
	}
	if plain <= maxPlainDigits || len(sig) == 0 || len(sig) > maxPlainDigits/2 {
		if shift > 0 {
			return ""
		}
		return digits
	}
	exp := len(digits) - 1 - shift
	m := sig[:1]
	if len(sig) > 1 {
		m += "." + sig[1:]
	}
	return m + "e" + strconv.Itoa(exp)
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

// intText writes the non-negative integer n as ratText does: 1e308 for a
// long one with few significant digits.
func intText(n *big.Int) string { return scientific(n.String(), 0) }
