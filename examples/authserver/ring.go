package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwks"
	"github.com/jwtkit/jwt/redisstore"
	"github.com/redis/go-redis/v9"
)

// The schedule of a SharedRing: how often an instance publishes its keys
// and reads everyone's, and how long it goes on without doing so before it
// stops signing and verifying.
const (
	syncEvery = 500 * time.Millisecond
	maxStale  = 5 * time.Second
)

// signingRing is what the service signs and verifies with: a jwks.KeyRing
// of one process (--key, or the memory store), or a jwks.SharedRing whose
// keys every instance on the same Redis publishes and verifies.
type signingRing interface {
	Signer() jwt.Signer
	Lookup(ctx context.Context, h jwt.Header) ([]jwt.Verifier, error)
	MaxTokenLifetime() time.Duration
	KeyID() string
	Close()
}

var (
	_ signingRing = (*jwks.KeyRing)(nil)
	_ signingRing = (*jwks.SharedRing)(nil)
)

// newRing returns the service's ring and the handler of its JWK Set. With
// --key, a KeyRing holding that key, as every instance given the file
// holds it. Without --key, on Redis (client not nil), a SharedRing
// publishing this instance's keys in the store's Redis, rotating every
// --rotate-every, and ready, the health check says, once its first sync
// has succeeded; on the memory store, a KeyRing of keys of its own,
// rotating every --rotate-every. client is a *redis.Client or a
// *redis.ClusterClient (the registry's keys share one hash tag).
func newRing(cfg *config, key *jwt.JWK, alg jwt.Algorithm, client redis.UniversalClient) (signingRing, http.Handler, func() error, error) {
	lifetime := max(cfg.accessTTL, cfg.refreshTTL)
	ready := func() error { return nil }
	switch {
	case cfg.keyFile == "" && client != nil:
		reg, err := redisstore.NewRegistry(client, nil)
		if err != nil {
			return nil, nil, nil, err
		}
		ring, err := jwks.NewSharedRing(&jwks.SharedRingOptions{
			Algorithm:        alg,
			MaxTokenLifetime: lifetime,
			Registry:         reg,
			RotateEvery:      cfg.rotateEvery,
			// Twice a second, so that every instance serves a change
			// within 2 s with a margin for a loaded machine.
			SyncEvery: syncEvery,
			MaxStale:  maxStale,
		})
		if err != nil {
			return nil, nil, nil, fmt.Errorf("--rotate-every: %w", err)
		}
		return ring, jwks.NewSharedHandler(ring), ring.Ready, nil
	case cfg.keyFile == "":
		ring, err := jwks.NewKeyRing(&jwks.KeyRingOptions{
			Algorithm:        alg,
			MaxTokenLifetime: lifetime,
			RotateEvery:      cfg.rotateEvery,
		})
		if err != nil {
			return nil, nil, nil, fmt.Errorf("--rotate-every: %w", err)
		}
		return ring, jwks.NewHandler(ring), ready, nil
	}
	ring, err := jwks.NewKeyRing(&jwks.KeyRingOptions{
		Algorithm:        alg,
		MaxTokenLifetime: lifetime,
		Current:          key,
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("--key: %w", err)
	}
	return ring, jwks.NewHandler(ring), ready, nil
}
