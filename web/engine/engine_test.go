package engine

import (
	"strings"
	"testing"
)

// TestErrorField: each error is shown under the field it is about.
func TestErrorField(t *testing.T) {
	for _, tc := range []struct {
		req   Request
		field string
		msg   string
	}{
		{Request{Expr: "A*(B", Wrt: "A"}, "expr", "^"},
		{Request{Expr: "A*B", Let: "A: real n x p", Wrt: "A"}, "let", "^"},
		{Request{Expr: "A*B", Let: "B: n x n\nA: real n x p", Wrt: "A"}, "let", "A: real n x p"},
		{Request{Expr: "A*B", Wrt: "Z"}, "wrt", "does not depend on Z"},
		{Request{Expr: "A*B", Wrt: " , "}, "wrt", "variable"},
		{Request{Expr: "  ", Wrt: "A"}, "expr", "type an expression"},
		{Request{Expr: strings.Repeat("x", MaxInput+1), Wrt: "x"}, "", "answers up to"},
	} {
		resp := Answer(tc.req)
		if resp.Error == nil || resp.Error.Field != tc.field || !strings.Contains(resp.Error.Message, tc.msg) {
			t.Errorf("Answer(%+v).Error = %+v, want field %q and %q", tc.req, resp.Error, tc.field, tc.msg)
		}
		if resp.Lines != nil || resp.Outputs != nil {
			t.Errorf("Answer(%+v) has lines or outputs with an error", tc.req)
		}
	}
}

// TestLines: the lines of an answer with temporaries, a Hessian and
// several variables, in the order --format ascii prints them.
func TestLines(t *testing.T) {
	resp := Answer(Request{Expr: "||tanh(W*x + b) - y||^2", Let: "W: m x n; x: n; b: m; y: m", Wrt: "W, b", Hessian: true})
	if resp.Error != nil {
		t.Fatal(resp.Error.Message)
	}
	var kinds []string
	for _, l := range resp.Lines {
		kinds = append(kinds, l.Kind)
		if l.LaTeX == "" || l.ASCII == "" || l.Text == "" {
			t.Errorf("line %+v lacks a form", l)
		}
	}
	got := strings.Join(kinds, " ")
	if !strings.HasPrefix(got, "f df grad hess") || strings.Count(got, "df grad hess") != 2 || !strings.HasSuffix(got, "temp") {
		t.Errorf("kinds %q, want f, two blocks df grad hess …, then the temporaries", got)
	}
	for i, l := range resp.Lines {
		if l.Kind == "temp" {
			if !strings.HasPrefix(l.ASCII, "T1 = ") {
				t.Errorf("the first temporary's ascii is %q, want T1 = …", l.ASCII)
			}
			if resp.Lines[i-1].Kind == "temp" {
				t.Errorf("line %d is a temporary", i)
			}
			break
		}
	}
}
