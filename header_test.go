package jwt

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCriticalUnderstood(t *testing.T) {
	_, v := hs256(t)
	tok := rawToken(t, `{"alg":"HS256","crit":["exp"],"exp":1}`, okPayload())
	got, err := Verify[RegisteredClaims](bg, tok, v, &VerifyOptions{Now: fixedClock, IgnoreAudience: true, Critical: []string{"exp"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"exp"}, got.Header.Critical)
	tok = rawToken(t, `{"alg":"HS256","crit":["exp","exp"],"exp":1}`, okPayload())
	_, err = Verify[RegisteredClaims](bg, tok, v, &VerifyOptions{Now: fixedClock, IgnoreAudience: true, Critical: []string{"exp"}})
	assert.ErrorIs(t, err, ErrUnsupportedCritical)
}

func TestHeaderKeysIgnored(t *testing.T) {
	// jwk, jku, x5u and x5c never choose the key: the caller's key does.
	_, v := hs256(t)
	for _, member := range []string{`"jwk":{"kty":"oct","k":"AAAA"}`, `"jku":"https://evil.example/jwks"`, `"x5u":"https://evil.example/c"`, `"x5c":["AAAA"]`} {
		tok := rawToken(t, `{"alg":"HS256",`+member+`}`, okPayload())
		_, err := Verify[RegisteredClaims](bg, tok, v, &VerifyOptions{Now: fixedClock, IgnoreAudience: true})
		assert.NoError(t, err, member)
		evil, err := HS256.NewSigner([]byte(strings.Repeat("e", 32)))
		require.NoError(t, err)
		forged, err := Sign(bg, evil, json.RawMessage(okPayload()), nil)
		require.NoError(t, err)
		_, err = Verify[RegisteredClaims](bg, forged, v, &VerifyOptions{Now: fixedClock, IgnoreAudience: true})
		assert.ErrorIs(t, err, ErrInvalidSignature)
	}
}

func TestHeaderEveryToken(t *testing.T) {
	// Every token's header is read and checked in full, whatever the
	// verifier read before: another alg, "b64", or a "crit" the call does
	// not understand fail after a run of good tokens.
	_, v := hs256(t)
	opts := &VerifyOptions{Now: fixedClock, IgnoreAudience: true}
	plain := rawToken(t, `{"alg":"HS256","typ":"JWT","kid":"a"}`, okPayload())
	for range 3 {
		tok, err := Verify[RegisteredClaims](bg, plain, v, opts)
		require.NoError(t, err)
		assert.Equal(t, Header{Algorithm: "HS256", Type: "JWT", KeyID: "a"}, fields(tok.Header))
		assert.JSONEq(t, `{"alg":"HS256","typ":"JWT","kid":"a"}`, string(tok.Header.JSON()))
	}
	_, err := Verify[RegisteredClaims](bg, rawToken(t, `{"alg":"HS384","typ":"JWT","kid":"a"}`, okPayload()), v, opts)
	assert.ErrorIs(t, err, ErrAlgorithmMismatch)
	_, err = Verify[RegisteredClaims](bg, rawToken(t, `{"alg":"HS256","typ":"JWT","kid":"a","b64":false}`, okPayload()), v, opts)
	assert.ErrorIs(t, err, ErrUnsupportedCritical)

	crit := rawToken(t, `{"alg":"HS256","crit":["x"],"x":1}`, okPayload())
	_, err = Verify[RegisteredClaims](bg, crit, v, &VerifyOptions{Now: fixedClock, IgnoreAudience: true, Critical: []string{"x"}})
	require.NoError(t, err)
	_, err = Verify[RegisteredClaims](bg, crit, v, opts)
	assert.ErrorIs(t, err, ErrUnsupportedCritical, "a crit header is never served from the cache")

	tok, err := Verify[RegisteredClaims](bg, plain, v, opts)
	require.NoError(t, err)
	assert.Equal(t, "a", tok.Header.KeyID)
}

// TestReadCommonHeader checks that the byte-for-byte reading of common
// headers returns what the strict reader returns, and leaves everything
// else to it.
func TestReadCommonHeader(t *testing.T) {
	var headers []string
	for _, alg := range []string{"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
		"ES256", "ES384", "ES512", "EdDSA", "Ed25519"} {
		headers = append(headers,
			`{"alg":"`+alg+`"}`, `{"alg":"`+alg+`","typ":"JWT"}`, `{"typ":"JWT","alg":"`+alg+`"}`)
	}
	common := len(headers)
	headers = append(headers,
		`{"alg":"none"}`, `{"alg":"hs256"}`, `{"alg":"HS256 "}`, `{"alg":"HS2\u00356"}`, `{"alg":"HS256","typ":"jwt"}`,
		`{"alg":"HS256","typ":"JWT","kid":"k"}`, `{"alg":"HS256","alg":"HS256"}`, `{"alg":"HS256" }`, ` {"alg":"HS256"}`,
		`{"alg":"HS256","typ":"JWT"}x`, `{"alg":"HS256"}}`, `{"alg":"HS256"`, `{"alg":""}`, `{"alg":"","typ":"JWT"}`,
		`{"alg":"HS256","typ":"JWT","alg":"HS256"}`, `{"typ":"JWT","alg":"HS256","typ":"JWT"}`, `{"alg":"HS256","crit":["x"]}`,
		`{"alg":"","typ":"JWT","alg":"HS256"}`, `{"alg":"HS256","typ":"JWT"}{"alg":"HS256"}`)
	for i, s := range headers {
		var fast Header
		ok := readCommonHeader([]byte(s), &fast)
		assert.Equal(t, i < common, ok, "%s", s)
		if !ok {
			continue
		}
		var strict Header
		require.NoError(t, readHeader(s, &strict, nil), "%s", s)
		assert.Equal(t, s, strict.json)
		assert.Equal(t, fields(strict), fast, "%s", s)
	}
}

// fields returns h with only its exported fields: without the JSON it was
// read from.
func fields(h Header) Header {
	h.json, h.segment = "", ""
	return h
}
