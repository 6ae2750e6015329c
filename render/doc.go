// Package render prints mdiff's typed expressions ([ast.Node]) and whole
// answers ([ast.Result]) in five notations: Unicode text, the ASCII input
// syntax (README.md, "Expressions"; it can be pasted back into mdiff), LaTeX (amsmath
// only), a self-contained NumPy module and JSON.
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
