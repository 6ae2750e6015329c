package render

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/mdiff/mdiff/ast"
)

// WriteNumPy writes r as a self-contained Python module (SPEC §5) that
// imports numpy and nothing else. It defines value(**kw); for a scalar f
// value_and_gradient(**kw), returning (f, G…), and gradient(**kw); always
// differential(delta_X, **kw); and, when r has a Hessian, hessian(delta_X,
// **kw) and, where a matrix exists, hessian_matrix(**kw) (acting on the
// column-major vec(delta) for a matrix variable). With several variables
// the derivative functions are named gradient_X, differential_X, ….
//
// The keyword arguments are named after the variables of r.Program (extra
// keywords are ignored); a generic function g arrives as kw["g"] and its
// derivative as kw["g_prime"]. Every function loads every variable and
// checks its shape against the declarations, raising TypeError for a
// missing argument and ValueError for a wrong shape, each naming the
// variable and the shape expected. Vectors are passed and returned as 1-D
// arrays, matrices as 2-D arrays, scalars as floats; inside, vectors are
// (n, 1) columns so that broadcasting follows the tree's shapes exactly.
//
// Every identifier written is checked (ASCII, not a Python keyword); names
// that are not ASCII identifiers are transliterated (λ → v_lambda) and
// accessed as kw["λ"]. The output is deterministic. WriteNumPy returns an
// error, and writes nothing, for what Python cannot express here: a second
// derivative of a generic function, an unknown function, a size that no
// input fixes.
func WriteNumPy(w io.Writer, r *ast.Result) error { return writePython(w, r, numpyDialect) }

// WriteTorch writes r as a Python module importing only torch, with the
// functions of [WriteNumPy] on tensors: inputs keep a floating dtype and
// device of their own (others become torch.float64), constants follow the
// first input, and value is differentiable by torch.autograd.
func WriteTorch(w io.Writer, r *ast.Result) error { return writePython(w, r, torchDialect) }

// pyDialect is what differs between NumPy and PyTorch: the import, the
// prelude, the spelling of the node kinds and the column of the operation
// table (ast.Spelling.NumPy, .Torch) that spells the built-in operations.
type pyDialect struct {
	lang    string // "numpy", "torch"
	module  string // the import line
	prelude string
	helpers map[string]string // written only when used, in helperOrder
	order   []string
	spell   map[string]string // the spelling of the node kinds (see infixLang.spell)
	column  func(sp ast.Spelling, scalarArg bool) (tmpl, helper string)
	helper  func(sp ast.Spelling) string // the helper an operation's spelling calls
	like    bool                         // constants take the dtype and device of the inputs (**like)
}

var numpyDialect = &pyDialect{
	lang:    "numpy",
	module:  "import numpy as np",
	prelude: numpyPrelude,
	spell: map[string]string{
		"eye": "np.eye(%s)", "ones": "np.ones(%s)", "zeros": "np.zeros(%s)",
		"inv": "np.linalg.inv(%s)", "matpow": "np.linalg.matrix_power(%s, %s)", "matpowsym": "np.linalg.matrix_power(%s, int(%s))",
		"bcast": "np.broadcast_to(%s, %s)", "multidot": "np.linalg.multi_dot([%s])", "inner": "np.sum(%s)",
	},
	column: func(sp ast.Spelling, scalarArg bool) (string, string) {
		if scalarArg && sp.NumPyScalar != "" {
			return sp.NumPyScalar, ""
		}
		return sp.NumPy, sp.NumPyHelper
	},
	helper: func(sp ast.Spelling) string { return sp.NumPyHelper },
}

var torchDialect = &pyDialect{
	lang:    "torch",
	module:  "import torch",
	prelude: torchPrelude,
	helpers: map[string]string{
		"_bcast": "def _bcast(z, shape, like):\n    return torch.broadcast_to(torch.as_tensor(z, **like), shape)\n",
	},
	order: []string{"_bcast"},
	spell: map[string]string{
		"eye": "torch.eye(%s, **like)", "ones": "torch.ones(%s, **like)", "zeros": "torch.zeros(%s, **like)",
		"inv": "torch.linalg.inv(%s)", "matpow": "torch.linalg.matrix_power(%s, %s)", "matpowsym": "torch.linalg.matrix_power(%s, int(%s))",
		"bcast": "_bcast(%s, %s, like)", "multidot": "torch.linalg.multi_dot([%s])", "inner": "torch.sum(%s)",
	},
	column: func(sp ast.Spelling, scalarArg bool) (string, string) {
		if scalarArg && sp.TorchScalar != "" {
			return sp.TorchScalar, ""
		}
		return sp.Torch, sp.TorchHelper
	},
	helper: func(sp ast.Spelling) string { return sp.TorchHelper },
	like:   true,
}

// infix is the dialect's expression language: Python's operators over its
// spelling table and its column of the operation table.
func (dl *pyDialect) infix() *infixLang {
	return &infixLang{lang: dl.lang, spell: dl.spell, matmul: " @ ", hadamard: " * ", divide: " / ", power: " ** ",
		transpose: ".T", recip: "1.0 / ", one: "1.0", zero: "0.0", size: "float(%s)", multiDot: true,
		tensorArgs: dl.like, shape: pyShape, bcastArgs: pyBcastArgs, column: dl.column}
}

// numpyPrelude loads, checks and converts inputs and outputs.
const numpyPrelude = `

def _arg(kw, name, label):
    if name not in kw:
        raise TypeError("missing argument %s (%s)" % (name, label))
    return kw[name]


def _as(z, name, kind):
    a = np.asarray(z, dtype=float)
    if kind == "scalar":
        if a.size != 1:
            raise ValueError("%s: expected a scalar, got shape %r" % (name, a.shape))
        return float(a.reshape(()))
    if kind == "vector":
        if a.ndim == 1 or (a.ndim == 2 and a.shape[1] == 1):
            return a.reshape(-1, 1)
        raise ValueError("%s: expected a vector (a 1-D array), got shape %r" % (name, a.shape))
    if a.ndim != 2:
        raise ValueError("%s: expected a matrix (a 2-D array), got shape %r" % (name, a.shape))
    return a


def _expect(name, a, want, label):
    if tuple(a.shape) != want:
        if " x " not in label:
            want, got = want[:1], tuple(a.shape[:1])
        else:
            got = tuple(a.shape)
        raise ValueError("%s: expected shape %s = %r, got %r" % (name, label, want, got))


def _out_scalar(z):
    return float(np.asarray(z, dtype=float).reshape(()))


def _out_vector(z, n):
    return np.array(np.broadcast_to(z, (n, 1)), dtype=float).reshape(n)


def _out_matrix(z, rows, cols):
    return np.array(np.broadcast_to(z, (rows, cols)), dtype=float)
`

// torchPrelude is numpyPrelude on tensors.
const torchPrelude = `

def _arg(kw, name, label):
    if name not in kw:
        raise TypeError("missing argument %s (%s)" % (name, label))
    return kw[name]


def _as(z, name, kind):
    a = z if torch.is_tensor(z) else torch.as_tensor(z, dtype=torch.float64)
    if not a.is_floating_point():
        a = a.to(torch.float64)
    if kind == "scalar":
        if a.numel() != 1:
            raise ValueError("%s: expected a scalar, got shape %r" % (name, tuple(a.shape)))
        return a.reshape(())
    if kind == "vector":
        if a.dim() == 1 or (a.dim() == 2 and a.shape[1] == 1):
            return a.reshape(-1, 1)
        raise ValueError("%s: expected a vector (a 1-D tensor), got shape %r" % (name, tuple(a.shape)))
    if a.dim() != 2:
        raise ValueError("%s: expected a matrix (a 2-D tensor), got shape %r" % (name, tuple(a.shape)))
    return a


def _expect(name, a, want, label):
    if tuple(a.shape) != want:
        if " x " not in label:
            want, got = want[:1], tuple(a.shape[:1])
        else:
            got = tuple(a.shape)
        raise ValueError("%s: expected shape %s = %r, got %r" % (name, label, want, got))


def _like(a):
    return {"dtype": a.dtype, "device": a.device}


def _out_scalar(z, like):
    return torch.as_tensor(z, **like).reshape(())


def _out_vector(z, n, like):
    return torch.broadcast_to(torch.as_tensor(z, **like), (n, 1)).reshape(n)


def _out_matrix(z, rows, cols, like):
    return torch.broadcast_to(torch.as_tensor(z, **like), (rows, cols)).clone()
`

func writePython(w io.Writer, r *ast.Result, dl *pyDialect) error {
	a, err := newAnswer(r)
	if err != nil {
		return err
	}
	m, err := lowerCode(a)
	if err != nil {
		return err
	}
	g := &pyGen{m: m, dl: dl, namer: newPyNamer("np", "torch", "kw", "like"), ids: map[string]string{}, used: map[string]bool{}, ops: map[*ast.Op]bool{}}
	var fns []string
	for _, f := range m.fns {
		s, err := g.function(f)
		if err != nil {
			return err
		}
		fns = append(fns, s)
	}
	var sb strings.Builder
	sb.WriteString("# Generated by mdiff. Do not edit.\n#\n")
	sb.WriteString("# f = " + a.fNames.ASCII(a.f) + "\n")
	for _, v := range a.vars {
		shape := v.Shape.ASCII()
		if v.Props&ast.Integer != 0 {
			shape = "int (a Python int)"
		}
		sb.WriteString("# " + v.Name + ": " + shape + "\n")
	}
	kind := "arrays"
	if dl.lang == "torch" {
		kind = "tensors"
	}
	sb.WriteString("#\n# Vectors are 1-D " + kind + " (n,), matrices 2-D " + kind + ", scalars floats")
	if dl.lang == "torch" {
		sb.WriteString(" (returned as 0-dim tensors)")
	}
	sb.WriteString(".\n# Pass every variable as a keyword argument")
	if len(m.funcs) > 0 {
		sb.WriteString("; a generic function g as g and g_prime")
	}
	sb.WriteString(".\n")
	if m.kronHessian() {
		sb.WriteString("# hessian_matrix of a matrix variable acts on vec(delta), its columns stacked.\n")
	}
	sb.WriteString("\n")
	sb.WriteString(dl.module + "\n")
	sb.WriteString(dl.prelude)
	for _, op := range ast.Ops() { // the helpers the table's spellings call, in table order
		if g.ops[op] {
			sb.WriteString("\n\n" + dl.helper(op.Print))
		}
	}
	for _, h := range dl.order {
		if g.used[h] {
			sb.WriteString("\n\n" + dl.helpers[h])
		}
	}
	for _, f := range fns {
		sb.WriteString("\n\n" + f)
	}
	if !strings.HasSuffix(sb.String(), "\n") {
		sb.WriteString("\n")
	}
	_, err = io.WriteString(w, sb.String())
	return err
}

// pyGen writes the functions of one module. Identifiers are handed out
// once per module so that every function uses the same local names.
type pyGen struct {
	m     *codeModule
	dl    *pyDialect
	namer *pyNamer
	ids   map[string]string // key ("v:X", "d:X", "s:n", "f:g", "f:g'") → identifier
	used  map[string]bool   // helpers
	ops   map[*ast.Op]bool  // operations whose row's helper is called
}

// id returns the module-wide identifier for key, made from prefix and word.
func (g *pyGen) id(key, prefix, word string) string {
	if s, ok := g.ids[key]; ok {
		return s
	}
	s, err := g.namer.name(prefix, word)
	if err != nil {
		panic(fmt.Sprintf("render.pyGen.id: %v", err)) // a prefix starting with a letter always makes an identifier
	}
	g.ids[key] = s
	return s
}

// kindOf is the loader kind of a shape.
func kindOf(s ast.Shape) string {
	switch {
	case s.IsScalar():
		return "scalar"
	case s.IsColVector():
		return "vector"
	}
	return "matrix"
}

// what describes an argument for a missing-argument message.
func what(s ast.Shape) string {
	switch {
	case s.IsScalar():
		return "a scalar"
	case s.IsColVector():
		return "a vector of length " + s.ASCII()
	}
	return "a matrix of shape " + s.ASCII()
}

// function writes def name(...): with its loads and checks, temporaries and
// return.
func (g *pyGen) function(f codeFunc) (string, error) {
	name := f.name(pyWord)
	if !validPyIdent(name) {
		return "", fmt.Errorf("render: invalid Python function name %q", name)
	}
	p := &codePrinter{names: f.names, delta: f.delta, lang: g.dl.lang, used: g.used, ops: g.ops,
		varID:  func(n string) string { return g.id("v:"+n, "v_", n) },
		sizeID: func(d ast.Dim) string { return g.id("s:"+string(d), "s_", string(d)) },
		funcID: func(key string) string {
			word := strings.Replace(key, "'", "_prime", 1)
			return g.id("f:"+key, "f_", word)
		},
		tempID: func(k int) string { return "T" + strconv.Itoa(k) },
		spell:  g.dl.infix().expr,
	}
	var lines []string
	param := ""
	if f.delta != nil {
		dp, err := g.deltaParam(f.delta)
		if err != nil {
			return "", err
		}
		param = dp + ", "
		p.deltaID = g.id("d:"+f.delta.Name, "d_", f.delta.Name)
	}
	// Load every variable, bind the sizes, check every shape.
	for _, v := range g.m.vars {
		ld := fmt.Sprintf("_as(_arg(kw, %s, %s), %s, %q)", pyString(v.Name), pyString(what(v.Shape)), pyString(v.Name), kindOf(v.Shape))
		if v.Props&ast.Integer != 0 {
			ld = "int(" + ld + ")" // k: int, a Python int
		}
		lines = append(lines, p.varID(v.Name)+" = "+ld)
	}
	for _, b := range g.m.bindings() {
		lines = append(lines, fmt.Sprintf("%s = %s.shape[%d]", p.sizeID(b.dim), p.varID(b.v.Name), b.axis))
	}
	check := func(label, id string, s ast.Shape) {
		if s.IsScalar() {
			return
		}
		lines = append(lines, fmt.Sprintf("_expect(%s, %s, (%s, %s), %s)", pyString(label), id, p.dim(s.Rows), p.dim(s.Cols), pyString(shapeLabel(s))))
	}
	for _, v := range g.m.vars {
		check(v.Name, p.varID(v.Name), v.Shape)
	}
	if f.delta != nil {
		dp := strings.TrimSuffix(param, ", ")
		lines = append(lines, fmt.Sprintf("%s = _as(%s, %s, %q)", p.deltaID, dp, pyString(dp), kindOf(f.delta.Shape)))
		check(dp, p.deltaID, f.delta.Shape)
	}
	if g.dl.like { // constants follow the first tensor input (a matrix or vector if there is one)
		ref := g.m.vars[0]
		for _, v := range g.m.vars {
			if !v.IsScalar() {
				ref = v
				break
			}
		}
		lines = append(lines, "like = _like("+p.varID(ref.Name)+")")
	}
	// The generic functions the function applies.
	fnLines := len(lines)
	var body []string
	for _, t := range f.temps {
		body = append(body, fmt.Sprintf("T%d = %s", f.names[t], p.defn(t)))
	}
	var rets []string
	for i, r := range f.results {
		p.self = nil // a result that is a temporary is returned by name
		e, _ := p.expr(r)
		rets = append(rets, g.result(p, e, f.shapes[i]))
	}
	if p.err != nil {
		return "", p.err
	}
	var fl []string
	for _, key := range sortedKeys(f.funcsUsed()) {
		word := strings.Replace(key, "'", "_prime", 1)
		fl = append(fl, fmt.Sprintf("%s = _arg(kw, %s, \"a function\")", p.funcID(key), pyString(word)))
	}
	lines = append(lines[:fnLines], append(fl, body...)...)
	lines = append(lines, "return "+strings.Join(rets, ", "))
	var sb strings.Builder
	fmt.Fprintf(&sb, "def %s(%s**kw):\n", name, param)
	fmt.Fprintf(&sb, "    \"\"\"Return %s.\"\"\"\n", pyDoc(f.doc))
	for _, l := range lines {
		sb.WriteString("    " + l + "\n")
	}
	return sb.String(), nil
}

// pyDoc keeps a docstring to safe characters.
func pyDoc(s string) string {
	s = pyWordSpaces(s)
	return strings.ReplaceAll(s, `"`, "'")
}

// pyWordSpaces transliterates the non-ASCII letters of a sentence.
func pyWordSpaces(s string) string {
	var parts []string
	for _, w := range strings.Fields(s) {
		parts = append(parts, pyWord(strings.Trim(w, ",.")))
		if strings.HasSuffix(w, ",") {
			parts[len(parts)-1] += ","
		}
	}
	return strings.Join(parts, " ")
}

// deltaParam is the name of the direction parameter, delta_X, chosen so
// that it is not also a variable's keyword.
func (g *pyGen) deltaParam(delta *ast.Node) (string, error) {
	p := "delta_" + pyWord(delta.Name)
	for g.m.a.r.Program != nil && g.m.a.r.Program.Var(p) != nil {
		p += "_"
	}
	if !validPyIdent(p) {
		return "", fmt.Errorf("render: cannot make a Python parameter for Δ of %q", delta.Name)
	}
	return p, nil
}

// result converts a returned expression to the exact output shape.
func (g *pyGen) result(p *codePrinter, e string, s ast.Shape) string {
	like := ""
	if g.dl.like {
		like = ", like"
	}
	switch {
	case s.IsScalar():
		return "_out_scalar(" + e + like + ")"
	case s.IsColVector():
		return "_out_vector(" + e + ", " + p.dim(s.Rows) + like + ")"
	}
	return "_out_matrix(" + e + ", " + p.dim(s.Rows) + ", " + p.dim(s.Cols) + like + ")"
}

func sortedKeys[K ~string, V any](m map[K]V) []K { return slices.Sorted(maps.Keys(m)) }

// pyString writes a Python string literal (ASCII only; Go's escapes are
// valid in Python).
func pyString(s string) string { return strconv.QuoteToASCII(s) }
