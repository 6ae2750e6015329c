package mdiff_test

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/internal/cli"
)

// readmeExample is one command of a README example block: a line
// "$ mdiff ARGS" and the output under it.
type readmeExample struct {
	line    int // of the command, 1-based
	command string
	output  []string
}

// readmeExamples finds the fenced blocks whose first line starts with
// "$ mdiff ": each "$ " line in them is a command, and the lines up to the
// next command or the end of the block are its output (standard output,
// then standard error, as a terminal shows them).
func readmeExamples(lines []string) []readmeExample {
	var out []readmeExample
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "```") {
			continue
		}
		j := i + 1
		for j < len(lines) && !strings.HasPrefix(lines[j], "```") {
			j++
		}
		if i+1 < j && strings.HasPrefix(lines[i+1], "$ mdiff ") {
			for k := i + 1; k < j; k++ {
				if strings.HasPrefix(lines[k], "$ ") {
					out = append(out, readmeExample{line: k + 1, command: strings.TrimPrefix(lines[k], "$ ")})
					continue
				}
				last := &out[len(out)-1]
				last.output = append(last.output, lines[k])
			}
		}
		i = j
	}
	return out
}

// shellWords splits a command line as a POSIX shell does for the quoting
// the README uses: words separated by spaces, '…' literal, "…" with \" and
// \\ escapes, and \x outside quotes.
func shellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unterminated ' in %q", s)
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\' || s[i+1] == '$' || s[i+1] == '`') {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unterminated \" in %q", s)
			}
			inWord = true
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		case strings.IndexByte("|&;<>()$`", c) >= 0:
			return nil, fmt.Errorf("%q: the README test runs one mdiff command, without %c", s, c)
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// TestREADME runs every example block of README.md through the CLI's Main
// and compares the output; `go test . -run README -update` rewrites them.
func TestREADME(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	examples := readmeExamples(lines)
	if len(examples) < 5 {
		t.Fatalf("README.md has %d examples, want at least 5", len(examples))
	}
	changed := false
	var rewritten []string
	next := 0 // the next line of lines to copy
	for _, ex := range examples {
		words, err := shellWords(ex.command)
		if err != nil {
			t.Errorf("README.md:%d: %v", ex.line, err)
			continue
		}
		if len(words) == 0 || words[0] != "mdiff" {
			t.Errorf("README.md:%d: %q is not an mdiff command", ex.line, ex.command)
			continue
		}
		var out bytes.Buffer
		cli.Main(words[1:], &out, &out)
		got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		want := ex.output
		if maskCheck(strings.Join(got, "\n")) != maskCheck(strings.Join(want, "\n")) {
			if !*update {
				t.Errorf("README.md:%d: $ %s\nprints (go test . -run README -update rewrites it):\n%s", ex.line, ex.command,
					lineDiff(strings.Join(want, "\n"), strings.Join(got, "\n")))
			}
			changed = true
		}
		rewritten = append(rewritten, lines[next:ex.line]...)
		rewritten = append(rewritten, got...)
		next = ex.line + len(ex.output)
	}
	rewritten = append(rewritten, lines[next:]...)
	if *update && changed {
		if err := os.WriteFile("README.md", []byte(strings.Join(rewritten, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestREADMESelfContained: the README and the package documentation point
// only inside the repository (a clone has no ../shared).
func TestREADMESelfContained(t *testing.T) {
	outside := regexp.MustCompile(`\.\./shared|\b(SPEC|DESIGN|RULES|STYLE)\.md\b|\bSPEC §`)
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(data), "\n") {
		if outside.MatchString(l) {
			t.Errorf("README.md:%d points outside the repository: %s", i+1, l)
		}
	}
	fset := token.NewFileSet()
	for _, dir := range []string{".", "ast", "builtin", "parser", "rules", "simplify", "render", "numeric", "internal/cli", "internal/testtool", "cmd/mdiff"} {
		pkgs, err := parser.ParseDir(fset, dir, func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, parser.ParseComments|parser.PackageClauseOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pkgs {
			for name, f := range p.Files {
				if f.Doc != nil && outside.MatchString(f.Doc.Text()) {
					t.Errorf("%s: the package documentation points outside the repository: %s", name, f.Doc.Text())
				}
			}
		}
	}
}

// TestREADMEGo: the README's Go program is Example_readme's body, which
// runs (and has its output checked) in go test.
func TestREADMEGo(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```go\n(.*?)```").FindStringSubmatch(string(data))
	if m == nil {
		t.Fatal("README.md has no ```go block")
	}
	body, ok := strings.CutPrefix(m[1][strings.Index(m[1], "func main() {"):], "func main() {\n")
	if !ok {
		t.Fatal("README.md's Go block has no func main")
	}
	body = strings.TrimSuffix(strings.TrimSpace(body), "}")
	fset := token.NewFileSet()
	src, err := os.ReadFile("readme_example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	f, err := parser.ParseFile(fset, "readme_example_test.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var example string
	ast.Inspect(f, func(n ast.Node) bool {
		if fd, ok := n.(*ast.FuncDecl); ok && fd.Name.Name == "Example_readme" {
			example = string(src[fset.Position(fd.Body.Lbrace).Offset+1 : fset.Position(fd.Body.Rbrace).Offset])
		}
		return true
	})
	if example == "" {
		t.Fatal("readme_example_test.go has no Example_readme")
	}
	// The example ends with its // Output: comment, which the README shows
	// as comments of its own.
	code, _, _ := strings.Cut(example, "// Output:")
	if strings.TrimSpace(code) != strings.TrimSpace(body) {
		t.Errorf("README.md's func main differs from Example_readme in readme_example_test.go:\n%s", lineDiff(strings.TrimSpace(code), strings.TrimSpace(body)))
	}
}

// TestREADMESyntax parses the example of every row of the Expressions table
// (the third column), so that the table shows only what mdiff accepts.
func TestREADMESyntax(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	sec := string(data)
	i := strings.Index(sec, "## Expressions")
	if i < 0 {
		t.Fatal("README.md has no Expressions section")
	}
	sec = sec[i:]
	if j := strings.Index(sec[3:], "\n## "); j >= 0 {
		sec = sec[:j+3]
	}
	rows := 0
	for _, line := range strings.Split(sec, "\n") {
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| what ") {
			continue
		}
		cells := strings.Split(strings.ReplaceAll(line, `\|`, "\x00"), " | ")
		ex := strings.Trim(strings.TrimSuffix(cells[len(cells)-1], " |"), "`")
		ex = strings.ReplaceAll(ex, "\x00", "|")
		rows++
		if strings.Contains(ex, "Δ") || strings.Contains(ex, "Delta") {
			continue // a differential: checked as a --grad candidate in the examples
		}
		if _, err := mdiff.Parse(ex, []string{"g: func"}); err != nil {
			t.Errorf("README.md Expressions, example %q: %v", ex, err)
		}
	}
	if rows < 15 {
		t.Errorf("the Expressions table has %d rows", rows)
	}
}
