//go:build !(aix || darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package benchmarks

// processCPU reports that the process's CPU time cannot be read on this
// system; the benchmarks then report ns/op without cpu-ns/op.
func processCPU() (int64, bool) { return 0, false }
