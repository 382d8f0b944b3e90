package jwthttp_test

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain fails the run if the tests leave goroutines behind: every
// server and client they start must be gone once they end.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		// A bound, not a wait: a clean run returns as soon as they end,
		// and under load closing idle connections can take seconds.
		if leaked := leftGoroutines(30 * time.Second); leaked != "" {
			fmt.Fprintf(os.Stderr, "goroutines left behind:\n%s\n", leaked)
			code = 1
		}
	}
	os.Exit(code)
}

// leftGoroutines waits up to d for the goroutines of net/http and of these
// tests, other than the calling one, to end, and returns the stacks of
// those that do not.
func leftGoroutines(d time.Duration) string {
	deadline := time.Now().Add(d)
	for {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		var left []string
		for _, g := range strings.Split(string(buf), "\n\n")[1:] {
			if strings.Contains(g, "net/http") || strings.Contains(g, "jwthttp") {
				left = append(left, g)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return strings.Join(left, "\n\n")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
