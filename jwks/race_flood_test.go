package jwks

import (
	"errors"
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
	// Each round moves past the cooldown, and waits for the refresh that
	// the flood forces: the goroutines meanwhile keep hitting the cooldown.
	for range rounds {
		c.Add(DefaultCooldown)
		awaitFetch(t, fetched)
	}
	close(stop)
	wg.Wait()
	assert.Equal(t, lookups.Load(), notFound.Load(), "every unknown kid is ErrKeyNotFound")
	assert.EqualValues(t, 1+rounds, srv.hits.Load(), "one forced refresh per cooldown")
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
