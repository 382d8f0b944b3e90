package jwt

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSignContextCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, alg := range []Algorithm{RS256, ES256, EdDSA} {
		s, _ := signerVerifier(t, alg)
		_, err := Sign(ctx, s, validClaims(), nil)
		assert.ErrorIs(t, err, context.Canceled, alg.Name())
	}
}

func TestSignEscapesHeader(t *testing.T) {
	s, v := hs256(t)
	evilKID := `k","alg":"none`
	tok, err := Sign(bg, SignerWithKeyID(s, evilKID), validClaims(), &SignOptions{Type: "JWT\"<>&\u2028\x01", ContentType: "x"})
	require.NoError(t, err)
	u, err := ParseUnverified(tok, 0)
	require.NoError(t, err)
	assert.Equal(t, evilKID, u.Header.KeyID)
	assert.Equal(t, "HS256", u.Header.Algorithm)
	assert.Equal(t, "JWT\"<>&\u2028\x01", u.Header.Type)
	var m map[string]any
	require.NoError(t, json.Unmarshal(u.HeaderJSON, &m))
	assert.Len(t, m, 4)
	_, err = Verify[RegisteredClaims](bg, tok, VerifierWithKeyID(v, evilKID), defaultOpts())
	assert.NoError(t, err)
}

func TestSignRejects(t *testing.T) {
	s, _ := hs256(t)
	for _, claims := range []any{
		json.RawMessage(`[1]`),
		[]byte(`{"a":1,"a":2}`),
		map[string]any{"bad": func() {}},
		RegisteredClaims{ExpiresAt: NumericDate{time.Unix(-5, 0)}},
	} {
		_, err := Sign(bg, s, claims, nil)
		assert.Error(t, err, "%v", claims)
	}
	_, err := Sign(bg, noneSigner{}, validClaims(), nil)
	assert.ErrorIs(t, err, ErrUnsupportedAlgorithm)
	_, err = Sign(bg, failSigner{}, validClaims(), nil)
	assert.ErrorContains(t, err, "kms down")
}

type noneSigner struct{}

func TestRegisteredClaimsEncoding(t *testing.T) {
	// The reflection-free encoder used by Sign must mean what encoding/json
	// would write for the same claims.
	for _, c := range []RegisteredClaims{
		{},
		validClaims(),
		{Issuer: "a\"<>&\u2028\x01\xff", Audience: Audience{"x", "y\"z"}, ExpiresAt: NumericDate{time.Unix(1, 250_000_000).UTC()}},
		{Subject: "é", Audience: Audience{}, NotBefore: NewNumericDate(testNow), ID: "j"},
	} {
		fast := c.appendJSON(nil)
		slow, err := json.Marshal(c)
		require.NoError(t, err)
		var a, b RegisteredClaims
		require.NoError(t, json.Unmarshal(fast, &a), string(fast))
		require.NoError(t, json.Unmarshal(slow, &b), string(slow))
		assert.Equal(t, b, a)
		var ma, mb map[string]any
		require.NoError(t, json.Unmarshal(fast, &ma))
		require.NoError(t, json.Unmarshal(slow, &mb))
		assert.Equal(t, mb, ma)
	}
	s, _ := hs256(t)
	_, err := Sign(bg, s, &RegisteredClaims{ExpiresAt: NumericDate{time.Unix(-5, 0)}}, nil)
	assert.ErrorIs(t, err, ErrInvalidClaims)
	_, err = Sign(bg, s, (*RegisteredClaims)(nil), nil)
	assert.Error(t, err)
}
