package parser

import (
	"strings"
	"testing"

	"github.com/alecthomas/participle/v2/lexer"
)

func TestTokenize(t *testing.T) {
	names := map[lexer.TokenType]string{}
	for name, typ := range symbols() {
		names[typ] = name
	}
	tests := []struct{ in, want string }{
		// ' is a transpose after an operand, a quote elsewhere.
		{"A'", "Ident:A Tick:'"},
		{"norm(X, 'fro')", "Ident:norm CallOpen:( Ident:X Punct:, String:'fro' Punct:)"},
		{"g''(X)", "Ident:g Tick:' Tick:' CallOpen:( Ident:X Punct:)"},
		{"(A)' + 2' + x'' + Aᵀ'", "Punct:( Ident:A Punct:) Tick:' BinOp:+ Number:2 Tick:' BinOp:+ Ident:x Tick:' Tick:' BinOp:+ Ident:A Tick:ᵀ Tick:'"},
		{"||x||' + <a,b>'", "LBar:|| Ident:x RBar:|| Tick:' BinOp:+ Punct:< Ident:a Punct:, Ident:b Punct:> Tick:'"},
		{"A.'", "Ident:A Tick:.'"},
		// - is a sign and ( a parenthesis in operand position; after an
		// operand they are a binary minus and the arguments of a call.
		{"-(a - -b)(c)", "Sign:- Punct:( Ident:a BinOp:- Sign:- Ident:b Punct:) CallOpen:( Ident:c Punct:)"},
		{"x^-1 − −y", "Ident:x Pow:^ Sign:- Number:1 BinOp:− Sign:− Ident:y"},
		// Bars open in operand position and close after an operand.
		{"|| ||x|| * A ||", "LBar:|| LBar:|| Ident:x RBar:|| BinOp:* Ident:A RBar:||"},
		{"‖x‖₂²", "LBar:‖ Ident:x RBar:‖ Sub:₂ Sup:²"},
		{"||X||_F^2", "LBar:|| Ident:X RBar:|| Punct:_ Ident:F Pow:^ Number:2"},
		// Numbers.
		{"2.*A 2./A 2.^A", "Number:2 BinOp:.* Ident:A Number:2 BinOp:./ Ident:A Number:2 Pow:.^ Ident:A"},
		{".5 0.5 1e-3 2.5E+4 2. 3e", "Number:.5 Number:0.5 Number:1e-3 Number:2.5E+4 Number:2. Number:3 Ident:e"},
		// Superscripts, Unicode operators and names.
		{"A⁻¹ A⁻ᵀ A²³ A⁰", "Ident:A Sup:⁻¹ Ident:A Sup:⁻ᵀ Ident:A Sup:²³ Ident:A Sup:⁰"},
		{"a−b·c⊙d⊘e", "Ident:a BinOp:− Ident:b BinOp:· Ident:c BinOp:⊙ Ident:d BinOp:⊘ Ident:e"},
		{"λ_1 Ω BX x2 𝟙 ⟨a, b⟩", "Ident:λ_1 Ident:Ω Ident:BX Ident:x2 Ident:𝟙 Punct:⟨ Ident:a Punct:, Ident:b Punct:⟩"},
		{"A^\\top", "Ident:A Pow:^ Command:\\top"},
	}
	for _, tt := range tests {
		toks, err := tokenize(tt.in)
		if err != nil {
			t.Errorf("tokenize(%q): %v", tt.in, err)
			continue
		}
		var got []string
		for _, tok := range toks {
			if tok.EOF() {
				if tok.Pos.Offset != len(tt.in) {
					t.Errorf("tokenize(%q): EOF at %d", tt.in, tok.Pos.Offset)
				}
				continue
			}
			if tt.in[tok.Pos.Offset:tok.Pos.Offset+len(tok.Value)] != tok.Value {
				t.Errorf("tokenize(%q): token %q is not at offset %d", tt.in, tok.Value, tok.Pos.Offset)
			}
			got = append(got, names[tok.Type]+":"+tok.Value)
		}
		if g := strings.Join(got, " "); g != tt.want {
			t.Errorf("tokenize(%q) = %s, want %s", tt.in, g, tt.want)
		}
	}
}
