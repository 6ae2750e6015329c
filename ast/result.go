package ast

import "sync"

// Program is a type-checked expression with the names it uses.
type Program struct {
	Src   string
	Root  *Node
	Vars  []*Node  // every variable (KVar) of Root, in order of first appearance
	Funcs []string // generic functions (declared func) that Root applies
	// Spans holds where in Src each node lowered from it first occurs, for
	// errors found after type checking (an operation without a rule).
	Spans map[*Node]Span
	// Notes say where inference departed from the default shape of a name
	// (SPEC.md §3), one each, with the declaration that would state it:
	// "x is taken as a scalar (x^2 is a power); …".
	Notes []Note

	index     sync.Once
	varByName map[string]*Node
}

// ErrorAt returns an *Error with msg under the source of n, or under the
// whole of Src when n does not come from it.
func (p *Program) ErrorAt(n *Node, msg string) *Error {
	s, ok := p.Spans[n]
	if !ok {
		s = Span{Pos: 0, End: Pos(len(p.Src))}
	}
	return Errorf(p.Src, s.Pos, s.End, msg)
}

// Var returns the variable named name, or nil. The first call indexes Vars,
// which must not change after it.
func (p *Program) Var(name string) *Node {
	p.index.Do(func() {
		p.varByName = make(map[string]*Node, len(p.Vars))
		for _, v := range p.Vars {
			if _, ok := p.varByName[v.Name]; !ok {
				p.varByName[v.Name] = v
			}
		}
	})
	return p.varByName[name]
}

// StepKind says how a derivation step relates its two sides.
type StepKind uint8

const (
	// StepPerturb: Lhs = f(X + Δ), Rhs = f(X) + df, equal up to o(‖Δ‖).
	StepPerturb StepKind = iota
	// StepRule: the differential of Lhs is Rhs (d[Lhs] = Rhs) by Rule.
	StepRule
	// StepIdentity: Lhs = Rhs exactly, by the identity Rule.
	StepIdentity
	// StepReadOff: df = Lhs reads as ⟨Δ, G⟩ = Rhs.
	StepReadOff
)

// Step is one line of a derivation.
type Step struct {
	Kind     StepKind
	Rule     string // the rule or identity, e.g. "d(AB) = dA·B + A·dB"
	Lhs, Rhs *Node
	// Literal asks for Rhs as it is, its signs included (−(B·X − Y), not
	// Y − B·X): the canonical rewrite of f that the rules differentiate.
	Literal bool
}

// Derivative is what the pipeline derives for one variable.
type Derivative struct {
	Wrt          *Node  // the variable
	Differential *Node  // df: linear in Δ (Delta(Wrt.Name, Wrt.Shape))
	Gradient     *Node  // G with df = ⟨Δ, G⟩; nil for a non-scalar f
	Hessian      *Node  // H[Δ], the differential of Gradient; nil unless asked
	HessianMat   *Node  // the Hessian matrix: for a vector variable, or for a matrix variable the Kronecker form acting on vec(Δ) (column-major); nil otherwise
	NoHessianMat string // why there is no Hessian matrix when the Hessian was asked for
	Jacobian     *Node  // the Jacobian (matrix or Kronecker form); nil unless asked or none exists
	NoJacobian   string // why there is no Jacobian when one was asked for
	Steps        []Step
}

// Verification is the numerical verification of an answer. (It is not
// called Check: that name is the type checker, [Check].)
type Verification struct {
	RelErr float64
	OK     bool
	Note   string // e.g. the stand-in used for a generic function
}

// Result is a complete answer: f and its derivatives.
type Result struct {
	Program *Program
	F       *Node // f as simplified for display
	// Canonical is f in canonical form (equal to F; the check compares
	// them numerically), which the code formats evaluate so that value
	// and gradient share subexpressions; nil means F.
	Canonical   *Node
	Derivatives []Derivative
	Check       *Verification // nil when the check was skipped
}

// Note is a remark of inference (SPEC §3): where a name's inferred shape
// departs from its default, or f is non-scalar only because of a default.
// Decl is the declaration that would state it, Lead what comes before the
// advice to declare it (another way out, or a condition), if anything: a
// program words the declaration its own way (the mdiff command as a --let
// flag); String is the library's wording.
type Note struct {
	Msg  string // x is taken as a scalar (x^2 is a power)
	Lead string // for an elementwise power write x.^2, or
	Decl string // x: scalar
}

// String is the note in words: "x is taken as a scalar (x^2 is a power);
// for an elementwise power write x.^2, or declare x: scalar".
func (n Note) String() string { return n.Format(func(d string) string { return d }) }

// Format is the note with the declaration written by decl ("x: scalar" →
// "--let 'x: scalar'").
func (n Note) Format(decl func(string) string) string {
	if n.Decl == "" {
		return n.Msg
	}
	return n.Msg + "; " + n.Lead + "declare " + decl(n.Decl)
}
