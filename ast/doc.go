// Package ast is mdiff's one vocabulary. It holds two trees:
//
//   - the syntax tree ([Expr] and its node types), produced by package parser,
//     which keeps byte offsets into the source for error messages;
//   - the typed expression ([Node]), produced by [Check], which knows the shape
//     of every subexpression, keeps no positions, and is immutable and
//     hash-consed: two structurally equal nodes are the same pointer, so a
//     shared subexpression is one node and maps keyed by *Node act as memo
//     tables for every later stage.
//
// ast imports nothing else of mdiff.
package ast
