package main

import (
	"io"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwks"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRotateEveryFlag(t *testing.T) {
	base := []string{"--addr", "127.0.0.1:0", "--users", "u"}
	cfg, err := parseFlags(base, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 24*time.Hour, cfg.rotateEvery, "the default")
	cfg, err = parseFlags(append(base, "--rotate-every", "3s", "--access-ttl", "1m"), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 3*time.Second, cfg.rotateEvery, "shorter than the token lifetimes")
	for _, bad := range []string{"0s", "-1s", "soon"} {
		_, err := parseFlags(append(base, "--rotate-every", bad), io.Discard)
		assert.Error(t, err, bad)
	}
}

// TestNewRing checks which ring each configuration gets: a KeyRing of the
// --key file, a KeyRing of its own on the memory store, a SharedRing on
// Redis without --key, not ready before it has published its keys.
func TestNewRing(t *testing.T) {
	cfg := &config{accessTTL: time.Minute, refreshTTL: time.Hour, rotateEvery: time.Hour}
	key, err := jwt.GenerateKey(jwt.ES256)
	require.NoError(t, err)
	key.KeyID = "file-key"

	cfg.keyFile = "key.jwk" // read by the caller: newRing gets the key
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer client.Close()
	ring, _, ready, err := newRing(cfg, key, jwt.ES256, client)
	require.NoError(t, err)
	assert.IsType(t, (*jwks.KeyRing)(nil), ring, "--key on Redis keeps the one key")
	assert.Equal(t, "file-key", ring.KeyID())
	assert.NoError(t, ready())
	ring.Close()

	cfg.keyFile = ""
	ring, _, ready, err = newRing(cfg, nil, jwt.ES256, nil)
	require.NoError(t, err)
	assert.IsType(t, (*jwks.KeyRing)(nil), ring, "the memory store")
	assert.NoError(t, ready())
	ring.Close()

	ring, _, ready, err = newRing(cfg, nil, jwt.ES256, client)
	require.NoError(t, err)
	assert.IsType(t, (*jwks.SharedRing)(nil), ring, "Redis without --key")
	assert.ErrorIs(t, ready(), jwks.ErrRegistryUnavailable, "nothing published: not ready")
	ring.Close()
}
