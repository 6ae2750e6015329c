package ast

// Program is a type-checked expression with the names it uses.
type Program struct {
	Src   string
	Root  *Node
	Vars  []*Node  // every variable (KVar) of Root, in order of first appearance
	Funcs []string // generic functions (declared func) that Root applies
}

// Var returns the variable named name, or nil.
func (p *Program) Var(name string) *Node {
	for _, v := range p.Vars {
		if v.Name == name {
			return v
		}
	}
	return nil
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
