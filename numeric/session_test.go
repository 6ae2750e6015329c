package numeric

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mdiff/mdiff/ast"
)

// TestVariedSharesSizes: an evaluator at an env with one variable changed
// to a value of the same size, which takes its sizes from the base
// evaluator (sharesSizes) instead of binding them, resolves every dim of
// the plan as an evaluator that bound them afresh does, and gives its value
// bit for bit — with the sizes given and with them inferred from the values.
func TestVariedSharesSizes(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, open := range []bool{false, true} {
		for _, n := range planCases() {
			for _, name := range []string{"x", "A", "s"} {
				env := fixedEnv()
				if open {
					env.Sizes = nil
				}
				s := newSession(n)
				_, base, err := s.eval(n, env)
				if err != nil {
					t.Fatalf("%v: %v", n.Kind, err)
				}
				v := mat.DenseCopyOf(env.Vals[name])
				v.Apply(func(_, _ int, x float64) float64 { return x + rng.NormFloat64() }, v)
				p, i := s.planOf(n)
				ev := s.newEvaluator(p, env)
				ev.override(name, v)
				got, err := ev.varied(base, i, name)
				changed := fixedEnv()
				changed.Sizes = env.Sizes
				changed.Vals[name] = v
				fresh := newEvaluator(p, changed)
				want, werr := fresh.root(i)
				if errText(err) != errText(werr) || !sameMatrix(got, want) {
					t.Errorf("%v with %s changed (open %v): %v, %v; fresh %v, %v", n.Kind, name, open, got, err, want, werr)
				}
				for j := range p.dims {
					k, err := ev.dimAt(int32(j))
					fk, ferr := fresh.dimAt(int32(j))
					if k != fk || errText(err) != errText(ferr) {
						t.Errorf("%v with %s changed (open %v): dim %s is %d, %v; bound afresh %d, %v", n.Kind, name, open, p.dims[j].d, k, err, fk, ferr)
					}
				}
			}
		}
	}
}

// perturbedByName is the perturbation of evalUnc as it was written over
// maps: the variables in sorted order of name, then the directions, each
// X₊ = X ⊙ (1 + δ·R) (perturb) and X₋ = 2X − X₊ computed by gonum.
func perturbedByName(rng *rand.Rand, m map[string]*mat.Dense) (plus, minus map[string]*mat.Dense) {
	plus, minus = map[string]*mat.Dense{}, map[string]*mat.Dense{}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		x := m[k]
		p := perturb(rng, x, nil)
		plus[k] = p
		var xm mat.Dense
		xm.Scale(2, x)
		xm.Sub(&xm, p)
		minus[k] = &xm
	}
	return plus, minus
}

// TestPerturbedEnvs: the perturbed environments of a session hold, by slot,
// bit for bit the values that the perturbation over maps draws, in the same
// order of random numbers; evaluating there gives what evaluating at the
// same values by name gives (jitter included).
func TestPerturbedEnvs(t *testing.T) {
	env := fixedEnv()
	for _, v := range env.Vals {
		v.Scale(0.7, v) // not integers, which perturb leaves alone
	}
	env.Vals["B"] = mat.NewDense(2, 2, []float64{0.3, 1.1, 1.1, 0.2}) // symmetric: so is its perturbation
	env.Vals["k"] = mat.NewDense(1, 1, []float64{3})                  // an integer: left alone
	env.Deltas["x"].Scale(0.3, env.Deltas["x"])
	cases := planCases()
	s := newSession(cases...)
	pes := s.perturbedEnvs(env)
	rng := rand.New(rand.NewPCG(perturbSeed, 0))
	for round := range 2 {
		vp, vm := perturbedByName(rng, env.Vals)
		dp, dm := perturbedByName(rng, env.Deltas)
		for k, want := range []struct{ vals, deltas map[string]*mat.Dense }{{vp, dp}, {vm, dm}} {
			pe := pes[2*round+k]
			if pe.Vals != nil || len(pe.vals) != len(want.vals) {
				t.Fatalf("perturbed env %d: Vals %v, %d values by slot, want %d", 2*round+k, pe.Vals, len(pe.vals), len(want.vals))
			}
			byName := &Env{Sizes: pe.Sizes, Vals: map[string]*mat.Dense{}, Deltas: pe.Deltas, Funcs: pe.Funcs}
			for name, w := range want.vals {
				got := pe.vals[pe.tab.slot[name]]
				if !sameMatrix(got, w) {
					t.Errorf("perturbed env %d: %s = %v, want %v", 2*round+k, name, got, w)
				}
				byName.Vals[name] = got
			}
			for name, w := range want.deltas {
				if !sameMatrix(pe.Deltas[name], w) {
					t.Errorf("perturbed env %d: Δ%s = %v, want %v", 2*round+k, name, pe.Deltas[name], w)
				}
			}
			for _, n := range cases {
				p := newPlan(n)
				bySlot := *pe
				bySlot.jitter = rand.NewPCG(9, uint64(k))
				byName.jitter = rand.NewPCG(9, uint64(k))
				got, err := newEvaluator(p, &bySlot).root(int32(len(p.nodes) - 1))
				want, werr := newEvaluator(p, byName).root(int32(len(p.nodes) - 1))
				if errText(err) != errText(werr) || !sameMatrix(got, want) {
					t.Errorf("%v at perturbed env %d: by slot %v, %v; by name %v, %v", n.Kind, 2*round+k, got, err, want, werr)
				}
			}
		}
	}
	if again := s.perturbedEnvs(env); again != pes {
		t.Error("the perturbed envs of one env are drawn twice in a draw")
	}
}

// TestArenaReset: after reset an arena hands out its slabs again — zeros,
// whatever was written into them — and allocates no new slab for the same
// sequence of matrices.
func TestArenaReset(t *testing.T) {
	var ar arena
	fillAll := func() {
		for k := range 3000 {
			m := ar.zeros(1+k%8, 1+k%5)
			for i, v := range m.RawMatrix().Data {
				if v != 0 {
					t.Fatalf("round matrix %d holds %v at %d", k, v, i)
				}
				m.RawMatrix().Data[i] = float64(k + 1)
			}
		}
	}
	fillAll()
	slabs, heads := len(ar.dataSlabs), len(ar.headSlabs)
	if slabs < 2 || heads < 2 {
		t.Fatalf("%d data slabs, %d header slabs: the test needs several", slabs, heads)
	}
	for range 3 {
		ar.reset()
		fillAll()
		if len(ar.dataSlabs) != slabs || len(ar.headSlabs) != heads {
			t.Errorf("after reset: %d data and %d header slabs, want %d and %d", len(ar.dataSlabs), len(ar.headSlabs), slabs, heads)
		}
	}
}

// TestCheckRepeatsExactly: a check whose session resets its arena at every
// draw reports, bit for bit, what the same check reports again (nothing of
// one draw leaks into the next).
func TestCheckRepeatsExactly(t *testing.T) {
	f := ast.Add(ast.Mul(ast.Transpose(symX), symA, symX), ast.Mul(symS, symS))
	g := ast.Mul(ast.Add(symA, ast.Transpose(symA)), symX)
	prog := &ast.Program{Vars: []*ast.Node{symA, symX, symS}, Root: f}
	var first Report
	for k := range 2 {
		rep, err := CheckGradient(f, g, symX, prog, Options{Seed: 4, Draws: 5})
		if err != nil || !rep.OK {
			t.Fatalf("CheckGradient: %+v, %v", rep, err)
		}
		if k == 0 {
			first = rep
		} else if rep.RelErr != first.RelErr || rep.Cond != first.Cond || rep.Rejected != first.Rejected {
			t.Errorf("repeated check: %+v, first %+v", rep, first)
		}
	}
}

// TestWalkOrder: plan.walk(roots) over any plan visits the nodes of
// newPlan(roots...) in the same order, with their positions in the plan
// (−1 for the nodes it lacks): roots with nil, repeated or contained ones,
// roots below the plan's, above them, and beside them.
func TestWalkOrder(t *testing.T) {
	c := planCases()
	inner := c[0].Args[0] // below c[0]
	lists := [][]*ast.Node{
		{c[0]}, {c[0], c[1]}, {c[0], nil, c[1]}, {c[0], c[0], c[1]}, {c[0], inner, c[1]},
		{c[1], c[0]}, {inner}, {inner, c[0]}, {c[0], c[1], c[2]}, {nil}, {c[0], c[1], inner},
		{ast.Add(c[3], c[7]), c[1]}, {c[4], ast.Mul(ast.Transpose(c[3]), c[3])},
	}
	for _, a := range lists {
		p := newPlan(a...)
		for _, b := range lists {
			want := newPlan(b...).nodes
			var got []*ast.Node
			var at []int32
			p.walk(b, func(n *ast.Node, i int32) { got, at = append(got, n), append(at, i) })
			if len(got) != len(want) || len(at) != len(got) {
				t.Fatalf("walk of %v over the plan of %v: %d nodes, %d positions; want %d", b, a, len(got), len(at), len(want))
			}
			for i, n := range got {
				k, in := p.pos[n]
				if n != want[i] || in && at[i] != k || !in && at[i] != -1 {
					t.Errorf("walk of %v over the plan of %v: node %d is %v at %d, want %v", b, a, i, n.Kind, at[i], want[i].Kind)
				}
			}
		}
	}
}

// TestSessionReuseIsFresh: a session hands out its evaluators again (those
// of an earlier draw, those of at) and the arena memory of the points of
// finite differences again (arena.rewind); every value it gives is still
// that of a fresh evaluation, over draws at different values and points
// along different variables, and no value it gave earlier — a base, a
// point — changes when it evaluates more.
func TestSessionReuseIsFresh(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	cases := planCases()
	s := newSession(cases...)
	type given struct {
		got, want *mat.Dense
		what      string
	}
	var kept []given // within the current draw
	for draw := range 4 {
		s.newDraw()
		kept = kept[:0]
		env := fixedEnv()
		for _, v := range env.Vals {
			v.Apply(func(_, _ int, x float64) float64 { return x + float64(draw)*rng.NormFloat64() }, v)
		}
		for ci, n := range cases {
			v, base, err := s.eval(n, env)
			want, werr := Eval(n, env)
			if errText(err) != errText(werr) || !sameMatrix(v, want) {
				t.Fatalf("draw %d, case %d: %v, %v; fresh %v, %v", draw, ci, v, err, want, werr)
			}
			kept = append(kept, given{v, mat.DenseCopyOf(v), fmt.Sprintf("draw %d, case %d", draw, ci)})
			for _, name := range []string{"x", "A", "s"} {
				for k := range 3 {
					x := mat.DenseCopyOf(env.Vals[name])
					x.Apply(func(_, _ int, v float64) float64 { return v + float64(k+1)*1e-3*rng.NormFloat64() }, x)
					got, err := s.at(n, env, base, name, x)
					changed := fixedEnv()
					for m, v := range env.Vals {
						changed.Vals[m] = v
					}
					changed.Vals[name] = x
					want, werr := Eval(n, changed)
					what := fmt.Sprintf("draw %d, case %d, %s at point %d", draw, ci, name, k)
					if errText(err) != errText(werr) || !sameMatrix(got, want) {
						t.Fatalf("%s: %v, %v; fresh %v, %v", what, got, err, want, werr)
					}
					if err == nil {
						kept = append(kept, given{got, want, what})
					}
				}
			}
			for _, g := range kept {
				if !sameMatrix(g.got, g.want) {
					t.Fatalf("%s: the value given then is now %v, want %v", g.what, g.got, g.want)
				}
			}
		}
	}
}

// TestPerturbedEvalSizes: at a perturbed env the session checks no sizes
// again once the env it perturbs has evaluated the root (session.eval);
// the values, and the errors where it has not, are those of an evaluator
// that binds them afresh.
func TestPerturbedEvalSizes(t *testing.T) {
	for _, good := range []bool{true, false} {
		for ci, n := range planCases() {
			env := fixedEnv()
			if !good {
				env.Vals["A"] = mat.NewDense(3, 3, nil) // size n is 2
			}
			s := newSession(n)
			s.newDraw()
			_, _, baseErr := s.eval(n, env)
			pes := s.perturbedEnvs(env)
			for k, pe := range pes {
				fresh := *pe
				fresh.jitter = rand.NewPCG(jitterSeed, uint64(k)) // as pe's before the session draws from it
				got, _, err := s.eval(n, pe)
				p := newPlan(n)
				want, werr := newEvaluator(p, &fresh).root(int32(len(p.nodes) - 1))
				if errText(err) != errText(werr) || err == nil && !sameMatrix(got, want) {
					t.Errorf("case %d (env evaluated: %v) at perturbed env %d: %v, %v; afresh %v, %v", ci, baseErr == nil, k, got, err, want, werr)
				}
			}
		}
	}
}
