package render

import (
	"encoding/json"
	"io"
	"math"

	"github.com/mdiff/mdiff/ast"
)

// forms is one expression in the three notations.
type forms struct {
	Text  string `json:"text"`
	ASCII string `json:"ascii"`
	LaTeX string `json:"latex"`
}

func formsOf(nm Names, n *ast.Node) forms {
	return forms{Text: nm.Text(n, Theme{}), ASCII: nm.ASCII(n), LaTeX: nm.LaTeX(n)}
}

// literalForms is formsOf with negated sums printed as they are, −(B·X − Y).
func literalForms(nm Names, n *ast.Node) *forms {
	return &forms{Text: join(nm.literalPieces(notText, Theme{}, n)), ASCII: join(nm.literalPieces(notASCII, Theme{}, n)), LaTeX: join(nm.literalPieces(notLaTeX, Theme{}, n))}
}

func optForms(nm Names, n *ast.Node) *forms {
	if n == nil {
		return nil
	}
	f := formsOf(nm, n)
	return &f
}

type jsonVar struct {
	Name  string `json:"name"`
	Shape string `json:"shape"`
}

type jsonStep struct {
	Kind string `json:"kind"` // perturb, rule, identity or read-off
	Rule string `json:"rule"`
	Lhs  *forms `json:"lhs"`
	Rhs  *forms `json:"rhs"`
}

type jsonDerivative struct {
	Wrt           string     `json:"wrt"`
	Shape         string     `json:"shape"`
	Differential  forms      `json:"differential"`
	Gradient      *forms     `json:"gradient"`
	Hessian       *forms     `json:"hessian,omitempty"`
	HessianMatrix **forms    `json:"hessian_matrix,omitempty"`    // with a Hessian: null where no matrix exists
	NoHessianMat  string     `json:"no_hessian_matrix,omitempty"` // why there is no Hessian matrix
	Jacobian      *forms     `json:"jacobian,omitempty"`
	NoJacobian    string     `json:"no_jacobian,omitempty"` // why there is no Jacobian
	Steps         []jsonStep `json:"steps,omitempty"`
}

type jsonTemp struct {
	Name string `json:"name"`
	forms
}

type jsonCheck struct {
	RelativeError *float64 `json:"relative_error"` // null when not finite
	OK            bool     `json:"ok"`
	Note          string   `json:"note,omitempty"`
}

type jsonDoc struct {
	Input       string           `json:"input"`
	Shape       string           `json:"shape"`
	Vars        []jsonVar        `json:"vars"`
	Derivatives []jsonDerivative `json:"derivatives"`
	Where       []jsonTemp       `json:"where"`
	Check       *jsonCheck       `json:"check"`
	Notes       []string         `json:"notes,omitempty"` // the notes of inference (ast.Program.Notes)
}

// WriteJSON writes r as one indented JSON object (SPEC §5), keys in a fixed
// order:
//
//	{"input": ASCII of f, "shape": "scalar" | "n" | "q x p",
//	 "vars": [{"name", "shape"}],
//	 "derivatives": [{"wrt", "shape", "differential", "gradient",
//	                  "hessian"?, "hessian_matrix"?, "jacobian"?, "no_jacobian"?,
//	                  "steps"?: [{"kind", "rule", "lhs", "rhs"}]}],
//	 "where": [{"name": "T1", "text", "ascii", "latex"}],
//	 "check": {"relative_error", "ok", "note"?} | null,
//	 "notes"?: ["k is taken as an integer …"]}
//
// Shapes are written as a declaration accepts them (ast.Shape.ASCII). Each
// expression is an object {"text", "ascii", "latex"}; "differential" is
// ⟨Δ, G⟩ for a scalar f and the linear map's value M(Δ) otherwise;
// "gradient" is null for a non-scalar f. The expressions may use the
// temporaries of "where", listed in order of definition; "input" never
// does. "check" is null when the check was skipped.
func WriteJSON(w io.Writer, r *ast.Result) error {
	a, err := newAnswer(r)
	if err != nil {
		return err
	}
	doc := jsonDoc{
		Input:       a.fNames.ASCII(a.f),
		Shape:       a.f.Shape.ASCII(),
		Vars:        []jsonVar{},
		Derivatives: []jsonDerivative{},
		Notes:       notesOf(r),
		Where:       []jsonTemp{},
	}
	for _, v := range a.vars {
		doc.Vars = append(doc.Vars, jsonVar{Name: v.Name, Shape: v.Shape.ASCII()})
	}
	nm := a.names
	for _, d := range a.ders {
		jd := jsonDerivative{
			Wrt:          d.Wrt.Name,
			Shape:        d.Wrt.Shape.ASCII(),
			Differential: formsOf(a.namesFor(d.df), d.df),
			Gradient:     optForms(a.namesFor(d.Gradient), d.Gradient),
			Hessian:      optForms(a.namesFor(d.Hessian), d.Hessian),
			NoHessianMat: d.NoHessianMat,
			Jacobian:     optForms(a.namesFor(d.Jacobian), d.Jacobian),
			NoJacobian:   d.NoJacobian,
		}
		if d.Hessian != nil || d.HessianMat != nil {
			hm := optForms(a.namesFor(d.HessianMat), d.HessianMat)
			jd.HessianMatrix = &hm
		}
		for _, st := range d.Steps {
			jd.Steps = append(jd.Steps, jsonStep{Kind: stepKind(st.Kind), Rule: st.Rule, Lhs: optForms(nm, st.Lhs), Rhs: optForms(nm, st.Rhs)})
			if st.Kind == ast.StepRule && st.Lhs != nil {
				jd.Steps[len(jd.Steps)-1].Lhs = literalForms(nm, st.Lhs)
			}
			if st.Literal && st.Rhs != nil {
				jd.Steps[len(jd.Steps)-1].Rhs = literalForms(nm, st.Rhs)
			}
		}
		doc.Derivatives = append(doc.Derivatives, jd)
	}
	for _, t := range a.temps {
		doc.Where = append(doc.Where, jsonTemp{Name: nm.Name(t), forms: formsOf(nm, t)})
	}
	if c := r.Check; c != nil {
		jc := &jsonCheck{OK: c.OK, Note: c.Note}
		if e := c.RelErr; !math.IsNaN(e) && !math.IsInf(e, 0) {
			jc.RelativeError = &e
		}
		doc.Check = jc
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// notesOf returns the notes of inference of r's program, nil for none.
func notesOf(r *ast.Result) []string {
	if r.Program == nil {
		return nil
	}
	var out []string
	for _, n := range r.Program.Notes {
		out = append(out, n.String())
	}
	return out
}
