// Package dense holds the few dense-matrix helpers that both the operation
// table (package builtin) and the evaluator (package numeric) need, so that
// each is written once.
package dense

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// Map returns f applied to every entry of a, a new matrix.
func Map(a *mat.Dense, f func(float64) float64) *mat.Dense {
	var m mat.Dense
	m.Apply(func(_, _ int, v float64) float64 { return f(v) }, a)
	return &m
}

// Frobenius returns ‖a‖_F = √Σ a_ij², scaled by max |a_ij| so that it
// neither overflows nor underflows.
func Frobenius(a *mat.Dense) float64 {
	s := MaxAbs(a)
	if s == 0 || math.IsInf(s, 0) || math.IsNaN(s) {
		return s
	}
	sum := 0.0
	r, c := a.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			v := a.At(i, j) / s
			sum += v * v
		}
	}
	return s * math.Sqrt(sum)
}

// MaxAbs returns max |a_ij| (NaN if an entry is NaN).
func MaxAbs(a *mat.Dense) float64 {
	m := 0.0
	r, c := a.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			v := math.Abs(a.At(i, j))
			if math.IsNaN(v) {
				return v
			}
			m = math.Max(m, v)
		}
	}
	return m
}

// Vec stacks the columns of m into one column (column-major vec), as in
// vec(A·X·B) = (Bᵀ ⊗ A)·vec(X).
func Vec(m *mat.Dense) *mat.Dense {
	r, c := m.Dims()
	out := mat.NewDense(r*c, 1, nil)
	for j := range c {
		for i := range r {
			out.Set(j*r+i, 0, m.At(i, j))
		}
	}
	return out
}
