// This file holds the rule table: every local identity of the canonical
// form, by name, in the order local tries them (STYLE.md item 6).

package simplify

import (
	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
)

// rule is one local identity: apply rewrites a node whose operands are
// canonical, and returns nil (or the node itself) when the identity does
// not apply. kind and op, when set, restrict the nodes it is tried on.
// A rule without apply is an identity that a row's helper applies inside
// its own rewrite (the steps of a product's canonical form); it is in the
// table so that it has a name, is counted and is tested like the others.
type rule struct {
	name  string
	kind  ast.Kind
	op    *ast.Op
	apply func(sf *Simplifier, n *ast.Node) *ast.Node
}

// table lists the rules in the order local tries them; the first that
// rewrites a node wins, and the simplifier brings the result to canonical
// form in turn, so the table is run to a fixed point. It is filled by init
// because its rows call the simplifier, which reads the table.
var table []rule

func init() { table = rows() }

func rows() []rule {
	return []rule{
		{name: "zero-operand", apply: func(_ *Simplifier, n *ast.Node) *ast.Node { // 0·A = 0, tr(0) = 0, 0ᵀ = 0, …
			if isZero(n) {
				return zero(n.Shape)
			}
			return nil
		}},
		// Symbolic powers Aᵏ, k: int (sympow.go).
		{name: "sympow-inverse", kind: ast.KInverse, apply: symPowRule},     // (Aᵏ)⁻¹ = A⁻ᵏ
		{name: "sympow-matpow", kind: ast.KMatPow, apply: symPowRule},       // (Aᵏ)ʲ = Aᵏʲ
		{name: "sympow-product", kind: ast.KMul, apply: symPowRule},         // Aʲ·Aᵏ = Aʲ⁺ᵏ, tᵏ⁻¹·t = tᵏ
		{name: "sympow-det", kind: ast.KCall, apply: symPowRule},            // det(Aᵏ) = det(A)ᵏ, logdet(Aᵏ) = k·logdet(A)
		{name: "sympow-normalise", kind: ast.KMatPowSym, apply: symPowRule}, // Iᵏ = I, (Aʲ)ᵏ = Aʲᵏ, A³ for k = 3
		{name: "diag-of-product", kind: ast.KCall, apply: func(_ *Simplifier, n *ast.Node) *ast.Node { return diagRewrite(n) }},
		{name: "transpose-out-of-elementwise", apply: func(_ *Simplifier, n *ast.Node) *ast.Node { // g(Aᵀ) = g(A)ᵀ, Aᵀ ⊙ Bᵀ = (A ⊙ B)ᵀ
			switch n.Kind {
			case ast.KApply, ast.KPow, ast.KHadamard, ast.KDiv:
				return pullTranspose(n)
			}
			return nil
		}},
		{name: "vec-out", apply: (*Simplifier).pullVec}, // f(vec A) = vec(f(A)), s·vec(A) = vec(s·A)

		// Built-in operations (RULES.md): elementwise ones.
		{name: "transpose-out-of-elementwise-call", kind: ast.KCall, apply: elementwise(func(_ *Simplifier, n *ast.Node) *ast.Node { return pullTranspose(n) })},
		{name: "elementwise-of-broadcast", kind: ast.KCall, apply: elementwise(func(_ *Simplifier, n *ast.Node) *ast.Node { // g(bcast s) = bcast g(s)
			if a := n.Args[0]; a.Kind == ast.KBroadcast {
				return ast.Broadcast(n.Op.Of(a.Args[0]), n.Shape)
			}
			return nil
		})},
		{name: "elementwise-of-zero", kind: ast.KCall, apply: elementwise(func(_ *Simplifier, n *ast.Node) *ast.Node { // g(0) = bcast g(0)
			if a := n.Args[0]; a.Kind == ast.KZero {
				return ast.Broadcast(n.Op.Of(ast.Int(0)), n.Shape)
			}
			return nil
		})},
		{name: "elementwise-fold", kind: ast.KCall, apply: elementwise(func(_ *Simplifier, n *ast.Node) *ast.Node { // exp(0) = 1
			if a := n.Args[0]; a.Kind == ast.KNum && n.Op.Fold != nil {
				if v := n.Op.Fold(a.Num); v != nil {
					return ast.Number(v)
				}
			}
			return nil
		})},
		// Built-in operations of whole matrices (call.go).
		{name: "trace-kron", op: builtin.Trace, apply: traceKron},
		{name: "trace-scalar", op: builtin.Trace, apply: traceScalar},
		{name: "trace-identity", op: builtin.Trace, apply: traceIdentity},
		{name: "trace-transpose", op: builtin.Trace, apply: traceTranspose},
		{name: "trace-sum", op: builtin.Trace, apply: traceSum},
		{name: "trace-scalars-out", op: builtin.Trace, apply: traceScalarsOut},
		{name: "trace-cyclic", op: builtin.Trace, apply: traceCyclic},
		{name: "sum-kron", op: builtin.Sum, apply: ofKron(builtin.Sum)},
		{name: "sum-vec", op: builtin.Sum, apply: ofVec(builtin.Sum)},
		{name: "sum-scalar", op: builtin.Sum, apply: sumScalar},
		{name: "sum-softmax", op: builtin.Sum, apply: sumSoftmax},
		{name: "sum-ones", op: builtin.Sum, apply: sumOnes},
		{name: "sum-broadcast", op: builtin.Sum, apply: sumBroadcast},
		{name: "sum-transpose", op: builtin.Sum, apply: sumTranspose},
		{name: "sum-scalars-out", op: builtin.Sum, apply: sumScalarsOut},
		{name: "mean-scalar", op: builtin.Mean, apply: meanScalar},
		{name: "mean-transpose-vec", op: builtin.Mean, apply: meanTransposeVec},
		{name: "mean-scalars-out", op: builtin.Mean, apply: meanScalarsOut},
		{name: "det-transpose", op: builtin.Det, apply: detTranspose},
		{name: "logdet-transpose", op: builtin.Logdet, apply: detTranspose},
		{name: "det-identity", op: builtin.Det, apply: detIdentity},
		{name: "logdet-identity", op: builtin.Logdet, apply: detIdentity},
		{name: "det-kron", op: builtin.Det, apply: detKron},
		{name: "logdet-kron", op: builtin.Logdet, apply: detKron},
		{name: "norm-kron", op: builtin.Norm, apply: ofKron(builtin.Norm)},
		{name: "norm-vec", op: builtin.Norm, apply: ofVec(builtin.Norm)},
		{name: "sqrt-gram", op: builtin.Sqrt, apply: sqrtGram},
		{name: "logsumexp-vec", op: builtin.Logsumexp, apply: logsumexpVec},
		{name: "norm1-vec", op: builtin.Norm1, apply: ofVec(builtin.Norm1)},
		{name: "unvec-vec", op: builtin.Unvec, apply: unvecVec},
		{name: "vec-unvec", op: builtin.Vec, apply: vecUnvec},
		{name: "vec-column", op: builtin.Vec, apply: vecColumn},
		{name: "vec-row", op: builtin.Vec, apply: vecRow},
		{name: "diag-of-diag", op: builtin.DiagVec, apply: diagOfDiag},
		{name: "diag-interior", op: builtin.DiagVec, apply: diagInterior}, // diag(L·diag(x)·R) = (L ⊙ Rᵀ)·x
		{name: "diag-transpose", op: builtin.DiagVec, apply: diagTranspose},
		{name: "diag-identity", op: builtin.DiagVec, apply: diagIdentity},
		{name: "diag-outer", op: builtin.DiagVec, apply: diagOuter},
		{name: "diagmat-ones", op: builtin.DiagMat, apply: diagmatOnes},
		{name: "diagmat-diag", op: builtin.DiagMat, apply: diagmatDiag},
		{name: "kron-scalar", op: builtin.Kron, apply: kronScalar},

		// Sums (algebra.go): the first row collects and orders the terms, the
		// others see a sum whose terms are collected and ordered.
		{name: "add-collect", kind: ast.KAdd, apply: (*Simplifier).addCollect},
		{name: "add-merge-diagonals", kind: ast.KAdd, apply: func(sf *Simplifier, n *ast.Node) *ast.Node { return sf.mergeDiagonals(n.Args) }},
		{name: "add-common-denominator", kind: ast.KAdd, apply: (*Simplifier).commonDenominator},
		{name: "add-expand-if-smaller", kind: ast.KAdd, apply: func(sf *Simplifier, n *ast.Node) *ast.Node { return sf.expandIfSmaller(n.Args) }},
		{name: "add-canonical-sign", kind: ast.KAdd, apply: func(sf *Simplifier, n *ast.Node) *ast.Node { return sf.canonicalSign(n.Args) }},
		{name: "add-common-coefficient", kind: ast.KAdd, apply: func(sf *Simplifier, n *ast.Node) *ast.Node { return sf.commonCoefficient(n.Args, n.Shape) }},
		{name: "add-common-factor", kind: ast.KAdd, apply: func(sf *Simplifier, n *ast.Node) *ast.Node { return sf.commonFactor(n.Args, n.Shape) }},

		// Products (algebra.go): one row, whose helpers apply the identities below it.
		{name: "softmax-of-ratio", kind: ast.KMul, apply: softmaxOfRatio},         // exp(x) / sum(exp(x)) = softmax(x)
		{name: "mul-canonical", kind: ast.KMul, apply: (*Simplifier).simplifyMul}, // flatten, fold numbers, scalars in front
		{name: "mul-merge-powers"},  // s·s⁻¹ = 1, s^a·s^b = s^(a+b), d^(n−1)·d = dⁿ
		{name: "mul-inverse-pair"},  // A·A⁻¹ = I
		{name: "mul-ones-ones"},     // 𝟙ₐₓₖ·𝟙ₖₓᵦ = k·𝟙ₐₓᵦ
		{name: "mul-softmax-total"}, // 𝟙ᵀ·softmax(x) = 1
		{name: "mul-sum-of-ratio"},  // aᵀ·(b ⊘ a) = sum(b)
		{name: "mul-diag-diag"},     // diag(a)·diag(b) = diag(a ⊙ b)
		{name: "mul-kron"},          // vec(A)ᵀ·vec(B) = ⟨A, B⟩, (Bᵀ ⊗ A)·vec(X) = vec(A·X·B), …
		{name: "mul-merge-matpow"},  // A·A² = A³
		{name: "mul-orient-scalar"}, // a 1×1 chain or its transpose, whichever reads aᵀ·Δ

		{name: "hadamard-scalar", kind: ast.KHadamard, apply: func(sf *Simplifier, n *ast.Node) *ast.Node { // s ⊙ t = s·t for scalars
			if !n.IsScalar() {
				return nil
			}
			return sf.simplify(ast.Mul(n.Args...))
		}},
		{name: "hadamard-canonical", kind: ast.KHadamard, apply: (*Simplifier).simplifyHadamard},
		{name: "div-scalar", kind: ast.KDiv, apply: func(sf *Simplifier, n *ast.Node) *ast.Node { // s ⊘ t = s·t⁻¹ for scalars
			if !n.IsScalar() {
				return nil
			}
			return sf.simplify(ast.Mul(n.Args[0], ast.Pow(n.Args[1], ast.Int(-1))))
		}},
		{name: "div-canonical", kind: ast.KDiv, apply: (*Simplifier).simplifyDiv},
		{name: "transpose-push", kind: ast.KTranspose, apply: func(sf *Simplifier, n *ast.Node) *ast.Node { return sf.transpose(n.Args[0]) }},
		{name: "inverse-diag", kind: ast.KInverse, apply: func(_ *Simplifier, n *ast.Node) *ast.Node { // diag(x)⁻¹ = diag(1 ⊘ x)
			if a := n.Args[0]; a.Is(builtin.DiagMat) {
				return builtin.DiagMat.Of(ast.Pow(a.Args[0], ast.Int(-1)))
			}
			return nil
		}},
		{name: "inverse-kron", kind: ast.KInverse, apply: func(sf *Simplifier, n *ast.Node) *ast.Node { // (A ⊗ B)⁻¹ = A⁻¹ ⊗ B⁻¹
			if a := n.Args[0]; a.Is(builtin.Kron) && a.Args[0].Shape.IsSquare() && a.Args[1].Shape.IsSquare() {
				return sf.simplify(builtin.Kron.Of(ast.Inverse(a.Args[0]), ast.Inverse(a.Args[1])))
			}
			return nil
		}},
		{name: "inverse-canonical", kind: ast.KInverse, apply: (*Simplifier).simplifyInverse},
		{name: "pow-canonical", kind: ast.KPow, apply: (*Simplifier).simplifyPow},
		{name: "apply-broadcast", kind: ast.KApply, apply: func(_ *Simplifier, n *ast.Node) *ast.Node { // g(bcast s) = bcast g(s)
			if a := n.Args[0]; a.Kind == ast.KBroadcast {
				return ast.Broadcast(ast.Apply(n.Name, n.K, a.Args[0]), n.Shape)
			}
			return nil
		}},
		{name: "apply-zero", kind: ast.KApply, apply: func(_ *Simplifier, n *ast.Node) *ast.Node { // g(0) = bcast g(0)
			if a := n.Args[0]; a.Kind == ast.KZero {
				return ast.Broadcast(ast.Apply(n.Name, n.K, ast.Int(0)), n.Shape)
			}
			return nil
		}},
		{name: "matpow-of-matpow", kind: ast.KMatPow, apply: func(_ *Simplifier, n *ast.Node) *ast.Node { // (Aʲ)ᵏ = Aʲᵏ
			if a := n.Args[0]; a.Kind == ast.KMatPow && a.K*n.K <= ast.MaxMatPow { // a power's differential has k terms
				return ast.MatPow(a.Args[0], a.K*n.K)
			}
			return nil
		}},
		{name: "inner-canonical", kind: ast.KInner, apply: (*Simplifier).simplifyInner},
		{name: "broadcast-of-broadcast", kind: ast.KBroadcast, apply: func(_ *Simplifier, n *ast.Node) *ast.Node {
			if a := n.Args[0]; a.Kind == ast.KBroadcast {
				return ast.Broadcast(a.Args[0], n.Shape)
			}
			return nil
		}},
	}
}

// softmaxOfRatio rewrites s·exp(x)·sum(exp(x))⁻¹ = s·softmax(x) for a
// column x (scalar factors s kept), and returns nil otherwise.
func softmaxOfRatio(sf *Simplifier, n *ast.Node) *ast.Node {
	var e, inv *ast.Node
	var rest []*ast.Node
	for _, f := range n.Args {
		switch {
		case e == nil && f.Is(builtin.Exp) && f.Shape.Cols == ast.One && !f.IsScalar():
			e = f
		case inv == nil && f.Kind == ast.KPow && f.Args[1].IsNum(-1) && f.Args[0].Is(builtin.Sum):
			inv = f
		case f.IsScalar():
			rest = append(rest, f)
		default:
			return nil
		}
	}
	if e == nil || inv == nil || inv.Args[0].Args[0] != e {
		return nil
	}
	return sf.simplify(ast.Mul(append(rest, builtin.Softmax.Of(e.Args[0]))...))
}

// symPowRule is symPow as a table row.
func symPowRule(_ *Simplifier, n *ast.Node) *ast.Node { return symPow(n) }

// elementwise restricts a rule to calls of elementwise built-ins.
func elementwise(f func(*Simplifier, *ast.Node) *ast.Node) func(*Simplifier, *ast.Node) *ast.Node {
	return func(sf *Simplifier, n *ast.Node) *ast.Node {
		if !n.Op.Elementwise {
			return nil
		}
		return f(sf, n)
	}
}

// RuleNames lists the names of the rules of the table, in its order.
func RuleNames() []string {
	out := make([]string, len(table))
	for i, r := range table {
		out[i] = r.name
	}
	return out
}

// local applies the first rule of the table that rewrites n, assuming n's
// operands are canonical, and returns n when none does (or when the step
// budget is spent).
func (sf *Simplifier) local(n *ast.Node) *ast.Node {
	for i := range table {
		r := &table[i]
		if r.apply == nil || r.kind != 0 && n.Kind != r.kind || r.op != nil && !n.Is(r.op) {
			continue
		}
		if sf.err != nil {
			return n
		}
		if m := r.apply(sf, n); m != nil && m != n {
			if !sf.rewrote(r.name, n, m) {
				return n
			}
			return m
		}
	}
	return n
}
