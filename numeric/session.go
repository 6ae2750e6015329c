package numeric

import (
	"fmt"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/mat"

	"github.com/mdiff/mdiff/ast"
)

// session is the state of one check call. It holds the plan of the
// expressions the check's trials evaluate (roots), built once and reused by
// every evaluation (a check evaluates each of them at dozens of inputs: the
// draws, the perturbed inputs of evalUnc, the points of the
// finite-difference stencils), what randomEnv and screen derive from the
// expressions alone, and the evaluations of the current draw.
//
// Within a draw, the roots are evaluated at the same few environments (the
// draw's env and the perturbed ones of evalUnc, which depend only on env),
// and they share nodes (f and its canonical form, f and ⟨Δ, ∇f⟩): one
// evaluator per environment evaluates each shared node once. That is exact
// when no size is inferred, which the session makes sure of by sharing only
// at environments whose Sizes name every size of the plan (shareable): then
// a node's value, or error, depends only on the node and the environment,
// so a node evaluated for one root has the value a fresh evaluation of
// another root would give it; and those nodes were evaluated without
// error, so the first error in the order of a fresh evaluation is the first
// among the others.
//
// A session belongs to the call that made it and is dropped with it: it is
// never shared between goroutines nor kept in a package-level cache, so the
// checks stay safe for concurrent use.
type session struct {
	union   *plan               // of the roots
	plans   map[*ast.Node]*plan // of other nodes evaluated
	screens *screenPlan
	draws   *envPlan
	// tab numbers the variables of the last env evalUnc perturbed (see
	// values).
	tab *valTable
	// The current draw (see newDraw): the evaluator of union at each
	// environment, and the perturbed environments of each env.
	evals     map[*Env]*evaluator
	perturbs  map[*Env]*[4]*Env
	shareSeen map[*Env]bool // shareable, by env
	// ar holds the values that the session's evaluators compute (see
	// arena: it reuses them only after the draw, or, for the points of
	// finite differences, after at has copied its result out).
	ar arena
	// free holds evaluators of the union plan that nothing uses any more
	// (those of earlier draws, and of at), for newEvaluator to reset and
	// hand out again instead of allocating their memos.
	free []*evaluator
}

// newSession returns the session of a check whose trials evaluate roots
// (nil roots are skipped).
func newSession(roots ...*ast.Node) *session {
	return &session{union: newPlan(roots...), plans: map[*ast.Node]*plan{}}
}

// newDraw forgets the evaluations of the previous draw. A trial must not
// modify its env once it has evaluated something at it: run calls newDraw
// before each trial, and the trials set the direction first.
//
// newDraw also resets the session's arena: nothing computed for an earlier
// draw outlives it (a trial returns numbers, and the envs a report keeps
// hold values of their own, never the arena's).
func (s *session) newDraw() {
	for _, ev := range s.evals {
		s.free = append(s.free, ev)
	}
	s.evals, s.perturbs, s.shareSeen = nil, nil, nil
	s.ar.reset()
}

// shareable reports whether env.Sizes names every size of the union plan,
// so that no evaluation at env infers one (evaluator.bind).
func (s *session) shareable(env *Env) bool {
	if ok, done := s.shareSeen[env]; done {
		return ok
	}
	ok := true
	for _, d := range s.union.dims {
		if d.kind != dimName {
			continue
		}
		if _, has := env.Sizes[d.d]; !has {
			ok = false
			break
		}
	}
	if s.shareSeen == nil {
		s.shareSeen = map[*Env]bool{}
	}
	s.shareSeen[env] = ok
	return ok
}

// evaluator returns an evaluator at env for n and n's position in its plan:
// the draw's shared evaluator of the union plan when n is one of its nodes
// and env is shareable, else a fresh one.
func (s *session) evaluator(n *ast.Node, env *Env) (*evaluator, int32) {
	if i, ok := s.union.pos[n]; ok {
		if !s.shareable(env) {
			return s.newEvaluator(s.union, env), i
		}
		ev := s.evals[env]
		if ev == nil {
			ev = s.newEvaluator(s.union, env)
			if s.evals == nil {
				s.evals = map[*Env]*evaluator{}
			}
			s.evals[env] = ev
		}
		return ev, i
	}
	p, i := s.planOf(n)
	return s.newEvaluator(p, env), i
}

// eachNode calls visit with the nodes of newPlan(roots...), in its order,
// walked over the session's union plan (plan.walk) instead of built anew;
// a nil session builds the plan.
func (s *session) eachNode(roots []*ast.Node, visit func(*ast.Node)) {
	if s == nil {
		for _, n := range newPlan(roots...).nodes {
			visit(n)
		}
		return
	}
	s.union.walk(roots, func(n *ast.Node, _ int32) { visit(n) })
}

// newEvaluator returns an evaluator of p at env with an empty memo, whose
// values come from the session's arena: one of the free ones reset
// (evaluator.reset) when p is the union plan.
func (s *session) newEvaluator(p *plan, env *Env) *evaluator {
	if k := len(s.free) - 1; k >= 0 && p == s.union {
		ev := s.free[k]
		s.free = s.free[:k]
		ev.reset(env)
		return ev
	}
	ev := newEvaluator(p, env)
	ev.ar = &s.ar
	return ev
}

// planOf returns the plan n is evaluated by, the union plan or its own, and
// n's position in it.
func (s *session) planOf(n *ast.Node) (*plan, int32) {
	if i, ok := s.union.pos[n]; ok {
		return s.union, i
	}
	p, ok := s.plans[n]
	if !ok {
		p = newPlan(n)
		s.plans[n] = p
	}
	return p, int32(len(p.nodes) - 1)
}

// eval is Eval of n at env. It also returns the evaluator, which has
// evaluated n completely when err is nil: the base of later evaluations of
// n at env with one variable changed (at).
//
// At a perturbed env whose env has evaluated n already, by the draw's
// shared evaluator, the sizes are not checked again: every value has
// the size it has there, and no size is inferred at a shareable env, so
// bindSizes would pass as it passed there, and bind nothing.
func (s *session) eval(n *ast.Node, env *Env) (*mat.Dense, *evaluator, error) {
	ev, i := s.evaluator(n, env)
	base := s.evals[env.of]
	checked := env.of != nil && base != nil && base.p == ev.p && base.vals[i] != nil && s.evals[env] == ev
	v, err := ev.evalRoot(i, !checked)
	if err != nil {
		return nil, nil, err
	}
	return ownValue(n, v), ev, nil
}

// evalFinite is eval that wraps ErrNotFinite if the value is not finite.
func (s *session) evalFinite(n *ast.Node, env *Env, what string) (*mat.Dense, *evaluator, error) {
	v, ev, err := s.eval(n, env)
	if err != nil {
		return nil, nil, err
	}
	if !Finite(v) {
		return nil, nil, fmt.Errorf("numeric: %s is %w", what, ErrNotFinite)
	}
	return v, ev, nil
}

// at is Eval of n at env with the variable name given the value x, of the
// size of its value in env (env itself is not modified). With base, an
// evaluator at env itself that has evaluated n, only the nodes that depend
// on name are evaluated again (see evaluator.varied): the result is the
// same.
//
// The value is a matrix of its own, not the arena's: what the evaluation
// put in the arena is handed out again once it is done (arena.rewind), and
// its evaluator is free again, so that the points of a stencil do not add
// up in memory.
func (s *session) at(n *ast.Node, env *Env, base *evaluator, name string, x *mat.Dense) (m *mat.Dense, err error) {
	p, i := s.planOf(n)
	mark := s.ar.mark()
	ev := s.newEvaluator(p, env) // never the draw's: it is not at env
	ev.override(name, x)
	if base != nil && base.p == ev.p && base.env == env && base.vals[i] != nil {
		m, err = ev.varied(base, i, name)
	} else {
		m, err = ev.root(i)
	}
	if err == nil {
		m = mat.DenseCopyOf(m)
	}
	if p == s.union {
		s.free = append(s.free, ev)
	}
	s.ar.rewind(mark)
	return m, err
}

// perturbedEnvs returns the environments at which evalUnc evaluates for env:
// X₊ and X₋ of the first draw of R, then of the second (see evalUnc), the
// variables (in sorted order of name), then the directions, perturbed in
// turn. They depend only on env, and are computed once per draw. Their
// variables are held by the session's valTable (Env.tab), not by name.
func (s *session) perturbedEnvs(env *Env) *[4]*Env {
	if pes, ok := s.perturbs[env]; ok {
		return pes
	}
	rng := rand.New(rand.NewPCG(perturbSeed, 0))
	xs := s.values(env)
	dn := sortedNames(env.Deltas)
	ds := make([]*mat.Dense, len(dn))
	for k, name := range dn {
		ds[k] = env.Deltas[name]
	}
	pes := new([4]*Env)
	for round := range 2 {
		vals := perturbed(rng, xs, &s.ar)
		deltas := perturbed(rng, ds, &s.ar)
		for k := range 2 {
			pe := &Env{Sizes: env.Sizes, Deltas: map[string]*mat.Dense{}, Funcs: env.Funcs, tab: s.tab, vals: vals[k], of: env,
				// Each perturbed env jitters its computed values from a
				// stream of its own (Env.jitter): a value shared by the
				// expressions a draw compares is jittered once.
				jitter: rand.NewPCG(jitterSeed, uint64(2*round+k))}
			for j, name := range dn {
				pe.Deltas[name] = deltas[k][j]
			}
			pes[2*round+k] = pe
		}
	}
	if s.perturbs == nil {
		s.perturbs = map[*Env]*[4]*Env{}
	}
	s.perturbs[env] = pes
	return pes
}

// valTable numbers the variables of the environments a session perturbs:
// slot[names[k]] = k, names sorted (the order perturbed draws in). It is
// never modified once built.
type valTable struct {
	names []string
	slot  map[string]int32
}

// values returns the values of env's variables in the order of the
// session's valTable, which it first (re)builds unless it holds exactly the
// names of env.Vals (a check draws the same variables every time).
func (s *session) values(env *Env) []*mat.Dense {
	for {
		if s.tab == nil || len(s.tab.names) != len(env.Vals) {
			s.tab = &valTable{names: sortedNames(env.Vals), slot: map[string]int32{}}
			for k, name := range s.tab.names {
				s.tab.slot[name] = int32(k)
			}
		}
		xs := make([]*mat.Dense, len(s.tab.names))
		all := true
		for k, name := range s.tab.names {
			x, ok := env.Vals[name]
			xs[k], all = x, all && ok
		}
		if all {
			return xs
		}
		s.tab = nil // other names: number them anew
	}
}

// sortedNames returns the names of m in sorted order.
func sortedNames(m map[string]*mat.Dense) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
