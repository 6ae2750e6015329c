package ast

import "math/big"

// Pos is a byte offset into the source expression. NoPos marks synthesized nodes.
type Pos int

// NoPos is the position of a node that has no source.
const NoPos Pos = -1

// Expr is a node of the syntax tree, as parsed, with source positions.
type Expr interface {
	Pos() Pos // first byte of the node
	End() Pos // first byte after the node
	exprNode()
}

// BinOp is a binary operator of the syntax tree.
type BinOp int

// The binary operators, loosest first.
const (
	OpAdd      BinOp = iota + 1 // +
	OpSub                       // - −
	OpMul                       // * · (matrix product, or scalar times matrix)
	OpDiv                       // / (by a scalar)
	OpHadamard                  // .* ⊙
	OpElemDiv                   // ./ ⊘
	OpKron                      // ⊗, the Kronecker product kron(A, B)
)

type (
	// Ident is a name: a variable, constant, I or ones.
	Ident struct {
		NamePos Pos
		Name    string
	}
	// NumLit is a number literal such as 2, 0.5 or 1e-3.
	NumLit struct {
		ValuePos, ValueEnd Pos
		Text               string
		Value              *big.Rat
	}
	// StrLit is a quoted word such as 'fro'.
	StrLit struct {
		QuotePos, QuoteEnd Pos
		Value              string
	}
	// Unary is -X.
	Unary struct {
		OpPos Pos
		X     Expr
	}
	// Binary is X op Y.
	Binary struct {
		X     Expr
		OpPos Pos
		Op    BinOp
		Y     Expr
	}
	// Tick is the transpose X', Xᵀ, X^T or X^\top.
	Tick struct {
		X     Expr
		OpEnd Pos
	}
	// Power is X^Exp (Elementwise false) or X.^Exp (Elementwise true);
	// X^-1, X^{-1} and X⁻¹ are powers with exponent -1.
	Power struct {
		X           Expr
		OpPos       Pos
		Elementwise bool
		Exp         Expr
		EndPos      Pos
	}
	// Call is Fun(Args...); Primes counts the ' of a derivative g'(X).
	Call struct {
		FunPos Pos
		Fun    string
		Primes int
		Args   []Expr
		Rparen Pos // position of ")"
	}
	// Norm is ||X||, ‖X‖ with an optional subscript "F", "2" or "fro".
	Norm struct {
		Lbar   Pos
		X      Expr
		Sub    string
		EndPos Pos
	}
	// InnerProd is <X, Y> or ⟨X, Y⟩.
	InnerProd struct {
		Lang   Pos
		X, Y   Expr
		Rang   Pos // position of ">" or "⟩"
		EndPos Pos
	}
	// Paren is (X), kept so that errors can point at the parentheses.
	Paren struct {
		Lparen, Rparen Pos
		X              Expr
	}
)

func (e *Ident) Pos() Pos     { return e.NamePos }
func (e *Ident) End() Pos     { return e.NamePos + Pos(len(e.Name)) }
func (e *NumLit) Pos() Pos    { return e.ValuePos }
func (e *NumLit) End() Pos    { return e.ValueEnd }
func (e *StrLit) Pos() Pos    { return e.QuotePos }
func (e *StrLit) End() Pos    { return e.QuoteEnd }
func (e *Unary) Pos() Pos     { return e.OpPos }
func (e *Unary) End() Pos     { return e.X.End() }
func (e *Binary) Pos() Pos    { return e.X.Pos() }
func (e *Binary) End() Pos    { return e.Y.End() }
func (e *Tick) Pos() Pos      { return e.X.Pos() }
func (e *Tick) End() Pos      { return e.OpEnd }
func (e *Power) Pos() Pos     { return e.X.Pos() }
func (e *Power) End() Pos     { return e.EndPos }
func (e *Call) Pos() Pos      { return e.FunPos }
func (e *Call) End() Pos      { return e.Rparen + 1 }
func (e *Norm) Pos() Pos      { return e.Lbar }
func (e *Norm) End() Pos      { return e.EndPos }
func (e *InnerProd) Pos() Pos { return e.Lang }
func (e *InnerProd) End() Pos { return e.EndPos }
func (e *Paren) Pos() Pos     { return e.Lparen }
func (e *Paren) End() Pos     { return e.Rparen + 1 }

func (*Ident) exprNode()     {}
func (*NumLit) exprNode()    {}
func (*StrLit) exprNode()    {}
func (*Unary) exprNode()     {}
func (*Binary) exprNode()    {}
func (*Tick) exprNode()      {}
func (*Power) exprNode()     {}
func (*Call) exprNode()      {}
func (*Norm) exprNode()      {}
func (*InnerProd) exprNode() {}
func (*Paren) exprNode()     {}

// Decl is one declaration of a --let flag, e.g. "X: n x p" or "g: func".
type Decl struct {
	Name     string
	Shape    Shape // Scalar for "scalar"; n×1 for "n"
	Props    Props
	Func     bool // a generic elementwise function
	Src      string
	Pos, End Pos // the declaration's span in Src
}
