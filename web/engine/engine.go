// Package engine answers one question of the web page: it runs the facade
// (mdiff.Derive, which checks the answer numerically) and renders the result
// in every notation the page shows and every format of render.Formats.
//
// It is the part shared by the HTTP handler of mdiff serve (package web) and
// the WebAssembly bridge (package web/bridge), so both answer the same way:
// a Response holds, for each line of the answer (f, df, the gradient, each
// further derivative, each temporary), its text, LaTeX and ASCII forms, the
// ASCII form being what --format ascii writes after the line's "=".
package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/render"
)

// MaxInput bounds the total length in bytes of a request's fields; a longer
// request is answered with an error, not computed.
const MaxInput = 8 << 10

// Request is one question, as the page's fields and switches hold it.
type Request struct {
	Expr     string `json:"expr"`
	Let      string `json:"let"` // declarations: one or more a line, separated by ";" or ","
	Wrt      string `json:"wrt"` // variables, separated by ","
	Steps    bool   `json:"steps"`
	Hessian  bool   `json:"hessian"`
	Jacobian bool   `json:"jacobian"`
}

// Line is one line of the answer. ASCII is what --format ascii writes after
// the line's "=", ending with the where clause of the temporaries it uses,
// so it is valid mdiff input as it stands; for a temporary it is "T1 = …",
// as a where clause lists it.
type Line struct {
	Kind  string `json:"kind"`  // f, df, grad, hess, hessmat, jac, nojac, temp, step
	Label string `json:"label"` // LaTeX of the left-hand side: \nabla_{B} f
	LaTeX string `json:"latex"` // LaTeX of the right-hand side
	Text  string `json:"text"`  // Unicode of the right-hand side
	ASCII string `json:"ascii"` // ASCII of the right-hand side (or "T1 = …")
	Note  string `json:"note,omitempty"`
}

// Output is one format of render.Formats, or why it cannot express this answer.
type Output struct {
	Format string `json:"format"`
	Body   string `json:"body,omitempty"`
	Error  string `json:"error,omitempty"`
}

// Error is a bad question: Message is what the CLI prints after "mdiff: "
// (the message, the input and a caret under the place); Field names the
// page field it is about: expr, let or wrt (or "" when none applies).
type Error struct {
	Message string `json:"message"`
	Field   string `json:"field"`
}

// Response is the answer to a Request: either Error or the rest.
type Response struct {
	Error   *Error   `json:"error,omitempty"`
	Lines   []Line   `json:"lines,omitempty"`
	Check   string   `json:"check,omitempty"` // "✓ checked numerically: relative error 1e-12"
	Notes   []string `json:"notes,omitempty"` // where inference departed from a name's default shape, as the CLI's "note:" lines
	Outputs []Output `json:"outputs,omitempty"`
	Millis  float64  `json:"ms"` // time spent computing
}

// Formats lists the format names of the page's tabs (render.Formats).
func Formats() []string {
	var out []string
	for _, f := range render.Formats {
		out = append(out, string(f))
	}
	return out
}

// Answer computes the response to req. It never panics on input: a panic in
// the pipeline becomes an internal error answer.
func Answer(req Request) (resp Response) {
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			resp = Response{Error: &Error{Message: fmt.Sprintf("internal error: %v (please report this expression)", r)}}
		}
		resp.Millis = float64(time.Since(start).Microseconds()) / 1000
	}()
	if n := len(req.Expr) + len(req.Let) + len(req.Wrt); n > MaxInput {
		return Response{Error: &Error{Message: fmt.Sprintf("the input is %d bytes; the page answers up to %d", n, MaxInput)}}
	}
	if strings.TrimSpace(req.Expr) == "" {
		return Response{Error: &Error{Message: "type an expression", Field: "expr"}}
	}
	if strings.TrimSpace(strings.ReplaceAll(req.Wrt, ",", "")) == "" {
		return Response{Error: &Error{Message: "name the variable to differentiate with respect to", Field: "wrt"}}
	}
	opts := mdiff.Options{
		Wrt:      []string{req.Wrt},
		Let:      splitLines(req.Let),
		Steps:    req.Steps,
		Hessian:  req.Hessian,
		Jacobian: req.Jacobian,
		Seed:     1, // the CLI's default, so the page and mdiff diff agree
	}
	res, err := mdiff.Derive(req.Expr, opts)
	var failed *mdiff.CheckFailedError
	if errors.As(err, &failed) {
		// A wrong answer is never shown as if it were right (as in the CLI).
		return Response{Error: &Error{Message: fmt.Sprintf("%v\n  the derivative of %s was not shown; please report this expression", failed, req.Expr)}}
	}
	if err != nil {
		return Response{Error: classify(err, req)}
	}
	return build(res)
}

// splitLines turns the declarations field into --let values, one a line, so
// that an error's caret is under a one-line source.
func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// classify turns a facade error into an Error naming the field it is about.
func classify(err error, req Request) *Error {
	e := &Error{Message: err.Error()}
	var pe *ast.Error
	switch {
	case strings.Contains(e.Message, "--wrt"), strings.HasPrefix(e.Message, "f does not depend on "), strings.HasPrefix(e.Message, "no variable to differentiate"):
		e.Field = "wrt"
	case errors.As(err, &pe) && pe.Src != req.Expr && strings.Contains(req.Let, pe.Src):
		e.Field = "let"
	default:
		e.Field = "expr"
	}
	return e
}

// jsonForms is one expression of the JSON format (SPEC §5).
type jsonForms struct{ Text, ASCII, LaTeX string }

// jsonDoc is the part of --format json the page shows.
type jsonDoc struct {
	Input       string
	Derivatives []struct {
		Wrt           string
		Differential  jsonForms
		Gradient      *jsonForms
		Hessian       *jsonForms `json:"hessian"`
		HessianMatrix *jsonForms `json:"hessian_matrix"`
		Jacobian      *jsonForms
		NoJacobian    string `json:"no_jacobian"`
		Steps         []struct {
			Kind     string
			Rule     string
			Lhs, Rhs *jsonForms
		}
	}
	Where []struct {
		Name string
		jsonForms
	}
}

// build renders res: every format, and the lines read from the JSON format,
// whose expressions are the ones every other format prints.
func build(res *ast.Result) Response {
	var resp Response
	var doc []byte
	for _, f := range render.Formats {
		var b bytes.Buffer
		o := Output{Format: string(f)}
		if err := render.Write(&b, res, f, render.TextOptions{Theme: render.Plain()}); err != nil {
			o.Error = strings.TrimPrefix(strings.TrimPrefix(err.Error(), "render: "), string(f)+": ")
		} else {
			o.Body = b.String()
		}
		if f == render.FormatJSON {
			doc = b.Bytes()
		}
		resp.Outputs = append(resp.Outputs, o)
	}
	if doc == nil {
		var b bytes.Buffer
		if err := render.WriteJSON(&b, res); err != nil {
			return Response{Error: &Error{Message: err.Error()}}
		}
		doc = b.Bytes()
	}
	var d jsonDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return Response{Error: &Error{Message: "internal error: " + err.Error()}}
	}
	w := newWhere(d.Where)
	wrts := make([]string, len(d.Derivatives))
	for i, dv := range d.Derivatives {
		wrts[i] = dv.Wrt
	}
	resp.Lines = append(resp.Lines, Line{
		Kind:  "f",
		Label: "f(" + strings.Join(mapStrings(wrts, latexName), ", ") + ")",
		LaTeX: render.LaTeX(res.F), Text: render.Text(res.F, render.Plain()), ASCII: d.Input,
		Note: shapes(res),
	})
	multi := len(d.Derivatives) > 1
	for i, dv := range d.Derivatives {
		rd := res.Derivatives[i]
		x := latexName(dv.Wrt)
		sub := func(s string) string {
			if multi {
				return s + "_{" + x + "}"
			}
			return s
		}
		for _, st := range dv.Steps {
			l := stepLine(st.Kind, st.Rule, st.Lhs, st.Rhs)
			l.ASCII += w.clause(l.ASCII)
			resp.Lines = append(resp.Lines, l)
		}
		df := line("df", `\mathrm{d}`+sub("")+" f", dv.Differential)
		if dv.Gradient == nil {
			df.LaTeX = `\Delta \mapsto ` + df.LaTeX
			df.Text = "Δ ↦ " + df.Text
			df.Note = `\in ` + space(rd.Differential.Shape)
		}
		df.ASCII += w.clause(df.ASCII)
		resp.Lines = append(resp.Lines, df)
		if g := dv.Gradient; g != nil {
			resp.Lines = append(resp.Lines, withNote(line("grad", `\nabla_{`+x+`} f`, *g), rd.Gradient))
		}
		if h := dv.Hessian; h != nil {
			resp.Lines = append(resp.Lines, withNote(line("hess", sub("H")+`[\Delta]`, *h), rd.Hessian))
		}
		if h := dv.HessianMatrix; h != nil {
			resp.Lines = append(resp.Lines, withNote(line("hessmat", `\nabla^2_{`+x+`} f`, *h), rd.HessianMat))
		}
		switch {
		case dv.Jacobian != nil:
			resp.Lines = append(resp.Lines, withNote(line("jac", sub("J"), *dv.Jacobian), rd.Jacobian))
		case dv.NoJacobian != "":
			resp.Lines = append(resp.Lines, Line{Kind: "nojac", Label: sub("J"), Text: "none: " + dv.NoJacobian})
		}
	}
	for i := range resp.Lines {
		switch l := &resp.Lines[i]; l.Kind {
		case "grad", "hess", "hessmat", "jac":
			l.ASCII += w.clause(l.ASCII)
		}
	}
	for i, t := range d.Where {
		l := line("temp", fmt.Sprintf("T_{%d}", i+1), t.jsonForms)
		l.ASCII = t.Name + " = " + t.ASCII
		resp.Lines = append(resp.Lines, l)
	}
	resp.Check = render.CheckLine(res.Check, render.Plain())
	for _, n := range res.Program.Notes {
		resp.Notes = append(resp.Notes, render.NoteText(n))
	}
	return resp
}

// stepLine writes a derivation step as the text format does:
//
//	perturb   f(X + Δ) = f(X) + df + o(‖Δ‖)
//	rule      d(lhs) = rhs
//	identity  lhs = rhs
//	read-off  df = lhs = ⟨Δ, G⟩
func stepLine(kind, rule string, lhs, rhs *jsonForms) Line {
	l := Line{Kind: "step", Note: rule}
	or := func(f *jsonForms) jsonForms {
		if f == nil {
			return jsonForms{}
		}
		return *f
	}
	a, b := or(lhs), or(rhs)
	switch kind {
	case "perturb":
		l.Label, l.LaTeX = a.LaTeX, b.LaTeX+` + o\left(\lVert \Delta \rVert\right)`
		l.Text, l.ASCII = a.Text+" = "+b.Text+" + o(‖Δ‖)", a.ASCII+" = "+b.ASCII+" + o(||Delta||)"
	case "rule":
		l.Label, l.LaTeX = `\mathrm{d}\left(`+a.LaTeX+`\right)`, b.LaTeX
		l.Text, l.ASCII = "d("+a.Text+") = "+b.Text, "d("+a.ASCII+") = "+b.ASCII
	case "read-off":
		l.Label, l.LaTeX = `\mathrm{d}f`, a.LaTeX
		l.Text, l.ASCII = "df = "+a.Text, "df = "+a.ASCII
		if rhs != nil {
			l.LaTeX += " = " + b.LaTeX
			l.Text += " = " + b.Text
			l.ASCII += " = " + b.ASCII
		}
	default:
		l.Label, l.LaTeX = a.LaTeX, b.LaTeX
		l.Text, l.ASCII = a.Text+" = "+b.Text, a.ASCII+" = "+b.ASCII
	}
	return l
}

func line(kind, label string, f jsonForms) Line {
	return Line{Kind: kind, Label: label, LaTeX: f.LaTeX, Text: f.Text, ASCII: f.ASCII}
}

// where is the temporaries of an answer, T1, T2, … in order of definition.
type where struct {
	names []string
	ascii map[string]string
}

func newWhere(ts []struct {
	Name string
	jsonForms
}) *where {
	w := &where{ascii: map[string]string{}}
	for _, t := range ts {
		w.names = append(w.names, t.Name)
		w.ascii[t.Name] = t.ASCII
	}
	return w
}

// tempName matches a name of the ASCII syntax.
var tempName = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// clause is what --format ascii appends to a line whose ASCII is s: the
// temporaries s uses, directly or through others, as
// " where T1 = …, T2 = …" in order of definition, or "" when it uses none.
// Each line is then valid input as it stands.
func (w *where) clause(s string) string {
	used := map[string]bool{}
	var visit func(string)
	visit = func(s string) {
		for _, name := range tempName.FindAllString(s, -1) {
			if def, ok := w.ascii[name]; ok && !used[name] {
				used[name] = true
				visit(def)
			}
		}
	}
	visit(s)
	var parts []string
	for _, name := range w.names {
		if used[name] {
			parts = append(parts, name+" = "+w.ascii[name])
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " where " + strings.Join(parts, ", ")
}

// withNote adds the space of n to l: "∈ ℝ^{q×p}".
func withNote(l Line, n *ast.Node) Line {
	if n != nil {
		l.Note = `\in ` + space(n.Shape)
	}
	return l
}

// space is the LaTeX of the space of shape s: \mathbb{R}^{q\times p}.
func space(sh ast.Shape) string {
	s := `\mathbb{R}`
	switch {
	case sh.IsScalar():
	case sh.IsColVector():
		s += "^{" + latexDim(sh.Rows) + "}"
	default:
		s += "^{" + latexDim(sh.Rows) + `\times ` + latexDim(sh.Cols) + "}"
	}
	return s
}

// shapes is the note of the f line: "Y ∈ ℝ^{q×n}, B ∈ ℝ^{q×p}" in LaTeX.
func shapes(res *ast.Result) string {
	var parts []string
	for _, v := range res.Program.Vars {
		parts = append(parts, latexName(v.Name)+` \in `+space(v.Shape))
	}
	return strings.Join(parts, `,\; `)
}

// latexName is a name as the LaTeX format writes it (Greek letters as
// commands, a subscript after "_").
func latexName(s string) string { return render.LaTeX(ast.Var(s, ast.Scalar, 0)) }

func latexDim(d ast.Dim) string {
	return strings.ReplaceAll(latexText(string(d)), "·", `\,`)
}

func latexText(s string) string {
	var parts []string
	for _, p := range strings.Split(s, "·") {
		parts = append(parts, latexName(p))
	}
	return strings.Join(parts, "·")
}

func mapStrings(xs []string, f func(string) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}
