// End-to-end golden tests: every worked example of the two seed documents
// (and a few more: logdet, inv, Hessians, Jacobians, --steps), in every
// output format, frozen in testdata/golden/*.txtar and — because a golden
// only freezes what the code printed — proven right numerically:
//
//   - mdiff.Verify with three seeds;
//   - the printed ASCII (and the JSON "ascii" fields) parsed back with the
//     case's declarations and compared with finite differences of f;
//   - every --steps line checked as an equation;
//   - the NumPy module executed and compared with the derived expressions;
//   - the LaTeX rendered by KaTeX and compiled by pdflatex;
//   - the JSON validated against testdata/mdiff.schema.json.
//
// Each archive holds the command-line arguments of `mdiff diff` (one per
// line, section "args", without "diff" and without --format) and one section
// per format. `go test . -run Golden -update` rewrites the format sections.
package mdiff_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"gonum.org/v1/gonum/mat"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/internal/testtool"
	"github.com/mdiff/mdiff/numeric"
	"github.com/mdiff/mdiff/parser"
	"github.com/mdiff/mdiff/render"
)

var update = flag.Bool("update", false, "rewrite the output sections of testdata/golden/*.txtar")

// goldenFormats are the output sections of an archive, in order.
var goldenFormats = []render.Format{render.FormatText, render.FormatASCII, render.FormatLaTeX, render.FormatNumPy, render.FormatJSON}

// cliSeed is the default of mdiff diff --seed.
const cliSeed = 1

// ---------------------------------------------------------------------------
// txtar: the format of golang.org/x/tools/txtar. go-internal's txtar package
// imports golang.org/x/tools/txtar, which is not in go.sum, so the few lines
// needed are here.

type archive struct {
	comment string
	files   []archiveFile
}

type archiveFile struct {
	name string
	data string
}

// markerName returns the name of a "-- name --" line, or "".
func markerName(line string) string {
	if !strings.HasPrefix(line, "-- ") || !strings.HasSuffix(line, " --") || len(line) < 6 {
		return ""
	}
	return strings.TrimSpace(line[3 : len(line)-3])
}

func parseArchive(data string) *archive {
	a := &archive{}
	var cur *archiveFile
	var sb strings.Builder
	flush := func() {
		if cur == nil {
			a.comment = sb.String()
		} else {
			cur.data = sb.String()
			a.files = append(a.files, *cur)
		}
		sb.Reset()
	}
	for _, line := range strings.SplitAfter(data, "\n") {
		if line == "" {
			continue
		}
		if name := markerName(strings.TrimSuffix(line, "\n")); name != "" {
			flush()
			cur = &archiveFile{name: name}
			continue
		}
		sb.WriteString(line)
	}
	flush()
	return a
}

func (a *archive) format() string {
	var sb strings.Builder
	sb.WriteString(a.comment)
	for _, f := range a.files {
		sb.WriteString("-- " + f.name + " --\n")
		sb.WriteString(f.data)
		if f.data != "" && !strings.HasSuffix(f.data, "\n") {
			sb.WriteString("\n")
		}
	}
	return sb.String()
}

func (a *archive) get(name string) (string, bool) {
	for _, f := range a.files {
		if f.name == name {
			return f.data, true
		}
	}
	return "", false
}

func (a *archive) set(name, data string) {
	for i := range a.files {
		if a.files[i].name == name {
			a.files[i].data = data
			return
		}
	}
	a.files = append(a.files, archiveFile{name: name, data: data})
}

// ---------------------------------------------------------------------------
// Cases.

// goldenCase is one archive with its arguments decoded.
type goldenCase struct {
	name string
	path string
	arc  *archive
	args []string
	expr string
	opts mdiff.Options
}

// parseArgs decodes the arguments of mdiff diff that the archives use.
func parseArgs(args []string) (string, mdiff.Options, error) {
	opts := mdiff.Options{Seed: cliSeed}
	var expr []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, val, hasVal := strings.Cut(a, "=")
		next := func() (string, error) {
			if hasVal {
				return val, nil
			}
			if i+1 >= len(args) {
				return "", fmt.Errorf("%s needs a value", name)
			}
			i++
			return args[i], nil
		}
		switch {
		case !strings.HasPrefix(a, "--"):
			expr = append(expr, a)
		case name == "--wrt" || name == "--let" || name == "--seed":
			v, err := next()
			if err != nil {
				return "", opts, err
			}
			switch name {
			case "--wrt":
				opts.Wrt = append(opts.Wrt, v)
			case "--let":
				opts.Let = append(opts.Let, v)
			default:
				s, err := strconv.ParseUint(v, 10, 64)
				if err != nil {
					return "", opts, fmt.Errorf("--seed %q: %v", v, err)
				}
				opts.Seed = s
			}
		case a == "--hessian":
			opts.Hessian = true
		case a == "--jacobian":
			opts.Jacobian = true
		case a == "--steps":
			opts.Steps = true
		default:
			return "", opts, fmt.Errorf("flag %s is not supported in a golden archive", a)
		}
	}
	if len(expr) != 1 {
		return "", opts, fmt.Errorf("want one expression among the args, got %q", expr)
	}
	return expr[0], opts, nil
}

func loadGoldenCases(t *testing.T) []*goldenCase {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "golden", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no testdata/golden/*.txtar")
	}
	var cases []*goldenCase
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		a := parseArchive(string(data))
		argText, ok := a.get("args")
		if !ok {
			t.Fatalf("%s: no -- args -- section", p)
		}
		args := strings.Split(strings.TrimSuffix(argText, "\n"), "\n")
		expr, opts, err := parseArgs(args)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		cases = append(cases, &goldenCase{
			name: strings.TrimSuffix(filepath.Base(p), ".txtar"),
			path: p, arc: a, args: args, expr: expr, opts: opts,
		})
	}
	return cases
}

// derive runs what `mdiff diff ARGS --format F` runs, for every format: the
// pipeline with the CLI's defaults, and the printers with a plain theme and no
// wrapping (standard output is not a terminal).
func (c *goldenCase) derive(t *testing.T) (*ast.Result, map[render.Format]string) {
	t.Helper()
	res, err := mdiff.Derive(c.expr, c.opts)
	if err != nil {
		t.Fatalf("mdiff diff %s: %v", shellQuote(c.args), err)
	}
	out := map[render.Format]string{}
	for _, f := range goldenFormats {
		var buf bytes.Buffer
		if err := render.Write(&buf, res, f, render.TextOptions{Theme: render.Plain()}); err != nil {
			t.Fatalf("mdiff diff %s --format %s: %v", shellQuote(c.args), f, err)
		}
		out[f] = buf.String()
	}
	return res, out
}

func shellQuote(args []string) string {
	var parts []string
	for _, a := range args {
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r == '-' || r == '_' || r == ',' || r == '.' || r == '/' || unicode.IsLetter(r) || unicode.IsDigit(r))
		}) < 0 {
			parts = append(parts, a)
			continue
		}
		parts = append(parts, "'"+strings.ReplaceAll(a, "'", `'\''`)+"'")
	}
	return strings.Join(parts, " ")
}

// maskCheck hides the digits of the numerical check's relative error. The
// goldens were made on amd64; other architectures may fuse multiply-adds and
// so print other rounding errors, which are no regression.
var checkNumber = regexp.MustCompile(`(relative error |"relative_error": )[-+0-9.eE]+`)

func maskCheck(s string) string {
	if runtime.GOARCH == "amd64" {
		return s
	}
	return checkNumber.ReplaceAllString(s, "${1}#")
}

// ---------------------------------------------------------------------------
// The golden test.

func TestGolden(t *testing.T) {
	for _, c := range loadGoldenCases(t) {
		t.Run(c.name, func(t *testing.T) {
			res, got := c.derive(t)

			// Deterministic: a second run prints the same bytes.
			_, again := c.derive(t)
			for _, f := range goldenFormats {
				if got[f] != again[f] {
					t.Errorf("--format %s differs between two runs:\n%s", f, lineDiff(got[f], again[f]))
				}
			}
			for _, f := range goldenFormats {
				if !strings.HasSuffix(got[f], "\n") {
					t.Errorf("--format %s does not end with a newline", f)
				}
				for _, line := range strings.Split(got[f], "\n") {
					if markerName(line) != "" {
						t.Errorf("--format %s has a line %q that a txtar archive cannot hold", f, line)
					}
				}
			}

			if *update {
				for _, f := range goldenFormats {
					c.arc.set(string(f), got[f])
				}
				if err := os.WriteFile(c.path, []byte(c.arc.format()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for _, f := range goldenFormats {
				want, ok := c.arc.get(string(f))
				if !ok {
					t.Errorf("%s: no -- %s -- section (run go test . -run Golden -update)", c.path, f)
					continue
				}
				if maskCheck(got[f]) != maskCheck(want) {
					t.Errorf("mdiff diff %s --format %s differs from %s (go test . -run Golden -update rewrites it):\n%s",
						shellQuote(c.args), f, c.path, lineDiff(want, got[f]))
				}
			}

			t.Run("verify", func(t *testing.T) { testVerifySeeds(t, res) })
			ascii, _ := c.arc.get(string(render.FormatASCII))
			t.Run("ascii", func(t *testing.T) { testASCIIBack(t, c, res, ascii) })
			js, _ := c.arc.get(string(render.FormatJSON))
			t.Run("json", func(t *testing.T) { testJSONBack(t, c, res, js) })
			if c.opts.Steps {
				t.Run("steps", func(t *testing.T) { testSteps(t, res) })
			}
			py, _ := c.arc.get(string(render.FormatNumPy))
			t.Run("numpy", func(t *testing.T) { testNumPy(t, c, res, py) })
		})
	}
}

// lineDiff is a small line diff: the first differing line and some context.
func lineDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	i := 0
	for i < len(wl) && i < len(gl) && wl[i] == gl[i] {
		i++
	}
	var sb strings.Builder
	for j := max(0, i-2); j < max(len(wl), len(gl)) && j < i+6; j++ {
		w, g := "", ""
		if j < len(wl) {
			w = wl[j]
		}
		if j < len(gl) {
			g = gl[j]
		}
		if w == g {
			fmt.Fprintf(&sb, "    %s\n", w)
			continue
		}
		if j < len(wl) {
			fmt.Fprintf(&sb, "  - %s\n", w)
		}
		if j < len(gl) {
			fmt.Fprintf(&sb, "  + %s\n", g)
		}
	}
	return sb.String()
}

// testVerifySeeds re-runs the numerical verification with three other seeds.
func testVerifySeeds(t *testing.T, res *ast.Result) {
	for _, seed := range []uint64{11, 12, 13} {
		v, err := mdiff.Verify(res, numeric.Options{Seed: seed, Draws: 3})
		if err != nil {
			t.Errorf("Verify(seed %d): %v", seed, err)
			continue
		}
		if !v.OK {
			t.Errorf("Verify(seed %d): relative error %.2g", seed, v.RelErr)
		}
	}
}

// ---------------------------------------------------------------------------
// Parsing the printed ASCII back.

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
	asciiNote = regexp.MustCompile(`\s{3,}(\S+ )?in R(\^\{[^}]*\})?(, \S+ in R(\^\{[^}]*\})?)*$`)
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
			cur(single).df = strings.TrimPrefix(expr, "Δ -> ")
		case strings.HasPrefix(label, "d_") && strings.HasSuffix(label, " f"):
			cur(strings.TrimSuffix(strings.TrimPrefix(label, "d_"), " f")).df = strings.TrimPrefix(expr, "Δ -> ")
		case strings.HasPrefix(label, "grad_") && strings.HasSuffix(label, " f"):
			cur(strings.TrimSuffix(strings.TrimPrefix(label, "grad_"), " f")).grad = expr
		case strings.HasPrefix(expr, "none: "):
			// "J = none: why", "hess_X f = none: why" — no matrix exists.
		case strings.HasPrefix(label, "hess_") && strings.HasSuffix(label, " f"):
			cur(strings.TrimSuffix(strings.TrimPrefix(label, "hess_"), " f")).hessMat = expr
		case label == "H[Δ]":
			cur(single).hess = expr
		case strings.HasPrefix(label, "H_") && strings.HasSuffix(label, "[Δ]"):
			cur(strings.TrimSuffix(strings.TrimPrefix(label, "H_"), "[Δ]")).hess = expr
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
	for _, x := range prog.Vars {
		decls = append(decls, ast.Decl{Name: x.Name, Shape: x.Shape, Props: x.Props})
	}
	for _, g := range prog.Funcs {
		decls = append(decls, ast.Decl{Name: g, Func: true})
	}
	const delta = "Δ"
	if v != nil {
		decls = append(decls, ast.Decl{Name: delta, Shape: v.Shape})
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
		if x.Name != delta && prog.Var(x.Name) == nil {
			return nil, fmt.Errorf("%q uses %s, which f does not", src, x.Name)
		}
	}
	n := p.Root
	if d := p.Var(delta); d != nil {
		n = ast.Substitute(n, d, ast.Delta(v.Name, v.Shape))
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
			var m *ast.Node
			if _, err := parseIn(expandTemps(p.hessMat, temps), res, v); err != nil && strings.Contains(err.Error(), "kron needs operands whose shapes are declared") {
				// I ⊗ A: the input syntax has no sized identity yet (open), so
				// the derived matrix, printed from the same node, is checked.
				t.Logf("Hessian matrix %q does not parse back (an identity of unknown size inside kron); checking the derived matrix", p.hessMat)
				m = d.HessianMat
			} else {
				m = parse("Hessian matrix", p.hessMat)
			}
			switch {
			case p.hessMat == "":
				t.Errorf("no Hessian matrix printed")
			case m != nil && hess != nil && !v.IsScalar() && v.Shape.Cols != ast.One:
				if err := checkVecJacobian(m, hess, v, res.Program); err != nil {
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

// ---------------------------------------------------------------------------
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
	rng := rand.New(rand.NewPCG(3, 3))
	for range 3 {
		env := numeric.RandomEnv(rng, prog, nil)
		av, err := numeric.Eval(a, env)
		if err != nil {
			return err
		}
		bv, err := numeric.Eval(b, env)
		if err != nil {
			return err
		}
		if e := relDiff(av, bv); e > 1e-12 {
			return fmt.Errorf("relative difference %.2g", e)
		}
	}
	return nil
}

// ---------------------------------------------------------------------------
// --steps: every line is a true equation.

func testSteps(t *testing.T, res *ast.Result) {
	n := 0
	for _, d := range res.Derivatives {
		v := d.Wrt
		for i, st := range d.Steps {
			n++
			what := fmt.Sprintf("step %d for %s [%s]: %s = %s", i+1, v.Name, st.Rule,
				render.Text(st.Lhs, render.Plain()), render.Text(st.Rhs, render.Plain()))
			var err error
			switch st.Kind {
			case ast.StepRule:
				// d[Lhs] along Δ = Rhs.
				var rep numeric.Report
				rep, err = numeric.CheckDifferential(st.Lhs, st.Rhs, v, res.Program, numeric.Options{Seed: 17, Draws: 3})
				if err == nil && !rep.OK {
					err = fmt.Errorf("the differential of the left side disagrees with finite differences: relative error %.2g", rep.RelErr)
				}
			case ast.StepIdentity, ast.StepReadOff:
				err = stepEqual(st.Lhs, st.Rhs, v, res.Program)
			case ast.StepPerturb:
				err = stepPerturb(st.Lhs, st.Rhs, res.F, v, res.Program)
			default:
				err = fmt.Errorf("unknown step kind %d", st.Kind)
			}
			if err != nil {
				t.Errorf("%s\n  %v", what, err)
			}
		}
	}
	if n == 0 {
		t.Errorf("--steps recorded no step")
	}
}

// drawEnv draws inputs that respect the declarations and a direction Δ of v
// (symmetric for a sym/spd v), redrawing where f is not finite.
func drawEnv(rng *rand.Rand, v *ast.Node, prog *ast.Program) *numeric.Env {
	var env *numeric.Env
	for range 20 {
		env = numeric.RandomEnv(rng, prog, nil)
		env.Deltas = map[string]*mat.Dense{v.Name: numeric.RandomDirection(rng, v, env)}
		if fv, err := numeric.Eval(prog.Root, env); err == nil && numeric.Finite(fv) {
			break
		}
	}
	return env
}

// stepEqual checks Lhs = Rhs exactly (up to rounding) at random inputs and
// directions.
func stepEqual(lhs, rhs, v *ast.Node, prog *ast.Program) error {
	if lhs.Shape != rhs.Shape {
		return fmt.Errorf("the sides have shapes %v and %v", lhs.Shape, rhs.Shape)
	}
	rng := rand.New(rand.NewPCG(19, 19))
	for range 3 {
		env := drawEnv(rng, v, prog)
		l, err := numeric.Eval(lhs, env)
		if err != nil {
			return err
		}
		r, err := numeric.Eval(rhs, env)
		if err != nil {
			return err
		}
		if e := relDiff(l, r); e > 1e-10 {
			return fmt.Errorf("the sides differ: relative error %.2g", e)
		}
	}
	return nil
}

// stepPerturb checks f(X + tΔ) − (f(X) + t·df[Δ]) = o(t): the remainder,
// relative to the linear term, shrinks with t.
func stepPerturb(lhs, rhs, f, v *ast.Node, prog *ast.Program) error {
	rng := rand.New(rand.NewPCG(23, 23))
	for range 3 {
		env := drawEnv(rng, v, prog)
		f0, err := numeric.Eval(f, env)
		if err != nil {
			return err
		}
		dir := env.Deltas[v.Name]
		remainder := func(s float64) (float64, error) {
			var sd mat.Dense
			sd.Scale(s, dir)
			env.Deltas[v.Name] = &sd
			l, err := numeric.Eval(lhs, env)
			if err != nil {
				return 0, err
			}
			r, err := numeric.Eval(rhs, env)
			if err != nil {
				return 0, err
			}
			var lin, rem mat.Dense
			lin.Sub(r, f0)
			rem.Sub(l, r)
			return mat.Norm(&rem, 2) / math.Max(mat.Norm(&lin, 2), 1e-300), nil
		}
		r1, err := remainder(1e-3)
		if err != nil {
			return err
		}
		r2, err := remainder(1e-4)
		if err != nil {
			return err
		}
		env.Deltas[v.Name] = dir
		if r2 > 1e-2 || (r2 > 1e-9 && r2 > 0.3*r1) {
			return fmt.Errorf("the remainder is not o(‖Δ‖): relative to the linear term %.2g at t = 1e-3, %.2g at t = 1e-4", r1, r2)
		}
	}
	return nil
}

// ---------------------------------------------------------------------------
// NumPy: execute the module.

// numpyDriver executes a module and calls its functions; it reads
// {"module", "funcs", "calls": [{"fn", "args", "kw"}]} and writes one
// {"type", "shape", "data"} (or {"error"}) per call. It also checks that the
// module imports nothing but numpy and the standard library.
const numpyDriver = `
import ast, json, sys
import numpy as np
req = json.load(sys.stdin)
src = open(req["module"], encoding="utf-8").read()
std = getattr(sys, "stdlib_module_names", ())
bad = []
for node in ast.walk(ast.parse(src)):
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    elif isinstance(node, ast.ImportFrom):
        names = [node.module or ""]
    else:
        continue
    for n in names:
        top = n.split(".")[0]
        if top != "numpy" and top not in std:
            bad.append(n)
ns = {"__name__": "mdiff_golden"}
exec(compile(src, req["module"], "exec"), ns)
def conv(v):
    if isinstance(v, list):
        return np.array(v, dtype=float)
    return float(v)
out = []
for call in req["calls"]:
    kw = {k: conv(v) for k, v in call["kw"].items()}
    for g in req["funcs"]:
        kw[g] = lambda z: np.sin(z) + z**2 / 2
        kw[g + "_prime"] = lambda z: np.cos(z) + z
    args = [conv(a) for a in call["args"]]
    fn = ns.get(call["fn"])
    if fn is None:
        out.append({"error": "no function " + call["fn"]})
        continue
    try:
        r = fn(*args, **kw)
        a = np.asarray(r, dtype=float)
        data = [x if np.isfinite(x) else None for x in a.ravel(order="C").tolist()]
        out.append({"type": type(r).__name__, "shape": list(a.shape), "data": data})
    except Exception as e:
        out.append({"error": repr(e)})
json.dump({"bad_imports": bad, "results": out}, sys.stdout)
`

type pyCall struct {
	Fn   string         `json:"fn"`
	Args []any          `json:"args"`
	Kw   map[string]any `json:"kw"`
}

type pyResult struct {
	Type  string     `json:"type"`
	Shape []int      `json:"shape"`
	Data  []*float64 `json:"data"`
	Error string     `json:"error"`
}

// toPy converts a value of shape s as the module takes it: scalars floats,
// column vectors 1-D lists, everything else 2-D lists.
func toPy(m *mat.Dense, s ast.Shape) any {
	r, c := m.Dims()
	switch {
	case s.IsScalar():
		return m.At(0, 0)
	case s.IsColVector():
		out := make([]float64, r)
		for i := range r {
			out[i] = m.At(i, 0)
		}
		return out
	}
	out := make([][]float64, r)
	for i := range r {
		out[i] = make([]float64, c)
		for j := range c {
			out[i][j] = m.At(i, j)
		}
	}
	return out
}

func testNumPy(t *testing.T, c *goldenCase, res *ast.Result, module string) {
	py := testtool.Python(t)
	dir := t.TempDir()
	modPath := filepath.Join(dir, "mdiff_golden.py")
	if err := os.WriteFile(modPath, []byte(module), 0o644); err != nil {
		t.Fatal(err)
	}
	type expect struct {
		what  string
		val   *mat.Dense
		shape ast.Shape
	}
	var calls []pyCall
	var want []expect
	rng := rand.New(rand.NewPCG(29, 29))
	multi := len(res.Derivatives) > 1
	for range 2 {
		env := numeric.RandomEnv(rng, res.Program, nil)
		kw := map[string]any{}
		for _, v := range res.Program.Vars {
			kw[v.Name] = toPy(env.Vals[v.Name], v.Shape)
		}
		add := func(fn string, args []any, n *ast.Node, shape ast.Shape) {
			val, err := numeric.Eval(n, env)
			if err != nil {
				t.Fatalf("Eval(%s): %v", render.Text(n, render.Plain()), err)
			}
			calls = append(calls, pyCall{Fn: fn, Args: args, Kw: kw})
			want = append(want, expect{what: fn, val: val, shape: shape})
		}
		add("value", []any{}, res.F, res.F.Shape)
		for _, d := range res.Derivatives {
			v := d.Wrt
			suffix := ""
			if multi {
				suffix = "_" + v.Name
			}
			dir := numeric.RandomDirection(rng, v, env)
			env.Deltas = map[string]*mat.Dense{v.Name: dir}
			args := []any{toPy(dir, v.Shape)}
			if d.Gradient != nil {
				add("gradient"+suffix, []any{}, d.Gradient, v.Shape)
				add("differential"+suffix, args, ast.Inner(ast.Delta(v.Name, v.Shape), d.Gradient), res.F.Shape)
			} else {
				add("differential"+suffix, args, d.Differential, res.F.Shape)
			}
			if d.Hessian != nil {
				add("hessian"+suffix, args, d.Hessian, v.Shape)
			}
		}
	}
	req, _ := json.Marshal(map[string]any{"module": modPath, "funcs": append([]string{}, res.Program.Funcs...), "calls": calls})
	cmd := exec.Command(py, "-c", numpyDriver)
	cmd.Stdin = bytes.NewReader(req)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.String())
	}
	var got struct {
		BadImports []string   `json:"bad_imports"`
		Results    []pyResult `json:"results"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("python output %q: %v", out, err)
	}
	if len(got.BadImports) > 0 {
		t.Errorf("the module imports %v (only numpy and the standard library are allowed)", got.BadImports)
	}
	if len(got.Results) != len(want) {
		t.Fatalf("python returned %d results for %d calls", len(got.Results), len(want))
	}
	for i, w := range want {
		g := got.Results[i]
		if g.Error != "" {
			t.Errorf("%s: %s", w.what, g.Error)
			continue
		}
		r, cols := w.val.Dims()
		var wantShape []int
		switch {
		case w.shape.IsScalar():
			if g.Type != "float" {
				t.Errorf("%s returned a %s, want a Python float", w.what, g.Type)
			}
		case w.shape.IsColVector():
			wantShape = []int{r}
		default:
			wantShape = []int{r, cols}
		}
		if !slices.Equal(g.Shape, wantShape) {
			t.Errorf("%s returned shape %v, want %v", w.what, g.Shape, wantShape)
			continue
		}
		gm := mat.NewDense(r, cols, nil)
		for k, x := range g.Data {
			if x == nil {
				t.Errorf("%s returned a non-finite entry", w.what)
				break
			}
			gm.Set(k/cols, k%cols, *x)
		}
		if e := relDiff(gm, w.val); e > 1e-8 {
			t.Errorf("%s differs from the derived expression: relative error %.2g", w.what, e)
		}
	}
}

// ---------------------------------------------------------------------------
// LaTeX: KaTeX and pdflatex.

// goldenLaTeX collects every LaTeX text of the goldens: the latex sections
// and the "latex" fields of the JSON.
func goldenLaTeX(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, c := range loadGoldenCases(t) {
		if s, ok := c.arc.get(string(render.FormatLaTeX)); ok {
			out = append(out, s)
		}
		if s, ok := c.arc.get(string(render.FormatJSON)); ok {
			var doc any
			if err := json.Unmarshal([]byte(s), &doc); err != nil {
				t.Fatalf("%s: json: %v", c.path, err)
			}
			out = append(out, latexFields(doc)...)
		}
	}
	return out
}

func latexFields(v any) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if s, ok := v[k].(string); ok && k == "latex" {
				out = append(out, s)
				continue
			}
			out = append(out, latexFields(v[k])...)
		}
	case []any:
		for _, x := range v {
			out = append(out, latexFields(x)...)
		}
	}
	return out
}

func TestGoldenLaTeXKaTeX(t *testing.T) {
	items := goldenLaTeX(t)
	for _, e := range testtool.KaTeX(t, items) {
		t.Errorf("KaTeX cannot render %s", e)
	}
	t.Logf("KaTeX rendered %d LaTeX texts", len(items))
}

func TestGoldenLaTeXPdflatex(t *testing.T) {
	if msg := testtool.Pdflatex(t, goldenLaTeX(t)); msg != "" {
		t.Fatalf("pdflatex: %s", msg)
	}
}

// ---------------------------------------------------------------------------
// JSON Schema (testdata/mdiff.schema.json) and a validator for the subset of
// JSON Schema it uses: type, required, properties, additionalProperties,
// items, minItems, enum, const, pattern, minLength, oneOf, anyOf, $ref to
// "#/$defs/…". No validator is in the module cache, and no dependency is
// added for one.

type schemaValidator struct {
	root map[string]any
}

func (sv *schemaValidator) validate(path string, s any, v any) []string {
	schema, ok := s.(map[string]any)
	if !ok {
		if b, ok := s.(bool); ok {
			if b {
				return nil
			}
			return []string{path + ": not allowed"}
		}
		return []string{path + ": bad schema"}
	}
	if ref, ok := schema["$ref"].(string); ok {
		name, found := strings.CutPrefix(ref, "#/$defs/")
		defs, _ := sv.root["$defs"].(map[string]any)
		target, ok := defs[name]
		if !found || !ok {
			return []string{path + ": unresolved $ref " + ref}
		}
		return sv.validate(path, target, v)
	}
	var errs []string
	if tv, ok := schema["type"]; ok {
		var types []string
		switch tv := tv.(type) {
		case string:
			types = []string{tv}
		case []any:
			for _, x := range tv {
				types = append(types, x.(string))
			}
		}
		if !slices.ContainsFunc(types, func(ty string) bool { return jsonHasType(v, ty) }) {
			return []string{fmt.Sprintf("%s: %s is not of type %s", path, jsonKind(v), strings.Join(types, " or "))}
		}
	}
	if en, ok := schema["enum"].([]any); ok {
		if !slices.ContainsFunc(en, func(x any) bool { return jsonEqual(x, v) }) {
			errs = append(errs, fmt.Sprintf("%s: %v is not one of %v", path, v, en))
		}
	}
	if cv, ok := schema["const"]; ok && !jsonEqual(cv, v) {
		errs = append(errs, fmt.Sprintf("%s: %v is not %v", path, v, cv))
	}
	if str, ok := v.(string); ok {
		if p, ok := schema["pattern"].(string); ok {
			re, err := regexp.Compile(p)
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s: bad pattern %q: %v", path, p, err))
			} else if !re.MatchString(str) {
				errs = append(errs, fmt.Sprintf("%s: %q does not match %s", path, str, p))
			}
		}
		if n, ok := schema["minLength"].(float64); ok && float64(utf8.RuneCountInString(str)) < n {
			errs = append(errs, fmt.Sprintf("%s: %q is shorter than %v", path, str, n))
		}
	}
	if obj, ok := v.(map[string]any); ok {
		if req, ok := schema["required"].([]any); ok {
			for _, k := range req {
				if _, ok := obj[k.(string)]; !ok {
					errs = append(errs, fmt.Sprintf("%s: missing required key %q", path, k))
				}
			}
		}
		props, _ := schema["properties"].(map[string]any)
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if ps, ok := props[k]; ok {
				errs = append(errs, sv.validate(path+"."+k, ps, obj[k])...)
			} else if ap, ok := schema["additionalProperties"]; ok {
				errs = append(errs, sv.validate(path+"."+k, ap, obj[k])...)
			}
		}
	}
	if arr, ok := v.([]any); ok {
		if n, ok := schema["minItems"].(float64); ok && float64(len(arr)) < n {
			errs = append(errs, fmt.Sprintf("%s: %d items, want at least %v", path, len(arr), n))
		}
		if is, ok := schema["items"]; ok {
			for i, x := range arr {
				errs = append(errs, sv.validate(fmt.Sprintf("%s[%d]", path, i), is, x)...)
			}
		}
	}
	for _, kw := range []string{"oneOf", "anyOf"} {
		alts, ok := schema[kw].([]any)
		if !ok {
			continue
		}
		matched := 0
		var sub []string
		for _, a := range alts {
			e := sv.validate(path, a, v)
			if len(e) == 0 {
				matched++
			} else {
				sub = append(sub, strings.Join(e, "; "))
			}
		}
		if (kw == "oneOf" && matched != 1) || (kw == "anyOf" && matched == 0) {
			errs = append(errs, fmt.Sprintf("%s: %d alternatives of %s match (%s)", path, matched, kw, strings.Join(sub, " | ")))
		}
	}
	return errs
}

func jsonHasType(v any, ty string) bool {
	switch ty {
	case "null":
		return v == nil
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "number":
		_, ok := v.(float64)
		return ok
	case "integer":
		f, ok := v.(float64)
		return ok && f == math.Trunc(f)
	case "array":
		_, ok := v.([]any)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	}
	return false
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case float64:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func loadSchema(t *testing.T) *schemaValidator {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "mdiff.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(data, &root); err != nil {
		t.Fatalf("mdiff.schema.json: %v", err)
	}
	return &schemaValidator{root: root}
}

func TestGoldenJSONSchema(t *testing.T) {
	sv := loadSchema(t)
	for _, c := range loadGoldenCases(t) {
		t.Run(c.name, func(t *testing.T) {
			s, ok := c.arc.get(string(render.FormatJSON))
			if !ok {
				t.Skip("no json section")
			}
			var doc any
			dec := json.NewDecoder(strings.NewReader(s))
			if err := dec.Decode(&doc); err != nil {
				t.Fatalf("json: %v", err)
			}
			if dec.More() {
				t.Errorf("more than one JSON value")
			}
			for _, e := range sv.validate("$", sv.root, doc) {
				t.Error(e)
			}
			// What a schema without if/then cannot say: "gradient" is null
			// exactly for a non-scalar f, and one derivative per --wrt.
			m := doc.(map[string]any)
			ders, _ := m["derivatives"].([]any)
			for _, d := range ders {
				d, _ := d.(map[string]any)
				if scalar := m["shape"] == "scalar"; scalar != (d["gradient"] != nil) {
					t.Errorf(`derivative %v: "gradient" is %v for f of shape %v`, d["wrt"], d["gradient"], m["shape"])
				}
			}
			res, err := mdiff.Derive(c.expr, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(ders) != len(res.Derivatives) {
				t.Errorf("%d derivatives, want %d (one per --wrt variable)", len(ders), len(res.Derivatives))
			}
		})
	}
}

// TestJSONSchemaRejects makes sure the schema and the validator are not
// vacuous: broken documents must fail.
func TestJSONSchemaRejects(t *testing.T) {
	sv := loadSchema(t)
	cases := loadGoldenCases(t)
	var good string
	for _, c := range cases {
		if strings.Contains(c.name, "dict_DR") {
			good, _ = c.arc.get(string(render.FormatJSON))
		}
	}
	if good == "" {
		good, _ = cases[0].arc.get(string(render.FormatJSON))
	}
	parse := func() map[string]any {
		var doc map[string]any
		if err := json.Unmarshal([]byte(good), &doc); err != nil {
			t.Fatal(err)
		}
		return doc
	}
	if errs := sv.validate("$", sv.root, parse()); len(errs) > 0 {
		t.Fatalf("the good document fails: %v", errs)
	}
	der := func(doc map[string]any) map[string]any { return doc["derivatives"].([]any)[0].(map[string]any) }
	for name, mutate := range map[string]func(map[string]any){
		"no input":              func(d map[string]any) { delete(d, "input") },
		"no derivatives":        func(d map[string]any) { delete(d, "derivatives") },
		"no where":              func(d map[string]any) { delete(d, "where") },
		"input not a string":    func(d map[string]any) { d["input"] = 3.0 },
		"bad shape":             func(d map[string]any) { d["shape"] = "n by p" },
		"derivatives an object": func(d map[string]any) { d["derivatives"] = map[string]any{} },
		"no wrt":                func(d map[string]any) { delete(der(d), "wrt") },
		"no gradient key":       func(d map[string]any) { delete(der(d), "gradient") },
		"gradient a string":     func(d map[string]any) { der(d)["gradient"] = "2*B" },
		"differential no latex": func(d map[string]any) { delete(der(d)["differential"].(map[string]any), "latex") },
		"where item no name":    func(d map[string]any) { d["where"] = []any{map[string]any{"text": "a", "ascii": "a", "latex": "a"}} },
		"where name not ident": func(d map[string]any) {
			d["where"] = []any{map[string]any{"name": "T 1", "text": "a", "ascii": "a", "latex": "a"}}
		},
		"check not an object": func(d map[string]any) { d["check"] = "ok" },
		"check without ok":    func(d map[string]any) { d["check"] = map[string]any{"relative_error": 1e-12} },
		"step with a wrong kind": func(d map[string]any) {
			der(d)["steps"] = []any{map[string]any{"kind": "magic", "rule": "r", "lhs": nil, "rhs": nil}}
		},
	} {
		doc := parse()
		mutate(doc)
		if errs := sv.validate("$", sv.root, doc); len(errs) == 0 {
			t.Errorf("%s: the schema accepts it", name)
		}
	}
}

// ---------------------------------------------------------------------------
// Sanity of the helpers themselves.

func TestGoldenHelpers(t *testing.T) {
	a := parseArchive("# c\n-- args --\nx\n--wrt\nx\n-- text --\nhello\n")
	if a.comment != "# c\n" || len(a.files) != 2 || a.files[1].data != "hello\n" {
		t.Fatalf("parseArchive = %+v", a)
	}
	if got := a.format(); got != "# c\n-- args --\nx\n--wrt\nx\n-- text --\nhello\n" {
		t.Errorf("format = %q", got)
	}
	if got := expandTemps("2*T2*T1 + T12", [][2]string{{"T1", "D*R - X"}, {"T2", "T1'"}}); got != "2*((D*R - X)')*(D*R - X) + T12" {
		t.Errorf("expandTemps = %q", got)
	}
	_, opts, err := parseArgs([]string{"x'*A*x", "--wrt=x", "--let", "x: n", "--hessian"})
	if err != nil || !opts.Hessian || opts.Wrt[0] != "x" || opts.Let[0] != "x: n" || opts.Seed != cliSeed {
		t.Errorf("parseArgs = %+v, %v", opts, err)
	}
	if _, _, err := parseArgs([]string{"x", "--format", "json"}); err == nil {
		t.Errorf("parseArgs accepted --format")
	}
}

// TestGoldenCheckersCatchErrors makes sure the numerical checks of this file
// are not vacuous: a wrong gradient, a false identity, a false rule and a
// wrong perturbation must each be caught.
func TestGoldenCheckersCatchErrors(t *testing.T) {
	let := []string{"B: q x p; Ω: q x q"}
	prog, err := mdiff.Parse("<B, Ω*B>", let)
	if err != nil {
		t.Fatal(err)
	}
	res := &ast.Result{Program: prog, F: prog.Root}
	v := prog.Var("B")
	parse := func(src string) *ast.Node {
		t.Helper()
		n, err := parseIn(src, res, v)
		if err != nil {
			t.Fatalf("parseIn(%q): %v", src, err)
		}
		return n
	}
	// The seed's gradient 2ΩB is wrong for a general Ω.
	rep, err := mdiff.CheckCandidate("<B, Ω*B>", mdiff.CheckOptions{Wrt: "B", Let: let, Candidate: "2*Ω*B", Seed: 7, Draws: 3})
	if err != nil || rep.OK {
		t.Errorf("CheckCandidate(2*Ω*B) = %v, %v; want a failed check", rep, err)
	}
	if rep, err := numeric.CheckDifferential(prog.Root, parse("<Δ, 2*Ω*B>"), v, prog, numeric.Options{Seed: 7}); err != nil || rep.OK {
		t.Errorf("CheckDifferential(<Δ, 2*Ω*B>) = %+v, %v; want a failed check", rep, err)
	}
	// A false identity: ⟨Δ, Ω·B⟩ = ⟨Δ, Ωᵀ·B⟩.
	if err := stepEqual(parse("<Δ, Ω*B>"), parse("<Δ, Ω'*B>"), v, prog); err == nil {
		t.Errorf("stepEqual accepted ⟨Δ, Ω·B⟩ = ⟨Δ, Ωᵀ·B⟩")
	}
	if err := stepEqual(parse("<Δ, Ω*B>"), parse("<Ω'*Δ, B>"), v, prog); err != nil {
		t.Errorf("stepEqual rejected ⟨Δ, Ω·B⟩ = ⟨Ωᵀ·Δ, B⟩: %v", err)
	}
	// A false rule: d(Ω·B) = 2·Ω·Δ.
	if rep, err := numeric.CheckDifferential(parse("Ω*B"), parse("2*Ω*Δ"), v, prog, numeric.Options{Seed: 17}); err != nil || rep.OK {
		t.Errorf("CheckDifferential accepted d(Ω·B) = 2·Ω·Δ: %+v, %v", rep, err)
	}
	// A false perturbation: f(B + Δ) = f(B) + 2⟨Ω·B, Δ⟩ + o(‖Δ‖).
	lhs := parse("<B + Δ, Ω*(B + Δ)>")
	if err := stepPerturb(lhs, parse("<B, Ω*B> + 2*<Ω*B, Δ>"), prog.Root, v, prog); err == nil {
		t.Errorf("stepPerturb accepted the seed's 2⟨ΩB, Δ⟩ for a general Ω")
	}
	if err := stepPerturb(lhs, parse("<B, Ω*B> + <(Ω + Ω')*B, Δ>"), prog.Root, v, prog); err != nil {
		t.Errorf("stepPerturb rejected the right perturbation: %v", err)
	}
}
