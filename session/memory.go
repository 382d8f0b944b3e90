package session

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
)

// sweepInterval is how often, at most, a MemoryStore walks all its records
// to drop the expired ones, unless it has grown since the last walk.
const sweepInterval = time.Minute

// MemoryStoreOptions configures a [MemoryStore]. A nil pointer means the
// defaults.
type MemoryStoreOptions struct {
	// Now returns the current time; nil means time.Now. It must agree with
	// the clock of the Manager using the store.
	Now func() time.Time
	// MaxReplayKeys bounds the unexpired keys that Remember holds; 0 means
	// dpop.DefaultReplayCacheSize. Anyone can make valid DPoP proofs with
	// keys of their own, so without a bound a flood of them would fill the
	// memory. The bound is the replay cache's alone: families and
	// revocations are kept apart from it and never refused because it is
	// full.
	MaxReplayKeys int
}

// MemoryStore is a [Store] and [ReplayCache] held in the process's memory,
// for a service that runs as one instance: its state is lost when the
// process ends (every session then ends too), and it is not shared with
// other processes. It is safe for concurrent use.
//
// Expired records are dropped lazily: a lookup ignores them, and the calls
// that add records now and then remove all expired ones, at a cost spread
// over the calls. No goroutine is started, so there is nothing to close.
type MemoryStore struct {
	now func() time.Time

	mu        sync.Mutex
	families  map[string]*memFamily
	tokens    map[string]time.Time // revoked jti → until
	subjects  map[string]memCutoff
	seen      map[string]time.Time // ReplayCache key → until
	maxSeen   int
	seenSweep time.Time // the last sweep of seen forced by a full cache
	nextSweep time.Time
	sweepSize int // sweep when the record count reaches this
}

var (
	_ Store            = (*MemoryStore)(nil)
	_ ReplayCache      = (*MemoryStore)(nil)
	_ dpop.ReplayCache = (*MemoryStore)(nil)
)

type memFamily struct {
	subject string
	created time.Time
	cur     string
	prev    string
	rotated time.Time
	revoked bool
	expires time.Time
	// reuse is the Redemption that revoked the family as reuse, so that
	// the same Redeem, retried, reports ErrReused again.
	reuse [2]string
}

type memCutoff struct {
	before, until time.Time
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore(opts *MemoryStoreOptions) *MemoryStore {
	s := &MemoryStore{
		now:       time.Now,
		families:  make(map[string]*memFamily),
		tokens:    make(map[string]time.Time),
		subjects:  make(map[string]memCutoff),
		seen:      make(map[string]time.Time),
		maxSeen:   dpop.DefaultReplayCacheSize,
		sweepSize: 1024,
	}
	if opts != nil && opts.Now != nil {
		s.now = opts.Now
	}
	if opts != nil && opts.MaxReplayKeys > 0 {
		s.maxSeen = opts.MaxReplayKeys
	}
	return s
}

// begin checks ctx, locks s and returns the current time. The caller
// unlocks s.mu.
func (s *MemoryStore) begin(ctx context.Context) (time.Time, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, fmt.Errorf("%w: %w", ErrStoreUnavailable, err)
	}
	s.mu.Lock()
	now := s.now()
	s.maybeSweep(now)
	return now, nil
}

// maybeSweep drops expired records if a sweep is due: once per
// sweepInterval, or sooner when the store has doubled since the last sweep,
// so that expired records never outnumber live ones by much for long.
func (s *MemoryStore) maybeSweep(now time.Time) {
	n := len(s.families) + len(s.tokens) + len(s.subjects) + len(s.seen)
	if now.Before(s.nextSweep) && n < s.sweepSize {
		return
	}
	for k, f := range s.families {
		if !now.Before(f.expires) {
			delete(s.families, k)
		}
	}
	for k, until := range s.tokens {
		if !now.Before(until) {
			delete(s.tokens, k)
		}
	}
	for k, c := range s.subjects {
		if !now.Before(c.until) {
			delete(s.subjects, k)
		}
	}
	for k, until := range s.seen {
		if !now.Before(until) {
			delete(s.seen, k)
		}
	}
	n = len(s.families) + len(s.tokens) + len(s.subjects) + len(s.seen)
	s.nextSweep = now.Add(sweepInterval)
	s.sweepSize = max(2*n, 1024)
}

// family returns the unexpired family id, or nil.
func (s *MemoryStore) family(id string, now time.Time) *memFamily {
	f := s.families[id]
	if f == nil {
		return nil
	}
	if !now.Before(f.expires) {
		delete(s.families, id)
		return nil
	}
	return f
}

// Create implements [Store.Create].
func (s *MemoryStore) Create(ctx context.Context, f Family) error {
	now, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if old := s.family(f.ID, now); old != nil {
		if old.subject == f.Subject && old.cur == f.Token && old.prev == "" && old.created.Equal(f.Created) {
			return nil
		}
		return fmt.Errorf("%w: family ID already in use", ErrStoreUnavailable)
	}
	if !now.Before(f.Expires) {
		return nil // expired at birth: nothing to keep
	}
	s.families[f.ID] = &memFamily{subject: f.Subject, created: f.Created, cur: f.Token, expires: f.Expires}
	return nil
}

// Redeem implements [Store.Redeem].
func (s *MemoryStore) Redeem(ctx context.Context, r Redemption) error {
	now, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	return s.redeem(r, now)
}

// redeem is Redeem, with s.mu held.
func (s *MemoryStore) redeem(r Redemption, now time.Time) error {
	f := s.family(r.Family, now)
	switch {
	case f == nil:
		return fmt.Errorf("%w: unknown or expired session", ErrRevoked)
	case f.revoked && f.reuse == [2]string{r.Presented, r.Next}:
		return ErrReused // the Redeem that found the reuse, repeated
	case f.revoked:
		return fmt.Errorf("%w: session revoked", ErrRevoked)
	case f.cur == r.Presented:
		f.prev, f.cur, f.rotated = r.Presented, r.Next, now
		if r.Expires.After(f.expires) {
			f.expires = r.Expires
		}
		return nil
	case f.cur == r.Next && f.prev == r.Presented:
		return nil // this rotation, repeated
	case f.prev == r.Presented && now.Sub(f.rotated) < r.Grace:
		return ErrRecentlyRotated
	default:
		f.revoked, f.reuse = true, [2]string{r.Presented, r.Next}
		return ErrReused
	}
}

// RevokeFamily implements [Store.RevokeFamily].
func (s *MemoryStore) RevokeFamily(ctx context.Context, id string) error {
	now, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if f := s.family(id, now); f != nil {
		f.revoked = true
	}
	return nil
}

// RevokeToken implements [Store.RevokeToken].
func (s *MemoryStore) RevokeToken(ctx context.Context, id string, until time.Time) error {
	now, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if until.After(now) && until.After(s.tokens[id]) {
		s.tokens[id] = until
	}
	return nil
}

// RevokeSubject implements [Store.RevokeSubject].
func (s *MemoryStore) RevokeSubject(ctx context.Context, subject string, before, until time.Time) error {
	now, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if !until.After(now) {
		return nil
	}
	c, ok := s.subjects[subject]
	if !ok || !now.Before(c.until) {
		c = memCutoff{}
	}
	if before.After(c.before) {
		c.before = before
	}
	if until.After(c.until) {
		c.until = until
	}
	s.subjects[subject] = c
	return nil
}

// Check implements [Store.Check].
func (s *MemoryStore) Check(ctx context.Context, t TokenRef) error {
	now, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	return s.check(t, now)
}

// check is Check, with s.mu held.
func (s *MemoryStore) check(t TokenRef, now time.Time) error {
	if t.ID != "" {
		if until, ok := s.tokens[t.ID]; ok && now.Before(until) {
			return fmt.Errorf("%w: token ID revoked", ErrRevoked)
		}
	}
	began := t.IssuedAt
	if t.Family != "" {
		f := s.family(t.Family, now)
		switch {
		case f == nil:
			return fmt.Errorf("%w: unknown or expired session", ErrRevoked)
		case f.revoked:
			return fmt.Errorf("%w: session revoked", ErrRevoked)
		case f.subject != t.Subject:
			return fmt.Errorf("%w: session of another subject", ErrRevoked)
		}
		began = f.created
	}
	if c, ok := s.subjects[t.Subject]; ok && now.Before(c.until) {
		if began.IsZero() || began.Before(c.before) {
			return fmt.Errorf("%w: all tokens of the subject revoked", ErrRevoked)
		}
	}
	return nil
}

// Remember implements [ReplayCache.Remember]. When the store holds
// MaxReplayKeys unexpired keys, it fails with an error wrapping
// ErrStoreUnavailable rather than forget a key early, which would let its
// proof be replayed.
func (s *MemoryStore) Remember(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if ttl < time.Millisecond {
		return false, wrap(jwt.ErrInvalidOption, nil, "replay cache TTL %v below 1ms", ttl)
	}
	now, err := s.begin(ctx)
	if err != nil {
		return false, err
	}
	defer s.mu.Unlock()
	if until, ok := s.seen[key]; ok && now.Before(until) {
		return false, nil
	}
	if len(s.seen) >= s.maxSeen && !now.Before(s.seenSweep.Add(time.Second)) {
		// Full: drop the expired keys, at most once a second, so that a
		// flood costs one walk a second rather than one per call.
		s.seenSweep = now
		for k, until := range s.seen {
			if !now.Before(until) {
				delete(s.seen, k)
			}
		}
	}
	if len(s.seen) >= s.maxSeen {
		return false, fmt.Errorf("%w: replay cache full (%d keys)", ErrStoreUnavailable, len(s.seen))
	}
	s.seen[key] = now.Add(ttl)
	return true, nil
}
