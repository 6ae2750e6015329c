// End-to-end golden tests: every worked example of the two seed documents
// (and a few more: logdet, inv, Hessians, Jacobians, --steps), in every
// output format, printed by the CLI's own Main, frozen in
// testdata/golden/*.txtar and — because a golden only freezes what the code
// printed — proven right numerically. The files split the work by job:
//
//   - golden_test.go: the archives, running Main, comparing, -update;
//     mdiff.Verify with three more seeds; wrapping at 40, 60, 100 columns;
//   - golden_parse_test.go: the printed ASCII (and the JSON's "ascii"
//     fields) parsed back with the case's declarations and compared with
//     finite differences of f, the gradient through `check --grad`;
//   - golden_steps_test.go: every --steps line checked as an equation;
//   - golden_numpy_test.go: the NumPy module executed and compared with the
//     derived expressions;
//   - golden_latex_test.go: the LaTeX rendered by KaTeX and compiled by
//     pdflatex, without an Overfull \hbox;
//   - golden_schema_test.go: the JSON validated against
//     testdata/mdiff.schema.json.
//
// Each archive (golang.org/x/tools/txtar) holds the arguments of `mdiff
// diff` (one per line, section "args", without "diff" and without --format)
// and one section per format. `go test . -run Golden -update` rewrites the
// format sections.
package mdiff_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/tools/txtar"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/internal/cli"
	"github.com/mdiff/mdiff/internal/testtool"
	"github.com/mdiff/mdiff/numeric"
	"github.com/mdiff/mdiff/render"
)

var update = flag.Bool("update", false, "rewrite the output sections of testdata/golden/*.txtar and the generated docs")

// goldenFormats are the output sections of an archive, in order.
var goldenFormats = []render.Format{render.FormatText, render.FormatASCII, render.FormatLaTeX, render.FormatNumPy, render.FormatJSON}

// goldenCase is one archive with its arguments decoded by the CLI's own
// flags (cli.DiffArgs).
type goldenCase struct {
	name string
	path string
	arc  *txtar.Archive
	args []string // of mdiff diff, without "diff" and --format
	expr string
	opts mdiff.Options
}

// section returns the data of the archive's section name.
func (c *goldenCase) section(name string) (string, bool) {
	for _, f := range c.arc.Files {
		if f.Name == name {
			return string(f.Data), true
		}
	}
	return "", false
}

// setSection replaces (or appends) the archive's section name.
func (c *goldenCase) setSection(name, data string) {
	for i := range c.arc.Files {
		if c.arc.Files[i].Name == name {
			c.arc.Files[i].Data = []byte(data)
			return
		}
	}
	c.arc.Files = append(c.arc.Files, txtar.File{Name: name, Data: []byte(data)})
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
		a, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		c := &goldenCase{name: strings.TrimSuffix(filepath.Base(p), ".txtar"), path: p, arc: a}
		argText, ok := c.section("args")
		if !ok {
			t.Fatalf("%s: no -- args -- section", p)
		}
		c.args = strings.Split(strings.TrimSuffix(argText, "\n"), "\n")
		if slices.ContainsFunc(c.args, func(a string) bool { return strings.HasPrefix(a, "--format") || strings.HasPrefix(a, "--color") }) {
			t.Fatalf("%s: the args hold --format or --color, which the test sets", p)
		}
		if c.expr, c.opts, err = cli.DiffArgs(c.args); err != nil {
			t.Fatalf("%s: mdiff diff %s: %v", p, shellQuote(c.args), err)
		}
		cases = append(cases, c)
	}
	return cases
}

// run runs `mdiff diff ARGS --format F --color never` through cli.Main for
// every format and returns what it writes on standard output (not a
// terminal, so nothing is wrapped).
func (c *goldenCase) run(t *testing.T) map[render.Format]string {
	t.Helper()
	out := map[render.Format]string{}
	for _, f := range goldenFormats {
		args := append(append([]string{"diff"}, c.args...), "--format", string(f), "--color", "never")
		var stdout, stderr bytes.Buffer
		if code := cli.Main(args, &stdout, &stderr); code != 0 {
			t.Fatalf("mdiff %s: exit %d\n%s", shellQuote(args), code, stderr.String())
		}
		out[f] = stdout.String()
	}
	return out
}

// derive runs the pipeline Main ran, for the numerical checks.
func (c *goldenCase) derive(t *testing.T) *ast.Result {
	t.Helper()
	res, err := mdiff.Derive(c.expr, c.opts)
	if err != nil {
		t.Fatalf("mdiff diff %s: %v", shellQuote(c.args), err)
	}
	return res
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

func TestGolden(t *testing.T) {
	for _, c := range loadGoldenCases(t) {
		t.Run(c.name, func(t *testing.T) {
			got := c.run(t)

			// Deterministic: a second run prints the same bytes.
			again := c.run(t)
			for _, f := range goldenFormats {
				if got[f] != again[f] {
					t.Errorf("--format %s differs between two runs:\n%s", f, lineDiff(got[f], again[f]))
				}
			}
			for _, f := range goldenFormats {
				if !strings.HasSuffix(got[f], "\n") {
					t.Errorf("--format %s does not end with a newline", f)
				}
				// A line that looks like a file marker would cut the archive.
				if a := txtar.Parse([]byte(got[f])); len(a.Files) > 0 {
					t.Errorf("--format %s has a line %q that a txtar archive cannot hold", f, "-- "+a.Files[0].Name+" --")
				}
			}

			if *update {
				for _, f := range goldenFormats {
					c.setSection(string(f), got[f])
				}
				if err := os.WriteFile(c.path, txtar.Format(c.arc), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for _, f := range goldenFormats {
				want, ok := c.section(string(f))
				if !ok {
					t.Errorf("%s: no -- %s -- section (run go test . -run Golden -update)", c.path, f)
					continue
				}
				if maskCheck(got[f]) != maskCheck(want) {
					t.Errorf("mdiff diff %s --format %s differs from %s (go test . -run Golden -update rewrites it):\n%s",
						shellQuote(c.args), f, c.path, lineDiff(want, got[f]))
				}
			}

			res := c.derive(t)
			t.Run("verify", func(t *testing.T) { testVerifySeeds(t, res) })
			t.Run("ascii", func(t *testing.T) { testASCIIBack(t, c, res, got[render.FormatASCII]) })
			t.Run("json", func(t *testing.T) { testJSONBack(t, c, res, got[render.FormatJSON]) })
			if c.opts.Steps {
				t.Run("steps", func(t *testing.T) { testSteps(t, res) })
			}
			t.Run("numpy", func(t *testing.T) { testNumPy(t, c, res, got[render.FormatNumPy]) })
			t.Run("wrap", func(t *testing.T) { testWrap(t, res, got) })
		})
	}
}

// testWrap prints the text and ASCII answers for terminals of 40, 60 and
// 100 columns: no row is wider, no token is broken, nothing is lost.
func testWrap(t *testing.T, res *ast.Result, flat map[render.Format]string) {
	for _, f := range []render.Format{render.FormatText, render.FormatASCII} {
		for _, w := range []int{40, 60, 100} {
			var sb strings.Builder
			if err := render.Write(&sb, res, f, render.TextOptions{Theme: render.Plain(), Width: w}); err != nil {
				t.Fatal(err)
			}
			for _, p := range testtool.WrapProblems(flat[f], sb.String(), w) {
				t.Errorf("--format %s at %d columns: %s\n%s", f, w, p, sb.String())
			}
		}
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

// TestGoldenArgs: the archives' arguments are read by the CLI's own flags.
func TestGoldenArgs(t *testing.T) {
	expr, opts, err := cli.DiffArgs([]string{"x'*A*x", "--wrt=x", "--let", "x: n", "--hessian"})
	if err != nil || expr != "x'*A*x" || !opts.Hessian || opts.Wrt[0] != "x" || opts.Let[0] != "x: n" || opts.Seed != 1 {
		t.Errorf("DiffArgs = %q, %+v, %v", expr, opts, err)
	}
	if _, _, err := cli.DiffArgs([]string{"x", "--wrt", "x", "--frobnicate"}); err == nil {
		t.Errorf("DiffArgs accepted an unknown flag")
	}
}
