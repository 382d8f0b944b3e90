package redisstore_test

import (
	"context"
	"testing"
	"time"

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
