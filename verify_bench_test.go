package mdiff_test

import (
	"syscall"
	"testing"
	"time"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/numeric"
)

// BenchmarkVerify measures the numerical check alone (Verify of an answer
// derived once, unchecked) on the wide sum of traces and the deep families
// at L = 64, in wall time and in CPU time of the process (cpu-ns/op: the
// checks run concurrently, and the garbage collector with them).
func BenchmarkVerify(b *testing.B) {
	cases := []scaling{wideCase("sum_tr", 10000)}
	for _, family := range []string{"mlp", "quadpow", "trprod", "chain_inv"} {
		cases = append(cases, deepFamily(family, 64))
	}
	for _, c := range cases {
		res, err := mdiff.Derive(c.src, mdiff.Options{Wrt: []string{c.wrt}, Let: []string{c.let}, NoCheck: true})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			start := cpuTime()
			for b.Loop() {
				if v, err := mdiff.Verify(res, numeric.Options{}); err != nil || !v.OK {
					b.Fatal(v, err)
				}
			}
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		})
	}
}

// cpuTime is the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
