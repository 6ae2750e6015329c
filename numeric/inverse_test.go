package numeric

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// randomMatrix returns an r×c N(0, 1) matrix whose entry (i, j) is scaled
// by 10^(grade·(i−j)/max(r, c)): grade 0 is unscaled, larger grades are
// graded matrices (rows and columns of very different sizes).
func randomMatrix(rng *rand.Rand, r, c int, grade float64) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			m.Set(i, j, rng.NormFloat64()*math.Pow(10, grade*float64(i-j)/float64(max(r, c))))
		}
	}
	return m
}

// gonumInverse is the inverse and verdict inverse must reproduce.
func gonumInverse(a *mat.Dense) (*mat.Dense, error) {
	var m mat.Dense
	err := m.Inverse(a)
	return &m, err
}

// TestInverseMatchesGonum: inverse returns mat.Dense.Inverse's matrix bit
// for bit, and an error exactly where Inverse does, on random and graded
// matrices of orders 1 to 12, with and without an arena.
func TestInverseMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ar := new(arena)
	quick := 0
	for _, grade := range []float64{0, 4, 8, 14, 20} {
		for n := 1; n <= 12; n++ {
			for range 20 {
				a := randomMatrix(rng, n, n, grade)
				want, wantErr := gonumInverse(a)
				if _, ok := quickInverse(nil, a); ok {
					quick++
				}
				for _, arn := range []*arena{nil, ar} {
					got, err := inverse(arn, a)
					if (err != nil) != (wantErr != nil) {
						t.Fatalf("grade %g, %d×%d: inverse error %v, Inverse error %v", grade, n, n, err, wantErr)
					}
					if err != nil {
						if !errors.Is(err, ErrSingular) {
							t.Fatalf("grade %g, %d×%d: %v does not wrap ErrSingular", grade, n, n, err)
						}
						continue
					}
					if !sameMatrix(got, want) {
						t.Fatalf("grade %g, %d×%d: inverse differs from Inverse:\n%v\n%v", grade, n, n, mat.Formatted(got), mat.Formatted(want))
					}
				}
			}
		}
	}
	if quick == 0 {
		t.Error("quickInverse never vouched for a verdict")
	}
}

// TestInverseSingular: exactly singular, numerically singular and merely
// ill-conditioned matrices get Inverse's verdict; quickInverse vouches for
// none of them.
func TestInverseSingular(t *testing.T) {
	hilbert := func(n int) *mat.Dense {
		m := mat.NewDense(n, n, nil)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				m.Set(i, j, 1/float64(i+j+1))
			}
		}
		return m
	}
	for _, tc := range []struct {
		name     string
		a        *mat.Dense
		singular bool
	}{
		{"rank one", mat.NewDense(3, 3, []float64{1, 2, 3, 2, 4, 6, 3, 6, 9}), true},
		{"zero", mat.NewDense(2, 2, nil), true},
		{"1×1 zero", mat.NewDense(1, 1, nil), true},
		{"Hilbert 13 (cond 1e18)", hilbert(13), true},
		{"Hilbert 8 (cond 1e10)", hilbert(8), false},
		{"tiny", mat.NewDense(2, 2, []float64{1e-200, 0, 0, 1e-200}), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, wantErr := gonumInverse(tc.a)
			if (wantErr != nil) != tc.singular {
				t.Fatalf("Inverse: error %v, want singular %v", wantErr, tc.singular)
			}
			if _, ok := quickInverse(nil, tc.a); ok {
				t.Errorf("quickInverse vouched for the inverse")
			}
			got, err := inverse(new(arena), tc.a)
			if tc.singular {
				if !errors.Is(err, ErrSingular) {
					t.Errorf("inverse: error %v, want ErrSingular", err)
				}
				return
			}
			if err != nil || !sameMatrix(got, want) {
				t.Errorf("inverse: %v, error %v; want Inverse's matrix", mat.Formatted(got), err)
			}
		})
	}
}

// TestMulSmall: mulSmall is bit for bit mat.Dense.Mul, on random shapes
// and on entries that are zero, −0, ±Inf and NaN (gonum skips a zero
// left entry, so 0·Inf does not make a NaN).
func TestMulSmall(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	special := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 1e300, 1e-300}
	for range 500 {
		r, k, c := 1+rng.IntN(9), 1+rng.IntN(9), 1+rng.IntN(9)
		x, y := randomMatrix(rng, r, k, 0), randomMatrix(rng, k, c, 0)
		for _, m := range []*mat.Dense{x, y} {
			raw := m.RawMatrix()
			for i := range raw.Data {
				if rng.IntN(4) == 0 {
					raw.Data[i] = special[rng.IntN(len(special))]
				}
			}
		}
		var want mat.Dense
		want.Mul(x, y)
		got := mat.NewDense(r, c, nil)
		mulSmall(got, x, y)
		if !sameMatrix(got, &want) {
			t.Fatalf("mulSmall(%v, %v) = %v, Mul gives %v", mat.Formatted(x), mat.Formatted(y), mat.Formatted(got), mat.Formatted(&want))
		}
		for i, g := range got.RawMatrix().Data {
			if w := want.RawMatrix().Data[i]; g == 0 && math.Signbit(g) != math.Signbit(w) {
				t.Fatalf("mulSmall: entry %d is %v, Mul gives %v", i, g, w)
			}
		}
	}
}

// TestArena: an arena's matrices are zero, of the asked size and stride,
// and share no entries; large ones are allocated on their own.
func TestArena(t *testing.T) {
	var ar arena
	var ms []*mat.Dense
	for k := range 2000 {
		r, c := 1+k%8, 1+k%5
		m := ar.zeros(r, c)
		raw := m.RawMatrix()
		if raw.Rows != r || raw.Cols != c || raw.Stride != c || len(raw.Data) != r*c || cap(raw.Data) != r*c {
			t.Fatalf("zeros(%d, %d) = %+v", r, c, raw)
		}
		for _, v := range raw.Data {
			if v != 0 {
				t.Fatalf("zeros(%d, %d) holds %v", r, c, v)
			}
		}
		for i := range raw.Data {
			raw.Data[i] = float64(k)
		}
		ms = append(ms, m)
	}
	for k, m := range ms {
		for _, v := range m.RawMatrix().Data {
			if v != float64(k) {
				t.Fatalf("matrix %d was overwritten: %v", k, v)
			}
		}
	}
	before := len(ar.data)
	if big := ar.zeros(10, 10); len(ar.data) != before || big.RawMatrix().Stride != 10 {
		t.Error("a matrix of 100 entries came from the slab")
	}
}
