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
	reg := jwks.NewMemoryRegistry(&jwks.MemoryRegistryOptions{Now: c.Now})
	ring, err := jwks.NewSharedRing(&jwks.SharedRingOptions{
		Algorithm: jwt.ES256, MaxTokenLifetime: time.Minute, Registry: reg,
		SyncEvery: time.Hour, MaxStale: 2 * time.Hour, Now: c.Now,
	})
	require.NoError(t, err)
	defer ring.Close()
	claims := jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(c.Now().Add(time.Minute))}
	// Before the first sync, it neither signs nor verifies.
	_, err = jwt.Sign(context.Background(), ring.Signer(), claims, nil)
	require.ErrorIs(t, err, jwks.ErrRegistryUnavailable)
	require.NoError(t, ring.Sync(context.Background()))
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
