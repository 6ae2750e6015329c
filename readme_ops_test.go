package mdiff_test

import (
	"os"
	"strings"
	"testing"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/render"
)

// TestREADMESyntaxTable runs every example of the README's table of
// built-in operations and
// compares mdiff's answer (the ASCII gradient, or the differential of a
// matrix-valued f) with the table's last column; -update writes it. Every
// name of the operation table must appear in the first column.
func TestREADMESyntaxTable(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	src := string(data)
	start := strings.Index(src, "| word | meaning | example |")
	if start < 0 {
		t.Fatal("README.md has no syntax table")
	}
	end := start + strings.Index(src[start:], "\n\n")
	lines := strings.Split(src[start:end], "\n")
	words := ""
	for i, line := range lines[2:] {
		cells := splitRow(line)
		if len(cells) != 5 {
			t.Fatalf("row %q: %d cells, want 5", line, len(cells))
		}
		words += cells[0]
		expr, wrt := strings.Trim(cells[2], "`"), cells[3]
		res, err := mdiff.Derive(expr, mdiff.Options{Wrt: []string{wrt}})
		if err != nil {
			t.Errorf("%s: %v", expr, err)
			continue
		}
		d := res.Derivatives[0]
		answer := d.Gradient
		if answer == nil {
			answer = d.Differential
		}
		got := "`" + render.ASCII(answer) + "`"
		if got != cells[4] {
			if !*update {
				t.Errorf("%s --wrt %s: the README says %s, mdiff answers %s (go test . -run README -update rewrites it)", expr, wrt, cells[4], got)
			}
			cells[4] = got
			lines[i+2] = "| " + strings.Join(cells, " | ") + " |"
		}
	}
	for _, op := range ast.Ops() {
		for _, name := range append([]string{op.Name}, op.Aliases...) {
			if !strings.Contains(words, "`"+name) {
				t.Errorf("the README's syntax table has no row for %s", name)
			}
		}
	}
	if *update {
		out := src[:start] + strings.Join(lines, "\n") + src[end:]
		if err := os.WriteFile("README.md", []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// splitRow splits a Markdown table row at the | that are not escaped (\|)
// and trims the cells.
func splitRow(line string) []string {
	line = strings.TrimSpace(line)
	line = strings.TrimPrefix(strings.TrimSuffix(line, "|"), "|")
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\\' && i+1 < len(line) && line[i+1] == '|':
			cur.WriteString(`\|`)
			i++
		case line[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(line[i])
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}
