package ast

import (
	"strconv"
	"strings"
)

// Dim is a symbolic size: a size name such as "n", or a decimal number such
// as "3". The unit size is [One].
type Dim string

// One is the unit size; a 1×1 shape is a scalar.
const One Dim = "1"

// IsNumber reports whether d is a concrete number rather than a size name.
func (d Dim) IsNumber() bool {
	_, err := strconv.Atoi(string(d))
	return err == nil
}

// Shape is rows × cols. Vectors are columns (n×1); 1×1 is a scalar.
type Shape struct{ Rows, Cols Dim }

// Scalar is the 1×1 shape.
var Scalar = Shape{One, One}

// Mat returns the shape r×c.
func Mat(r, c Dim) Shape { return Shape{r, c} }

// Vec returns the column-vector shape n×1.
func Vec(n Dim) Shape { return Shape{n, One} }

// IsScalar reports whether s is 1×1.
func (s Shape) IsScalar() bool { return s.Rows == One && s.Cols == One }

// IsColVector reports whether s is n×1 with n ≠ 1.
func (s Shape) IsColVector() bool { return s.Cols == One && s.Rows != One }

// IsRowVector reports whether s is 1×n with n ≠ 1.
func (s Shape) IsRowVector() bool { return s.Rows == One && s.Cols != One }

// IsSquare reports whether rows and cols are the same size.
func (s Shape) IsSquare() bool { return s.Rows == s.Cols }

// T is the shape of the transpose.
func (s Shape) T() Shape { return Shape{s.Cols, s.Rows} }

// String writes "scalar", "n" for a column vector, or "n×p".
func (s Shape) String() string {
	switch {
	case s.IsScalar():
		return "scalar"
	case s.IsColVector():
		return string(s.Rows)
	}
	return string(s.Rows) + "×" + string(s.Cols)
}

// ASCII writes the shape as a declaration accepts it: "scalar", "n", "n x p"
// (a Kronecker size n·p as n*p).
func (s Shape) ASCII() string {
	return strings.NewReplacer("×", " x ", "·", "*").Replace(s.String())
}
