package jwks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUnknownKIDFloodInCooldown floods a Remote with unknown kids from many
// goroutines while the clock moves past one cooldown after another, so that
// tokens rejected in the cooldown build their error while another goroutine
// forces the next refresh. Run under -race: reading the time of the last
// forced refresh without the lock was a data race (issue 21, item 10).
// Without -race it checks that the flood costs one request per cooldown.
func TestUnknownKIDFloodInCooldown(t *testing.T) {
	c := newClock()
	k := newKey(t, jwt.EdDSA, "k", false)
	srv := newServer(t, serve(setJSON(t, k), "Cache-Control", "max-age=86400"))
	fetched := make(chan struct{}, 1)
	s := newTestRemote(t, srv.URL, &Options{Now: c.Now, MaxLifetime: 48 * time.Hour, OnFetch: func(FetchEvent) {
		select {
		case fetched <- struct{}{}:
		default:
		}
	}})
	require.NoError(t, s.Prefetch(t.Context()))
	awaitFetch(t, fetched)

	const rounds, workers = 20, 8
	stop := make(chan struct{})
	var lookups, notFound atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				lookups.Add(1)
				_, err := s.Lookup(t.Context(), jwt.Header{Algorithm: "EdDSA", KeyID: randomKID()})
				if errors.Is(err, jwt.ErrKeyNotFound) {
					notFound.Add(1)
				}
			}
		})
	}
	// The flood's first unknown kid forces a refresh at once: no refresh
	// has been forced yet, so no cooldown runs. Wait for it before moving
	// the clock, or its event and the last round's race (the count was 21
	// or 22 depending on which came first).
	awaitFetch(t, fetched)
	// Each round moves past the cooldown, and waits for the refresh that
	// the flood forces: the goroutines meanwhile keep hitting the cooldown.
	for range rounds {
		c.Add(DefaultCooldown)
		awaitFetch(t, fetched)
	}
	close(stop)
	wg.Wait()
	assert.Equal(t, lookups.Load(), notFound.Load(), "every unknown kid is ErrKeyNotFound")
	assert.EqualValues(t, 2+rounds, srv.hits.Load(), "the prefetch, the first forced refresh, then one per cooldown")
}

// awaitFetch waits for an event on fetched, failing the test if none comes
// within a bound far above any fetch's duration (it is not a timing
// assumption: a passing test never waits that long).
func awaitFetch(t *testing.T, fetched <-chan struct{}) {
	t.Helper()
	select {
	case <-fetched:
	case <-time.After(30 * time.Second):
		t.Fatal("no fetch")
	}
}

// TestRemoteConcurrentUse is the class test for data races in a Remote
// (issue 21, item 10): every method, from many goroutines, while the clock
// moves through lifetimes, cooldowns and staleness, the provider answers
// with a set, a 304, an error or garbage, and finally Close runs in the
// middle of it all. Run under -race. Whatever the interleaving, every
// error is one the documentation promises.
func TestRemoteConcurrentUse(t *testing.T) {
	c := newClock()
	k := newKey(t, jwt.EdDSA, "k", false)
	body := setJSON(t, k)
	answers := []http.HandlerFunc{
		serve(body, "Cache-Control", "max-age=60", "ETag", `"v1"`),
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("ETag", `"v1"`)
			w.WriteHeader(http.StatusNotModified)
		},
		func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) },
		serve([]byte(`{"keys":[{"kty":"nope"}]}`)),
	}
	srv := newServer(t, answers[0])
	s, err := NewRemote(srv.URL, &Options{Now: c.Now, Background: true, MinLifetime: time.Second,
		Cooldown: 2 * time.Second, NegativeCacheSize: 8, OnFetch: func(FetchEvent) {}})
	require.NoError(t, err)
	tok := sign(t, k, c.Now().Add(time.Hour))

	lookupErrs := []error{jwt.ErrKeyNotFound, jwt.ErrUnavailable, jwt.ErrAlgorithmMismatch}
	fetchErrs := []error{ErrFetch, ErrInvalidSet, ErrClosed, context.Canceled, context.DeadlineExceeded}
	isOneOf := func(err error, want []error) bool {
		return err == nil || slices.ContainsFunc(want, func(w error) bool { return errors.Is(err, w) })
	}
	var unexpected atomic.Pointer[error]
	check := func(err error, want []error) {
		if !isOneOf(err, want) {
			unexpected.Store(&err)
		}
	}
	ops := []func(ctx context.Context){
		func(ctx context.Context) {
			_, err := s.Lookup(ctx, jwt.Header{Algorithm: "EdDSA", KeyID: "k"})
			check(err, lookupErrs)
		},
		func(ctx context.Context) {
			_, err := s.Lookup(ctx, jwt.Header{Algorithm: "EdDSA", KeyID: randomKID()})
			check(err, lookupErrs)
		},
		func(ctx context.Context) {
			_, err := s.Lookup(ctx, jwt.Header{Algorithm: "EdDSA"})
			check(err, lookupErrs)
		},
		func(ctx context.Context) {
			_, err := s.Lookup(ctx, jwt.Header{Algorithm: "ES256", KeyID: "k"})
			check(err, lookupErrs)
		},
		func(ctx context.Context) { check(verify(s, c, tok), append(lookupErrs, jwt.ErrExpired)) },
		func(ctx context.Context) {
			st := s.Status()
			if st.Serving && st.Keys != 1 {
				err := fmt.Errorf("serving %d keys", st.Keys)
				unexpected.Store(&err)
			}
		},
		func(ctx context.Context) { check(s.Refresh(ctx), fetchErrs) },
		func(ctx context.Context) { check(s.Prefetch(ctx), fetchErrs) },
		func(ctx context.Context) { _ = s.Issuer() },
		func(ctx context.Context) { c.Add(300 * time.Millisecond) }, // time passes meanwhile
	}
	// Each step runs every operation, twice, at once, a few times over,
	// then moves the clock and changes the provider's answer; the last
	// step runs Close among them.
	round := func(extra ...func()) {
		var wg sync.WaitGroup
		for i := range 2 * len(ops) {
			wg.Go(func() {
				for n := range 3 {
					ctx, cancel := context.WithCancel(context.Background())
					if (i+n)%5 == 0 {
						cancel() // a caller that has given up
					}
					ops[i%len(ops)](ctx)
					cancel()
				}
			})
		}
		for _, f := range extra {
			wg.Go(f)
		}
		wg.Wait()
	}
	for step := range 100 {
		srv.set(answers[step%len(answers)])
		c.Add(time.Duration(step%5) * 700 * time.Millisecond)
		if step%40 == 39 {
			c.Add(DefaultMaxStaleness) // past staleness: fail closed, then recover
		}
		round()
	}
	round(s.Close)
	round() // and after it
	if err := unexpected.Load(); err != nil {
		t.Fatalf("an error the documentation does not promise: %v", *err)
	}
	assert.Positive(t, s.Status().Fetches)
	requireNoGoroutines(t)
}

// TestKeyRingConcurrentUse is the same for a KeyRing: signing, verifying,
// publishing, rotating and withdrawing at once, while the clock prunes
// retired keys. Every token the ring signs verifies unless its key has
// since been withdrawn or pruned (ErrKeyNotFound) or the clock has passed
// its expiry, and every set it
// publishes is a public JWK Set matching its ETag.
func TestKeyRingConcurrentUse(t *testing.T) {
	c := newClock()
	r := newTestRing(t, KeyRingOptions{Algorithm: jwt.EdDSA, MaxTokenLifetime: time.Minute, Now: c.Now})
	h := NewHandler(r)
	var unexpected atomic.Pointer[error]
	fail := func(err error) { unexpected.Store(&err) }
	ops := []func(){
		func() {
			tok, err := r.Sign(context.Background(), jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(c.Now().Add(time.Minute))}, nil)
			if err != nil {
				fail(err)
				return
			}
			// The clock may have moved past its expiry meanwhile.
			if err := verify(r, c, tok); err != nil && !errors.Is(err, jwt.ErrKeyNotFound) && !errors.Is(err, jwt.ErrExpired) {
				fail(err)
			}
		},
		func() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
			set, _, err := Parse(w.Body.Bytes(), nil)
			if err != nil || len(set.Keys) == 0 {
				fail(fmt.Errorf("published %q: %v", w.Body.Bytes(), err))
			}
		},
		func() { _ = r.PublicSet(); _ = r.KeyID(); _ = r.Signer() },
		func() {
			if err := r.Rotate(); err != nil {
				fail(err)
			}
		},
		func() {
			if err := r.Withdraw(r.KeyID()); err != nil && !errors.Is(err, jwt.ErrKeyNotFound) {
				fail(err)
			}
		},
		func() { c.Add(5 * time.Second) },
	}
	var wg sync.WaitGroup
	for i := range 2 * len(ops) {
		wg.Go(func() {
			for range 40 {
				ops[i%len(ops)]()
			}
		})
	}
	wg.Wait()
	r.Close()
	if err := unexpected.Load(); err != nil {
		t.Fatal(*err)
	}
	requireNoGoroutines(t)
}
