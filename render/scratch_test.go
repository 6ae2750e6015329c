package render

import (
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/mdiff/mdiff/ast"
)

func TestScratch(t *testing.T) {
	q, n, p := ast.Dim("q"), ast.Dim("n"), ast.Dim("p")
	Y := ast.Var("Y", ast.Mat(q, n), 0)
	B := ast.Var("B", ast.Mat(q, p), 0)
	X := ast.Var("X", ast.Mat(p, n), 0)
	BX := ast.Mul(B, X)
	f := ast.Pow(ast.Reduce(ast.KNorm, ast.Add(Y, ast.Mul(ast.Int(-1), BX))), ast.Int(2))
	G := ast.Mul(ast.Int(2), ast.Add(BX, ast.Mul(ast.Int(-1), Y)), ast.Transpose(X))
	A := ast.Var("A", ast.Mat(n, n), 0)
	s := ast.Var("s", ast.Scalar, 0)
	x := ast.Var("x", ast.Vec(n), 0)
	for _, e := range []*ast.Node{f, G, ast.Inner(ast.Delta("B", B.Shape), G),
		ast.Mul(ast.Int(-1), ast.Inverse(A), ast.Delta("A", A.Shape), ast.Inverse(A)),
		ast.Add(ast.Broadcast(ast.Int(1), A.Shape), ast.Mul(ast.Int(-1), ast.Pow(ast.Apply("tanh", 0, A), ast.Int(2)))),
		ast.Mul(A, ast.Pow(s, ast.Int(-1))),
		ast.Mul(x, ast.Pow(s, ast.Int(-2))),
		ast.Mul(ast.Number(bigRat(3, 2)), A),
		ast.Mul(ast.Number(bigRat(-1, 2)), ast.Add(A, ast.Transpose(A))),
		ast.Transpose(ast.Inverse(A)),
		ast.Inverse(ast.Transpose(A)),
		ast.Transpose(ast.Pow(x, ast.Int(2))),
		ast.Add(A, ast.Mul(ast.Int(-1), ast.Add(A, ast.Mul(ast.Int(-1), A)))),
		ast.Hadamard(A, ast.Mul(ast.Int(-1), A)),
		ast.Apply("g", 1, A), ast.Apply("g", 2, A),
		ast.Pow(ast.Reduce(ast.KNorm, x), ast.Int(2)),
		ast.Broadcast(s, A.Shape), ast.Broadcast(x, ast.Mat(n, p)), ast.Broadcast(ast.Transpose(x), ast.Mat(p, n)),
		ast.Reduce(ast.KLogdet, A), ast.Kron(ast.Transpose(A), A),
		ast.Number(bigRat(1, 3)), ast.Mul(ast.Number(bigRat(1, 3)), s, A),
		ast.Pow(A, ast.Number(bigRat(1, 3))), ast.Pow(s, ast.Number(bigRat(1, 2))),
	} {
		fmt.Printf("%s\n   %s\n   %s\n", Text(e, Plain()), ASCII(e), LaTeX(e))
	}
}

func bigRat(a, b int64) *big.Rat { return big.NewRat(a, b) }

func TestScratchDoc(t *testing.T) {
	q, n, p := ast.Dim("q"), ast.Dim("n"), ast.Dim("p")
	Y := ast.Var("Y", ast.Mat(q, n), 0)
	B := ast.Var("B", ast.Mat(q, p), 0)
	X := ast.Var("X", ast.Mat(p, n), 0)
	BX := ast.Mul(B, X)
	f := ast.Pow(ast.Reduce(ast.KNorm, ast.Add(Y, ast.Mul(ast.Int(-1), BX))), ast.Int(2))
	G := ast.Mul(ast.Int(2), ast.Add(BX, ast.Mul(ast.Int(-1), Y)), ast.Transpose(X))
	r := &ast.Result{Program: &ast.Program{Src: "||Y - B*X||_F^2", Root: f, Vars: []*ast.Node{Y, B, X}}, F: f,
		Derivatives: []ast.Derivative{{Wrt: B, Gradient: G}}, Check: &ast.Verification{RelErr: 2.3e-11, OK: true}}
	var sb strings.Builder
	WriteText(&sb, r, TextOptions{})
	WriteASCII(&sb, r, TextOptions{})
	WriteText(&sb, r, TextOptions{Width: 20})
	fmt.Print(sb.String())
}

func TestScratchPy(t *testing.T) {
	q, n, p := ast.Dim("q"), ast.Dim("n"), ast.Dim("p")
	Y := ast.Var("Y", ast.Mat(q, n), 0)
	B := ast.Var("B", ast.Mat(q, p), 0)
	X := ast.Var("X", ast.Mat(p, n), 0)
	BX := ast.Mul(B, X)
	f := ast.Pow(ast.Reduce(ast.KNorm, ast.Add(Y, ast.Mul(ast.Int(-1), BX))), ast.Int(2))
	G := ast.Mul(ast.Int(2), ast.Add(BX, ast.Mul(ast.Int(-1), Y)), ast.Transpose(X))
	r := &ast.Result{Program: &ast.Program{Src: "||Y - B*X||_F^2", Root: f, Vars: []*ast.Node{Y, B, X}}, F: f,
		Derivatives: []ast.Derivative{{Wrt: B, Gradient: G}}, Check: &ast.Verification{RelErr: 2.3e-11, OK: true}}
	var sb strings.Builder
	if err := WriteNumPy(&sb, r); err != nil {
		t.Fatal(err)
	}
	fmt.Print(sb.String())
}
