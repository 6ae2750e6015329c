package numeric

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
	"github.com/mdiff/mdiff/internal/dense"
)

// Func evaluates the order-th derivative of a generic scalar function at x
// (order 0 is the function itself).
type Func func(x float64, order int) float64

// Env holds the concrete values an expression is evaluated at.
type Env struct {
	// Sizes gives each size name its value. Decimal dims ("3") are
	// themselves and need no entry; a Kronecker dim "a·b" is the product.
	Sizes map[ast.Dim]int
	// Vals holds each variable by name: scalars 1×1, vectors n×1.
	Vals map[string]*mat.Dense
	// Deltas holds the direction Δ of a variable, by the variable's name
	// (the Name of an ast.KDelta node).
	Deltas map[string]*mat.Dense
	// Funcs holds the generic (declared) functions by name.
	Funcs map[string]Func
	// jitter, when set, multiplies every entry of every computed value
	// (not the inputs) by 1 + jitterRel·R, R uniform in [−1, 1]: rounding
	// errors made visible, for evalUnc (see there). R is drawn as
	// rand.Rand.Float64 draws from the source, without its interface.
	jitter *rand.PCG
	// tab, when set, numbers the variables, and vals[tab.slot[name]] is
	// the value of the variable name: a perturbed env of a session
	// (session.perturbedEnvs), whose Vals is nil. Such an env never
	// leaves its session.
	tab  *valTable
	vals []*mat.Dense
	// of, for a perturbed env, is the env it perturbs: every variable and
	// direction has here a value of the size it has there.
	of *Env
}

// jitterRel is the relative size of the jitter of computed values: four
// units of rounding, about what one operation of a matrix product or sum
// of a few terms can lose.
const jitterRel = 4 * eps

// ErrSingular is wrapped by the error Eval returns when it has to invert a
// matrix that is singular (or too ill-conditioned to invert: condition
// number above mat.ConditionTolerance). Checks redraw their inputs on it.
var ErrSingular = errors.New("singular matrix")

// Finite reports whether m is non-nil and every entry of m is finite
// (neither NaN nor ±Inf).
func Finite(m *mat.Dense) bool {
	if m == nil {
		return false
	}
	r, c := m.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			v := m.At(i, j)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return false
			}
		}
	}
	return true
}

// Eval evaluates n at env. Each distinct node of the DAG is evaluated once,
// in the order of a plan (see plan) computed for the call, and the
// traversal is iterative, so deep, heavily shared expressions cost time
// linear in the number of distinct nodes.
//
// Size names missing from env.Sizes are inferred from the values of the
// variables and directions that have them. A value whose size disagrees
// with its declared shape, a non-conformable operation, an unknown variable,
// size or function, is an error (Eval never panics on such input); a
// singular inverse is an error wrapping [ErrSingular]. Non-finite results,
// e.g. the log of a negative number, are returned as NaN or ±Inf: test them
// with [Finite]. The returned matrix is never shared with env.
func Eval(n *ast.Node, env *Env) (m *mat.Dense, err error) {
	if n == nil {
		return nil, errors.New("numeric: nil expression")
	}
	return evalPlan(newPlan(n), env)
}

// evalPlan is Eval of the root of the one-root plan p.
func evalPlan(p *plan, env *Env) (*mat.Dense, error) {
	if env == nil {
		env = &Env{}
	}
	out, err := newEvaluator(p, env).all()
	if err != nil {
		return nil, err
	}
	return ownValue(p.nodes[len(p.nodes)-1], out), nil
}

// ownValue returns out, the value of n, copied when it is a value of env
// (n a variable or direction): never hand out env's own matrix.
func ownValue(n *ast.Node, out *mat.Dense) *mat.Dense {
	if n.Kind == ast.KVar || n.Kind == ast.KDelta {
		return mat.DenseCopyOf(out)
	}
	return out
}

// resolveDim resolves a symbolic size: a decimal number is itself, a name
// is looked up in sizes, a Kronecker dim "a·b" is the product of its
// factors.
func resolveDim(d ast.Dim, sizes map[ast.Dim]int) (int, error) {
	if !strings.Contains(string(d), "·") {
		if k, ok := sizes[d]; ok && k >= 1 { // the common case: a size name
			return k, nil
		}
	}
	if parts := strings.Split(string(d), "·"); len(parts) > 1 {
		p := 1
		for _, s := range parts {
			k, err := resolveDim(ast.Dim(s), sizes)
			if err != nil {
				return 0, err
			}
			p *= k
		}
		return p, nil
	}
	k, err := strconv.Atoi(string(d))
	if err != nil {
		var ok bool
		if k, ok = sizes[d]; !ok {
			return 0, fmt.Errorf("numeric: size %s has no value", d)
		}
	}
	if k < 1 {
		return 0, fmt.Errorf("numeric: size %s is %d, want at least 1", d, k)
	}
	return k, nil
}

func resolveShape(s ast.Shape, sizes map[ast.Dim]int) (int, int, error) {
	r, err := resolveDim(s.Rows, sizes)
	if err != nil {
		return 0, 0, err
	}
	c, err := resolveDim(s.Cols, sizes)
	if err != nil {
		return 0, 0, err
	}
	return r, c, nil
}

// describe names a node for an error message without printing its operands
// (a deep DAG would print exponentially long).
func describe(n *ast.Node) string {
	switch n.Kind {
	case ast.KVar:
		return "variable " + n.Name
	case ast.KDelta:
		return "direction Δ" + n.Name
	case ast.KApply:
		return n.Name + strings.Repeat("′", n.K) + " of " + n.Shape.String()
	case ast.KCall:
		return n.Name + " of " + n.Shape.String()
	}
	return n.Kind.String() + " of " + n.Shape.String()
}

// op computes the value of n, the node at position i of the plan, from the
// values of its operands. It reads n itself only for the kinds that need
// more than the plan holds (a number, a name, an exponent, an operation):
// the nodes of a wide expression lie all over memory.
func (ev *evaluator) op(i int32, n *ast.Node, args []*mat.Dense) (*mat.Dense, error) {
	switch kind := ev.p.kinds[i]; kind {
	case ast.KVar:
		v := ev.input(i)
		if v == nil {
			return nil, fmt.Errorf("numeric: variable %s has no value", n.Name)
		}
		return v, nil
	case ast.KDelta:
		v := ev.input(i)
		if v == nil {
			return nil, fmt.Errorf("numeric: direction Δ%s has no value", n.Name)
		}
		return v, nil
	case ast.KNum:
		f, _ := n.Num.Float64()
		return ev.ar.scalar(f), nil
	case ast.KSize:
		k, err := resolveDim(ast.Dim(n.Name), ev.sizes)
		if err != nil {
			return nil, err
		}
		return ev.ar.scalar(float64(k)), nil
	case ast.KIdentity, ast.KOnes, ast.KZero:
		r, c, err := ev.shapeAt(i)
		if err != nil {
			return nil, err
		}
		m := ev.ar.zeros(r, c)
		switch kind {
		case ast.KIdentity:
			if r != c {
				return nil, fmt.Errorf("identity of size %d×%d", r, c)
			}
			for i := 0; i < r; i++ {
				m.Set(i, i, 1)
			}
		case ast.KOnes:
			m.Apply(func(int, int, float64) float64 { return 1 }, m)
		}
		return m, nil
	case ast.KAdd:
		return add(ev.ar, args)
	case ast.KMul:
		return ev.mul(i, args)
	case ast.KHadamard:
		return hadamard(ev.ar, args)
	case ast.KDiv:
		if err := sameDims("./", args[0], args[1]); err != nil {
			return nil, err
		}
		r, c := args[0].Dims()
		m := ev.ar.zeros(r, c)
		m.DivElem(args[0], args[1])
		return m, nil
	case ast.KTranspose:
		return transposed(ev.ar, args[0]), nil
	case ast.KInverse:
		return inverse(ev.ar, args[0])
	case ast.KMatPow:
		return matPow(ev.ar, args[0], n.K)
	case ast.KMatPowSym: // Aᵏ, k an integer expression (k: int)
		p, err := scalarOf("exponent", args[1])
		if err != nil {
			return nil, err
		}
		k := math.Round(p)
		if math.Abs(p-k) > 1e-9 || math.Abs(k) > 1<<20 {
			return nil, fmt.Errorf("matrix power with exponent %g, want a (moderate) integer", p)
		}
		return matPow(ev.ar, args[0], int(k))
	case ast.KPow:
		p, err := scalarOf("exponent", args[1])
		if err != nil {
			return nil, err
		}
		return ev.ar.mapped(args[0], func(x float64) float64 { return math.Pow(x, p) }), nil
	case ast.KApply:
		return ev.apply(n, args[0])
	case ast.KCall: // the operation's row of the table (package builtin)
		switch o := ev.p.ops[i]; {
		case o == builtin.Trace && isSquare(args[0]):
			// builtin's tr, its value from the arena
			return ev.ar.scalar(trace(args[0])), nil
		case o.Eval != nil:
			return o.Eval(args)
		case o.Scalar != nil:
			return ev.ar.mapped(args[0], o.Scalar), nil
		}
		return nil, fmt.Errorf("numeric: %s has no evaluation", n.Op.Name)
	case ast.KInner:
		if err := sameDims("⟨,⟩", args[0], args[1]); err != nil {
			return nil, err
		}
		return ev.ar.scalar(inner(args[0], args[1])), nil
	case ast.KBroadcast:
		return ev.broadcast(i, args[0])
	}
	return nil, fmt.Errorf("numeric: node kind %v cannot be evaluated", n.Kind)
}

func scalar(v float64) *mat.Dense { return mat.NewDense(1, 1, []float64{v}) }

func scalarOf(what string, m *mat.Dense) (float64, error) {
	if r, c := m.Dims(); r != 1 || c != 1 {
		return 0, fmt.Errorf("%s is %d×%d, want a scalar", what, r, c)
	}
	return m.At(0, 0), nil
}

func sameDims(op string, a, b *mat.Dense) error {
	ar, ac := a.Dims()
	br, bc := b.Dims()
	if ar != br || ac != bc {
		return fmt.Errorf("%s of %d×%d and %d×%d", op, ar, ac, br, bc)
	}
	return nil
}

// transposed returns aᵀ, a new matrix from ar.
func transposed(ar *arena, a *mat.Dense) *mat.Dense {
	raw := a.RawMatrix()
	m := ar.zeros(raw.Cols, raw.Rows)
	out := m.RawMatrix().Data // stride raw.Rows
	for i := 0; i < raw.Rows; i++ {
		for j, v := range raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols] {
			out[j*raw.Rows+i] = v
		}
	}
	return m
}

// trace returns the trace of the square a, summed in the order of
// mat.Dense.Trace (which builtin's tr calls).
func trace(a *mat.Dense) float64 {
	raw := a.RawMatrix()
	t := 0.0
	for i := 0; i < raw.Rows; i++ {
		t += raw.Data[i*raw.Stride+i]
	}
	return t
}

// isSquare reports whether a is a square matrix.
func isSquare(a *mat.Dense) bool {
	r, c := a.Dims()
	return r == c
}

func square(op string, a *mat.Dense) error {
	if r, c := a.Dims(); r != c {
		return fmt.Errorf("%s of a non-square %d×%d matrix", op, r, c)
	}
	return nil
}

// add returns Σ args, a new matrix from ar, summed from the left as
// mat.Dense.Add would, entry by entry; all operands have one size.
func add(ar *arena, args []*mat.Dense) (*mat.Dense, error) {
	out := ar.copyOf(args[0])
	sum := out.RawMatrix().Data // stride c
	for _, a := range args[1:] {
		if err := sameDims("+", out, a); err != nil {
			return nil, err
		}
		raw := a.RawMatrix()
		for i := 0; i < raw.Rows; i++ {
			row := sum[i*raw.Cols : (i+1)*raw.Cols]
			for j, v := range raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols] {
				row[j] += v
			}
		}
	}
	return out, nil
}

// hadamard returns args[0] ⊙ args[1] ⊙ …, a new matrix from ar; all
// operands have one size.
func hadamard(ar *arena, args []*mat.Dense) (*mat.Dense, error) {
	out := ar.copyOf(args[0])
	for _, a := range args[1:] {
		if err := sameDims(".*", out, a); err != nil {
			return nil, err
		}
		out.MulElem(out, a)
	}
	return out, nil
}

// mul evaluates the product at position at: the 1×1 factors (by their
// symbolic shape) are scalars that commute and multiply the result; the
// others form a chain that is multiplied in order (parenthesised to minimise work, which does
// not change the value in exact arithmetic).
func (ev *evaluator) mul(at int32, args []*mat.Dense) (*mat.Dense, error) {
	s := 1.0
	chain := ev.chainBuf[:0]
	for i, a := range ev.p.operands(at) {
		if ev.p.scalar[a] {
			v, err := scalarOf("scalar factor", args[i])
			if err != nil {
				return nil, err
			}
			s *= v
			continue
		}
		if len(chain) > 0 {
			_, pc := chain[len(chain)-1].Dims()
			r, c := args[i].Dims()
			if pc != r {
				lr, _ := chain[len(chain)-1].Dims()
				return nil, fmt.Errorf("product of non-conformable %d×%d and %d×%d", lr, pc, r, c)
			}
		}
		chain = append(chain, args[i])
	}
	// chainProduct keeps none of them: the buffer is reused (and not
	// cleared, see evaluator.argBuf)
	ev.chainBuf = chain[:0]
	if len(chain) == 0 {
		return ev.ar.scalar(s), nil
	}
	out := chainProduct(ev.ar, chain)
	if s != 1 {
		// As out.Scale(s, out), without the copy gonum makes of an
		// operand that is its receiver.
		raw := out.RawMatrix()
		for i := 0; i < raw.Rows; i++ {
			row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
			for j, v := range row {
				row[j] = v * s
			}
		}
	}
	return out, nil
}

// maxChainDP is the longest chain parenthesised optimally; the programme is
// cubic in the length, so longer chains are parenthesised greedily.
const maxChainDP = 32

// chainProduct returns ms[0]·ms[1]·…, a new matrix from ar (as are the
// intermediate products), parenthesised by the classic matrix-chain dynamic
// programme so that A·B·x costs two matrix-vector products.
func chainProduct(ar *arena, ms []*mat.Dense) *mat.Dense {
	k := len(ms)
	if k == 1 {
		return ar.copyOf(ms[0])
	}
	if k > maxChainDP {
		return greedyChainProduct(ar, ms)
	}
	if k == 2 { // the programme's only parenthesisation, without its tables
		return ar.product(ms[0], ms[1])
	}
	p := make([]int, k+1)
	p[0], _ = ms[0].Dims()
	for i, m := range ms {
		_, p[i+1] = m.Dims()
	}
	// cost[i*k+j] is the least cost of ms[i]·…·ms[j], split[i*k+j] where
	// that product splits.
	cost := make([]int, k*k)
	split := make([]int, k*k)
	for l := 1; l < k; l++ {
		for i := 0; i+l < k; i++ {
			j := i + l
			cost[i*k+j] = -1
			for s := i; s < j; s++ {
				c := cost[i*k+s] + cost[(s+1)*k+j] + p[i]*p[s+1]*p[j+1]
				if cost[i*k+j] < 0 || c < cost[i*k+j] {
					cost[i*k+j], split[i*k+j] = c, s
				}
			}
		}
	}
	var build func(i, j int) *mat.Dense
	build = func(i, j int) *mat.Dense {
		if i == j {
			return ms[i]
		}
		s := split[i*k+j]
		return ar.product(build(i, s), build(s+1, j))
	}
	return build(0, k-1)
}

// greedyChainProduct returns ms[0]·ms[1]·…, a new matrix from ar, always
// multiplying next the adjacent pair whose product is cheapest, the
// leftmost of those (so a vector at either end is multiplied in first):
// quadratic in the length. The factors left are a list linked by next,
// their sizes held apart, so that a step scans integers and moves nothing.
func greedyChainProduct(ar *arena, ms []*mat.Dense) *mat.Dense {
	k := len(ms)
	vals := make([]*mat.Dense, k)
	copy(vals, ms)
	rows, cols, next := make([]int, k), make([]int, k), make([]int, k)
	for i, m := range ms {
		rows[i], cols[i] = m.Dims()
		next[i] = i + 1 // k: the end
	}
	for left := k; left > 1; left-- {
		best, bestCost := 0, -1
		for i := 0; next[i] < k; i = next[i] {
			if cost := rows[i] * cols[i] * cols[next[i]]; bestCost < 0 || cost < bestCost {
				best, bestCost = i, cost
			}
		}
		j := next[best]
		vals[best] = ar.product(vals[best], vals[j])
		cols[best], next[best] = cols[j], next[j]
	}
	return vals[0]
}

// matPow returns aᵏ by repeated squaring; a⁰ = I and a⁻ᵏ = (a⁻¹)ᵏ, the
// inverse from ar.
func matPow(ar *arena, a *mat.Dense, k int) (*mat.Dense, error) {
	if err := square("matrix power", a); err != nil {
		return nil, err
	}
	if k < 0 {
		inv, err := inverse(ar, a)
		if err != nil {
			return nil, err
		}
		a, k = inv, -k
	}
	r, _ := a.Dims()
	out := mat.NewDense(r, r, nil)
	for i := 0; i < r; i++ {
		out.Set(i, i, 1)
	}
	base := mat.DenseCopyOf(a)
	for k > 0 {
		if k&1 == 1 {
			out.Mul(out, base)
		}
		k >>= 1
		if k > 0 {
			base.Mul(base, base)
		}
	}
	return out, nil
}

// IsBuiltin reports whether name is a built-in operation, which Eval knows
// without Env.Funcs.
func IsBuiltin(name string) bool { return ast.IsBuiltinName(name) }

// apply evaluates a generic (declared) function from env.Funcs, derivative
// order n.K.
func (ev *evaluator) apply(n *ast.Node, a *mat.Dense) (*mat.Dense, error) {
	g, ok := ev.env.Funcs[n.Name]
	if !ok || g == nil {
		return nil, fmt.Errorf("numeric: function %s has no value (not in Env.Funcs)", n.Name)
	}
	k := n.K
	return ev.ar.mapped(a, func(x float64) float64 { return g(x, k) }), nil
}

// inner returns ⟨a, b⟩ = Σ a_ij b_ij.
func inner(a, b *mat.Dense) float64 {
	s := 0.0
	r, c := a.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			s += a.At(i, j) * b.At(i, j)
		}
	}
	return s
}

// broadcast repeats a scalar, a 1×c row or an r×1 column to the shape of
// the node at position at.
func (ev *evaluator) broadcast(at int32, a *mat.Dense) (*mat.Dense, error) {
	R, C, err := ev.shapeAt(at)
	if err != nil {
		return nil, err
	}
	r, c := a.Dims()
	if (r != R && r != 1) || (c != C && c != 1) {
		return nil, fmt.Errorf("cannot broadcast %d×%d to %d×%d", r, c, R, C)
	}
	m := ev.ar.zeros(R, C)
	for i := 0; i < R; i++ {
		for j := 0; j < C; j++ {
			m.Set(i, j, a.At(i%r, j%c))
		}
	}
	return m, nil
}

// Vec stacks the columns of m into one column (column-major vec), as in
// vec(A·X·B) = (Bᵀ ⊗ A)·vec(X).
func Vec(m *mat.Dense) *mat.Dense { return dense.Vec(m) }
