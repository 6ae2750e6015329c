package ast

import (
	"fmt"
	"math/big"
	"runtime"
	"testing"
	"time"
	"weak"
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

// TestInternSharedHash: two structures of one hash are two nodes, and each
// is found again. The hash is 64 bits, so the test makes the collision: it
// moves a node to the second place of its own hash behind another node.
func TestInternSharedHash(t *testing.T) {
	s := Shape{"n", "n"}
	a, b := Var("A_shared", s, 0), Var("B_shared", s, Symmetric)
	h := internHash(KVar, nil, s, "A_shared", 0, nil, 0, nil)
	intern.Lock()
	intern.m[h] = weak.Make(b)
	intern.more[h] = append(intern.more[h], weak.Make(a))
	intern.Unlock()
	if got := Var("A_shared", s, 0); got != a {
		t.Errorf("A_shared behind B_shared in its hash: a new node %p, want %p", got, a)
	}
	if got := Var("B_shared", s, Symmetric); got != b {
		t.Errorf("B_shared: a new node %p, want %p", got, b)
	}
	if b.is(KVar, nil, s, "A_shared", 0, nil, 0, nil) || !a.is(KVar, nil, s, "A_shared", 0, nil, 0, nil) {
		t.Error("is compares names wrongly")
	}
	if one, half := Int(1), Number(big.NewRat(1, 2)); one.is(KNum, nil, Scalar, "", 0, big.NewRat(1, 2), 0, nil) || !half.is(KNum, nil, Scalar, "", 0, big.NewRat(2, 4), 0, nil) {
		t.Error("is compares numbers wrongly")
	}
	runtime.KeepAlive(a)
	runtime.KeepAlive(b)
}
