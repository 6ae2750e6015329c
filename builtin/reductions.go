package builtin

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/internal/dense"
)

// The operations on whole matrices, in the order the canonical form sorts
// them, and the constant π.
var (
	Trace, Det, Logdet, Sum, DiagMat, DiagVec = new(ast.Op), new(ast.Op), new(ast.Op), new(ast.Op), new(ast.Op), new(ast.Op)
	Logsumexp, Softmax, Norm, Mean, Vec, Kron = new(ast.Op), new(ast.Op), new(ast.Op), new(ast.Op), new(ast.Op), new(ast.Op)
	Norm1, Pi, Unvec                          = new(ast.Op), new(ast.Op), new(ast.Op)
)

func one(f func(a *mat.Dense) (*mat.Dense, error)) func([]*mat.Dense) (*mat.Dense, error) {
	return func(args []*mat.Dense) (*mat.Dense, error) { return f(args[0]) }
}

func init() {
	def(Trace, ast.Op{Name: "tr", Args: 1, Shape: ast.SquareScalar, Linear: true,
		Eval: one(func(a *mat.Dense) (*mat.Dense, error) {
			if err := square("tr", a); err != nil {
				return nil, err
			}
			return scalar(mat.Trace(a)), nil
		}),
		Deriv: linear, Rule: "d tr(A) = tr(dA)",
		Adjoint:     func(n, g *ast.Node, _ int) *ast.Node { return ast.Mul(g, ast.Identity(n.Args[0].Shape.Rows)) },
		AdjointRule: "g·tr(Δ) = ⟨g·I, Δ⟩",
		Print: ast.Spelling{Text: "tr", ASCII: "tr", LaTeX: `\operatorname{tr}`, NumPy: "np.trace", NumPyScalar: "%s",
			Torch: "torch.trace", TorchScalar: "%s", Octave: "trace", Go: "mat.Trace"}})
	ast.RegisterAlias(Trace, "trace")

	def(Det, ast.Op{Name: "det", Args: 1, Shape: ast.SquareScalar, ZeroAtZero: true,
		Eval: one(func(a *mat.Dense) (*mat.Dense, error) { return logDet(a, false) }),
		Deriv: func(n *ast.Node, da []*ast.Node) *ast.Node {
			return ast.Mul(n, Trace.Of(ast.Mul(ast.Inverse(n.Args[0]), da[0])))
		},
		Rule: "d det(A) = det(A)·tr(A⁻¹·dA)",
		Print: ast.Spelling{Text: "det", ASCII: "det", LaTeX: `\det`, NumPy: "np.linalg.det", NumPyScalar: "%s",
			Torch: "torch.linalg.det", TorchScalar: "%s", Octave: "det", Go: "mat.Det"}})

	def(Logdet, ast.Op{Name: "logdet", Args: 1, Shape: ast.SquareScalar,
		Eval: one(func(a *mat.Dense) (*mat.Dense, error) { return logDet(a, true) }),
		Deriv: func(n *ast.Node, da []*ast.Node) *ast.Node {
			return Trace.Of(ast.Mul(ast.Inverse(n.Args[0]), da[0]))
		},
		Rule: "d log|det A| = tr(A⁻¹·dA)",
		Print: ast.Spelling{Text: "logdet", ASCII: "logdet", LaTeX: `\log\lvert\det %p\rvert`,
			NumPy: "np.linalg.slogdet(%s)[1]", NumPyScalar: "np.log(np.abs(%s))",
			Torch: "torch.linalg.slogdet(%s)[1]", TorchScalar: "torch.log(torch.abs(%s))", Octave: "CLASS.h_logdet", OctaveHelper: `    function y = h_logdet(A)
      [~, U] = lu(A);
      y = sum(log(abs(diag(U))));
    end
`, Go: "logdet", GoHelper: `func logdet(a *mat.Dense) float64 {
	l, _ := mat.LogDet(a)
	return l
}
`}})

	def(Sum, ast.Op{Name: "sum", Args: 1, Shape: ast.AnyScalar, Linear: true,
		Eval:  one(func(a *mat.Dense) (*mat.Dense, error) { return scalar(mat.Sum(a)), nil }),
		Deriv: linear, Rule: "d sum(A) = sum(dA)",
		Adjoint: func(n, g *ast.Node, _ int) *ast.Node {
			if a := n.Args[0]; !a.IsScalar() {
				return ast.Mul(g, ast.Ones(a.Shape))
			}
			return g
		},
		AdjointRule: "g·sum(Δ) = ⟨g·𝟙, Δ⟩",
		Print: ast.Spelling{Text: "sum", ASCII: "sum", LaTeX: `\operatorname{sum}`, NumPy: "np.sum",
			Torch: "torch.sum", Octave: "sum(reshape(%s, [], 1))", Go: "mat.Sum"}})

	def(DiagMat, ast.Op{Name: "diag", Args: 1, Shape: ast.ColumnToDiag, Linear: true,
		Eval: one(func(a *mat.Dense) (*mat.Dense, error) {
			if err := column("diag", a); err != nil {
				return nil, err
			}
			r, _ := a.Dims()
			m := mat.NewDense(r, r, nil)
			for i := 0; i < r; i++ {
				m.Set(i, i, a.At(i, 0))
			}
			return m, nil
		}),
		Deriv: linear, Rule: "d diag(x) = diag(dx)",
		Adjoint:     func(n, g *ast.Node, _ int) *ast.Node { return DiagVec.Of(g) },
		AdjointRule: "⟨G, diag(δ)⟩ = ⟨diag(G), δ⟩",
		Print: ast.Spelling{Text: "diag", ASCII: "diag", LaTeX: `\operatorname{diag}`, NumPy: "np.diagflat", NumPyScalar: "%s",
			Torch: "torch.diagflat", TorchScalar: "%s", Octave: "diag", Go: "diagMat", GoHelper: `func diagMat(v *mat.Dense) *mat.Dense {
	r, c := v.Dims()
	n := r * c
	out := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		out.Set(i, i, v.At(i%r, i/r))
	}
	return out
}
`}})

	def(DiagVec, ast.Op{Name: "diag", Args: 1, Shape: ast.SquareToColumn, Linear: true,
		Eval: one(func(a *mat.Dense) (*mat.Dense, error) {
			if err := square("diag", a); err != nil {
				return nil, err
			}
			r, _ := a.Dims()
			m := mat.NewDense(r, 1, nil)
			for i := 0; i < r; i++ {
				m.Set(i, 0, a.At(i, i))
			}
			return m, nil
		}),
		Deriv: linear, Rule: "d diag(A) = diag(dA)",
		Adjoint:     func(n, g *ast.Node, _ int) *ast.Node { return DiagMat.Of(g) },
		AdjointRule: "⟨g, diag(Δ)⟩ = ⟨diag(g), Δ⟩",
		Print: ast.Spelling{Text: "diag", ASCII: "diag", LaTeX: `\operatorname{diag}`, NumPy: "np.diag(%s).reshape(-1, 1)", NumPyScalar: "%s",
			Torch: "torch.diagonal(%s).reshape(-1, 1)", TorchScalar: "%s", Octave: "diag", Go: "diagVec", GoHelper: `func diagVec(a *mat.Dense) *mat.Dense {
	r, c := a.Dims()
	n := min(r, c)
	out := mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		out.Set(i, 0, a.At(i, i))
	}
	return out
}
`}})

	def(Logsumexp, ast.Op{Name: "logsumexp", Args: 1, Shape: ast.ColumnScalar,
		Eval: one(func(a *mat.Dense) (*mat.Dense, error) { return scalar(logsumexp(a)), nil }),
		Deriv: func(n *ast.Node, da []*ast.Node) *ast.Node {
			return ast.Mul(ast.Transpose(Softmax.Of(n.Args[0])), da[0])
		},
		Rule: "d logsumexp(x) = softmax(x)ᵀ·dx",
		Print: ast.Spelling{Text: "logsumexp", ASCII: "logsumexp", LaTeX: `\operatorname{logsumexp}`, NumPy: "_logsumexp",
			NumPyHelper: `def _logsumexp(z):
    m = np.max(z)
    return m + np.log(np.sum(np.exp(z - m)))
`, Torch: "_logsumexp", TorchHelper: `def _logsumexp(z):
    return torch.logsumexp(z.reshape(-1), 0)
`, Octave: "CLASS.h_logsumexp", OctaveHelper: `    function y = h_logsumexp(z)
      m = max(z(:));
      y = m + log(sum(exp(z(:) - m)));
    end
`, Go: "logsumexp", GoHelper: `func logsumexp(a *mat.Dense) float64 {
	m := mat.Max(a)
	s := 0.0
	for _, x := range mat.DenseCopyOf(a).RawMatrix().Data {
		s += math.Exp(x - m)
	}
	return m + math.Log(s)
}
`}})

	def(Softmax, ast.Op{Name: "softmax", Args: 1, Shape: ast.ColumnSame,
		Eval: one(func(a *mat.Dense) (*mat.Dense, error) { return softmax(a), nil }),
		Deriv: func(n *ast.Node, da []*ast.Node) *ast.Node {
			return ast.Add(ast.Hadamard(n, da[0]), ast.Mul(ast.Int(-1), n, ast.Transpose(n), da[0]))
		},
		Rule: "d softmax(x) = p ⊙ dx − p·pᵀ·dx",
		Print: ast.Spelling{Text: "softmax", ASCII: "softmax", LaTeX: `\operatorname{softmax}`, NumPy: "_softmax",
			NumPyHelper: `def _softmax(z):
    e = np.exp(z - np.max(z))
    return e / np.sum(e)
`, Torch: "_softmax", TorchHelper: `def _softmax(z):
    return torch.softmax(z.reshape(-1), 0).reshape(z.shape)
`, Octave: "CLASS.h_softmax", OctaveHelper: `    function y = h_softmax(z)
      e = exp(z - max(z(:)));
      y = e / sum(e(:));
    end
`, Go: "softmax", GoHelper: `func softmax(a *mat.Dense) *mat.Dense {
	m := mat.Max(a)
	e := apply(func(x float64) float64 { return math.Exp(x - m) }, a)
	return scale(1/mat.Sum(e), e)
}
`}})

	// The notation ‖·‖ prints a norm (with _F for a matrix and a power
	// merged into it); the spellings are its call form.
	def(Norm, ast.Op{Name: "norm", Args: 1, Shape: ast.AnyScalar, ZeroAtZero: true,
		Eval: one(func(a *mat.Dense) (*mat.Dense, error) { return scalar(dense.Frobenius(a)), nil }),
		Deriv: func(n *ast.Node, da []*ast.Node) *ast.Node {
			return ast.Mul(ast.Inner(n.Args[0], da[0]), ast.Pow(n, ast.Int(-1)))
		},
		Rule: "d‖A‖ = ⟨A, dA⟩/‖A‖",
		Print: ast.Spelling{Text: "norm", ASCII: "norm", LaTeX: `\lVert %s \rVert`, NumPy: "np.linalg.norm",
			Torch: "torch.linalg.norm", Octave: "norm(%s, 'fro')", Go: "mat.Norm(%s, 2)"}})
	ast.RegisterAlias(Norm, "norm2")

	def(Mean, ast.Op{Name: "mean", Args: 1, Shape: ast.AnyScalar, Linear: true,
		Eval: one(func(a *mat.Dense) (*mat.Dense, error) {
			r, c := a.Dims()
			return scalar(mat.Sum(a) / float64(r*c)), nil
		}),
		Deriv: linear, Rule: "d mean(A) = mean(dA)",
		Adjoint: func(n, g *ast.Node, _ int) *ast.Node {
			s := n.Args[0].Shape
			return ast.Mul(g, ast.Pow(ast.Mul(ast.Size(s.Rows), ast.Size(s.Cols)), ast.Int(-1)), ast.Ones(s))
		},
		AdjointRule: "g·mean(Δ) = ⟨g·𝟙/(m·n), Δ⟩",
		Print: ast.Spelling{Text: "mean", ASCII: "mean", LaTeX: `\operatorname{mean}`, NumPy: "np.mean",
			Torch: "torch.mean", Octave: "mean(reshape(%s, [], 1))", Go: "mean", GoHelper: `func mean(a *mat.Dense) float64 {
	r, c := a.Dims()
	return mat.Sum(a) / float64(r*c)
}
`}})

	def(Vec, ast.Op{Name: "vec", Args: 1, Shape: ast.StackColumns, Linear: true,
		Eval:  one(func(a *mat.Dense) (*mat.Dense, error) { return dense.Vec(a), nil }),
		Deriv: linear, Rule: "d vec(A) = vec(dA)",
		// ⟨g, vec(Δ)⟩ = ⟨unvec(g), Δ⟩, with unvec(vec(H)) = H.
		Adjoint: func(n, g *ast.Node, _ int) *ast.Node {
			if g.Is(Vec) && g.Args[0].Shape == n.Args[0].Shape {
				return g.Args[0]
			}
			s := n.Args[0].Shape
			return Unvec.Of(g, ast.Size(s.Rows), ast.Size(s.Cols))
		},
		AdjointRule: "⟨g, vec(Δ)⟩ = ⟨unvec(g), Δ⟩",
		Print: ast.Spelling{Text: "vec", ASCII: "vec", LaTeX: `\operatorname{vec}`, NumPy: `np.reshape(%s, (-1, 1), order="F")`,
			Torch: "torch.reshape(torch.t(%s), (-1, 1))", Octave: "reshape(%s, [], 1)", Go: "vec", GoHelper: `func vec(a *mat.Dense) *mat.Dense {
	r, c := a.Dims()
	out := mat.NewDense(r*c, 1, nil)
	for j := 0; j < c; j++ {
		for i := 0; i < r; i++ {
			out.Set(j*r+i, 0, a.At(i, j))
		}
	}
	return out
}
`}})

	def(Kron, ast.Op{Name: "kron", Args: 2, Shape: ast.KronShape, Infix: true,
		Eval: func(args []*mat.Dense) (*mat.Dense, error) {
			var m mat.Dense
			m.Kronecker(args[0], args[1])
			return &m, nil
		},
		Deriv: func(n *ast.Node, da []*ast.Node) *ast.Node {
			var terms []*ast.Node
			if da[0] != nil {
				terms = append(terms, Kron.Of(da[0], n.Args[1]))
			}
			if da[1] != nil {
				terms = append(terms, Kron.Of(n.Args[0], da[1]))
			}
			switch len(terms) {
			case 0:
				return nil
			case 1:
				return terms[0]
			}
			return ast.Add(terms...)
		},
		Rule: "d(A ⊗ B) = dA ⊗ B + A ⊗ dB",
		// The block reduction ⟨G, A ⊗ dB⟩ = ⟨Σᵢⱼ aᵢⱼ·Gᵢⱼ, dB⟩ is written
		// only for G = C ⊗ D with blocks of B's shape: ⟨C, A⟩·D (and ⟨D, B⟩·C
		// for dA).
		Adjoint:     kronAdjoint,
		AdjointRule: "⟨C ⊗ D, A ⊗ Δ⟩ = ⟨⟨C, A⟩·D, Δ⟩; ⟨x·yᵀ, A ⊗ Δ⟩ = ⟨X·A·Yᵀ, Δ⟩, X = unvec(x), Y = unvec(y)",
		Print: ast.Spelling{Text: "⊗", ASCII: "kron", LaTeX: `\otimes`, NumPy: "np.kron",
			Torch: "_kron", TorchHelper: `def _kron(a, b):
    return torch.kron(a.contiguous(), b.contiguous())
`, Octave: "kron", Go: "kron", GoHelper: `func kron(a, b *mat.Dense) *mat.Dense {
	var out mat.Dense
	out.Kronecker(a, b)
	return &out
}
`}})

	def(Norm1, ast.Op{Name: "norm1", Args: 1, Shape: ast.AnyScalar, ZeroAtZero: true,
		Eval: one(func(a *mat.Dense) (*mat.Dense, error) {
			return scalar(mat.Sum(dense.Map(a, math.Abs))), nil
		}),
		Deriv: func(n *ast.Node, da []*ast.Node) *ast.Node { return ast.Inner(Sign.Of(n.Args[0]), da[0]) },
		Rule:  "d norm1(A) = ⟨sign(A), dA⟩",
		Print: ast.Spelling{Text: "‖%s‖₁", ASCII: "norm1", LaTeX: `\lVert %s \rVert_{1}`, NumPy: "np.sum(np.abs(%s))",
			Torch: "torch.sum(torch.abs(%s))", Octave: "sum(abs(reshape(%s, [], 1)))", Go: "norm1", GoHelper: `func norm1(a *mat.Dense) float64 { return mat.Sum(apply(math.Abs, a)) }
`}})

	// unvec(a, m, n) is the m×n matrix whose columns, stacked, are a: the
	// adjoint of vec, and its inverse.
	def(Unvec, ast.Op{Name: "unvec", Args: 3, Shape: ast.Unstack, Linear: true,
		Eval: func(args []*mat.Dense) (*mat.Dense, error) {
			a := args[0]
			r, c := int(args[1].At(0, 0)), int(args[2].At(0, 0))
			if ar, ac := a.Dims(); ac != 1 || ar != r*c {
				return nil, fmt.Errorf("unvec of a %d×%d matrix to %d×%d", ar, ac, r, c)
			}
			m := mat.NewDense(r, c, nil)
			for j := range c {
				for i := range r {
					m.Set(i, j, a.At(j*r+i, 0))
				}
			}
			return m, nil
		},
		Deriv: func(n *ast.Node, da []*ast.Node) *ast.Node {
			if da[0] == nil {
				return nil
			}
			return Unvec.Of(da[0], n.Args[1], n.Args[2])
		},
		Rule: "d unvec(a) = unvec(da)",
		Adjoint: func(n, g *ast.Node, k int) *ast.Node {
			if k != 0 {
				return nil
			}
			return Vec.Of(g)
		},
		AdjointRule: "⟨G, unvec(δ)⟩ = ⟨vec(G), δ⟩",
		Print: ast.Spelling{Text: "unvec", ASCII: "unvec", LaTeX: `\operatorname{unvec}`,
			NumPy:  `np.reshape(%[1]s, (int(%[2]s), int(%[3]s)), order="F")`,
			Torch:  "%[1]s.reshape(int(%[3]s), int(%[2]s)).t()",
			Octave: "reshape(%[1]s, %[2]s, %[3]s)", Go: "unvec"}})

	def(Pi, ast.Op{Name: "pi", Args: 0, Shape: ast.Constant,
		Eval:  func([]*mat.Dense) (*mat.Dense, error) { return scalar(math.Pi), nil },
		Deriv: func(*ast.Node, []*ast.Node) *ast.Node { return nil }, Rule: "dπ = 0",
		Print: ast.Spelling{Text: "π", ASCII: "pi", LaTeX: `\pi`, NumPy: "np.pi", Torch: "torch.pi", Octave: "pi", Go: "math.Pi"}})
	ast.RegisterAlias(Pi, "π")
}

// kronAdjoint is the block reduction ⟨G, A ⊗ dB⟩ = ⟨Σᵢⱼ aᵢⱼ·Gᵢⱼ, dB⟩,
// ⟨G, dA ⊗ B⟩ = ⟨[⟨Gᵢⱼ, B⟩]ᵢⱼ, dA⟩ (Gᵢⱼ the blocks of B's shape), written
// where G has a form that makes it a product:
//
//	G = C ⊗ D (blocks cᵢⱼ·D):  ⟨⟨C, A⟩·D, dB⟩ and ⟨⟨D, B⟩·C, dA⟩
//	G = x·yᵀ (blocks xᵢ·yⱼᵀ):   ⟨X·A·Yᵀ, dB⟩ and ⟨Xᵀ·B·Y, dA⟩, X = unvec(x, p, m), Y = unvec(y, q, n)
//	G a sum of those:          term by term
//
// (A m×n, B p×q). Otherwise it returns nil: no closed form.
func kronAdjoint(n, g *ast.Node, k int) *ast.Node {
	a, b := n.Args[0], n.Args[1]
	if g.Kind == ast.KAdd {
		terms := make([]*ast.Node, len(g.Args))
		for i, t := range g.Args {
			if terms[i] = kronAdjoint(n, t, k); terms[i] == nil {
				return nil
			}
		}
		return ast.Add(terms...)
	}
	if g.Is(Kron) && g.Args[0].Shape == a.Shape && g.Args[1].Shape == b.Shape {
		return ast.Mul(ast.Inner(g.Args[1-k], n.Args[1-k]), g.Args[k])
	}
	x, y, ok := outer(g)
	if !ok {
		return nil
	}
	m, nn, p, q := a.Shape.Rows, a.Shape.Cols, b.Shape.Rows, b.Shape.Cols
	xs := Unvec.Of(x, ast.Size(p), ast.Size(m)) // columns xᵢ, the blocks of x
	ys := Unvec.Of(y, ast.Size(q), ast.Size(nn))
	if k == 1 {
		return ast.Mul(xs, a, ast.Transpose(ys))
	}
	return ast.Mul(ast.Transpose(xs), b, ys)
}

// outer returns x and y with g = x·yᵀ for a product g whose chain splits
// into a column and a row (scalar factors go with x); ok is false otherwise.
func outer(g *ast.Node) (x, y *ast.Node, ok bool) {
	if g.Kind != ast.KMul || g.IsScalar() {
		return nil, nil, false
	}
	var scalars, chain []*ast.Node
	for _, f := range g.Args {
		if f.IsScalar() {
			scalars = append(scalars, f)
		} else {
			chain = append(chain, f)
		}
	}
	for i := 1; i < len(chain); i++ {
		l, okL := ast.MulShape(chain[:i]...)
		r, okR := ast.MulShape(chain[i:]...)
		if okL && okR && l.Cols == ast.One && r.Rows == ast.One {
			return ast.Mul(append(scalars, chain[:i]...)...), ast.Transpose(ast.Mul(chain[i:]...)), true
		}
	}
	return nil, nil, false
}

// logDet is log|det a| (abs) or det a, NaN for a non-finite a.
func logDet(a *mat.Dense, abs bool) (*mat.Dense, error) {
	if err := square("det", a); err != nil {
		return nil, err
	}
	for _, v := range a.RawMatrix().Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return scalar(math.NaN()), nil
		}
	}
	logAbs, sign := mat.LogDet(a)
	if abs {
		return scalar(logAbs), nil
	}
	return scalar(sign * math.Exp(logAbs)), nil
}
