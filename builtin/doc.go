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
package builtin
