package simplify_test

import (
	"testing"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/simplify"
)

func TestScratch2(t *testing.T) {
	Y := ast.Var("Y", ast.Mat("q", "n"), 0)
	B := ast.Var("B", ast.Mat("q", "p"), 0)
	X := ast.Var("X", ast.Mat("p", "n"), 0)
	r := ast.Add(Y, ast.Mul(ast.Int(-1), ast.Mul(B, X)))
	in := ast.Mul(ast.Int(-1), r)
	t.Log(ast.Dump(simplify.Simplify(in)))
	e := ast.Mul(ast.Int(2), in, ast.Transpose(X))
	t.Log(ast.Dump(simplify.Simplify(e)))
}
