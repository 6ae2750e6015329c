package mdiff_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/tools/txtar"

	"github.com/mdiff/mdiff/internal/cli"
	"github.com/mdiff/mdiff/render"
)

// The paste-back tests take every gradient and differential that
// --format ascii prints, as it stands (where clause, Delta and the head
// "Delta ->" included), and paste it into mdiff check --grad, which must
// agree with finite differences, and every gradient into mdiff diff, which
// must answer it: the ASCII format is input (SPEC §2, §4).

// runMain runs the CLI's own Main and returns its output and exit code.
func runMain(args ...string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	code = cli.Main(args, &out, &errb)
	return out.String(), errb.String(), code
}

// asciiAnswer is one pasteable line of an ascii answer.
type asciiAnswer struct {
	wrt, label, expr string
	gradient         bool // a gradient (else a differential)
}

// asciiNoteRE is the note after an expression: "   in R^{n x p}".
var asciiNoteRE = regexp.MustCompile(`\s{3,}in R(\^\{[^}]*\})?$`)

// asciiAnswers reads the df and grad lines of an ascii answer for the
// variables wrts (one, or several labelled d_X f, grad_X f).
func asciiAnswers(doc string, wrts []string) []asciiAnswer {
	var out []asciiAnswer
	for _, line := range strings.Split(doc, "\n") {
		label, expr, ok := strings.Cut(line, " = ")
		if !ok || strings.HasPrefix(line, " ") {
			continue // steps, the check line
		}
		label = strings.TrimSpace(label)
		expr = asciiNoteRE.ReplaceAllString(expr, "")
		for _, x := range wrts {
			x = render.ASCIIName(x)
			switch {
			case label == "df" && len(wrts) == 1, label == "d_"+x+" f":
				out = append(out, asciiAnswer{wrt: x, label: label, expr: expr})
			case label == "grad_"+x+" f":
				out = append(out, asciiAnswer{wrt: x, label: label, expr: expr, gradient: true})
			}
		}
	}
	return out
}

// spellLet writes the Greek letters of declarations out, as the ascii
// format writes names (Ω: sym n x n → Omega: sym n x n).
func spellLet(s string) string {
	var sb strings.Builder
	for _, r := range s {
		if unicode.Is(unicode.Greek, r) {
			sb.WriteString(render.ASCIIName(string(r)))
		} else {
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

var identRE = regexp.MustCompile(`[A-Za-z][A-Za-z0-9_]*`)

// pasteBack pastes the ascii answer of `diff expr --wrt wrt --let lets`
// into check --grad and, for a gradient, into diff.
func pasteBack(t *testing.T, expr string, wrts []string, lets []string) {
	t.Helper()
	args := []string{"diff", expr}
	for _, w := range wrts {
		args = append(args, "--wrt", w)
	}
	var letArgs, spelledLets []string
	for _, l := range lets {
		letArgs = append(letArgs, "--let", l)
		spelledLets = append(spelledLets, "--let", spellLet(l))
	}
	args = append(append(args, letArgs...), "--format", "ascii")
	out, stderr, code := runMain(args...)
	if code != 0 {
		t.Fatalf("mdiff %q: exit %d: %s", args, code, stderr)
	}
	if i := strings.IndexFunc(out, func(r rune) bool { return r >= utf8.RuneSelf }); i >= 0 {
		t.Errorf("the ascii answer is not ASCII at byte %d:\n%s", i, out)
	}
	answers := asciiAnswers(out, wrts)
	if len(answers) == 0 {
		t.Fatalf("no df or grad line in:\n%s", out)
	}
	for _, a := range answers {
		check := append([]string{"check", expr, "--wrt", a.wrt, "--grad", a.expr}, letArgs...)
		if a.wrt != wrts[0] && len(wrts) == 1 {
			check[3] = wrts[0]
		}
		cout, cerr, code := runMain(check...)
		if code != 0 || !strings.HasPrefix(cout, "✓") {
			t.Errorf("pasting %s = %s into check: exit %d\n%s%s", a.label, a.expr, code, cout, cerr)
		}
		if !a.gradient {
			continue
		}
		// The gradient is an expression: diff answers it, with respect to
		// the variable if it occurs in it, else to another of its names.
		wrt := ""
		for _, id := range identRE.FindAllString(a.expr, -1) {
			if id == a.wrt {
				wrt = id
				break
			}
			if decls := strings.Join(spelledLets, ";"); wrt == "" && strings.Contains(decls, id+":") && !strings.Contains(decls, id+": func") {
				wrt = id
			}
		}
		if wrt == "" {
			continue // a constant gradient
		}
		d := append([]string{"diff", a.expr, "--wrt", wrt}, spelledLets...)
		// A symbolic power A^k outside tr, det and logdet has no
		// differential (SPEC §3): the expression is valid, its derivative
		// is not mdiff's to give.
		if _, derr, code := runMain(d...); code != 0 && !(code == 1 && strings.Contains(derr, "symbolic matrix power") && strings.Contains(derr, "only inside tr, det and logdet")) {
			t.Errorf("pasting %s = %s into diff --wrt %s: exit %d\n%s", a.label, a.expr, wrt, code, derr)
		}
	}
}

// TestPasteBackGolden pastes the ascii answer of every golden case back.
func TestPasteBackGolden(t *testing.T) {
	paths, err := filepath.Glob("testdata/golden/*.txtar")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var args []string
			for _, f := range ar.Files {
				if f.Name == "args" {
					args = strings.Split(strings.TrimSuffix(string(f.Data), "\n"), "\n")
				}
			}
			if len(args) == 0 {
				t.Fatalf("%s: no args section", path)
			}
			var wrts, lets []string
			for i := 1; i+1 < len(args); i++ {
				switch args[i] {
				case "--wrt":
					wrts = append(wrts, strings.Split(args[i+1], ",")...)
				case "--let":
					lets = append(lets, args[i+1])
				}
			}
			pasteBack(t, args[0], wrts, lets)
		})
	}
}

// evalCase is the part of a harness case (shared/eval README) used here.
type evalCase struct {
	ID       string `json:"id"`
	Expr     string `json:"expr"`
	Let      string `json:"let"`
	Wrt      string `json:"wrt"`
	Kind     string `json:"kind"`
	RefASCII string `json:"ref_ascii"`
}

// TestPasteBackEval pastes mdiff's ascii answer to every case of the public
// evaluation suites and of ours back, and also each case's reference
// answer, written by others in the ASCII syntax (Δ or Delta, where
// clauses), into check --grad.
func TestPasteBackEval(t *testing.T) {
	files, _ := filepath.Glob("testdata/eval/*.jsonl")
	shared, _ := filepath.Glob("../shared/eval/*.jsonl")
	if len(shared) == 0 {
		shared, _ = filepath.Glob("/work/shared/eval/*.jsonl")
	}
	files = append(files, shared...)
	n := 0
	for _, file := range files {
		cases := readCases(t, file)
		for _, c := range cases {
			t.Run(c.ID, func(t *testing.T) {
				let := []string{c.Let}
				n++
				pasteBack(t, c.Expr, []string{c.Wrt}, let)
				ref := c.RefASCII
				if c.Kind == "gradient" && regexp.MustCompile(`\b`+regexp.QuoteMeta(c.Wrt)+`: *(sym|spd)\b`).MatchString(c.Let) {
					// For a symmetric variable the reference may be any G
					// with the right symmetric part: paste it as <Delta, G>.
					body, where, _ := strings.Cut(ref, " where ")
					ref = "<Delta, " + body + ">"
					if where != "" {
						ref += " where " + where
					}
				}
				out, stderr, code := runMain("check", c.Expr, "--wrt", c.Wrt, "--let", c.Let, "--grad", ref)
				if code != 0 {
					t.Errorf("check %q --grad %q (the reference): exit %d\n%s%s", c.Expr, ref, code, out, stderr)
				}
			})
		}
	}
	if n < 100 {
		t.Errorf("only %d cases pasted back", n)
	}
}

func readCases(t *testing.T, file string) []evalCase {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []evalCase
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var c evalCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		cases = append(cases, c)
	}
	return cases
}
