package jwks

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewDoesNoIO(t *testing.T) {
	srv := newServer(t, serve(nil))
	s := newTestRemote(t, srv.URL, nil)
	// A fetch would need a goroutine of s, running or done (a hit).
	assert.Empty(t, goroutinesOf(s), "NewRemote starts nothing")
	assert.Zero(t, srv.hits.Load())
	assert.Zero(t, s.Status().Fetches)
	assert.False(t, s.Status().Serving)
}

func TestNewURLAndOptions(t *testing.T) {
	for _, u := range []string{
		"https://id.example/keys", "http://127.0.0.1:8080/keys", "http://[::1]/keys", "http://localhost/keys",
	} {
		s, err := NewRemote(u, nil)
		require.NoError(t, err, u)
		s.Close()
	}
	for _, u := range []string{
		"http://id.example/keys", "ftp://id.example/keys", "/keys", "https:///keys", "https://id.example/keys#x",
		"HTTP://10.0.0.1/", "mailto:a@b", "::", "https://:8443/keys", "http://:8080/keys",
	} {
		_, err := NewRemote(u, nil)
		assert.ErrorIs(t, err, jwt.ErrInvalidOption, u)
	}
	for name, o := range map[string]*Options{
		"negative timeout":    {Timeout: -1},
		"negative body":       {MaxBodySize: -1},
		"negative staleness":  {MaxStaleness: -time.Second},
		"negative cooldown":   {Cooldown: -time.Second},
		"negative neg cache":  {NegativeCacheSize: -1},
		"min above max":       {MinLifetime: time.Hour, MaxLifetime: time.Minute},
		"default below min":   {DefaultLifetime: time.Second},
		"default above max":   {DefaultLifetime: 48 * time.Hour},
		"nil algorithm":       {Algorithms: []jwt.Algorithm{jwt.ES256, nil}},
		"negative lifetimes":  {MinLifetime: -time.Minute},
		"negative max lifetm": {MaxLifetime: -time.Minute},
	} {
		_, err := NewRemote("https://id.example/keys", o)
		assert.ErrorIs(t, err, jwt.ErrInvalidOption, name)
		assert.True(t, strings.HasPrefix(err.Error(), "jwks: "), err.Error())
		assert.Equal(t, 1, strings.Count(err.Error()+" ", "jwks: ")+strings.Count(err.Error(), "jwt:"), err.Error())
	}
}

func TestVerifyThroughSet(t *testing.T) {
	c := newClock()
	k1 := newKey(t, jwt.EdDSA, "k1", false)
	k2 := newKey(t, jwt.ES256, "k2", false)
	srv := newServer(t, serve(setJSON(t, k1, k2)))
	s := newTestRemote(t, srv.URL, &Options{Now: c.Now})

	// The first Lookup fetches.
	require.NoError(t, verify(s, c, sign(t, k1, c.Now())))
	require.NoError(t, verify(s, c, sign(t, k2, c.Now())))
	// A token without kid uses the keys bound to its alg.
	require.NoError(t, verify(s, c, sign(t, withKID(k1, ""), c.Now())))
	// Prefetch of a set within its lifetime fetches nothing.
	require.NoError(t, s.Prefetch(context.Background()))
	assert.EqualValues(t, 1, srv.hits.Load())

	st := s.Status()
	assert.True(t, st.Serving)
	assert.Equal(t, 2, st.Keys)
	assert.Equal(t, srv.URL, st.URL)
	assert.NoError(t, st.LastError)
	assert.Equal(t, c.Now(), st.LastSuccess)
	assert.Equal(t, c.Now().Add(DefaultLifetime), st.Expires)

	// A kid bound to another algorithm is a mismatch, not an unknown kid.
	err := verify(s, c, sign(t, withKID(newKey(t, jwt.ES256, "", false), "k1"), c.Now()))
	assert.ErrorIs(t, err, jwt.ErrAlgorithmMismatch)
	assert.EqualValues(t, 1, srv.hits.Load())
}

func TestKeysWithoutAlg(t *testing.T) {
	// Entra ID and many Keycloak realms publish RSA keys without "alg".
	c := newClock()
	k := newKey(t, jwt.RS256, "entra", true)
	srv := newServer(t, serve(setJSON(t, k)))

	bare := newTestRemote(t, srv.URL, &Options{Now: c.Now})
	err := bare.Prefetch(context.Background())
	assert.ErrorIs(t, err, ErrInvalidSet)
	assert.ErrorIs(t, err, jwt.ErrKeyNotFound)
	assert.Contains(t, err.Error(), `no "alg"`)
	assert.True(t, strings.HasPrefix(err.Error(), "jwks: "), err.Error())
	assert.Equal(t, 1, strings.Count(err.Error()+" ", "jwks: ")+strings.Count(err.Error(), "jwt:"), err.Error())

	s := newTestRemote(t, srv.URL, &Options{Now: c.Now, Algorithms: []jwt.Algorithm{jwt.RS256, jwt.PS256}})
	require.NoError(t, s.Prefetch(context.Background()))
	require.NoError(t, verify(s, c, sign(t, k, c.Now())))
	assert.Equal(t, 1, s.Status().Keys)
}

func TestFetchFailures(t *testing.T) {
	good := newKey(t, jwt.EdDSA, "good", false)
	huge := []byte(`{"keys":[],"pad":"` + strings.Repeat("x", 2<<20) + `"}`)
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    []error
		msg     string
	}{
		{name: "500", handler: func(w http.ResponseWriter, r *http.Request) { http.Error(w, "oops", http.StatusInternalServerError) },
			want: []error{ErrFetch}, msg: "status 500"},
		{name: "404", handler: http.NotFound, want: []error{ErrFetch}, msg: "status 404"},
		{name: "204", handler: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) },
			want: []error{ErrFetch}, msg: "status 204"},
		{name: "201 with a good set", handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusCreated)
			w.Write(setJSON(t, good))
		}, want: []error{ErrFetch}, msg: "status 201"},
		{name: "unconditional 304", handler: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotModified) },
			want: []error{ErrFetch}, msg: "status 304"},
		{name: "invalid JSON", handler: serve([]byte(`{"keys":[`)), want: []error{ErrInvalidSet, jwt.ErrInvalidKey}},
		{name: "HTML", handler: serve([]byte(`<html>login</html>`)), want: []error{ErrInvalidSet}},
		{name: "not a set", handler: serve([]byte(`{"kty":"OKP"}`)), want: []error{ErrInvalidSet}, msg: `no member "keys"`},
		{name: "empty set", handler: serve([]byte(`{"keys":[]}`)), want: []error{ErrInvalidSet, jwt.ErrKeyNotFound},
			msg: "no key usable"},
		{name: "only unusable keys", handler: serve([]byte(`{"keys":[
			{"kty":"EC","crv":"secp256k1","x":"AA","y":"AA","kid":"a"},
			{"kty":"OKP","crv":"X25519","x":"` + strings.Repeat("A", 43) + `","kid":"b"},
			` + restricted(t, good, "enc", nil) + `,` + restricted(t, good, "", []string{"sign"}) + `]}`)),
			want: []error{ErrInvalidSet, jwt.ErrKeyNotFound}, msg: "4 keys left out"},
		{name: "private key published", handler: serve([]byte(privateSet(t))),
			want: []error{ErrInvalidSet, ErrPrivateKey}},
		{name: "duplicate kids", handler: serve([]byte(`{"keys":[` + pubJSON(t, good) + `,` + pubJSON(t, good) + `]}`)),
			want: []error{ErrInvalidSet}, msg: "share kid"},
		{name: "huge body with length", handler: serve(huge, "Content-Length", fmt.Sprint(len(huge))), want: []error{ErrFetch}, msg: "limit 1048576"},
		{name: "huge body chunked", handler: func(w http.ResponseWriter, r *http.Request) {
			for i := 0; i < len(huge); i += 4096 {
				w.Write(huge[i:min(i+4096, len(huge))])
				w.(http.Flusher).Flush()
			}
		}, want: []error{ErrFetch}, msg: "larger than 1048576"},
		{name: "redirect", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://elsewhere.example/keys", http.StatusFound)
		}, want: []error{ErrFetch}, msg: "not followed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			srv := newServer(t, tt.handler)
			s := newTestRemote(t, srv.URL, &Options{Now: c.Now})
			err := s.Prefetch(context.Background())
			require.Error(t, err)
			assert.NotErrorIs(t, err, context.DeadlineExceeded, "it fails on the answer, not by waiting for the timeout")
			for _, w := range tt.want {
				assert.ErrorIs(t, err, w)
			}
			assert.NotErrorIs(t, err, jwt.ErrUnavailable)
			assert.Contains(t, err.Error(), tt.msg)
			assert.True(t, strings.HasPrefix(err.Error(), "jwks: "), err.Error())
			assert.Equal(t, 1, strings.Count(err.Error()+" ", "jwks: ")+strings.Count(err.Error(), "jwt:"), err.Error())

			st := s.Status()
			assert.False(t, st.Serving)
			assert.Equal(t, err, st.LastError)

			// Lookup fails closed, at once (the failure was less than a
			// cooldown ago), without another fetch, and says why.
			err = verify(s, c, sign(t, good, c.Now()))
			assert.ErrorIs(t, err, jwt.ErrUnavailable)
			assert.ErrorIs(t, err, jwt.ErrUnavailable, "not the token's fault: a service answers 503")
			for _, w := range tt.want {
				assert.ErrorIs(t, err, w)
			}
			assert.True(t, strings.HasPrefix(err.Error(), "jwks: "), err.Error())
			assert.Equal(t, 1, strings.Count(err.Error()+" ", "jwks: ")+strings.Count(err.Error(), "jwt:"), err.Error())
			assert.EqualValues(t, 1, srv.hits.Load())
		})
	}
}

// restricted returns k's public JWK with another kid and the given "use"
// and "key_ops", neither of which allows verifying.
func restricted(t *testing.T, k testKey, use string, ops []string) string {
	p := *k.pub
	p.KeyID, p.Use, p.KeyOps = "restricted-"+use+strings.Join(ops, ""), use, ops
	b, err := p.MarshalJSON()
	require.NoError(t, err)
	return string(b)
}

func pubJSON(t *testing.T, k testKey) string {
	b, err := k.pub.MarshalJSON()
	require.NoError(t, err)
	return string(b)
}

func privateSet(t *testing.T) string {
	genPriv, err := jwt.GenerateKey(jwt.ES256)
	require.NoError(t, err)
	priv := genPriv.Key
	k, err := jwt.NewJWK(priv)
	require.NoError(t, err)
	b, err := k.MarshalPrivateJSON()
	require.NoError(t, err)
	return `{"keys":[` + string(b) + `]}`
}

func TestRedirects(t *testing.T) {
	k := newKey(t, jwt.EdDSA, "k", false)
	var keysHits atomic.Int64
	body := setJSON(t, k)
	redirector := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/keys" {
			keysHits.Add(1)
			w.Write(body)
			return
		}
		http.Redirect(w, r, "/keys", http.StatusMovedPermanently)
	})

	s := newTestRemote(t, redirector.URL, nil)
	err := s.Prefetch(context.Background())
	assert.ErrorIs(t, err, ErrFetch)
	assert.Contains(t, err.Error(), "status 301")
	assert.Zero(t, keysHits.Load(), "the redirect must not be followed")

	f := newTestRemote(t, redirector.URL, &Options{FollowRedirects: true})
	require.NoError(t, f.Prefetch(context.Background()))
	assert.EqualValues(t, 1, keysHits.Load())

	// Followed redirects must still go to https or stay on the origin.
	insecure := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://192.0.2.1/keys", http.StatusFound)
	})
	i := newTestRemote(t, insecure.URL, &Options{FollowRedirects: true})
	err = i.Prefetch(context.Background())
	assert.ErrorIs(t, err, ErrFetch)
	assert.Contains(t, err.Error(), "redirect refused")
}

func TestHangingServer(t *testing.T) {
	srv := newServer(t, nil)
	srv.set(srv.hang)
	s := newTestRemote(t, srv.URL, &Options{Timeout: 200 * time.Millisecond})

	// Prefetch with no deadline of its own is bounded by Timeout: the
	// server hangs until the test ends, so returning at all, with the
	// fetch's DeadlineExceeded, is the Timeout's doing.
	start := time.Now()
	err := s.Prefetch(context.Background())
	elapsed := time.Since(start)
	assert.ErrorIs(t, err, ErrFetch)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.GreaterOrEqual(t, elapsed, 200*time.Millisecond, "it waited for the Timeout")

	// A Lookup is bounded by its caller's context, sooner: it gives up
	// waiting while the fetch, under a Timeout of an hour, goes on.
	s2 := newTestRemote(t, srv.URL, &Options{Timeout: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = s2.Lookup(ctx, jwt.Header{Algorithm: "EdDSA", KeyID: "k"})
	assert.ErrorIs(t, err, jwt.ErrUnavailable)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "gave up waiting")
	s2.mu.Lock()
	assert.NotNil(t, s2.flight, "the fetch goes on")
	s2.mu.Unlock()
}

func TestWaiterCancelsOnlyItsOwnWait(t *testing.T) {
	c := newClock()
	k := newKey(t, jwt.EdDSA, "k", false)
	body := setJSON(t, k)
	gate := make(chan struct{})
	srv := newServer(t, nil)
	srv.set(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-gate:
			w.Write(body)
		case <-srv.release:
		}
	})
	s := newTestRemote(t, srv.URL, &Options{Now: c.Now})
	token := sign(t, k, c.Now())

	// Two callers wait for the one fetch, which the server holds.
	ctx, cancel := context.WithCancel(context.Background())
	impatient, patient := make(chan error, 1), make(chan error, 1)
	go func() {
		_, err := jwt.Verify[jwt.RegisteredClaims](ctx, token, s, c.verifyOptions())
		impatient <- err
	}()
	go func() { patient <- verify(s, c, token) }()
	waitForWaiters(t, s, 2)

	// One gives up: its wait ends while the fetch is still held.
	cancel()
	err := <-impatient
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, jwt.ErrUnavailable)
	select {
	case err := <-patient:
		t.Fatalf("the patient caller returned before the fetch ended: %v", err)
	default:
	}

	close(gate)
	assert.NoError(t, <-patient, "the shared fetch must go on when one waiter gives up")
	assert.EqualValues(t, 1, srv.hits.Load(), "one fetch for both waiters")
}

func TestSingleFlightFirstFetch(t *testing.T) {
	c := newClock()
	k := newKey(t, jwt.EdDSA, "k", false)
	body := setJSON(t, k)
	gate := make(chan struct{})
	srv := newServer(t, nil)
	srv.set(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-gate:
			w.Write(body)
		case <-srv.release:
		}
	})
	s := newTestRemote(t, srv.URL, &Options{Now: c.Now})
	token := sign(t, k, c.Now())
	const callers = 200
	var wg sync.WaitGroup
	var failed atomic.Int64
	for range callers {
		wg.Go(func() {
			if verify(s, c, token) != nil {
				failed.Add(1)
			}
		})
	}
	// Every caller waits for the fetch the server holds; then it answers.
	waitForWaiters(t, s, callers)
	close(gate)
	wg.Wait()
	assert.Zero(t, failed.Load())
	assert.EqualValues(t, 1, srv.hits.Load())
}

func TestCacheLifetimeFromHeaders(t *testing.T) {
	k := newKey(t, jwt.EdDSA, "k", false)
	body := setJSON(t, k)
	for _, tt := range []struct {
		name   string
		header []string
		want   time.Duration
	}{
		{name: "none", want: DefaultLifetime},
		{name: "max-age", header: []string{"Cache-Control", "public, max-age=600"}, want: 10 * time.Minute},
		{name: "max-age less Age", header: []string{"Cache-Control", "max-age=600", "Age", "120"}, want: 8 * time.Minute},
		{name: "max-age=0", header: []string{"Cache-Control", "max-age=0"}, want: time.Minute},
		{name: "no-store", header: []string{"Cache-Control", "no-store"}, want: time.Minute},
		{name: "no-cache with max-age", header: []string{"Cache-Control", "no-cache, max-age=3600"}, want: time.Minute},
		{name: "too long", header: []string{"Cache-Control", "max-age=99999999999999999"}, want: 24 * time.Hour},
		{name: "invalid max-age", header: []string{"Cache-Control", "max-age=soon"}, want: time.Minute},
		{name: "Expires with Date", header: []string{"Date", "Sun, 01 Mar 2026 11:00:00 GMT", "Expires", "Sun, 01 Mar 2026 11:30:00 GMT"},
			want: 30 * time.Minute},
		{name: "Expires without Date", header: []string{"Expires", "Sun, 01 Mar 2026 14:00:00 GMT", "Date", ""}, want: 2 * time.Hour},
		{name: "Expires in the past", header: []string{"Expires", "Sun, 01 Mar 2026 10:00:00 GMT", "Date", ""}, want: time.Minute},
		{name: "Expires invalid", header: []string{"Expires", "0"}, want: time.Minute},
		{name: "max-age wins over Expires", header: []string{"Cache-Control", "max-age=300", "Expires", "Sun, 01 Mar 2026 14:00:00 GMT"},
			want: 5 * time.Minute},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock() // 2026-03-01 12:00 UTC
			srv := newServer(t, serve(body, tt.header...))
			s := newTestRemote(t, srv.URL, &Options{Now: c.Now})
			require.NoError(t, s.Prefetch(context.Background()))
			assert.Equal(t, tt.want, s.Status().Expires.Sub(c.Now()))
		})
	}
}

func TestRefreshAheadWithoutBlocking(t *testing.T) {
	c := newClock()
	k1 := newKey(t, jwt.EdDSA, "k1", false)
	k2 := newKey(t, jwt.EdDSA, "k2", false)
	srv := newServer(t, serve(setJSON(t, k1), "Cache-Control", "max-age=120"))
	s := newTestRemote(t, srv.URL, &Options{Now: c.Now})
	require.NoError(t, s.Prefetch(context.Background()))
	tok1 := sign(t, k1, c.Now())

	// Before three quarters of the lifetime: no fetch.
	c.Add(89 * time.Second)
	for range 100 {
		require.NoError(t, verify(s, c, tok1))
	}
	assert.EqualValues(t, 1, srv.hits.Load())

	// Due: the refresh runs in the background while the cached set serves.
	// The server holds it until every verification is done, so a
	// verification that waited for it would never end.
	gate := make(chan struct{})
	srv.set(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-gate:
			serve(setJSON(t, k2), "Cache-Control", "max-age=120")(w, r)
		case <-srv.release:
		}
	})
	c.Add(2 * time.Second)
	within(t, "verifications must not wait for the refresh", func() {
		for range 100 {
			assert.NoError(t, verify(s, c, tok1))
		}
	})
	close(gate)
	waitIdle(t, s)
	assert.EqualValues(t, 2, srv.hits.Load(), "one background refresh")

	// The refresh replaced the set: k1 is gone.
	require.NoError(t, verify(s, c, sign(t, k2, c.Now())))
	assert.ErrorIs(t, verify(s, c, tok1), jwt.ErrKeyNotFound)
}

func TestNoStoreIsNotARefreshLoop(t *testing.T) {
	c := newClock()
	k := newKey(t, jwt.EdDSA, "k", false)
	srv := newServer(t, serve(setJSON(t, k), "Cache-Control", "no-store, max-age=0"))
	s := newTestRemote(t, srv.URL, &Options{Now: c.Now})
	tok := sign(t, k, c.Now())
	for range 200 {
		require.NoError(t, verify(s, c, tok))
	}
	assert.EqualValues(t, 1, srv.hits.Load())
	// 45 s later (three quarters of the one-minute minimum) it refreshes once.
	c.Add(45 * time.Second)
	for range 200 {
		require.NoError(t, verify(s, c, tok))
	}
	waitIdle(t, s)
	assert.EqualValues(t, 2, srv.hits.Load())
}

func TestETagAndNotModified(t *testing.T) {
	c := newClock()
	k := newKey(t, jwt.EdDSA, "k", false)
	body := setJSON(t, k)
	var conditional, notModified atomic.Int64
	maxAge := "max-age=600"
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		if inm := r.Header.Get("If-None-Match"); inm != "" {
			conditional.Add(1)
			if inm == `"v1"` {
				notModified.Add(1)
				if maxAge != "" {
					w.Header().Set("Cache-Control", maxAge)
				}
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		w.Header().Set("Cache-Control", "max-age=300")
		w.Write(body)
	})
	s := newTestRemote(t, srv.URL, &Options{Now: c.Now})
	require.NoError(t, s.Prefetch(context.Background()))
	assert.Equal(t, c.Now().Add(5*time.Minute), s.Status().Expires)
	assert.Zero(t, conditional.Load())

	// A 304 keeps the set and renews its lifetime from its own header.
	c.Add(4 * time.Minute)
	require.NoError(t, s.Refresh(context.Background()))
	assert.EqualValues(t, 1, notModified.Load())
	st := s.Status()
	assert.Equal(t, c.Now(), st.LastSuccess)
	assert.Equal(t, c.Now().Add(10*time.Minute), st.Expires)
	assert.Equal(t, 1, st.Keys)
	require.NoError(t, verify(s, c, sign(t, k, c.Now())))

	// A 304 without caching headers keeps the lifetime it had.
	maxAge = ""
	c.Add(time.Minute)
	require.NoError(t, s.Refresh(context.Background()))
	assert.EqualValues(t, 2, notModified.Load())
	assert.Equal(t, c.Now().Add(10*time.Minute), s.Status().Expires)
	require.NoError(t, verify(s, c, sign(t, k, c.Now())))
}

func TestStaleWhileErrorThenFailClosed(t *testing.T) {
	c := newClock()
	k := newKey(t, jwt.EdDSA, "k", false)
	good := serve(setJSON(t, k), "Cache-Control", "max-age=60")
	srv := newServer(t, good)
	var mu sync.Mutex
	var events []FetchEvent
	s := newTestRemote(t, srv.URL, &Options{Now: c.Now, OnFetch: func(e FetchEvent) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e)
	}})
	require.NoError(t, s.Prefetch(context.Background()))
	fetchedAt := c.Now()

	srv.set(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) })
	// Past its lifetime the set is still served; the refresh fails.
	c.Add(2 * time.Minute)
	tok := sign(t, k, c.Now())
	require.NoError(t, verify(s, c, tok))
	waitIdle(t, s)
	st := s.Status()
	assert.True(t, st.Serving)
	assert.ErrorIs(t, st.LastError, ErrFetch)
	assert.Equal(t, fetchedAt, st.LastSuccess)
	assert.EqualValues(t, 2, srv.hits.Load())
	mu.Lock()
	require.Len(t, events, 2, "OnFetch is called after each fetch")
	assert.Equal(t, FetchEvent{URL: srv.URL, Status: 200, Keys: 1}, events[0])
	assert.Equal(t, srv.URL, events[1].URL)
	assert.Equal(t, 503, events[1].Status)
	assert.Zero(t, events[1].Keys)
	assert.ErrorIs(t, events[1].Err, ErrFetch)
	mu.Unlock()

	// Within the cooldown, no retry however many tokens arrive.
	for range 500 {
		require.NoError(t, verify(s, c, tok))
	}
	assert.EqualValues(t, 2, srv.hits.Load())
	// After it, one retry.
	c.Add(DefaultCooldown)
	require.NoError(t, verify(s, c, tok))
	waitIdle(t, s)
	assert.EqualValues(t, 3, srv.hits.Load())

	// Beyond lifetime + MaxStaleness, fail closed.
	c.Add(DefaultMaxStaleness)
	tok = sign(t, k, c.Now())
	err := verify(s, c, tok)
	assert.ErrorIs(t, err, jwt.ErrUnavailable)
	assert.ErrorIs(t, err, ErrFetch)
	assert.Contains(t, err.Error(), "maximum staleness")
	assert.False(t, s.Status().Serving)

	// The provider recovers: after the cooldown the next token fetches.
	srv.set(good)
	assert.ErrorIs(t, verify(s, c, tok), jwt.ErrUnavailable, "still within the backoff after the last failure")
	c.Add(DefaultCooldown)
	require.NoError(t, verify(s, c, tok))
	assert.True(t, s.Status().Serving)
}

func TestRotationRemovesKeys(t *testing.T) {
	c := newClock()
	k1 := newKey(t, jwt.EdDSA, "k1", false)
	k2 := newKey(t, jwt.EdDSA, "k2", false)
	k3 := newKey(t, jwt.ES256, "k3", false)
	srv := newServer(t, serve(setJSON(t, k1, k2)))
	s := newTestRemote(t, srv.URL, &Options{Now: c.Now})
	tok1, tok2 := sign(t, k1, c.Now()), sign(t, k2, c.Now())
	require.NoError(t, verify(s, c, tok1))
	require.NoError(t, verify(s, c, tok2))

	// k1 is removed upstream (revoked), k3 added.
	srv.set(serve(setJSON(t, k2, k3)))
	require.NoError(t, s.Refresh(context.Background()))
	err := verify(s, c, tok1)
	assert.ErrorIs(t, err, jwt.ErrKeyNotFound, "a removed key must stop verifying at once")
	assert.NotErrorIs(t, err, jwt.ErrUnavailable)
	require.NoError(t, verify(s, c, tok2))
	require.NoError(t, verify(s, c, sign(t, k3, c.Now())))
	assert.Equal(t, 2, s.Status().Keys)
}

func TestRotationWithoutKID(t *testing.T) {
	c := newClock()
	k1 := newKey(t, jwt.EdDSA, "", false)
	k2 := newKey(t, jwt.EdDSA, "", false)
	srv := newServer(t, serve(setJSON(t, k1)))
	s := newTestRemote(t, srv.URL, &Options{Now: c.Now})
	tok1 := sign(t, k1, c.Now())
	require.NoError(t, verify(s, c, tok1))

	srv.set(serve(setJSON(t, k2)))
	require.NoError(t, s.Refresh(context.Background()))
	hits := srv.hits.Load()
	for range 100 {
		assert.ErrorIs(t, verify(s, c, tok1), jwt.ErrInvalidSignature)
	}
	assert.Equal(t, hits, srv.hits.Load(), "a signature failure never fetches")
	require.NoError(t, verify(s, c, sign(t, k2, c.Now())))
}

func TestSignatureFailureNeverFetches(t *testing.T) {
	c := newClock()
	k := newKey(t, jwt.EdDSA, "k", false)
	srv := newServer(t, serve(setJSON(t, k)))
	s := newTestRemote(t, srv.URL, &Options{Now: c.Now})
	tok := sign(t, k, c.Now())
	require.NoError(t, verify(s, c, tok))
	forged := sign(t, withKID(newKey(t, jwt.EdDSA, "", false), "k"), c.Now())
	for range 1000 {
		assert.ErrorIs(t, verify(s, c, forged), jwt.ErrInvalidSignature)
	}
	assert.EqualValues(t, 1, srv.hits.Load())
}

func TestUnknownKID(t *testing.T) {
	c := newClock()
	k1 := newKey(t, jwt.EdDSA, "k1", false)
	k2 := newKey(t, jwt.EdDSA, "k2", false)
	srv := newServer(t, serve(setJSON(t, k1)))
	s := newTestRemote(t, srv.URL, &Options{Now: c.Now})
	require.NoError(t, s.Prefetch(context.Background()))

	// A key published after the last fetch is found by one forced refresh.
	srv.set(serve(setJSON(t, k1, k2)))
	require.NoError(t, verify(s, c, sign(t, k2, c.Now())))
	assert.EqualValues(t, 2, srv.hits.Load())

	// Within the cooldown an unknown kid fails at once: the server now
	// hangs, and would make any fetch wait.
	srv.set(srv.hang)
	other := sign(t, withKID(k1, "other"), c.Now())
	err := verify(s, c, other)
	assert.ErrorIs(t, err, jwt.ErrKeyNotFound)
	assert.NotErrorIs(t, err, jwt.ErrUnavailable)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "a fetch would hang until the 10 s timeout")
	assert.Contains(t, err.Error(), "next such refresh may start in 30s")
	assert.EqualValues(t, 2, srv.hits.Load())

	// After the cooldown the kid forces a refresh; still missing, it is
	// remembered and forces no other before the next scheduled refresh.
	srv.set(serve(setJSON(t, k1, k2)))
	c.Add(DefaultCooldown)
	err = verify(s, c, sign(t, withKID(k1, "other"), c.Now()))
	assert.ErrorIs(t, err, jwt.ErrKeyNotFound)
	assert.Contains(t, err.Error(), "also after refreshing")
	assert.EqualValues(t, 3, srv.hits.Load())
	c.Add(DefaultCooldown)
	err = verify(s, c, sign(t, withKID(k1, "other"), c.Now()))
	assert.Contains(t, err.Error(), "missing after a refresh")
	assert.EqualValues(t, 3, srv.hits.Load())
	// Another unknown kid may force one.
	assert.ErrorIs(t, verify(s, c, sign(t, withKID(k1, "third"), c.Now())), jwt.ErrKeyNotFound)
	assert.EqualValues(t, 4, srv.hits.Load())
	// A scheduled refresh forgets the remembered kids.
	c.Add(DefaultLifetime)
	require.NoError(t, verify(s, c, sign(t, k1, c.Now())))
	waitIdle(t, s)
	assert.EqualValues(t, 5, srv.hits.Load())
	assert.ErrorIs(t, verify(s, c, sign(t, withKID(k1, "other"), c.Now())), jwt.ErrKeyNotFound)
	assert.EqualValues(t, 6, srv.hits.Load())
}

// TestRandomKIDFlood sends tokens with random kids, from many goroutines,
// over five simulated minutes, and counts the fetches the server sees.
func TestRandomKIDFlood(t *testing.T) {
	c := newClock()
	k := newKey(t, jwt.EdDSA, "k", false)
	srv := newServer(t, serve(setJSON(t, k), "Cache-Control", "max-age=3600"))
	s := newTestRemote(t, srv.URL, &Options{Now: c.Now, NegativeCacheSize: 64})
	require.NoError(t, s.Prefetch(context.Background()))
	good := sign(t, k, c.Now())

	const seconds, perSecond = 300, 40
	var attacks, rejected, goodFailed atomic.Int64
	for range seconds {
		c.Add(time.Second)
		var wg sync.WaitGroup
		for range perSecond {
			wg.Go(func() {
				attacks.Add(1)
				if errors.Is(verify(s, c, unsignedToken(randomKID())), jwt.ErrKeyNotFound) {
					rejected.Add(1)
				}
			})
		}
		wg.Go(func() {
			if verify(s, c, good) != nil {
				goodFailed.Add(1)
			}
		})
		wg.Wait()
	}
	fetches := srv.hits.Load()
	t.Logf("random-kid flood: %d tokens over %d simulated seconds, %d rejected; server saw %d fetches (1 initial + %d forced; cooldown %v)",
		attacks.Load(), seconds, rejected.Load(), fetches, fetches-1, DefaultCooldown)
	assert.Equal(t, attacks.Load(), rejected.Load())
	assert.Zero(t, goodFailed.Load())
	assert.LessOrEqual(t, fetches, int64(1+seconds/30))
	s.mu.Lock()
	assert.LessOrEqual(t, len(s.neg), 64, "the negative cache is bounded")
	s.mu.Unlock()
}

// unsignedToken returns a well-formed EdDSA token with kid and a signature
// that is not one: the kid is looked up before any signature is checked.
func unsignedToken(kid string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"EdDSA","kid":"`+kid+`"}`)) + "." + enc([]byte(`{"sub":"x"}`)) + "." + enc(make([]byte, 64))
}

// TestConcurrentVerifyDuringRefresh verifies 1,000 tokens concurrently
// while a refresh that rotates the keys is held open by the server; run
// under -race.
func TestConcurrentVerifyDuringRefresh(t *testing.T) {
	c := newClock()
	k1 := newKey(t, jwt.EdDSA, "k1", false)
	k2 := newKey(t, jwt.EdDSA, "k2", false)
	srv := newServer(t, serve(setJSON(t, k1), "Cache-Control", "max-age=600"))
	s := newTestRemote(t, srv.URL, &Options{Now: c.Now})
	require.NoError(t, s.Prefetch(context.Background()))
	tok1 := sign(t, k1, c.Now())

	gate, inRefresh := make(chan struct{}), make(chan struct{})
	var once sync.Once
	srv.set(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(inRefresh) })
		<-gate
		serve(setJSON(t, k2), "Cache-Control", "max-age=600")(w, r)
	})
	c.Add(8 * time.Minute) // due for refresh
	require.NoError(t, verify(s, c, tok1))
	<-inRefresh

	var wg sync.WaitGroup
	var failed atomic.Int64
	for range 1000 {
		wg.Go(func() {
			if verify(s, c, tok1) != nil {
				failed.Add(1)
			}
			_ = s.Status()
		})
	}
	wg.Wait() // all done while the refresh is still held
	assert.Zero(t, failed.Load())
	assert.EqualValues(t, 2, srv.hits.Load())

	close(gate)
	waitIdle(t, s)
	var after sync.WaitGroup
	var oldOK, newFailed atomic.Int64
	tok2 := sign(t, k2, c.Now())
	for range 1000 {
		after.Go(func() {
			if verify(s, c, tok1) == nil {
				oldOK.Add(1)
			}
			if verify(s, c, tok2) != nil {
				newFailed.Add(1)
			}
		})
	}
	after.Wait()
	assert.Zero(t, oldOK.Load(), "the rotated-out key must not verify")
	assert.Zero(t, newFailed.Load())
	assert.LessOrEqual(t, srv.hits.Load(), int64(3), "at most one forced refresh for the old kid")
}

func TestCloseLeavesNoGoroutine(t *testing.T) {
	k := newKey(t, jwt.EdDSA, "k", false)
	srv := newServer(t, serve(setJSON(t, k), "Cache-Control", "no-store"))
	s, err := NewRemote(srv.URL, &Options{Background: true, MinLifetime: 20 * time.Millisecond, Cooldown: 20 * time.Millisecond,
		Timeout: time.Hour})
	require.NoError(t, err)
	require.NoError(t, s.Prefetch(context.Background()))
	// The background goroutine refreshes with no token arriving.
	require.Eventually(t, func() bool { return srv.hits.Load() >= 4 }, eventBound, time.Millisecond)
	// Leave a fetch hanging, with a waiter.
	hanging := make(chan struct{}, 1)
	srv.set(func(w http.ResponseWriter, r *http.Request) {
		select {
		case hanging <- struct{}{}:
		default:
		}
		srv.hang(w, r)
	})
	<-hanging // the fetch in progress is the hanging one
	refreshErr := make(chan error)
	go func() { refreshErr <- s.Refresh(context.Background()) }()
	require.Eventually(t, func() bool {
		for _, g := range packageGoroutines() {
			if strings.Contains(g, "jwks.(*Remote).Refresh") && strings.Contains(g, "jwks.wait") {
				return true
			}
		}
		return false
	}, eventBound, time.Millisecond, "Refresh waits for the hanging fetch")

	// The fetch would hang for its hour-long Timeout: Close cancels it.
	within(t, "Close cancels the fetch in progress", s.Close)
	assert.ErrorIs(t, <-refreshErr, context.Canceled)
	requireNoGoroutines(t)
	// The set is still served; an unknown kid, which would force a
	// fetch, fails at once.
	hits := srv.hits.Load()
	_, err = s.Lookup(context.Background(), jwt.Header{Algorithm: "EdDSA", KeyID: "k"})
	require.NoError(t, err)
	_, err = s.Lookup(context.Background(), jwt.Header{Algorithm: "EdDSA", KeyID: "other"})
	assert.ErrorIs(t, err, ErrClosed)
	assert.Empty(t, goroutinesOf(s))
	assert.Equal(t, hits, srv.hits.Load(), "no fetch after Close")

	assert.ErrorIs(t, s.Prefetch(context.Background()), ErrClosed)
	s.Close() // twice is fine
}

func TestAfterClose(t *testing.T) {
	c := newClock()
	k := newKey(t, jwt.EdDSA, "k", false)
	srv := newServer(t, serve(setJSON(t, k)))
	s := newTestRemote(t, srv.URL, &Options{Now: c.Now})
	tok := sign(t, k, c.Now())
	require.NoError(t, verify(s, c, tok))
	s.Close()
	// Keys held are still served; nothing is fetched.
	require.NoError(t, verify(s, c, tok))
	assert.ErrorIs(t, verify(s, c, sign(t, withKID(k, "x"), c.Now())), ErrClosed)
	c.Add(DefaultLifetime + DefaultMaxStaleness)
	err := verify(s, c, sign(t, k, c.Now()))
	assert.ErrorIs(t, err, jwt.ErrUnavailable)
	assert.ErrorIs(t, err, ErrClosed)
	assert.EqualValues(t, 1, srv.hits.Load())
}

func TestLookupAllocations(t *testing.T) {
	c := newClock()
	k := newKey(t, jwt.EdDSA, "k", false)
	srv := newServer(t, serve(setJSON(t, k)))
	s := newTestRemote(t, srv.URL, &Options{Now: c.Now})
	require.NoError(t, s.Prefetch(context.Background()))
	ctx := context.Background()
	for _, h := range []jwt.Header{{Algorithm: "EdDSA", KeyID: "k"}, {Algorithm: "EdDSA"}} {
		allocs := testing.AllocsPerRun(1000, func() {
			if _, err := s.Lookup(ctx, h); err != nil {
				panic(err)
			}
		})
		assert.Zero(t, allocs, fmt.Sprintf("%+v", h))
	}
}

// countingTransport counts the requests that go through it.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

func TestCallersClient(t *testing.T) {
	k := newKey(t, jwt.EdDSA, "k", false)
	var keysHits atomic.Int64
	body := setJSON(t, k)
	redirector := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/keys" {
			keysHits.Add(1)
			w.Write(body)
			return
		}
		http.Redirect(w, r, "/keys", http.StatusFound)
	})
	var followed atomic.Int64
	tr := &countingTransport{}
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
		followed.Add(1)
		return nil
	}}
	s := newTestRemote(t, redirector.URL, &Options{Client: client})
	assert.ErrorIs(t, s.Prefetch(context.Background()), ErrFetch)
	assert.EqualValues(t, 1, tr.n.Load(), "the caller's transport is used")
	assert.Zero(t, followed.Load(), "the caller's CheckRedirect is not asked when redirects are not followed")
	assert.Zero(t, keysHits.Load())
	assert.NotNil(t, client.CheckRedirect)

	f := newTestRemote(t, redirector.URL, &Options{Client: client, FollowRedirects: true})
	require.NoError(t, f.Prefetch(context.Background()))
	assert.EqualValues(t, 3, tr.n.Load())
	assert.EqualValues(t, 1, followed.Load(), "then asked")
	assert.EqualValues(t, 1, keysHits.Load())
}

// TestTokenURLsNeverFollowed: "jku" and "x5u" in a token are ignored; only
// the configured URL is fetched, also for an unknown kid.
func TestTokenURLsNeverFollowed(t *testing.T) {
	c := newClock()
	k := newKey(t, jwt.EdDSA, "k", false)
	evil := newServer(t, serve(setJSON(t, newKey(t, jwt.EdDSA, "k", false))))
	srv := newServer(t, serve(setJSON(t, k)))
	s := newTestRemote(t, srv.URL, &Options{Now: c.Now})
	enc := base64.RawURLEncoding.EncodeToString
	token := func(kid string) string {
		h := fmt.Sprintf(`{"alg":"EdDSA","kid":%q,"jku":%q,"x5u":%q}`, kid, evil.URL, evil.URL)
		p := fmt.Sprintf(`{"exp":%d}`, c.Now().Add(time.Hour).Unix())
		input := enc([]byte(h)) + "." + enc([]byte(p))
		sig, err := k.signer.Sign(context.Background(), []byte(input))
		require.NoError(t, err)
		return input + "." + enc(sig)
	}
	require.NoError(t, verify(s, c, token("k")))
	assert.ErrorIs(t, verify(s, c, token("unknown")), jwt.ErrKeyNotFound)
	assert.Zero(t, evil.hits.Load())
	assert.EqualValues(t, 2, srv.hits.Load())
}

// With the provider down at startup, a Remote that has never fetched a set
// serves again as soon as the provider answers: a failed fetch blocks the
// next only for a short backoff (250 ms, doubling up to 5 s), not for a
// whole cooldown, and a flood of tokens meanwhile makes no extra request.
func TestStartupWithoutProvider(t *testing.T) {
	c := newClock()
	k := newKey(t, jwt.EdDSA, "k", false)
	down := func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) }
	srv := newServer(t, down)
	s := newTestRemote(t, srv.URL, &Options{Now: c.Now})
	tok := sign(t, k, c.Now())

	err := verify(s, c, tok)
	assert.ErrorIs(t, err, jwt.ErrUnavailable)
	assert.ErrorIs(t, err, ErrFetch)
	assert.EqualValues(t, 1, srv.hits.Load())
	// Within the backoff, no request, however many tokens arrive at once.
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() { assert.ErrorIs(t, verify(s, c, tok), jwt.ErrUnavailable) })
	}
	wg.Wait()
	assert.EqualValues(t, 1, srv.hits.Load())

	// The backoff doubles with each failure: 250 ms, 500 ms, 1 s, ...
	for i, d := range []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second} {
		c.Add(d - time.Millisecond)
		assert.ErrorIs(t, verify(s, c, tok), jwt.ErrUnavailable)
		assert.EqualValues(t, i+1, srv.hits.Load(), "no request before %v", d)
		c.Add(time.Millisecond)
		assert.ErrorIs(t, verify(s, c, tok), jwt.ErrUnavailable)
		assert.EqualValues(t, i+2, srv.hits.Load(), "one request after %v", d)
	}

	// The provider is back: the next token after the backoff (at most 5 s,
	// far less than the 30 s cooldown) fetches and verifies.
	srv.set(serve(setJSON(t, k)))
	c.Add(maxRetry)
	require.NoError(t, verify(s, c, tok))
	assert.True(t, s.Status().Serving)
	assert.Less(t, maxRetry, DefaultCooldown)

	// Once a set is served, a failed refresh waits a whole cooldown again.
	srv.set(down)
	hits := srv.hits.Load()
	c.Add(DefaultLifetime)
	require.NoError(t, verify(s, c, tok)) // past refreshAt: a background refresh, which fails
	waitIdle(t, s)
	assert.EqualValues(t, hits+1, srv.hits.Load())
	c.Add(maxRetry)
	require.NoError(t, verify(s, c, tok))
	assert.EqualValues(t, hits+1, srv.hits.Load(), "a stale set is served; retry only after the cooldown")
}

// TestRefreshJitter: instances that fetch the same set at the same time do
// not all refresh it at once (issue 21, item 13). Each refresh is due at
// three quarters of the lifetime less Options.Jitter(lifetime/8), which
// the test controls.
func TestRefreshJitter(t *testing.T) {
	k := newKey(t, jwt.EdDSA, "k", false)
	srv := newServer(t, serve(setJSON(t, k), "Cache-Control", "max-age=160", "ETag", `"v1"`))

	// A fixed jitter moves the refresh earlier by exactly that much, after
	// a 200 and after a 304 alike.
	c := newClock()
	var asked atomic.Int64
	s := newTestRemote(t, srv.URL, &Options{Now: c.Now, Jitter: func(max time.Duration) time.Duration {
		asked.Store(int64(max))
		return 10 * time.Second
	}})
	require.NoError(t, s.Prefetch(context.Background()))
	assert.Equal(t, 20*time.Second, time.Duration(asked.Load()), "Jitter is given an eighth of the lifetime")
	tok := sign(t, k, c.Now())
	for range 2 {
		hits := srv.hits.Load()
		c.Add(110*time.Second - time.Nanosecond) // 3/4 of 160 s, less 10 s
		require.NoError(t, verify(s, c, tok))
		assert.Equal(t, hits, srv.hits.Load(), "not due yet")
		c.Add(time.Nanosecond)
		require.NoError(t, verify(s, c, tok))
		waitIdle(t, s)
		assert.Equal(t, hits+1, srv.hits.Load(), "due")
		srv.set(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "max-age=160")
			w.WriteHeader(http.StatusNotModified)
		})
	}

	// A jitter out of its range is taken as the nearest bound.
	for jitter, want := range map[time.Duration]time.Duration{-time.Hour: 120 * time.Second, time.Hour: 100 * time.Second} {
		srv.set(serve(setJSON(t, k), "Cache-Control", "max-age=160"))
		c := newClock()
		s := newTestRemote(t, srv.URL, &Options{Now: c.Now, Jitter: func(time.Duration) time.Duration { return jitter }})
		require.NoError(t, s.Prefetch(context.Background()))
		assert.Equal(t, c.Now().Add(want), s.state.Load().refreshAt, "jitter %v", jitter)
	}

	// By default the instances that fetched at the same instant spread
	// their refreshes over the last eighth before three quarters.
	c = newClock()
	due := make(map[time.Time]bool)
	for range 32 {
		s, err := NewRemote(srv.URL, &Options{Now: c.Now})
		require.NoError(t, err)
		require.NoError(t, s.Prefetch(context.Background()))
		at := s.state.Load().refreshAt
		s.Close()
		assert.False(t, at.Before(c.Now().Add(100*time.Second)), at)
		assert.False(t, at.After(c.Now().Add(120*time.Second)), at)
		due[at] = true
	}
	assert.Greater(t, len(due), 16, "random refresh times rarely coincide")
}
