package render

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// docCase is a whole answer, written in every format and compared with
// testdata/NAME.{txt,ascii,tex,json,py}.
type docCase struct {
	name string
	r    *ast.Result
}

func docCases() []docCase {
	m, n, p, q, k := ast.Dim("m"), ast.Dim("n"), ast.Dim("p"), ast.Dim("q"), ast.Dim("k")
	B := ast.Var("B", ast.Mat(q, p), 0)
	X := ast.Var("X", ast.Mat(p, n), 0)
	Y := ast.Var("Y", ast.Mat(q, n), 0)
	BX := ast.Mul(B, X)
	regression := pow(builtin.Norm.Of(ast.Add(Y, neg(BX))), 2)

	M := ast.Var("X", ast.Mat(n, n), 0)
	inv := ast.Inverse(M)

	W1 := ast.Var("W1", ast.Mat(p, n), 0)
	W2 := ast.Var("W2", ast.Mat(q, p), 0)
	Xn := ast.Var("X", ast.Mat(n, m), 0)
	Yq := ast.Var("Y", ast.Mat(q, m), 0)
	h := builtin.Tanh.Of(ast.Mul(W1, Xn))
	mlp := pow(builtin.Norm.Of(ast.Add(ast.Mul(W2, h), neg(Yq))), 2)
	mlpGrad := ast.Mul(ast.Int(2), ast.Hadamard(
		ast.Add(ast.Broadcast(ast.Int(1), h.Shape), neg(pow(h, 2))),
		ast.Mul(tr(W2), ast.Add(ast.Mul(W2, h), neg(Yq)))), tr(Xn))

	Z := ast.Var("X", ast.Mat(m, n), 0)
	D := ast.Var("D", ast.Mat(m, k), 0)
	R := ast.Var("R", ast.Mat(k, n), 0)
	DR := ast.Mul(D, R)

	x := ast.Var("x", ast.Vec(n), 0)
	A := ast.Var("A", ast.Mat(n, n), 0)
	dx := ast.Delta("x", x.Shape)
	quad := ast.Mul(tr(x), A, x)
	sym := ast.Add(A, tr(A))

	Am := ast.Var("A", ast.Mat(m, q), 0)
	Mq := ast.Var("M", ast.Mat(q, p), 0)
	Bp := ast.Var("B", ast.Mat(p, n), 0)

	lam := ast.Var("λ", ast.Scalar, 0)
	om := ast.Var("Ω", ast.Mat(n, n), ast.Symmetric)
	greek := ast.Mul(lam, pow(builtin.Norm.Of(ast.Mul(om, x)), 2))

	return []docCase{
		{"regression", &ast.Result{
			Program:     &ast.Program{Src: "||Y - B*X||_F^2", Root: regression, Vars: []*ast.Node{Y, B, X}},
			F:           regression,
			Derivatives: []ast.Derivative{{Wrt: B, Gradient: ast.Mul(ast.Int(2), ast.Add(BX, neg(Y)), tr(X))}},
			Check:       &ast.Verification{RelErr: 2.3e-11, OK: true},
		}},
		{"inverse", &ast.Result{
			Program:     &ast.Program{Src: "inv(X)", Root: inv, Vars: []*ast.Node{M}},
			F:           inv,
			Derivatives: []ast.Derivative{{Wrt: M, Differential: ast.Mul(ast.Int(-1), inv, ast.Delta("X", M.Shape), inv)}},
			Check:       &ast.Verification{RelErr: 4e-10, OK: true},
		}},
		{"mlp", &ast.Result{
			Program:     &ast.Program{Src: "||W2*tanh(W1*X) - Y||_F^2", Root: mlp, Vars: []*ast.Node{W2, W1, Xn, Yq}},
			F:           mlp,
			Derivatives: []ast.Derivative{{Wrt: W1, Gradient: mlpGrad}},
			Check:       &ast.Verification{RelErr: 1.7e-12, OK: true, Note: "tanh is exact"},
		}},
		{"dictionary", &ast.Result{
			Program: &ast.Program{Src: "||X - D*R||_F^2", Root: pow(builtin.Norm.Of(ast.Add(Z, neg(DR))), 2), Vars: []*ast.Node{Z, D, R}},
			F:       pow(builtin.Norm.Of(ast.Add(Z, neg(DR))), 2),
			Derivatives: []ast.Derivative{
				{Wrt: D, Gradient: ast.Mul(ast.Int(2), ast.Add(DR, neg(Z)), tr(R))},
				{Wrt: R, Gradient: ast.Mul(ast.Int(2), tr(D), ast.Add(DR, neg(Z)))},
			},
			Check: &ast.Verification{RelErr: 5e-12, OK: true},
		}},
		{"hessian", &ast.Result{
			Program: &ast.Program{Src: "x'*A*x", Root: quad, Vars: []*ast.Node{x, A}},
			F:       quad,
			Derivatives: []ast.Derivative{{
				Wrt:        x,
				Gradient:   ast.Mul(sym, x),
				Hessian:    ast.Mul(sym, dx),
				HessianMat: sym,
				Steps: []ast.Step{
					{Kind: ast.StepPerturb, Rule: "keep the part linear in Δ", Lhs: ast.Mul(tr(ast.Add(x, dx)), A, ast.Add(x, dx)),
						Rhs: ast.Add(quad, ast.Mul(tr(dx), A, x), ast.Mul(tr(x), A, dx))},
					{Kind: ast.StepRule, Rule: "d(AB) = dA·B + A·dB", Lhs: quad, Rhs: ast.Add(ast.Mul(tr(dx), A, x), ast.Mul(tr(x), A, dx))},
					{Kind: ast.StepIdentity, Rule: "aᵀ = a for a scalar; ⟨A, B⟩ = tr(AᵀB)", Lhs: ast.Mul(tr(dx), A, x), Rhs: ast.Inner(dx, ast.Mul(tr(A), x))},
					{Kind: ast.StepReadOff, Rule: "read off G", Lhs: ast.Add(ast.Mul(tr(dx), A, x), ast.Mul(tr(x), A, dx)), Rhs: ast.Inner(dx, ast.Mul(sym, x))},
				},
			}},
			Check: &ast.Verification{RelErr: 0.3, OK: false},
		}},
		{"jacobian", &ast.Result{
			Program:     &ast.Program{Src: "A*M*B", Root: ast.Mul(Am, Mq, Bp), Vars: []*ast.Node{Am, Mq, Bp}},
			F:           ast.Mul(Am, Mq, Bp),
			Derivatives: []ast.Derivative{{Wrt: Mq, Differential: ast.Mul(Am, ast.Delta("M", Mq.Shape), Bp), Jacobian: builtin.Kron.Of(tr(Bp), Am)}},
		}},
		{"no-jacobian", &ast.Result{
			Program:     &ast.Program{Src: "X .* C", Root: ast.Hadamard(Z, ast.Var("C", Z.Shape, 0)), Vars: []*ast.Node{Z, ast.Var("C", Z.Shape, 0)}},
			F:           ast.Hadamard(Z, ast.Var("C", Z.Shape, 0)),
			Derivatives: []ast.Derivative{{Wrt: Z, Differential: ast.Hadamard(ast.Delta("X", Z.Shape), ast.Var("C", Z.Shape, 0)), NoJacobian: "Δ ⊙ C is not of the form A·Δ·B"}},
			Check:       &ast.Verification{RelErr: 1e-13, OK: true},
		}},
		{"greek", &ast.Result{
			Program:     &ast.Program{Src: "λ*||Ω*x||^2", Root: greek, Vars: []*ast.Node{lam, om, x}},
			F:           greek,
			Derivatives: []ast.Derivative{{Wrt: om, Gradient: ast.Mul(lam, ast.Add(ast.Mul(om, x, tr(x)), ast.Mul(x, tr(x), om)))}},
			Check:       &ast.Verification{RelErr: 0, OK: true},
		}},
	}
}

// docFormats maps each format to the extension of its golden file.
var docFormats = []struct {
	f   Format
	ext string
}{{FormatText, "txt"}, {FormatASCII, "ascii"}, {FormatLaTeX, "tex"}, {FormatJSON, "json"}, {FormatNumPy, "py"},
	{FormatTorch, "torch.py"}, {FormatOctave, "m"}, {FormatGo, "go.golden"}}

// TestGolden writes every doc case in every format and compares with the
// golden files; go test -update rewrites them.
func TestGolden(t *testing.T) {
	for _, c := range docCases() {
		for _, df := range docFormats {
			t.Run(c.name+"."+df.ext, func(t *testing.T) {
				var sb strings.Builder
				if err := Write(&sb, c.r, df.f, TextOptions{}); err != nil {
					t.Fatalf("Write: %v", err)
				}
				path := filepath.Join("testdata", c.name+"."+df.ext)
				if *update {
					if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if got := sb.String(); got != string(want) {
					t.Errorf("Write(%s) differs from %s:\n--- got\n%s--- want\n%s", df.f, path, got, want)
				}
			})
		}
	}
}

// TestDeterministic writes every case twice and expects the same bytes.
func TestDeterministic(t *testing.T) {
	for _, c := range docCases() {
		for _, df := range docFormats {
			var a, b strings.Builder
			if err := Write(&a, c.r, df.f, TextOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := Write(&b, c.r, df.f, TextOptions{}); err != nil {
				t.Fatal(err)
			}
			if a.String() != b.String() {
				t.Errorf("%s.%s: two writes differ", c.name, df.ext)
			}
		}
	}
}

// TestWriteJSON checks the keys SPEC §5 fixes.
func TestWriteJSON(t *testing.T) {
	for _, c := range docCases() {
		var sb strings.Builder
		if err := WriteJSON(&sb, c.r); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Input       *string `json:"input"`
			Shape       *string `json:"shape"`
			Derivatives []map[string]json.RawMessage
			Where       []map[string]string
			Check       *struct {
				RelativeError *float64 `json:"relative_error"`
				OK            *bool    `json:"ok"`
			}
		}
		if err := json.Unmarshal([]byte(sb.String()), &doc); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if doc.Input == nil || doc.Shape == nil || len(doc.Derivatives) != len(c.r.Derivatives) {
			t.Errorf("%s: missing input, shape or derivatives", c.name)
		}
		if *doc.Input != ASCII(c.r.F) {
			t.Errorf("%s: input = %q, want %q", c.name, *doc.Input, ASCII(c.r.F))
		}
		for i, d := range doc.Derivatives {
			for _, key := range []string{"wrt", "shape", "differential", "gradient"} {
				if _, ok := d[key]; !ok {
					t.Errorf("%s: derivatives[%d] has no %q", c.name, i, key)
				}
			}
			var forms map[string]string
			if err := json.Unmarshal(d["differential"], &forms); err != nil || forms["text"] == "" || forms["ascii"] == "" || forms["latex"] == "" {
				t.Errorf("%s: derivatives[%d].differential = %s", c.name, i, d["differential"])
			}
			if (string(d["gradient"]) == "null") != (c.r.Derivatives[i].Gradient == nil) {
				t.Errorf("%s: derivatives[%d].gradient = %s", c.name, i, d["gradient"])
			}
		}
		for i, w := range doc.Where {
			if w["name"] != "T"+string(rune('1'+i)) || w["text"] == "" || w["ascii"] == "" || w["latex"] == "" {
				t.Errorf("%s: where[%d] = %v", c.name, i, w)
			}
		}
		if (doc.Check == nil) != (c.r.Check == nil) {
			t.Errorf("%s: check = %v, want one iff the result has one", c.name, doc.Check)
		}
		if doc.Check != nil && (doc.Check.OK == nil || *doc.Check.OK != c.r.Check.OK || doc.Check.RelativeError == nil) {
			t.Errorf("%s: check = %+v", c.name, doc.Check)
		}
	}
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// ansiTheme is a coloured Theme for the tests: every piece in cyan.
func ansiTheme() Theme {
	c := func(a ...any) string { return "\x1b[36m" + fmt.Sprint(a...) + "\x1b[0m" }
	return Theme{Var: c, Num: c, Op: c, Func: c, Delta: c, Label: c, Note: c, Good: c, Bad: c, Caret: c}
}

// TestColour checks that a coloured Theme styles the output and that
// styling changes nothing but escapes.
func TestColour(t *testing.T) {
	c := docCases()[2] // mlp: temporaries, a note
	var plain, coloured strings.Builder
	if err := WriteText(&plain, c.r, TextOptions{Theme: Plain(), Width: 50}); err != nil {
		t.Fatal(err)
	}
	if err := WriteText(&coloured, c.r, TextOptions{Theme: ansiTheme(), Width: 50}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(coloured.String(), "\x1b[") {
		t.Errorf("a coloured theme wrote no escape sequence:\n%s", coloured.String())
	}
	if strings.Contains(plain.String(), "\x1b[") {
		t.Errorf("Plain() wrote an escape sequence")
	}
	if got := ansi.ReplaceAllString(coloured.String(), ""); got != plain.String() {
		t.Errorf("colour changed the layout:\n%s\nwant\n%s", got, plain.String())
	}
	if got, want := Text(vA, ansiTheme()), "\x1b[36mA\x1b[0m"; got != want {
		t.Errorf("Text(A, ansiTheme()) = %q, want %q", got, want)
	}
	if got := Text(vA, Theme{}); got != "A" {
		t.Errorf("Text(A, Theme{}) = %q, want %q", got, "A")
	}
}

// TestWrap checks line wrapping at top-level operators.
func TestWrap(t *testing.T) {
	long := ast.Add(ast.Mul(ast.Int(2), vA, vC, vS), ast.Mul(ast.Int(-3), vC, vA), ast.Hadamard(vA, vS), ast.Mul(vS, vS, vS, vS, vS, vS, vS, vS))
	r := &ast.Result{
		Program:     &ast.Program{Root: builtin.Sum.Of(vA), Vars: []*ast.Node{vA}},
		Derivatives: []ast.Derivative{{Wrt: vA, Gradient: long}},
	}
	var sb strings.Builder
	if err := WriteText(&sb, r, TextOptions{Width: 28}); err != nil {
		t.Fatal(err)
	}
	want := `f(A)  = sum(A)   A ∈ ℝ^{n×n}
df    = ⟨Δ, 2·A·C·S − 3·C·A
      + A ⊙ S
      + S·S·S·S·S·S·S·S⟩
∇_A f = 2·A·C·S − 3·C·A
      + A ⊙ S
      + S·S·S·S·S·S·S·S
        ∈ ℝ^{n×n}
`
	if got := sb.String(); got != want {
		t.Errorf("WriteText(Width: 28) =\n%s\nwant\n%s", got, want)
	}
	sb.Reset()
	if err := WriteText(&sb, r, TextOptions{Width: 16}); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSuffix(sb.String(), "\n"), "\n") {
		// A continuation starts with an operator; a shape note that does not fit goes on a row of its own.
		if rest, ok := strings.CutPrefix(line, "      "); ok && !strings.Contains(rest, "∈") && !strings.ContainsAny(rest[:utf8.RuneLen([]rune(rest)[0])], "+−·") {
			t.Errorf("continuation %q does not start with an operator under the =", line)
		}
		if w := utf8.RuneCountInString(line); w > 16 && !strings.Contains(line, "∈") {
			t.Errorf("line %q is %d wide, want at most 16", line, w)
		}
	}
}
