package ast

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// TestInternIsBounded: nodes no expression refers to leave the hash-consing
// table, so building many distinct expressions does not grow it (the
// server answers many distinct requests in one process).
func TestInternIsBounded(t *testing.T) {
	// settle collects and then gives the cleanups, which run on a
	// goroutine of their own, time to remove the entries of the collected
	// nodes: it waits (up to about five seconds: a busy machine can delay
	// that goroutine by many scheduling rounds) until the table holds at
	// most limit entries, and returns what it holds then.
	settle := func(limit int) int {
		n := InternedNodes()
		for round := 0; round < 2500 && n > limit; round++ {
			runtime.GC()
			time.Sleep(2 * time.Millisecond)
			n = InternedNodes()
		}
		return n
	}
	before := settle(0)
	n := Dim("n")
	for i := range 20000 {
		x := Var(fmt.Sprintf("x%d", i), Vec(n), 0)
		_ = Add(x, Mul(Int(int64(i)), x))
	}
	live := Var("kept", Vec(n), 0) // still referred to: stays interned
	after := settle(before + 1000)
	if after > before+1000 {
		t.Errorf("the table holds %d nodes after 20 000 unreferenced expressions, %d before", after, before)
	}
	if Var("kept", Vec(n), 0) != live {
		t.Error("a live node is no longer the one interned for its structure")
	}
}
