package dpop_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/fips140"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwt "github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
	"github.com/jwtkit/jwt/internal/oauth"
)

const (
	testURI   = "https://api.example.com/resource"
	testToken = "an-access-token"
)

// t0 is the test clock's start, a whole second so that "iat" edges are
// exact.
var t0 = time.Unix(1_800_000_000, 0)

// clock is a settable clock for verifiers, caches and nonce sources.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testKeys are made once: key generation is slow on a small machine.
var testKeys = sync.OnceValue(func() map[string]crypto.Signer {
	must := func(k crypto.Signer, err error) crypto.Signer {
		if err != nil {
			panic(err)
		}
		return k
	}
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	// FIPS 140-only mode does not generate a 1024-bit key; that it is
	// refused is tested in the mode the test runs in.
	var small *rsa.PrivateKey
	fips140.WithoutEnforcement(func() { small, err = rsa.GenerateKey(rand.Reader, 1024) })
	return map[string]crypto.Signer{
		"P-256":   must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader)),
		"P-256b":  must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader)),
		"P-384":   must(ecdsa.GenerateKey(elliptic.P384(), rand.Reader)),
		"P-521":   must(ecdsa.GenerateKey(elliptic.P521(), rand.Reader)),
		"Ed25519": ed,
		"RSA":     must(rsa.GenerateKey(rand.Reader, 2048)),
		"RSA1024": must(small, err),
	}
})

func key(name string) crypto.Signer { return testKeys()[name] }

func newProver(t *testing.T, alg jwt.Algorithm, k crypto.Signer) *dpop.Prover {
	t.Helper()
	p, err := dpop.NewProver(alg, k)
	require.NoError(t, err)
	return p
}

func newVerifier(t *testing.T, c *clock, opts *dpop.Options) *dpop.Verifier {
	t.Helper()
	if opts == nil {
		opts = &dpop.Options{}
	}
	opts.Now = c.Now
	v, err := dpop.NewVerifier(opts)
	require.NoError(t, err)
	return v
}

// jwkJSON returns the public JWK of k as JSON.
func jwkJSON(t *testing.T, k crypto.Signer) string {
	t.Helper()
	j, err := jwt.NewJWK(k.Public())
	require.NoError(t, err)
	b, err := json.Marshal(j)
	require.NoError(t, err)
	return string(b)
}

// forge signs header and claims, given as JSON, with k under alg, whatever
// they say: the tool for proofs that Prover would never make.
func forge(t *testing.T, alg jwt.Algorithm, k any, header, claims string) string {
	t.Helper()
	s, err := alg.NewSigner(k)
	require.NoError(t, err)
	enc := base64.RawURLEncoding
	input := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(claims))
	sig, err := s.Sign(context.Background(), []byte(input))
	require.NoError(t, err)
	return input + "." + enc.EncodeToString(sig)
}

// proofClaims returns the JSON of valid claims for GET testURI at t0 with
// the changes of edit, where a nil value removes a claim.
func proofClaims(edit map[string]any) string {
	c := map[string]any{"jti": "jti-1", "htm": "GET", "htu": testURI, "iat": t0.Unix()}
	for k, v := range edit {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	b, err := json.Marshal(c)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// es256Header returns the header of a proof by the P-256 key.
func es256Header(t *testing.T) string {
	return `{"typ":"dpop+jwt","alg":"ES256","jwk":` + jwkJSON(t, key("P-256")) + `}`
}

func request() *dpop.Request { return &dpop.Request{Method: "GET", URI: testURI} }

func mustThumbprint(t *testing.T, k crypto.Signer) string {
	t.Helper()
	j, err := jwt.NewJWK(k.Public())
	require.NoError(t, err)
	s, err := dpop.Thumbprint(j)
	require.NoError(t, err)
	return s
}

// TestVerifyChecks has a failing case and a passing control for every
// check of RFC 9449 §4.3 and of the binding of §6 and §7.
func TestVerifyChecks(t *testing.T) {
	p256 := key("P-256")
	hdr := es256Header(t)
	jkt := mustThumbprint(t, p256)
	ath := dpop.AccessTokenHash(testToken)

	rsaJWK := jwkJSON(t, key("RSA"))
	privateJWK := func() string {
		j, err := jwt.NewJWK(p256)
		require.NoError(t, err)
		j.Key = p256
		b, err := j.MarshalPrivateJSON()
		require.NoError(t, err)
		return string(b)
	}()
	withJWKMember := func(name, value string) string {
		j := jwkJSON(t, p256)
		return `{"typ":"dpop+jwt","alg":"ES256","jwk":` + j[:len(j)-1] + `,"` + name + `":` + value + `}}`
	}
	rsa1024JWK := func() string {
		pub := key("RSA1024").Public().(*rsa.PublicKey)
		return fmt.Sprintf(`{"kty":"RSA","n":%q,"e":"AQAB"}`, base64.RawURLEncoding.EncodeToString(pub.N.Bytes()))
	}()

	tests := []struct {
		name string
		// proof is the proof; make builds it when it needs t.
		proof string
		req   *dpop.Request
		opts  *dpop.Options
		// want are the errors the result must wrap; none means it passes.
		want []error
		// rootSaysJWTTwice marks a cause whose message, made by package
		// jwt, has "jwt:" twice itself.
		rootSaysJWTTwice bool
	}{
		// Well-formed JWT (check 2).
		{name: "control: a valid proof", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(nil))},
		{name: "not a JWT", proof: "not-a-jwt", want: []error{dpop.ErrInvalidProof, jwt.ErrMalformed}},
		{name: "two segments", proof: "eyJhbGciOiJFUzI1NiJ9.e30", want: []error{dpop.ErrInvalidProof, jwt.ErrMalformed}},
		{name: "header not JSON", proof: base64.RawURLEncoding.EncodeToString([]byte("{")) + ".e30.AA", want: []error{dpop.ErrInvalidProof, jwt.ErrMalformed}},
		{name: "padded base64", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(nil)) + "=", want: []error{dpop.ErrInvalidProof, jwt.ErrMalformed}},
		{name: "claims not an object", proof: forge(t, jwt.ES256, p256, hdr, `[]`), want: []error{dpop.ErrInvalidProof, jwt.ErrMalformed}},
		{name: "duplicate claim", proof: forge(t, jwt.ES256, p256, hdr, `{"jti":"a","htm":"GET","htm":"GET","htu":"`+testURI+`","iat":1800000000}`), want: []error{dpop.ErrInvalidProof, jwt.ErrMalformed}},
		{name: "htm not a string", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"htm": 1})), want: []error{dpop.ErrInvalidProof, jwt.ErrMalformed}},
		{name: "iat not a number", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"iat": "1800000000"})), want: []error{dpop.ErrInvalidProof, jwt.ErrMalformed}},
		// Required claims (check 3).
		{name: "no jti", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"jti": nil})), want: []error{dpop.ErrInvalidProof, jwt.ErrMissingClaim}},
		{name: "empty jti", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"jti": ""})), want: []error{dpop.ErrInvalidProof, jwt.ErrMissingClaim}},
		{name: "no htm", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"htm": nil})), want: []error{dpop.ErrInvalidProof, jwt.ErrMissingClaim}},
		{name: "HTM is not htm", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"htm": nil, "HTM": "GET"})), want: []error{dpop.ErrInvalidProof, jwt.ErrMissingClaim}},
		{name: "no htu", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"htu": nil})), want: []error{dpop.ErrInvalidProof, jwt.ErrMissingClaim}},
		{name: "no iat", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"iat": nil})), want: []error{dpop.ErrInvalidProof, jwt.ErrMissingClaim}},
		{name: "expired exp", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"exp": t0.Unix() - 1})), want: []error{dpop.ErrInvalidProof, jwt.ErrExpired}},
		{name: "control: exp in the future, aud", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"exp": t0.Unix() + 30, "aud": "x"}))},
		// typ (check 4).
		{name: "no typ", proof: forge(t, jwt.ES256, p256, `{"alg":"ES256","jwk":`+jwkJSON(t, p256)+`}`, proofClaims(nil)), want: []error{dpop.ErrProofType}},
		{name: "typ JWT", proof: forge(t, jwt.ES256, p256, `{"typ":"JWT","alg":"ES256","jwk":`+jwkJSON(t, p256)+`}`, proofClaims(nil)), want: []error{dpop.ErrProofType, dpop.ErrInvalidProof}},
		{name: "typ at+jwt", proof: forge(t, jwt.ES256, p256, `{"typ":"at+jwt","alg":"ES256","jwk":`+jwkJSON(t, p256)+`}`, proofClaims(nil)), want: []error{dpop.ErrProofType}},
		{name: "control: typ application/DPoP+JWT", proof: forge(t, jwt.ES256, p256, `{"typ":"application/DPoP+JWT","alg":"ES256","jwk":`+jwkJSON(t, p256)+`}`, proofClaims(nil))},
		// alg (check 5).
		{name: "alg none", proof: base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"dpop+jwt","alg":"none","jwk":`+jwkJSON(t, p256)+`}`)) + "." + base64.RawURLEncoding.EncodeToString([]byte(proofClaims(nil))) + ".", want: []error{dpop.ErrProofAlgorithm}},
		{name: "alg HS256", proof: forge(t, jwt.HS256, []byte(strings.Repeat("k", 32)), `{"typ":"dpop+jwt","alg":"HS256","jwk":{"kty":"oct","k":"`+base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("k", 32)))+`"}}`, proofClaims(nil)), want: []error{dpop.ErrProofAlgorithm}},
		{name: "alg not in the allow-list", proof: forge(t, jwt.EdDSA, key("Ed25519"), `{"typ":"dpop+jwt","alg":"EdDSA","jwk":`+jwkJSON(t, key("Ed25519"))+`}`, proofClaims(nil)), opts: &dpop.Options{Algorithms: []jwt.Algorithm{jwt.ES256}}, want: []error{dpop.ErrProofAlgorithm}},
		{name: "control: EdDSA allowed by default", proof: forge(t, jwt.EdDSA, key("Ed25519"), `{"typ":"dpop+jwt","alg":"EdDSA","jwk":`+jwkJSON(t, key("Ed25519"))+`}`, proofClaims(nil))},
		{name: "alg case", proof: forge(t, jwt.ES256, p256, `{"typ":"dpop+jwt","alg":"es256","jwk":`+jwkJSON(t, p256)+`}`, proofClaims(nil)), want: []error{dpop.ErrProofAlgorithm}},
		// Signature (check 6).
		{name: "signed by another key", proof: forge(t, jwt.ES256, key("P-256b"), hdr, proofClaims(nil)), want: []error{dpop.ErrInvalidProof, jwt.ErrInvalidSignature}},
		{name: "claims changed after signing", proof: func() string {
			parts := strings.Split(forge(t, jwt.ES256, p256, hdr, proofClaims(nil)), ".")
			parts[1] = base64.RawURLEncoding.EncodeToString([]byte(proofClaims(map[string]any{"jti": "jti-2"})))
			return strings.Join(parts, ".")
		}(), want: []error{dpop.ErrInvalidProof, jwt.ErrInvalidSignature}},
		{name: "control: PS256 with an RSA key", proof: forge(t, jwt.PS256, key("RSA"), `{"typ":"dpop+jwt","alg":"PS256","jwk":`+rsaJWK+`}`, proofClaims(nil))},
		// jwk (check 7): public, of a type and size the algorithm accepts.
		{name: "no jwk", proof: forge(t, jwt.ES256, p256, `{"typ":"dpop+jwt","alg":"ES256"}`, proofClaims(nil)), want: []error{dpop.ErrProofKey}},
		{name: "jwk not an object", proof: forge(t, jwt.ES256, p256, `{"typ":"dpop+jwt","alg":"ES256","jwk":"key"}`, proofClaims(nil)), want: []error{dpop.ErrProofKey, jwt.ErrInvalidKey}},
		{name: "jwk with the private key", proof: forge(t, jwt.ES256, p256, `{"typ":"dpop+jwt","alg":"ES256","jwk":`+privateJWK+`}`, proofClaims(nil)), want: []error{dpop.ErrProofKey}},
		{name: "jwk with an empty d", proof: forge(t, jwt.ES256, p256, withJWKMember("d", `""`), proofClaims(nil)), want: []error{dpop.ErrProofKey}},
		{name: "jwk with a duplicate member", proof: forge(t, jwt.ES256, p256, withJWKMember("crv", `"P-256"`), proofClaims(nil)), want: []error{dpop.ErrInvalidProof, jwt.ErrMalformed}},
		{name: "jwk for encryption", proof: forge(t, jwt.ES256, p256, withJWKMember("use", `"enc"`), proofClaims(nil)), want: []error{dpop.ErrProofKey, jwt.ErrKeyUsage}},
		{name: "jwk bound to another alg", proof: forge(t, jwt.ES256, p256, withJWKMember("alg", `"ES384"`), proofClaims(nil)), want: []error{dpop.ErrProofKey}, rootSaysJWTTwice: true},
		{name: "control: jwk with alg ES256", proof: forge(t, jwt.ES256, p256, withJWKMember("alg", `"ES256"`), proofClaims(nil))},
		{name: "symmetric jwk", proof: forge(t, jwt.ES256, p256, `{"typ":"dpop+jwt","alg":"ES256","jwk":{"kty":"oct","k":"c2VjcmV0"}}`, proofClaims(nil)), want: []error{dpop.ErrProofKey}},
		{name: "curve of another alg", proof: forge(t, jwt.ES384, key("P-384"), `{"typ":"dpop+jwt","alg":"ES256","jwk":`+jwkJSON(t, key("P-384"))+`}`, proofClaims(nil)), want: []error{dpop.ErrProofKey, jwt.ErrInvalidKey}},
		{name: "RSA key for ES256", proof: forge(t, jwt.ES256, p256, `{"typ":"dpop+jwt","alg":"ES256","jwk":`+rsaJWK+`}`, proofClaims(nil)), want: []error{dpop.ErrProofKey, jwt.ErrInvalidKey}},
		{name: "RSA key of 1024 bits", proof: forge(t, jwt.ES256, p256, `{"typ":"dpop+jwt","alg":"RS256","jwk":`+rsa1024JWK+`}`, proofClaims(nil)), want: []error{dpop.ErrProofKey, jwt.ErrInvalidKey}},
		{name: "EC jwk with an RSA private member", proof: forge(t, jwt.ES256, p256, withJWKMember("p", `"AQAB"`), proofClaims(nil)), want: []error{dpop.ErrProofKey}},
		{name: "EC jwk with a secret k", proof: forge(t, jwt.ES256, p256, withJWKMember("k", `"c2VjcmV0"`), proofClaims(nil)), want: []error{dpop.ErrProofKey}},
		{name: "jwk with oth", proof: forge(t, jwt.ES256, p256, withJWKMember("oth", `[]`), proofClaims(nil)), want: []error{dpop.ErrProofKey}},
		{name: "jwk with a member encoding/json reads as d", proof: forge(t, jwt.ES256, p256, withJWKMember("D", `"AAAA"`), proofClaims(nil)), want: []error{dpop.ErrProofKey}},
		{name: "control: jwk with another member", proof: forge(t, jwt.ES256, p256, withJWKMember("ext", `"x"`), proofClaims(nil))},
		// Order of the header checks: typ, then alg, then jwk.
		{name: "typ before alg and jwk", proof: forge(t, jwt.ES256, p256, `{"typ":"JWT","alg":"ES512","jwk":"key"}`, proofClaims(nil)), want: []error{dpop.ErrProofType}},
		{name: "alg before jwk", proof: forge(t, jwt.ES256, p256, `{"typ":"dpop+jwt","alg":"HS256","jwk":`+privateJWK+`}`, proofClaims(nil)), want: []error{dpop.ErrProofAlgorithm}},
		{name: "no alg", proof: forge(t, jwt.ES256, p256, `{"typ":"dpop+jwt","jwk":`+jwkJSON(t, p256)+`}`, proofClaims(nil)), want: []error{dpop.ErrInvalidProof}},
		{name: "unknown kty", proof: forge(t, jwt.ES256, p256, `{"typ":"dpop+jwt","alg":"ES256","jwk":{"kty":"EC2","crv":"P-256"}}`, proofClaims(nil)), want: []error{dpop.ErrProofKey, jwt.ErrUnsupportedKeyType}},
		// Claims are read by their exact names, and typed.
		{name: "htm null", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"htm": json.RawMessage("null")})), want: []error{dpop.ErrInvalidProof, jwt.ErrMalformed}},
		{name: "ath null", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"ath": json.RawMessage("null")})), want: []error{dpop.ErrInvalidProof, jwt.ErrMalformed}},
		{name: "nonce a number", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"nonce": 1})), want: []error{dpop.ErrInvalidProof, jwt.ErrMalformed}},
		{name: "ATH is not ath", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"ATH": ath})), req: &dpop.Request{Method: "GET", URI: testURI, AccessToken: testToken, JKT: jkt}, want: []error{dpop.ErrAccessTokenHash}},
		{name: "control: empty ath without a token", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"ath": ""}))},
		// htm (check 8).
		{name: "htm POST for GET", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"htm": "POST"})), want: []error{dpop.ErrMethodMismatch, dpop.ErrInvalidProof}},
		{name: "htm is case-sensitive", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"htm": "get"})), want: []error{dpop.ErrMethodMismatch}},
		{name: "control: htm POST for POST", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"htm": "POST"})), req: &dpop.Request{Method: "POST", URI: testURI}},
		// htu (check 9).
		{name: "htu of another host", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"htu": "https://evil.example.com/resource"})), want: []error{dpop.ErrURIMismatch, dpop.ErrInvalidProof}},
		{name: "htu of another path", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"htu": "https://api.example.com/other"})), want: []error{dpop.ErrURIMismatch}},
		{name: "htu http for https", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"htu": "http://api.example.com/resource"})), want: []error{dpop.ErrURIMismatch}},
		{name: "htu of another port", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"htu": "https://api.example.com:8443/resource"})), want: []error{dpop.ErrURIMismatch}},
		{name: "htu not http", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"htu": "ftp://api.example.com/resource"})), want: []error{dpop.ErrURIMismatch, dpop.ErrInvalidURI}},
		{name: "htu relative", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"htu": "/resource"})), want: []error{dpop.ErrURIMismatch, dpop.ErrInvalidURI}},
		{name: "control: htu equivalent after normalization, with a query", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"htu": "HTTPS://API.Example.COM:443/a/../%72esource?x=1#f"}))},
		{name: "control: request URI with a query", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(nil)), req: &dpop.Request{Method: "GET", URI: testURI + "?page=2"}},
		// iat (check 11); edges in TestVerifyWindow.
		{name: "iat an hour ago", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"iat": t0.Unix() - 3600})), want: []error{dpop.ErrStaleProof, dpop.ErrInvalidProof}},
		{name: "iat in an hour", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"iat": t0.Unix() + 3600})), want: []error{dpop.ErrStaleProof}},
		// ath and the token's binding (check 12, §6.1, §7).
		{name: "token without ath", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(nil)), req: &dpop.Request{Method: "GET", URI: testURI, AccessToken: testToken, JKT: jkt}, want: []error{dpop.ErrAccessTokenHash, dpop.ErrInvalidProof}},
		{name: "ath of another token", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"ath": dpop.AccessTokenHash("other")})), req: &dpop.Request{Method: "GET", URI: testURI, AccessToken: testToken, JKT: jkt}, want: []error{dpop.ErrAccessTokenHash}},
		{name: "ath in hex", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"ath": fmt.Sprintf("%x", sha256.Sum256([]byte(testToken)))})), req: &dpop.Request{Method: "GET", URI: testURI, AccessToken: testToken, JKT: jkt}, want: []error{dpop.ErrAccessTokenHash}},
		{name: "control: ath and jkt", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"ath": ath})), req: &dpop.Request{Method: "GET", URI: testURI, AccessToken: testToken, JKT: jkt}},
		{name: "token bound to another key", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"ath": ath})), req: &dpop.Request{Method: "GET", URI: testURI, AccessToken: testToken, JKT: mustThumbprint(t, key("P-256b"))}, want: []error{dpop.ErrTokenBinding}},
		{name: "token not bound at all", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"ath": ath})), req: &dpop.Request{Method: "GET", URI: testURI, AccessToken: testToken}, want: []error{dpop.ErrTokenBinding}},
		{name: "refresh token bound to another key", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(nil)), req: &dpop.Request{Method: "GET", URI: testURI, JKT: mustThumbprint(t, key("P-256b"))}, want: []error{dpop.ErrTokenBinding}},
		{name: "control: refresh token bound to the key", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(nil)), req: &dpop.Request{Method: "GET", URI: testURI, JKT: jkt}},
		// Size and header extensions.
		{name: "too large", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"pad": strings.Repeat("x", 4096)})), want: []error{dpop.ErrProofTooLarge, jwt.ErrTooLarge, dpop.ErrInvalidProof}},
		{name: "control: larger with MaxSize", proof: forge(t, jwt.ES256, p256, hdr, proofClaims(map[string]any{"pad": strings.Repeat("x", 4096)})), opts: &dpop.Options{MaxSize: 8 << 10}},
		{name: "unknown crit", proof: forge(t, jwt.ES256, p256, `{"typ":"dpop+jwt","alg":"ES256","crit":["x"],"x":1,"jwk":`+jwkJSON(t, p256)+`}`, proofClaims(nil)), want: []error{dpop.ErrInvalidProof, jwt.ErrUnsupportedCritical}},
		{name: "empty proof", proof: "", want: []error{dpop.ErrMissingProof}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := newVerifier(t, newClock(), tc.opts)
			req := tc.req
			if req == nil {
				req = request()
			}
			p, err := v.Verify(context.Background(), tc.proof, req)
			if len(tc.want) == 0 {
				require.NoError(t, err)
				assert.NotEmpty(t, p.JKT)
				assert.False(t, p.Key.IsPrivate())
				return
			}
			require.Error(t, err)
			t.Log(err)
			assert.Nil(t, p)
			for _, w := range tc.want {
				assert.ErrorIs(t, err, w)
			}
			msg := err.Error()
			assert.True(t, strings.HasPrefix(msg, "dpop: "), msg)
			assert.Equal(t, 1, strings.Count(" "+msg, " dpop: "), "one dpop: prefix: %s", msg)
			if !tc.rootSaysJWTTwice {
				assert.Equal(t, 0, strings.Count(" "+msg, " jwt: "), "no jwt: prefix: %s", msg)
			}
		})
	}
}

// TestVerifyResult checks what a verified proof returns.
func TestVerifyResult(t *testing.T) {
	c := newClock()
	v := newVerifier(t, c, nil)
	prover := newProver(t, jwt.ES256, key("P-256"))
	proof, err := prover.NewProof(context.Background(), "POST", "https://api.example.com/token?x=1", &dpop.ProofOptions{IssuedAt: t0, Nonce: "n-1", AccessToken: testToken})
	require.NoError(t, err)
	p, err := v.Verify(context.Background(), proof, &dpop.Request{Method: "POST", URI: "https://api.example.com/token", AccessToken: testToken, JKT: prover.JKT()})
	require.NoError(t, err)
	assert.Equal(t, "ES256", p.Algorithm)
	assert.Equal(t, prover.JKT(), p.JKT)
	assert.Equal(t, mustThumbprint(t, key("P-256")), p.JKT)
	assert.Equal(t, "POST", p.Claims.Method)
	assert.Equal(t, "https://api.example.com/token", p.Claims.URI)
	assert.True(t, t0.Equal(p.Claims.IssuedAt.Time), p.Claims.IssuedAt)
	assert.Equal(t, "n-1", p.Claims.Nonce)
	assert.Equal(t, dpop.AccessTokenHash(testToken), p.Claims.AccessTokenHash)
	assert.Len(t, p.Claims.ID, 22)
	assert.NoError(t, p.CheckBinding(prover.JKT()))
	assert.ErrorIs(t, p.CheckBinding(""), dpop.ErrTokenBinding)
	assert.ErrorIs(t, p.CheckBinding(mustThumbprint(t, key("P-256b"))), dpop.ErrTokenBinding)
	// The public key of the proof is the prover's.
	want, err := json.Marshal(prover.PublicKey())
	require.NoError(t, err)
	got, err := json.Marshal(p.Key)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(got))
}

// TestVerifyWindow checks the edges of the iat window, default and set.
func TestVerifyWindow(t *testing.T) {
	hdr := es256Header(t)
	for _, tc := range []struct {
		name   string
		window time.Duration
		iat    int64 // seconds from the verifier's clock
		ok     bool
	}{
		{name: "now", iat: 0, ok: true},
		{name: "60 s ago", iat: -60, ok: true},
		{name: "61 s ago", iat: -61},
		{name: "in 60 s", iat: 60, ok: true},
		{name: "in 61 s", iat: 61},
		{name: "window 5 s, 5 s ago", window: 5 * time.Second, iat: -5, ok: true},
		{name: "window 5 s, 6 s ago", window: 5 * time.Second, iat: -6},
		{name: "window 5 s, in 6 s", window: 5 * time.Second, iat: 6},
		{name: "window 10 min, 600 s ago", window: dpop.MaxWindow, iat: -600, ok: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := newVerifier(t, newClock(), &dpop.Options{Window: tc.window})
			proof := forge(t, jwt.ES256, key("P-256"), hdr, proofClaims(map[string]any{"iat": t0.Unix() + tc.iat}))
			_, err := v.Verify(context.Background(), proof, request())
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, dpop.ErrStaleProof)
			}
		})
	}
	t.Run("a second past the edge, by the clock", func(t *testing.T) {
		c := newClock()
		v := newVerifier(t, c, nil)
		c.Add(60*time.Second + time.Millisecond)
		_, err := v.Verify(context.Background(), forge(t, jwt.ES256, key("P-256"), hdr, proofClaims(nil)), request())
		assert.ErrorIs(t, err, dpop.ErrStaleProof)
	})
}

// TestVerifyReplay checks that a proof is accepted once within its window,
// that the same jti for another htu is another proof, and that the cache
// forgets a proof only once it could no longer be accepted anyway.
func TestVerifyReplay(t *testing.T) {
	hdr := es256Header(t)
	ctx := context.Background()
	t.Run("replayed within the window", func(t *testing.T) {
		c := newClock()
		v := newVerifier(t, c, nil)
		proof := forge(t, jwt.ES256, key("P-256"), hdr, proofClaims(nil))
		_, err := v.Verify(ctx, proof, request())
		require.NoError(t, err)
		_, err = v.Verify(ctx, proof, request())
		assert.ErrorIs(t, err, dpop.ErrReplay)
		assert.ErrorIs(t, err, dpop.ErrInvalidProof)
		c.Add(59 * time.Second)
		_, err = v.Verify(ctx, proof, request())
		assert.ErrorIs(t, err, dpop.ErrReplay)
	})
	t.Run("same jti, another htu", func(t *testing.T) {
		v := newVerifier(t, newClock(), nil)
		_, err := v.Verify(ctx, forge(t, jwt.ES256, key("P-256"), hdr, proofClaims(nil)), request())
		require.NoError(t, err)
		other := "https://api.example.com/other"
		_, err = v.Verify(ctx, forge(t, jwt.ES256, key("P-256"), hdr, proofClaims(map[string]any{"htu": other})), &dpop.Request{Method: "GET", URI: other})
		assert.NoError(t, err)
	})
	t.Run("same htu after normalization is the same proof", func(t *testing.T) {
		v := newVerifier(t, newClock(), nil)
		_, err := v.Verify(ctx, forge(t, jwt.ES256, key("P-256"), hdr, proofClaims(nil)), request())
		require.NoError(t, err)
		_, err = v.Verify(ctx, forge(t, jwt.ES256, key("P-256"), hdr, proofClaims(map[string]any{"htu": "https://API.example.com:443/resource"})), request())
		assert.ErrorIs(t, err, dpop.ErrReplay)
	})
	t.Run("a failed proof is not remembered", func(t *testing.T) {
		v := newVerifier(t, newClock(), nil)
		proof := forge(t, jwt.ES256, key("P-256"), hdr, proofClaims(nil))
		_, err := v.Verify(ctx, proof, &dpop.Request{Method: "POST", URI: testURI})
		require.ErrorIs(t, err, dpop.ErrMethodMismatch)
		_, err = v.Verify(ctx, proof, request())
		assert.NoError(t, err)
	})
	t.Run("a proof from the future edge is refused to its last instant", func(t *testing.T) {
		// iat = now + 60 s is accepted now and until now + 120 s; the cache
		// must remember it that long, both ends included.
		c := newClock()
		v := newVerifier(t, c, nil)
		proof := forge(t, jwt.ES256, key("P-256"), hdr, proofClaims(map[string]any{"iat": t0.Unix() + 60}))
		_, err := v.Verify(ctx, proof, request())
		require.NoError(t, err)
		c.Add(120 * time.Second)
		_, err = v.Verify(ctx, proof, request())
		assert.ErrorIs(t, err, dpop.ErrReplay)
		c.Add(time.Second)
		_, err = v.Verify(ctx, proof, request())
		assert.ErrorIs(t, err, dpop.ErrStaleProof)
	})
	t.Run("after the window the jti may be used again", func(t *testing.T) {
		c := newClock()
		v := newVerifier(t, c, nil)
		_, err := v.Verify(ctx, forge(t, jwt.ES256, key("P-256"), hdr, proofClaims(nil)), request())
		require.NoError(t, err)
		c.Add(121 * time.Second)
		later := forge(t, jwt.ES256, key("P-256"), hdr, proofClaims(map[string]any{"iat": c.Now().Unix()}))
		_, err = v.Verify(ctx, later, request())
		assert.NoError(t, err)
		_, err = v.Verify(ctx, later, request())
		assert.ErrorIs(t, err, dpop.ErrReplay)
	})
	t.Run("a shared cache refuses on every verifier", func(t *testing.T) {
		c := newClock()
		shared := dpop.NewMemoryReplayCache(&dpop.MemoryReplayCacheOptions{Now: c.Now})
		a := newVerifier(t, c, &dpop.Options{ReplayCache: shared})
		b := newVerifier(t, c, &dpop.Options{ReplayCache: shared})
		proof := forge(t, jwt.ES256, key("P-256"), hdr, proofClaims(nil))
		_, err := a.Verify(ctx, proof, request())
		require.NoError(t, err)
		_, err = b.Verify(ctx, proof, request())
		assert.ErrorIs(t, err, dpop.ErrReplay)
	})
	t.Run("a failing cache refuses the proof", func(t *testing.T) {
		v := newVerifier(t, newClock(), &dpop.Options{ReplayCache: failingCache{}})
		_, err := v.Verify(ctx, forge(t, jwt.ES256, key("P-256"), hdr, proofClaims(nil)), request())
		assert.ErrorIs(t, err, dpop.ErrReplayCache)
		assert.NotErrorIs(t, err, dpop.ErrInvalidProof)
		assert.Equal(t, "", errorCode(err))
	})
}

type failingCache struct{}

func (failingCache) Remember(context.Context, string, time.Duration) (bool, error) {
	return false, errors.New("cache down")
}

// TestVerifyNonce checks the server nonce (RFC 9449 §8, §9, check 10).
func TestVerifyNonce(t *testing.T) {
	hdr := es256Header(t)
	ctx := context.Background()
	c := newClock()
	nonces, err := dpop.NewHMACNonces([]byte(strings.Repeat("s", 32)), &dpop.HMACNonceOptions{Period: time.Minute, Now: c.Now})
	require.NoError(t, err)
	nonce, err := nonces.Nonce(ctx)
	require.NoError(t, err)
	other, err := dpop.NewHMACNonces([]byte(strings.Repeat("o", 32)), &dpop.HMACNonceOptions{Now: c.Now})
	require.NoError(t, err)
	foreign, err := other.Nonce(ctx)
	require.NoError(t, err)
	v := newVerifier(t, c, &dpop.Options{Nonces: nonces})

	for _, tc := range []struct {
		name  string
		nonce any
		ok    bool
	}{
		{name: "no nonce"},
		{name: "empty nonce", nonce: ""},
		{name: "made up", nonce: "made-up"},
		{name: "another server's", nonce: foreign},
		{name: "tampered", nonce: nonce[:len(nonce)-1] + map[bool]string{true: "A", false: "B"}[nonce[len(nonce)-1] != 'A']},
		{name: "control: the server's", nonce: nonce, ok: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			edit := map[string]any{"jti": "jti-" + tc.name}
			if tc.nonce != nil {
				edit["nonce"] = tc.nonce
			}
			_, err := v.Verify(ctx, forge(t, jwt.ES256, key("P-256"), hdr, proofClaims(edit)), request())
			if tc.ok {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, dpop.ErrUseNonce)
			assert.ErrorIs(t, err, dpop.ErrInvalidProof)
			assert.Equal(t, oauth.UseDPoPNonce, errorCode(err))
		})
	}
	t.Run("expired", func(t *testing.T) {
		c.Add(2 * time.Minute) // two periods later
		proof := forge(t, jwt.ES256, key("P-256"), hdr, proofClaims(map[string]any{"jti": "jti-expired", "nonce": nonce, "iat": c.Now().Unix()}))
		_, err := v.Verify(ctx, proof, request())
		assert.ErrorIs(t, err, dpop.ErrUseNonce)
		assert.ErrorIs(t, err, dpop.ErrInvalidNonce)
	})
}

// TestVerifyRequest checks VerifyRequest's reading of an http.Request:
// the one DPoP header, the method, and the URI from the connection or
// ExternalURL.
func TestVerifyRequest(t *testing.T) {
	ctx := context.Background()
	prover := newProver(t, jwt.ES256, key("P-256"))
	proofFor := func(method, uri string) string {
		p, err := prover.NewProof(ctx, method, uri, &dpop.ProofOptions{IssuedAt: t0})
		require.NoError(t, err)
		return p
	}
	newRequest := func(method, target string, proofs ...string) *http.Request {
		r, err := http.NewRequest(method, target, nil)
		require.NoError(t, err)
		r.RequestURI = r.URL.RequestURI()
		for _, p := range proofs {
			r.Header.Add("dpop", p) // any case
		}
		return r
	}
	t.Run("control", func(t *testing.T) {
		v := newVerifier(t, newClock(), nil)
		_, err := v.VerifyRequest(ctx, newRequest("GET", "http://api.example.com/resource?q=1", proofFor("GET", "http://api.example.com/resource")), "", "")
		assert.NoError(t, err)
	})
	t.Run("no DPoP header", func(t *testing.T) {
		v := newVerifier(t, newClock(), nil)
		_, err := v.VerifyRequest(ctx, newRequest("GET", "http://api.example.com/resource"), "", "")
		assert.ErrorIs(t, err, dpop.ErrMissingProof)
		assert.Equal(t, oauth.InvalidDPoPProof, errorCode(err))
	})
	t.Run("two DPoP headers", func(t *testing.T) {
		v := newVerifier(t, newClock(), nil)
		p := proofFor("GET", "http://api.example.com/resource")
		_, err := v.VerifyRequest(ctx, newRequest("GET", "http://api.example.com/resource", p, p), "", "")
		assert.ErrorIs(t, err, dpop.ErrMultipleProofs)
	})
	t.Run("behind a proxy, without ExternalURL", func(t *testing.T) {
		v := newVerifier(t, newClock(), nil)
		r := newRequest("GET", "http://backend:8080/resource", proofFor("GET", "https://api.example.com/resource"))
		_, err := v.VerifyRequest(ctx, r, "", "")
		assert.ErrorIs(t, err, dpop.ErrURIMismatch)
	})
	t.Run("behind a proxy, with ExternalURL", func(t *testing.T) {
		v := newVerifier(t, newClock(), &dpop.Options{ExternalURL: "https://API.example.com:443/"})
		r := newRequest("GET", "http://backend:8080/resource", proofFor("GET", "https://api.example.com/resource"))
		r.Header.Set("X-Forwarded-Host", "evil.example.com")
		_, err := v.VerifyRequest(ctx, r, "", "")
		assert.NoError(t, err)
		got, err := dpop.RequestURI(v, r)
		require.NoError(t, err)
		assert.Equal(t, "https://api.example.com/resource", got)
	})
	t.Run("ExternalURL with a path prefix", func(t *testing.T) {
		v := newVerifier(t, newClock(), &dpop.Options{ExternalURL: "https://example.com/api"})
		r := newRequest("DELETE", "http://backend/items/1", proofFor("DELETE", "https://example.com/api/items/1"))
		_, err := v.VerifyRequest(ctx, r, "", "")
		assert.NoError(t, err)
	})
	t.Run("under StripPrefix, the client's path counts", func(t *testing.T) {
		v := newVerifier(t, newClock(), &dpop.Options{ExternalURL: "https://api.example.com"})
		r := newRequest("GET", "http://backend/v1/resource", proofFor("GET", "https://api.example.com/v1/resource"))
		var err error
		http.StripPrefix("/v1", http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			_, err = v.VerifyRequest(ctx, r, "", "")
		})).ServeHTTP(nil, r)
		assert.NoError(t, err)
	})
	t.Run("access token and binding", func(t *testing.T) {
		v := newVerifier(t, newClock(), nil)
		p, err := prover.NewProof(ctx, "GET", "http://api.example.com/me", &dpop.ProofOptions{IssuedAt: t0, AccessToken: testToken})
		require.NoError(t, err)
		_, err = v.VerifyRequest(ctx, newRequest("GET", "http://api.example.com/me", p), testToken, prover.JKT())
		assert.NoError(t, err)
		p, err = prover.NewProof(ctx, "GET", "http://api.example.com/me", &dpop.ProofOptions{IssuedAt: t0, AccessToken: testToken})
		require.NoError(t, err)
		_, err = v.VerifyRequest(ctx, newRequest("GET", "http://api.example.com/me", p), "another-token", prover.JKT())
		assert.ErrorIs(t, err, dpop.ErrAccessTokenHash)
	})
}

// TestSingleProof checks RFC 9449 §4.3 check 1.
func TestSingleProof(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values []string
		want   error
	}{
		{name: "control: one", values: []string{"a.b.c"}},
		{name: "control: one with spaces", values: []string{" a.b.c "}},
		{name: "none", values: nil, want: dpop.ErrMissingProof},
		{name: "empty", values: []string{""}, want: dpop.ErrMissingProof},
		{name: "blank", values: []string{" \t"}, want: dpop.ErrMissingProof},
		{name: "two", values: []string{"a.b.c", "d.e.f"}, want: dpop.ErrMultipleProofs},
		{name: "two joined", values: []string{"a.b.c, d.e.f"}, want: dpop.ErrMultipleProofs},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := dpop.SingleProof(tc.values)
			if tc.want == nil {
				assert.NoError(t, err)
				assert.Equal(t, "a.b.c", p)
				return
			}
			assert.ErrorIs(t, err, tc.want)
			assert.ErrorIs(t, err, dpop.ErrInvalidProof)
		})
	}
	h := http.Header{}
	h.Add("Dpop", "x.y.z")
	p, err := dpop.HeaderProof(h)
	assert.NoError(t, err)
	assert.Equal(t, "x.y.z", p)
}

// TestNewVerifierOptions checks that options that cannot be honoured are
// errors.
func TestNewVerifierOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts dpop.Options
	}{
		{name: "HS256 allowed", opts: dpop.Options{Algorithms: []jwt.Algorithm{jwt.ES256, jwt.HS256}}},
		{name: "nil algorithm", opts: dpop.Options{Algorithms: []jwt.Algorithm{nil}}},
		{name: "no algorithm", opts: dpop.Options{Algorithms: []jwt.Algorithm{}}},
		{name: "invalid ES constant", opts: dpop.Options{Algorithms: []jwt.Algorithm{jwt.ECDSAAlgorithm(1)}}},
		{name: "window too long", opts: dpop.Options{Window: dpop.MaxWindow + time.Second}},
		{name: "negative window", opts: dpop.Options{Window: -time.Second}},
		{name: "negative size", opts: dpop.Options{MaxSize: -1}},
		{name: "ExternalURL with a query", opts: dpop.Options{ExternalURL: "https://api.example.com/?x"}},
		{name: "ExternalURL not http", opts: dpop.Options{ExternalURL: "ftp://api.example.com"}},
		{name: "ExternalURL relative", opts: dpop.Options{ExternalURL: "/api"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := dpop.NewVerifier(&tc.opts)
			assert.ErrorIs(t, err, jwt.ErrInvalidOption)
		})
	}
	v, err := dpop.NewVerifier(nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"ES256", "ES384", "ES512", "EdDSA", "PS256", "PS384", "PS512", "RS256", "RS384", "RS512"}, v.Algorithms())
	v, err = dpop.NewVerifier(&dpop.Options{Algorithms: []jwt.Algorithm{jwt.EdDSA, jwt.ES256}})
	require.NoError(t, err)
	assert.Equal(t, []string{"EdDSA", "ES256"}, v.Algorithms())
	_, err = v.Verify(context.Background(), "x", nil)
	assert.ErrorIs(t, err, jwt.ErrInvalidOption)
}
