package mdiff_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/render"
)

// cookbookIdentity is one identity of The Matrix Cookbook (Petersen and
// Pedersen, version of November 15, 2012), written in mdiff's syntax.
type cookbookIdentity struct {
	eq       string // the Cookbook's equation number, "(49)", or its section, "§2.4.3"
	expr     string // f
	wrt      string
	let      string
	cookbook string // the Cookbook's answer: a gradient, or for a matrix-valued f the differential in Δ
	// differs says why mdiff's answer is not the Cookbook's; then the
	// Cookbook's formula must fail the numerical check, and the row says so.
	differs string
	// fails is part of the error mdiff gives today instead of an answer (a
	// known gap, reported in the table); the test fails once mdiff answers,
	// so that the row is updated.
	fails string
}

// symmetricConvention is why mdiff's gradient for a symmetric variable is
// not the Cookbook's G + Gᵀ − G∘I (§2.8.2).
const symmetricConvention = "Cookbook §2.8.2 differentiates with respect to the n(n+1)/2 independent entries and gives G + Gᵀ − G∘I (2G − G∘I for a symmetric G); " +
	"mdiff gives the gradient on the symmetric matrices, (G + Gᵀ)/2, the G_s with df = ⟨Δ, G_s⟩ for every symmetric Δ, " +
	"which the numerical check confirms and G + Gᵀ − G∘I fails (README, Conventions)"

// cookbookSections group the identities as the Cookbook does.
var cookbookSections = []struct {
	title string
	rows  []cookbookIdentity
}{
	{"§2.1 Basic (differentials)", []cookbookIdentity{
		{eq: "(37)", expr: "X*Y", wrt: "X", let: "X: n x p; Y: p x m", cookbook: "Δ*Y"},
		{eq: "(37)", expr: "X*Y", wrt: "Y", let: "X: n x p; Y: p x m", cookbook: "X*Δ"},
		{eq: "(38)", expr: "X .* Y", wrt: "X", let: "X: n x p; Y: n x p", cookbook: "Δ .* Y"},
		{eq: "(39)", expr: "kron(X, Y)", wrt: "X", let: "X: n x p; Y: m x q", cookbook: "kron(Δ, Y)"},
		{eq: "(40)", expr: "inv(X)", wrt: "X", let: "X: n x n", cookbook: "-inv(X)*Δ*inv(X)"},
		{eq: "(44)", expr: "X'", wrt: "X", let: "X: n x p", cookbook: "Δ'"},
	}},
	{"§2.1.2–2.1.4 Determinants", []cookbookIdentity{
		{eq: "(49)", expr: "det(X)", wrt: "X", let: "X: n x n", cookbook: "det(X)*inv(X)'"},
		{eq: "(51)", expr: "det(A*X*B)", wrt: "X", let: "A: n x n; X: n x n; B: n x n", cookbook: "det(A*X*B)*inv(X)'"},
		{eq: "(52)", expr: "det(X'*A*X)", wrt: "X", let: "X: n x n; A: n x n", cookbook: "2*det(X'*A*X)*inv(X)'"},
		{eq: "(53)", expr: "det(X'*A*X)", wrt: "X", let: "X: p x n; A: sym p x p", cookbook: "2*det(X'*A*X)*A*X*inv(X'*A*X)"},
		{eq: "(54)", expr: "det(X'*A*X)", wrt: "X", let: "X: p x n; A: p x p", cookbook: "det(X'*A*X)*(A*X*inv(X'*A*X) + A'*X*inv(X'*A'*X))"},
		{eq: "(55)", expr: "logdet(X'*X)", wrt: "X", let: "X: m x n", cookbook: "2*X*inv(X'*X)"},
		{eq: "(57)", expr: "logdet(X)", wrt: "X", let: "X: n x n", cookbook: "inv(X)'"},
		{eq: "(58)", expr: "det(X^3)", wrt: "X", let: "X: n x n", cookbook: "3*det(X^3)*inv(X)'"},
	}},
	{"§2.2 Inverses", []cookbookIdentity{
		{eq: "(61)", expr: "a'*inv(X)*b", wrt: "X", let: "a: n; X: n x n; b: n", cookbook: "-inv(X)'*a*b'*inv(X)'"},
		{eq: "(62)", expr: "det(inv(X))", wrt: "X", let: "X: n x n", cookbook: "-det(inv(X))*inv(X)'"},
		{eq: "(63)", expr: "tr(A*inv(X)*B)", wrt: "X", let: "A: m x n; X: n x n; B: n x m", cookbook: "-(inv(X)*B*A*inv(X))'"},
		{eq: "(64)", expr: "tr(inv(X + A))", wrt: "X", let: "X: n x n; A: n x n", cookbook: "-(inv(X + A)*inv(X + A))'"},
	}},
	{"§2.4.1 First order", []cookbookIdentity{
		{eq: "(69)", expr: "x'*a", wrt: "x", let: "x: n; a: n", cookbook: "a"},
		{eq: "(69)", expr: "a'*x", wrt: "x", let: "x: n; a: n", cookbook: "a"},
		{eq: "(70)", expr: "a'*X*b", wrt: "X", let: "a: m; X: m x n; b: n", cookbook: "a*b'"},
		{eq: "(71)", expr: "a'*X'*b", wrt: "X", let: "a: n; X: m x n; b: m", cookbook: "b*a'"},
		{eq: "(72)", expr: "a'*X*a", wrt: "X", let: "a: n; X: n x n", cookbook: "a*a'"},
		{eq: "(72)", expr: "a'*X'*a", wrt: "X", let: "a: n; X: n x n", cookbook: "a*a'"},
	}},
	{"§2.4.2 Second order (quadratic forms)", []cookbookIdentity{
		{eq: "(77)", expr: "b'*X'*X*c", wrt: "X", let: "b: n; X: m x n; c: n", cookbook: "X*(b*c' + c*b')"},
		{eq: "(78)", expr: "(B*x + b)'*C*(D*x + d)", wrt: "x", let: "B: m x n; x: n; b: m; C: m x m; D: m x n; d: m", cookbook: "B'*C*(D*x + d) + D'*C'*(B*x + b)"},
		{eq: "(81)", expr: "x'*B*x", wrt: "x", let: "x: n; B: n x n", cookbook: "(B + B')*x"},
		{eq: "(82)", expr: "b'*X'*D*X*c", wrt: "X", let: "b: n; X: m x n; D: m x m; c: n", cookbook: "D'*X*b*c' + D*X*c*b'"},
		{eq: "(83)", expr: "(X*b + c)'*D*(X*b + c)", wrt: "X", let: "X: m x n; b: n; c: m; D: m x m", cookbook: "(D + D')*(X*b + c)*b'"},
		{eq: "(84)", expr: "(x - A*s)'*W*(x - A*s)", wrt: "s", let: "x: n; A: n x k; s: k; W: sym n", cookbook: "-2*A'*W*(x - A*s)"},
		{eq: "(85)", expr: "(x - s)'*W*(x - s)", wrt: "x", let: "x: n; s: n; W: sym n", cookbook: "2*W*(x - s)"},
		{eq: "(86)", expr: "(x - s)'*W*(x - s)", wrt: "s", let: "x: n; s: n; W: sym n", cookbook: "-2*W*(x - s)"},
		{eq: "(87)", expr: "(x - A*s)'*W*(x - A*s)", wrt: "x", let: "x: n; A: n x k; s: k; W: sym n", cookbook: "2*W*(x - A*s)"},
		{eq: "(88)", expr: "(x - A*s)'*W*(x - A*s)", wrt: "A", let: "x: n; A: n x k; s: k; W: sym n", cookbook: "-2*W*(x - A*s)*s'"},
	}},
	{"§2.4.3 Higher order", []cookbookIdentity{
		{eq: "§2.4.3", expr: "a'*X^3*b", wrt: "X", let: "a: n; X: n x n; b: n", cookbook: "a*b'*(X^2)' + X'*a*b'*X' + (X^2)'*a*b'"},
	}},
	{"§2.5.1 Traces, first order", []cookbookIdentity{
		{eq: "(99)", expr: "tr(X)", wrt: "X", let: "X: n x n", cookbook: "I"},
		{eq: "(100)", expr: "tr(X*A)", wrt: "X", let: "X: n x m; A: m x n", cookbook: "A'"},
		{eq: "(101)", expr: "tr(A*X*B)", wrt: "X", let: "A: p x m; X: m x n; B: n x p", cookbook: "A'*B'"},
		{eq: "(102)", expr: "tr(A*X'*B)", wrt: "X", let: "A: p x n; X: m x n; B: m x p", cookbook: "B*A"},
		{eq: "(103)", expr: "tr(X'*A)", wrt: "X", let: "X: m x n; A: m x n", cookbook: "A"},
		{eq: "(104)", expr: "tr(A*X')", wrt: "X", let: "X: m x n; A: m x n", cookbook: "A"},
		{eq: "(105)", expr: "tr(kron(A, X))", wrt: "X", let: "A: m x m; X: n x n", cookbook: "tr(A)*I"},
	}},
	{"§2.5.2 Traces, second order", []cookbookIdentity{
		{eq: "(106)", expr: "tr(X^2)", wrt: "X", let: "X: n x n", cookbook: "2*X'"},
		{eq: "(107)", expr: "tr(X^2*B)", wrt: "X", let: "X: n x n; B: n x n", cookbook: "(X*B + B*X)'"},
		{eq: "(108)", expr: "tr(X'*B*X)", wrt: "X", let: "X: m x n; B: m x m", cookbook: "B*X + B'*X"},
		{eq: "(109)", expr: "tr(B*X*X')", wrt: "X", let: "X: m x n; B: m x m", cookbook: "B*X + B'*X"},
		{eq: "(110)", expr: "tr(X*X'*B)", wrt: "X", let: "X: m x n; B: m x m", cookbook: "B*X + B'*X"},
		{eq: "(111)", expr: "tr(X*B*X')", wrt: "X", let: "X: m x n; B: n x n", cookbook: "X*B' + X*B"},
		{eq: "(112)", expr: "tr(B*X'*X)", wrt: "X", let: "X: m x n; B: n x n", cookbook: "X*B' + X*B"},
		{eq: "(113)", expr: "tr(X'*X*B)", wrt: "X", let: "X: m x n; B: n x n", cookbook: "X*B' + X*B"},
		{eq: "(114)", expr: "tr(A*X*B*X)", wrt: "X", let: "A: n x m; X: m x n; B: n x m", cookbook: "A'*X'*B' + B'*X'*A'"},
		{eq: "(115)", expr: "tr(X'*X)", wrt: "X", let: "X: m x n", cookbook: "2*X"},
		{eq: "(115)", expr: "tr(X*X')", wrt: "X", let: "X: m x n", cookbook: "2*X"},
		{eq: "(116)", expr: "tr(B'*X'*C*X*B)", wrt: "X", let: "B: n x p; X: m x n; C: m x m", cookbook: "C'*X*B*B' + C*X*B*B'"},
		{eq: "(117)", expr: "tr(X'*B*X*C)", wrt: "X", let: "X: m x n; B: m x m; C: n x n", cookbook: "B*X*C + B'*X*C'"},
		{eq: "(118)", expr: "tr(A*X*B*X'*C)", wrt: "X", let: "A: p x m; X: m x n; B: n x n; C: m x p", cookbook: "A'*C'*X*B' + C*A*X*B"},
		{eq: "(119)", expr: "tr((A*X*B + C)*(A*X*B + C)')", wrt: "X", let: "A: p x m; X: m x n; B: n x q; C: p x q", cookbook: "2*A'*(A*X*B + C)*B'"},
		{eq: "(120)", expr: "tr(X)*tr(X)", wrt: "X", let: "X: n x n", cookbook: "2*tr(X)*I"},
	}},
	{"§2.5.3–2.5.4 Traces, higher order and other", []cookbookIdentity{
		{eq: "(121)", expr: "tr(X^3)", wrt: "X", let: "X: n x n", cookbook: "3*(X^2)'"},
		{eq: "(122)", expr: "tr(A*X^3)", wrt: "X", let: "A: n x n; X: n x n", cookbook: "(A*X^2)' + (X*A*X)' + (X^2*A)'"},
		{eq: "(123)", expr: "tr(B'*X'*C*X*X'*C*X*B)", wrt: "X", let: "B: n x p; X: m x n; C: m x m",
			cookbook: "C*X*X'*C*X*B*B' + C'*X*B*B'*X'*C'*X + C*X*B*B'*X'*C*X + C'*X*X'*C'*X*B*B'"},
		{eq: "(124)", expr: "tr(A*inv(X)*B)", wrt: "X", let: "A: m x n; X: n x n; B: n x m", cookbook: "-inv(X)'*A'*B'*inv(X)'"},
		{eq: "(125)", expr: "tr(inv(X'*C*X)*A)", wrt: "X", let: "X: m x n; C: sym m; A: n x n", cookbook: "-(C*X*inv(X'*C*X))*(A + A')*inv(X'*C*X)"},
		{eq: "(126)", expr: "tr(inv(X'*C*X)*(X'*B*X))", wrt: "X", let: "X: m x n; C: sym m; B: sym m",
			cookbook: "-2*C*X*inv(X'*C*X)*X'*B*X*inv(X'*C*X) + 2*B*X*inv(X'*C*X)"},
		{eq: "(127)", expr: "tr(inv(A + X'*C*X)*(X'*B*X))", wrt: "X", let: "X: m x n; C: sym m; B: sym m; A: sym n",
			cookbook: "-2*C*X*inv(A + X'*C*X)*X'*B*X*inv(A + X'*C*X) + 2*B*X*inv(A + X'*C*X)"},
	}},
	{"§2.6–2.7 Norms", []cookbookIdentity{
		{eq: "(129)", expr: "norm(x - a)", wrt: "x", let: "x: n; a: n", cookbook: "(x - a)/norm(x - a)"},
		{eq: "(130)", expr: "(x - a)/norm(x - a)", wrt: "x", let: "x: n; a: n", cookbook: "Δ/norm(x - a) - (x - a)*(x - a)'*Δ/norm(x - a)^3"},
		{eq: "(131)", expr: "norm(x)^2", wrt: "x", let: "x: n", cookbook: "2*x"},
		{eq: "(131)", expr: "x'*x", wrt: "x", let: "x: n", cookbook: "2*x"},
		{eq: "(132)", expr: "norm(X, 'fro')^2", wrt: "X", let: "X: m x n", cookbook: "2*X"},
	}},
	{"Hadamard products (from (38) and the trace rules)", []cookbookIdentity{
		{eq: "(38), (103)", expr: "tr(A'*(X .* B))", wrt: "X", let: "A: m x n; X: m x n; B: m x n", cookbook: "A .* B"},
		{eq: "(38), (103)", expr: "tr(A'*(X .* X))", wrt: "X", let: "A: m x n; X: m x n", cookbook: "2*A .* X"},
		{eq: "(38), (132)", expr: "norm(X .* B, 'fro')^2", wrt: "X", let: "X: m x n; B: m x n", cookbook: "2*X .* B .* B"},
		{eq: "(38), (69)", expr: "a'*(x .* b)", wrt: "x", let: "a: n; x: n; b: n", cookbook: "a .* b"},
		{eq: "(38), (81)", expr: "(x .* b)'*B*(x .* b)", wrt: "x", let: "x: n; b: n; B: n x n", cookbook: "b .* ((B + B')*(x .* b))"},
	}},
	{"§2.8.2 Symmetric matrices: where the conventions differ", []cookbookIdentity{
		{eq: "§2.8.2, (100)", expr: "tr(A*X)", wrt: "X", let: "A: n x n; X: sym n", cookbook: "A + A' - A .* I", differs: symmetricConvention},
		{eq: "§2.8.2, (49)", expr: "det(X)", wrt: "X", let: "X: sym n", cookbook: "det(X)*(2*inv(X) - inv(X) .* I)", differs: symmetricConvention},
		{eq: "§2.8.2, (57)", expr: "logdet(X)", wrt: "X", let: "X: spd n", cookbook: "2*inv(X) - inv(X) .* I", differs: symmetricConvention},
		{eq: "§2.8.2, (72)", expr: "a'*X*a", wrt: "X", let: "a: n; X: sym n", cookbook: "2*a*a' - (a*a') .* I", differs: symmetricConvention},
		{eq: "§2.8.2, (108)", expr: "tr(X'*B*X)", wrt: "X", let: "X: sym n; B: n x n", cookbook: "(B*X + B'*X) + (B*X + B'*X)' - (B*X + B'*X) .* I", differs: symmetricConvention},
	}},
}

var cookbookPath = filepath.Join("docs", "cookbook.md")

// TestCookbook regenerates docs/cookbook.md — every identity derived by
// mdiff (which checks its answer numerically) and the Cookbook's own formula
// checked numerically as a `check --grad` candidate — and fails if the
// checked-in file differs (go test . -run Cookbook -update rewrites it). A
// Cookbook formula must pass its check unless the row says why mdiff's
// convention differs, and then it must fail.
func TestCookbook(t *testing.T) {
	var sb strings.Builder
	sb.WriteString(cookbookHeader)
	n, agree, failed := 0, 0, 0
	for _, sec := range cookbookSections {
		fmt.Fprintf(&sb, "\n## %s\n\n", sec.title)
		sb.WriteString("| eq. | f | declarations | ∂f/∂ | mdiff's answer | check | the Cookbook's formula | its check |\n")
		sb.WriteString("|---|---|---|---|---|---|---|---|\n")
		var notes []string
		for _, row := range sec.rows {
			n++
			res, err := mdiff.Derive(row.expr, mdiff.Options{Wrt: []string{row.wrt}, Let: []string{row.let}, Seed: 1})
			switch {
			case row.fails != "" && err == nil:
				t.Errorf("%s %s: mdiff answers now: remove the row's fails", row.eq, row.expr)
				continue
			case row.fails != "" && !strings.Contains(err.Error(), row.fails):
				t.Errorf("%s %s: mdiff fails with %q, the row says %q", row.eq, row.expr, err, row.fails)
				continue
			case row.fails != "":
				failed++
				msg, _, _ := strings.Cut(err.Error(), "\n")
				fmt.Fprintf(&sb, "| %s | `%s` | `%s` | %s | ✗ no answer: %s | — | `%s` | — |\n",
					row.eq, cell(row.expr), cell(row.let), row.wrt, cell(msg), cell(row.cookbook))
				continue
			case err != nil:
				t.Errorf("%s %s: %v", row.eq, row.expr, err)
				continue
			}
			if res.Check == nil || !res.Check.OK {
				t.Errorf("%s %s: mdiff's own answer is not verified: %+v", row.eq, row.expr, res.Check)
				continue
			}
			d := res.Derivatives[0]
			answer := d.Gradient
			if answer == nil {
				answer = d.Differential
			}
			rep, err := mdiff.CheckCandidate(row.expr, mdiff.CheckOptions{Wrt: row.wrt, Let: []string{row.let}, Candidate: row.cookbook, Seed: 7, Draws: 3})
			if err != nil {
				t.Errorf("%s %s: the Cookbook's %s: %v", row.eq, row.expr, row.cookbook, err)
				continue
			}
			theirs := fmt.Sprintf("✓ %s", cookbookErr(rep.RelErr))
			switch {
			case row.differs == "" && !rep.OK:
				t.Errorf("%s %s: the Cookbook's %s fails the check (relative error %.2g): a wrong transcription or a wrong equation number", row.eq, row.expr, row.cookbook, rep.RelErr)
			case row.differs != "" && rep.OK:
				t.Errorf("%s %s: the Cookbook's %s passes the check, but the row says the conventions differ", row.eq, row.expr, row.cookbook)
			case row.differs != "":
				theirs = fmt.Sprintf("✗ %s — convention differs¹", cookbookErr(rep.RelErr))
				notes = append(notes, row.differs)
			default:
				agree++
			}
			fmt.Fprintf(&sb, "| %s | `%s` | `%s` | %s | %s | ✓ %s | `%s` | %s |\n",
				row.eq, cell(row.expr), cell(row.let), row.wrt, cell(render.Text(answer, render.Plain())), cookbookErr(res.Check.RelErr), cell(row.cookbook), theirs)
		}
		if len(notes) > 0 {
			fmt.Fprintf(&sb, "\n¹ %s.\n", notes[0])
		}
	}
	fmt.Fprintf(&sb, "\n%d identities: mdiff answers %d, each verified numerically, and gives no answer for %d (a gap, marked ✗). "+
		"The Cookbook's formula passes the same check for %d; for the other %d the conventions differ, as noted.\n", n, n-failed, failed, agree, n-failed-agree)
	if n < 60 {
		t.Errorf("%d identities, want at least 60", n)
	}
	got := sb.String()
	if *update {
		if err := os.WriteFile(cookbookPath, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(cookbookPath)
	if err != nil {
		t.Fatalf("%v (go test . -run Cookbook -update writes it)", err)
	}
	if maskCookbook(string(want)) != maskCookbook(got) {
		t.Errorf("%s is stale (go test . -run Cookbook -update rewrites it):\n%s", cookbookPath, lineDiff(string(want), got))
	}
}

const cookbookHeader = `# The Matrix Cookbook, checked by mdiff

Identities of The Matrix Cookbook (K. B. Petersen and M. S. Pedersen, version
of November 15, 2012), by equation number (numbers shift between
editions; a row that instantiates a general formula names its section too). For each: the function in mdiff's syntax,
mdiff's answer (the gradient, or for a matrix-valued f the differential in
Δ) with its numerical check, and the Cookbook's formula, transcribed into
mdiff's syntax, checked the same way (` + "`mdiff check EXPR --wrt X --grad FORMULA`" + `).
Relative errors are against central finite differences on random inputs that
respect the declarations; the tolerance is 1e-6.

Generated by ` + "`go test . -run Cookbook -update`" + ` (cookbook_test.go); the test fails when
this file is stale.
`

// cookbookErr prints a relative error.
func cookbookErr(e float64) string { return fmt.Sprintf("%.0e", e) }

// cell escapes | for a Markdown table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// maskCookbook hides the digits of the relative errors off amd64 (see
// maskCheck).
var cookbookNumber = regexp.MustCompile(`[✓✗] [0-9]e[-+][0-9]+`)

func maskCookbook(s string) string {
	if runtime.GOARCH == "amd64" {
		return s
	}
	return cookbookNumber.ReplaceAllString(s, "#")
}
