package render

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/numeric"
	"github.com/mdiff/mdiff/parser"
)

// notPasteable lists the print cases whose ASCII cannot mean the same tree
// on its own: a constant sized only by its context, or Kronecker products
// (Jacobians only, not in the input syntax).
var notPasteable = map[string]bool{
	"ones": true, "zero": true, "identity": true, "broadcast-column": true,
	"broadcast-row": true, "broadcast-scalar": true, "broadcast-only-in-sum": true,
	"broadcast-power-base": true, "kron": true,
}

// TestASCIIRoundTrip parses every ASCII print back (SPEC §2) and checks
// numerically that it means the same as the tree it was printed from.
func TestASCIIRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := map[ast.Dim]int{dn: 3, dp: 4, dq: 5}
	for _, tc := range printCases {
		if notPasteable[tc.name] {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			var decls []ast.Decl
			var delta *ast.Node
			seen := map[string]bool{}
			ast.Walk(tc.n, func(m *ast.Node) {
				switch {
				case m.Kind == ast.KVar && !seen[m.Name]:
					seen[m.Name] = true
					// The ASCII spells a Greek name out (Ω is Omega).
					decls = append(decls, ast.Decl{Name: ASCIIName(m.Name), Shape: m.Shape, Props: m.Props})
				case m.Kind == ast.KDelta:
					delta = m
					decls = append(decls, ast.Decl{Name: "Delta", Shape: m.Shape})
				case m.Kind == ast.KApply && !seen[m.Name]:
					seen[m.Name] = true
					decls = append(decls, ast.Decl{Name: m.Name, Func: true})
				}
			})
			src := ASCII(tc.n)
			e, err := parser.Parse(src)
			if err != nil {
				t.Fatalf("parser.Parse(%q): %v", src, err)
			}
			prog, err := ast.Check(src, e, decls)
			if err != nil {
				t.Fatalf("ast.Check(%q): %v", src, err)
			}
			if prog.Root.Shape != tc.n.Shape {
				t.Fatalf("%q has shape %v, want %v", src, prog.Root.Shape, tc.n.Shape)
			}
			env := numeric.RandomEnv(rng, prog, sizes)
			if delta != nil {
				env.Deltas = map[string]*mat.Dense{delta.Name: env.Vals["Delta"]}
			}
			for name, v := range env.Vals { // the tree's own names
				ast.Walk(tc.n, func(m *ast.Node) {
					if m.Kind == ast.KVar && m.Name != name && ASCIIName(m.Name) == name {
						env.Vals[m.Name] = v
					}
				})
			}
			want, err := numeric.Eval(tc.n, env)
			if err != nil {
				t.Fatalf("Eval(%s): %v", ast.Dump(tc.n), err)
			}
			got, err := numeric.Eval(prog.Root, env)
			if err != nil {
				t.Fatalf("Eval(parse(%q)): %v", src, err)
			}
			if !sameValues(got, want) {
				t.Errorf("parse(%q) = %v, want %v", src, mat.Formatted(got), mat.Formatted(want))
			}
		})
	}
}

// sameValues compares entrywise with a relative tolerance; NaN equals NaN
// (a fractional power of a negative entry).
func sameValues(a, b *mat.Dense) bool {
	ra, ca := a.Dims()
	rb, cb := b.Dims()
	if ra != rb || ca != cb {
		return false
	}
	for i := range ra {
		for j := range ca {
			x, y := a.At(i, j), b.At(i, j)
			if math.IsNaN(x) && math.IsNaN(y) {
				continue
			}
			if math.Abs(x-y) > 1e-9*max(1, math.Abs(x), math.Abs(y)) {
				return false
			}
		}
	}
	return true
}
