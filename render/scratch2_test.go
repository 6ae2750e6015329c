package render_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/render"
)

func TestScratchPipeline(t *testing.T) {
	f, _ := os.Open("/work/shared/eval/public.jsonl")
	sc := bufio.NewScanner(f)
	extra := []map[string]string{
		{"expr": "||W2*tanh(W1*X) - Y||_F^2", "let": "W2: q x h; W1: h x n; X: n x m; Y: q x m", "wrt": "W1"},
		{"expr": "inv(X)", "let": "X: n x n", "wrt": "X"},
		{"expr": "logdet(X) + tr(A*X)", "let": "X: spd n x n; A: n x n", "wrt": "X"},
		{"expr": "logsumexp(A*x) + sum(sigmoid(x)) + norm(x)", "let": "A: m x n; x: n", "wrt": "x"},
	}
	var cases []map[string]string
	for sc.Scan() {
		var c map[string]any
		json.Unmarshal(sc.Bytes(), &c)
		cases = append(cases, map[string]string{"expr": c["expr"].(string), "let": c["let"].(string), "wrt": c["wrt"].(string)})
	}
	for _, c := range append(cases, extra...) {
		res, err := mdiff.Derive(c["expr"], mdiff.Options{Wrt: []string{c["wrt"]}, Let: []string{c["let"]}})
		if err != nil {
			fmt.Println("ERR", c["expr"], err)
			if res == nil {
				continue
			}
		}
		var sb strings.Builder
		render.WriteText(&sb, res, render.TextOptions{})
		render.WriteASCII(&sb, res, render.TextOptions{})
		render.WriteLaTeX(&sb, res)
		fmt.Println(sb.String())
	}
}
