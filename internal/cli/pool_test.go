package cli

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestInOrder checks that the worker pool emits results in input order,
// runs at most one answer per core at once, and more than one when there
// are several cores.
func TestInOrder(t *testing.T) {
	const n = 200
	srcs := make([]source, n)
	for i := range srcs {
		srcs[i] = source{text: fmt.Sprint(i)}
	}
	var inFlight, most atomic.Int64
	rng := rand.New(rand.NewPCG(1, 2))
	delays := make([]time.Duration, n)
	for i := range delays {
		delays[i] = time.Duration(rng.IntN(300)) * time.Microsecond
	}
	var got []string
	inOrder(srcs, func(s source) string {
		k := inFlight.Add(1)
		for {
			m := most.Load()
			if k <= m || most.CompareAndSwap(m, k) {
				break
			}
		}
		var i int
		fmt.Sscan(s.text, &i)
		time.Sleep(delays[i])
		inFlight.Add(-1)
		return s.text
	}, func(s source, a string) {
		if a != s.text {
			t.Errorf("emitted %q for %q", a, s.text)
		}
		got = append(got, a)
	})
	if len(got) != n {
		t.Fatalf("emitted %d results, want %d", len(got), n)
	}
	for i, g := range got {
		if g != fmt.Sprint(i) {
			t.Fatalf("result %d is %s: out of order", i, g)
		}
	}
	if w := int64(runtime.GOMAXPROCS(0)); most.Load() > w || w > 1 && most.Load() < 2 {
		t.Errorf("at most %d answers at once with %d workers", most.Load(), w)
	}
}

// TestManyLines checks that the answers to a file of many expressions are
// those of each expression alone, in input order, and the same every run.
func TestManyLines(t *testing.T) {
	var lines, singles []string
	for i := range 60 {
		e := []string{"tr(A*X)", "logdet(X)", "||X - A||_F^2", "sum(exp(X*a))", "inv(X)"}[i%5]
		e = strings.ReplaceAll(e, "A", fmt.Sprintf("A%d", i))
		lines = append(lines, e)
	}
	file := filepath.Join(t.TempDir(), "many.txt")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		var out, errb bytes.Buffer
		if code := Main(args, &out, &errb); code != 0 {
			t.Fatalf("mdiff %q: exit %d: %s", args, code, errb.String())
		}
		return out.String()
	}
	all := run("diff", "-f", file, "--wrt", "X", "--let", "X: n x n", "--format", "ascii")
	for _, l := range lines {
		singles = append(singles, run("diff", l, "--wrt", "X", "--let", "X: n x n", "--format", "ascii"))
	}
	if want := strings.Join(singles, "\n"); all != want {
		t.Errorf("diff -f differs from the answers one by one:\n%s\nwant:\n%s", all, want)
	}
	if again := run("diff", "-f", file, "--wrt", "X", "--let", "X: n x n", "--format", "ascii"); again != all {
		t.Errorf("a second run differs")
	}
}
