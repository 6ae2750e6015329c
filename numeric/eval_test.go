package numeric

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
)

// Fixed small inputs for the evaluation tests (n = 2).
var (
	n2   = ast.Dim("n")
	symA = ast.Var("A", ast.Mat(n2, n2), 0)
	symB = ast.Var("B", ast.Mat(n2, n2), 0)
	symX = ast.Var("x", ast.Vec(n2), 0)
	symY = ast.Var("y", ast.Vec(n2), 0)
	symS = ast.Var("s", ast.Scalar, 0)
	symR = ast.Var("r", ast.Mat(ast.One, "3"), 0) // a 1×3 row
)

func fixedEnv() *Env {
	return &Env{
		Sizes: map[ast.Dim]int{"n": 2},
		Vals: map[string]*mat.Dense{
			"A": mat.NewDense(2, 2, []float64{1, 2, 3, 4}),
			"B": mat.NewDense(2, 2, []float64{0, 1, 1, 0}),
			"x": mat.NewDense(2, 1, []float64{1, 2}),
			"y": mat.NewDense(2, 1, []float64{3, -1}),
			"s": mat.NewDense(1, 1, []float64{3}),
			"r": mat.NewDense(1, 3, []float64{1, 2, 3}),
		},
		Deltas: map[string]*mat.Dense{"x": mat.NewDense(2, 1, []float64{5, 7})},
		Funcs: map[string]Func{"g": func(t float64, k int) float64 {
			return t*t*t + float64(k) // a recognisable stand-in: g(t) = t³, "g^(k)" = t³ + k
		}},
	}
}

func num(p, q int64) *ast.Node { return ast.Number(big.NewRat(p, q)) }

func neg(a *ast.Node) *ast.Node { return ast.Mul(ast.Int(-1), a) }

func sub(a, b *ast.Node) *ast.Node { return ast.Add(a, neg(b)) }

func approx(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	if math.IsInf(a, 0) || math.IsInf(b, 0) {
		return a == b
	}
	return math.Abs(a-b) <= 1e-12*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func TestEvalEachKind(t *testing.T) {
	three := ast.Dim("3")
	e := math.E
	cases := []struct {
		name string
		n    *ast.Node
		r, c int
		want []float64
	}{
		{"num", num(3, 4), 1, 1, []float64{0.75}},
		{"var", symA, 2, 2, []float64{1, 2, 3, 4}},
		{"delta", ast.Delta("x", ast.Vec(n2)), 2, 1, []float64{5, 7}},
		{"identity", ast.Identity(three), 3, 3, []float64{1, 0, 0, 0, 1, 0, 0, 0, 1}},
		{"ones", ast.Ones(ast.Mat(n2, three)), 2, 3, []float64{1, 1, 1, 1, 1, 1}},
		{"zero", ast.Zero(ast.Mat(three, n2)), 3, 2, []float64{0, 0, 0, 0, 0, 0}},
		{"add", ast.Add(symA, symB, symA), 2, 2, []float64{2, 5, 7, 8}},
		{"mul chain", ast.Mul(symA, symB), 2, 2, []float64{2, 1, 4, 3}},
		{"mul scalars commute", ast.Mul(symA, ast.Int(2), symX, symS), 2, 1, []float64{30, 66}},
		{"mul three", ast.Mul(symA, symB, symX), 2, 1, []float64{4, 10}},
		{"mul row·column", ast.Mul(ast.Transpose(symX), symY), 1, 1, []float64{1}},
		{"mul column·row", ast.Mul(symX, ast.Transpose(symY)), 2, 2, []float64{3, -1, 6, -2}},
		{"mul scalars only", ast.Mul(symS, num(1, 2)), 1, 1, []float64{1.5}},
		{"hadamard", ast.Hadamard(symA, symA, symB), 2, 2, []float64{0, 4, 9, 0}},
		{"div", ast.Div(symX, symY), 2, 1, []float64{1.0 / 3, -2}},
		{"transpose", ast.Transpose(symA), 2, 2, []float64{1, 3, 2, 4}},
		{"inverse", ast.Inverse(symA), 2, 2, []float64{-2, 1, 1.5, -0.5}},
		{"matpow 2", ast.MatPow(symA, 2), 2, 2, []float64{7, 10, 15, 22}},
		{"matpow 3", ast.MatPow(symA, 3), 2, 2, []float64{37, 54, 81, 118}},
		{"pow", ast.Pow(symA, ast.Int(2)), 2, 2, []float64{1, 4, 9, 16}},
		{"pow half", ast.Pow(symX, num(1, 2)), 2, 1, []float64{1, math.Sqrt2}},
		{"pow by variable", ast.Pow(symX, symS), 2, 1, []float64{1, 8}},
		{"exp", builtin.Exp.Of(symX), 2, 1, []float64{e, e * e}},
		{"log", builtin.Log.Of(symX), 2, 1, []float64{0, math.Ln2}},
		{"log negative", builtin.Log.Of(symY), 2, 1, []float64{math.Log(3), math.NaN()}},
		{"sin", builtin.Sin.Of(symX), 2, 1, []float64{math.Sin(1), math.Sin(2)}},
		{"cos", builtin.Cos.Of(symX), 2, 1, []float64{math.Cos(1), math.Cos(2)}},
		{"tanh", builtin.Tanh.Of(symY), 2, 1, []float64{math.Tanh(3), -math.Tanh(1)}},
		{"sigmoid", builtin.Sigmoid.Of(symY), 2, 1, []float64{1 / (1 + math.Exp(-3)), 1 / (1 + e)}},
		{"sqrt", builtin.Sqrt.Of(symX), 2, 1, []float64{1, math.Sqrt2}},
		{"abs", builtin.Abs.Of(symY), 2, 1, []float64{3, 1}},
		{"relu", builtin.Relu.Of(symY), 2, 1, []float64{3, 0}},
		{"sign", builtin.Sign.Of(ast.Add(symY, ast.Broadcast(ast.Int(1), ast.Vec(n2)))), 2, 1, []float64{1, 0}},
		{"sign negative", builtin.Sign.Of(symY), 2, 1, []float64{1, -1}},
		{"step", builtin.Step.Of(ast.Add(symY, ast.Broadcast(ast.Int(1), ast.Vec(n2)))), 2, 1, []float64{1, 0}},
		{"generic", ast.Apply("g", 0, symX), 2, 1, []float64{1, 8}},
		{"generic derivative", ast.Apply("g", 2, symX), 2, 1, []float64{3, 10}},
		{"trace", builtin.Trace.Of(symA), 1, 1, []float64{5}},
		{"det", builtin.Det.Of(symA), 1, 1, []float64{-2}},
		{"logdet", builtin.Logdet.Of(symA), 1, 1, []float64{math.Ln2}},
		{"logdet singular", builtin.Logdet.Of(ast.Ones(ast.Mat(n2, n2))), 1, 1, []float64{math.Inf(-1)}},
		{"sum", builtin.Sum.Of(symA), 1, 1, []float64{10}},
		{"diagmat", builtin.DiagMat.Of(symX), 2, 2, []float64{1, 0, 0, 2}},
		{"diagvec", builtin.DiagVec.Of(symA), 2, 1, []float64{1, 4}},
		{"logsumexp", builtin.Logsumexp.Of(symX), 1, 1, []float64{math.Log(e + e*e)}},
		{"logsumexp large", builtin.Logsumexp.Of(ast.Mul(ast.Int(1000), ast.Ones(ast.Vec(n2)))), 1, 1, []float64{1000 + math.Ln2}},
		{"softmax", builtin.Softmax.Of(symX), 2, 1, []float64{1 / (1 + e), e / (1 + e)}},
		{"softmax large", builtin.Softmax.Of(ast.Mul(ast.Int(1000), symX)), 2, 1, []float64{0, 1}},
		{"norm vector", builtin.Norm.Of(ast.Add(symX, symY)), 1, 1, []float64{math.Sqrt(17)}},
		{"norm matrix", builtin.Norm.Of(symA), 1, 1, []float64{math.Sqrt(30)}},
		{"inner", ast.Inner(symA, symB), 1, 1, []float64{5}},
		{"broadcast scalar", ast.Broadcast(symS, ast.Mat(n2, three)), 2, 3, []float64{3, 3, 3, 3, 3, 3}},
		{"broadcast row", ast.Broadcast(symR, ast.Mat(n2, three)), 2, 3, []float64{1, 2, 3, 1, 2, 3}},
		{"broadcast column", ast.Broadcast(symX, ast.Mat(n2, three)), 2, 3, []float64{1, 1, 1, 2, 2, 2}},
		{"kron", builtin.Kron.Of(symA, symB), 4, 4, []float64{
			0, 1, 0, 2,
			1, 0, 2, 0,
			0, 3, 0, 4,
			3, 0, 4, 0,
		}},
		{"kron vector", builtin.Kron.Of(symX, ast.Transpose(symY)), 2, 2, []float64{3, -1, 6, -2}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Eval(tc.n, fixedEnv())
			if err != nil {
				t.Fatalf("Eval(%s): %v", ast.Dump(tc.n), err)
			}
			if r, c := got.Dims(); r != tc.r || c != tc.c {
				t.Fatalf("Eval(%s) is %d×%d, want %d×%d", ast.Dump(tc.n), r, c, tc.r, tc.c)
			}
			for i := 0; i < tc.r; i++ {
				for j := 0; j < tc.c; j++ {
					if g, w := got.At(i, j), tc.want[i*tc.c+j]; !approx(g, w) {
						t.Errorf("Eval(%s)[%d,%d] = %v, want %v", ast.Dump(tc.n), i, j, g, w)
					}
				}
			}
		})
	}
}

func TestEvalDoesNotAliasEnv(t *testing.T) {
	env := fixedEnv()
	v, err := Eval(symA, env)
	if err != nil {
		t.Fatal(err)
	}
	v.Set(0, 0, 100)
	if env.Vals["A"].At(0, 0) != 1 {
		t.Fatal("Eval returned the environment's own matrix")
	}
}

func TestEvalErrors(t *testing.T) {
	bad := func(mod func(*Env)) *Env {
		env := fixedEnv()
		mod(env)
		return env
	}
	cases := []struct {
		name string
		n    *ast.Node
		env  *Env
		want string
	}{
		{"unknown variable", ast.Var("Q", ast.Mat(n2, n2), 0), fixedEnv(), "variable Q has no value"},
		{"unknown direction", ast.Delta("A", ast.Mat(n2, n2)), fixedEnv(), "direction ΔA has no value"},
		{"unknown function", ast.Apply("h", 0, symX), fixedEnv(), "function h has no value"},
		{"unknown size", ast.Identity("m"), fixedEnv(), "size m has no value"},
		{"size contradicts value", symA, bad(func(e *Env) { e.Vals["A"] = mat.NewDense(3, 3, nil) }), "size n is 2"},
		{"number dim contradicts value", ast.Var("Z", ast.Mat("3", "3"), 0),
			bad(func(e *Env) { e.Vals["Z"] = mat.NewDense(2, 2, nil) }), "want 3×3"},
		{"inferred sizes disagree", ast.Add(symA, ast.Mul(symX, ast.Transpose(symX))),
			bad(func(e *Env) {
				e.Sizes = nil
				e.Vals["x"] = mat.NewDense(3, 1, []float64{1, 2, 3})
			}), "size n is"},
		{"scalar that is not 1×1", ast.Mul(symS, symA), bad(func(e *Env) { e.Vals["s"] = mat.NewDense(2, 2, nil) }), "2×2"},
		{"generic function without a value", ast.Apply("exp", 1, symX), fixedEnv(), "has no value"},
		{"zero size", ast.Identity("n"), bad(func(e *Env) { e.Sizes["n"] = 0 }), "at least 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Eval(tc.n, tc.env)
			if err == nil {
				t.Fatalf("Eval(%s) = %v, want an error", ast.Dump(tc.n), mat.Formatted(v))
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Eval(%s) error %q, want it to mention %q", ast.Dump(tc.n), err, tc.want)
			}
		})
	}
}

func TestEvalSingular(t *testing.T) {
	for _, n := range []*ast.Node{
		ast.Inverse(ast.Ones(ast.Mat(n2, n2))),
		ast.Inverse(ast.Zero(ast.Scalar)),
		ast.MatPow(ast.Inverse(ast.Mul(symX, ast.Transpose(symX))), 2),
	} {
		_, err := Eval(n, fixedEnv())
		if !errors.Is(err, ErrSingular) {
			t.Errorf("Eval(%s) error %v, want ErrSingular", ast.Dump(n), err)
		}
	}
}

func TestEvalInfersSizes(t *testing.T) {
	env := fixedEnv()
	env.Sizes = nil
	got, err := Eval(ast.Add(symA, ast.Identity(n2)), env)
	if err != nil {
		t.Fatal(err)
	}
	if want := mat.NewDense(2, 2, []float64{2, 2, 3, 5}); !mat.Equal(got, want) {
		t.Fatalf("A + I = %v, want %v", mat.Formatted(got), mat.Formatted(want))
	}
}

func TestFinite(t *testing.T) {
	if !Finite(mat.NewDense(1, 2, []float64{1, -1e308})) {
		t.Error("finite matrix reported non-finite")
	}
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if Finite(mat.NewDense(1, 2, []float64{0, v})) {
			t.Errorf("matrix with %v reported finite", v)
		}
	}
	if Finite(nil) {
		t.Error("nil reported finite")
	}
}

// deepShared returns y_depth where y₀ = x and
// y_{k+1} = ½·y_k + ½·B·y_k: each level uses the previous one twice, so a
// tree walk would take 2^depth steps.
func deepShared(depth int) *ast.Node {
	y := symX
	for k := 0; k < depth; k++ {
		y = ast.Add(ast.Mul(num(1, 2), y), ast.Mul(num(1, 2), symB, y))
	}
	return y
}

func TestEvalDeepShared(t *testing.T) {
	const depth = 3000
	got, err := Eval(deepShared(depth), fixedEnv())
	if err != nil {
		t.Fatal(err)
	}
	// (I + B)/2, B the swap, is idempotent: ((I + B)/2)ᵏ x puts the mean of
	// x in both entries.
	for i := 0; i < 2; i++ {
		if !approx(got.At(i, 0), 1.5) {
			t.Fatalf("deep DAG = %v, want [1.5 1.5]", mat.Formatted(got.T()))
		}
	}
}

func BenchmarkEvalDeep(b *testing.B) {
	n := deepShared(1000)
	env := fixedEnv()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Eval(n, env); err != nil {
			b.Fatal(err)
		}
	}
}

// TestGreedyChainProduct: a chain longer than maxChainDP, parenthesised
// greedily, equals the product taken left to right.
func TestGreedyChainProduct(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	dims := []int{1}
	for range maxChainDP + 8 {
		dims = append(dims, 1+rng.IntN(4))
	}
	dims = append(dims, 1)
	var ms []*mat.Dense
	for i := 0; i+1 < len(dims); i++ {
		m := mat.NewDense(dims[i], dims[i+1], nil)
		for r := range dims[i] {
			for c := range dims[i+1] {
				m.Set(r, c, rng.Float64()+0.5)
			}
		}
		ms = append(ms, m)
	}
	want := mat.DenseCopyOf(ms[0])
	for _, m := range ms[1:] {
		var next mat.Dense
		next.Mul(want, m)
		want = &next
	}
	got := chainProduct(nil, ms)
	if !mat.EqualApprox(got, want, 1e-12*mat.Norm(want, 1)) {
		t.Errorf("chainProduct of %d factors = %v, want %v", len(ms), mat.Formatted(got), mat.Formatted(want))
	}
}

// shiftingGreedyProduct is greedyChainProduct as it was written over a
// slice that each step shifts: the pairing it makes is the one to keep.
func shiftingGreedyProduct(ms []*mat.Dense) *mat.Dense {
	ms = append([]*mat.Dense(nil), ms...)
	for len(ms) > 1 {
		best, bestCost := 0, -1
		for i := 0; i+1 < len(ms); i++ {
			r, c := ms[i].Dims()
			_, c2 := ms[i+1].Dims()
			if cost := r * c * c2; bestCost < 0 || cost < bestCost {
				best, bestCost = i, cost
			}
		}
		m := (*arena)(nil).product(ms[best], ms[best+1])
		ms = append(ms[:best+1], ms[best+2:]...)
		ms[best] = m
	}
	return ms[0]
}

// TestGreedyChainPairing: greedyChainProduct multiplies the pairs in the
// order of the greedy rule over a shifting slice, so its value is that
// product's bit for bit — over chains with vectors, ties and none.
func TestGreedyChainPairing(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for trial := range 30 {
		k := maxChainDP + 1 + rng.IntN(40)
		dims := make([]int, k+1)
		for i := range dims {
			dims[i] = 1 + rng.IntN(1+trial%5)
		}
		var ms []*mat.Dense
		for i := range k {
			m := mat.NewDense(dims[i], dims[i+1], nil)
			for j := range m.RawMatrix().Data {
				m.RawMatrix().Data[j] = rng.NormFloat64()
			}
			ms = append(ms, m)
		}
		got, want := greedyChainProduct(nil, ms), shiftingGreedyProduct(ms)
		if !sameMatrix(got, want) {
			t.Errorf("trial %d (%d factors): %v, want %v", trial, k, got, want)
		}
	}
}

// TestEvalOwnKernels: the evaluator's own trace (into its arena), sum,
// scaling of a product and transpose give builtin's tr, a left-to-right
// chain of mat.Dense.Add, mat.Dense.Scale and mat.Dense.Copy of the
// transpose bit for bit,
// NaN, infinities and signed zeros included; the trace of a non-square
// value is builtin's error.
func TestEvalOwnKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	special := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), 1e308, -1e308, 5e-324}
	val := func(r, c int) *mat.Dense {
		m := mat.NewDense(r, c, nil)
		for i := range m.RawMatrix().Data {
			if rng.IntN(3) == 0 {
				m.RawMatrix().Data[i] = special[rng.IntN(len(special))]
			} else {
				m.RawMatrix().Data[i] = rng.NormFloat64()
			}
		}
		return m
	}
	n3, n4 := ast.Dim("3"), ast.Dim("4")
	A, B, C := ast.Var("A", ast.Mat(n3, n3), 0), ast.Var("B", ast.Mat(n3, n3), 0), ast.Var("C", ast.Mat(n3, n4), 0)
	S := ast.Var("s", ast.Mat(ast.One, ast.One), 0)
	for range 200 {
		env := &Env{Vals: map[string]*mat.Dense{"A": val(3, 3), "B": val(3, 3), "C": val(3, 4)}}
		got, err := Eval(builtin.Trace.Of(A), env)
		want, werr := builtin.Trace.Eval([]*mat.Dense{env.Vals["A"]})
		if err != nil || werr != nil || !sameMatrix(got, want) {
			t.Errorf("tr(%v) = %v, %v; builtin %v, %v", env.Vals["A"].RawMatrix().Data, got, err, want, werr)
		}
		got, err = Eval(ast.Add(A, B, A, B, B), env)
		var sum mat.Dense
		sum.CloneFrom(env.Vals["A"])
		for _, name := range []string{"B", "A", "B", "B"} {
			sum.Add(&sum, env.Vals[name])
		}
		if err != nil || !sameMatrix(got, &sum) {
			t.Errorf("A + B + A + B + B = %v, %v; by mat.Dense.Add %v", got, err, &sum)
		}
		env.Vals["s"] = val(1, 1)
		got, err = Eval(ast.Mul(S, A, B), env)
		var ab, sab mat.Dense
		ab.Mul(env.Vals["A"], env.Vals["B"])
		sab.Scale(env.Vals["s"].At(0, 0), &ab)
		if err != nil || !sameMatrix(got, &sab) {
			t.Errorf("s·A·B = %v, %v; by mat.Dense.Scale %v", got, err, &sab)
		}
		got, err = Eval(ast.Transpose(C), env)
		if want := mat.DenseCopyOf(env.Vals["C"].T()); err != nil || !sameMatrix(got, want) {
			t.Errorf("Cᵀ = %v, %v; by mat.Dense.Copy %v", got, err, want)
		}
		// Not a node the constructors make: tr of a 3×4 value.
		wide := &ast.Node{Kind: ast.KCall, Name: "tr", Op: builtin.Trace, Shape: ast.Shape{Rows: ast.One, Cols: ast.One}, Args: []*ast.Node{C}}
		_, err = Eval(wide, env)
		_, werr = builtin.Trace.Eval([]*mat.Dense{env.Vals["C"]})
		if err == nil || werr == nil || !strings.Contains(err.Error(), werr.Error()) {
			t.Errorf("tr of a 3×4 value: %v, want builtin's %v", err, werr)
		}
	}
}
