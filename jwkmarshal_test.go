package jwt_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwks"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// JWK -> key -> JWK round trips for every algorithm, private and public.
func TestJWKRoundTrip(t *testing.T) {
	for name, k := range keysGenerated(t) {
		t.Run(name, func(t *testing.T) {
			k.Use = "sig"
			k.KeyOps = []string{"sign", "verify"}
			k.Extra = map[string]json.RawMessage{"x-custom": json.RawMessage(`{ "a" : [1, 2] }`)}
			priv, err := k.MarshalPrivateJSON()
			require.NoError(t, err)
			k2, err := jwt.ParseJWK(priv)
			require.NoError(t, err)
			priv2, err := k2.MarshalPrivateJSON()
			require.NoError(t, err)
			assert.Equal(t, string(priv), string(priv2))
			assert.Equal(t, `{"a":[1,2]}`, string(k2.Extra["x-custom"]))
			assert.True(t, k2.IsPrivate())
			assert.Equal(t, k.KeyType, k2.KeyType)

			tp1, err := k.Thumbprint(crypto.SHA256)
			require.NoError(t, err)

			input := []byte("eyJhbGciOiJIUzI1NiJ9.e30")
			s, err := k2.Signer(nil)
			require.NoError(t, err)
			// The signer carries the JWK's kid into the header.
			tokWithKID, err := jwt.SignJWS(ctx, s, []byte("x"), nil)
			require.NoError(t, err)
			u, err := jwt.ParseUnverified(tokWithKID, 0)
			require.NoError(t, err)
			assert.Equal(t, k.KeyID, u.Header.KeyID)
			sig, err := s.Sign(context.Background(), input)
			require.NoError(t, err)

			if k.KeyType == "oct" {
				_, err := json.Marshal(k)
				assert.ErrorIs(t, err, jwt.ErrInvalidKey)
				v, err := k2.Verifier(nil)
				require.NoError(t, err)
				require.NoError(t, v.Verify(input, sig))
				return
			}

			pub, err := json.Marshal(k2)
			require.NoError(t, err)
			for _, m := range []string{`"d"`, `"p"`, `"q"`, `"dp"`, `"dq"`, `"qi"`} {
				assert.NotContains(t, string(pub), m)
			}
			pk, err := jwt.ParseJWK(pub)
			require.NoError(t, err)
			assert.False(t, pk.IsPrivate())
			pub2, err := json.Marshal(pk)
			require.NoError(t, err)
			assert.Equal(t, string(pub), string(pub2))
			pub3, err := json.Marshal(k2.Public())
			require.NoError(t, err)
			assert.Equal(t, string(pub), string(pub3))

			tp2, err := pk.Thumbprint(crypto.SHA256)
			require.NoError(t, err)
			assert.Equal(t, tp1, tp2, "private and public JWK have one thumbprint")

			v, err := pk.Verifier(nil)
			require.NoError(t, err)
			assert.Equal(t, name, v.Algorithm())
			// The verifier carries the JWK's kid: it refuses tokens naming another.
			_, err = v.Lookup(ctx, jwt.Header{Algorithm: "HS256", KeyID: k.KeyID})
			assert.NoError(t, err)
			_, err = v.Lookup(ctx, jwt.Header{Algorithm: "HS256", KeyID: "other"})
			assert.ErrorIs(t, err, jwt.ErrKeyNotFound)
			require.NoError(t, v.Verify(input, sig))
			_, err = pk.Signer(nil)
			assert.ErrorIs(t, err, jwt.ErrInvalidKey, "a public key cannot sign")
		})
	}
}

// A JWK never leaks private members through encoding/json, fmt or Public.
func TestJWKNoPrivateLeak(t *testing.T) {
	k, err := jwt.GenerateKey(jwt.ES256)
	require.NoError(t, err)
	key := k.Key
	d, err := key.(*ecdsa.PrivateKey).Bytes()
	require.NoError(t, err)
	secret := base64.RawURLEncoding.EncodeToString(d)

	type wrapper struct {
		Value   jwt.JWK
		Pointer *jwt.JWK
		Set     jwks.Set
	}
	out, err := json.Marshal(wrapper{Value: *k, Pointer: k, Set: jwks.Set{Keys: []*jwt.JWK{k}}})
	require.NoError(t, err)
	assert.NotContains(t, string(out), secret)
	assert.NotContains(t, string(out), `"d"`)
	assert.NotContains(t, string(out), `"D"`)

	s := k.String()
	assert.Contains(t, s, "private")
	assert.NotContains(t, s, secret)

	k.Extra = map[string]json.RawMessage{"d": json.RawMessage(`"` + secret + `"`)}
	_, err = json.Marshal(k)
	assert.ErrorIs(t, err, jwt.ErrInvalidKey, "Extra must not smuggle in key members")
}
