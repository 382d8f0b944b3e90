package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwks"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeKey writes key as jwt keygen does: a private JWK with "alg", "use"
// and a kid, or a PKCS #8 PEM file.
func writeKey(t *testing.T, dir string, alg jwt.Algorithm, kid string, pem bool) string {
	t.Helper()
	k, err := jwt.GenerateKey(alg)
	require.NoError(t, err)
	path := filepath.Join(dir, alg.Name()+kid)
	var data []byte
	if pem {
		data, err = jwt.EncodePrivateKeyPEM(k.Key)
		require.NoError(t, err)
	} else {
		k.Use, k.KeyID = "sig", kid
		data, err = k.MarshalPrivateJSON()
		require.NoError(t, err)
	}
	require.NoError(t, os.WriteFile(path, data, 0o600))
	return path
}

func TestSigningKey(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, file, alg string
		want            jwt.Algorithm
	}{
		{name: "new key", want: jwt.ES256},
		{name: "new key for --alg", alg: "EdDSA", want: jwt.EdDSA},
		{name: "JWK with alg", file: writeKey(t, dir, jwt.ES384, "k1", false), want: jwt.ES384},
		{name: "PEM P-256", file: writeKey(t, dir, jwt.ES256, "", true), want: jwt.ES256},
		{name: "PEM P-521", file: writeKey(t, dir, jwt.ES512, "", true), want: jwt.ES512},
		{name: "PEM Ed25519", file: writeKey(t, dir, jwt.EdDSA, "", true), want: jwt.EdDSA},
		{name: "PEM RSA", file: writeKey(t, dir, jwt.RS256, "", true), want: jwt.RS256},
		{name: "PEM RSA with --alg", file: writeKey(t, dir, jwt.PS256, "", true), alg: "PS256", want: jwt.PS256},
	} {
		k, alg, err := signingKey(tc.file, tc.alg)
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.want, alg, tc.name)
		assert.True(t, k.IsPrivate(), tc.name)
		// The ring accepts it, with the file's kid if it has one.
		ring, err := jwks.NewKeyRing(&jwks.KeyRingOptions{Algorithm: alg, MaxTokenLifetime: time.Hour, Current: k})
		require.NoError(t, err, tc.name)
		if k.KeyID != "" {
			assert.Equal(t, k.KeyID, ring.KeyID(), tc.name)
		}
		ring.Close()
	}

	public := filepath.Join(dir, "pub.jwk")
	k, _, err := signingKey("", "ES256")
	require.NoError(t, err)
	data, err := k.Public().MarshalJSON()
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(public, data, 0o600))
	_, _, err = signingKey(public, "")
	assert.ErrorContains(t, err, "not a private key")

	_, _, err = signingKey(writeKey(t, dir, jwt.HS256, "s", false), "")
	assert.ErrorContains(t, err, "symmetric")
	_, _, err = signingKey(filepath.Join(dir, "missing"), "")
	assert.Error(t, err)
	_, _, err = signingKey("", "NOPE")
	assert.Error(t, err)

	// An --alg the key cannot do is refused when the ring is made.
	k, alg, err := signingKey(writeKey(t, dir, jwt.ES256, "k2", false), "ES384")
	require.NoError(t, err)
	_, err = jwks.NewKeyRing(&jwks.KeyRingOptions{Algorithm: alg, MaxTokenLifetime: time.Hour, Current: k})
	assert.ErrorIs(t, err, jwt.ErrInvalidOption)
}
