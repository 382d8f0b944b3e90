package jwks

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jwtkit/jwt"
)

// A Registry is where the instances of a service publish the public keys
// they sign with, so that every instance, and every verifier of the
// service's JWK Set, knows all of them (see [SharedRing]). It holds public
// keys only: each instance keeps its private keys in its own memory.
//
// # Contract
//
// Every method is safe for concurrent use, by many goroutines and, for a
// registry shared by several processes, by many instances at once. Every
// method is atomic, and once it has returned, every later call on any
// instance sees its effect. Every entry carries an expiry, after which the
// registry forgets it; nothing grows without bound. Times are compared with
// the registry's own clock, which must agree with the clocks of the rings
// that use it.
//
// A registry that cannot answer (unreachable, timed out, ctx done) returns
// an error wrapping [ErrRegistryUnavailable]. Package registrytest holds the
// behavioural tests every Registry must pass; [MemoryRegistry] is the
// in-process one, and package github.com/jwtkit/jwt/redisstore has one in
// Redis.
type Registry interface {
	// Publish publishes key, a public key with a kid, until the time until,
	// or until a later time if it is published until then already: a
	// Publish never shortens a key's life. A key holding private or secret
	// material is an error wrapping ErrPrivateKey, and one without a kid an
	// error wrapping jwt.ErrInvalidKey. A kid withdrawn by Withdraw, until
	// the withdrawal expires, is an error wrapping ErrWithdrawn, and nothing
	// changes. Publishing a kid again with another key replaces it.
	Publish(ctx context.Context, key *jwt.JWK, until time.Time) error

	// Withdraw stops publishing the key kid at once, and refuses to publish
	// it again until the time until: for a key that leaked. A kid that is
	// not published is recorded all the same, so that an instance that has
	// not published its key yet cannot publish it afterwards. A later
	// Withdraw never shortens a withdrawal.
	Withdraw(ctx context.Context, kid string, until time.Time) error

	// Keys returns the keys published and neither expired nor withdrawn,
	// public parts only, ordered by kid, in new values.
	Keys(ctx context.Context) ([]*jwt.JWK, error)
}

// MemoryRegistryOptions configure a [MemoryRegistry].
type MemoryRegistryOptions struct {
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// MemoryRegistry is a [Registry] in the memory of one process: for the
// rings of one process (tests, or one service with several rings), as
// session.MemoryStore is for session stores. The instances of a service
// share a Registry of another kind, such as redisstore's. It is safe for
// concurrent use.
type MemoryRegistry struct {
	now       func() time.Time
	mu        sync.Mutex
	keys      map[string]publishedKey
	withdrawn map[string]time.Time
}

type publishedKey struct {
	key   *jwt.JWK
	until time.Time
}

var _ Registry = (*MemoryRegistry)(nil)

// NewMemoryRegistry returns an empty MemoryRegistry; opts may be nil.
func NewMemoryRegistry(opts *MemoryRegistryOptions) *MemoryRegistry {
	r := &MemoryRegistry{now: time.Now, keys: map[string]publishedKey{}, withdrawn: map[string]time.Time{}}
	if opts != nil && opts.Now != nil {
		r.now = opts.Now
	}
	return r
}

// CheckPublishable returns an error if key may not be published in a
// Registry: a nil key, one holding private or secret material (wrapping
// ErrPrivateKey) or one without a kid (wrapping jwt.ErrInvalidKey). Registry
// implementations call it first in Publish.
func CheckPublishable(key *jwt.JWK) error {
	switch {
	case key == nil:
		return wrap(jwt.ErrInvalidKey, nil, "nil key")
	case key.IsPrivate():
		return ErrPrivateKey
	case key.KeyID == "" || strings.TrimSpace(key.KeyID) != key.KeyID:
		return wrap(jwt.ErrInvalidKey, nil, "a published key needs a kid without surrounding spaces")
	}
	return nil
}

// Publish implements [Registry].
func (r *MemoryRegistry) Publish(ctx context.Context, key *jwt.JWK, until time.Time) error {
	if err := CheckPublishable(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return wrap(ErrRegistryUnavailable, err, "")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	r.prune(now)
	if w, ok := r.withdrawn[key.KeyID]; ok && now.Before(w) {
		return wrap(ErrWithdrawn, nil, "kid %s", quote(key.KeyID))
	}
	if !now.Before(until) {
		return nil
	}
	if old, ok := r.keys[key.KeyID]; ok && old.until.After(until) {
		until = old.until
	}
	r.keys[key.KeyID] = publishedKey{key: key.Public(), until: until}
	return nil
}

// Withdraw implements [Registry].
func (r *MemoryRegistry) Withdraw(ctx context.Context, kid string, until time.Time) error {
	if err := ctx.Err(); err != nil {
		return wrap(ErrRegistryUnavailable, err, "")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	r.prune(now)
	delete(r.keys, kid)
	if now.Before(until) && until.After(r.withdrawn[kid]) {
		r.withdrawn[kid] = until
	}
	return nil
}

// Keys implements [Registry].
func (r *MemoryRegistry) Keys(ctx context.Context) ([]*jwt.JWK, error) {
	if err := ctx.Err(); err != nil {
		return nil, wrap(ErrRegistryUnavailable, err, "")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.prune(r.now())
	out := make([]*jwt.JWK, 0, len(r.keys))
	for _, k := range r.keys {
		out = append(out, k.key.Public())
	}
	slices.SortFunc(out, func(a, b *jwt.JWK) int { return strings.Compare(a.KeyID, b.KeyID) })
	return out, nil
}

// prune forgets the keys and withdrawals whose time has passed.
func (r *MemoryRegistry) prune(now time.Time) {
	for kid, k := range r.keys {
		if !now.Before(k.until) {
			delete(r.keys, kid)
		}
	}
	for kid, w := range r.withdrawn {
		if !now.Before(w) {
			delete(r.withdrawn, kid)
		}
	}
}
