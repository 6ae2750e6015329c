package numeric

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// inverse returns a⁻¹, a new matrix from ar (nil: allocated on its own);
// a singular (or numerically singular: mat.Dense.Inverse's condition
// estimate above mat.ConditionTolerance) a is an error wrapping
// ErrSingular. A non-finite a gives a NaN matrix.
//
// The inverse is bit for bit, and the verdict exactly, those of
// mat.Dense.Inverse: quickInverse makes Inverse's own LAPACK calls, and
// where it cannot vouch for the verdict Inverse itself is called.
func inverse(ar *arena, a *mat.Dense) (*mat.Dense, error) {
	if err := square("inv", a); err != nil {
		return nil, err
	}
	r, _ := a.Dims()
	if !Finite(a) {
		return ar.mapped(a, func(float64) float64 { return math.NaN() }), nil
	}
	if m, ok := quickInverse(ar, a); ok {
		return m, nil
	}
	var m mat.Dense
	if err := m.Inverse(a); err != nil {
		if c, ok := err.(mat.Condition); ok {
			return nil, fmt.Errorf("%w (%d×%d, condition number %.3g)", ErrSingular, r, r, float64(c))
		}
		return nil, fmt.Errorf("%w (%v)", ErrSingular, err)
	}
	return &m, nil
}

const (
	// maxQuickInverse is the largest order quickInverse inverts.
	maxQuickInverse = 64
	// quickCondLimit is the largest ‖a‖₁·‖a⁻¹‖₁ at which quickInverse
	// vouches that mat.Dense.Inverse would succeed: eight orders of
	// magnitude below mat.ConditionTolerance.
	quickCondLimit = 1e8
	// quickNormLimit bounds ‖a‖₁ and ‖a⁻¹‖₁ (and their inverses) where
	// quickInverse vouches for the verdict: far from overflow, so that
	// the condition estimate of Inverse never rescales (dlatrs).
	quickNormLimit = 1e150
)

// quickInverse returns the inverse of the finite square a as
// mat.Dense.Inverse computes it — the same LU factorisation (Getrf) and
// the same inversion from it (Getri, with Inverse's workspace size), so
// the same bits — and ok when Inverse would also have accepted a, which
// it decides with the condition estimate Gecon, the costliest of its
// steps. quickInverse skips it where the result settles it: Gecon's
// estimate of ‖a⁻¹‖₁ is the norm of a⁻¹x for some x with ‖x‖₁ ≤ 1, so
// never (beyond rounding) above ‖a⁻¹‖₁, and the estimated condition
// number never above the exact ‖a‖₁·‖a⁻¹‖₁ of the inverse computed;
// when that is at most quickCondLimit (the rounding of the inverse at such
// a condition number is about 10⁻⁸ relative) and the norms are in range,
// Inverse's estimate is far below mat.ConditionTolerance and Inverse
// returns no error. Otherwise ok is false and the caller asks Inverse.
func quickInverse(ar *arena, a *mat.Dense) (*mat.Dense, bool) {
	n, _ := a.Dims()
	if n > maxQuickInverse {
		return nil, false
	}
	anorm := norm1(a)
	m := ar.copyOf(a)
	lu := m.RawMatrix()
	// As Inverse: a workspace of at least 4n, else of Getri's optimum (the
	// length decides whether Getri works in blocks), which depends on n
	// alone.
	ipiv, work := ar.scratch(n, 4*n)
	lapack64.Getri(lu, ipiv, work, -1)
	if l := int(work[0]); l > len(work) {
		ipiv, work = ar.scratch(n, l)
	}
	if !lapack64.Getrf(lu, ipiv) {
		return nil, false // exactly singular: Inverse says so
	}
	if !lapack64.Getri(lu, ipiv, work, len(work)) {
		return nil, false
	}
	inorm := norm1(m)
	inRange := func(x float64) bool { return x >= 1/quickNormLimit && x <= quickNormLimit }
	if !inRange(anorm) || !inRange(inorm) || !(anorm*inorm <= quickCondLimit) {
		return nil, false
	}
	return m, true
}

// norm1 returns ‖a‖₁, the largest sum of the absolute values of a column
// (NaN when an entry is NaN).
func norm1(a *mat.Dense) float64 {
	raw := a.RawMatrix()
	best := 0.0
	for j := 0; j < raw.Cols; j++ {
		s := 0.0
		for i := 0; i < raw.Rows; i++ {
			s += math.Abs(raw.Data[i*raw.Stride+j])
		}
		if math.IsNaN(s) {
			return s
		}
		best = math.Max(best, s)
	}
	return best
}
