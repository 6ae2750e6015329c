//go:build js && wasm

package bridge

import (
	"encoding/json"
	"strings"
	"syscall/js"
	"testing"

	"github.com/mdiff/mdiff/render"
	"github.com/mdiff/mdiff/web/engine"
)

// call calls globalThis.mdiffAnswer as the page's worker does.
func call(t *testing.T, args ...any) engine.Response {
	t.Helper()
	out := js.Global().Call("mdiffAnswer", args...)
	if out.Type() != js.TypeString {
		t.Fatalf("mdiffAnswer returned a %v", out.Type())
	}
	var resp engine.Response
	if err := json.Unmarshal([]byte(out.String()), &resp); err != nil {
		t.Fatalf("mdiffAnswer returned %q: %v", out.String(), err)
	}
	return resp
}

func TestMain(m *testing.M) {
	Register()
	m.Run()
}

func TestAnswer(t *testing.T) {
	resp := call(t, `{"expr": "inv(X)", "wrt": "X", "jacobian": true}`)
	if resp.Error != nil {
		t.Fatal(resp.Error.Message)
	}
	var df, jac string
	for _, l := range resp.Lines {
		switch l.Kind {
		case "df":
			df = l.ASCII
		case "jac":
			jac = l.ASCII
		}
	}
	if df != "-inv(X)*Delta*inv(X)" {
		t.Errorf("df = %q", df)
	}
	if jac == "" || !strings.HasPrefix(resp.Check, "✓ checked numerically") {
		t.Errorf("jacobian %q, check %q", jac, resp.Check)
	}
	if len(resp.Outputs) != len(render.Formats) {
		t.Errorf("%d outputs, want one per format (%d)", len(resp.Outputs), len(render.Formats))
	}
}

func TestAnswerErrors(t *testing.T) {
	for _, tc := range []struct {
		args []any
		want string
	}{
		{[]any{`{"expr": "A*(B", "wrt": "A"}`}, "^"},
		{[]any{`{"expr": `}, "bad request"},
		{[]any{}, "takes one argument"},
		{[]any{42}, "takes one argument"},
	} {
		resp := call(t, tc.args...)
		if resp.Error == nil || !strings.Contains(resp.Error.Message, tc.want) {
			t.Errorf("mdiffAnswer(%v) = %+v, want an error with %q", tc.args, resp, tc.want)
		}
	}
}

func TestFormats(t *testing.T) {
	var got []string
	json.Unmarshal([]byte(js.Global().Call("mdiffFormats").String()), &got)
	if strings.Join(got, ",") != strings.Join(engine.Formats(), ",") || len(got) == 0 {
		t.Errorf("mdiffFormats() = %q, want %q", got, engine.Formats())
	}
}
