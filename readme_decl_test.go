package mdiff_test

import (
	"os"
	"strings"
	"testing"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/internal/cli"
	"github.com/mdiff/mdiff/render"
)

// TestREADMEDeclarations runs every row of the README's table of
// declarations and inference: the answer column is the gradient in ASCII,
// the note printed on standard error ("note: …"), or the first line of the
// error ("mdiff: …"). The gradients are checked numerically by Derive.
func TestREADMEDeclarations(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## Declarations and inference\n")
	if !ok {
		t.Fatal("README.md has no section Declarations and inference")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	rows := 0
	for _, line := range strings.Split(section, "\n") {
		cells := tableCells(line)
		if len(cells) != 3 || !strings.HasPrefix(cells[1], "`diff ") {
			continue
		}
		rows++
		cmd, want := strings.Trim(cells[1], "`"), strings.Trim(cells[2], "`")
		t.Run(cmd, func(t *testing.T) {
			words, err := shellWords(strings.TrimPrefix(cmd, "diff "))
			if err != nil {
				t.Fatal(err)
			}
			src, opts, err := cli.DiffArgs(words)
			if err != nil {
				t.Fatal(err)
			}
			res, err := mdiff.Derive(src, opts)
			switch {
			case strings.HasPrefix(want, "mdiff: "):
				if err == nil {
					t.Fatalf("no error, want %q", want)
				}
				if got, _, _ := strings.Cut(err.Error(), "\n"); "mdiff: "+got != want {
					t.Errorf("error\n%s\nwant\n%s", "mdiff: "+got, want)
				}
			case err != nil:
				t.Fatal(err)
			case strings.HasPrefix(want, "note: "):
				var notes []string
				for _, n := range res.Program.Notes {
					notes = append(notes, render.NoteText(n)) // as the command words it
				}
				if got := "note: " + strings.Join(notes, "\nnote: "); got != want {
					t.Errorf("notes\n%s\nwant\n%s", got, want)
				}
			default:
				if got := render.ASCII(res.Derivatives[0].Gradient); got != want {
					t.Errorf("gradient %s, want %s", got, want)
				}
			}
		})
	}
	if rows < 10 {
		t.Errorf("found %d example rows in the README table, want at least 10", rows)
	}
}

// tableCells splits a Markdown table row into its cells, unescaping \|.
func tableCells(line string) []string {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, "|") || !strings.HasSuffix(line, "|") {
		return nil
	}
	line = strings.ReplaceAll(line[1:len(line)-1], `\|`, "\x00")
	var cells []string
	for _, c := range strings.Split(line, "|") {
		cells = append(cells, strings.TrimSpace(strings.ReplaceAll(c, "\x00", "|")))
	}
	return cells
}
