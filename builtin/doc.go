// Package builtin is the operation table: one row per built-in function or
// reduction (tanh, softplus, tr, logdet, mean, kron, …), each holding its
// names, arity, shape rule, numeric evaluation, differential and adjoint
// with the identity as rule text, constant folding, and one spelling per
// notation. Every stage reads the rows through the [ast.Op] a call node
// carries; no stage switches on an operation's name.
//
// The rows register with ast in init, so any program that parses
// expressions imports this package (the parser does).
//
// Adding an elementwise function is one row in elementwise.go and one row in
// the table-walk test (builtin_test.go).
//
// Code written against the node kinds this table replaced reads:
//
//	ast.Reduce(ast.KTrace, x)     builtin.Trace.Of(x)   (KDet, KLogdet, KSum, KLogsumexp, KNorm likewise)
//	ast.DiagMat(x), ast.DiagVec(A) builtin.DiagMat.Of(x), builtin.DiagVec.Of(A)
//	ast.Softmax(x), ast.Kron(a, b) builtin.Softmax.Of(x), builtin.Kron.Of(a, b)
//	ast.Apply("exp", 0, x)        builtin.Exp.Of(x)     (a declared g stays ast.Apply("g", k, x))
//	n.Kind == ast.KTrace          n.Is(builtin.Trace)
//	ast.ElementwiseFuncs[name]    n.Kind == ast.KCall && n.Op.Elementwise
//	a printer's switch on kinds   case ast.KCall: n.Op.Print (Text, ASCII, LaTeX, NumPy, Torch, Octave, Go)
package builtin
