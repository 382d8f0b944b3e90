package testkit

import (
	"crypto/elliptic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestLeftGoroutines(t *testing.T) {
	stop := make(chan struct{})
	started := make(chan struct{})
	go func() {
		close(started)
		testkitMarkerBlock(stop)
	}()
	<-started
	left := LeftGoroutines(0, "testkitMarkerBlock")
	assert.Contains(t, left, "testkitMarkerBlock", "a goroutine still running is reported")
	close(stop)
	assert.Empty(t, LeftGoroutines(10*time.Second, "testkitMarkerBlock"), "an ended one is not")
}

// testkitMarkerBlock blocks until stop is closed: its name marks the stack.
//
//go:noinline
func testkitMarkerBlock(stop chan struct{}) { <-stop }

func TestKeysAreFixed(t *testing.T) {
	assert.Same(t, RSAKey(0), RSAKey(0))
	assert.NotEqual(t, RSAKey(0).N, RSAKey(1).N)
	for _, c := range []elliptic.Curve{elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		assert.Same(t, ECKey(c), ECKey(c))
		assert.Equal(t, c, ECKey(c).Curve)
	}
	assert.Equal(t, Ed25519Key(), Ed25519Key())
	assert.Len(t, Ed25519Key(), 64)
	assert.Panics(t, func() { ECKey(elliptic.P224()) })
}
