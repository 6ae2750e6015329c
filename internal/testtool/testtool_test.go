package testtool

import (
	"strings"
	"testing"
)

func TestKaTeX(t *testing.T) {
	errs := KaTeX(t, []string{`x^{\top} \cdot y`, `\notacommand{x}`, `\frac{1}{2}`})
	if len(errs) != 1 || !strings.HasPrefix(errs[0], `\notacommand{x}`) {
		t.Errorf("KaTeX = %q, want one error, for \\notacommand{x}", errs)
	}
}

func TestPdflatex(t *testing.T) {
	if msg := Pdflatex(t, []string{`x^{\top} \cdot y`, `\frac{1}{2}`}); msg != "" {
		t.Errorf("Pdflatex of good items = %q", msg)
	}
	if msg := Pdflatex(t, []string{`\notacommand{x}`}); msg == "" {
		t.Errorf("Pdflatex of an undefined control sequence succeeded")
	}
}

func TestPython(t *testing.T) {
	if py := Python(t); py == "" {
		t.Errorf("Python returned \"\"")
	}
}
