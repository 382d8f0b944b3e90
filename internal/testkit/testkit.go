// Package testkit holds what the tests of several packages of this
// project share, so that it is written once: a TestMain that fails a run
// which leaves goroutines behind, and keys made once per test binary. It
// imports only the standard library, so that the root package's own tests
// can use it too, and it is internal: no user sees it.
package testkit

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Main runs the tests of m and exits with their code. When they pass, it
// fails the run if goroutines whose stacks mention one of markers (such as
// "net/http" or the package's own path) are still running wait after the
// tests end: every server, client and store a test starts must be gone.
// The wait is a bound, not a delay: a clean run returns as soon as they
// end, and under load closing idle connections can take seconds.
func Main(m *testing.M, wait time.Duration, markers ...string) {
	code := m.Run()
	if code == 0 {
		if left := LeftGoroutines(wait, markers...); left != "" {
			fmt.Fprintf(os.Stderr, "goroutines left behind:\n%s\n", left)
			code = 1
		}
	}
	os.Exit(code)
}

// LeftGoroutines waits up to wait for the goroutines whose stacks mention
// one of markers, other than the calling one, to end, and returns the
// stacks of those that do not ("" once none is left).
func LeftGoroutines(wait time.Duration, markers ...string) string {
	deadline := time.Now().Add(wait)
	for {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		var left []string
		for _, g := range strings.Split(string(buf), "\n\n")[1:] {
			for _, m := range markers {
				if strings.Contains(g, m) {
					left = append(left, g)
					break
				}
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return strings.Join(left, "\n\n")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// rsaKeys are two 2048-bit RSA keys, made on first use.
var rsaKeys = sync.OnceValue(func() [2]*rsa.PrivateKey {
	var keys [2]*rsa.PrivateKey
	for i := range keys {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		keys[i] = k
	}
	return keys
})

// RSAKey returns 2048-bit RSA key i, 0 or 1, the same for the whole test
// binary: key 1 is the "other" key of wrong-key tests.
func RSAKey(i int) *rsa.PrivateKey { return rsaKeys()[i] }

// ecKeys holds an ECDSA key per curve, made on first use.
var ecKeys = sync.OnceValue(func() map[elliptic.Curve]*ecdsa.PrivateKey {
	keys := map[elliptic.Curve]*ecdsa.PrivateKey{}
	for _, c := range []elliptic.Curve{elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		k, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			panic(err)
		}
		keys[c] = k
	}
	return keys
})

// ECKey returns the ECDSA key of curve c (P-256, P-384 or P-521), the same
// for the whole test binary.
func ECKey(c elliptic.Curve) *ecdsa.PrivateKey {
	k, ok := ecKeys()[c]
	if !ok {
		panic("testkit: no key for curve " + c.Params().Name)
	}
	return k
}

// ed25519Key is an Ed25519 key, made on first use.
var ed25519Key = sync.OnceValue(func() ed25519.PrivateKey {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
})

// Ed25519Key returns an Ed25519 key, the same for the whole test binary.
func Ed25519Key() ed25519.PrivateKey { return ed25519Key() }
