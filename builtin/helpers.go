package builtin

import (
	"fmt"
	"math"
	"math/big"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/internal/dense"
)

// def fills the row p and registers it.
func def(p *ast.Op, row ast.Op) {
	*p = row
	ast.Register(p)
}

// times is a ⊙ b, or the ordinary product when a is a scalar.
func times(a, b *ast.Node) *ast.Node {
	if a.IsScalar() {
		return ast.Mul(a, b)
	}
	return ast.Hadamard(a, b)
}

// ones is the constant 1 of shape s (a broadcast scalar).
func ones(s ast.Shape) *ast.Node { return ast.Broadcast(ast.Int(1), s) }

func neg(a *ast.Node) *ast.Node { return ast.Mul(ast.Int(-1), a) }

func rat(a, b int64) *ast.Node { return ast.Number(big.NewRat(a, b)) }

// pow is the elementwise power a .^ p for a number p.
func pow(a *ast.Node, p, q int64) *ast.Node { return ast.Pow(a, rat(p, q)) }

// elementwise returns the differential of an elementwise f with
// derivative prime: d f(A) = f′(A) ⊙ dA. A nil prime is f′ = 0.
func elementwise(prime func(n, a *ast.Node) *ast.Node) func(n *ast.Node, da []*ast.Node) *ast.Node {
	return func(n *ast.Node, da []*ast.Node) *ast.Node {
		if prime == nil || da[0] == nil {
			return nil
		}
		return times(prime(n, n.Args[0]), da[0])
	}
}

// linear returns the differential of an operation linear in its one
// operand: d f(A) = f(dA).
func linear(n *ast.Node, da []*ast.Node) *ast.Node {
	if da[0] == nil {
		return nil
	}
	return n.Op.Of(da[0])
}

// foldAt returns a Fold that knows f at the given exact points.
func foldAt(points map[int64]int64) func(*big.Rat) *big.Rat {
	return func(x *big.Rat) *big.Rat {
		if !x.IsInt() || !x.Num().IsInt64() {
			return nil
		}
		if v, ok := points[x.Num().Int64()]; ok {
			return big.NewRat(v, 1)
		}
		return nil
	}
}

// scalar returns a new 1×1 matrix holding v, as mat.NewDense(1, 1, {v})
// does, in one allocation: the header and its entry (a check evaluates
// hundreds of thousands of traces).
func scalar(v float64) *mat.Dense {
	s := &struct {
		m mat.Dense
		v [1]float64
	}{v: [1]float64{v}}
	s.m.SetRawMatrix(blas64.General{Rows: 1, Cols: 1, Stride: 1, Data: s.v[:]})
	return &s.m
}

func square(name string, a *mat.Dense) error {
	if r, c := a.Dims(); r != c {
		return fmt.Errorf("%s of a non-square %d×%d matrix", name, r, c)
	}
	return nil
}

func column(name string, a *mat.Dense) error {
	if _, c := a.Dims(); c != 1 {
		r, _ := a.Dims()
		return fmt.Errorf("%s of a %d×%d matrix, want a column vector", name, r, c)
	}
	return nil
}

// sigmoid is 1/(1+e⁻ˣ), evaluated without overflow for either sign of x.
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// softplus is log(1 + eˣ) = max(x, 0) + log1p(e^−|x|), which neither
// overflows for large x nor loses digits for very negative x.
func softplus(x float64) float64 {
	if math.IsNaN(x) {
		return x
	}
	return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
}

func relu(x float64) float64 {
	if x > 0 || math.IsNaN(x) {
		return x
	}
	return 0
}

// sign is −1, 0 or 1 (NaN stays NaN).
func sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return x // ±0 and NaN
}

// step is 1 for x > 0, else 0 (NaN stays NaN).
func step(x float64) float64 {
	if x > 0 {
		return 1
	}
	if math.IsNaN(x) {
		return x
	}
	return 0
}

// logsumexp returns log Σ exp(a_ij), shifted by the maximum so that it
// neither overflows nor underflows.
func logsumexp(a *mat.Dense) float64 {
	m := math.Inf(-1)
	r, c := a.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			v := a.At(i, j)
			if math.IsNaN(v) {
				return v
			}
			m = math.Max(m, v)
		}
	}
	if math.IsInf(m, 0) {
		return m
	}
	s := 0.0
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			s += math.Exp(a.At(i, j) - m)
		}
	}
	return m + math.Log(s)
}

// softmax returns exp(a_ij)/Σ exp(a_kl), computed as exp(a_ij − max a)
// normalised.
func softmax(a *mat.Dense) *mat.Dense {
	m := mat.Max(a)
	out := dense.Map(a, func(x float64) float64 { return math.Exp(x - m) })
	out.Scale(1/mat.Sum(out), out)
	return out
}
