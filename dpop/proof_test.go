package dpop_test

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwt "github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
)

// decodeSegment returns the JSON object of a proof's segment i.
func decodeSegment(t *testing.T, proof string, i int) map[string]any {
	t.Helper()
	parts := strings.Split(proof, ".")
	require.Len(t, parts, 3)
	b, err := base64.RawURLEncoding.DecodeString(parts[i])
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

// TestProverAlgorithms makes and verifies a proof with every asymmetric
// algorithm.
func TestProverAlgorithms(t *testing.T) {
	for _, tc := range []struct {
		alg jwt.Algorithm
		key string
	}{
		{jwt.ES256, "P-256"}, {jwt.ES384, "P-384"}, {jwt.ES512, "P-521"}, {jwt.EdDSA, "Ed25519"},
		{jwt.PS256, "RSA"}, {jwt.PS384, "RSA"}, {jwt.PS512, "RSA"}, {jwt.RS256, "RSA"}, {jwt.RS384, "RSA"}, {jwt.RS512, "RSA"},
	} {
		t.Run(tc.alg.Name(), func(t *testing.T) {
			prover := newProver(t, tc.alg, key(tc.key))
			assert.Equal(t, tc.alg.Name(), prover.Algorithm())
			proof, err := prover.NewProof(context.Background(), "GET", testURI, &dpop.ProofOptions{IssuedAt: t0})
			require.NoError(t, err)
			p, err := newVerifier(t, newClock(), nil).Verify(context.Background(), proof, request())
			require.NoError(t, err)
			assert.Equal(t, tc.alg.Name(), p.Algorithm)
			assert.Equal(t, prover.JKT(), p.JKT)
		})
	}
}

// TestNewProof checks the header and claims of a proof.
func TestNewProof(t *testing.T) {
	ctx := context.Background()
	prover := newProver(t, jwt.ES256, key("P-256"))
	proof, err := prover.NewProof(ctx, "POST", "HTTPS://Server.Example.COM:443/token?code=x#frag", &dpop.ProofOptions{
		IssuedAt: t0, AccessToken: testToken, Nonce: "eyJ7S_zG.eyJH0-Z.HX4w-7v",
	})
	require.NoError(t, err)

	h := decodeSegment(t, proof, 0)
	assert.Equal(t, "dpop+jwt", h["typ"])
	assert.Equal(t, "ES256", h["alg"])
	jwk, ok := h["jwk"].(map[string]any)
	require.True(t, ok, "jwk is an object: %v", h["jwk"])
	assert.Equal(t, "EC", jwk["kty"])
	assert.Equal(t, "P-256", jwk["crv"])
	for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
		assert.NotContains(t, jwk, private)
	}
	assert.Len(t, h, 3, "typ, alg and jwk only: %v", h)

	c := decodeSegment(t, proof, 1)
	assert.Equal(t, "POST", c["htm"])
	assert.Equal(t, "https://server.example.com/token", c["htu"], "normalized, without query and fragment")
	assert.Equal(t, float64(t0.Unix()), c["iat"])
	assert.Equal(t, dpop.AccessTokenHash(testToken), c["ath"])
	assert.Equal(t, "eyJ7S_zG.eyJH0-Z.HX4w-7v", c["nonce"])
	jti, _ := c["jti"].(string)
	assert.Len(t, jti, 22, "128 random bits")

	// Without options: no ath, no nonce, iat now, a new jti each time.
	p1, err := prover.NewProof(ctx, "GET", testURI, nil)
	require.NoError(t, err)
	p2, err := prover.NewProof(ctx, "GET", testURI, nil)
	require.NoError(t, err)
	c1, c2 := decodeSegment(t, p1, 1), decodeSegment(t, p2, 1)
	assert.NotContains(t, c1, "ath")
	assert.NotContains(t, c1, "nonce")
	assert.NotEqual(t, c1["jti"], c2["jti"])
	assert.NotZero(t, c1["iat"])
}

// TestThumbprint checks the jkt against RFC 7638 §3.1's example.
func TestThumbprint(t *testing.T) {
	k, err := jwt.ParseJWK([]byte(`{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}`))
	require.NoError(t, err)
	got, err := dpop.Thumbprint(k)
	require.NoError(t, err)
	assert.Equal(t, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", got)
	_, err = dpop.Thumbprint(nil)
	assert.ErrorIs(t, err, jwt.ErrInvalidKey)
}

// TestProverErrors checks what NewProver and NewProof refuse.
func TestProverErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("HMAC", func(t *testing.T) {
		_, err := dpop.NewProver(jwt.HS256, key("P-256"))
		assert.ErrorIs(t, err, jwt.ErrUnsupportedAlgorithm)
	})
	t.Run("key of another type", func(t *testing.T) {
		_, err := dpop.NewProver(jwt.ES256, key("Ed25519"))
		assert.ErrorIs(t, err, jwt.ErrInvalidKey)
	})
	t.Run("curve of another algorithm", func(t *testing.T) {
		_, err := dpop.NewProver(jwt.ES256, key("P-384"))
		assert.ErrorIs(t, err, jwt.ErrInvalidKey)
	})
	t.Run("nil key", func(t *testing.T) {
		_, err := dpop.NewProver(jwt.ES256, nil)
		assert.ErrorIs(t, err, jwt.ErrInvalidKey)
	})
	prover := newProver(t, jwt.ES256, key("P-256"))
	for _, tc := range []struct {
		name, method, uri, nonce string
		want                     error
	}{
		{name: "empty method", method: "", uri: testURI, want: jwt.ErrInvalidClaims},
		{name: "method with a space", method: "GE T", uri: testURI, want: jwt.ErrInvalidClaims},
		{name: "relative URI", method: "GET", uri: "/resource", want: dpop.ErrInvalidURI},
		{name: "URI with user information", method: "GET", uri: "https://user@api.example.com/", want: dpop.ErrInvalidURI},
		{name: "nonce with a quote", method: "GET", uri: testURI, nonce: `a"b`, want: jwt.ErrInvalidClaims},
		{name: "nonce with a space", method: "GET", uri: testURI, nonce: "a b", want: jwt.ErrInvalidClaims},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := prover.NewProof(ctx, tc.method, tc.uri, &dpop.ProofOptions{Nonce: tc.nonce})
			assert.ErrorIs(t, err, tc.want)
		})
	}
	t.Run("a failing signer", func(t *testing.T) {
		p := newProver(t, jwt.ES256, failingSigner{key("P-256")})
		_, err := p.NewProof(ctx, "GET", testURI, nil)
		assert.ErrorIs(t, err, jwt.ErrSigning)
		assert.ErrorIs(t, err, errHSM)
	})
}

var errHSM = errors.New("HSM unreachable")

// failingSigner is a crypto.Signer, as of an HSM, that cannot sign.
type failingSigner struct{ crypto.Signer }

func (failingSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) { return nil, errHSM }

// TestProverKMS checks that any crypto.Signer makes proofs, and that the
// proofs carry only its public key.
func TestProverKMS(t *testing.T) {
	prover := newProver(t, jwt.ES256, opaqueSigner{key("P-256")})
	proof, err := prover.NewProof(context.Background(), "GET", testURI, &dpop.ProofOptions{IssuedAt: t0})
	require.NoError(t, err)
	_, err = newVerifier(t, newClock(), nil).Verify(context.Background(), proof, request())
	assert.NoError(t, err)
	assert.False(t, prover.PublicKey().IsPrivate())
}

// opaqueSigner hides the key's type, as a KMS client does.
type opaqueSigner struct{ s crypto.Signer }

func (o opaqueSigner) Public() crypto.PublicKey { return o.s.Public() }
func (o opaqueSigner) Sign(r io.Reader, d []byte, opts crypto.SignerOpts) ([]byte, error) {
	return o.s.Sign(r, d, opts)
}

// TestNewProofJSON checks that a proof's claims are JSON that says what
// was asked, whatever characters the method, URI and nonce hold: NewProof
// writes them as they are, so any character a JSON string would escape
// must have been refused or percent-encoded first.
func TestNewProofJSON(t *testing.T) {
	ctx := context.Background()
	prover := newProver(t, jwt.ES256, key("P-256"))
	for _, tc := range []struct {
		name, method, uri, nonce string
		wantURI                  string // the "htu"; "" means NewProof refuses
	}{
		{name: "quote, backslash and non-ASCII in the path", method: "GET", uri: `https://h.example/a"b\c/é<&>`, nonce: "n",
			wantURI: "https://h.example/a%22b%5Cc/%C3%A9%3C&%3E"},
		{name: "tchar method, NQCHAR nonce", method: "M!#$%&'*+-.^_`|~", uri: "https://h.example/", nonce: "!#$%&'()*+,-./:;<=>?@[]^_`{|}~",
			wantURI: "https://h.example/"},
		{name: "quote in the method", method: `G"ET`, uri: "https://h.example/", nonce: "n"},
		{name: "backslash in the nonce", method: "GET", uri: "https://h.example/", nonce: `a\b`},
		{name: "control character in the URI", method: "GET", uri: "https://h.example/a\x01", nonce: "n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			proof, err := prover.NewProof(ctx, tc.method, tc.uri, &dpop.ProofOptions{IssuedAt: t0, Nonce: tc.nonce})
			if tc.wantURI == "" {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			c := decodeSegment(t, proof, 1)
			assert.Equal(t, tc.method, c["htm"])
			assert.Equal(t, tc.wantURI, c["htu"])
			assert.Equal(t, tc.nonce, c["nonce"])
			h := decodeSegment(t, proof, 0)
			assert.Equal(t, "ES256", h["alg"])
		})
	}
}
