package numeric

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
)

func TestRandomEnvSizes(t *testing.T) {
	A := ast.Var("A", ast.Mat("q", "n"), 0)
	X := ast.Var("X", ast.Mat("n", "p"), 0)
	y := ast.Var("y", ast.Vec("3"), 0)
	K := builtin.Kron.Of(A, ast.Identity("m"))
	prog := &ast.Program{Root: ast.Add(builtin.Sum.Of(ast.Mul(A, X)), builtin.Sum.Of(y), builtin.Sum.Of(K)), Vars: []*ast.Node{A, X, y}}
	rng := rand.New(rand.NewPCG(1, 1))

	env := RandomEnv(rng, prog, nil)
	want := map[ast.Dim]int{"m": 3, "n": 4, "p": 5, "q": 6}
	for d, v := range want {
		if env.Sizes[d] != v {
			t.Errorf("size %s = %d, want %d (all: %v)", d, env.Sizes[d], v, env.Sizes)
		}
	}
	if r, c := env.Vals["A"].Dims(); r != 6 || c != 4 {
		t.Errorf("A is %d×%d, want 6×4", r, c)
	}
	if r, c := env.Vals["y"].Dims(); r != 3 || c != 1 {
		t.Errorf("y is %d×%d, want 3×1", r, c)
	}
	if _, err := Eval(prog.Root, env); err != nil {
		t.Errorf("Eval on RandomEnv: %v", err)
	}

	// Given sizes are kept; the open names skip the values taken.
	env = RandomEnv(rng, prog, map[ast.Dim]int{"n": 4, "p": 3})
	want = map[ast.Dim]int{"m": 5, "n": 4, "p": 3, "q": 6}
	for d, v := range want {
		if env.Sizes[d] != v {
			t.Errorf("size %s = %d, want %d (all: %v)", d, env.Sizes[d], v, env.Sizes)
		}
	}
}

func TestAssignSizesManyNames(t *testing.T) {
	dims := map[ast.Dim]bool{}
	for _, d := range []ast.Dim{"a", "b", "c", "d", "e", "f", "g", "h"} {
		dims[d] = true
	}
	got := assignSizes(dims, nil)
	seen := map[int]bool{}
	for _, d := range []ast.Dim{"a", "b", "c", "d", "e", "f"} {
		v := got[d]
		if v < 2 || v > 7 || seen[v] {
			t.Fatalf("sizes %v: the first six are not distinct values in 2..7", got)
		}
		seen[v] = true
	}
	if got["g"] < 2 || got["h"] > 7 {
		t.Fatalf("sizes %v out of range", got)
	}
}

func TestRandomEnvProperties(t *testing.T) {
	S := ast.Var("S", ast.Mat("n", "n"), ast.Symmetric)
	P := ast.Var("P", ast.Mat("n", "n"), ast.PosDef)
	W := ast.Var("W", ast.Mat("n", "p"), ast.Positive)
	Q := ast.Var("Q", ast.Mat("n", "n"), ast.Positive|ast.Symmetric)
	R := ast.Var("R", ast.Mat("n", "n"), ast.Positive|ast.PosDef)
	c := ast.Var("c", ast.Scalar, ast.Positive)
	vars := []*ast.Node{S, P, W, Q, R, c}
	prog := &ast.Program{Vars: vars, Root: ast.Apply("g", 0, W), Funcs: []string{"g"}}
	rng := rand.New(rand.NewPCG(3, 4))
	for k := 0; k < 20; k++ {
		env := RandomEnv(rng, prog, nil)
		for _, name := range []string{"S", "P", "Q", "R"} {
			v := env.Vals[name]
			if !mat.Equal(v, v.T()) {
				t.Fatalf("%s is not symmetric", name)
			}
		}
		for _, name := range []string{"P", "R"} {
			var eig mat.EigenSym
			if !eig.Factorize(mat.NewSymDense(env.Sizes["n"], env.Vals[name].RawMatrix().Data), false) {
				t.Fatal("eigen decomposition failed")
			}
			if min := eig.Values(nil)[0]; min < 1-1e-12 {
				t.Fatalf("%s has eigenvalue %v < 1", name, min)
			}
		}
		for _, name := range []string{"W", "Q", "R", "c"} {
			v := env.Vals[name]
			if name != "R" && (mat.Min(v) < 0.5 || mat.Max(v) > 2) {
				t.Fatalf("%s has entries outside [0.5, 2]: %v", name, mat.Formatted(v))
			}
			if mat.Min(v) <= 0 {
				t.Fatalf("%s has a non-positive entry", name)
			}
		}
		if env.Funcs["g"] == nil || env.Funcs["g"](1, 0) != StandIn(1, 0) {
			t.Fatal("g has no stand-in")
		}
	}
}

func TestRandomEnvDeterministic(t *testing.T) {
	X := ast.Var("X", ast.Mat("n", "p"), 0)
	prog := &ast.Program{Root: X, Vars: []*ast.Node{X}}
	a := RandomEnv(rand.New(rand.NewPCG(9, 9)), prog, nil)
	b := RandomEnv(rand.New(rand.NewPCG(9, 9)), prog, nil)
	if !mat.Equal(a.Vals["X"], b.Vals["X"]) {
		t.Fatal("same seed, different values")
	}
}

func TestRandomDirection(t *testing.T) {
	S := ast.Var("S", ast.Mat("n", "n"), ast.Symmetric)
	X := ast.Var("X", ast.Mat("n", "p"), 0)
	rng := rand.New(rand.NewPCG(5, 6))
	env := RandomEnv(rng, &ast.Program{Vars: []*ast.Node{S, X}}, nil)
	d := RandomDirection(rng, S, env)
	if !mat.Equal(d, d.T()) {
		t.Error("direction of a symmetric variable is not symmetric")
	}
	d = RandomDirection(rng, X, env)
	if r, c := d.Dims(); r != 3 || c != 4 {
		t.Errorf("direction of X is %d×%d, want 3×4", r, c)
	}
	if mat.Equal(d, mat.NewDense(3, 4, nil)) {
		t.Error("zero direction")
	}
	if RandomDirection(rng, ast.Var("Z", ast.Mat("z", "z"), 0), env) != nil {
		t.Error("direction of a variable of unknown size")
	}
}

// TestStandIn checks each derivative of the stand-in against a central
// difference of the one below it.
func TestStandIn(t *testing.T) {
	const h = 1e-5
	for _, x := range []float64{-2.5, -0.3, 0, 0.7, 3} {
		if got, want := StandIn(x, 0), math.Sin(x)+x*x/2; got != want {
			t.Errorf("g(%v) = %v, want %v", x, got, want)
		}
		for k := 1; k <= 9; k++ {
			fd := (StandIn(x+h, k-1) - StandIn(x-h, k-1)) / (2 * h)
			if got := StandIn(x, k); math.Abs(got-fd) > 1e-8 {
				t.Errorf("g^(%d)(%v) = %v, central difference of g^(%d) is %v", k, x, got, k-1, fd)
			}
		}
	}
	if !math.IsNaN(StandIn(1, -1)) {
		t.Error("negative order is not NaN")
	}
}

// TestRandomEnvValuesOwnTheirEntries: the values of a draw, carved from
// one block, are capped to their own entries: growing or overwriting one
// (as a caller may) leaves every other as it was drawn.
func TestRandomEnvValuesOwnTheirEntries(t *testing.T) {
	var vars []*ast.Node
	var sum []*ast.Node
	for i := range 6 {
		v := ast.Var(string(rune('a'+i)), ast.Mat("m", "n"), ast.Props(0))
		if i%2 == 1 {
			v = ast.Var(string(rune('a'+i)), ast.Mat("n", "n"), ast.PosDef)
		}
		vars = append(vars, v)
		sum = append(sum, builtin.Sum.Of(v))
	}
	prog := &ast.Program{Root: ast.Add(sum...), Vars: vars}
	env := RandomEnv(rand.New(rand.NewPCG(2, 3)), prog, nil)
	drawn := map[string]*mat.Dense{}
	for name, v := range env.Vals {
		drawn[name] = mat.DenseCopyOf(v)
	}
	for name, v := range env.Vals {
		raw := v.RawMatrix()
		if cap(raw.Data) != raw.Rows*raw.Cols {
			t.Errorf("%s: %d entries, room for %d", name, raw.Rows*raw.Cols, cap(raw.Data))
		}
		_ = append(raw.Data, 7, 7, 7) // what growing it writes
		v.Apply(func(int, int, float64) float64 { return math.NaN() }, v)
		for other, w := range env.Vals {
			if other != name && !sameMatrix(w, drawn[other]) {
				t.Fatalf("overwriting %s changed %s", name, other)
			}
		}
		v.Copy(drawn[name])
	}
}
