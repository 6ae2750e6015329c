package render

import (
	"math/big"

	"github.com/mdiff/mdiff/ast"
)

// Fixtures: sizes, variables and a few shorthands for building trees.
var (
	dn, dp, dq = ast.Dim("n"), ast.Dim("p"), ast.Dim("q")

	vA = ast.Var("A", ast.Mat(dn, dn), 0)
	vB = ast.Var("B", ast.Mat(dq, dp), 0)
	vC = ast.Var("C", ast.Mat(dn, dn), 0)
	vS = ast.Var("S", ast.Mat(dn, dn), ast.Symmetric)
	vX = ast.Var("X", ast.Mat(dp, dn), 0)
	vY = ast.Var("Y", ast.Mat(dq, dn), 0)
	vx = ast.Var("x", ast.Vec(dn), 0)
	vy = ast.Var("y", ast.Vec(dn), 0)
	vs = ast.Var("s", ast.Scalar, 0)
	vt = ast.Var("t", ast.Scalar, 0)
)

func num(a, b int64) *ast.Node  { return ast.Number(big.NewRat(a, b)) }
func neg(n *ast.Node) *ast.Node { return ast.Mul(ast.Int(-1), n) }
func tr(n *ast.Node) *ast.Node  { return ast.Transpose(n) }
func pow(n *ast.Node, k int64) *ast.Node {
	return ast.Pow(n, ast.Int(k))
}
