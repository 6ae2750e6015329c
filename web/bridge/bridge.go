//go:build js && wasm

package bridge

import (
	"encoding/json"
	"syscall/js"

	"github.com/mdiff/mdiff/web/engine"
)

// Register installs the bridge's functions on the JavaScript global object.
func Register() {
	js.Global().Set("mdiffAnswer", js.FuncOf(answer))
	js.Global().Set("mdiffFormats", js.FuncOf(func(js.Value, []js.Value) any {
		b, _ := json.Marshal(engine.Formats())
		return string(b)
	}))
}

// answer is mdiffAnswer: it never throws; a bad call is an error answer.
func answer(_ js.Value, args []js.Value) any {
	return Answer(args)
}

// Answer decodes args[0], a JSON engine.Request, and returns the JSON of
// its engine.Response.
func Answer(args []js.Value) string {
	var resp engine.Response
	var req engine.Request
	if len(args) != 1 || args[0].Type() != js.TypeString {
		resp.Error = &engine.Error{Message: "mdiffAnswer takes one argument, the JSON of a request"}
	} else if err := json.Unmarshal([]byte(args[0].String()), &req); err != nil {
		resp.Error = &engine.Error{Message: "mdiffAnswer: bad request: " + err.Error()}
	} else {
		resp = engine.Answer(req)
	}
	b, err := json.Marshal(resp)
	if err != nil {
		b, _ = json.Marshal(engine.Response{Error: &engine.Error{Message: err.Error()}})
	}
	return string(b)
}
