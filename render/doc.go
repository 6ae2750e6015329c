// Package render prints mdiff's typed expressions ([ast.Node]) and whole
// answers ([ast.Result]) in eight notations: Unicode text, the ASCII input
// syntax (README.md, "Expressions"; it can be pasted back into mdiff), LaTeX (amsmath
// only), JSON, and code — NumPy and PyTorch modules, a MATLAB/Octave
// classdef, a Go file on gonum. The code formats share one lowering
// (code.go: each function a straight-line program over temporaries, its
// inputs checked) and differ only in spelling (infix.go for NumPy, PyTorch
// and MATLAB; gocode.go for Go); the spelling of every built-in operation
// is its row's column (ast.Op.Print) in package builtin.
//
// The printers never re-derive or simplify anything: they print the tree
// they are given, adding only the parentheses that precedence needs. One
// precedence table (prec.go) is shared by every notation; only the tokens
// differ.
//
// Shared subexpressions are printed once as temporaries (T₁, T₂, …): see
// [Temps] and [Names]. Colour is decided by the caller and passed in as a
// [Theme]; render never looks at the terminal or the environment.
package render
