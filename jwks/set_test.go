package jwks

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Parse reads a public set by default, refuses a private key anywhere in it,
// even in a key it would skip, and names its package in every error.
func TestParse(t *testing.T) {
	k := newKey(t, jwt.ES256, "es", false)
	pub := string(setJSON(t, k))
	set, skipped, err := Parse([]byte(pub), nil)
	require.NoError(t, err)
	assert.Empty(t, skipped)
	require.Len(t, set.Keys, 1)
	assert.Equal(t, "es", set.Key("es").KeyID)
	assert.Nil(t, set.Key("other"))

	priv := privateSet(t)
	for _, data := range []string{
		priv,
		`{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`,
		`{"keys":[{"kty":"OKP","crv":"X25519","x":"AAAA","d":"AAAA"}]}`, // would be skipped
	} {
		_, _, err := Parse([]byte(data), nil)
		assert.ErrorIs(t, err, ErrPrivateKey, data)
		assert.ErrorIs(t, err, ErrInvalidSet)
		assert.ErrorIs(t, err, jwt.ErrInvalidKey)
		assert.True(t, strings.HasPrefix(err.Error(), "jwks: invalid JWK Set: key 0"), err.Error())
		assert.NotContains(t, err.Error(), "jwt:")
	}
	set, _, err = Parse([]byte(priv), &ParseOptions{AllowPrivate: true})
	require.NoError(t, err)
	assert.True(t, set.Keys[0].IsPrivate())
	var viaJSON Set
	require.NoError(t, json.Unmarshal([]byte(priv), &viaJSON))
	assert.True(t, viaJSON.Keys[0].IsPrivate())

	// The public form leaves the private members out; the private form keeps them.
	out, err := json.Marshal(set)
	require.NoError(t, err)
	assert.NotContains(t, string(out), `"d"`)
	back, _, err := Parse(out, nil)
	require.NoError(t, err)
	assert.False(t, back.Keys[0].IsPrivate())
	privOut, err := set.MarshalPrivateJSON()
	require.NoError(t, err)
	assert.Contains(t, string(privOut), `"d"`)

	// Malformed sets, shared kids and skipped keys.
	_, _, err = Parse([]byte(`{"keys":{}}`), nil)
	assert.ErrorIs(t, err, ErrInvalidSet)
	assert.ErrorContains(t, err, "jwks: invalid JWK Set: ")
	_, _, err = Parse([]byte(`{"keys":[`+strings.TrimSuffix(strings.TrimPrefix(pub, `{"keys":[`), `]}`)+`,`+strings.TrimSuffix(strings.TrimPrefix(pub, `{"keys":[`), `]}`)+`]}`), nil)
	assert.ErrorContains(t, err, `share kid "es"`)
	set, skipped, err = Parse([]byte(`{"keys":[{"kty":"OKP","crv":"X25519","kid":"enc","x":"AAAA"}]}`), nil)
	require.NoError(t, err)
	assert.Empty(t, set.Keys)
	require.Len(t, skipped, 1)
	assert.ErrorIs(t, skipped[0], jwt.ErrUnsupportedKeyType)
	assert.True(t, strings.HasPrefix(skipped[0].Error(), `jwks: JWK Set key 0 (kid "enc"): `), skipped[0].Error())
	_, skipped, err = set.KeySet()
	assert.ErrorIs(t, err, jwt.ErrKeyNotFound)
	assert.Empty(t, skipped)
	_, _, err = set.KeySet(nil)
	assert.ErrorIs(t, err, jwt.ErrInvalidOption)
}

// A JWK Set key without "alg" is bound to every allowed algorithm that fits
// it: to both names when both are allowed, and to the one allowed
// otherwise; a key with "alg" only to its own.
func TestEd25519JWKSet(t *testing.T) {
	t.Parallel()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	_, priv2, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	x := base64.RawURLEncoding.EncodeToString(priv.Public().(ed25519.PublicKey))
	x2 := base64.RawURLEncoding.EncodeToString(priv2.Public().(ed25519.PublicKey))
	set, skipped, err := Parse([]byte(fmt.Sprintf(`{"keys":[
		{"kty":"OKP","crv":"Ed25519","kid":"any","x":%q},
		{"kty":"OKP","crv":"Ed25519","kid":"old","alg":"EdDSA","x":%q}]}`, x, x2)), nil)
	require.NoError(t, err)
	require.Empty(t, skipped)

	sign := func(alg jwt.Algorithm, key ed25519.PrivateKey, kid string) string {
		s, err := alg.NewSigner(key)
		require.NoError(t, err)
		if kid != "" {
			s = jwt.SignerWithKeyID(s, kid)
		}
		tok, err := jwt.Sign(context.Background(), s, jwt.RegisteredClaims{Subject: "user-1", ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour))}, nil)
		require.NoError(t, err)
		return tok
	}
	opts := &jwt.VerifyOptions{}
	verify := func(ks *jwt.KeySet, tok string) error {
		_, err := jwt.Verify[jwt.RegisteredClaims](context.Background(), tok, ks, opts)
		return err
	}

	both, skipped, err := set.KeySet(jwt.EdDSA, jwt.Ed25519)
	require.NoError(t, err)
	assert.Empty(t, skipped)
	for _, kid := range []string{"any", ""} {
		assert.NoError(t, verify(both, sign(jwt.EdDSA, priv, kid)), "EdDSA, kid %q", kid)
		assert.NoError(t, verify(both, sign(jwt.Ed25519, priv, kid)), "Ed25519, kid %q", kid)
	}
	assert.NoError(t, verify(both, sign(jwt.EdDSA, priv2, "old")))
	assert.ErrorIs(t, verify(both, sign(jwt.Ed25519, priv2, "old")), jwt.ErrAlgorithmMismatch, "a key with alg EdDSA is not bound to Ed25519")

	onlyOld, _, err := set.KeySet(jwt.EdDSA)
	require.NoError(t, err)
	assert.NoError(t, verify(onlyOld, sign(jwt.EdDSA, priv, "any")))
	assert.ErrorIs(t, verify(onlyOld, sign(jwt.Ed25519, priv, "any")), jwt.ErrAlgorithmMismatch)
	assert.ErrorIs(t, verify(onlyOld, sign(jwt.Ed25519, priv, "")), jwt.ErrKeyNotFound)

	onlyNew, skipped, err := set.KeySet(jwt.Ed25519)
	require.NoError(t, err)
	assert.Len(t, skipped, 1, "the key with alg EdDSA is left out")
	assert.NoError(t, verify(onlyNew, sign(jwt.Ed25519, priv, "any")))
	assert.ErrorIs(t, verify(onlyNew, sign(jwt.EdDSA, priv, "any")), jwt.ErrAlgorithmMismatch)
	assert.ErrorIs(t, verify(onlyNew, sign(jwt.EdDSA, priv, "")), jwt.ErrKeyNotFound)
}

// Errors that reach a caller through a Remote or a KeyRing name package
// jwks, also those that package jwt found, which they still wrap.
func TestErrorsNameJWKS(t *testing.T) {
	c := newClock()
	k := newKey(t, jwt.EdDSA, "k", false)
	srv := newServer(t, serve(setJSON(t, k)))
	s := newTestRemote(t, srv.URL, &Options{Now: c.Now})
	require.NoError(t, verify(s, c, sign(t, k, c.Now())))

	_, err := s.Lookup(context.Background(), jwt.Header{Algorithm: "ES256", KeyID: "k"})
	require.ErrorIs(t, err, jwt.ErrAlgorithmMismatch)
	assert.True(t, strings.HasPrefix(err.Error(), "jwks: "), err.Error())

	ring := newTestRing(t, KeyRingOptions{Algorithm: jwt.ES256, MaxTokenLifetime: time.Hour})
	_, err = ring.Lookup(context.Background(), jwt.Header{Algorithm: "ES256", KeyID: "missing"})
	require.ErrorIs(t, err, jwt.ErrKeyNotFound)
	assert.True(t, strings.HasPrefix(err.Error(), "jwks: "), err.Error())
	exp := time.Now().Add(time.Minute).Unix()
	_, err = ring.Sign(context.Background(), []byte(fmt.Sprintf(`{"exp":%d,"exp":%d}`, exp, exp)), nil) // jwt.Sign refuses duplicates
	require.ErrorIs(t, err, jwt.ErrInvalidClaims)
	assert.True(t, strings.HasPrefix(err.Error(), "jwks: "), err.Error())
}
