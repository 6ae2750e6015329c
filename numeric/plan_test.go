package numeric

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
)

// planCases are expressions over fixedEnv's variables that share nodes and
// mix the node kinds the evaluator handles itself.
func planCases() []*ast.Node {
	ax := ast.Mul(symA, symX)
	inv := ast.Inverse(ast.Add(symA, ast.Mul(symB, symB)))
	return []*ast.Node{
		builtin.Sum.Of(builtin.Tanh.Of(ax)),
		ast.Add(ast.Mul(ast.Transpose(symX), inv, symX), ast.Mul(symS, builtin.Trace.Of(inv))),
		ast.Hadamard(ax, ast.Pow(ast.Add(ax, symY), ast.Int(3))),
		ast.Mul(symA, symB, symA, ast.Transpose(symB), symX),
		ast.Inner(ast.Delta("x", ast.Vec(n2)), ast.Add(ax, ast.Broadcast(symS, ast.Vec(n2)))),
		ast.Add(ast.Mul(ast.Apply("g", 1, ax), ast.Transpose(symY)), ast.Identity(n2)),
		ast.Mul(builtin.Det.Of(ast.MatPow(symA, 3)), ast.Div(symX, ast.Add(symY, ast.Ones(ast.Vec(n2))))),
		symX,
	}
}

func sameMatrix(a, b *mat.Dense) bool {
	if a == nil || b == nil {
		return a == b
	}
	ar, ac := a.Dims()
	br, bc := b.Dims()
	if ar != br || ac != bc {
		return false
	}
	for i := 0; i < ar; i++ {
		for j := 0; j < ac; j++ {
			x, y := a.At(i, j), b.At(i, j)
			if x != y && !(x != x && y != y) { // bit for bit, NaN = NaN
				return false
			}
		}
	}
	return true
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestPlanOrder: the plan's order lists operands before their users, in the
// order of topo; orderOf a node of a plan of several roots is topo of it.
func TestPlanOrder(t *testing.T) {
	cases := planCases()
	for _, n := range cases {
		p := newPlan(n)
		want := topo(n)
		if len(p.nodes) != len(want) {
			t.Fatalf("%v: %d nodes, topo has %d", n.Kind, len(p.nodes), len(want))
		}
		for i := range want {
			if p.nodes[i] != want[i] {
				t.Fatalf("%v: node %d differs from topo", n.Kind, i)
			}
			for k, a := range p.operands(int32(i)) {
				if a >= int32(i) || p.nodes[a] != want[i].Args[k] {
					t.Fatalf("%v: operand %d of node %d is at %d", n.Kind, k, i, a)
				}
			}
		}
	}
	union := newPlan(cases...)
	for _, n := range cases {
		order := union.orderOf(union.pos[n])
		want := topo(n)
		if len(order) != len(want) {
			t.Fatalf("orderOf %v: %d nodes, topo has %d", n.Kind, len(order), len(want))
		}
		for i, x := range order {
			if union.nodes[x] != want[i] {
				t.Fatalf("orderOf %v: node %d differs from topo", n.Kind, i)
			}
		}
	}
}

// TestSharedEvaluation: the roots of a session evaluated at one env share
// one evaluator, and every value is bit-identical to Eval's; at an env
// whose sizes do not name every size the session does not share.
func TestSharedEvaluation(t *testing.T) {
	cases := planCases()
	env := fixedEnv()
	s := newSession(cases...)
	for _, n := range cases {
		got, _, err := s.eval(n, env)
		want, werr := Eval(n, env)
		if errText(err) != errText(werr) || !sameMatrix(got, want) {
			t.Errorf("%v: shared %v, %v; Eval %v, %v", n.Kind, got, err, want, werr)
		}
	}
	if len(s.evals) != 1 {
		t.Errorf("%d evaluators at one env, want 1", len(s.evals))
	}
	open := fixedEnv()
	open.Sizes = nil // n inferred from the values
	if s.shareable(open) {
		t.Error("an env without sizes is shareable")
	}
	for _, n := range cases {
		got, _, err := s.eval(n, open)
		want, werr := Eval(n, open)
		if errText(err) != errText(werr) || !sameMatrix(got, want) {
			t.Errorf("%v without sizes: %v, %v; Eval %v, %v", n.Kind, got, err, want, werr)
		}
	}
}

// TestVariedEvaluation: evaluating with one variable changed, reusing the
// nodes that do not depend on it, gives Eval's value at the changed env bit
// for bit, and Eval's error where there is one.
func TestVariedEvaluation(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range planCases() {
		for _, name := range []string{"x", "A", "s"} {
			env := fixedEnv()
			s := newSession(n)
			_, base, err := s.eval(n, env)
			if err != nil {
				t.Fatalf("%v: %v", n.Kind, err)
			}
			r, c := env.Vals[name].Dims()
			v := mat.NewDense(r, c, nil)
			for i := range r {
				for j := range c {
					v.Set(i, j, env.Vals[name].At(i, j)+rng.NormFloat64())
				}
			}
			changed := fixedEnv()
			changed.Vals[name] = v
			want, werr := Eval(n, changed)
			got, err := s.at(n, env, base, name, v)
			if errText(err) != errText(werr) || !sameMatrix(got, want) {
				t.Errorf("%v with %s changed: %v, %v; Eval %v, %v", n.Kind, name, got, err, want, werr)
			}
		}
	}
	// An error only at the changed input: A + B·B singular.
	n := planCases()[1]
	env := fixedEnv()
	s := newSession(n)
	_, base, err := s.eval(n, env)
	if err != nil {
		t.Fatal(err)
	}
	sing := mat.NewDense(2, 2, []float64{-1, 0, 0, -1}) // A + B·B = A + I = 0
	changed := fixedEnv()
	changed.Vals["A"] = sing
	_, werr := Eval(n, changed)
	_, err = s.at(n, env, base, "A", sing)
	if werr == nil || errText(err) != errText(werr) {
		t.Errorf("singular at the changed input: %v; Eval %v", err, werr)
	}
}

// topo returns the distinct nodes of the DAG rooted at root, operands before
// the nodes that use them. It is iterative, so the depth of the DAG is not
// limited by the call stack.
func topo(root *ast.Node) []*ast.Node {
	type frame struct {
		n    *ast.Node
		next int // index of the next operand to visit
	}
	seen := map[*ast.Node]bool{root: true}
	var order []*ast.Node
	stack := []frame{{n: root}}
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.next < len(top.n.Args) {
			a := top.n.Args[top.next]
			top.next++
			if !seen[a] {
				seen[a] = true
				stack = append(stack, frame{n: a})
			}
			continue
		}
		order = append(order, top.n)
		stack = stack[:len(stack)-1]
	}
	return order
}

// TestJitterLeavesOperands: at an env that jitters (Env.jitter), every
// node has the value of its operation on its operands' values, jittered
// — computed here with a copy of every value, as the evaluator did before
// it jittered the values it owns in place — and no operand's value is
// changed by the jitter of its user, also when an operation hands back its
// operand (a table operation evaluating itself, as a future one may).
func TestJitterLeavesOperands(t *testing.T) {
	same := &ast.Op{Name: "same", Args: 1, Eval: func(args []*mat.Dense) (*mat.Dense, error) { return args[0], nil }}
	ax := ast.Mul(symA, symX)
	handed := &ast.Node{Kind: ast.KCall, Name: "same", Op: same, Shape: ax.Shape, Args: []*ast.Node{ax}}
	cases := append(planCases(), ast.Add(ax, handed, ax), ast.Hadamard(handed, builtin.Tanh.Of(handed)))
	for k, n := range cases {
		p := newPlan(n)
		env := fixedEnv()
		env.jitter = rand.NewPCG(11, uint64(k))
		got := newEvaluator(p, env)
		if _, err := got.all(); err != nil {
			t.Fatalf("case %d: %v", k, err)
		}
		plain := fixedEnv()
		ref := newEvaluator(p, plain)
		rng := rand.New(rand.NewPCG(11, uint64(k)))
		for i, m := range p.nodes {
			args := make([]*mat.Dense, 0, len(m.Args))
			for _, a := range p.operands(int32(i)) {
				args = append(args, ref.vals[a])
			}
			v, err := ref.op(int32(i), m, args)
			if err != nil {
				t.Fatalf("case %d, node %d: %v", k, i, err)
			}
			if len(m.Args) > 0 {
				v = mat.DenseCopyOf(v)
				raw := v.RawMatrix()
				for j := range raw.Data {
					raw.Data[j] *= 1 + jitterRel*(2*rng.Float64()-1)
				}
			}
			ref.vals[i] = v
		}
		for i := range p.nodes {
			if !sameMatrix(got.vals[i], ref.vals[i]) {
				t.Errorf("case %d, node %d (%v): %v, want %v", k, i, p.nodes[i].Kind, got.vals[i], ref.vals[i])
			}
		}
	}
}
