package mdiff_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"gonum.org/v1/gonum/mat"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/numeric"
	"github.com/mdiff/mdiff/parser"
	"github.com/mdiff/mdiff/render"
)

// What the goldens print is parsed back: every derivative in the ASCII
// format and in the JSON's "ascii" fields is parsed with the case's
// declarations and checked against finite differences of f, the gradient
// through mdiff check --grad.

// printed holds the ASCII of one derivative as printed, with the
// temporaries it may use.
type printed struct {
	wrt      string
	df       string // ⟨Δ, G⟩ for a scalar f, M(Δ) otherwise (without "Δ -> ")
	grad     string
	hess     string // H[Δ]
	hessMat  string
	jacobian string
}

// asciiLine is "label = expr   in R^{...}"; the note is at least three
// spaces after the expression.
var (
	asciiNote = regexp.MustCompile(`\s{3,}((\S+ )?in R(\^\{[^}]*\})?( (sym|spd|pos))*|\S+: R -> R)(, (\S+ in R(\^\{[^}]*\})?( (sym|spd|pos))*|\S+: R -> R))*$`)
	stepLine  = regexp.MustCompile(`^\s+\d+\. `)
	tempLabel = regexp.MustCompile(`^(where\s+)?(T\d+)$`)
)

// parseASCIIDoc reads the derivatives and temporaries of an --format ascii
// document.
func parseASCIIDoc(t *testing.T, doc string, res *ast.Result) ([]printed, [][2]string) {
	t.Helper()
	var ders []printed
	var temps [][2]string
	multi := len(res.Derivatives) > 1
	cur := func(name string) *printed {
		for i := range ders {
			if ders[i].wrt == name {
				return &ders[i]
			}
		}
		ders = append(ders, printed{wrt: name})
		return &ders[len(ders)-1]
	}
	single := ""
	if !multi && len(res.Derivatives) == 1 {
		single = res.Derivatives[0].Wrt.Name
	}
	for _, line := range strings.Split(strings.TrimSuffix(doc, "\n"), "\n") {
		if stepLine.MatchString(line) || strings.HasPrefix(line, "checked numerically") {
			continue
		}
		label, expr, ok := strings.Cut(line, " = ")
		if !ok {
			t.Errorf("ascii line without a label: %q", line)
			continue
		}
		label = strings.TrimSpace(label)
		expr = asciiNote.ReplaceAllString(expr, "")
		var m []string
		switch {
		case strings.HasPrefix(label, "f("):
		case label == "df":
			cur(single).df = strings.TrimPrefix(expr, "Delta -> ")
		case strings.HasPrefix(label, "d_") && strings.HasSuffix(label, " f"):
			cur(strings.TrimSuffix(strings.TrimPrefix(label, "d_"), " f")).df = strings.TrimPrefix(expr, "Delta -> ")
		case strings.HasPrefix(label, "grad_") && strings.HasSuffix(label, " f"):
			cur(strings.TrimSuffix(strings.TrimPrefix(label, "grad_"), " f")).grad = expr
		case strings.HasPrefix(expr, "none: "):
			// "J = none: why", "hess_X f = none: why" — no matrix exists.
		case strings.HasPrefix(label, "hess_") && strings.HasSuffix(label, " f"):
			cur(strings.TrimSuffix(strings.TrimPrefix(label, "hess_"), " f")).hessMat = expr
		case label == "H[Delta]":
			cur(single).hess = expr
		case strings.HasPrefix(label, "H_") && strings.HasSuffix(label, "[Delta]"):
			cur(strings.TrimSuffix(strings.TrimPrefix(label, "H_"), "[Delta]")).hess = expr
		case label == "J":
			cur(single).jacobian = expr
		case strings.HasPrefix(label, "J_"):
			cur(strings.TrimPrefix(label, "J_")).jacobian = expr
		default:
			if m = tempLabel.FindStringSubmatch(label); m != nil {
				temps = append(temps, [2]string{m[2], expr})
				continue
			}
			t.Errorf("unknown ascii label %q in %q", label, line)
		}
	}
	return ders, temps
}

// expandTemps replaces the temporaries in src by their definitions, in
// parentheses, last first (a definition may use the ones before it).
func expandTemps(src string, temps [][2]string) string {
	for i := len(temps) - 1; i >= 0; i-- {
		src = replaceIdent(src, temps[i][0], "("+temps[i][1]+")")
	}
	return src
}

// replaceIdent replaces the identifier name (a whole word of letters,
// digits and _) by repl.
func replaceIdent(src, name, repl string) string {
	isPart := func(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }
	var sb strings.Builder
	for i := 0; i < len(src); {
		r, w := utf8.DecodeRuneInString(src[i:])
		if !isPart(r) {
			sb.WriteRune(r)
			i += w
			continue
		}
		j := i
		for j < len(src) {
			r, w := utf8.DecodeRuneInString(src[j:])
			if !isPart(r) {
				break
			}
			j += w
		}
		if src[i:j] == name {
			sb.WriteString(repl)
		} else {
			sb.WriteString(src[i:j])
		}
		i = j
	}
	return sb.String()
}

// parseIn parses and type-checks src with the names of res (their shapes
// and properties) and Δ the direction of v (v may be nil).
func parseIn(src string, res *ast.Result, v *ast.Node) (*ast.Node, error) {
	prog := res.Program
	var decls []ast.Decl
	spelled := map[string]*ast.Node{} // Omega for Ω, as the ASCII format writes it
	for _, x := range prog.Vars {
		decls = append(decls, ast.Decl{Name: x.Name, Shape: x.Shape, Props: x.Props})
		if a := render.ASCIIName(x.Name); a != x.Name {
			spelled[a] = x
			decls = append(decls, ast.Decl{Name: a, Shape: x.Shape, Props: x.Props})
		}
	}
	for _, g := range prog.Funcs {
		decls = append(decls, ast.Decl{Name: g, Func: true})
	}
	const delta = "Δ"
	if v != nil {
		decls = append(decls, ast.Decl{Name: delta, Shape: v.Shape}, ast.Decl{Name: "Delta", Shape: v.Shape})
	}
	e, err := parser.Parse(src)
	if err != nil {
		return nil, err
	}
	p, err := ast.Check(src, e, decls)
	if err != nil {
		return nil, err
	}
	for _, x := range p.Vars {
		if x.Name != delta && x.Name != "Delta" && prog.Var(x.Name) == nil && spelled[x.Name] == nil {
			return nil, fmt.Errorf("%q uses %s, which f does not", src, x.Name)
		}
	}
	n := p.Root
	for _, name := range []string{delta, "Delta"} {
		if d := p.Var(name); d != nil {
			n = ast.Substitute(n, d, ast.Delta(v.Name, v.Shape))
		}
	}
	for a, x := range spelled {
		if d := p.Var(a); d != nil {
			n = ast.Substitute(n, d, x)
		}
	}
	return n, nil
}

// testASCIIBack proves the printed ASCII right: it parses every derivative
// back and compares it with finite differences of f.
func testASCIIBack(t *testing.T, c *goldenCase, res *ast.Result, doc string) {
	ders, temps := parseASCIIDoc(t, doc, res)
	checkPrinted(t, c, res, ders, temps)
}

// checkPrinted checks printed derivatives (ASCII, with temporaries) of res.
func checkPrinted(t *testing.T, c *goldenCase, res *ast.Result, ders []printed, temps [][2]string) {
	t.Helper()
	if len(ders) != len(res.Derivatives) {
		t.Fatalf("%d derivatives printed, %d derived", len(ders), len(res.Derivatives))
	}
	f := res.F
	nopts := numeric.Options{Seed: 7, Draws: 3}
	for i, p := range ders {
		d := res.Derivatives[i]
		v := d.Wrt
		if p.wrt != v.Name {
			t.Errorf("derivative %d printed for %s, derived for %s", i+1, p.wrt, v.Name)
			continue
		}
		parse := func(what, src string) *ast.Node {
			t.Helper()
			n, err := parseIn(expandTemps(src, temps), res, v)
			if err != nil {
				t.Errorf("%s with respect to %s: the printed %q does not parse back: %v", what, v.Name, src, err)
				return nil
			}
			return n
		}
		report := func(what, src string, rep numeric.Report, err error) {
			t.Helper()
			switch {
			case err != nil:
				t.Errorf("%s with respect to %s, printed %q: %v", what, v.Name, src, err)
			case !rep.OK:
				t.Errorf("%s with respect to %s, printed %q, disagrees with finite differences: relative error %.2g", what, v.Name, src, rep.RelErr)
			}
		}

		// The differential: ⟨Δ, G⟩ or M(Δ), against finite differences of f.
		var df *ast.Node
		if p.df == "" {
			t.Errorf("no differential printed for %s", v.Name)
		} else if df = parse("df", p.df); df != nil {
			if !df.HasDelta() {
				t.Errorf("the printed differential %q has no Δ", p.df)
			}
			rep, err := numeric.CheckDifferential(f, df, v, res.Program, nopts)
			report("df", p.df, rep, err)
		}

		// The gradient, as `mdiff check EXPR --wrt V --grad G` checks it.
		var grad *ast.Node
		switch {
		case f.IsScalar() && p.grad == "":
			t.Errorf("no gradient printed for %s", v.Name)
		case !f.IsScalar() && p.grad != "":
			t.Errorf("a gradient %q printed for a non-scalar f", p.grad)
		case f.IsScalar():
			cand := expandTemps(p.grad, temps)
			rep, err := mdiff.CheckCandidate(c.expr, mdiff.CheckOptions{Wrt: v.Name, Let: c.opts.Let, Candidate: cand, Seed: 7, Draws: 3})
			switch {
			case err != nil:
				t.Errorf("mdiff check %s --wrt %s %s --grad %s: %v", shellQuote([]string{c.expr}), v.Name, letArgs(c.opts.Let), shellQuote([]string{cand}), err)
			case !rep.OK:
				t.Errorf("mdiff check --grad %s fails: %s", shellQuote([]string{cand}), rep)
			}
			grad = parse("gradient", p.grad)
		}

		// H[Δ] is the differential of the gradient.
		var hess *ast.Node
		if d.Hessian != nil || p.hess != "" {
			h := parse("H[Δ]", p.hess)
			hess = h
			switch {
			case p.hess == "":
				t.Errorf("no H[Δ] printed")
			case h != nil && grad != nil:
				rep, err := numeric.CheckDifferential(grad, h, v, res.Program, nopts)
				report("H[Δ]", p.hess, rep, err)
			}
		}
		// The Hessian matrix M: H[Δ] = M·Δ, or vec(H[Δ]) = M·vec(Δ) for a
		// matrix variable (H[Δ] being proven above).
		if d.HessianMat != nil || p.hessMat != "" {
			switch m := parse("Hessian matrix", p.hessMat); {
			case p.hessMat == "":
				t.Errorf("no Hessian matrix printed")
			case m != nil && hess != nil && !v.IsScalar() && v.Shape.Cols != ast.One:
				err := checkVecJacobian(m, hess, v, res.Program)
				if err != nil && strings.Contains(err.Error(), "has no value") && d.HessianMat != nil {
					// I ⊗ A: the input syntax has no sized identity, so the I
					// read back has no size; the derived matrix, printed from
					// the same node, is checked instead.
					t.Logf("Hessian matrix %q does not read back sized (an identity inside kron); checking the derived matrix", p.hessMat)
					err = checkVecJacobian(d.HessianMat, hess, v, res.Program)
				}
				if err != nil {
					t.Errorf("Hessian matrix with respect to %s, printed %q: %v", v.Name, p.hessMat, err)
				}
			case m != nil && grad != nil:
				rep, err := numeric.CheckDifferential(grad, ast.Mul(m, ast.Delta(v.Name, v.Shape)), v, res.Program, nopts)
				report("Hessian matrix", p.hessMat, rep, err)
			}
		}
		// The Jacobian J: vec(df[Δ]) = J·vec(Δ), df being proven above.
		if d.Jacobian != nil || p.jacobian != "" {
			switch j := parse("Jacobian", p.jacobian); {
			case p.jacobian == "":
				t.Errorf("no Jacobian printed")
			case j != nil && df != nil:
				if err := checkVecJacobian(j, df, v, res.Program); err != nil {
					t.Errorf("Jacobian with respect to %s, printed %q: %v", v.Name, p.jacobian, err)
				}
			}
		}
	}
}

func letArgs(let []string) string {
	var parts []string
	for _, l := range let {
		parts = append(parts, "--let "+shellQuote([]string{l}))
	}
	return strings.Join(parts, " ")
}

// checkVecJacobian checks J·vec(Δ) = vec(df[Δ]) (column-major vec) on
// random inputs and directions.
func checkVecJacobian(j, df, v *ast.Node, prog *ast.Program) error {
	rng := rand.New(rand.NewPCG(5, 5))
	for range 3 {
		env := numeric.RandomEnv(rng, prog, nil)
		dir := numeric.RandomDirection(rng, v, env)
		env.Deltas = map[string]*mat.Dense{v.Name: dir}
		jm, err := numeric.Eval(j, env)
		if err != nil {
			return err
		}
		dm, err := numeric.Eval(df, env)
		if err != nil {
			return err
		}
		vd, want := numeric.Vec(dir), numeric.Vec(dm)
		jr, jc := jm.Dims()
		if wr, _ := want.Dims(); jr != wr || jc != len(vd.RawMatrix().Data) {
			return fmt.Errorf("J is %d×%d for vec(Δ) of length %d and vec(df) of length %d", jr, jc, len(vd.RawMatrix().Data), wr)
		}
		var got mat.Dense
		got.Mul(jm, vd)
		if e := relDiff(&got, want); e > 1e-9 {
			return fmt.Errorf("J·vec(Δ) differs from vec(df[Δ]): relative error %.2g", e)
		}
	}
	return nil
}

// relDiff is ‖a − b‖_F / max(‖a‖_F, ‖b‖_F), or ∞ when the sizes differ.
func relDiff(a, b *mat.Dense) float64 {
	ar, ac := a.Dims()
	br, bc := b.Dims()
	if ar != br || ac != bc {
		return math.Inf(1)
	}
	var d mat.Dense
	d.Sub(a, b)
	den := math.Max(math.Max(mat.Norm(a, 2), mat.Norm(b, 2)), 1e-300)
	if mat.Norm(&d, 2) == 0 {
		return 0
	}
	return mat.Norm(&d, 2) / den
}

// JSON.

type jsonForms struct {
	Text  string `json:"text"`
	ASCII string `json:"ascii"`
	LaTeX string `json:"latex"`
}

type jsonDoc struct {
	Input       string `json:"input"`
	Shape       string `json:"shape"`
	Derivatives []struct {
		Wrt           string     `json:"wrt"`
		Shape         string     `json:"shape"`
		Differential  jsonForms  `json:"differential"`
		Gradient      *jsonForms `json:"gradient"`
		Hessian       *jsonForms `json:"hessian"`
		HessianMatrix *jsonForms `json:"hessian_matrix"`
		Jacobian      *jsonForms `json:"jacobian"`
		Steps         []struct {
			Kind string     `json:"kind"`
			Rule string     `json:"rule"`
			Lhs  *jsonForms `json:"lhs"`
			Rhs  *jsonForms `json:"rhs"`
		} `json:"steps"`
	} `json:"derivatives"`
	Where []struct {
		Name string `json:"name"`
		jsonForms
	} `json:"where"`
	Check *struct {
		OK bool `json:"ok"`
	} `json:"check"`
}

// testJSONBack parses the "ascii" fields of the JSON back, as for the ASCII
// format, and checks "input", the shapes and "check".
func testJSONBack(t *testing.T, c *goldenCase, res *ast.Result, doc string) {
	var jd jsonDoc
	if err := json.Unmarshal([]byte(doc), &jd); err != nil {
		t.Fatalf("--format json: %v", err)
	}
	if jd.Shape != res.F.Shape.ASCII() {
		t.Errorf(`"shape" = %q, want %q`, jd.Shape, res.F.Shape.ASCII())
	}
	if jd.Check == nil || !jd.Check.OK {
		t.Errorf(`"check" = %+v, want an object with "ok": true`, jd.Check)
	}
	// "input" is f in the ASCII syntax (it never uses the temporaries).
	if in, err := parseIn(jd.Input, res, nil); err != nil {
		t.Errorf(`"input" %q does not parse back: %v`, jd.Input, err)
	} else if err := sameValue(in, res.F, res.Program); err != nil {
		t.Errorf(`"input" %q is not f: %v`, jd.Input, err)
	}
	var temps [][2]string
	for _, w := range jd.Where {
		temps = append(temps, [2]string{w.Name, w.ASCII})
	}
	var ders []printed
	for i, d := range jd.Derivatives {
		if i < len(res.Derivatives) {
			if want := res.Derivatives[i].Wrt.Shape.ASCII(); d.Shape != want {
				t.Errorf(`derivative %s: "shape" = %q, want %q`, d.Wrt, d.Shape, want)
			}
		}
		p := printed{wrt: d.Wrt, df: d.Differential.ASCII}
		for _, x := range []struct {
			f  *jsonForms
			to *string
		}{{d.Gradient, &p.grad}, {d.Hessian, &p.hess}, {d.HessianMatrix, &p.hessMat}, {d.Jacobian, &p.jacobian}} {
			if x.f != nil {
				*x.to = x.f.ASCII
			}
		}
		ders = append(ders, p)
	}
	checkPrinted(t, c, res, ders, temps)

	// The printed steps are true equations too: parse each side back.
	for i, d := range jd.Derivatives {
		if i >= len(res.Derivatives) {
			break
		}
		v := res.Derivatives[i].Wrt
		if c.opts.Steps && len(d.Steps) != len(res.Derivatives[i].Steps) {
			t.Errorf("%d steps printed for %s, %d derived", len(d.Steps), v.Name, len(res.Derivatives[i].Steps))
		}
		for k, st := range d.Steps {
			what := fmt.Sprintf("printed step %d for %s [%s]", k+1, v.Name, st.Rule)
			if st.Lhs == nil || st.Rhs == nil {
				t.Errorf("%s: a side is null", what)
				continue
			}
			lhs, err := parseIn(expandTemps(st.Lhs.ASCII, temps), res, v)
			if err != nil {
				t.Errorf("%s: %q does not parse back: %v", what, st.Lhs.ASCII, err)
				continue
			}
			rhs, err := parseIn(expandTemps(st.Rhs.ASCII, temps), res, v)
			if err != nil {
				t.Errorf("%s: %q does not parse back: %v", what, st.Rhs.ASCII, err)
				continue
			}
			switch st.Kind {
			case "rule":
				rep, err := numeric.CheckDifferential(lhs, rhs, v, res.Program, numeric.Options{Seed: 17, Draws: 3})
				if err == nil && !rep.OK {
					err = fmt.Errorf("relative error %.2g", rep.RelErr)
				}
				if err != nil {
					t.Errorf("%s: d(%s) = %s is false: %v", what, st.Lhs.ASCII, st.Rhs.ASCII, err)
				}
			case "identity", "read-off":
				if err := stepEqual(lhs, rhs, v, res.Program); err != nil {
					t.Errorf("%s: %s = %s is false: %v", what, st.Lhs.ASCII, st.Rhs.ASCII, err)
				}
			case "perturb":
				if err := stepPerturb(lhs, rhs, res.F, v, res.Program); err != nil {
					t.Errorf("%s: %s = %s + o(‖Δ‖) is false: %v", what, st.Lhs.ASCII, st.Rhs.ASCII, err)
				}
			default:
				t.Errorf("%s: unknown kind %q", what, st.Kind)
			}
		}
	}
}

// sameValue checks that a and b evaluate to the same value on random inputs.
func sameValue(a, b *ast.Node, prog *ast.Program) error {
	rep, err := numeric.SameValue(a, b, prog, numeric.Options{Seed: 3, Tol: 1e-12})
	if err != nil {
		return err
	}
	if !rep.OK {
		return fmt.Errorf("relative difference %.2g", rep.RelErr)
	}
	return nil
}

func TestExpandTemps(t *testing.T) {
	if got := expandTemps("2*T2*T1 + T12", [][2]string{{"T1", "D*R - X"}, {"T2", "T1'"}}); got != "2*((D*R - X)')*(D*R - X) + T12" {
		t.Errorf("expandTemps = %q", got)
	}
}
