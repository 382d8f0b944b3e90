package jwks_test

import (
	"context"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwks"
	"github.com/jwtkit/jwt/jwks/registrytest"
	"github.com/stretchr/testify/require"
)

func TestMemoryRegistry(t *testing.T) {
	registrytest.Run(t, func(t *testing.T, now func() time.Time) jwks.Registry {
		return jwks.NewMemoryRegistry(&jwks.MemoryRegistryOptions{Now: now})
	})
}

func TestSharedRingStale(t *testing.T) {
	c := registrytest.NewClock(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	reg := &gatedRegistry{Registry: jwks.NewMemoryRegistry(&jwks.MemoryRegistryOptions{Now: c.Now}), gate: make(chan struct{})}
	ring, err := jwks.NewSharedRing(&jwks.SharedRingOptions{
		Algorithm: jwt.ES256, MaxTokenLifetime: time.Minute, Registry: reg,
		SyncEvery: time.Hour, MaxStale: 2 * time.Hour, Now: c.Now,
	})
	require.NoError(t, err)
	defer ring.Close()
	claims := jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(c.Now().Add(time.Minute))}
	// Before the first sync (held at the gate), it neither signs nor verifies.
	_, err = jwt.Sign(context.Background(), ring.Signer(), claims, nil)
	require.ErrorIs(t, err, jwks.ErrRegistryUnavailable)
	require.ErrorIs(t, ring.Ready(), jwks.ErrRegistryUnavailable)
	close(reg.gate)
	require.NoError(t, ring.Sync(context.Background()))
	require.NoError(t, ring.Ready())
	tok, err := jwt.Sign(context.Background(), ring.Signer(), claims, nil)
	require.NoError(t, err)
	_, err = jwt.Verify[jwt.RegisteredClaims](context.Background(), tok, ring, &jwt.VerifyOptions{Now: c.Now})
	require.NoError(t, err)
	// Past MaxStale without a sync, it fails closed both ways.
	c.Advance(2*time.Hour + time.Second)
	_, err = jwt.Sign(context.Background(), ring.Signer(), claims, nil)
	require.ErrorIs(t, err, jwks.ErrRegistryUnavailable)
	_, err = ring.Lookup(context.Background(), jwt.Header{KeyID: ring.KeyID()})
	require.ErrorIs(t, err, jwks.ErrRegistryUnavailable)
	require.ErrorIs(t, err, jwt.ErrUnavailable)
}

func TestSharedRingOptions(t *testing.T) {
	reg := jwks.NewMemoryRegistry(nil)
	for name, opts := range map[string]*jwks.SharedRingOptions{
		"nil":             nil,
		"no registry":     {Algorithm: jwt.ES256, MaxTokenLifetime: time.Minute},
		"no lifetime":     {Algorithm: jwt.ES256, Registry: reg},
		"stale < sync":    {Algorithm: jwt.ES256, MaxTokenLifetime: time.Minute, Registry: reg, SyncEvery: time.Minute, MaxStale: time.Second},
		"maxage > rotate": {Algorithm: jwt.ES256, MaxTokenLifetime: time.Minute, Registry: reg, RotateEvery: time.Second, MaxAge: time.Minute},
		"HS256":           {Algorithm: jwt.HS256, MaxTokenLifetime: time.Minute, Registry: reg},
	} {
		_, err := jwks.NewSharedRing(opts)
		require.ErrorIs(t, err, jwt.ErrInvalidOption, name)
	}
}

// TestSharedRingOutOfTouch shows that a ring that could not sync for longer
// than MaxStale comes back with new keys, so that it cannot publish again a
// key withdrawn meanwhile whose withdrawal has expired.
func TestSharedRingOutOfTouch(t *testing.T) {
	c := registrytest.NewClock(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	reg := jwks.NewMemoryRegistry(&jwks.MemoryRegistryOptions{Now: c.Now})
	ring, err := jwks.NewSharedRing(&jwks.SharedRingOptions{
		Algorithm: jwt.ES256, MaxTokenLifetime: time.Minute, Registry: reg,
		SyncEvery: time.Hour, MaxStale: 2 * time.Hour, Now: c.Now,
	})
	require.NoError(t, err)
	defer ring.Close()
	ctx := context.Background()
	require.NoError(t, ring.Sync(ctx))
	old := ring.KeyID()
	require.NoError(t, reg.Withdraw(ctx, old, c.Now().Add(time.Hour))) // a short withdrawal
	c.Advance(3 * time.Hour)                                           // the ring missed it, and it expired
	require.NoError(t, ring.Sync(ctx))
	require.NotEqual(t, old, ring.KeyID())
	for _, k := range ring.PublicSet().Keys {
		require.NotEqual(t, old, k.KeyID, "the withdrawn key is published again")
	}
}

// gatedRegistry is a Registry whose Publish waits for gate to close.
type gatedRegistry struct {
	jwks.Registry
	gate chan struct{}
}

func (g *gatedRegistry) Publish(ctx context.Context, key *jwt.JWK, until time.Time) error {
	select {
	case <-g.gate:
	case <-ctx.Done():
		return ctx.Err()
	}
	return g.Registry.Publish(ctx, key, until)
}
