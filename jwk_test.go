package jwt_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwt "github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwks"
)

// keysVector is one entry of testdata/rfc_vectors.json.
type keysVector struct {
	Name               string          `json:"name"`
	Source             string          `json:"source"`
	Type               string          `json:"type"`
	Alg                string          `json:"alg"`
	Token              *string         `json:"token"`
	Key                json.RawMessage `json:"key"`
	PublicKey          json.RawMessage `json:"public_key"`
	Expect             string          `json:"expect"`
	DetachedPayload    *string         `json:"detached_payload"`
	CanonicalJSON      string          `json:"canonical_json"`
	ExpectedThumbprint string          `json:"expected_thumbprint"`
}

func keysLoadVectors(t *testing.T) []keysVector {
	t.Helper()
	data, err := os.ReadFile("testdata/rfc_vectors.json")
	require.NoError(t, err)
	var vs []keysVector
	require.NoError(t, json.Unmarshal(data, &vs))
	require.NotEmpty(t, vs)
	return vs
}

func keysReadFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return data
}

func keysB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	require.NoError(t, err)
	return b
}

// keysVerifyCompact checks the signature of a compact JWS with v alone,
// without the core's header and claim rules.
func keysVerifyCompact(t *testing.T, v jwt.Verifier, token string) error {
	t.Helper()
	i := strings.LastIndexByte(token, '.')
	require.Positive(t, i)
	return v.Verify([]byte(token[:i]), keysB64(t, token[i+1:]))
}

// keysJSONEqual reports whether a and b hold equal JSON values.
func keysJSONEqual(t *testing.T, a, b []byte) {
	t.Helper()
	var va, vb any
	require.NoError(t, json.Unmarshal(a, &va), "%s", a)
	require.NoError(t, json.Unmarshal(b, &vb), "%s", b)
	assert.Equal(t, va, vb)
}

// The JWS vectors of RFC 7515, RFC 7520 and RFC 8037: their keys parse, the
// tokens verify with the private and the public JWK, and the keys re-encode
// to the same members.
func TestJWKRFCVectors(t *testing.T) {
	for _, vec := range keysLoadVectors(t) {
		if vec.Type != "jws" || vec.Expect != "valid" || vec.Token == nil || len(vec.Key) == 0 || string(vec.Key) == "null" {
			continue
		}
		token := *vec.Token
		if strings.Contains(token, "..") {
			continue // detached payload
		}
		t.Run(vec.Name, func(t *testing.T) {
			t.Parallel()
			alg, err := jwt.AlgorithmByName(vec.Alg)
			require.NoError(t, err)

			k, err := jwt.ParseJWK(vec.Key)
			require.NoError(t, err)
			out, err := k.MarshalPrivateJSON()
			require.NoError(t, err)
			keysJSONEqual(t, vec.Key, out)

			v, err := k.Verifier(alg)
			require.NoError(t, err)
			require.NoError(t, keysVerifyCompact(t, v, token))
			ks, err := jwt.NewKeySet(v)
			require.NoError(t, err)
			_, err = jwt.VerifyJWS(ctx, token, ks, nil)
			require.NoError(t, err)

			// Tamper with the signing input.
			assert.ErrorIs(t, keysVerifyCompact(t, v, "x"+token), jwt.ErrInvalidSignature)

			if len(vec.PublicKey) > 0 && string(vec.PublicKey) != "null" {
				pk, err := jwt.ParseJWK(vec.PublicKey)
				require.NoError(t, err)
				assert.False(t, pk.IsPrivate())
				pv, err := pk.Verifier(alg)
				require.NoError(t, err)
				require.NoError(t, keysVerifyCompact(t, pv, token))
				pub, err := json.Marshal(k)
				require.NoError(t, err)
				keysJSONEqual(t, vec.PublicKey, pub)

				// Sign anew with the private JWK, verify with the public one.
				s, err := k.Signer(alg)
				require.NoError(t, err)
				input := []byte("eyJhbGciOiJub25lIn0.cGF5bG9hZA")
				sig, err := s.Sign(context.Background(), input)
				require.NoError(t, err)
				require.NoError(t, pv.Verify(input, sig))
			}
		})
	}
}

// keysGenerated returns a fresh private JWK for each algorithm, reusing
// RSA keys so the test stays fast.
func keysGenerated(t *testing.T) map[string]*jwt.JWK {
	t.Helper()
	out := make(map[string]*jwt.JWK)
	var rsaKey any
	for _, alg := range jwt.Algorithms() {
		var key any
		var err error
		switch alg.(type) {
		case jwt.RSAAlgorithm, jwt.RSAPSSAlgorithm:
			if rsaKey == nil {
				var k *jwt.JWK
				k, err = jwt.GenerateKey(jwt.RS256)
				require.NoError(t, err)
				rsaKey = k.Key
			}
			key = rsaKey
		default:
			var k *jwt.JWK
			k, err = jwt.GenerateKey(alg)
			require.NoError(t, err)
			key = k.Key
		}
		k, err := jwt.NewJWK(key)
		require.NoError(t, err)
		k.Algorithm = alg.Name()
		require.NoError(t, k.SetThumbprintKeyID())
		k.KeyID += "-" + alg.Name()
		out[alg.Name()] = k
	}
	return out
}

// How a JWK's alg, use and key_ops bind what it builds.
func TestJWKBinding(t *testing.T) {
	keys := keysGenerated(t)
	ps := *keys["PS256"]
	ps.KeyID = "ps"

	_, err := ps.Verifier(jwt.RS256)
	assert.ErrorIs(t, err, jwt.ErrAlgorithmMismatch)
	_, err = ps.Signer(jwt.RS256)
	assert.ErrorIs(t, err, jwt.ErrAlgorithmMismatch)
	v, err := ps.Verifier(jwt.PS256)
	require.NoError(t, err)
	assert.Equal(t, "PS256", v.Algorithm())

	noAlg := ps
	noAlg.Algorithm = ""
	_, err = noAlg.Verifier(nil)
	assert.ErrorIs(t, err, jwt.ErrInvalidKey)
	assert.ErrorContains(t, err, `no "alg"`)
	v, err = noAlg.Verifier(jwt.RS384)
	require.NoError(t, err)
	assert.Equal(t, "RS384", v.Algorithm())
	_, err = noAlg.Verifier(jwt.ES256)
	assert.ErrorIs(t, err, jwt.ErrInvalidKey, "an RSA key does not fit ES256")
	_, err = noAlg.Verifier(jwt.HS256)
	assert.ErrorIs(t, err, jwt.ErrInvalidKey, "an RSA key does not fit HS256")

	enc := ps
	enc.Use = "enc"
	_, err = enc.Verifier(nil)
	assert.ErrorIs(t, err, jwt.ErrKeyUsage)

	ops := ps
	ops.KeyOps = []string{"sign"}
	_, err = ops.Verifier(nil)
	assert.ErrorIs(t, err, jwt.ErrKeyUsage)
	_, err = ops.Signer(nil)
	assert.NoError(t, err)
	ops.KeyOps = []string{"verify"}
	_, err = ops.Signer(nil)
	assert.ErrorIs(t, err, jwt.ErrKeyUsage)

	var nilKey jwt.JWK
	_, err = nilKey.Verifier(jwt.HS256)
	assert.ErrorIs(t, err, jwt.ErrInvalidKey)

	// A JWK's alg must fit its key when written, too.
	es := *keys["ES256"]
	es.Algorithm = "ES384"
	_, err = json.Marshal(&es)
	assert.ErrorIs(t, err, jwt.ErrInvalidKey)
	es.Algorithm = "ES256"
	es.KeyType = "RSA"
	_, err = json.Marshal(&es)
	assert.ErrorIs(t, err, jwt.ErrInvalidKey)
}

// JWK Sets: unusable keys are skipped and reported, duplicate kids and
// private keys in a public set are errors.
func TestJWKSet(t *testing.T) {
	keys := keysGenerated(t)
	pubJSON := func(name, kid string, noAlg bool) string {
		k := keys[name].Public()
		k.KeyID = kid
		if noAlg {
			k.Algorithm = ""
		}
		b, err := json.Marshal(k)
		require.NoError(t, err)
		return string(b)
	}
	es := pubJSON("ES256", "es", false)
	rs := pubJSON("RS256", "rs", true)
	ed := pubJSON("EdDSA", "ed", false)

	t.Run("provider set", func(t *testing.T) {
		data := `{"keys":[` + es + `,` + rs + `,` + ed + `,
			{"kty":"EC","crv":"secp256k1","kid":"k1","x":"AAAA","y":"AAAA"},
			{"kty":"OKP","crv":"X25519","kid":"x","x":"hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo","use":"enc"},
			{"kty":"RSA","kid":"oaep","use":"enc","alg":"RSA-OAEP","n":"AQAB","e":"AQAB"},
			{"kty":"AKP","kid":"pq","alg":"ML-DSA-44","pub":"AAAA"}
		],"x-provider":"test"}`
		set, skipped, err := jwks.Parse([]byte(data), nil)
		require.NoError(t, err)
		assert.Len(t, set.Keys, 3)
		require.Len(t, skipped, 4)
		assert.ErrorIs(t, skipped[0], jwt.ErrUnsupportedKeyType)
		assert.ErrorContains(t, skipped[0], `kid "k1"`)
		assert.ErrorIs(t, skipped[1], jwt.ErrUnsupportedKeyType)
		assert.ErrorIs(t, skipped[2], jwt.ErrInvalidKey)
		if _, err := jwt.AlgorithmByName("ML-DSA-44"); err == nil {
			assert.ErrorContains(t, skipped[3], "ML-DSA-44 public key must be 1312 octets, got 3")
		} else {
			assert.ErrorIs(t, skipped[3], jwt.ErrUnsupportedKeyType) // Go 1.26
		}
		assert.Equal(t, `"test"`, string(set.Extra["x-provider"]))

		// No default: the RSA key without alg is skipped.
		ks, skipped, err := set.KeySet()
		require.NoError(t, err)
		for _, kid := range []string{"es", "ed"} {
			_, err := ks.Lookup(ctx, jwt.Header{Algorithm: map[string]string{"es": "ES256", "ed": "EdDSA"}[kid], KeyID: kid})
			assert.NoError(t, err, kid)
		}
		_, err = ks.Lookup(ctx, jwt.Header{Algorithm: "RS256", KeyID: "rs"})
		assert.ErrorIs(t, err, jwt.ErrKeyNotFound)
		require.Len(t, skipped, 1)
		assert.ErrorContains(t, skipped[0], `kid "rs"`)

		ks, skipped, err = set.KeySet(jwt.RS256, jwt.ES256, jwt.EdDSA)
		require.NoError(t, err)
		assert.Empty(t, skipped)
		vs, err := ks.Lookup(ctx, jwt.Header{Algorithm: "RS256", KeyID: "rs"})
		require.NoError(t, err)
		assert.Len(t, vs, 1)
		_, err = ks.Lookup(ctx, jwt.Header{Algorithm: "PS256", KeyID: "rs"})
		assert.ErrorIs(t, err, jwt.ErrAlgorithmMismatch)
		_, err = ks.Lookup(ctx, jwt.Header{Algorithm: "ES256", KeyID: "nope"})
		assert.ErrorIs(t, err, jwt.ErrKeyNotFound)

		// A key without "alg" is bound to every allowed algorithm that fits.
		both, _, err := set.KeySet(jwt.RS256, jwt.PS256)
		require.NoError(t, err)
		for _, alg := range []string{"RS256", "PS256"} {
			vs, err := both.Lookup(ctx, jwt.Header{Algorithm: alg, KeyID: "rs"})
			require.NoError(t, err, alg)
			assert.Equal(t, alg, vs[0].Algorithm())
		}

		// Tokens signed by each key verify through the set.
		for _, name := range []string{"ES256", "RS256", "EdDSA"} {
			k := *keys[name]
			k.KeyID = map[string]string{"ES256": "es", "RS256": "rs", "EdDSA": "ed"}[name]
			s, err := k.Signer(nil)
			require.NoError(t, err)
			token, err := jwt.Sign(ctx, s, jwt.RegisteredClaims{Issuer: "me", ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Minute))}, nil)
			require.NoError(t, err)
			tok, err := jwt.Verify[jwt.RegisteredClaims](ctx, token, ks, &jwt.VerifyOptions{Issuer: "me"})
			require.NoError(t, err, name)
			assert.Equal(t, k.KeyID, tok.Header.KeyID)
		}

		// The set writes back out, keys in order.
		out, err := json.Marshal(set)
		require.NoError(t, err)
		set2, skipped, err := jwks.Parse(out, nil)
		require.NoError(t, err)
		assert.Empty(t, skipped)
		out2, err := json.Marshal(set2)
		require.NoError(t, err)
		assert.Equal(t, string(out), string(out2))
	})

	t.Run("duplicate kid", func(t *testing.T) {
		_, _, err := jwks.Parse([]byte(`{"keys":[`+es+`,`+pubJSON("ES384", "es", false)+`]}`), &jwks.ParseOptions{AllowPrivate: true})
		assert.ErrorIs(t, err, jwt.ErrInvalidKey)
		assert.ErrorContains(t, err, `share kid "es"`)
	})

	t.Run("private in public set", func(t *testing.T) {
		priv, err := keys["ES256"].MarshalPrivateJSON()
		require.NoError(t, err)
		_, _, err = jwks.Parse([]byte(`{"keys":[`+es+`,`+string(priv)+`]}`), nil)
		assert.ErrorIs(t, err, jwks.ErrPrivateKey)
		assert.ErrorContains(t, err, `member "d"`)

		set, _, err := jwks.Parse([]byte(`{"keys":[`+string(priv)+`]}`), &jwks.ParseOptions{AllowPrivate: true})
		require.NoError(t, err)
		assert.True(t, set.Keys[0].IsPrivate())

		oct, err := keys["HS256"].MarshalPrivateJSON()
		require.NoError(t, err)
		_, _, err = jwks.Parse([]byte(`{"keys":[`+string(oct)+`]}`), nil)
		assert.ErrorIs(t, err, jwks.ErrPrivateKey)
		// Even a key that would be skipped.
		_, _, err = jwks.Parse([]byte(`{"keys":[{"kty":"OKP","crv":"X25519","x":"AAAA","d":"AAAA"}]}`), nil)
		assert.ErrorIs(t, err, jwks.ErrPrivateKey)
	})

	t.Run("malformed sets", func(t *testing.T) {
		for _, tc := range []struct{ name, data, message string }{
			{"no keys", `{"key":[]}`, `no member "keys"`},
			{"keys not array", `{"keys":{}}`, "not an array"},
			{"keys null", `{"keys":null}`, "not an array"},
			{"not an object", `[]`, "not a JSON object"},
			{"duplicate keys", `{"keys":[],"keys":[]}`, "duplicate member"},
		} {
			_, _, err := jwks.Parse([]byte(tc.data), &jwks.ParseOptions{AllowPrivate: true})
			assert.ErrorIs(t, err, jwt.ErrInvalidKey, tc.name)
			assert.ErrorContains(t, err, tc.message, tc.name)
		}
		set, skipped, err := jwks.Parse([]byte(`{"keys":[1,"x",{"kty":"oct"}]}`), &jwks.ParseOptions{AllowPrivate: true})
		require.NoError(t, err)
		assert.Empty(t, set.Keys)
		assert.Len(t, skipped, 3)
		_, _, err = set.KeySet(jwt.HS256)
		assert.ErrorIs(t, err, jwt.ErrKeyNotFound)
	})

	t.Run("json.Unmarshal", func(t *testing.T) {
		var set jwks.Set
		require.NoError(t, json.Unmarshal([]byte(`{"keys":[`+es+`]}`), &set))
		assert.Len(t, set.Keys, 1)
		assert.Error(t, json.Unmarshal([]byte(`{"keys":[`+es+`,{"kty":"nope"}]}`), &set), "no silent skipping here")
	})

	t.Run("secret keys are written only on request", func(t *testing.T) {
		set := jwks.Set{Keys: []*jwt.JWK{keys["HS256"]}}
		_, err := json.Marshal(set)
		assert.ErrorIs(t, err, jwt.ErrInvalidKey)
		out, err := set.MarshalPrivateJSON()
		require.NoError(t, err)
		set2, skipped, err := jwks.Parse(out, &jwks.ParseOptions{AllowPrivate: true})
		require.NoError(t, err)
		assert.Empty(t, skipped)
		assert.Equal(t, keys["HS256"].Key, set2.Keys[0].Key)
	})
}

// NewJWK checks keys as ParseJWK does.
func TestNewJWK(t *testing.T) {
	_, err := jwt.NewJWK([]byte{})
	assert.ErrorIs(t, err, jwt.ErrInvalidKey)
	_, err = jwt.NewJWK(nil)
	assert.ErrorIs(t, err, jwt.ErrInvalidKey)
	_, err = jwt.NewJWK("secret")
	assert.ErrorIs(t, err, jwt.ErrUnsupportedKeyType)
	_, err = jwt.NewJWK(ed25519.PublicKey(make([]byte, 31)))
	assert.ErrorIs(t, err, jwt.ErrInvalidKey)
	_, err = jwt.NewJWK((*rsa.PublicKey)(nil))
	assert.ErrorIs(t, err, jwt.ErrInvalidKey)

	// A crypto.Signer that is not a known key type gives its public key.
	gen, err := jwt.GenerateKey(jwt.EdDSA)
	require.NoError(t, err)
	k, err := jwt.NewJWK(keysOpaqueSigner{gen.Key.(crypto.Signer)})
	require.NoError(t, err)
	assert.False(t, k.IsPrivate())
	assert.Equal(t, "OKP", k.KeyType)
}

type keysOpaqueSigner struct{ crypto.Signer }

// FuzzJWK checks properties of ParseJWK on any input: every error wraps
// ErrInvalidKey; a key that parses writes back out to bytes that parse to
// the same bytes again, and its public form parses and is public.
func FuzzJWK(f *testing.F) {
	for _, name := range []string{"rfc7517_B_x5c.json"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`))
	f.Add([]byte(`{"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM","d":"870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE","use":"enc","kid":"1"}`))
	f.Add([]byte(`{"kty":"oct","alg":"HS256","kid":"k","key_ops":["sign","verify"],"k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg","x-extra":[1,{"a":null}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := jwt.ParseJWK(data)
		if err != nil {
			if !errors.Is(err, jwt.ErrInvalidKey) {
				t.Fatalf("error does not wrap ErrInvalidKey: %v", err)
			}
			return
		}
		out, err := k.MarshalPrivateJSON()
		if err != nil {
			t.Fatalf("parsed JWK does not write out: %v", err)
		}
		k2, err := jwt.ParseJWK(out)
		if err != nil {
			t.Fatalf("written JWK does not parse: %v\n%s", err, out)
		}
		out2, err := k2.MarshalPrivateJSON()
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("JWK does not round-trip: %v\n%s\n%s", err, out, out2)
		}
		if _, err := k.Thumbprint(crypto.SHA256); err != nil {
			t.Fatalf("Thumbprint: %v", err)
		}
		if k.KeyType == "oct" {
			return
		}
		pub, err := json.Marshal(k)
		if err != nil {
			t.Fatalf("public form: %v", err)
		}
		pk, err := jwt.ParseJWK(pub)
		if err != nil || pk.IsPrivate() {
			t.Fatalf("public form does not parse as public: %v\n%s", err, pub)
		}
	})
}

// ctx is the context of calls whose context does not matter to the test.
var ctx = context.Background()

// TestJWKErrorsNeverQuoteKeyMaterial: every error built while reading key
// material names the member, never its bytes (issue: ParseJWK quoted
// encoding/json's "invalid character 'q' in string escape code", and the
// base64url decoder named the bad byte inside "k" or "d").
func TestJWKErrorsNeverQuoteKeyMaterial(t *testing.T) {
	const marker = "QSECRETQ"
	base := map[string]string{
		"oct": `{"kty":"oct","k":%s}`,
		"RSA": `{"kty":"RSA","n":"AQAB","e":"AQAB","d":%[1]s,"p":%[1]s,"q":%[1]s,"dp":%[1]s,"dq":%[1]s,"qi":%[1]s}`,
		"EC":  `{"kty":"EC","crv":"P-256","x":"AA","y":"AA","d":%s}`,
		"OKP": `{"kty":"OKP","crv":"Ed25519","x":"AA","d":%s}`,
	}
	bad := []string{
		`"` + marker + `\q"`,                      // bad escape
		`"` + marker + "\x01" + `"`,               // control character
		`"` + marker + `\ud800"`,                  // lone surrogate
		`"` + marker + "\xff" + `"`,               // invalid UTF-8
		`"` + marker + `!"`,                       // not base64url
		`"` + marker + `="`,                       // padding
		`"` + marker,                              // unterminated
		marker,                                    // not a string
		`["` + marker + `"]`,                      // an array
		`{"` + marker + `":1,"` + marker + `":2}`, // duplicate inside
	}
	n := 0
	for kty, tmpl := range base {
		for _, b := range bad {
			data := fmt.Sprintf(tmpl, b)
			for _, parse := range []func([]byte) error{
				func(d []byte) error { _, err := jwt.ParseJWK(d); return err },
				func(d []byte) error {
					set, skipped, err := jwks.Parse([]byte(`{"keys":[`+string(d)+`]}`), &jwks.ParseOptions{AllowPrivate: true})
					if err != nil {
						return err
					}
					if len(skipped) > 0 {
						return skipped[0]
					}
					_ = set
					return nil
				},
			} {
				err := parse([]byte(data))
				require.Error(t, err, "%s %s", kty, b)
				assert.NotContains(t, err.Error(), "SECRET", "%s %s", kty, b)
				n++
			}
		}
	}
	t.Logf("%d error paths checked", n)
}

// TestDuplicateRuleEverywhere: headers, claims and JWKs fold member names
// alike (the encoding/json rule): "KID" is a duplicate of "kid" in each, and
// "kıd" (dotless i), which encoding/json keeps apart from "kid", is not.
func TestDuplicateRuleEverywhere(t *testing.T) {
	secret := base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("s", 32)))
	_, err := jwt.ParseJWK([]byte(`{"kty":"oct","k":"` + secret + `","kid":"a","KID":"b"}`))
	assert.ErrorIs(t, err, jwt.ErrInvalidKey)
	assert.ErrorContains(t, err, "duplicate member")
	k, err := jwt.ParseJWK([]byte(`{"kty":"oct","k":"` + secret + `","kid":"a","k\u0131d":"b"}`))
	require.NoError(t, err)
	assert.Equal(t, "a", k.KeyID)
	assert.Contains(t, k.Extra, "k\u0131d")

	s, err := jwt.HS256.NewSigner([]byte(strings.Repeat("s", 32)))
	require.NoError(t, err)
	v, err := jwt.HS256.NewVerifier([]byte(strings.Repeat("s", 32)))
	require.NoError(t, err)
	for _, tc := range []struct {
		header, payload string
		ok              bool
	}{
		{`{"alg":"HS256","kid":"a","KID":"b"}`, `{"exp":4102444800}`, false},
		{`{"alg":"HS256","kid":"a","k\u0131d":"b"}`, `{"exp":4102444800}`, true},
		{`{"alg":"HS256"}`, `{"exp":4102444800,"x":{"kid":"a","KID":"b"}}`, false},
		{`{"alg":"HS256"}`, `{"exp":4102444800,"x":{"kid":"a","k\u0131d":"b"}}`, true},
	} {
		input := base64.RawURLEncoding.EncodeToString([]byte(tc.header)) + "." + base64.RawURLEncoding.EncodeToString([]byte(tc.payload))
		sig, err := s.Sign(ctx, []byte(input))
		require.NoError(t, err)
		_, err = jwt.Verify[map[string]any](ctx, input+"."+base64.RawURLEncoding.EncodeToString(sig), v, nil)
		if tc.ok {
			assert.NoError(t, err, "%s %s", tc.header, tc.payload)
		} else {
			assert.ErrorIs(t, err, jwt.ErrMalformed, "%s %s", tc.header, tc.payload)
		}
	}
}
