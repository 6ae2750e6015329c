package mdiff_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/numeric"
	"github.com/mdiff/mdiff/render"
)

// Every --steps line is a true equation: a rule's d(lhs) = rhs against finite
// differences, an identity or read-off as lhs = rhs at random points, the
// perturbation as f(X + tΔ) = f(X) + t·df + o(t).

func testSteps(t *testing.T, res *ast.Result) {
	n := 0
	for _, d := range res.Derivatives {
		v := d.Wrt
		for i, st := range d.Steps {
			n++
			what := fmt.Sprintf("step %d for %s [%s]: %s = %s", i+1, v.Name, st.Rule,
				render.Text(st.Lhs, render.Plain()), render.Text(st.Rhs, render.Plain()))
			var err error
			switch st.Kind {
			case ast.StepRule:
				// d[Lhs] along Δ = Rhs.
				var rep numeric.Report
				rep, err = numeric.CheckDifferential(st.Lhs, st.Rhs, v, res.Program, numeric.Options{Seed: 17, Draws: 3})
				if err == nil && !rep.OK {
					err = fmt.Errorf("the differential of the left side disagrees with finite differences: relative error %.2g", rep.RelErr)
				}
			case ast.StepIdentity, ast.StepReadOff:
				err = stepEqual(st.Lhs, st.Rhs, v, res.Program)
			case ast.StepPerturb:
				err = stepPerturb(st.Lhs, st.Rhs, res.F, v, res.Program)
			default:
				err = fmt.Errorf("unknown step kind %d", st.Kind)
			}
			if err != nil {
				t.Errorf("%s\n  %v", what, err)
			}
		}
	}
	if n == 0 {
		t.Errorf("--steps recorded no step")
	}
}

// drawEnv draws inputs that respect the declarations and a direction Δ of v
// (symmetric for a sym/spd v), redrawing where f is not finite.
func drawEnv(rng *rand.Rand, v *ast.Node, prog *ast.Program) *numeric.Env {
	var env *numeric.Env
	for range 20 {
		env = numeric.RandomEnv(rng, prog, nil)
		env.Deltas = map[string]*mat.Dense{v.Name: numeric.RandomDirection(rng, v, env)}
		if fv, err := numeric.Eval(prog.Root, env); err == nil && numeric.Finite(fv) {
			break
		}
	}
	return env
}

// stepEqual checks Lhs = Rhs exactly (up to rounding) at random inputs and
// directions.
func stepEqual(lhs, rhs, v *ast.Node, prog *ast.Program) error {
	if lhs.Shape != rhs.Shape {
		return fmt.Errorf("the sides have shapes %v and %v", lhs.Shape, rhs.Shape)
	}
	rng := rand.New(rand.NewPCG(19, 19))
	for range 3 {
		env := drawEnv(rng, v, prog)
		l, err := numeric.Eval(lhs, env)
		if err != nil {
			return err
		}
		r, err := numeric.Eval(rhs, env)
		if err != nil {
			return err
		}
		if e := relDiff(l, r); e > 1e-10 {
			return fmt.Errorf("the sides differ: relative error %.2g", e)
		}
	}
	return nil
}

// stepPerturb checks f(X + tΔ) − (f(X) + t·df[Δ]) = o(t): the remainder,
// relative to the linear term, shrinks with t.
func stepPerturb(lhs, rhs, f, v *ast.Node, prog *ast.Program) error {
	rng := rand.New(rand.NewPCG(23, 23))
	for range 3 {
		env := drawEnv(rng, v, prog)
		f0, err := numeric.Eval(f, env)
		if err != nil {
			return err
		}
		dir := env.Deltas[v.Name]
		remainder := func(s float64) (float64, error) {
			var sd mat.Dense
			sd.Scale(s, dir)
			env.Deltas[v.Name] = &sd
			l, err := numeric.Eval(lhs, env)
			if err != nil {
				return 0, err
			}
			r, err := numeric.Eval(rhs, env)
			if err != nil {
				return 0, err
			}
			var lin, rem mat.Dense
			lin.Sub(r, f0)
			rem.Sub(l, r)
			return mat.Norm(&rem, 2) / math.Max(mat.Norm(&lin, 2), 1e-300), nil
		}
		r1, err := remainder(1e-3)
		if err != nil {
			return err
		}
		r2, err := remainder(1e-4)
		if err != nil {
			return err
		}
		env.Deltas[v.Name] = dir
		if r2 > 1e-2 || (r2 > 1e-9 && r2 > 0.3*r1) {
			return fmt.Errorf("the remainder is not o(‖Δ‖): relative to the linear term %.2g at t = 1e-3, %.2g at t = 1e-4", r1, r2)
		}
	}
	return nil
}

// TestGoldenCheckersCatchErrors makes sure the numerical checks of this file
// are not vacuous: a wrong gradient, a false identity, a false rule and a
// wrong perturbation must each be caught.
func TestGoldenCheckersCatchErrors(t *testing.T) {
	let := []string{"B: q x p; Ω: q x q"}
	prog, err := mdiff.Parse("<B, Ω*B>", let)
	if err != nil {
		t.Fatal(err)
	}
	res := &ast.Result{Program: prog, F: prog.Root}
	v := prog.Var("B")
	parse := func(src string) *ast.Node {
		t.Helper()
		n, err := parseIn(src, res, v)
		if err != nil {
			t.Fatalf("parseIn(%q): %v", src, err)
		}
		return n
	}
	// The seed's gradient 2ΩB is wrong for a general Ω.
	rep, err := mdiff.CheckCandidate("<B, Ω*B>", mdiff.CheckOptions{Wrt: "B", Let: let, Candidate: "2*Ω*B", Seed: 7, Draws: 3})
	if err != nil || rep.OK {
		t.Errorf("CheckCandidate(2*Ω*B) = %v, %v; want a failed check", rep, err)
	}
	if rep, err := numeric.CheckDifferential(prog.Root, parse("<Δ, 2*Ω*B>"), v, prog, numeric.Options{Seed: 7}); err != nil || rep.OK {
		t.Errorf("CheckDifferential(<Δ, 2*Ω*B>) = %+v, %v; want a failed check", rep, err)
	}
	// A false identity: ⟨Δ, Ω·B⟩ = ⟨Δ, Ωᵀ·B⟩.
	if err := stepEqual(parse("<Δ, Ω*B>"), parse("<Δ, Ω'*B>"), v, prog); err == nil {
		t.Errorf("stepEqual accepted ⟨Δ, Ω·B⟩ = ⟨Δ, Ωᵀ·B⟩")
	}
	if err := stepEqual(parse("<Δ, Ω*B>"), parse("<Ω'*Δ, B>"), v, prog); err != nil {
		t.Errorf("stepEqual rejected ⟨Δ, Ω·B⟩ = ⟨Ωᵀ·Δ, B⟩: %v", err)
	}
	// A false rule: d(Ω·B) = 2·Ω·Δ.
	if rep, err := numeric.CheckDifferential(parse("Ω*B"), parse("2*Ω*Δ"), v, prog, numeric.Options{Seed: 17}); err != nil || rep.OK {
		t.Errorf("CheckDifferential accepted d(Ω·B) = 2·Ω·Δ: %+v, %v", rep, err)
	}
	// A false perturbation: f(B + Δ) = f(B) + 2⟨Ω·B, Δ⟩ + o(‖Δ‖).
	lhs := parse("<B + Δ, Ω*(B + Δ)>")
	if err := stepPerturb(lhs, parse("<B, Ω*B> + 2*<Ω*B, Δ>"), prog.Root, v, prog); err == nil {
		t.Errorf("stepPerturb accepted the seed's 2⟨ΩB, Δ⟩ for a general Ω")
	}
	if err := stepPerturb(lhs, parse("<B, Ω*B> + <(Ω + Ω')*B, Δ>"), prog.Root, v, prog); err != nil {
		t.Errorf("stepPerturb rejected the right perturbation: %v", err)
	}
}
