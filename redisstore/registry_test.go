package redisstore_test

import (
	"testing"
	"time"

	"github.com/jwtkit/jwt/jwks"
	"github.com/jwtkit/jwt/jwks/registrytest"
	"github.com/jwtkit/jwt/redisstore"
	"github.com/stretchr/testify/require"
)

func TestRegistry(t *testing.T) {
	registrytest.Run(t, func(t *testing.T, now func() time.Time) jwks.Registry {
		r, err := redisstore.NewRegistry(newClient(t), &redisstore.Options{Prefix: "test:" + randomHex() + ":", Now: now})
		require.NoError(t, err)
		return r
	})
}
