// Package simplify brings typed expressions to canonical form and turns a
// linear form L(Δ) into the gradient G with L(Δ) = ⟨Δ, G⟩.
//
// Canonical form: sums and products flattened; transposes pushed to the
// leaves ((AB)ᵀ = BᵀAᵀ, Sᵀ = S for symmetric S); numbers folded; identities
// and zeros dropped; like terms collected (2X + 2X = 4X, Ax + Aᵀx = (A+Aᵀ)x);
// commutative operands ordered by ast.Compare. Products are never expanded
// over sums, so a factored gradient stays factored and small.
package simplify

import (
	"fmt"
	"maps"
	"math/big"
	"sync"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
)

// Simplifier owns the state of one derivation's rewriting: the memo from a
// node to its canonical form (nil marks a node being rewritten further up
// the stack; nodes are immutable, so entries never go stale) and the guard
// of expandIfSmaller. Every call of the facade uses a fresh Simplifier, so
// an answer never depends on what the process rewrote before, and memory
// is released with the call. A Simplifier is safe for concurrent use; its
// calls are serialised.
type Simplifier struct {
	memo struct {
		sync.Mutex
		m          map[*ast.Node]*ast.Node
		transposed map[*ast.Node]*ast.Node // a ↦ the canonical aᵀ (see transpose)
	}
	expanding bool // inside a trial (expandIfSmaller, commonDenominator)

	budget int            // rewrites allowed; see SetBudget
	steps  int            // rewrites made
	err    *BudgetError   // set when the budget is spent
	fired  map[string]int // rewrites by rule name
	hook   func(rule string, before, after *ast.Node)
}

// DefaultBudget is the number of rewrites a Simplifier allows by default:
// far above what any derivation of the test suites takes (TestBudget
// measures the largest), so that reaching it means a rule set that does
// not terminate rather than a big expression.
const DefaultBudget = 200000

// New returns a Simplifier with an empty memo and the default budget.
func New() *Simplifier {
	sf := &Simplifier{budget: DefaultBudget, fired: map[string]int{}}
	sf.memo.m = map[*ast.Node]*ast.Node{}
	sf.memo.transposed = map[*ast.Node]*ast.Node{}
	return sf
}

// BudgetError reports a simplifier that ran out of its step budget: the
// rewrite rules did not reach a fixed point within Budget rewrites.
type BudgetError struct {
	Budget int
	Node   *ast.Node // the node whose rewrite exceeded the budget
}

func (e *BudgetError) Error() string {
	return fmt.Sprintf("the simplifier ran out of its step budget (%d rewrites) on a %v node of shape %v", e.Budget, e.Node.Kind, e.Node.Shape)
}

// SetBudget sets the number of rewrites sf allows (at least 1).
func (sf *Simplifier) SetBudget(n int) {
	sf.memo.Lock()
	defer sf.memo.Unlock()
	sf.budget = max(n, 1)
}

// Err returns the *BudgetError of a Simplifier whose budget was exceeded,
// and nil otherwise. Once it is set, sf rewrites nothing more: the results
// it returns are correct but not canonical.
func (sf *Simplifier) Err() error {
	sf.memo.Lock()
	defer sf.memo.Unlock()
	if sf.err == nil {
		return nil
	}
	return sf.err
}

// Steps returns the number of rewrites sf has made.
func (sf *Simplifier) Steps() int {
	sf.memo.Lock()
	defer sf.memo.Unlock()
	return sf.steps
}

// Fired returns how often each rule of the table rewrote a node.
func (sf *Simplifier) Fired() map[string]int {
	sf.memo.Lock()
	defer sf.memo.Unlock()
	return maps.Clone(sf.fired)
}

// OnRewrite makes sf call f with every rewrite it makes: the rule's name
// and the node before and after (equal in value; after need not be canonical
// yet). Tests use it to check every rule numerically. f runs while sf is
// busy and must not call sf.
func (sf *Simplifier) OnRewrite(f func(rule string, before, after *ast.Node)) {
	sf.memo.Lock()
	defer sf.memo.Unlock()
	sf.hook = f
}

// rewrote counts one rewrite by the named rule against the budget, and
// reports whether it may be made.
func (sf *Simplifier) rewrote(name string, before, after *ast.Node) bool {
	if sf.err != nil {
		return false
	}
	if sf.steps >= sf.budget {
		sf.err = &BudgetError{Budget: sf.budget, Node: before}
		return false
	}
	sf.steps++
	sf.fired[name]++
	if sf.hook != nil {
		sf.hook(name, before, after)
	}
	return true
}

// Simplify is New().Simplify(n): the canonical form of n on fresh state.
func Simplify(n *ast.Node) *ast.Node { return New().Simplify(n) }

// Simplify returns the canonical form of n: the rules of the table
// (table.go) applied to a fixed point. It is idempotent:
// Simplify(Simplify(n)) == Simplify(n). Every node is rewritten at most once,
// and every rewrite counts against sf's step budget; once the budget is
// spent sf rewrites nothing more and Err reports it, so rewriting always
// terminates. It is safe for concurrent use.
func (sf *Simplifier) Simplify(n *ast.Node) *ast.Node {
	sf.memo.
		Lock()
	defer sf.memo.Unlock()
	return sf.simplify(n)
}

func (sf *Simplifier) simplify(n *ast.Node) *ast.Node {
	r, ok := sf.memo.m[n]
	if ok {
		if r == nil { // n is being simplified further up the stack: keep it
			return n
		}
		return r
	}
	sf.memo.
		m[n] = nil

	r = n
	if len(n.Args) > 0 {
		args := make([]*ast.Node, len(n.Args))
		for i, a := range n.Args {
			args[i] = sf.simplify(a)
		}
		r = ast.WithArgs(n, args...)
		r = sf.local(r)
	}
	switch {
	case r.Kind == ast.KZero && r.IsScalar():
		r = ast.Int(0)
	case (r.Kind == ast.KIdentity || r.Kind == ast.KOnes) && r.IsScalar():
		r = ast.Int(1)
	}
	if r != n {
		r = sf.simplify(r)
	}
	sf.memo.
		m[n] = r
	sf.memo.
		m[r] = r
	return r
}

// known records n as canonical, a fixed point of simplify, and returns it;
// the caller knows this from how n was built (a canonical node with its
// coefficient negated, transposed, or without an end factor), which spares
// simplifying n again. A node already simplified to another form keeps
// that form, which is returned. TestCanonicalIdempotent proves every such
// claim a fixed point on every suite.
func (sf *Simplifier) known(n *ast.Node) *ast.Node {
	if r, ok := sf.memo.m[n]; ok {
		if r == nil { // being simplified further up the stack
			return n
		}
		return r
	}
	sf.memo.m[n] = n
	return n
}

// isZero reports whether n is 0 because of a zero operand.
func isZero(n *ast.Node) bool {
	if n.Kind == ast.KZero || n.IsNum(0) {
		return false
	}
	z := func(a *ast.Node) bool { return a.Kind == ast.KZero || a.IsNum(0) }
	switch n.Kind {
	case ast.KMul, ast.KHadamard, ast.KInner:
		for _, a := range n.Args {
			if z(a) {
				return true
			}
		}
	case ast.KCall: // a linear operation of 0, a norm or det of 0, or a product with a 0 factor
		if n.Op.Linear || n.Op.ZeroAtZero || n.Is(builtin.Kron) {
			for _, a := range n.Args {
				if z(a) {
					return true
				}
			}
		}
	case ast.KTranspose, ast.KBroadcast, ast.KDiv:
		return z(n.Args[0])
	case ast.KPow:
		return z(n.Args[0]) && n.Args[1].Kind == ast.KNum && n.Args[1].Num.Sign() > 0
	case ast.KAdd:
		for _, a := range n.Args {
			if !z(a) {
				return false
			}
		}
		return true
	}
	return false
}

func zero(s ast.Shape) *ast.Node {
	if s.IsScalar() {
		return ast.Int(0)
	}
	return ast.Zero(s)
}

// one returns a new 1 (SetInt64 does no gcd, unlike big.NewRat).
func one() *big.Rat { return new(big.Rat).SetInt64(1) }

// unit is the coefficient 1 that split and coefficient return for a term
// without a number factor. Like the Num of a node they return otherwise,
// it is read-only.
var unit = one()

// split returns n as coefficient × body: 3·A·B → (3, A·B); 5 → (5, nil);
// a broadcast number c → (c, bcast 1). The coefficient is read-only.
func split(n *ast.Node) (*big.Rat, *ast.Node) {
	switch n.Kind {
	case ast.KNum:
		return n.Num, nil
	case ast.KBroadcast:
		if a := n.Args[0]; a.Kind == ast.KNum && !a.IsNum(1) {
			return a.Num, ast.Broadcast(ast.Int(1), n.Shape)
		}
	case ast.KMul:
		if c := n.Args[0]; c.Kind == ast.KNum {
			return c.Num, ast.Mul(n.Args[1:]...)
		}
	}
	return unit, n
}

// coefficient is the coefficient split returns, without building the body.
func coefficient(n *ast.Node) *big.Rat {
	switch n.Kind {
	case ast.KNum:
		return n.Num
	case ast.KBroadcast:
		if a := n.Args[0]; a.Kind == ast.KNum && !a.IsNum(1) {
			return a.Num
		}
	case ast.KMul:
		if c := n.Args[0]; c.Kind == ast.KNum {
			return c.Num
		}
	}
	return unit
}

// scaled builds c·body (body nil means the number c itself), canonical.
func (sf *Simplifier) scaled(c *big.Rat, body *ast.Node, s ast.Shape) *ast.Node {
	switch {
	case c.Sign() == 0:
		return zero(s)
	case body == nil:
		return ast.Number(c)
	case ast.IsOne(c):
		return body
	}
	if body.Kind == ast.KMul {
		return sf.simplify(ast.Mul(append([]*ast.Node{ast.Number(c)}, body.Args...)...))
	}
	return sf.simplify(ast.Mul(ast.Number(c), body))
}

// Negate returns −n in canonical form.
func (sf *Simplifier) Negate(n *ast.Node) *ast.Node { return sf.Simplify(ast.Mul(ast.Int(-1), n)) }

// Scale returns c·n in canonical form.
func (sf *Simplifier) Scale(c *big.Rat, n *ast.Node) *ast.Node {
	return sf.Simplify(ast.Mul(ast.Number(c), n))
}

var half = big.NewRat(1, 2)
