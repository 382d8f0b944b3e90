package redisstore_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwks"
	"github.com/jwtkit/jwt/jwks/registrytest"
	"github.com/jwtkit/jwt/redisstore"
	"github.com/stretchr/testify/require"
)

func TestRegistry(t *testing.T) {
	c := newClient(t)
	registrytest.Run(t, func(t *testing.T, now func() time.Time) jwks.Registry {
		prefix := "jwtkit-test:" + randomHex() + ":"
		r, err := redisstore.NewRegistry(c, &redisstore.Options{Prefix: prefix, Now: now})
		require.NoError(t, err)
		t.Cleanup(func() {
			ctx := context.Background()
			keys, _ := c.Keys(ctx, prefix+"*").Result()
			for _, k := range keys {
				c.Del(ctx, k)
			}
		})
		return r
	})
}

// TestRegistrySkipsForeignEntries shows that an entry no Registry writes (a
// private key, a kid that is not the key's, garbage) is never returned.
func TestRegistrySkipsForeignEntries(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	_, prefix := newStore(t, c) // for the cleanup of prefix
	r, err := redisstore.NewRegistry(c, &redisstore.Options{Prefix: prefix})
	require.NoError(t, err)
	good, err := jwt.GenerateKey(jwt.ES256)
	require.NoError(t, err)
	good.KeyID = "good"
	require.NoError(t, r.Publish(ctx, good.Public(), time.Now().Add(time.Hour)))
	priv, err := good.MarshalPrivateJSON()
	require.NoError(t, err)
	pub, err := good.Public().MarshalJSON()
	require.NoError(t, err)
	until := strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10)
	require.NoError(t, c.HSet(ctx, prefix+"jwks:{reg}",
		"private", until+"|"+string(priv), "other-kid", until+"|"+string(pub), "garbage", "x|{").Err())
	keys, err := r.Keys(ctx)
	require.NoError(t, err)
	require.Len(t, keys, 1)
	require.Equal(t, "good", keys[0].KeyID)
	require.False(t, keys[0].IsPrivate())
}
