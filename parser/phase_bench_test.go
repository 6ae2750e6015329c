package parser

import (
	"fmt"
	"strings"
	"testing"

	"github.com/alecthomas/participle/v2/lexer"
)

// BenchmarkPhases measures the phases of Parse on the wide sum of traces:
// the lexer alone, the lexer with participle's token slice, the grammar
// and the lowering.
func BenchmarkPhases(b *testing.B) {
	parts := make([]string, 10000)
	for i := range parts {
		parts[i] = fmt.Sprintf("tr(A%d*X)", i)
	}
	src := strings.Join(parts, " + ")
	b.Run("tokenize", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tokenize(src)
		}
	})
	b.Run("lex", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			lexer.Upgrade(newScanner(src))
		}
	})
	b.Run("grammar", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			peek, _ := lexer.Upgrade(newScanner(src))
			b.StartTimer()
			if _, err := grammar.ParseFromLexer(peek); err != nil {
				b.Fatal(err)
			}
		}
	})
	peek, _ := lexer.Upgrade(newScanner(src))
	g, _ := grammar.ParseFromLexer(peek)
	b.Run("lower", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			(&lowerer{src: src}).top(g)
		}
	})
}

// BenchmarkBuild measures participle's build of the grammar, which every
// process pays at init.
func BenchmarkBuild(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		buildGrammar()
	}
}
