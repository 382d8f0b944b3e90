package session

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Unix(1_800_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func (s *MemoryStore) records() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.families) + len(s.tokens) + len(s.subjects) + len(s.seen)
}

// TestMemoryStoreDropsExpired shows that expired records are removed, by the
// calls themselves, with no goroutine.
func TestMemoryStoreDropsExpired(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	goroutines := runtime.NumGoroutine()
	s := NewMemoryStore(&MemoryStoreOptions{Now: clock.Now})
	require.Equal(t, goroutines, runtime.NumGoroutine(), "NewMemoryStore started a goroutine")

	const n = 3000 // above the first size-triggered sweep
	for i := range n {
		id := newID()
		require.NoError(t, s.Create(ctx, Family{ID: id, Subject: "alice", Created: clock.Now(), Token: id + ".1", Expires: clock.Now().Add(time.Minute)}))
		require.NoError(t, s.RevokeToken(ctx, newID(), clock.Now().Add(time.Minute)))
		require.NoError(t, s.RevokeSubject(ctx, newID(), clock.Now(), clock.Now().Add(time.Minute)))
		_, err := s.Remember(ctx, newID(), time.Minute)
		require.NoError(t, err)
		if i == 0 {
			require.Equal(t, 4, s.records())
		}
	}
	require.Greater(t, s.records(), n, "records dropped before they expired")

	clock.Advance(2 * time.Minute)
	require.NoError(t, s.Check(ctx, TokenRef{ID: newID(), Subject: "alice"}))
	require.Zero(t, s.records(), "expired records kept after a sweep was due")

	// Between time-triggered sweeps, growth triggers them: the store never
	// holds much more than twice its live records.
	for range 5 * n {
		_, err := s.Remember(ctx, newID(), time.Second)
		require.NoError(t, err)
		clock.Advance(10 * time.Millisecond)
	}
	require.Less(t, s.records(), 2*1024+200, "expired records accumulated")
}

// TestMemoryStoreLazyExpiry shows that a lookup ignores an expired record
// before any sweep.
func TestMemoryStoreLazyExpiry(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	s := NewMemoryStore(&MemoryStoreOptions{Now: clock.Now})
	f := Family{ID: newID(), Subject: "alice", Created: clock.Now(), Token: "a", Expires: clock.Now().Add(time.Second)}
	require.NoError(t, s.Create(ctx, f))
	require.NoError(t, s.Check(ctx, TokenRef{Family: f.ID, Subject: "alice"}))
	clock.Advance(time.Second)
	require.ErrorIs(t, s.Check(ctx, TokenRef{Family: f.ID, Subject: "alice"}), ErrRevoked)
	require.ErrorIs(t, s.Redeem(ctx, Redemption{Family: f.ID, Presented: "a", Next: "b", Expires: clock.Now().Add(time.Hour)}), ErrRevoked)
}

// TestMemoryStoreReplayBound shows that Remember holds at most
// MaxReplayKeys unexpired keys, refusing more (fail closed) rather than
// forgetting one early, and takes new keys again once old ones expire.
func TestMemoryStoreReplayBound(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	s := NewMemoryStore(&MemoryStoreOptions{Now: clock.Now, MaxReplayKeys: 100})
	var keys []string
	for range 100 {
		k := newID()
		keys = append(keys, k)
		fresh, err := s.Remember(ctx, k, time.Minute)
		require.NoError(t, err)
		require.True(t, fresh)
	}
	_, err := s.Remember(ctx, newID(), time.Minute)
	require.ErrorIs(t, err, ErrStoreUnavailable, "a full replay cache")
	for _, k := range keys {
		fresh, err := s.Remember(ctx, k, time.Minute)
		require.NoError(t, err, "a seen key is still told apart when the cache is full")
		require.False(t, fresh)
	}
	clock.Advance(time.Minute)
	fresh, err := s.Remember(ctx, newID(), time.Minute)
	require.NoError(t, err, "room again once the keys expire")
	require.True(t, fresh)
	require.Equal(t, 1, len(s.seen))
}
