package jwt_test

import (
	"crypto"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"testing"

	"github.com/jwtkit/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// RFC 7638 §3.1 and RFC 8037 App. A.3 thumbprints come out exactly.
func TestJWKThumbprintRFC(t *testing.T) {
	n := 0
	for _, vec := range keysLoadVectors(t) {
		if vec.Type != "jwk_thumbprint" {
			continue
		}
		n++
		t.Run(vec.Name, func(t *testing.T) {
			k, err := jwt.ParseJWK(vec.Key)
			require.NoError(t, err)
			tp, err := k.Thumbprint(crypto.SHA256)
			require.NoError(t, err)
			assert.Equal(t, vec.ExpectedThumbprint, base64.RawURLEncoding.EncodeToString(tp))
			tp0, err := k.Thumbprint(0)
			require.NoError(t, err)
			assert.Equal(t, tp, tp0, "zero hash means SHA-256")

			s512 := sha512.Sum512([]byte(vec.CanonicalJSON))
			tp512, err := k.Thumbprint(crypto.SHA512)
			require.NoError(t, err)
			assert.Equal(t, s512[:], tp512)
			s384 := sha512.Sum384([]byte(vec.CanonicalJSON))
			tp384, err := k.Thumbprint(crypto.SHA384)
			require.NoError(t, err)
			assert.Equal(t, s384[:], tp384)

			_, err = k.Thumbprint(crypto.Hash(999))
			assert.ErrorIs(t, err, jwt.ErrUnsupportedAlgorithm)

			require.NoError(t, k.SetThumbprintKeyID())
			assert.Equal(t, vec.ExpectedThumbprint, k.KeyID)
		})
	}
	assert.Equal(t, 2, n)
}

// Thumbprints of EC and oct keys follow RFC 7638 §3.2's member lists.
func TestJWKThumbprintMembers(t *testing.T) {
	for _, tc := range []struct {
		name, jwk, canonical string
	}{
		{
			name:      "EC",
			jwk:       `{"kty":"EC","kid":"1","use":"enc","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM","d":"870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE"}`,
			canonical: `{"crv":"P-256","kty":"EC","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"}`,
		},
		{
			name:      "oct",
			jwk:       `{"kty":"oct","alg":"HS256","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"}`,
			canonical: `{"k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg","kty":"oct"}`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := jwt.ParseJWK([]byte(tc.jwk))
			require.NoError(t, err)
			tp, err := k.Thumbprint(crypto.SHA256)
			require.NoError(t, err)
			want := sha256.Sum256([]byte(tc.canonical))
			assert.Equal(t, want[:], tp)
		})
	}
}
