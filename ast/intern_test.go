package ast

import (
	"fmt"
	"runtime"
	"testing"
)

// TestInternIsBounded: nodes no expression refers to leave the hash-consing
// table, so building many distinct expressions does not grow it (the
// server answers many distinct requests in one process).
func TestInternIsBounded(t *testing.T) {
	settle := func() int {
		for range 20 {
			runtime.GC()
			runtime.Gosched()
		}
		return InternedNodes()
	}
	before := settle()
	n := Dim("n")
	for i := range 20000 {
		x := Var(fmt.Sprintf("x%d", i), Vec(n), 0)
		_ = Add(x, Mul(Int(int64(i)), x))
	}
	live := Var("kept", Vec(n), 0) // still referred to: stays interned
	after := settle()
	if after > before+1000 {
		t.Errorf("the table holds %d nodes after 20 000 unreferenced expressions, %d before", after, before)
	}
	if Var("kept", Vec(n), 0) != live {
		t.Error("a live node is no longer the one interned for its structure")
	}
}
