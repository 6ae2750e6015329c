// This file writes the notes of inference (SPEC.md §3): one line for each
// name whose inferred shape is not its default, and for a non-scalar f that
// declaring one vector-by-default name a scalar would make scalar.

package ast

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// reason is why a name lost its default shape: the source of the operation
// that fixed it, and whether that operation is a power (for which x.^2 is
// the alternative).
type reason struct {
	what  string
	power bool
}

// unparen strips parentheses and a unary minus.
func unparen(e Expr) Expr {
	for {
		switch x := e.(type) {
		case *Paren:
			e = x.X
		case *Unary:
			e = x.X
		default:
			return e
		}
	}
}

// mulOperand records that e, if a name, is an operand of a matrix product
// whose other operand, other, is not a number (2*x means a vector).
func (c *checker) mulOperand(e, other Expr) {
	if id, ok := unparen(e).(*Ident); ok && !isLiteral(other) {
		c.mulOps[id.Name] = true
	}
}

// track runs f, and if f fixed a side of the type t of e (a name) to 1,
// making it a scalar or a vector, records why: the operation op, described
// by form with op's source for its %s (a power when power is set). The
// description is written only when recorded, so that inferring a wide sum
// does not copy its source at every operator.
func (c *checker) track(e Expr, t typ, op Expr, form string, power bool, f func()) {
	r, col := c.isOne(t.r), c.isOne(t.c)
	f()
	id, ok := unparen(e).(*Ident)
	if !ok || (r || !c.isOne(t.r)) && (col || !c.isOne(t.c)) {
		return
	}
	c.why[id.Name] = reason{what: fmt.Sprintf(form, c.text(op)), power: power} // the last side fixed decides the kind
}

// shapeKind names the kind of a shape for a note.
type shapeKind int

const (
	kindScalar shapeKind = iota
	kindColumn
	kindRow
	kindMatrix
)

func kindOf(s Shape) shapeKind {
	switch {
	case s.IsScalar():
		return kindScalar
	case s.Cols == One:
		return kindColumn
	case s.Rows == One:
		return kindRow
	}
	return kindMatrix
}

var kindText = map[shapeKind]string{kindScalar: "a scalar", kindColumn: "a column vector", kindRow: "a row vector", kindMatrix: "a matrix"}

// defaultKind is the shape a name has when nothing fixes it: a matrix for
// an upper-case first letter (Σ, Sigma), a column vector for lower-case
// Latin, a scalar otherwise (λ, lambda).
func defaultKind(name string) shapeKind {
	r, _ := utf8.DecodeRuneInString(name)
	if g, _, ok := GreekBase(name); ok {
		r = g
	}
	switch {
	case unicode.IsUpper(r):
		return kindMatrix
	case unicode.IsLower(r) && unicode.Is(unicode.Latin, r):
		return kindColumn
	}
	return kindScalar
}

// notes writes the notes of prog, which c has just checked from e.
func (c *checker) notes(e Expr, decls []Decl, prog *Program) []Note {
	var out []Note
	for _, v := range prog.Vars {
		if _, declared := c.decls[v.Name]; declared {
			continue
		}
		if p, ok := c.ints[v.Name]; ok {
			out = append(out, Note{Msg: fmt.Sprintf("%s is taken as an integer (%s is a matrix power)", v.Name, c.text(p)),
				Decl: v.Name + ": int"})
			continue
		}
		got := kindOf(v.Shape)
		if got == defaultKind(v.Name) {
			continue
		}
		r, ok := c.why[v.Name]
		switch {
		case got == kindScalar && ok && r.power:
			p := r.what[:len(r.what)-len(" is a power")]
			out = append(out, Note{Msg: fmt.Sprintf("%s is taken as a scalar (%s)", v.Name, r.what),
				Lead: fmt.Sprintf("for an elementwise power write %s, or ", elementwise(p)), Decl: v.Name + ": scalar"})
		case ok:
			out = append(out, Note{Msg: fmt.Sprintf("%s is taken as %s (%s)", v.Name, kindText[got], r.what),
				Decl: v.Name + ": " + v.Shape.ASCII()})
		default:
			out = append(out, Note{Msg: fmt.Sprintf("%s is taken as %s", v.Name, kindText[got]),
				Decl: v.Name + ": " + v.Shape.ASCII()})
		}
	}
	if !prog.Root.IsScalar() {
		if n, ok := c.scalarIf(e, decls, prog); ok {
			out = append(out, n)
		}
	}
	return out
}

// elementwise writes the power p ("x^2") as an elementwise power ("x.^2").
func elementwise(p string) string {
	for i := 0; i < len(p); i++ {
		if p[i] == '^' && (i == 0 || p[i-1] != '.') {
			return p[:i] + ".^" + p[i+1:]
		}
	}
	return p
}

// maxScalarIf is the most names scalarIf tries: each try checks the whole
// expression again, so that A*x0 + … + A*x999 would otherwise take time
// quadratic in its length (76 s) for a note that no one name makes true.
const maxScalarIf = 8

// scalarIf returns the note for a non-scalar f that would be scalar if one
// vector-by-default name were a scalar: a name used as a factor of a matrix
// product and never transposed (c in c*x'*x), the first of the first
// maxScalarIf such names that works; ok is false if there is none.
func (c *checker) scalarIf(e Expr, decls []Decl, prog *Program) (n Note, ok bool) {
	tries := 0
	for _, v := range prog.Vars {
		if _, declared := c.decls[v.Name]; declared || !c.mulOps[v.Name] || c.transposed[v.Name] ||
			defaultKind(v.Name) != kindColumn || kindOf(v.Shape) != kindColumn {
			continue
		}
		if tries++; tries > maxScalarIf {
			break
		}
		alt := append(append([]Decl{}, decls...), Decl{Name: v.Name, Shape: Scalar, Pos: NoPos, End: NoPos})
		p, err := check(c.src, e, alt, nil, false)
		if err != nil || !p.Root.IsScalar() {
			continue
		}
		return Note{Msg: fmt.Sprintf("f is %s (%s), not a scalar, because %s is taken as a column vector",
			kindText[kindOf(prog.Root.Shape)], describe(prog.Root.Shape), v.Name),
			Lead: fmt.Sprintf("if %s is a scalar, ", v.Name), Decl: v.Name + ": scalar"}, true
	}
	return Note{}, false
}
