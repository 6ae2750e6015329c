// FuzzDerive: any string as the expression of `mdiff diff EXPR --wrt X` with
// fixed declarations; mdiff.Derive must return a result or an error — never
// panic, never hang — and a result must print in every format.
//
//	go test -run XXX -fuzz FuzzDerive -fuzztime 60s .
//
// With MDIFF_FUZZ_STRICT=1 a failed numerical check (a derivative that
// disagrees with finite differences) is a failure too.
package mdiff_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/render"
	"golang.org/x/tools/txtar"
)

// fuzzLet declares the names the fuzzer is most likely to combine.
var fuzzLet = []string{"X: n x n; A: n x n; B: n x n; S: sym n x n; P: spd n x n; x: n; y: n; a: scalar; w: pos n; g: func"}

const (
	fuzzMaxLen  = 200
	fuzzTimeout = 20 * time.Second
)

func FuzzDerive(f *testing.F) {
	for _, s := range []string{
		"tr(A*X)", "logdet(X)", "x'*A*x", "inv(X)", "X*X", "||X||_F^2", "<X, A*X>",
		"||g(X*A) - B||_F^2", "sum(X)", "softmax(x)", "logsumexp(x)", "X .* A + X ./ (A .^ 2 + 1)",
		"exp(X) + sin(X) - cos(X) .* tanh(X)", "sigmoid(X) + relu(X) + abs(X) + sqrt(X .* X + 1)",
		"det(X)^2", "X^3 + X^-1 + X^{-1} + Xᵀ + X^T + X'", "‖X‖_F + norm(X, 'fro') + ||x||^2",
		"diag(diag(X))", "g'(X)", "-x'*log(w)", "a*X/2", "(X + S) * P", "ones*X*I", "tr(",
		"||X||_2", "X*x", "<A, >", "((((X))))", "X''''", "⟨X, Δ⟩", "𝟙 + X", "1e-3*X", "X^0.5",
		"sum(tan(x)) + mean(softplus(X*x))", "tr(kron(A, X))", "A ⊗ X", "vec(X)'*vec(A)", "norm1(x) + norm2(X)",
		"pi*x'*eye*x + vector(1)'*x", "sum(X .* matrix(2))", "sum(asin(x ./ (1 + x .* x)))", "log1p(x'*x) + sum(expm1(x))",
		"sign(x)'*x + step(x)'*x", "det(kron(A, X))", "a'*vec(X)",
		"T2 where T1 = X*A, T2 = tanh(T1) .* T1", "T1*T1 where T1 = inv(X)", "x where", "Delta + X", `\Delta`,
	} {
		f.Add(s)
	}
	// The expressions of the golden cases too.
	if paths, err := filepath.Glob(filepath.Join("testdata", "golden", "*.txtar")); err == nil {
		for _, p := range paths {
			a, err := txtar.ParseFile(p)
			if err != nil {
				continue
			}
			for _, file := range a.Files {
				if file.Name == "args" {
					f.Add(strings.SplitN(string(file.Data), "\n", 2)[0])
				}
			}
		}
	}
	strict := os.Getenv("MDIFF_FUZZ_STRICT") == "1"
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > fuzzMaxLen {
			return
		}
		type outcome struct {
			err      error
			bug      string
			panicked any
		}
		done := make(chan outcome, 1)
		go func() {
			defer func() {
				if r := recover(); r != nil {
					done <- outcome{panicked: r}
				}
			}()
			res, err := mdiff.Derive(src, mdiff.Options{Wrt: []string{"X"}, Let: fuzzLet, Seed: 1})
			if err == nil && res == nil {
				done <- outcome{bug: "nil result without an error"}
				return
			}
			if err == nil {
				// Printing may fail with an error (numpy cannot express
				// everything), but must not panic.
				for _, format := range render.Formats {
					_ = render.Write(io.Discard, res, format, render.TextOptions{Theme: render.Plain()})
				}
			}
			done <- outcome{err: err}
		}()
		select {
		case o := <-done:
			if o.panicked != nil {
				t.Fatalf("mdiff.Derive(%q) panicked: %v", src, o.panicked)
			}
			if o.bug != "" {
				t.Fatalf("mdiff.Derive(%q): %s", src, o.bug)
			}
			var failed *mdiff.CheckFailedError
			if strict && errors.As(o.err, &failed) {
				t.Fatalf("mdiff.Derive(%q): %v", src, o.err)
			}
		case <-time.After(fuzzTimeout):
			t.Fatalf("mdiff.Derive(%q) did not return within %v", src, fuzzTimeout)
		}
	})
}

// TestHostileInput: inputs built to hurt (deep nesting, a megabyte, many
// summands, long chains of postfix operators, extreme numbers, odd
// Unicode) give an answer or a positioned error, never a panic or a hang;
// the error of a long input shows a window of it, not all of it.
func TestHostileInput(t *testing.T) {
	let := []string{"X: n x n; x: n"}
	cases := []struct{ name, src, wrt string }{
		{"10 000 levels of nesting", strings.Repeat("(", 10000) + "x" + strings.Repeat(")", 10000), "x"},
		{"a megabyte", strings.Repeat("x + ", 1<<18) + "x", "x"},
		{"5 000 summands", strings.Repeat("x'*x + ", 4999) + "x'*x", "x"},
		{"' 100 times", "x" + strings.Repeat("'", 100), "x"},
		{"^-1 100 times", "X" + strings.Repeat("^-1", 100), "X"},
		{"1e308", "sum(X .^ 1e308)", "X"},
		{"1e-308", "sum(1e-308*X)", "X"},
		{"zero width space", "x\u200b + x", "x"},
		{"right-to-left override", "\u202etr(X)", "X"},
		{"invalid UTF-8", "tr(\xff\xfeX)", "X"},
		{"combining mark", "x\u0303 + x", "x"},
		{"a power of powers of a number", "X*1332^32^32^32^32", "X"},                       // once folded to a 3-million-digit number
		{"20 000 numbers multiplied", "X*" + strings.Repeat("9e99*", 19999) + "9e99", "X"}, // once quadratic in the folded product
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := mdiff.Derive(c.src, mdiff.Options{Wrt: []string{c.wrt}, Let: let})
			if err == nil {
				if res == nil {
					t.Fatal("no result and no error")
				}
				return
			}
			msg := err.Error()
			if strings.Contains(msg, "internal error") || strings.Contains(msg, "panic") {
				t.Errorf("%s", msg)
			}
			if len(msg) > 2000 {
				t.Errorf("a %d-byte message", len(msg))
			}
		})
	}
}

// TestSizeEqualToItsProduct covers sizes that the shapes would make a
// product of themselves, r = r·c: the checker infers c = 1 where one
// factor is r itself and refuses the rest, where it once recursed without
// end (a stack overflow) or built a node of impossible shape (an internal
// error).
func TestSizeEqualToItsProduct(t *testing.T) {
	for _, c := range []struct{ src, wrt, let, want string }{
		{"X .* vec(X) + X^T", "X", "", "X: scalar"}, // a column, and square
		{"x .* vec(x)", "x", "x: n", ""},            // vec of a column is itself
		{"kron(A, B) ⊗ (A+B) .* (A+B)", "A", "", "shape mismatch"},
		{"X .* vec(kron(X, X))", "X", "", ""}, // r = (r·r)·… : refused or inferred, never a crash
		{"vec(X) .* X", "X", "X: m x n", "shape mismatch"},
	} {
		var let []string
		if c.let != "" {
			let = []string{c.let}
		}
		res, err := mdiff.Derive(c.src, mdiff.Options{Wrt: []string{c.wrt}, Let: let})
		msg := ""
		if err != nil {
			msg = err.Error()
		} else {
			for _, n := range res.Program.Notes {
				msg += render.NoteText(n) + "\n"
			}
		}
		if strings.Contains(msg, "internal error") || strings.Contains(msg, "panic") {
			t.Errorf("%s: %s", c.src, msg)
		}
		if !strings.Contains(msg, c.want) {
			t.Errorf("%s: %q does not say %q", c.src, msg, c.want)
		}
	}
}

// TestNumbersStaySmall: a power of a number folds only while the result
// stays within simplify's bound (about 600 digits), and a product of
// literal numbers is refused past about 2 466 digits, so that no answer
// or message holds a number whose decimal form takes seconds to write.
func TestNumbersStaySmall(t *testing.T) {
	res, err := mdiff.Derive("X*1332^32^32^32^32", mdiff.Options{Wrt: []string{"X"}, NoCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	longest := 0
	for _, run := range regexp.MustCompile(`[0-9]+`).FindAllString(render.ASCII(res.Canonical)+render.ASCII(res.Derivatives[0].Differential), -1) {
		longest = max(longest, len(run))
	}
	if longest == 0 || longest > 700 {
		t.Errorf("X*1332^32^32^32^32: its longest number has %d digits", longest)
	}
	_, err = mdiff.Derive("X*"+strings.Repeat("9e99*", 30)+"9e99", mdiff.Options{Wrt: []string{"X"}})
	if err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Errorf("31 factors 9e99: %v, want out of range", err)
	}
	if _, err := mdiff.Derive("X*"+strings.Repeat("9e99*", 20)+"9e99", mdiff.Options{Wrt: []string{"X"}, NoCheck: true}); err != nil {
		t.Errorf("21 factors 9e99 (about 10^2100): %v", err)
	}
}
