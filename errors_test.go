package jwt

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var sentinels = []error{
	ErrMalformed, ErrTooLarge, ErrUnsupportedAlgorithm, ErrAlgorithmMismatch, ErrKeyNotFound,
	ErrInvalidKey, ErrInvalidSignature, ErrExpired, ErrNotYetValid, ErrIssuedInFuture,
	ErrIssuerMismatch, ErrAudienceMismatch, ErrSubjectMismatch, ErrTypeMismatch, ErrMissingClaim,
	ErrUnsupportedCritical, ErrInvalidOption, ErrInvalidClaims, ErrSigning, ErrUnavailable,
}

// TestEveryErrorWrapsASentinel drives the error paths of the entry points,
// the key parsers and the algorithm constructors, and checks the promise of
// errors.go: each error wraps one of the sentinels, says "jwt:" once, and
// has no formatting mistakes.
func TestEveryErrorWrapsASentinel(t *testing.T) {
	s, v := hs256(t)
	good, err := Sign(bg, s, validClaims(), nil)
	require.NoError(t, err)
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	errs := map[string]error{}
	add := func(name string, err error) { errs[name] = err }
	_, err = Sign(bg, s, map[string]any{"f": func() {}}, nil)
	add("Sign unencodable", err)
	_, err = Sign(bg, s, []byte(`{"a":1,"a":2}`), nil)
	add("Sign duplicate", err)
	_, err = Sign(bg, s, []byte(`[]`), nil)
	add("Sign array", err)
	_, err = Sign(bg, failSigner{}, validClaims(), nil)
	add("Sign failing signer", err)
	_, err = Sign(bg, nil, validClaims(), nil)
	add("Sign nil", err)
	_, err = SignJWS(bg, failSigner{}, []byte("x"), nil)
	add("SignJWS failing signer", err)
	for name, tok := range map[string]string{
		"empty": "", "two segments": "a.b", "bad base64": "a!.b.c", "huge": strings.Repeat("a", DefaultMaxSize+1),
		"bearer": "Bearer " + good, "tampered": changeSignature(good), "none": "eyJhbGciOiJub25lIn0.e30.",
		"header array": "W10.e30.", "no alg": "e30.e30.",
	} {
		_, err := Verify[RegisteredClaims](bg, tok, v, defaultOpts())
		add("Verify "+name, err)
		_, err = VerifyJWS(bg, tok, v, nil)
		add("VerifyJWS "+name, err)
		_, err = ParseUnverified(tok, 0)
		if err != nil {
			add("ParseUnverified "+name, err)
		}
	}
	_, err = Verify[RegisteredClaims](bg, good, v, &VerifyOptions{Leeway: -1})
	add("Verify leeway", err)
	_, err = Verify[RegisteredClaims](bg, good, v, &VerifyOptions{Now: fixedClock, Issuer: "x", Audience: []string{"y"}, Subject: "z", Type: "at+jwt", Required: []string{"q"}})
	add("Verify claims", err)
	_, err = Verify[struct{ N int }](bg, rawToken(t, `{"alg":"HS256"}`, `{"exp":4102444800,"N":"x"}`), v, &VerifyOptions{Now: fixedClock})
	add("Verify claims type", err)
	for _, data := range []string{`x`, `{}`, `{"kty":"RSA"}`, `{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}`, `{"kty":"oct","k":""}`, `{"kty":"OKP","crv":"X25519","x":"AA"}`, `{"kty":"oct","k":"!"}`} {
		_, err := ParseJWK([]byte(data))
		add("ParseJWK "+data, err)
		_, _, err = readJWKSet([]byte(data), false)
		add("parseJWKSet "+data, err)
	}
	_, _, err = readJWKSet([]byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`), true)
	add("parseJWKSet private", err)
	for _, data := range []string{"", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"} {
		_, err := ParsePrivateKeyPEM([]byte(data))
		add("ParsePrivateKeyPEM "+data, err)
		_, err = ParsePublicKeyPEM([]byte(data))
		add("ParsePublicKeyPEM "+data, err)
	}
	for _, alg := range Algorithms() {
		for _, key := range []any{nil, "string", []byte("short"), p256, &p256.PublicKey} {
			if _, err := alg.NewSigner(key); err != nil {
				add("NewSigner "+alg.Name(), err)
			}
			if _, err := alg.NewVerifier(key); err != nil {
				add("NewVerifier "+alg.Name(), err)
			}
		}
	}
	_, err = AlgorithmByName("none")
	add("AlgorithmByName", err)
	_, err = GenerateKey(nil)
	add("GenerateKey", err)
	_, err = NewKeySet(nil)
	add("NewKeySet", err)
	_, err = EncodePrivateKeyPEM("x")
	add("EncodePrivateKeyPEM", err)

	for name, err := range errs {
		if !assert.Error(t, err, name) {
			continue
		}
		found := false
		for _, s := range sentinels {
			found = found || errors.Is(err, s)
		}
		msg := err.Error()
		assert.True(t, found, "%s: %q wraps no sentinel", name, msg)
		assert.Equal(t, 1, strings.Count(msg, "jwt:"), "%s: %q", name, msg)
		assert.True(t, strings.HasPrefix(msg, "jwt: "), "%s: %q", name, msg)
		assert.NotContains(t, msg, "%!", "%s: %q", name, msg)
	}
	t.Logf("%d error paths checked", len(errs))
}
