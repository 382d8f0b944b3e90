//go:build aix || darwin || dragonfly || freebsd || linux || netbsd || openbsd

package benchmarks

import "syscall"

// processCPU returns the user plus system CPU time the process has used so
// far, in nanoseconds, and whether it could be read.
//
// It reads RUSAGE_SELF, the whole process, rather than RUSAGE_THREAD: a
// goroutine may move between OS threads during a timed loop, the garbage
// collector's work for a row's allocations runs on other threads (and is a
// real cost of that row), and RunParallel rows run on several threads at
// once. Nothing else runs in the benchmark process while a row is timed.
func processCPU() (int64, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return ru.Utime.Nano() + ru.Stime.Nano(), true
}
