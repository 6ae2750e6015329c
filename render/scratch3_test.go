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

func TestScratchNumpyFiles(t *testing.T) {
	f, _ := os.Open(os.Getenv("CASES"))
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var c map[string]any
		json.Unmarshal(sc.Bytes(), &c)
		res, err := mdiff.Derive(c["expr"].(string), mdiff.Options{Wrt: []string{c["wrt"].(string)}, Let: []string{c["let"].(string)}})
		if err != nil {
			fmt.Println("ERR", c["id"], err)
			if res == nil {
				continue
			}
		}
		for _, ff := range []string{"numpy", "latex", "json"} {
			var sb strings.Builder
			fm, _ := render.ParseFormat(ff)
			if err := render.Write(&sb, res, fm, render.TextOptions{}); err != nil {
				fmt.Println("RENDER ERR", c["id"], err)
			}
			os.WriteFile("/tmp/scratch/out/"+c["id"].(string)+"."+ff, []byte(sb.String()), 0o644)
		}
	}
}
