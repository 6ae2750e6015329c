package numeric

import (
	"math"
	"math/rand/v2"
	"sort"
	"strings"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/mdiff/mdiff/ast"
)

// StandInNote says which function the checks substitute for a declared
// generic function; show it next to a check that involved one.
const StandInNote = "g(t) = sin(t) + t²/2 stands in for each generic function"

// StandIn is the smooth function that stands in for every declared generic
// function g during a numeric check: g(t) = sin t + t²/2, so
// g′ = cos t + t, g″ = 1 − sin t, and for k ≥ 3 g⁽ᵏ⁾ = sin⁽ᵏ⁾ = sin(t + kπ/2).
// Its value at a negative order is NaN.
func StandIn(t float64, order int) float64 {
	switch {
	case order < 0:
		return math.NaN()
	case order == 0:
		return math.Sin(t) + t*t/2
	case order == 1:
		return math.Cos(t) + t
	case order == 2:
		return 1 - math.Sin(t)
	}
	switch order % 4 {
	case 0:
		return math.Sin(t)
	case 1:
		return math.Cos(t)
	case 2:
		return -math.Sin(t)
	}
	return -math.Cos(t)
}

// defaultSizes is the sequence of values given to size names in sorted
// order: distinct for up to six names, and different from each other so that
// a transposed or misplaced factor does not go unnoticed.
var defaultSizes = [...]int{3, 4, 5, 6, 7, 2}

// RandomEnv draws values for every variable of prog that respect its
// declaration: entries ~ N(0,1) in general; (A + Aᵀ)/2 for a symmetric
// variable; A·Aᵀ/n + I for a positive definite one (eigenvalues ≥ 1, so
// well conditioned); entries uniform in [0.5, 2] for a positive one
// (symmetrised if also symmetric); zeros off the diagonal of a diagonal
// one; 2, 3 or 4 for an integer (k: int). Each generic function of prog
// gets [StandIn].
//
// sizes fixes size names; the names it leaves open (all of them when it is
// nil) get values from 3, 4, 5, 6, 7, 2 in sorted order of name, skipping
// values already taken while any are left. Decimal dims are themselves.
// The result depends only on the state of rng and on prog.
func RandomEnv(rng *rand.Rand, prog *ast.Program, sizes map[ast.Dim]int) *Env {
	return randomEnv(rng, prog, sizes, domainAny)
}

// domain is the range random entries are drawn from when the declarations
// say nothing. A check starts with domainAny and falls back to the narrower
// ones when f is not finite there: log(X) or sqrt(X) of an X not declared
// pos, log(1 − p) of a probability p.
type domain int

const (
	domainAny          domain = iota // N(0, 1)
	domainPositive                   // uniform in [0.5, 2], as for pos
	domainUnit                       // uniform in [0.1, 0.9]
	domainGentle                     // I + 0.05·N(0, 1) for a square matrix, 0.5·N(0, 1) otherwise
	domainWide                       // 20·N(0, 1); uniform in [0.5, 40] for pos
	domainWidePositive               // uniform in [0.5, 40]
	domainHuge                       // 10·wideScale·N(0, 1); uniform in [0.5, 400] for pos
	domainHugePositive               // uniform in [0.5, 400]
	domainTiny                       // 0.05·N(0, 1); uniform in [0.9, 1.1] for pos
	domainTinyPositive               // uniform in [0.9, 1.1]
)

// wideScale is the spread of domainWide: a check draws there when every
// usual draw saturated a function, as tanh(20 − a − b) does for a and b
// of size 1; domainHuge is ten times wider.
const wideScale = 20

// randomEnv is RandomEnv over prog and further expressions (a derivative
// that mentions g′ or a variable prog.Root does not).
func randomEnv(rng *rand.Rand, prog *ast.Program, sizes map[ast.Dim]int, dom domain, extra ...*ast.Node) *Env {
	return newEnvPlan(prog, extra, nil).draw(rng, sizes, dom)
}

// randomEnv is randomEnv through the session's envPlan, which it builds
// for prog and extra at its first draw: a check draws for the same
// expressions every time.
func (s *session) randomEnv(rng *rand.Rand, prog *ast.Program, sizes map[ast.Dim]int, dom domain, extra []*ast.Node) *Env {
	if s.draws == nil {
		s.draws = newEnvPlan(prog, extra, s)
	}
	return s.draws.draw(rng, sizes, dom)
}

// envPlan is what randomEnv derives from the expressions alone: the
// variables to draw (prog's, then those only the expressions mention), the
// generic functions, and the size names of every shape.
type envPlan struct {
	vars  []*ast.Node
	funcs []string
	dims  map[ast.Dim]bool
}

// newEnvPlan lists the variables, functions and size names of prog and
// extra, in the order randomEnv draws them, walking their plan
// (s.eachNode: over the session's own).
func newEnvPlan(prog *ast.Program, extra []*ast.Node, s *session) *envPlan {
	var roots, vars []*ast.Node
	var funcs []string
	if prog != nil {
		vars = append(vars, prog.Vars...)
		funcs = append(funcs, prog.Funcs...)
		if prog.Root != nil {
			roots = append(roots, prog.Root)
		}
	}
	for _, e := range extra {
		if e != nil {
			roots = append(roots, e)
		}
	}

	dims := map[ast.Dim]bool{}
	added := map[ast.Dim]bool{} // the dims whose names are in dims
	addDims := func(s ast.Shape) {
		for _, d := range []ast.Dim{s.Rows, s.Cols} {
			if added[d] {
				continue
			}
			added[d] = true
			for _, p := range strings.Split(string(d), "·") {
				if !ast.Dim(p).IsNumber() {
					dims[ast.Dim(p)] = true
				}
			}
		}
	}
	seenVar := map[string]bool{}
	for _, v := range vars {
		seenVar[v.Name] = true
		addDims(v.Shape)
	}
	seenFunc := map[string]bool{}
	for _, f := range funcs {
		seenFunc[f] = true
	}
	// One walk over all roots (the nodes of their plan, in its order: a
	// node shared by two of them is visited once, in its first place).
	s.eachNode(roots, func(n *ast.Node) {
		addDims(n.Shape)
		switch n.Kind {
		case ast.KSize: // a size as a scalar (m·inv(Xᵀ)) needs a value even where no variable has it
			addDims(ast.Shape{Rows: ast.Dim(n.Name), Cols: ast.One})
		case ast.KVar:
			if !seenVar[n.Name] {
				seenVar[n.Name] = true
				vars = append(vars, n)
			}
		case ast.KApply:
			if !IsBuiltin(n.Name) && !seenFunc[n.Name] {
				seenFunc[n.Name] = true
				funcs = append(funcs, n.Name)
			}
		}
	})
	return &envPlan{vars: vars, funcs: funcs, dims: dims}
}

// draw draws an environment as RandomEnv describes.
func (ep *envPlan) draw(rng *rand.Rand, sizes map[ast.Dim]int, dom domain) *Env {
	env := &Env{
		Sizes:  assignSizes(ep.dims, sizes),
		Vals:   make(map[string]*mat.Dense, len(ep.vars)),
		Deltas: map[string]*mat.Dense{},
		Funcs:  make(map[string]Func, len(ep.funcs)),
	}
	for _, f := range ep.funcs {
		env.Funcs[f] = StandIn
	}
	// The values are carved from one block (a matrix each, capped to its
	// entries), not allocated one by one: a wide expression has thousands.
	shapes := make([][2]int, len(ep.vars))
	total := 0
	var last ast.Shape // most variables have the shape of the one before
	for k, v := range ep.vars {
		if k > 0 && v.Shape == last && shapes[k-1][0] >= 0 {
			shapes[k] = shapes[k-1]
			total += shapes[k][0] * shapes[k][1]
			continue
		}
		last = v.Shape
		r, c, err := resolveShape(v.Shape, env.Sizes)
		if err != nil {
			shapes[k] = [2]int{-1, -1} // cannot happen: every dim of v was assigned
			continue
		}
		shapes[k] = [2]int{r, c}
		total += r * c
	}
	b := &block{data: make([]float64, total), heads: make([]mat.Dense, len(ep.vars))}
	for k, v := range ep.vars {
		if r, c := shapes[k][0], shapes[k][1]; r >= 0 {
			env.Vals[v.Name] = randomValue(rng, b.dense(r, c), v.Props, dom)
		}
	}
	return env
}

// block hands out matrices of zeros carved from its entries and headers,
// each capped to its own entries, so that none can reach another's.
type block struct {
	data  []float64
	heads []mat.Dense
}

// dense returns the next r×c matrix of zeros of b, with stride c.
func (b *block) dense(r, c int) *mat.Dense {
	m := &b.heads[0]
	b.heads = b.heads[1:]
	m.SetRawMatrix(blas64.General{Rows: r, Cols: c, Stride: c, Data: b.data[: r*c : r*c]})
	b.data = b.data[r*c:]
	return m
}

// assignSizes returns given (copied) completed with values for the names of
// dims it lacks, in sorted order.
func assignSizes(dims map[ast.Dim]bool, given map[ast.Dim]int) map[ast.Dim]int {
	out := map[ast.Dim]int{}
	used := map[int]bool{}
	for d, v := range given {
		out[d] = v
		used[v] = true
	}
	var names []string
	for d := range dims {
		if _, ok := out[d]; !ok {
			names = append(names, string(d))
		}
	}
	sort.Strings(names)
	next := 0
	for _, name := range names {
		pick := -1
		for k := 0; k < len(defaultSizes); k++ {
			v := defaultSizes[(next+k)%len(defaultSizes)]
			if !used[v] {
				pick = (next + k) % len(defaultSizes)
				break
			}
		}
		if pick < 0 { // more names than values: cycle
			pick = next % len(defaultSizes)
		}
		v := defaultSizes[pick]
		out[ast.Dim(name)] = v
		used[v] = true
		next = pick + 1
	}
	return out
}

// randomValue draws a value with the properties p (see RandomEnv) into m,
// a matrix of zeros, and returns it.
func randomValue(rng *rand.Rand, m *mat.Dense, p ast.Props, dom domain) *mat.Dense {
	r, c := m.Dims()
	if p&ast.Positive != 0 && (dom == domainAny || dom == domainGentle) {
		dom = domainPositive
	}
	if p&ast.Positive != 0 && dom == domainWide {
		dom = domainWidePositive
	}
	if p&ast.Positive != 0 && dom == domainHuge {
		dom = domainHugePositive
	}
	if p&ast.Positive != 0 && dom == domainTiny {
		dom = domainTinyPositive
	}
	md := m.RawMatrix().Data // stride c
	switch {
	case p&ast.Integer != 0:
		md[0] = float64(2 + rng.IntN(3)) // k ∈ {2, 3, 4}: A^k, A^(k−1) are genuine powers
		return m
	case p&ast.Diagonal != 0 && r == c:
		if p&ast.PosDef != 0 && dom == domainAny {
			dom = domainPositive // spd diag: a positive diagonal
		}
		d := mat.NewDense(r, 1, nil)
		fill(d, rng, dom)
		for i, v := range d.RawMatrix().Data {
			md[i*c+i] = v
		}
		return m
	case p&ast.PosDef != 0 && r == c:
		a := mat.NewDense(r, c, nil)
		fill(a, rng, dom)
		m.Mul(a, a.T())
		m.Scale(1/float64(r), m)
		for i := 0; i < r; i++ {
			md[i*c+i]++
		}
		return m
	default:
		fill(m, rng, dom)
		if p&(ast.Symmetric|ast.PosDef) != 0 && r == c {
			symmetrise(m)
		}
		return m
	}
}

// fill sets every entry of m to a draw from dom, in row-major order.
func fill(m *mat.Dense, rng *rand.Rand, dom domain) {
	raw := m.RawMatrix()
	for i := 0; i < raw.Rows; i++ {
		for j := 0; j < raw.Cols; j++ {
			raw.Data[i*raw.Stride+j] = entry(rng, dom, raw.Rows == raw.Cols, i == j)
		}
	}
}

// entry draws one entry from dom; square and diag say where it lies (for
// domainGentle).
func entry(rng *rand.Rand, dom domain, square, diag bool) float64 {
	switch dom {
	case domainPositive:
		return 0.5 + 1.5*rng.Float64()
	case domainUnit:
		return 0.1 + 0.8*rng.Float64()
	case domainWide:
		return wideScale * rng.NormFloat64()
	case domainWidePositive:
		return 0.5 + (2*wideScale-0.5)*rng.Float64()
	case domainHuge:
		return 10 * wideScale * rng.NormFloat64()
	case domainHugePositive:
		return 0.5 + (20*wideScale-0.5)*rng.Float64()
	case domainTiny:
		return 0.05 * rng.NormFloat64()
	case domainTinyPositive:
		return 0.9 + 0.2*rng.Float64()
	case domainGentle:
		v := rng.NormFloat64()
		switch {
		case !square:
			return v * 0.5
		case diag:
			return 1 + 0.05*v
		}
		return v * 0.05
	}
	return rng.NormFloat64()
}

// symmetrise replaces the square m by (m + mᵀ)/2 in place.
func symmetrise(m *mat.Dense) {
	raw := m.RawMatrix()
	for i := 0; i < raw.Rows; i++ {
		for j := i + 1; j < raw.Rows; j++ {
			ij, ji := &raw.Data[i*raw.Stride+j], &raw.Data[j*raw.Stride+i]
			v := (*ij + *ji) / 2
			*ij, *ji = v, v
		}
	}
}

// isSym reports whether directions of v must be symmetric.
func isSym(v *ast.Node) bool {
	return v.Props&(ast.Symmetric|ast.PosDef) != 0 && v.Shape.IsSquare()
}

// isDiag reports whether directions of v must be diagonal.
func isDiag(v *ast.Node) bool { return v.Props&ast.Diagonal != 0 && v.Shape.IsSquare() }

// RandomDirection draws a direction Δ for the variable v: N(0,1) entries,
// symmetrised ((Δ + Δᵀ)/2) for a symmetric or positive definite v, zero off
// the diagonal for a diagonal v. Its size
// is that of v's value in env, or else v's shape resolved through
// env.Sizes; it returns nil when neither is known.
func RandomDirection(rng *rand.Rand, v *ast.Node, env *Env) *mat.Dense {
	var r, c int
	if x := env.Vals[v.Name]; x != nil {
		r, c = x.Dims()
	} else {
		var err error
		if r, c, err = resolveShape(v.Shape, env.Sizes); err != nil {
			return nil
		}
	}
	d := mat.NewDense(r, c, nil)
	fill(d, rng, domainAny)
	if isSym(v) && r == c {
		symmetrise(d)
	}
	if isDiag(v) {
		for i := range r {
			for j := range c {
				if i != j {
					d.RawMatrix().Data[i*c+j] = 0
				}
			}
		}
	}
	return d
}
