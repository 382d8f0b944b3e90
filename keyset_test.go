package jwt

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeySet(t *testing.T) {
	k := keysOnce()
	hsS, hsV := hs256(t)
	esS, esV := signerVerifier(t, ES256)
	rsS, rsV := signerVerifier(t, RS256)
	otherV, err := RS256.NewVerifier(&k.other.PublicKey)
	require.NoError(t, err)
	set, err := NewKeySet(VerifierWithKeyID(hsV, "hs"), VerifierWithKeyID(esV, "es"), otherV, rsV)
	require.NoError(t, err)
	opts := defaultOpts()

	sign := func(s Signer, kid string) string {
		if kid != "" {
			s = SignerWithKeyID(s, kid)
		}
		tok, err := Sign(bg, s, validClaims(), nil)
		require.NoError(t, err)
		return tok
	}
	for _, tc := range []struct {
		name  string
		token string
		want  error
	}{
		{name: "kid hs", token: sign(hsS, "hs")},
		{name: "kid es", token: sign(esS, "es")},
		{name: "unknown kid", token: sign(hsS, "nope"), want: ErrKeyNotFound},
		{name: "kid path traversal", token: sign(hsS, "../../../../dev/null"), want: ErrKeyNotFound},
		{name: "kid of other alg", token: sign(esS, "hs"), want: ErrAlgorithmMismatch},
		{name: "no kid, second RSA key", token: sign(rsS, "")},
		{name: "no kid, alg without key", token: sign(mustSigner(t, HS384), ""), want: ErrKeyNotFound},
		{name: "no kid, wrong HMAC key", token: sign(mustSigner(t, HS256, []byte(strings.Repeat("z", 32))), ""), want: ErrInvalidSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Verify[RegisteredClaims](bg, tc.token, set, opts)
			if tc.want == nil {
				assert.NoError(t, err)
				// A flipped signature byte fails through the same key.
				d2 := strings.LastIndexByte(tc.token, '.')
				sig, _ := base64.RawURLEncoding.DecodeString(tc.token[d2+1:])
				sig[0] ^= 1
				_, err = Verify[RegisteredClaims](bg, tc.token[:d2+1]+base64.RawURLEncoding.EncodeToString(sig), set, opts)
				assert.ErrorIs(t, err, ErrInvalidSignature)
				return
			}
			assert.ErrorIs(t, err, tc.want)
		})
	}

	// One kid may name keys of different algorithms, but not two of one.
	_, err = NewKeySet(VerifierWithKeyID(hsV, "a"), VerifierWithKeyID(esV, "a"))
	assert.NoError(t, err)
	_, err = NewKeySet(VerifierWithKeyID(hsV, "a"), VerifierWithKeyID(esV, "a"), VerifierWithKeyID(hsV, "a"))
	assert.ErrorIs(t, err, ErrInvalidKey)
	_, err = NewKeySet(nil)
	assert.ErrorIs(t, err, ErrInvalidKey)

	// A single verifier with a kid refuses tokens naming another kid.
	kv := VerifierWithKeyID(hsV, "hs")
	_, err = Verify[RegisteredClaims](bg, sign(hsS, "other"), kv, opts)
	assert.ErrorIs(t, err, ErrKeyNotFound)
	_, err = Verify[RegisteredClaims](bg, sign(esS, "hs"), kv, opts)
	assert.ErrorIs(t, err, ErrAlgorithmMismatch)
	_, err = Verify[RegisteredClaims](bg, sign(hsS, ""), kv, opts)
	assert.NoError(t, err)
}

func TestKeySetNoKIDBound(t *testing.T) {
	var vs []Verifier
	for i := range MaxKeysWithoutKID + 2 {
		v, err := HS256.NewVerifier([]byte(strings.Repeat(string(rune('a'+i)), 32)))
		require.NoError(t, err)
		vs = append(vs, v)
	}
	set, err := NewKeySet(vs...)
	require.NoError(t, err)
	for i := range vs {
		s := mustSigner(t, HS256, []byte(strings.Repeat(string(rune('a'+i)), 32)))
		tok, err := Sign(bg, s, validClaims(), nil)
		require.NoError(t, err)
		_, err = Verify[RegisteredClaims](bg, tok, set, defaultOpts())
		if i < MaxKeysWithoutKID {
			assert.NoError(t, err, i)
		} else {
			assert.ErrorIs(t, err, ErrInvalidSignature, i)
		}
	}
}
