package dpop_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwt "github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
)

func TestMemoryReplayCache(t *testing.T) {
	ctx := context.Background()
	t.Run("set if absent, until the ttl", func(t *testing.T) {
		c := newClock()
		cache := dpop.NewMemoryReplayCache(&dpop.MemoryReplayCacheOptions{Now: c.Now})
		fresh, err := cache.Remember(ctx, "k", 10*time.Second)
		require.NoError(t, err)
		assert.True(t, fresh)
		fresh, err = cache.Remember(ctx, "k", 10*time.Second)
		require.NoError(t, err)
		assert.False(t, fresh, "seen")
		fresh, err = cache.Remember(ctx, "other", 10*time.Second)
		require.NoError(t, err)
		assert.True(t, fresh)
		c.Add(10*time.Second - time.Nanosecond)
		fresh, _ = cache.Remember(ctx, "k", 10*time.Second)
		assert.False(t, fresh, "just before the ttl")
		c.Add(time.Nanosecond)
		fresh, _ = cache.Remember(ctx, "k", 10*time.Second)
		assert.True(t, fresh, "at the ttl")
	})
	t.Run("expired keys are dropped lazily", func(t *testing.T) {
		c := newClock()
		cache := dpop.NewMemoryReplayCache(&dpop.MemoryReplayCacheOptions{Now: c.Now})
		for i := range 100 {
			_, err := cache.Remember(ctx, fmt.Sprint(i), time.Duration(i+1)*time.Second)
			require.NoError(t, err)
		}
		assert.Equal(t, 100, dpop.CacheLen(cache))
		c.Add(50 * time.Second)
		_, err := cache.Remember(ctx, "new", time.Minute)
		require.NoError(t, err)
		assert.Equal(t, 51, dpop.CacheLen(cache), "keys 0..49 expired, 50..99 and new kept")
		c.Add(time.Hour)
		_, err = cache.Remember(ctx, "last", time.Minute)
		require.NoError(t, err)
		assert.Equal(t, 1, dpop.CacheLen(cache))
	})
	t.Run("bounded: full of live keys, it refuses", func(t *testing.T) {
		c := newClock()
		cache := dpop.NewMemoryReplayCache(&dpop.MemoryReplayCacheOptions{MaxEntries: 3, Now: c.Now})
		for _, k := range []string{"a", "b", "c"} {
			fresh, err := cache.Remember(ctx, k, time.Minute)
			require.NoError(t, err)
			require.True(t, fresh)
		}
		_, err := cache.Remember(ctx, "d", time.Minute)
		assert.ErrorIs(t, err, dpop.ErrReplayCache)
		fresh, err := cache.Remember(ctx, "a", time.Minute)
		require.NoError(t, err, "a key already held is still answered")
		assert.False(t, fresh)
		c.Add(time.Minute)
		fresh, err = cache.Remember(ctx, "d", time.Minute)
		require.NoError(t, err, "room again once keys expire")
		assert.True(t, fresh)
		assert.Equal(t, 1, dpop.CacheLen(cache))
	})
	t.Run("a full cache makes Verify refuse", func(t *testing.T) {
		c := newClock()
		cache := dpop.NewMemoryReplayCache(&dpop.MemoryReplayCacheOptions{MaxEntries: 1, Now: c.Now})
		v := newVerifier(t, c, &dpop.Options{ReplayCache: cache})
		hdr := es256Header(t)
		_, err := v.Verify(ctx, forge(t, jwt.ES256, key("P-256"), hdr, proofClaims(nil)), request())
		require.NoError(t, err)
		_, err = v.Verify(ctx, forge(t, jwt.ES256, key("P-256"), hdr, proofClaims(map[string]any{"jti": "2"})), request())
		assert.ErrorIs(t, err, dpop.ErrReplayCache)
	})
	t.Run("ttl must be positive", func(t *testing.T) {
		cache := dpop.NewMemoryReplayCache(nil)
		_, err := cache.Remember(ctx, "k", 0)
		assert.ErrorIs(t, err, dpop.ErrReplayCache)
	})
	t.Run("concurrent: one winner per key", func(t *testing.T) {
		cache := dpop.NewMemoryReplayCache(nil)
		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 100 {
					if fresh, err := cache.Remember(ctx, fmt.Sprint(i), time.Minute); err == nil && fresh {
						wins.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		assert.Equal(t, int32(100), wins.Load())
	})
}

// countingCache is a MemoryReplayCache that counts the calls to Remember.
type countingCache struct {
	*dpop.MemoryReplayCache
	calls atomic.Int32
}

func (c *countingCache) Remember(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	c.calls.Add(1)
	return c.MemoryReplayCache.Remember(ctx, key, ttl)
}

// tokenEndpointRequest is a request to testURI carrying proof in its DPoP
// header, as a server receives it.
func tokenEndpointRequest(method, proof string) *http.Request {
	r := httptest.NewRequest(method, testURI, nil)
	r.Header.Set("DPoP", proof)
	return r
}

// TestVerifyRequestPending shows the two steps of VerifyRequestPending:
// every check but the replay check, with the cache untouched; then
// Remember, once.
func TestVerifyRequestPending(t *testing.T) {
	ctx := context.Background()
	hdr := es256Header(t)
	c := newClock()
	cache := &countingCache{MemoryReplayCache: dpop.NewMemoryReplayCache(&dpop.MemoryReplayCacheOptions{Now: c.Now})}
	v := newVerifier(t, c, &dpop.Options{ReplayCache: cache})
	proof := forge(t, jwt.ES256, key("P-256"), hdr, proofClaims(nil))

	_, err := v.VerifyRequestPending(ctx, tokenEndpointRequest("POST", proof), "", "")
	require.ErrorIs(t, err, dpop.ErrMethodMismatch, "a pending proof passes every other check")
	_, err = v.VerifyRequestPending(ctx, httptest.NewRequest("GET", testURI, nil), "", "")
	require.ErrorIs(t, err, dpop.ErrMissingProof)
	for range 3 {
		p, err := v.VerifyRequestPending(ctx, tokenEndpointRequest("GET", proof), "", "")
		require.NoError(t, err)
		require.Equal(t, mustThumbprint(t, key("P-256")), p.JKT)
	}
	require.Zero(t, cache.calls.Load(), "VerifyRequestPending asked the replay cache")

	p, err := v.VerifyRequestPending(ctx, tokenEndpointRequest("GET", proof), "", "")
	require.NoError(t, err)
	got, err := p.Remember(ctx)
	require.NoError(t, err)
	require.Equal(t, p.JKT, got.JKT)
	_, err = p.Remember(ctx)
	require.ErrorIs(t, err, dpop.ErrReplay, "a second Remember")
	_, err = v.Verify(ctx, proof, request())
	require.ErrorIs(t, err, dpop.ErrReplay, "Verify of a proof remembered by a PendingProof")
	later, err := v.VerifyRequestPending(ctx, tokenEndpointRequest("GET", proof), "", "")
	require.NoError(t, err, "VerifyRequestPending does not check the cache")
	_, err = later.Remember(ctx)
	require.ErrorIs(t, err, dpop.ErrReplay)

	// The same proof after normalization of its htu is the same key.
	q := forge(t, jwt.ES256, key("P-256"), hdr, proofClaims(map[string]any{"htu": "https://API.example.com:443/resource"}))
	pq, err := v.VerifyRequestPending(ctx, tokenEndpointRequest("GET", q), "", "")
	require.NoError(t, err)
	_, err = pq.Remember(ctx)
	require.ErrorIs(t, err, dpop.ErrReplay)
}
