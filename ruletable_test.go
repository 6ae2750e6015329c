package mdiff_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/numeric"
	"github.com/mdiff/mdiff/render"
	"github.com/mdiff/mdiff/simplify"
)

// ruleSample is one rewrite a rule made, with the program it was made for
// (its declarations give the shapes and properties of the variables).
type ruleSample struct {
	before, after *ast.Node
	prog          *ast.Program
	src           string
}

// job is one derivation of a test suite.
type job struct {
	src  string
	opts mdiff.Options
}

// suiteJobs returns every golden case and every case of the evaluation
// files that the globs match.
func suiteJobs(t *testing.T, globs ...string) []job {
	t.Helper()
	var jobs []job
	for _, c := range loadGoldenCases(t) {
		jobs = append(jobs, job{c.expr, c.opts})
	}
	for _, g := range globs {
		files, _ := filepath.Glob(g)
		for _, f := range files {
			for _, c := range readCases(t, f) {
				jobs = append(jobs, job{c.Expr, mdiff.Options{Wrt: []string{c.Wrt}, Let: []string{c.Let}}})
			}
		}
	}
	return jobs
}

// ruleSuites derives every golden case, every case of testdata/eval and the
// extra unit cases below without the check, and returns how often each rule
// of the simplifier's table fired, up to perRule distinct rewrites of each,
// and the largest number of rewrites one call took.
func ruleSuites(t *testing.T, perRule int) (map[string]int, map[string][]ruleSample, int) {
	t.Helper()
	jobs := suiteJobs(t, "testdata/eval/*.jsonl")
	for _, u := range ruleUnitCases {
		jobs = append(jobs, job{u[0], mdiff.Options{Wrt: []string{u[2]}, Let: []string{u[1]}}})
	}
	fired := map[string]int{}
	samples := map[string][]ruleSample{}
	most := 0
	record := func(prog *ast.Program, src string, steps *int) func(rule string, before, after *ast.Node) {
		seen := map[*ast.Node]bool{}
		return func(rule string, before, after *ast.Node) {
			*steps++
			fired[rule]++
			if len(samples[rule]) < perRule && !seen[before] {
				seen[before] = true
				samples[rule] = append(samples[rule], ruleSample{before, after, prog, src})
			}
		}
	}
	for _, w := range ruleWitnesses {
		prog, err := mdiff.Parse(w[0], []string{w[1]})
		if err != nil {
			t.Fatalf("%s: %v", w[0], err)
		}
		steps := 0
		sf := simplify.New()
		sf.OnRewrite(record(prog, w[0], &steps))
		sf.Simplify(prog.Root)
		most = max(most, steps)
	}
	for _, j := range jobs {
		prog, err := mdiff.Parse(j.src, j.opts.Let)
		if err != nil {
			continue // a golden of a parse error
		}
		steps := 0
		j.opts.NoCheck = true
		j.opts.OnRewrite = record(prog, j.src, &steps)
		if _, err := mdiff.Derive(j.src, j.opts); err != nil && strings.Contains(err.Error(), "step budget") {
			t.Errorf("%s: %v", j.src, err)
		}
		most = max(most, steps)
	}
	return fired, samples, most
}

// ruleUnitCases are derivations (expression, declarations, variable) that
// make rules fire that no golden or eval case needs.
var ruleUnitCases = [][3]string{
	{"sum(exp(x))/(1 + sum(exp(x)))", "x: n", "x"},
	{"norm(x*norm(M - M)) + det(M - M)*sum(x) + norm1(M - M)", "x: n; M: n x n", "x"}, // zero-operand of a non-linear op
	{"v'*((softmax(x).^2 + 1).^-1) + 2", "v: n; x: n", "x"},                           // a vector T: no common denominator
	{"(s .* t)^2 + s ./ exp(t)", "s: scalar; t: scalar", "t"},
	{"sum(kron(A, B))", "A: m x n; B: p x q", "A"},
	{"tr(kron(A, B))", "A: n x n; B: p x p", "A"},
	{"norm(kron(A, B))", "A: m x n; B: p x q", "A"},
	{"det(kron(A, B))", "A: n x n; B: p x p", "A"},
	{"logdet(kron(A, B))", "A: n x n; B: p x p", "A"},
	{"sum(inv(kron(A, B)))", "A: n x n; B: p x p", "A"},
	{"mean(X')", "X: m x n", "X"},
	{"mean(2*X)", "X: m x n", "X"},
	{"mean(x'*x)", "x: n", "x"},
	{"sum(vec(X))", "X: m x n", "X"},
	{"norm(vec(X))", "X: m x n", "X"},
	{"norm1(vec(X))", "X: m x n", "X"},
	{"logsumexp(vec(X))", "X: m x n", "X"},
	{"sum(vec(x'))", "x: n", "x"},
	{"sum(diag(x*y'))", "x: n; y: n", "x"},
	{"sum(kron(2, X))", "X: m x n", "X"},
	{"sum(kron(X, 2))", "X: m x n", "X"},
	{"sum(inv(diag(x)))", "x: n", "x"},
	{"sum(unvec(vec(X), m, n))", "X: m x n", "X"},
	{"sum(vec(unvec(x, 2, 3)))", "x: 6", "x"},
}

// ruleWitnesses are expressions (with declarations) whose canonical form
// needs a rule that no derivation of the suites needs: they are simplified
// as they are, not differentiated.
var ruleWitnesses = [][2]string{
	{"sum(0*X)", "X: m x n"},
	{"sum(inv(X^k))", "X: n x n; k: int"},
	{"sum((X^k)^2)", "X: n x n; k: int"},
	{"sum(X^k*X)", "X: n x n; k: int"},
	{"sum((X^2)^k)", "X: n x n; k: int"},
	{"sum(X' .* Y')", "X: m x n; Y: m x n"},
	{"sum(vec(X) + vec(Y))", "X: m x n; Y: m x n"},
	{"sum(exp(X'))", "X: m x n"},
	{"sum(exp(matrix(2)))", "X: m x n"},
	{"sum(exp(0*X))", "X: m x n"},
	{"exp(0) + sum(X)", "X: m x n"},
	{"tr(x'*x)", "x: n"},
	{"tr(X*inv(X))", "X: n x n"},
	{"tr(X')", "X: n x n"},
	{"tr(x*y')", "x: n; y: n"},
	{"sum(x'*y)", "x: n; y: n"},
	{"sum(ones'*X)", "X: m x n"},
	{"sum(X')", "X: m x n"},
	{"det(X')", "X: n x n"},
	{"det(X*inv(X)) + logdet(X*inv(X))", "X: n x n"},
	{"sum(vec(x))", "x: n"},
	{"sum(diag(diag(x)))", "x: n"},
	{"sum(diag(x) + diag(y))", "x: n; y: n"},
	{"sum(ones'*softmax(x))", "x: n"},
	{"sum(g(0*X))", "X: m x n; g: func"},
	{"sum(g(matrix(2)) + X)", "X: m x n; g: func"},
	{"sum((X^2)^3)", "X: n x n"},
	{"sum(exp(X - X + 1))", "X: m x n"},
	{"sum(g(X - X + 1))", "X: m x n; g: func"},
	{"sum(softmax(x))", "x: n"},
	{"sum(ones + X - X)", "X: m x n"},
	{"logdet(X')", "X: n x n"},
	{"x'*diag(ones + y - y)*x", "x: n; y: n"},
	{"x'*ones*ones'*x", "x: n"},
	{"sum(X .* (y - y + 1))", "X: m x n; y: m"},
	{"sum(diag(M*diag(x)*N))", "M: n x p; N: p x n; x: p"},
}

// TestRuleTableFires: every rule of the table fires at least once on the
// test suites, the step budget is never reached there, and each rule's
// rewrites keep the value — its two sides evaluate equal on random inputs.
func TestRuleTableFires(t *testing.T) {
	fired, samples, most := ruleSuites(t, 4)
	t.Logf("the largest derivation took %d rewrites (budget %d)", most, simplify.DefaultBudget)
	if most*10 > simplify.DefaultBudget {
		t.Errorf("a derivation took %d rewrites, within 10× of the budget %d", most, simplify.DefaultBudget)
	}
	for _, name := range simplify.RuleNames() {
		if fired[name] == 0 {
			t.Errorf("rule %s never fired on the test suites", name)
			continue
		}
		compared := 0
		for _, s := range samples[name] {
			draws, err := checkRewrite(s)
			if err != nil {
				t.Errorf("rule %s on %s: %v", name, s.src, err)
				compared = -1
				break
			}
			compared += draws
		}
		if compared == 0 { // (−1: a rewrite failed, reported above)
			t.Errorf("rule %s: none of its %d rewrites could be compared numerically", name, len(samples[name]))
		}
	}
}

// checkRewrite compares the two sides of a rewrite on random inputs, and
// returns the number of draws compared (0 when no draw could be evaluated).
func checkRewrite(s ruleSample) (int, error) {
	before, after := undelta(s.before, s.prog), undelta(s.after, s.prog)
	rep, err := numeric.SameValue(before, after, s.prog, numeric.Options{Seed: 5, Draws: 3})
	if errors.Is(err, numeric.ErrNoFiniteDraw) {
		return 0, nil
	}
	if err != nil || !rep.OK {
		return 0, fmt.Errorf("%s ≠ %s (relative error %.3g, %v)", render.ASCII(before), render.ASCII(after), rep.RelErr, err)
	}
	return rep.Draws, nil
}

// TestRuleCheckCatchesWrongRewrite plants wrong right-hand sides into
// rewrites the rules made (sum(Aᵀ) = 2·sum(A), diag(u·vᵀ) = (u ⊙ v)∘², A·A⁻¹ =
// 2·I): the check of TestRuleTableFires must reject each.
func TestRuleCheckCatchesWrongRewrite(t *testing.T) {
	_, samples, _ := ruleSuites(t, 1)
	wrong := map[string]func(s ruleSample) *ast.Node{
		"sum-transpose":    func(s ruleSample) *ast.Node { return ast.Mul(ast.Int(2), s.after) },
		"diag-outer":       func(s ruleSample) *ast.Node { return ast.Hadamard(s.after, s.after) },
		"mul-inverse-pair": func(s ruleSample) *ast.Node { return ast.Mul(ast.Int(2), s.after) },
	}
	for name, plant := range wrong {
		if len(samples[name]) == 0 {
			t.Fatalf("rule %s made no rewrite to plant into", name)
		}
		s := samples[name][0]
		s.after = plant(s)
		if _, err := checkRewrite(s); err == nil {
			t.Errorf("rule %s: the wrong rewrite %s = %s passed the check", name, render.ASCII(s.before), render.ASCII(s.after))
		}
	}
}

// undelta replaces every direction Δ of a variable by the variable itself:
// an identity holds for every value of Δ, and the check draws only variables.
func undelta(n *ast.Node, prog *ast.Program) *ast.Node {
	ast.Walk(n, func(m *ast.Node) {
		if m.Kind == ast.KDelta {
			if v := prog.Var(m.Name); v != nil {
				n = ast.Substitute(n, m, v)
			}
		}
	})
	return n
}

// TestRuleBudget: a simplifier that runs out of its step budget says so,
// with the expression, instead of looping or answering.
func TestRuleBudget(t *testing.T) {
	const src = "x'*A*x"
	_, err := mdiff.Derive(src, mdiff.Options{Wrt: []string{"x"}, Let: []string{"x: n; A: n x n"}, Budget: 3})
	var perr *ast.Error
	if !errors.As(err, &perr) {
		t.Fatalf("Derive with a budget of 3 rewrites: err = %v, want an *ast.Error under the expression", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "ran out of its step budget (3 rewrites)") || !strings.Contains(msg, src) {
		t.Errorf("error %q does not name the budget and the expression", msg)
	}
}
