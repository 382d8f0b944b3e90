package dpop

import (
	"container/heap"
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// ReplayCache remembers the proofs a server has seen (RFC 9449 §11.1).
//
// Remember records key for ttl unless key is already recorded and has
// not expired: it is a set-if-absent, atomic across every server instance
// that shares the cache. It reports whether key was new (fresh is true),
// or an error if it cannot tell, in which case the proof is refused. It
// must be safe for concurrent use. A shared store implements it with, for
// example, a SET with NX and an expiry.
type ReplayCache interface {
	Remember(ctx context.Context, key string, ttl time.Duration) (fresh bool, err error)
}

// DefaultReplayCacheSize is the number of entries a MemoryReplayCache
// holds unless told otherwise: at a few hundred bytes each, tens of
// megabytes at most.
const DefaultReplayCacheSize = 100_000

// MemoryReplayCacheOptions configures a MemoryReplayCache. The zero value
// means the defaults.
type MemoryReplayCacheOptions struct {
	// MaxEntries bounds the number of unexpired keys held; 0 means
	// DefaultReplayCacheSize.
	MaxEntries int
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// MemoryReplayCache is a ReplayCache in memory, for a single server
// instance. Its memory is bounded: it holds at most MaxEntries keys, drops
// expired keys as it goes (lazily, on each call, without a goroutine), and,
// when full of unexpired keys, refuses to remember more with an error
// rather than forget a key early, which would let its proof be replayed.
// It is safe for concurrent use.
type MemoryReplayCache struct {
	mu      sync.Mutex
	max     int
	now     func() time.Time
	expires map[string]time.Time
	queue   expiryQueue
	peak    int // the most keys held since the map was made
}

// NewMemoryReplayCache returns an empty MemoryReplayCache with opts (nil
// means the defaults).
func NewMemoryReplayCache(opts *MemoryReplayCacheOptions) *MemoryReplayCache {
	if opts == nil {
		opts = &MemoryReplayCacheOptions{}
	}
	c := &MemoryReplayCache{max: opts.MaxEntries, now: opts.Now, expires: make(map[string]time.Time)}
	if c.max <= 0 {
		c.max = DefaultReplayCacheSize
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

var _ ReplayCache = (*MemoryReplayCache)(nil)

// Remember implements ReplayCache. A ttl that is not positive is an error
// wrapping ErrReplayCache, and so is a full cache.
func (c *MemoryReplayCache) Remember(_ context.Context, key string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		return false, fmt.Errorf("%w: ttl %v is not positive", ErrReplayCache, ttl)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	c.expire(now)
	if exp, ok := c.expires[key]; ok && now.Before(exp) {
		return false, nil
	}
	if len(c.expires) >= c.max {
		return false, fmt.Errorf("%w: %d unexpired entries, the limit", ErrReplayCache, len(c.expires))
	}
	exp := now.Add(ttl)
	c.expires[key] = exp
	c.peak = max(c.peak, len(c.expires))
	heap.Push(&c.queue, expiryEntry{key: key, exp: exp})
	return true, nil
}

// len returns the number of keys held, expired or not.
func (c *MemoryReplayCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.expires)
}

// expire drops the keys that have expired at now.
func (c *MemoryReplayCache) expire(now time.Time) {
	for len(c.queue) > 0 && !now.Before(c.queue[0].exp) {
		e := heap.Pop(&c.queue).(expiryEntry)
		// A key remembered again after it expired has a later expiry
		// and a second queue entry: keep it.
		if exp, ok := c.expires[e.key]; ok && exp.Equal(e.exp) {
			delete(c.expires, e.key)
		}
	}
	if len(c.expires) == 0 && c.peak > 1024 {
		// Give back the memory of a burst: maps do not shrink.
		c.expires, c.queue, c.peak = make(map[string]time.Time), nil, 0
	}
}

type expiryEntry struct {
	key string
	exp time.Time
}

// expiryQueue is a min-heap of entries by expiry.
type expiryQueue []expiryEntry

func (q expiryQueue) Len() int           { return len(q) }
func (q expiryQueue) Less(i, j int) bool { return q[i].exp.Before(q[j].exp) }
func (q expiryQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *expiryQueue) Push(x any)        { *q = append(*q, x.(expiryEntry)) }
func (q *expiryQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	old[len(old)-1] = expiryEntry{}
	*q = old[:len(old)-1]
	return e
}

// remember records the replay-cache key of a proof that passed every other
// check, and fails if the key was seen. A proof is accepted while now is
// within the window of its iat, so for at most twice the window after its
// first use, both ends included: a second more covers the last instant.
func (v *Verifier) remember(ctx context.Context, key string) error {
	fresh, err := v.replay.Remember(ctx, key, 2*v.window+time.Second)
	if err != nil {
		return wrap(ErrReplayCache, "", err)
	}
	if !fresh {
		return ErrReplay
	}
	return nil
}

// PendingProof is a DPoP proof that has passed every check of
// [Verifier.Verify] but the last, the replay check: it is not yet
// remembered, so it must not be acted on until [PendingProof.Remember] has
// succeeded.
//
// It lets a server remember only the proofs of requests that are otherwise
// authenticated. Anyone can make valid proofs with a key of their own, and
// the replay cache is bounded (or, shared, fills a store that revocations
// need), so a server that remembered every valid proof would let a flood
// of anonymous requests, such as logins with wrong passwords, fill it and
// refuse every client. Check the credentials, or the token, first; then
// call Remember.
type PendingProof struct {
	// JKT is the JWK SHA-256 thumbprint of the proof's key, for checking a
	// token's binding before the proof is remembered: a mismatch is a
	// reason to refuse, a match no reason yet to accept.
	JKT string

	v     *Verifier
	proof *Proof
	key   string // in the replay cache
}

// VerifyRequestPending checks the proof of r as [Verifier.VerifyRequest]
// does, except that it neither asks nor changes the replay cache: the proof
// it returns must be remembered with [PendingProof.Remember] before it is
// acted on. A token endpoint calls it, checks the credentials or the token,
// and only then calls Remember.
func (v *Verifier) VerifyRequestPending(ctx context.Context, r *http.Request, accessToken, jkt string) (*PendingProof, error) {
	proof, err := headerProof(r.Header)
	if err != nil {
		return nil, err
	}
	p, err := v.verify(ctx, proof, &Request{
		Method:      r.Method,
		URI:         requestURI(r, v.base),
		AccessToken: accessToken,
		JKT:         jkt,
	}, false)
	if err != nil {
		return nil, err
	}
	htu, err := NormalizeURI(p.Claims.URI) // as verify did, without error
	if err != nil {
		return nil, wrap(ErrURIMismatch, "htu", err)
	}
	return &PendingProof{JKT: p.JKT, v: v, proof: p, key: replayKey(htu, p.Claims.ID)}, nil
}

// Remember records the proof in the replay cache and returns it. It fails
// with ErrReplay if the proof was seen, and with an error wrapping
// ErrReplayCache if the cache could not tell, as Verify does. It is the
// check that makes the proof usable: act on the proof only if Remember
// returns it; a second call finds it seen.
func (p *PendingProof) Remember(ctx context.Context) (*Proof, error) {
	if err := p.v.remember(ctx, p.key); err != nil {
		return nil, err
	}
	return p.proof, nil
}
