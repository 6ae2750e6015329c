package mdiff_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/mdiff/mdiff/render"
)

// loadSchema compiles testdata/mdiff.schema.json (JSON Schema 2020-12).
func loadSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	sch, err := jsonschema.NewCompiler().Compile(filepath.Join("testdata", "mdiff.schema.json"))
	if err != nil {
		t.Fatalf("mdiff.schema.json: %v", err)
	}
	return sch
}

// decodeJSON reads exactly one JSON value, as the schema library wants it.
func decodeJSON(t *testing.T, s string) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(s))
	if err != nil {
		t.Fatalf("json: %v", err)
	}
	return v
}

// TestGoldenJSONSchema validates every golden's JSON against the schema, and
// what a schema without if/then cannot say: "gradient" is null exactly for a
// non-scalar f, and there is one derivative per --wrt variable.
func TestGoldenJSONSchema(t *testing.T) {
	sch := loadSchema(t)
	for _, c := range loadGoldenCases(t) {
		t.Run(c.name, func(t *testing.T) {
			s, ok := c.section(string(render.FormatJSON))
			if !ok {
				t.Fatal("no json section")
			}
			doc := decodeJSON(t, s)
			if err := sch.Validate(doc); err != nil {
				t.Error(err)
			}
			m, _ := doc.(map[string]any)
			ders, _ := m["derivatives"].([]any)
			for _, d := range ders {
				d, _ := d.(map[string]any)
				if scalar := m["shape"] == "scalar"; scalar != (d["gradient"] != nil) {
					t.Errorf(`derivative %v: "gradient" is %v for f of shape %v`, d["wrt"], d["gradient"], m["shape"])
				}
			}
			if res := c.derive(t); len(ders) != len(res.Derivatives) {
				t.Errorf("%d derivatives, want %d (one per --wrt variable)", len(ders), len(res.Derivatives))
			}
		})
	}
}

// TestJSONSchemaRejects makes sure the schema is not vacuous: broken
// documents must fail.
func TestJSONSchemaRejects(t *testing.T) {
	sch := loadSchema(t)
	cases := loadGoldenCases(t)
	var good string
	for _, c := range cases {
		if strings.Contains(c.name, "dict_DR") {
			good, _ = c.section(string(render.FormatJSON))
		}
	}
	if good == "" {
		good, _ = cases[0].section(string(render.FormatJSON))
	}
	parse := func() map[string]any {
		var doc map[string]any
		if err := json.Unmarshal([]byte(good), &doc); err != nil {
			t.Fatal(err)
		}
		return doc
	}
	if err := sch.Validate(decodeJSON(t, good)); err != nil {
		t.Fatalf("the good document fails: %v", err)
	}
	der := func(doc map[string]any) map[string]any { return doc["derivatives"].([]any)[0].(map[string]any) }
	for name, mutate := range map[string]func(map[string]any){
		"no input":              func(d map[string]any) { delete(d, "input") },
		"no derivatives":        func(d map[string]any) { delete(d, "derivatives") },
		"no where":              func(d map[string]any) { delete(d, "where") },
		"input not a string":    func(d map[string]any) { d["input"] = 3.0 },
		"bad shape":             func(d map[string]any) { d["shape"] = "n by p" },
		"derivatives an object": func(d map[string]any) { d["derivatives"] = map[string]any{} },
		"no wrt":                func(d map[string]any) { delete(der(d), "wrt") },
		"no gradient key":       func(d map[string]any) { delete(der(d), "gradient") },
		"gradient a string":     func(d map[string]any) { der(d)["gradient"] = "2*B" },
		"differential no latex": func(d map[string]any) { delete(der(d)["differential"].(map[string]any), "latex") },
		"where item no name":    func(d map[string]any) { d["where"] = []any{map[string]any{"text": "a", "ascii": "a", "latex": "a"}} },
		"where name not ident": func(d map[string]any) {
			d["where"] = []any{map[string]any{"name": "T 1", "text": "a", "ascii": "a", "latex": "a"}}
		},
		"check not an object": func(d map[string]any) { d["check"] = "ok" },
		"check without ok":    func(d map[string]any) { d["check"] = map[string]any{"relative_error": 1e-12} },
		"step with a wrong kind": func(d map[string]any) {
			der(d)["steps"] = []any{map[string]any{"kind": "magic", "rule": "r", "lhs": nil, "rhs": nil}}
		},
	} {
		doc := parse()
		mutate(doc)
		data, _ := json.Marshal(doc)
		if err := sch.Validate(decodeJSON(t, string(data))); err == nil {
			t.Errorf("%s: the schema accepts it", name)
		}
	}
}
