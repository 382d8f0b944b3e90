package benchmarks

import "testing"

// measure runs op in a b.Loop, fails the benchmark on its first error, and
// reports allocations and cpu-ns/op: the process's user plus system CPU time
// (see processCPU) spent from the first to the last iteration, divided by
// b.N. Every single-goroutine row uses it, so that every row carries the
// same metrics. On a machine shared with other work, CPU time per op is less
// disturbed than wall time: time spent waiting for a core is not counted.
func measure(b *testing.B, op func() error) {
	b.Helper()
	b.ReportAllocs()
	start, ok := processCPU()
	for b.Loop() {
		if err := op(); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start, ok)
}

// measureParallel runs op on b.RunParallel's goroutines, each of which
// first calls newOp once to build the state it may not share, and reports
// the same metrics as measure. Here cpu-ns/op is the CPU time of all the
// goroutines together per op, so it stays flat as -cpu grows while ns/op
// falls if the work scales.
func measureParallel(b *testing.B, newOp func() func() error) {
	b.Helper()
	b.ReportAllocs()
	start, ok := processCPU()
	b.RunParallel(func(pb *testing.PB) {
		op := newOp()
		for pb.Next() {
			if err := op(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportCPU(b, start, ok)
}

func reportCPU(b *testing.B, start int64, ok bool) {
	end, ok2 := processCPU()
	if ok && ok2 && b.N > 0 {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}
