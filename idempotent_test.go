package mdiff_test

import (
	"testing"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/render"
	"github.com/mdiff/mdiff/simplify"
)

// TestCanonicalIdempotent simplifies, each on a fresh state, the input and
// every derivative of every golden case and every case of the evaluation
// suites, and then simplifies the result again on another fresh state: a
// canonical form is a fixed point, so the second pass must return the same
// node. (With one state the second pass would be a memo lookup and could
// not fail.)
func TestCanonicalIdempotent(t *testing.T) {
	jobs := suiteJobs(t, "testdata/eval/*.jsonl", "../shared/eval/*.jsonl")
	for _, L := range []int{2, 7, 16} {
		for _, family := range []string{"mlp", "quadpow", "trprod", "chain_inv"} {
			c := deepFamily(family, L)
			jobs = append(jobs, job{c.src, mdiff.Options{Wrt: []string{c.wrt}, Let: []string{c.let}}})
		}
	}
	compared := 0
	fixed := func(src, what string, n *ast.Node) {
		if n == nil {
			return
		}
		once := simplify.New().Simplify(n)
		if twice := simplify.New().Simplify(once); twice != once {
			t.Errorf("%s: the canonical %s is not a fixed point:\n  once:  %s\n  twice: %s", src, what, render.ASCII(once), render.ASCII(twice))
		}
		compared++
	}
	for _, j := range jobs {
		j.opts.NoCheck = true
		res, err := mdiff.Derive(j.src, j.opts)
		if err != nil {
			continue // a golden of an error
		}
		fixed(j.src, "input", res.Program.Root)
		for _, d := range res.Derivatives {
			fixed(j.src, "gradient", d.Gradient)
			fixed(j.src, "differential", d.Differential)
			fixed(j.src, "Hessian", d.Hessian)
			fixed(j.src, "Jacobian", d.Jacobian)
		}
	}
	if compared < 500 {
		t.Errorf("only %d forms compared", compared)
	}
	t.Logf("%d forms compared", compared)
}
