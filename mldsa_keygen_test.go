//go:build go1.27

package jwt_test

import (
	"crypto/mldsa"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwt "github.com/jwtkit/jwt"
)

// checkGeneratedMLDSAKey checks a key GenerateKey made for alg: an
// *mldsa.PrivateKey of alg's parameter set.
func checkGeneratedMLDSAKey(t *testing.T, alg jwt.Algorithm, key any) {
	t.Helper()
	k, ok := key.(*mldsa.PrivateKey)
	require.True(t, ok, "unexpected key type %T", key)
	assert.Equal(t, alg.Name(), k.PublicKey().Parameters().String())
}
