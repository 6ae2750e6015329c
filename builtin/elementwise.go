package builtin

import (
	"math"
	"math/big"

	"github.com/mdiff/mdiff/ast"
)

// The elementwise functions: f(A)ᵢⱼ = f(Aᵢⱼ), d f(A) = f′(A) ⊙ dA.
var (
	Exp, Log, Sin, Cos, Tan, Arcsin, Arccos, Arctan = new(ast.Op), new(ast.Op), new(ast.Op), new(ast.Op), new(ast.Op), new(ast.Op), new(ast.Op), new(ast.Op)
	Sinh, Cosh, Tanh, Sigmoid, Softplus, Log1p      = new(ast.Op), new(ast.Op), new(ast.Op), new(ast.Op), new(ast.Op), new(ast.Op)
	Expm1, Sqrt, Abs, Relu, Sign, Step              = new(ast.Op), new(ast.Op), new(ast.Op), new(ast.Op), new(ast.Op), new(ast.Op)
)

// fn is the row of an elementwise function: the spelling is name (or
// math.Name in Go) unless given.
func fn(p *ast.Op, name string, f func(float64) float64, prime func(n, a *ast.Node) *ast.Node, rule string, fold func(*big.Rat) *big.Rat, sp ast.Spelling) {
	def(p, ast.Op{Name: name, Args: 1, Shape: ast.SameShape, Elementwise: true,
		Scalar: f, Deriv: elementwise(prime), Rule: rule, Fold: fold, Print: sp})
}

func init() {
	fn(Exp, "exp", math.Exp, func(n, a *ast.Node) *ast.Node { return n },
		"d exp(A) = exp(A) ⊙ dA", foldAt(map[int64]int64{0: 1}),
		ast.Spelling{Text: "exp", ASCII: "exp", LaTeX: `\exp`, NumPy: "np.exp", Torch: "torch.exp", Octave: "exp", Go: "math.Exp"})
	fn(Log, "log", math.Log, func(n, a *ast.Node) *ast.Node { return pow(a, -1, 1) },
		"d log(A) = dA ⊘ A", foldAt(map[int64]int64{1: 0}),
		ast.Spelling{Text: "log", ASCII: "log", LaTeX: `\log`, NumPy: "np.log", Torch: "torch.log", Octave: "log", Go: "math.Log"})
	fn(Sin, "sin", math.Sin, func(n, a *ast.Node) *ast.Node { return Cos.Of(a) },
		"d sin(A) = cos(A) ⊙ dA", foldAt(map[int64]int64{0: 0}),
		ast.Spelling{Text: "sin", ASCII: "sin", LaTeX: `\sin`, NumPy: "np.sin", Torch: "torch.sin", Octave: "sin", Go: "math.Sin"})
	fn(Cos, "cos", math.Cos, func(n, a *ast.Node) *ast.Node { return neg(Sin.Of(a)) },
		"d cos(A) = −sin(A) ⊙ dA", foldAt(map[int64]int64{0: 1}),
		ast.Spelling{Text: "cos", ASCII: "cos", LaTeX: `\cos`, NumPy: "np.cos", Torch: "torch.cos", Octave: "cos", Go: "math.Cos"})
	fn(Tan, "tan", math.Tan, func(n, a *ast.Node) *ast.Node { return ast.Add(ones(a.Shape), pow(n, 2, 1)) },
		"d tan(A) = (1 + tan(A)²) ⊙ dA", foldAt(map[int64]int64{0: 0}),
		ast.Spelling{Text: "tan", ASCII: "tan", LaTeX: `\tan`, NumPy: "np.tan", Torch: "torch.tan", Octave: "tan", Go: "math.Tan"})
	fn(Arcsin, "arcsin", math.Asin, func(n, a *ast.Node) *ast.Node {
		return pow(Sqrt.Of(ast.Add(ones(a.Shape), neg(pow(a, 2, 1)))), -1, 1)
	}, "d arcsin(A) = dA ⊘ sqrt(1 − A∘²)", foldAt(map[int64]int64{0: 0}),
		ast.Spelling{Text: "arcsin", ASCII: "arcsin", LaTeX: `\arcsin`, NumPy: "np.arcsin", Torch: "torch.asin", Octave: "asin", Go: "math.Asin"})
	ast.RegisterAlias(Arcsin, "asin")
	fn(Arccos, "arccos", math.Acos, func(n, a *ast.Node) *ast.Node {
		return neg(pow(Sqrt.Of(ast.Add(ones(a.Shape), neg(pow(a, 2, 1)))), -1, 1))
	}, "d arccos(A) = −dA ⊘ sqrt(1 − A∘²)", foldAt(map[int64]int64{1: 0}),
		ast.Spelling{Text: "arccos", ASCII: "arccos", LaTeX: `\arccos`, NumPy: "np.arccos", Torch: "torch.acos", Octave: "acos", Go: "math.Acos"})
	ast.RegisterAlias(Arccos, "acos")
	fn(Arctan, "arctan", math.Atan, func(n, a *ast.Node) *ast.Node {
		return pow(ast.Add(ones(a.Shape), pow(a, 2, 1)), -1, 1)
	}, "d arctan(A) = dA ⊘ (1 + A∘²)", foldAt(map[int64]int64{0: 0}),
		ast.Spelling{Text: "arctan", ASCII: "arctan", LaTeX: `\arctan`, NumPy: "np.arctan", Torch: "torch.atan", Octave: "atan", Go: "math.Atan"})
	ast.RegisterAlias(Arctan, "atan")
	fn(Sinh, "sinh", math.Sinh, func(n, a *ast.Node) *ast.Node { return Cosh.Of(a) },
		"d sinh(A) = cosh(A) ⊙ dA", foldAt(map[int64]int64{0: 0}),
		ast.Spelling{Text: "sinh", ASCII: "sinh", LaTeX: `\sinh`, NumPy: "np.sinh", Torch: "torch.sinh", Octave: "sinh", Go: "math.Sinh"})
	fn(Cosh, "cosh", math.Cosh, func(n, a *ast.Node) *ast.Node { return Sinh.Of(a) },
		"d cosh(A) = sinh(A) ⊙ dA", foldAt(map[int64]int64{0: 1}),
		ast.Spelling{Text: "cosh", ASCII: "cosh", LaTeX: `\cosh`, NumPy: "np.cosh", Torch: "torch.cosh", Octave: "cosh", Go: "math.Cosh"})
	fn(Tanh, "tanh", math.Tanh, func(n, a *ast.Node) *ast.Node { return ast.Add(ones(a.Shape), neg(pow(n, 2, 1))) },
		"d tanh(A) = (1 − tanh(A)²) ⊙ dA", foldAt(map[int64]int64{0: 0}),
		ast.Spelling{Text: "tanh", ASCII: "tanh", LaTeX: `\tanh`, NumPy: "np.tanh", Torch: "torch.tanh", Octave: "tanh", Go: "math.Tanh"})
	fn(Sigmoid, "sigmoid", sigmoid, func(n, a *ast.Node) *ast.Node { return times(n, ast.Add(ones(a.Shape), neg(n))) },
		"d σ(A) = σ(A) ⊙ (1 − σ(A)) ⊙ dA", func(x *big.Rat) *big.Rat {
			if x.Sign() == 0 {
				return big.NewRat(1, 2)
			}
			return nil
		},
		ast.Spelling{Text: "sigmoid", ASCII: "sigmoid", LaTeX: `\operatorname{sigmoid}`, NumPy: "_sigmoid", NumPyHelper: `def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))
`, Torch: "torch.sigmoid", Octave: "CLASS.h_sigmoid", OctaveHelper: `    function y = h_sigmoid(z)
      y = 0.5 * (1 + tanh(0.5 * z));
    end
`, Go: "sigmoid", GoHelper: `func sigmoid(x float64) float64 { return 0.5 * (1 + math.Tanh(0.5*x)) }
`})
	fn(Softplus, "softplus", softplus, func(n, a *ast.Node) *ast.Node { return Sigmoid.Of(a) },
		"d softplus(A) = σ(A) ⊙ dA", nil,
		ast.Spelling{Text: "softplus", ASCII: "softplus", LaTeX: `\operatorname{softplus}`, NumPy: "np.logaddexp(0.0, %s)",
			Torch: "torch.nn.functional.softplus", Octave: "CLASS.h_softplus", OctaveHelper: `    function y = h_softplus(z)
      y = max(z, 0) + log1p(exp(-abs(z)));
    end
`, Go: "softplus", GoHelper: `func softplus(x float64) float64 { return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x))) }
`})
	fn(Log1p, "log1p", math.Log1p, func(n, a *ast.Node) *ast.Node { return pow(ast.Add(ones(a.Shape), a), -1, 1) },
		"d log1p(A) = dA ⊘ (1 + A)", foldAt(map[int64]int64{0: 0}),
		ast.Spelling{Text: "log1p", ASCII: "log1p", LaTeX: `\operatorname{log1p}`, NumPy: "np.log1p", Torch: "torch.log1p", Octave: "log1p", Go: "math.Log1p"})
	fn(Expm1, "expm1", math.Expm1, func(n, a *ast.Node) *ast.Node { return Exp.Of(a) },
		"d expm1(A) = exp(A) ⊙ dA", foldAt(map[int64]int64{0: 0}),
		ast.Spelling{Text: "expm1", ASCII: "expm1", LaTeX: `\operatorname{expm1}`, NumPy: "np.expm1", Torch: "torch.expm1", Octave: "expm1", Go: "math.Expm1"})
	fn(Sqrt, "sqrt", math.Sqrt, func(n, a *ast.Node) *ast.Node { return ast.Mul(rat(1, 2), pow(n, -1, 1)) },
		"d sqrt(A) = dA ⊘ (2·sqrt(A))", foldAt(map[int64]int64{0: 0, 1: 1}),
		ast.Spelling{Text: "sqrt", ASCII: "sqrt", LaTeX: `\operatorname{sqrt}`, LaTeXScalar: `\sqrt{%s}`, NumPy: "np.sqrt", Torch: "torch.sqrt", Octave: "sqrt", Go: "math.Sqrt"})
	fn(Abs, "abs", math.Abs, func(n, a *ast.Node) *ast.Node { return Sign.Of(a) },
		"d |A| = sign(A) ⊙ dA", func(x *big.Rat) *big.Rat { return new(big.Rat).Abs(x) },
		ast.Spelling{Text: "abs", ASCII: "abs", LaTeX: `\operatorname{abs}`, NumPy: "np.abs", Torch: "torch.abs", Octave: "abs", Go: "math.Abs"})
	fn(Relu, "relu", relu, func(n, a *ast.Node) *ast.Node { return Step.Of(a) },
		"d relu(A) = step(A) ⊙ dA", func(x *big.Rat) *big.Rat {
			if x.Sign() > 0 {
				return new(big.Rat).Set(x)
			}
			return new(big.Rat)
		},
		ast.Spelling{Text: "relu", ASCII: "relu", LaTeX: `\operatorname{relu}`, NumPy: "np.maximum(%s, 0.0)", Torch: "torch.relu", Octave: "max(%s, 0)", Go: "relu", GoHelper: `func relu(x float64) float64 { return math.Max(x, 0) }
`})
	fn(Sign, "sign", sign, nil,
		"d sign(A) = 0 (almost everywhere)", func(x *big.Rat) *big.Rat { return big.NewRat(int64(x.Sign()), 1) },
		ast.Spelling{Text: "sign", ASCII: "sign", LaTeX: `\operatorname{sign}`, NumPy: "np.sign", Torch: "torch.sign", Octave: "sign", Go: "sign", GoHelper: `func sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}
`})
	fn(Step, "step", step, nil,
		"d step(A) = 0 (almost everywhere)", func(x *big.Rat) *big.Rat {
			if x.Sign() > 0 {
				return big.NewRat(1, 1)
			}
			return new(big.Rat)
		},
		ast.Spelling{Text: "step", ASCII: "step", LaTeX: `\operatorname{step}`, NumPy: "np.where(%s > 0, 1.0, 0.0)", Torch: "_step", TorchHelper: `def _step(z):
    return (z > 0).to(z.dtype)
`, Octave: "double(%s > 0)", Go: "step", GoHelper: `func step(x float64) float64 {
	if x > 0 {
		return 1
	}
	return 0
}
`})
}
