package mdiff_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/mdiff/mdiff/internal/testtool"
	"github.com/mdiff/mdiff/render"
)

// Every LaTeX text of the goldens is rendered by KaTeX and compiled by
// pdflatex.

// goldenLaTeX collects every LaTeX text of the goldens: the latex sections
// (displays, as --format latex prints them) and the "latex" fields of the
// JSON (math, one expression each).
func goldenLaTeX(t *testing.T) (sections, fields []string) {
	t.Helper()
	for _, c := range loadGoldenCases(t) {
		if s, ok := c.section(string(render.FormatLaTeX)); ok {
			sections = append(sections, s)
		}
		if s, ok := c.section(string(render.FormatJSON)); ok {
			var doc any
			if err := json.Unmarshal([]byte(s), &doc); err != nil {
				t.Fatalf("%s: json: %v", c.path, err)
			}
			fields = append(fields, latexFields(doc)...)
		}
	}
	return sections, fields
}

func latexFields(v any) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if s, ok := v[k].(string); ok && k == "latex" {
				out = append(out, s)
				continue
			}
			out = append(out, latexFields(v[k])...)
		}
	case []any:
		for _, x := range v {
			out = append(out, latexFields(x)...)
		}
	}
	return out
}

func TestGoldenLaTeXKaTeX(t *testing.T) {
	sections, fields := goldenLaTeX(t)
	items := append(sections, fields...)
	for _, e := range testtool.KaTeX(t, items) {
		t.Errorf("KaTeX cannot render %s", e)
	}
	t.Logf("KaTeX rendered %d LaTeX texts", len(items))
}

// TestGoldenLaTeXPdflatex pastes every latex section as it stands into an
// article (amsmath only) and fails on an error or an Overfull \hbox: what
// --format latex prints fits the text width. The JSON's fields, single
// expressions a user sets in an environment of their own, must compile.
func TestGoldenLaTeXPdflatex(t *testing.T) {
	sections, fields := goldenLaTeX(t)
	if msg := testtool.PdflatexFits(t, sections); msg != "" {
		t.Errorf("pdflatex, --format latex: %s", msg)
	}
	if msg := testtool.Pdflatex(t, fields); msg != "" {
		t.Errorf("pdflatex, the JSON's latex fields: %s", msg)
	}
}
