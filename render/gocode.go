package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mdiff/mdiff/ast"
)

// DefaultGoPackage is the package name of --format go without --name.
const DefaultGoPackage = "grad"

// goHelpers are the unexported helpers every generated file carries: the
// operations gonum spells as methods, as functions that return a new value.
// The helpers of built-in operations are their rows' (ast.Spelling.GoHelper),
// written when a function calls them.
const goHelpers = `
// The helpers below return new values and never modify their arguments.

func dense(name string, m *mat.Dense, r, c int, label string) *mat.Dense {
	if m == nil {
		panic("missing " + name + " (" + label + ")")
	}
	if mr, mc := m.Dims(); mr != r || mc != c {
		panic(fmt.Sprintf("%s: expected shape %s = %d x %d, got %d x %d", name, label, r, c, mr, mc))
	}
	return m
}

func vecDense(name string, x *mat.VecDense, n int, label string) *mat.Dense {
	if x == nil {
		panic("missing " + name + " (" + label + ")")
	}
	if x.Len() != n {
		panic(fmt.Sprintf("%s: expected length %s = %d, got %d", name, label, n, x.Len()))
	}
	return mat.DenseCopyOf(x)
}

func denseDim(name string, m *mat.Dense, axis int, label string) int {
	if m == nil {
		panic("missing " + name + " (" + label + ")")
	}
	r, c := m.Dims()
	if axis == 0 {
		return r
	}
	return c
}

func vecDim(name string, x *mat.VecDense, label string) int {
	if x == nil {
		panic("missing " + name + " (" + label + ")")
	}
	return x.Len()
}

func fn(name string, f func(float64) float64) func(float64) float64 {
	if f == nil {
		panic("missing " + name + " (a func(float64) float64)")
	}
	return f
}

func mul(ms ...*mat.Dense) *mat.Dense {
	out := ms[0]
	for _, m := range ms[1:] {
		var p mat.Dense
		p.Mul(out, m)
		out = &p
	}
	return out
}

func scale(s float64, a *mat.Dense) *mat.Dense {
	var out mat.Dense
	out.Scale(s, a)
	return &out
}

func add(ms ...*mat.Dense) *mat.Dense {
	out := mat.DenseCopyOf(ms[0])
	for _, m := range ms[1:] {
		out.Add(out, m)
	}
	return out
}

func hadamard(ms ...*mat.Dense) *mat.Dense {
	out := mat.DenseCopyOf(ms[0])
	for _, m := range ms[1:] {
		out.MulElem(out, m)
	}
	return out
}

func divElem(a, b *mat.Dense) *mat.Dense {
	var out mat.Dense
	out.DivElem(a, b)
	return &out
}

func transpose(a *mat.Dense) *mat.Dense { return mat.DenseCopyOf(a.T()) }

func inv(a *mat.Dense) *mat.Dense {
	var out mat.Dense
	if err := out.Inverse(a); err != nil {
		if _, ok := err.(mat.Condition); !ok {
			panic(err)
		}
	}
	return &out
}

func matPow(a *mat.Dense, k int) *mat.Dense {
	if k < 0 {
		a, k = inv(a), -k
	}
	var out mat.Dense
	out.Pow(a, k)
	return &out
}

func apply(f func(float64) float64, a *mat.Dense) *mat.Dense {
	var out mat.Dense
	out.Apply(func(_, _ int, x float64) float64 { return f(x) }, a)
	return &out
}

func powElem(a *mat.Dense, e float64) *mat.Dense {
	return apply(func(x float64) float64 { return math.Pow(x, e) }, a)
}

func inner(a, b *mat.Dense) float64 { return mat.Sum(hadamard(a, b)) }

func fill(s float64, r, c int) *mat.Dense {
	out := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			out.Set(i, j, s)
		}
	}
	return out
}

func eye(n int) *mat.Dense {
	out := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		out.Set(i, i, 1)
	}
	return out
}

func bcast(a *mat.Dense, r, c int) *mat.Dense {
	ar, ac := a.Dims()
	out := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			out.Set(i, j, a.At(i%ar, j%ac))
		}
	}
	return out
}

func at00(a *mat.Dense) float64 { return a.At(0, 0) }

func toVec(a *mat.Dense) *mat.VecDense {
	r, _ := a.Dims()
	return mat.NewVecDense(r, mat.Col(nil, 0, a))
}

func out(a *mat.Dense) *mat.Dense { return mat.DenseCopyOf(a) }

// Silence "imported and not used" for files that need no formatting.
var _ = fmt.Sprint
`

// goField makes the Vars field of a name: Greek letters spelled out, the
// first letter upper-cased.
func goField(name string) string {
	w := pyWord(name)
	r, size := utf8.DecodeRuneInString(w)
	return string(unicode.ToUpper(r)) + w[size:]
}

// goType is the Go type of a value of shape s.
func goType(s ast.Shape) string {
	switch {
	case s.IsScalar():
		return "float64"
	case s.IsColVector():
		return "*mat.VecDense"
	}
	return "*mat.Dense"
}

// goCase writes a snake-case function name in Go's case: value_and_gradient
// → ValueAndGradient.
func goCase(s string) string {
	var sb strings.Builder
	for _, part := range strings.Split(s, "_") {
		if part == "" {
			continue
		}
		r, size := utf8.DecodeRuneInString(part)
		sb.WriteString(string(unicode.ToUpper(r)) + part[size:])
	}
	return sb.String()
}

// WriteGo writes r as one Go source file (SPEC §5): package name (default
// grad), importing the standard library and gonum only; a Vars struct with
// one field per variable (Greek spelled out, the first letter upper-cased,
// _ appended while taken; *mat.Dense, *mat.VecDense or float64) and two
// func(float64) float64 fields per generic function; and Value,
// ValueAndGradient, Gradient (GradientX with several --wrt), Differential,
// Hessian and HessianMatrix (on the column-major vec(Δ) for a matrix
// variable), and for one --wrt of a scalar f Problem, a gonum
// optimize.Problem over the variable flattened row-major. The functions
// panic with the variable and the shape expected on a missing or
// mis-shaped input. The file is written as gofmt writes it (gofmt.go).
func WriteGo(w io.Writer, r *ast.Result, pkg string) error {
	if pkg == "" {
		pkg = DefaultGoPackage
	}
	if err := CheckName(FormatGo, pkg); err != nil {
		return fmt.Errorf("render: go: %v", err)
	}
	a, err := newAnswer(r)
	if err != nil {
		return err
	}
	m, err := lowerCode(a)
	if err != nil {
		return err
	}
	g := &goGen{m: m, fields: map[string]string{}, namer: newPyNamer(goReserved()...), ids: map[string]string{}, ops: map[*ast.Op]bool{}}
	taken := map[string]bool{}
	var fieldLines [][3]string // name, type, comment
	for _, v := range m.vars {
		f := goField(v.Name)
		for taken[f] {
			f += "_"
		}
		taken[f] = true
		g.fields[v.Name] = f
		fieldLines = append(fieldLines, [3]string{f, goType(v.Shape), goComment(v.Name) + ": " + goComment(v.Shape.ASCII())})
	}
	for _, fn := range m.funcs {
		for _, key := range []string{fn, fn + "'"} {
			f := goField(fn)
			if strings.HasSuffix(key, "'") {
				f += "Prime"
			}
			for taken[f] {
				f += "_"
			}
			taken[f] = true
			g.fields[key] = f
			fieldLines = append(fieldLines, [3]string{f, "func(float64) float64", goComment(strings.Replace(key, "'", "′", 1))})
		}
	}
	var body strings.Builder
	for _, f := range m.fns {
		s, err := g.function(f)
		if err != nil {
			return err
		}
		body.WriteString("\n" + s)
	}
	problem := ""
	if len(a.ders) == 1 && a.f.IsScalar() {
		problem = g.problem(a.ders[0])
	}
	var sb strings.Builder
	sb.WriteString("// Code generated by mdiff. DO NOT EDIT.\n\n")
	sb.WriteString("// Package " + pkg + " evaluates f = " + goComment(a.fNames.ASCII(a.f)) + " and its derivatives.\n")
	sb.WriteString("// Vectors are *mat.VecDense, matrices *mat.Dense, scalars float64.\n")
	if m.kronHessian() {
		sb.WriteString("// HessianMatrix of a matrix variable acts on vec(Δ), its columns stacked.\n")
	}
	sb.WriteString("package " + pkg + "\n\nimport (\n\t\"fmt\"\n\t\"math\"\n\n\t\"gonum.org/v1/gonum/mat\"\n")
	if problem != "" {
		sb.WriteString("\t\"gonum.org/v1/gonum/optimize\"\n")
	}
	sb.WriteString(")\n\n")
	sb.WriteString("// Vars holds the variables of f.\ntype Vars struct {\n" + goFields(fieldLines) + "}\n")
	sb.WriteString(body.String())
	sb.WriteString(problem)
	sb.WriteString(goHelpers)
	for _, op := range ast.Ops() { // the helpers the table's spellings call, in table order
		if g.ops[op] {
			sb.WriteString("\n" + op.Print.GoHelper)
		}
	}
	_, err = io.WriteString(w, sb.String())
	return err
}

// goReserved are the identifiers a local name must not take: keywords,
// the imports, the helpers.
func goReserved() []string {
	out := []string{"fmt", "math", "mat", "optimize", "v", "delta", "dense", "vecDense", "fn", "mul", "scale", "add",
		"hadamard", "divElem", "transpose", "inv", "matPow", "apply", "powElem", "logdet", "diagMat", "diagVec",
		"logsumexp", "softmax", "inner", "mean", "vec", "norm1", "fill", "eye", "bcast", "kron", "at00", "toVec", "out", "sign", "relu",
		"step", "sigmoid", "softplus"}
	for _, k := range []string{"break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough",
		"for", "func", "go", "goto", "if", "import", "interface", "map", "package", "range", "return", "select",
		"struct", "switch", "type", "var"} {
		out = append(out, k)
	}
	return out
}

// goFields writes the fields of a struct as gofmt aligns them: names,
// types and comments in columns.
func goFields(fields [][3]string) string {
	wn, wt := 0, 0
	for _, f := range fields {
		wn, wt = max(wn, len(f[0])), max(wt, len(f[1]))
	}
	var sb strings.Builder
	for _, f := range fields {
		fmt.Fprintf(&sb, "\t%-*s %-*s // %s\n", wn, f[0], wt, f[1], f[2])
	}
	return sb.String()
}

// goComment keeps a comment to ASCII (Greek letters spelled out).
func goComment(s string) string {
	var sb strings.Builder
	for _, r := range s {
		if r >= ' ' && r < utf8.RuneSelf {
			sb.WriteRune(r)
		} else {
			sb.WriteString(pyWord(string(r)))
		}
	}
	return sb.String()
}

type goGen struct {
	ops    map[*ast.Op]bool // operations whose row's helper is called
	m      *codeModule
	fields map[string]string // variable name or generic key → Vars field
	namer  *pyNamer
	ids    map[string]string
}

func (g *goGen) id(key, prefix, word string) string {
	if s, ok := g.ids[key]; ok {
		return s
	}
	s, err := g.namer.name(prefix, word)
	if err != nil {
		panic(fmt.Sprintf("render.goGen.id: %v", err))
	}
	g.ids[key] = s
	return s
}

// goName is the Go name of a function: Value, GradientX.
func (g *goGen) goName(f codeFunc) string {
	n := goCase(f.kind)
	if f.wrt != nil && f.multi {
		n += g.fields[f.wrt.Name]
	}
	return n
}

func (g *goGen) function(f codeFunc) (string, error) {
	used := map[string]bool{}
	p := &codePrinter{names: f.names, delta: f.delta, lang: "go", used: used,
		varID: func(n string) string {
			used["v:"+n] = true
			return g.id("v:"+n, "v_", n)
		},
		sizeID: func(d ast.Dim) string { return g.id("s:"+string(d), "s_", string(d)) },
		funcID: func(key string) string {
			used["f:"+key] = true
			return g.id("f:"+key, "f_", strings.Replace(key, "'", "_prime", 1))
		},
		tempID: func(k int) string { return "T" + strconv.Itoa(k) },
	}
	p.spell = g.expr
	if f.delta != nil {
		p.deltaID = g.id("d:"+f.delta.Name, "d_", f.delta.Name)
	}
	var body []string
	for _, t := range f.temps {
		body = append(body, fmt.Sprintf("T%d := %s", f.names[t], p.defn(t)))
	}
	var rets []string
	for i, r := range f.results {
		p.self = nil // a result that is a temporary is returned by name
		s, _ := p.expr(r)
		switch sh := f.shapes[i]; {
		case sh.IsScalar():
		case sh.IsColVector():
			s = "toVec(" + g.mat(r, s) + ")"
		default:
			s = "out(" + g.mat(r, s) + ")"
		}
		rets = append(rets, s)
	}
	if p.err != nil {
		return "", p.err
	}
	var lines []string
	for _, b := range g.m.bindings() {
		src := "v." + g.fields[b.v.Name]
		if b.v.Shape.IsColVector() {
			lines = append(lines, fmt.Sprintf("%s := vecDim(%q, %s, %q)", p.sizeID(b.dim), b.v.Name, src, shapeLabel(b.v.Shape)))
		} else {
			lines = append(lines, fmt.Sprintf("%s := denseDim(%q, %s, %d, %q)", p.sizeID(b.dim), b.v.Name, src, b.axis, shapeLabel(b.v.Shape)))
		}
	}
	load := func(label, id, src string, s ast.Shape, isUsed bool) {
		var e string
		switch {
		case s.IsScalar():
			if isUsed {
				lines = append(lines, fmt.Sprintf("%s := %s", id, src))
			}
			return
		case s.IsColVector():
			e = fmt.Sprintf("vecDense(%q, %s, %s, %q)", label, src, p.dim(s.Rows), shapeLabel(s))
		default:
			e = fmt.Sprintf("dense(%q, %s, %s, %s, %q)", label, src, p.dim(s.Rows), p.dim(s.Cols), shapeLabel(s))
		}
		if isUsed {
			e = id + " := " + e
		}
		lines = append(lines, e)
	}
	for _, v := range g.m.vars {
		load(v.Name, g.id("v:"+v.Name, "v_", v.Name), "v."+g.fields[v.Name], v.Shape, used["v:"+v.Name])
	}
	if f.delta != nil {
		load("delta", p.deltaID, "delta", f.delta.Shape, true)
		lines = append(lines, "_ = "+p.deltaID)
	}
	for _, key := range sortedKeys(f.funcsUsed()) {
		lines = append(lines, fmt.Sprintf("%s := fn(%q, v.%s)", p.funcID(key), g.fields[key], g.fields[key]))
	}
	lines = append(lines, body...)
	lines = append(lines, "return "+strings.Join(rets, ", "))
	params := "v *Vars"
	if f.delta != nil {
		params += ", delta " + goType(f.delta.Shape)
	}
	var types []string
	for _, s := range f.shapes {
		types = append(types, goType(s))
	}
	res := strings.Join(types, ", ")
	if len(types) > 1 {
		res = "(" + res + ")"
	}
	name := g.goName(f)
	var sb strings.Builder
	fmt.Fprintf(&sb, "// %s returns %s.\n", name, goComment(f.doc))
	fmt.Fprintf(&sb, "func %s(%s) %s {\n", name, params, res)
	for _, l := range lines {
		sb.WriteString("\t" + gofmtStmt(l) + "\n")
	}
	sb.WriteString("}\n")
	return sb.String(), nil
}

// problem writes Problem for the one variable of d.
func (g *goGen) problem(d derivative) string {
	x := d.Wrt
	fld := g.fields[x.Name]
	var at, flat, unflat, dims string
	switch {
	case x.IsScalar():
		dims = ""
		at = "w." + fld + " = x[0]"
		flat = "[]float64{%s}"
		unflat = "e[0]"
	case x.Shape.IsColVector():
		dims = "n := v." + fld + ".Len()\n\t_ = n\n"
		at = "w." + fld + " = mat.NewVecDense(len(x), append([]float64(nil), x...))"
		flat = "mat.Col(nil, 0, %s)"
		unflat = "mat.NewVecDense(len(e), e)"
	default:
		dims = "r, c := v." + fld + ".Dims()\n"
		at = "w." + fld + " = mat.NewDense(r, c, append([]float64(nil), x...))"
		flat = "mat.DenseCopyOf(%s).RawMatrix().Data"
		unflat = "mat.NewDense(r, c, e)"
	}
	var sb strings.Builder
	sb.WriteString("\n// Problem is f as a gonum optimize.Problem over " + goComment(x.Name) + " flattened row-major (the other variables fixed at v).\n")
	sb.WriteString("func Problem(v *Vars) optimize.Problem {\n")
	if dims != "" {
		sb.WriteString("\t" + dims)
	}
	sb.WriteString("\tat := func(x []float64) *Vars {\n\t\tw := *v\n\t\t" + at + "\n\t\treturn &w\n\t}\n")
	sb.WriteString("\treturn optimize.Problem{\n")
	sb.WriteString("\t\tFunc: func(x []float64) float64 { return Value(at(x)) },\n")
	sb.WriteString("\t\tGrad: func(grad, x []float64) { copy(grad, " + fmt.Sprintf(flat, "Gradient(at(x))") + ") },\n")
	if d.Hessian != nil {
		sb.WriteString("\t\tHess: func(hess *mat.SymDense, x []float64) {\n")
		sb.WriteString("\t\t\tw := at(x)\n\t\t\tk := len(x)\n\t\t\tcols := make([][]float64, k)\n")
		sb.WriteString("\t\t\tfor j := range cols {\n\t\t\t\te := make([]float64, k)\n\t\t\t\te[j] = 1\n")
		sb.WriteString("\t\t\t\tcols[j] = " + fmt.Sprintf(flat, "Hessian(w, "+unflat+")") + "\n\t\t\t}\n")
		sb.WriteString("\t\t\tfor i := 0; i < k; i++ {\n\t\t\t\tfor j := i; j < k; j++ {\n\t\t\t\t\thess.SetSym(i, j, (cols[j][i]+cols[i][j])/2)\n\t\t\t\t}\n\t\t\t}\n\t\t},\n")
	}
	sb.WriteString("\t}\n}\n")
	return sb.String()
}

// mat writes n (already spelled s) as a *mat.Dense: a scalar as 1×1.
func (g *goGen) mat(n *ast.Node, s string) string {
	if n.IsScalar() {
		return "fill(" + s + ", 1, 1)"
	}
	return s
}

// m spells n in a matrix context.
func (g *goGen) mx(p *codePrinter, n *ast.Node) string {
	return g.mat(n, p.at(n, precLowest))
}

// expr spells n (not a temporary's name) in Go: float64 for a scalar
// shape, *mat.Dense otherwise.
func (g *goGen) expr(p *codePrinter, n *ast.Node) (string, int) {
	call := func(fn string, args ...string) (string, int) {
		return fn + "(" + strings.Join(args, ", ") + ")", precAtom
	}
	sc := n.IsScalar()
	if n.Kind == ast.KMul || isDivPow(n) {
		return g.mul(p, n)
	}
	switch n.Kind {
	case ast.KVar:
		return p.varID(n.Name), precAtom
	case ast.KNum:
		return codeRat(n.Num, true)
	case ast.KDelta:
		return p.deltaID, precAtom
	case ast.KSize:
		return "float64(" + p.dim(ast.Dim(n.Name)) + ")", precAtom
	case ast.KIdentity:
		if sc {
			return "1.0", precAtom
		}
		return call("eye", p.dim(n.Shape.Rows))
	case ast.KOnes, ast.KZero:
		v := "1.0"
		if n.Kind == ast.KZero {
			v = "0.0"
		}
		if sc {
			return v, precAtom
		}
		return call("fill", v, p.dim(n.Shape.Rows), p.dim(n.Shape.Cols))
	case ast.KAdd:
		if sc {
			var sb strings.Builder
			for i, t := range n.Args {
				if i == 0 {
					sb.WriteString(p.at(t, precSum))
					continue
				}
				s := p.at(t, ctxTerm)
				if rest, ok := strings.CutPrefix(s, "-"); ok {
					sb.WriteString(" - " + rest)
				} else {
					sb.WriteString(" + " + s)
				}
			}
			return sb.String(), precSum
		}
		var args []string
		for _, t := range n.Args {
			args = append(args, g.mx(p, t))
		}
		return call("add", args...)
	case ast.KHadamard, ast.KDiv:
		if sc {
			op := " * "
			if n.Kind == ast.KDiv {
				op = " / "
			}
			var parts []string
			for i, a := range n.Args {
				if i == 0 {
					parts = append(parts, p.at(a, ctxFactor))
				} else {
					parts = append(parts, p.operand(a, ctxFactor))
				}
			}
			return strings.Join(parts, op), precProd
		}
		var args []string
		for _, a := range n.Args {
			args = append(args, g.mx(p, a))
		}
		if n.Kind == ast.KDiv {
			return call("divElem", args...)
		}
		return call("hadamard", args...)
	case ast.KTranspose:
		if sc {
			return p.expr(n.Args[0])
		}
		return call("transpose", g.mx(p, n.Args[0]))
	case ast.KInverse:
		if sc {
			return "1 / " + p.operand(n.Args[0], ctxFactor), precProd
		}
		return call("inv", g.mx(p, n.Args[0]))
	case ast.KMatPow:
		if sc {
			return call("math.Pow", p.at(n.Args[0], precLowest), strconv.Itoa(n.K))
		}
		return call("matPow", g.mx(p, n.Args[0]), strconv.Itoa(n.K))
	case ast.KPow:
		if sc {
			return call("math.Pow", p.at(n.Args[0], precLowest), p.at(n.Args[1], precLowest))
		}
		return call("powElem", g.mx(p, n.Args[0]), p.at(n.Args[1], precLowest))
	case ast.KMatPowSym: // the exponent is an integer-valued float64 (k: int)
		return call("matPow", g.mx(p, n.Args[0]), "int(math.Round("+p.at(n.Args[1], precLowest)+"))")
	case ast.KApply:
		key, _, err := genericKey(n)
		if err != nil {
			return p.fail("%v", err), precAtom
		}
		fname := p.funcID(key)
		if sc {
			return call(fname, p.at(n.Args[0], precLowest))
		}
		return call("apply", fname, g.mx(p, n.Args[0]))
	case ast.KCall:
		return g.call(p, n)
	case ast.KInner:
		if n.Args[0].IsScalar() && n.Args[1].IsScalar() {
			return p.at(n.Args[0], ctxFactor) + " * " + p.operand(n.Args[1], ctxFactor), precProd
		}
		return call("inner", g.mx(p, n.Args[0]), g.mx(p, n.Args[1]))
	case ast.KBroadcast:
		a := n.Args[0]
		if a.IsScalar() {
			return call("fill", p.at(a, precLowest), p.dim(n.Shape.Rows), p.dim(n.Shape.Cols))
		}
		return call("bcast", g.mx(p, a), p.dim(n.Shape.Rows), p.dim(n.Shape.Cols))
	}
	return p.fail("unsupported node kind %v", n.Kind), precAtom
}

// goFloat makes an integer literal a float constant: 2.0 (1e308 is one).
func goFloat(s string) string {
	if strings.ContainsAny(s, ".eE") {
		return s
	}
	return s + ".0"
}

// scalarResult reports whether the Go spelling of op returns a float64:
// its result is a scalar for matrix operands.
func scalarResult(op *ast.Op) bool {
	switch op.Shape {
	case ast.SquareScalar, ast.AnyScalar, ast.ColumnScalar, ast.Constant:
		return true
	}
	return false
}

// call writes a built-in operation with its row's Go spelling
// (ast.Spelling.Go). An elementwise function is a func(float64) float64 (a
// name, or a template over x) applied to a float64 or mapped over a
// matrix by apply; any other operation takes *mat.Dense operands and
// returns a float64 (scalarResult) or a *mat.Dense, read with at00 where
// the node is 1×1.
func (g *goGen) call(p *codePrinter, n *ast.Node) (string, int) {
	tmpl := n.Op.Print.Go
	if n.Op.Print.GoHelper != "" {
		g.ops[n.Op] = true
	}
	switch {
	case tmpl == "":
		return p.fail("no Go form for %s", n.Name), precAtom
	case len(n.Args) == 0:
		return tmpl, precAtom
	}
	if n.Op.Elementwise {
		a := n.Args[0]
		if a.IsScalar() {
			x := p.at(a, precLowest)
			if strings.Contains(tmpl, "%") {
				return fmt.Sprintf(tmpl, x), precAtom
			}
			return tmpl + "(" + x + ")", precAtom
		}
		f := tmpl
		if strings.Contains(tmpl, "%") {
			f = "func(x float64) float64 { return " + fmt.Sprintf(tmpl, "x") + " }"
		}
		return "apply(" + f + ", " + g.mx(p, a) + ")", precAtom
	}
	args := make([]any, len(n.Args))
	strs := make([]string, len(n.Args))
	for i, a := range n.Args {
		strs[i] = g.mx(p, a)
		args[i] = strs[i]
	}
	var s string
	if strings.Contains(tmpl, "%") {
		s = fmt.Sprintf(tmpl, args...)
	} else {
		s = tmpl + "(" + strings.Join(strs, ", ") + ")"
	}
	if n.IsScalar() && !scalarResult(n.Op) {
		s = "at00(" + s + ")"
	}
	return s, precAtom
}

// mul writes a product: the scalar part with * and /, the matrix chain
// with mul, scaled by the scalar part; a 1×1 chain read with at00.
func (g *goGen) mul(p *codePrinter, n *ast.Node) (string, int) {
	m := newMulForm(n, false, p.isName)
	if one, ok := m.single(); ok {
		return p.expr(one)
	}
	var parts []string
	if m.showNum() || (len(m.factors) == 0) {
		parts = append(parts, goFloat(intText(m.num)))
	}
	var chain []string
	for _, a := range m.factors {
		if a.IsScalar() {
			parts = append(parts, p.operand(a, ctxFactor))
		} else {
			chain = append(chain, p.at(a, precLowest))
		}
	}
	scalar := strings.Join(parts, " * ")
	if m.hasDiv() {
		var den []string
		if !m.den.IsInt64() || m.den.Int64() != 1 {
			den = append(den, goFloat(intText(m.den)))
		}
		for _, d := range m.denoms {
			den = append(den, p.operand(d, ctxFactor))
		}
		if scalar == "" {
			scalar = "1.0"
		}
		if len(den) == 1 {
			scalar += " / " + den[0]
		} else {
			scalar += " / (" + strings.Join(den, " * ") + ")"
		}
	}
	if m.neg {
		if scalar == "" {
			scalar = "-1.0"
		} else {
			scalar = "-" + scalar
		}
	}
	if len(chain) == 0 {
		prec := precProd
		if m.neg {
			prec = precUnary
		}
		return scalar, prec
	}
	c := chain[0]
	if len(chain) > 1 {
		c = "mul(" + strings.Join(chain, ", ") + ")"
	}
	if n.IsScalar() { // a 1×1 chain: x'·A·x
		c = "at00(" + c + ")"
		if scalar == "" {
			return c, precAtom
		}
		return "(" + scalar + ") * " + c, precProd
	}
	if scalar == "" {
		return c, precAtom
	}
	return "scale(" + scalar + ", " + c + ")", precAtom
}
