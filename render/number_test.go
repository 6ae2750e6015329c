package render

import (
	"math/big"
	"testing"
)

// TestRatTextScientific: huge and tiny numbers with few significant digits
// print as 1e308, 2.5e-300 (exactly, and parse back), others as before.
func TestRatTextScientific(t *testing.T) {
	exp10 := func(k int64) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(k), nil) }
	for _, c := range []struct {
		r    *big.Rat
		want string
	}{
		{new(big.Rat).SetInt(exp10(308)), "1e308"},
		{new(big.Rat).SetFrac(big.NewInt(25), exp10(301)), "2.5e-300"},
		{new(big.Rat).SetInt(new(big.Int).Mul(big.NewInt(12345), exp10(30))), "1.2345e34"},
		{big.NewRat(1000000, 1), "1000000"},
		{big.NewRat(1, 8), "0.125"},
		{big.NewRat(1, 1000), "0.001"},
		{big.NewRat(1, 3), "1/3"},
	} {
		if got, _ := ratText(c.r); got != c.want {
			t.Errorf("ratText(%s) = %s, want %s", c.r.RatString(), got, c.want)
		}
		if c.want == "1/3" {
			continue
		}
		back, ok := new(big.Rat).SetString(c.want)
		if !ok || back.Cmp(c.r) != 0 {
			t.Errorf("%s does not read back as %s", c.want, c.r.RatString())
		}
	}
}
