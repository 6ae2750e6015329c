package mdiff_test

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/render"
)

// TestMatrixCalculusInputs differentiates every expression of
// testdata/matrixcalculus.txt, as users of matrixcalculus.org write them
// (SPEC §2: such input works unchanged), with the numeric check, and parses
// the printed ASCII gradient back as input.
func TestMatrixCalculusInputs(t *testing.T) {
	f, err := os.Open("testdata/matrixcalculus.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, "|")
		if len(parts) != 3 {
			t.Fatalf("bad line %q: want expression | variable | declarations", line)
		}
		expr, wrt, let := strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1]), strings.TrimSpace(parts[2])
		n++
		t.Run(expr, func(t *testing.T) {
			opts := mdiff.Options{Wrt: []string{wrt}}
			if let != "" {
				opts.Let = []string{let}
			}
			res, err := mdiff.Derive(expr, opts)
			if err != nil {
				t.Fatalf("Derive(%q): %v", expr, err)
			}
			if res.Check == nil || !res.Check.OK {
				t.Fatalf("Derive(%q): the numeric check failed: %+v", expr, res.Check)
			}
			if g := res.Derivatives[0].Gradient; g != nil {
				var decls []string
				for _, v := range res.Program.Vars {
					decls = append(decls, v.Name+": "+v.Shape.ASCII())
				}
				if _, err := mdiff.Parse(render.ASCII(g), []string{strings.Join(decls, "; ")}); err != nil {
					t.Errorf("the gradient %q does not parse back: %v", render.ASCII(g), err)
				}
			}
		})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 25 {
		t.Errorf("%d expressions, want at least 25", n)
	}
}
