package jwt

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestJWKCheckedVerifier checks the verifier of a parsed EC JWK, made
// without checking its point a second time: it verifies the key's tokens,
// costs fewer allocations than the full check, and a key put in the JWK
// after parsing, or a JWK never parsed, is checked in full.
func TestJWKCheckedVerifier(t *testing.T) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	j, err := NewJWK(&priv.PublicKey)
	require.NoError(t, err)
	j.KeyID, j.Algorithm = "k1", "ES256"
	data, err := json.Marshal(j)
	require.NoError(t, err)
	parsed, err := ParseJWK(data)
	require.NoError(t, err)
	require.NotNil(t, parsed.checkedEC, "ParseJWK records the point it checked")

	s, err := ES256.NewSigner(priv)
	require.NoError(t, err)
	tok, err := Sign(context.Background(), SignerWithKeyID(s, "k1"), RegisteredClaims{Subject: "a"}, nil)
	require.NoError(t, err)
	v, err := parsed.Verifier(nil)
	require.NoError(t, err)
	_, err = Verify[RegisteredClaims](context.Background(), tok, v, &VerifyOptions{AllowMissingExpiration: true})
	require.NoError(t, err)

	fast := testing.AllocsPerRun(50, func() { parsed.Verifier(nil) })
	full := testing.AllocsPerRun(50, func() { j.Verifier(nil) }) // NewJWK: never parsed
	t.Logf("allocs: parsed JWK %.0f, NewJWK %.0f", fast, full)
	if !raceEnabled {
		assert.Less(t, fast, full)
	}

	// A key swapped in after parsing: off the curve, caught by the full check.
	parsed.Key = offCurveKey()
	_, err = parsed.Verifier(nil)
	assert.ErrorIs(t, err, ErrInvalidKey)
	// A key of another curve than the algorithm's: the full check's error.
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	parsed.Key, parsed.checkedEC = &p384.PublicKey, &p384.PublicKey
	_, err = parsed.Verifier(ES256)
	assert.ErrorIs(t, err, ErrInvalidKey)
}
