package jwt

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rfcEntry is an entry of testdata/rfc_vectors.json with every field this
// test reads (see testdata/README.md for the source of each entry).
type rfcEntry struct {
	Name               string          `json:"name"`
	Source             string          `json:"source"`
	Type               string          `json:"type"`
	Alg                string          `json:"alg"`
	Token              *string         `json:"token"`
	Key                json.RawMessage `json:"key"`
	ExpectedHeader     map[string]any  `json:"expected_header"`
	ExpectedPayload    *string         `json:"expected_payload"`
	ExpectedClaims     map[string]any  `json:"expected_claims"`
	DetachedPayload    *string         `json:"detached_payload"`
	JWSJSONFlattened   json.RawMessage `json:"jws_json_flattened"`
	JWSJSONGeneral     json.RawMessage `json:"jws_json_general"`
	Expect             string          `json:"expect"`
	ExpectedThumbprint string          `json:"expected_thumbprint"`
	CanonicalJSON      string          `json:"canonical_json"`
}

// Outcomes of an RFC vector in this package.
const (
	rfcValid       = "valid"       // verifies, with the RFC's header and payload
	rfcInvalid     = "invalid"     // rejected, as the RFC (or the derivation) says
	rfcUnsupported = "unsupported" // a valid JWS in a form this package rejects by design
	rfcThumbprint  = "thumbprint"  // an RFC 7638 thumbprint to reproduce
)

// rfcVectorCases says what this package does with each of the 22 entries.
var rfcVectorCases = map[string]struct {
	outcome string
	want    error  // the sentinel of the rejection
	claimAt int64  // if set, also Verify as a JWT with this clock (Unix seconds)
	why     string // for rejections: the reason, as listed in the log
}{
	"rfc7515-A.1-HS256":          {outcome: rfcValid, claimAt: 1300819379},
	"rfc7519-3.1-example-JWT":    {outcome: rfcValid, claimAt: 1300819379},
	"rfc7515-A.2-RS256":          {outcome: rfcValid, claimAt: 1300819379},
	"rfc7515-A.3-ES256":          {outcome: rfcValid, claimAt: 1300819379},
	"rfc7515-A.4-ES512":          {outcome: rfcValid},
	"rfc7515-A.5-unsecured-none": {outcome: rfcInvalid, want: ErrUnsupportedAlgorithm, why: `"alg":"none" is never accepted`},
	"rfc7515-E-crit-negative":    {outcome: rfcInvalid, want: ErrUnsupportedCritical, why: `"crit" names an extension that is not understood`},
	"rfc7520-4.1-RS256":          {outcome: rfcValid},
	"rfc7520-4.2-PS384":          {outcome: rfcValid},
	"rfc7520-4.3-ES512":          {outcome: rfcValid},
	"rfc7520-4.4-HS256":          {outcome: rfcValid},
	"rfc7520-4.5-HS256-detached": {outcome: rfcUnsupported, want: ErrInvalidSignature,
		why: "detached payload: the empty payload segment is verified as an empty payload, never as \"no payload\""},
	"rfc7520-4.5-detached-without-payload": {outcome: rfcInvalid, want: ErrInvalidSignature,
		why: "the MAC covers a payload that the token does not carry"},
	"rfc7520-4.6-HS256-json-protected+unprotected": {outcome: rfcUnsupported, want: ErrMalformed,
		why: "JWS JSON serialization (only compact JWS is read)"},
	"rfc7520-4.6-as-compact": {outcome: rfcValid},
	"rfc7520-4.7-HS256-json-unprotected-only": {outcome: rfcUnsupported, want: ErrMalformed,
		why: "JWS JSON serialization with an unprotected header"},
	"rfc7520-4.7-as-compact-empty-header": {outcome: rfcInvalid, want: ErrMalformed,
		why: "empty protected header: no alg"},
	"rfc8037-A.4-EdDSA-Ed25519": {outcome: rfcValid},
	"rfc7797-4.1-HS256-control": {outcome: rfcValid},
	"rfc7797-4.2-HS256-b64false-detached": {outcome: rfcUnsupported, want: ErrUnsupportedCritical,
		why: `"b64":false (RFC 7797 unencoded payload) and detached payload`},
	"rfc7638-3.1-RSA-thumbprint":     {outcome: rfcThumbprint},
	"rfc8037-A.3-Ed25519-thumbprint": {outcome: rfcThumbprint},
}

func loadRFCEntries(t *testing.T) []rfcEntry {
	t.Helper()
	b, err := os.ReadFile("testdata/rfc_vectors.json")
	require.NoError(t, err)
	var es []rfcEntry
	require.NoError(t, json.Unmarshal(b, &es))
	return es
}

// rfcKey parses an entry's JWK with the package's parser and binds it to
// alg (nil: to the JWK's "alg").
func rfcKey(t *testing.T, e *rfcEntry, alg Algorithm) (*JWK, Verifier) {
	t.Helper()
	k, err := ParseJWK(e.Key)
	require.NoError(t, err)
	v, err := k.Verifier(alg)
	require.NoError(t, err)
	return k, v
}

// rfcA1Verifier is the RFC 7515 A.1 HMAC key, used to present the "none"
// vectors (which have no key) to a real verifier.
func rfcA1Verifier(t *testing.T, es []rfcEntry) Verifier {
	t.Helper()
	for i := range es {
		if es[i].Name == "rfc7515-A.1-HS256" {
			_, v := rfcKey(t, &es[i], HS256)
			return v
		}
	}
	t.Fatal("no RFC 7515 A.1 entry")
	return nil
}

func TestRFCVectorsAll(t *testing.T) {
	es := loadRFCEntries(t)
	require.Len(t, es, len(rfcVectorCases), "every entry has a decided outcome")
	a1 := rfcA1Verifier(t, es)
	count := map[string]int{}
	for i := range es {
		e := &es[i]
		tc, ok := rfcVectorCases[e.Name]
		require.True(t, ok, "entry %q has no decided outcome", e.Name)
		count[tc.outcome]++
		if tc.outcome == rfcUnsupported {
			t.Logf("unsupported by design: %s (%s): rejected with %v: %s", e.Name, e.Source, tc.want, tc.why)
		}
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			switch tc.outcome {
			case rfcThumbprint:
				k, err := ParseJWK(e.Key)
				require.NoError(t, err)
				got, err := k.Thumbprint(crypto.SHA256)
				require.NoError(t, err)
				assert.Equal(t, e.ExpectedThumbprint, string(appendEncode(nil, got)))
				in, err := thumbprintInput(k.Key)
				require.NoError(t, err)
				assert.Equal(t, e.CanonicalJSON, string(in))
			case rfcValid:
				rfcCheckValid(t, e, tc.claimAt)
			default:
				rfcCheckRejected(t, e, a1, tc.want)
			}
		})
	}
	assert.Equal(t, map[string]int{rfcValid: 12, rfcInvalid: 4, rfcUnsupported: 4, rfcThumbprint: 2}, count)
	t.Logf("RFC vectors: %d valid, %d invalid (rejected), %d unsupported by design (rejected), %d thumbprints",
		count[rfcValid], count[rfcInvalid], count[rfcUnsupported], count[rfcThumbprint])
}

func rfcCheckValid(t *testing.T, e *rfcEntry, claimAt int64) {
	require.Equal(t, rfcValid, e.Expect)
	require.NotNil(t, e.Token)
	alg, err := AlgorithmByName(e.Alg)
	require.NoError(t, err)
	k, v := rfcKey(t, e, alg)
	tok := *e.Token

	j, err := VerifyJWS(bg, tok, v, nil)
	require.NoError(t, err)
	require.NotNil(t, e.ExpectedPayload)
	assert.Equal(t, *e.ExpectedPayload, string(j.Payload))
	assert.Equal(t, e.ExpectedHeader["alg"], j.Header.Algorithm)
	assert.Equal(t, rfcStr(e.ExpectedHeader["kid"]), j.Header.KeyID)
	assert.Equal(t, rfcStr(e.ExpectedHeader["typ"]), j.Header.Type)

	u, err := ParseUnverified(tok, 0)
	require.NoError(t, err)
	assert.Equal(t, j.Payload, u.Payload)

	// Deterministic algorithms reproduce the RFC's signature exactly.
	if k.IsPrivate() && !strings.HasPrefix(e.Alg, "ES") && !strings.HasPrefix(e.Alg, "PS") {
		s, err := k.Signer(alg)
		require.NoError(t, err)
		sig, err := s.Sign(context.Background(), []byte(u.SigningInput))
		require.NoError(t, err)
		assert.True(t, bytes.Equal(u.Signature, sig), "re-signed signature differs")
	}
	// So does a signature made now, verified with the RFC's key.
	if k.IsPrivate() {
		s, err := k.Signer(alg)
		require.NoError(t, err)
		mine, err := SignJWS(context.Background(), s, j.Payload, nil)
		require.NoError(t, err)
		got, err := VerifyJWS(bg, mine, v, nil)
		require.NoError(t, err)
		assert.Equal(t, j.Payload, got.Payload)
	}

	if claimAt == 0 {
		// Not a claims set: Verify refuses it as a JWT.
		if !json.Valid(j.Payload) {
			_, err = Verify[map[string]any](bg, tok, v, &VerifyOptions{AllowMissingExpiration: true})
			assert.ErrorIs(t, err, ErrMalformed)
		}
		return
	}
	then := func() time.Time { return time.Unix(claimAt, 0) }
	jwt, err := Verify[map[string]any](bg, tok, v, &VerifyOptions{Now: then})
	require.NoError(t, err)
	assert.Equal(t, "joe", jwt.Claims["iss"])
	assert.Equal(t, true, jwt.Claims["http://example.com/is_root"])
	if e.ExpectedClaims != nil {
		assert.Equal(t, e.ExpectedClaims, jwt.Claims)
	}
	rc, err := Verify[RegisteredClaims](bg, tok, v, &VerifyOptions{Now: then})
	require.NoError(t, err)
	assert.Equal(t, int64(1300819380), rc.Claims.ExpiresAt.Unix())
	// One second at exp, and at the current time, the 2011 token is expired.
	at := func() time.Time { return time.Unix(1300819380, 0) }
	_, err = Verify[map[string]any](bg, tok, v, &VerifyOptions{Now: at})
	assert.ErrorIs(t, err, ErrExpired)
	_, err = Verify[map[string]any](bg, tok, v, nil)
	assert.ErrorIs(t, err, ErrExpired)
	assert.NotErrorIs(t, err, ErrInvalidSignature)
}

func rfcCheckRejected(t *testing.T, e *rfcEntry, a1 Verifier, want error) {
	require.NotNil(t, want)
	verifiers := []Verifier{a1}
	if len(e.Key) > 0 && string(e.Key) != "null" {
		var alg Algorithm // nil: the JWK's own "alg" (4.7 has no header alg)
		if e.Alg != "" {
			var err error
			alg, err = AlgorithmByName(e.Alg)
			require.NoError(t, err)
		}
		_, v := rfcKey(t, e, alg)
		verifiers = append(verifiers, v)
	}
	var tokens []string
	if e.Token != nil {
		tokens = append(tokens, *e.Token)
	}
	// JSON serializations, presented as they are.
	for _, js := range []json.RawMessage{e.JWSJSONFlattened, e.JWSJSONGeneral} {
		if len(js) > 0 && e.Token == nil {
			tokens = append(tokens, string(js))
		}
	}
	require.NotEmpty(t, tokens)
	for _, tok := range tokens {
		for _, v := range verifiers {
			_, err := VerifyJWS(bg, tok, v, nil)
			assert.ErrorIs(t, err, want)
			_, err = Verify[map[string]any](bg, tok, v, &VerifyOptions{Now: func() time.Time { return time.Unix(1300819379, 0) }, Critical: []string{"b64"}})
			assert.ErrorIs(t, err, want, "also as a JWT, and with b64 listed as understood")
		}
	}
	if e.DetachedPayload != nil && e.Token != nil && want == ErrInvalidSignature {
		// Proof that only the detachment fails: with the payload put
		// back, the same signature verifies.
		h, rest, _ := strings.Cut(*e.Token, ".")
		attached := h + "." + string(appendEncode(nil, []byte(*e.DetachedPayload))) + rest
		_, err := VerifyJWS(bg, attached, verifiers[len(verifiers)-1], nil)
		assert.NoError(t, err)
	}
}

func rfcStr(v any) string {
	s, _ := v.(string)
	return s
}

// rfcVector is an entry of testdata/rfc_vectors.json.
type rfcVector struct {
	Name            string          `json:"name"`
	Source          string          `json:"source"`
	Alg             string          `json:"alg"`
	Token           string          `json:"token"`
	Key             json.RawMessage `json:"key"`
	ExpectedPayload string          `json:"expected_payload"`
	Expect          string          `json:"expect"`
	Type            string          `json:"type"`
}

func loadRFCVectors(t *testing.T) []rfcVector {
	t.Helper()
	b, err := os.ReadFile("testdata/rfc_vectors.json")
	require.NoError(t, err)
	var vs []rfcVector
	require.NoError(t, json.Unmarshal(b, &vs))
	return vs
}

// testPublicKey builds a public key from a JWK, by hand, so that the core's
// tests do not depend on the JWK code.
func testPublicKey(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	var k struct{ Kty, Crv, K, N, E, X, Y string }
	require.NoError(t, json.Unmarshal(raw, &k))
	b := func(s string) []byte {
		v, err := base64.RawURLEncoding.DecodeString(s)
		require.NoError(t, err)
		return v
	}
	switch k.Kty {
	case "oct":
		return b(k.K)
	case "RSA":
		return &rsa.PublicKey{N: new(big.Int).SetBytes(b(k.N)), E: int(new(big.Int).SetBytes(b(k.E)).Int64())}
	case "EC":
		c := map[string]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521()}[k.Crv]
		pub, err := ecdsa.ParseUncompressedPublicKey(c, append(append([]byte{4}, b(k.X)...), b(k.Y)...))
		require.NoError(t, err)
		return pub
	case "OKP":
		return ed25519.PublicKey(b(k.X))
	}
	t.Fatalf("kty %q", k.Kty)
	return nil
}

func TestRFCVectors(t *testing.T) {
	// RFC 7515 App. A.1–A.4 and RFC 7519 §3.1, verified exactly with a
	// clock before their 2011 exp.
	ran := 0
	for _, vec := range loadRFCVectors(t) {
		switch vec.Name {
		case "rfc7515-A.1-HS256", "rfc7519-3.1-example-JWT", "rfc7515-A.2-RS256", "rfc7515-A.3-ES256", "rfc7515-A.4-ES512":
		default:
			continue
		}
		ran++
		t.Run(vec.Name, func(t *testing.T) {
			alg, err := AlgorithmByName(vec.Alg)
			require.NoError(t, err)
			v, err := alg.NewVerifier(testPublicKey(t, vec.Key))
			require.NoError(t, err)
			j, err := VerifyJWS(bg, vec.Token, v, nil)
			require.NoError(t, err)
			assert.Equal(t, vec.ExpectedPayload, string(j.Payload))
			if vec.Name == "rfc7515-A.4-ES512" {
				_, err = Verify[map[string]any](bg, vec.Token, v, nil)
				assert.ErrorIs(t, err, ErrMalformed, "the A.4 payload is not a claims set")
				return
			}

			then := func() time.Time { return time.Unix(1300819379, 0) }
			tok, err := Verify[map[string]any](bg, vec.Token, v, &VerifyOptions{Now: then})
			require.NoError(t, err)
			assert.Equal(t, "joe", tok.Claims["iss"])
			assert.Equal(t, true, tok.Claims["http://example.com/is_root"])

			_, err = Verify[map[string]any](bg, vec.Token, v, nil)
			assert.ErrorIs(t, err, ErrExpired, "at the current time the 2011 token is expired")
		})
	}
	assert.Equal(t, 5, ran)
	t.Logf("RFC vectors run: %d", ran)
}
