// TestRefusalRate: mdiff's own derivation of random well-typed expressions
// must pass its own numerical check. The derivation is right by
// construction (every rule is tested numerically elsewhere), so a failed or
// impossible check here is a refusal of a right answer: the check chose
// sizes or inputs at which it could not compare, or compared badly.
//
//	go test -run TestRefusalRate -refusal.n=5000 .
//	go test -run TestRefusalRate -refusal.n=2000 -refusal.depth=7 -refusal.seed=4 .
//
// The normal test run draws -refusal.n=40 expressions.
package mdiff_test

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mdiff/mdiff"
)

var (
	refusalN    = flag.Int("refusal.n", 40, "random expressions TestRefusalRate derives and checks")
	refusalSeed = flag.Uint64("refusal.seed", 1, "seed of TestRefusalRate's generator")
	refusalV    = flag.Bool("refusal.v", false, "TestRefusalRate logs every expression")
	refusalD    = flag.Int("refusal.depth", 5, "TestRefusalRate's largest expression depth (at least 3)")
)

func TestRefusalRate(t *testing.T) {
	n := *refusalN
	if testing.Short() && n > 40 {
		n = 40
	}
	rng := rand.New(rand.NewPCG(*refusalSeed, 0x72656675))
	start := time.Now()
	var refused, other int
	var slowest time.Duration
	var slowestCase string
	for i := range n {
		c := genCase(rng)
		t0 := time.Now()
		err := deriveCase(c, uint64(i)+1)
		if d := time.Since(t0); d > slowest {
			slowest, slowestCase = d, c.String()
		}
		if *refusalV {
			t.Logf("%d %v %s: %v", i, time.Since(t0).Round(time.Millisecond), c, err)
		}
		var failed *mdiff.CheckFailedError
		var unchecked *mdiff.UncheckedError
		switch {
		case err == nil:
		case errors.As(err, &failed), errors.As(err, &unchecked):
			refused++
			t.Errorf("refused %s --seed %d\n  %v", c, i+1, err)
		default:
			// The generator makes only well-typed, differentiable input.
			other++
			t.Errorf("not derived %s --seed %d\n  %v", c, i+1, err)
		}
	}
	t.Logf("%d random expressions (seed %d): %d refused (%.2f%%), %d not derived, in %v; slowest %v: %s",
		n, *refusalSeed, refused, 100*float64(refused)/float64(max(n, 1)), other, time.Since(start).Round(time.Millisecond), slowest.Round(time.Millisecond), slowestCase)
}

// deriveCase runs mdiff diff on c; a panic is returned as an error.
func deriveCase(c refusalCase, seed uint64) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	_, err = mdiff.Derive(c.src, mdiff.Options{Wrt: []string{c.wrt}, Let: []string{c.let}, Hessian: c.hessian, Jacobian: c.jacobian, Seed: seed})
	return err
}

// refusalCase is one random input of mdiff diff.
type refusalCase struct {
	src, wrt, let     string
	hessian, jacobian bool
}

func (c refusalCase) String() string {
	s := fmt.Sprintf("mdiff diff %q --wrt %s --let %q", c.src, c.wrt, c.let)
	if c.hessian {
		s += " --hessian"
	}
	if c.jacobian {
		s += " --jacobian"
	}
	return s
}

// shape is a shape of the generator: "1" is the unit size.
type shape struct{ r, c string }

var scalarShape = shape{"1", "1"}

func (s shape) scalar() bool { return s.r == "1" && s.c == "1" }
func (s shape) vector() bool { return s.c == "1" && s.r != "1" }
func (s shape) square() bool { return s.r == s.c && s.r != "1" }

// exprGen draws random well-typed expressions over size names m, n, p:
// tall, wide and square matrices, vectors and scalars; sums, products,
// transposes, Hadamard products and quotients, elementwise functions, powers,
// inverses, determinants and log-determinants, norms, traces, softmax and
// logsumexp. Arguments of log, sqrt, ./ and fractional powers are positive
// by construction (a pos variable, exp, sigmoid, softplus, e.^2 + 1), and
// arguments of inv, det, logdet and negative powers are invertible for some
// order of the sizes (a square variable, an spd one, I + M·Mᵀ, Mᵀ·P·M,
// products and inverses of these), so every expression has a derivative
// that mdiff derives and that can be checked.
type exprGen struct {
	rng   *rand.Rand
	decls map[string]string // name → declaration
	vars  map[string][]string
	count int
}

var genDims = []string{"m", "n", "p"}

func genCase(rng *rand.Rand) refusalCase {
	for {
		g := &exprGen{rng: rng, decls: map[string]string{}, vars: map[string][]string{}}
		var s shape
		switch x := rng.IntN(10); {
		case x < 7:
			s = scalarShape
		case x < 9:
			s = shape{g.dim(), "1"}
		default:
			s = shape{g.dim(), g.dim()}
		}
		src := g.expr(s, 3+rng.IntN(max(*refusalD-2, 1)))
		if len(g.decls) == 0 {
			continue
		}
		var names []string
		for n := range g.decls {
			names = append(names, n)
		}
		sort.Strings(names)
		var let []string
		for _, n := range names {
			let = append(let, n+": "+g.decls[n])
		}
		c := refusalCase{src: src, wrt: names[rng.IntN(len(names))], let: strings.Join(let, "; ")}
		if s.scalar() {
			c.hessian = rng.IntN(3) == 0
		} else {
			c.jacobian = rng.IntN(2) == 0
		}
		// The expression must parse (a function this build does not know
		// yet, softplus before the operation table, is drawn again) and the
		// variable must occur in f.
		if prog, err := mdiff.Parse(c.src, []string{c.let}); err != nil || prog.Var(c.wrt) == nil {
			continue
		}
		return c
	}
}

func (g *exprGen) dim() string { return genDims[g.rng.IntN(len(genDims))] }

func (g *exprGen) pick(opts ...string) string { return opts[g.rng.IntN(len(opts))] }

// variable returns a variable of shape s with the given properties, reusing
// one most of the time.
func (g *exprGen) variable(s shape, props string) string {
	key := fmt.Sprint(s, props)
	if vs := g.vars[key]; len(vs) > 0 && g.rng.IntN(3) > 0 {
		return vs[g.rng.IntN(len(vs))]
	}
	g.count++
	var name, decl string
	switch {
	case s.scalar():
		name, decl = fmt.Sprintf("s%d", g.count), "scalar"
	case s.vector():
		name, decl = fmt.Sprintf("v%d", g.count), s.r
	default:
		name, decl = fmt.Sprintf("M%d", g.count), s.r+" x "+s.c
	}
	if props != "" {
		decl = props + " " + decl
	}
	g.decls[name] = decl
	g.vars[key] = append(g.vars[key], name)
	return name
}

func (g *exprGen) leaf(s shape) string {
	if s.scalar() && g.rng.IntN(4) == 0 {
		return g.pick("2", "0.5", "3", "1.5")
	}
	if s.square() {
		switch g.rng.IntN(6) {
		case 0:
			return g.variable(s, "sym")
		case 1:
			return g.variable(s, "spd")
		}
	}
	return g.variable(s, "")
}

// expr returns an expression of shape s and at most the given depth.
func (g *exprGen) expr(s shape, depth int) string {
	if depth <= 0 || g.rng.IntN(8) == 0 {
		return g.leaf(s)
	}
	d := depth - 1
	for {
		switch g.rng.IntN(16) {
		case 0:
			return "(" + g.expr(s, d) + " + " + g.expr(s, d) + ")"
		case 1:
			return "(" + g.expr(s, d) + " - " + g.expr(s, d) + ")"
		case 2:
			if s.scalar() {
				continue
			}
			return g.expr(scalarShape, d-1) + "*" + g.expr(s, d)
		case 3:
			return "(" + g.expr(s, d) + ")/" + g.positive(scalarShape, d-1)
		case 4, 5:
			k := g.pick("m", "n", "p", "1")
			if s.scalar() && k == "1" {
				k = g.dim()
			}
			return "(" + g.expr(shape{s.r, k}, d) + ")*(" + g.expr(shape{k, s.c}, d) + ")"
		case 6:
			return "(" + g.expr(shape{s.c, s.r}, d) + ")'"
		case 7:
			return "(" + g.expr(s, d) + " .* " + g.expr(s, d) + ")"
		case 8:
			return "(" + g.expr(s, d) + " ./ " + g.positive(s, d) + ")"
		case 9:
			return g.pick("exp", "tanh", "sigmoid", "sin", "cos", "softplus", "arctan") + "(" + g.expr(s, d) + ")"
		case 10:
			return g.pick("log", "sqrt") + "(" + g.positive(s, d) + ")"
		case 11:
			if g.rng.IntN(2) == 0 {
				return "(" + g.expr(s, d) + ").^" + g.pick("2", "3")
			}
			return g.positive(s, d) + ".^" + g.pick("0.5", "-1", "1.5", "-0.5")
		case 12:
			if !s.square() {
				continue
			}
			switch g.rng.IntN(3) {
			case 0:
				return "inv(" + g.invertible(s.r, d) + ")"
			case 1:
				return "(" + g.invertible(s.r, d) + ")^" + g.pick("-1", "-2")
			}
			return "(" + g.expr(s, d) + ")^" + g.pick("2", "3")
		case 13:
			if !s.scalar() {
				continue
			}
			k := g.dim()
			switch g.rng.IntN(6) {
			case 0:
				return "tr(" + g.expr(shape{k, k}, d) + ")"
			case 1:
				return "det(" + g.invertible(k, d) + ")"
			case 2:
				return "logdet(" + g.invertible(k, d) + ")"
			case 3:
				return "sum(" + g.expr(shape{k, g.pick("m", "n", "p", "1")}, d) + ")"
			case 4:
				return "||" + g.expr(shape{k, g.pick("m", "n", "p", "1")}, d) + "||_F^2"
			}
			a := shape{k, g.pick("m", "n", "p", "1")}
			return "<" + g.expr(a, d) + ", " + g.expr(a, d) + ">"
		case 14:
			if !s.scalar() {
				continue
			}
			v := shape{g.dim(), "1"}
			switch g.rng.IntN(3) {
			case 0:
				return "logsumexp(" + g.expr(v, d) + ")"
			case 1:
				return "norm(" + g.expr(v, d) + ")"
			}
			return "(" + g.expr(v, d) + ")'*(" + g.expr(v, d) + ")"
		case 15:
			switch {
			case s.vector() && g.rng.IntN(2) == 0:
				return "softmax(" + g.expr(s, d) + ")"
			case s.vector():
				return "diag(" + g.expr(shape{s.r, s.r}, d) + ")"
			case s.square():
				return "diag(" + g.expr(shape{s.r, "1"}, d) + ")"
			}
			continue
		}
	}
}

// positive returns an expression of shape s whose entries are positive.
func (g *exprGen) positive(s shape, depth int) string {
	if depth <= 0 {
		if s.scalar() && g.rng.IntN(2) == 0 {
			return g.pick("2", "3", "0.5")
		}
		return g.variable(s, "pos")
	}
	d := depth - 1
	switch g.rng.IntN(6) {
	case 0:
		return g.variable(s, "pos")
	case 1:
		return "exp(" + g.expr(s, d) + ")"
	case 2:
		return "sigmoid(" + g.expr(s, d) + ")"
	case 3:
		return "softplus(" + g.expr(s, d) + ")"
	case 4:
		return "((" + g.expr(s, d) + ").^2 + 1)"
	}
	return "(" + g.positive(s, d) + " + " + g.positive(s, d) + ")"
}

// fullRank returns an expression of shape s that has full rank for some
// order of the sizes: a variable, plus anything.
func (g *exprGen) fullRank(s shape, depth int) string {
	if depth <= 0 || g.rng.IntN(2) == 0 {
		return g.variable(s, "")
	}
	return "(" + g.variable(s, "") + " + " + g.expr(s, depth-1) + ")"
}

// invertible returns a k×k expression that is invertible for some order
// of the sizes.
func (g *exprGen) invertible(k string, depth int) string {
	s := shape{k, k}
	if depth <= 0 {
		return g.variable(s, g.pick("", "", "spd"))
	}
	d := depth - 1
	switch g.rng.IntN(8) {
	case 0:
		return g.variable(s, "")
	case 1:
		return g.variable(s, "spd")
	case 2:
		m := g.expr(shape{k, g.dim()}, d)
		return "(I + (" + m + ")*(" + m + ")')"
	case 3:
		j := g.dim()
		m := g.fullRank(shape{j, k}, d)
		return "(" + m + ")'*" + g.variable(shape{j, j}, "spd") + "*(" + m + ")"
	case 4:
		return "(" + g.invertible(k, d) + ")*(" + g.invertible(k, d) + ")"
	case 5:
		return "inv(" + g.invertible(k, d) + ")"
	case 6:
		return "(" + g.invertible(k, d) + ")'"
	}
	return "(" + g.invertible(k, d) + " + " + g.expr(s, d) + ")"
}
