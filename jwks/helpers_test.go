package jwks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/stretchr/testify/require"
)

// clock is a settable clock for Options.Now and jwt.VerifyOptions.Now.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *clock) Now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *clock) Add(d time.Duration) { c.ns.Add(int64(d)) }
func (c *clock) verifyOptions() *jwt.VerifyOptions {
	return &jwt.VerifyOptions{Now: c.Now}
}

// testKey is a signing key and its public JWK.
type testKey struct {
	signer jwt.Signer
	pub    *jwt.JWK
}

// newKey returns a new key for alg with the given kid ("" for none); the
// public JWK carries "alg" unless noAlg.
func newKey(t testing.TB, alg jwt.Algorithm, kid string, noAlg bool) testKey {
	t.Helper()
	genPriv, err := jwt.GenerateKey(alg)
	require.NoError(t, err)
	priv := genPriv.Key
	s, err := alg.NewSigner(priv)
	require.NoError(t, err)
	if kid != "" {
		s = jwt.SignerWithKeyID(s, kid)
	}
	k, err := jwt.NewJWK(priv)
	require.NoError(t, err)
	k.KeyID = kid
	if !noAlg {
		k.Algorithm = alg.Name()
	}
	return testKey{signer: s, pub: k.Public()}
}

// setJSON returns the public JWK Set of keys.
func setJSON(t testing.TB, keys ...testKey) []byte {
	t.Helper()
	set := Set{Keys: []*jwt.JWK{}}
	for _, k := range keys {
		set.Keys = append(set.Keys, k.pub)
	}
	b, err := set.MarshalJSON()
	require.NoError(t, err)
	return b
}

// sign returns a token by k, valid for an hour from now.
func sign(t testing.TB, k testKey, now time.Time) string {
	t.Helper()
	tok, err := jwt.Sign(context.Background(), k.signer, jwt.RegisteredClaims{
		Subject:   "user-1",
		ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
	}, nil)
	require.NoError(t, err)
	return tok
}

// withKID returns k signing with another kid.
func withKID(k testKey, kid string) testKey {
	return testKey{signer: jwt.SignerWithKeyID(k.signer, kid), pub: k.pub}
}

func randomKID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// server is a real HTTP server whose behaviour a test changes as it goes,
// counting the requests it sees.
type server struct {
	*httptest.Server
	hits    atomic.Int64
	mu      sync.Mutex
	handler http.HandlerFunc
	release chan struct{} // closed at cleanup: frees handlers that hang
}

func newServer(t testing.TB, h http.HandlerFunc) *server {
	return startServer(t, h, httptest.NewServer)
}

// newTLSServer is newServer over https, with httptest's certificate, which
// names 127.0.0.1, ::1, example.com and *.example.com.
func newTLSServer(t testing.TB, h http.HandlerFunc) *server {
	return startServer(t, h, httptest.NewTLSServer)
}

func startServer(t testing.TB, h http.HandlerFunc, start func(http.Handler) *httptest.Server) *server {
	s := &server{handler: h, release: make(chan struct{})}
	s.Server = start(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		s.mu.Lock()
		h := s.handler
		s.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(func() {
		close(s.release)
		s.Close()
	})
	return s
}

func (s *server) set(h http.HandlerFunc) {
	s.mu.Lock()
	s.handler = h
	s.mu.Unlock()
}

// serve answers with body and the header lines given as name, value pairs;
// an empty value removes a header the server would add, such as Date.
func serve(body []byte, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			if header[i+1] == "" {
				w.Header()[header[i]] = nil
				continue
			}
			w.Header().Set(header[i], header[i+1])
		}
		w.Write(body)
	}
}

// hang answers only when the client gives up or the test ends.
func (s *server) hang(w http.ResponseWriter, r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-s.release:
	}
}

// noJitter is an Options.Jitter that puts every refresh at three quarters
// of the set's lifetime.
func noJitter(time.Duration) time.Duration { return 0 }

// newTestRemote returns a Remote for url, closed when the test ends. Unless
// o says otherwise, its refreshes are due at exactly three quarters of a
// set's lifetime (noJitter).
func newTestRemote(t testing.TB, url string, o *Options) *Remote {
	t.Helper()
	if o == nil {
		o = &Options{}
	}
	if o.Jitter == nil {
		o.Jitter = noJitter
	}
	s, err := NewRemote(url, o)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

// eventBound bounds the wait for an event that comes in microseconds, so
// that a test that would otherwise hang fails instead; no passing test
// waits that long, whatever the machine's load.
const eventBound = 30 * time.Second

// waitIdle waits, boundedly, until s has no fetch in progress.
func waitIdle(t testing.TB, s *Remote) {
	t.Helper()
	require.Eventually(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.flight == nil
	}, eventBound, time.Millisecond)
}

// waitForWaiters waits, boundedly, until n goroutines wait in s for a
// fetch.
func waitForWaiters(t testing.TB, s *Remote, n int) {
	t.Helper()
	require.Eventually(t, func() bool {
		waiting := 0
		for _, g := range goroutinesOf(s) {
			if strings.Contains(g, "jwks.wait(") {
				waiting++
			}
		}
		return waiting >= n
	}, eventBound, time.Millisecond, "%d callers waiting", n)
}

// within runs f and fails the test if it has not returned within
// eventBound: for an f that must not wait for something the test holds.
func within(t testing.TB, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(eventBound):
		t.Fatal(what)
	}
}

// verify verifies token with keys at c's time.
func verify(keys jwt.KeySource, c *clock, token string) error {
	_, err := jwt.Verify[jwt.RegisteredClaims](context.Background(), token, keys, c.verifyOptions())
	return err
}

// packageGoroutines returns the stacks of goroutines running code of this
// package other than tests.
func packageGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		if strings.Contains(g, "jwt/jwks.(*Remote)") || strings.Contains(g, "jwt/jwks.(*KeyRing)") {
			out = append(out, g)
		}
	}
	return out
}

// goroutinesOf returns the stacks of goroutines running a method of v, a
// *Remote or *KeyRing, or called by one.
func goroutinesOf(v any) []string {
	recv := fmt.Sprintf("(%p", v)
	var out []string
	for _, g := range packageGoroutines() {
		if strings.Contains(g, recv) {
			out = append(out, g)
		}
	}
	return out
}

// requireNoGoroutines fails unless, within a bounded wait, no goroutine runs
// this package's code.
func requireNoGoroutines(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(eventBound)
	for {
		gs := packageGoroutines()
		if len(gs) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines of package jwks still running:\n%s", len(gs), strings.Join(gs, "\n\n"))
		}
		time.Sleep(5 * time.Millisecond)
	}
}
