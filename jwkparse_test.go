package jwt_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwks"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The example keys of RFC 7517 Appendix A and B.
func TestJWKRFC7517Examples(t *testing.T) {
	t.Run("A.1 public keys", func(t *testing.T) {
		set, skipped, err := jwks.Parse(keysReadFile(t, "rfc7517_A1_public_keys.json"), nil)
		require.NoError(t, err)
		assert.Empty(t, skipped)
		require.Len(t, set.Keys, 2)

		ec := set.Key("1")
		require.NotNil(t, ec)
		assert.Equal(t, "EC", ec.KeyType)
		assert.Equal(t, "enc", ec.Use)
		assert.IsType(t, &ecdsa.PublicKey{}, ec.Key)

		rsaKey := set.Key("2011-04-29")
		require.NotNil(t, rsaKey)
		assert.Equal(t, "RS256", rsaKey.Algorithm)
		require.IsType(t, &rsa.PublicKey{}, rsaKey.Key)
		assert.Equal(t, 2048, rsaKey.Key.(*rsa.PublicKey).N.BitLen())
		tp, err := rsaKey.Thumbprint(crypto.SHA256)
		require.NoError(t, err)
		assert.Equal(t, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", base64.RawURLEncoding.EncodeToString(tp))

		// The EC key is for encryption: not usable for verifying, even if
		// the caller names an algorithm for keys without "alg".
		ks, skipped, err := set.KeySet(jwt.ES256, jwt.RS256)
		require.NoError(t, err)
		vs, err := ks.Lookup(ctx, jwt.Header{Algorithm: "RS256", KeyID: "2011-04-29"})
		require.NoError(t, err)
		assert.Len(t, vs, 1)
		_, err = ks.Lookup(ctx, jwt.Header{Algorithm: "ES256", KeyID: "1"})
		assert.ErrorIs(t, err, jwt.ErrKeyNotFound)
		require.Len(t, skipped, 1)
		assert.ErrorIs(t, skipped[0], jwt.ErrKeyUsage)

		// A key whose "alg" is not among the allowed algorithms is left out.
		_, skipped, err = set.KeySet(jwt.ES256)
		assert.ErrorIs(t, err, jwt.ErrKeyNotFound)
		require.Len(t, skipped, 2)
		assert.ErrorContains(t, skipped[1], `alg "RS256" is not among the allowed`)

		_, err = ec.Verifier(jwt.ES256)
		assert.ErrorIs(t, err, jwt.ErrKeyUsage)
	})

	t.Run("A.2 private keys", func(t *testing.T) {
		data := keysReadFile(t, "rfc7517_A2_private_keys.json")
		_, _, err := jwks.Parse(data, nil)
		assert.ErrorIs(t, err, jwks.ErrPrivateKey)

		set, skipped, err := jwks.Parse(data, &jwks.ParseOptions{AllowPrivate: true})
		require.NoError(t, err)
		assert.Empty(t, skipped)
		require.Len(t, set.Keys, 2)

		ec := set.Key("1")
		require.IsType(t, &ecdsa.PrivateKey{}, ec.Key)
		_, err = ec.Signer(jwt.ES256)
		assert.ErrorIs(t, err, jwt.ErrKeyUsage, `"use":"enc"`)

		priv := set.Key("2011-04-29")
		require.IsType(t, &rsa.PrivateKey{}, priv.Key)
		require.NoError(t, priv.Key.(*rsa.PrivateKey).Validate())

		// The public form of A.2 is A.1.
		pubSet, err := json.Marshal(set)
		require.NoError(t, err)
		keysJSONEqual(t, keysReadFile(t, "rfc7517_A1_public_keys.json"), pubSet)
		privSet, err := set.MarshalPrivateJSON()
		require.NoError(t, err)
		keysJSONEqual(t, data, privSet)

		// Sign with A.2, verify with A.1 through a JWK Set.
		s, err := priv.Signer(nil)
		require.NoError(t, err)
		token, err := jwt.Sign(ctx, s, jwt.RegisteredClaims{Subject: "joe", ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour))}, nil)
		require.NoError(t, err)
		public, _, err := jwks.Parse(keysReadFile(t, "rfc7517_A1_public_keys.json"), nil)
		require.NoError(t, err)
		ks, _, err := public.KeySet()
		require.NoError(t, err)
		tok, err := jwt.Verify[jwt.RegisteredClaims](ctx, token, ks, nil)
		require.NoError(t, err)
		assert.Equal(t, "joe", tok.Claims.Subject)
		assert.Equal(t, "2011-04-29", tok.Header.KeyID)
	})

	t.Run("A.3 symmetric keys", func(t *testing.T) {
		data := keysReadFile(t, "rfc7517_A3_symmetric_keys.json")
		_, _, err := jwks.Parse(data, nil)
		assert.ErrorIs(t, err, jwks.ErrPrivateKey)

		set, skipped, err := jwks.Parse(data, &jwks.ParseOptions{AllowPrivate: true})
		require.NoError(t, err)
		require.Len(t, skipped, 1, "the A128KW key is for key wrapping")
		assert.ErrorIs(t, skipped[0], jwt.ErrUnsupportedAlgorithm)
		assert.ErrorIs(t, skipped[0], jwt.ErrInvalidKey)
		assert.Contains(t, skipped[0].Error(), "key 0")
		require.Len(t, set.Keys, 1)

		k := set.Key("HMAC key used in JWS spec Appendix A.1 example")
		require.NotNil(t, k)
		_, err = json.Marshal(k)
		assert.ErrorIs(t, err, jwt.ErrInvalidKey, "a secret has no public form")
		assert.Nil(t, k.Public())
		_, err = k.Verifier(nil)
		assert.ErrorIs(t, err, jwt.ErrInvalidKey, "no alg, none given")
		v, err := k.Verifier(jwt.HS256)
		require.NoError(t, err)
		// The verifier carries the JWK's kid: it refuses tokens naming another.
		_, err = v.Lookup(ctx, jwt.Header{Algorithm: "HS256", KeyID: k.KeyID})
		assert.NoError(t, err)
		_, err = v.Lookup(ctx, jwt.Header{Algorithm: "HS256", KeyID: "other"})
		assert.ErrorIs(t, err, jwt.ErrKeyNotFound)

		for _, vec := range keysLoadVectors(t) {
			if vec.Name == "rfc7515-A.1-HS256" {
				require.NoError(t, keysVerifyCompact(t, v, *vec.Token))
			}
		}
	})

	t.Run("B x5c", func(t *testing.T) {
		data := keysReadFile(t, "rfc7517_B_x5c.json")
		k, err := jwt.ParseJWK(data)
		require.NoError(t, err)
		require.Len(t, k.X5C, 1)
		cert, err := x509.ParseCertificate(k.X5C[0])
		require.NoError(t, err)
		assert.Equal(t, "Brian Campbell", cert.Subject.CommonName)
		assert.True(t, cert.PublicKey.(*rsa.PublicKey).Equal(k.Key))
		out, err := json.Marshal(k)
		require.NoError(t, err)
		keysJSONEqual(t, data, out)

		// The certificate's key also loads from PEM.
		pub, err := jwt.ParsePublicKeyPEM(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: k.X5C[0]}))
		require.NoError(t, err)
		assert.True(t, cert.PublicKey.(*rsa.PublicKey).Equal(pub))

		// x5t and x5t#S256 must be the certificate's digests.
		var m map[string]any
		require.NoError(t, json.Unmarshal(data, &m))
		s256 := sha256.Sum256(k.X5C[0])
		m["x5t#S256"] = base64.RawURLEncoding.EncodeToString(s256[:])
		good, _ := json.Marshal(m)
		k2, err := jwt.ParseJWK(good)
		require.NoError(t, err)
		assert.Equal(t, s256[:], k2.X5TS256)
		m["x5t#S256"] = base64.RawURLEncoding.EncodeToString(make([]byte, 32))
		bad, _ := json.Marshal(m)
		_, err = jwt.ParseJWK(bad)
		assert.ErrorContains(t, err, "x5t#S256")
	})
}

// Bad JWKs each give a specific error.
func TestJWKParseErrors(t *testing.T) {
	const (
		rsaN  = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
		ecX   = "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4"
		ecY   = "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"
		ecD   = "870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE"
		edX   = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
		edD   = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
		small = "yZ3h6cbvlFzLyYEH6CeyNK9mJ0v5d8A0Ml-fa2Z9Xx1Yoq5lS1n8CV-ZnuPVZ1WbjxrqrMRtwUtsBMtrxZgpEdFG0EbwbBkfKzXhcX_CNA7y9-VRK1dxwG3lXrTpD3ryJz0uJMSwsqy-ejfOa7R0JmYHwTBm-7Qro95eN_9P7Ms"
	)
	rsaPub := `"kty":"RSA","n":"` + rsaN + `","e":"AQAB"`
	ecPub := `"kty":"EC","crv":"P-256","x":"` + ecX + `","y":"` + ecY + `"`
	a2 := keysReadFile(t, "rfc7517_A2_private_keys.json")
	var a2set struct{ Keys []map[string]any }
	require.NoError(t, json.Unmarshal(a2, &a2set))
	rsaPriv := a2set.Keys[1]
	withRSA := func(change func(m map[string]any)) string {
		m := make(map[string]any)
		for k, v := range rsaPriv {
			m[k] = v
		}
		change(m)
		b, _ := json.Marshal(m)
		return string(b)
	}

	for _, tc := range []struct {
		name    string
		jwk     string
		is      []error
		message string
	}{
		{name: "not JSON", jwk: `{"kty":`, message: "invalid JSON"},
		{name: "not an object", jwk: `["kty"]`, message: "not a JSON object"},
		{name: "trailing data", jwk: `{"kty":"oct","k":"AAAA"} {}`, message: "data after"},
		{name: "invalid UTF-8", jwk: "{\"kty\":\"oct\",\"k\":\"AAAA\",\"x-a\":\"\xff\"}", message: "UTF-8"},
		{name: "duplicate member", jwk: `{"kty":"oct","k":"AAAA","k":"AAAB"}`, message: `duplicate member "k"`},
		{name: "duplicate member by case", jwk: `{"kty":"oct","k":"AAAA","KTY":"RSA"}`, message: "duplicate member"},
		{name: "missing kty", jwk: `{"k":"AAAA"}`, message: `missing member "kty"`},
		{name: "kty not a string", jwk: `{"kty":1,"k":"AAAA"}`, message: `"kty" is not a string`},
		{name: "kty null", jwk: `{"kty":null,"k":"AAAA"}`, message: `"kty" is not a string`},
		{name: "unknown kty", jwk: `{"kty":"RSA-HSM","n":"AQAB"}`, is: []error{jwt.ErrUnsupportedKeyType}, message: `"RSA-HSM"`},
		{name: "kty is case-sensitive", jwk: `{"kty":"rsa","n":"AQAB"}`, is: []error{jwt.ErrUnsupportedKeyType}},
		{name: "kid not a string", jwk: `{"kty":"oct","k":"AAAA","kid":7}`, message: `"kid" is not a string`},
		{name: "RSA missing n", jwk: `{"kty":"RSA","e":"AQAB"}`, message: `requires member "n"`},
		{name: "RSA missing e", jwk: `{"kty":"RSA","n":"` + rsaN + `"}`, message: `requires member "e"`},
		{name: "RSA n padded", jwk: `{"kty":"RSA","n":"` + rsaN + `=","e":"AQAB"}`, is: []error{jwt.ErrMalformed}, message: "base64url"},
		{name: "RSA n standard alphabet", jwk: `{"kty":"RSA","n":"` + strings.ReplaceAll(rsaN, "_", "/") + `","e":"AQAB"}`, is: []error{jwt.ErrMalformed}},
		{name: "RSA n with newline", jwk: `{"kty":"RSA","n":"` + rsaN[:40] + `\n` + rsaN[40:] + `","e":"AQAB"}`, is: []error{jwt.ErrMalformed}},
		{name: "RSA e non-canonical bits", jwk: `{"kty":"RSA","n":"` + rsaN + `","e":"AQAC"}`, message: "exponent"},
		{name: "RSA e trailing bits", jwk: `{"kty":"RSA","n":"` + rsaN + `","e":"AQB"}`, is: []error{jwt.ErrMalformed}},
		{name: "RSA n leading zero", jwk: `{"kty":"RSA","n":"AA` + rsaN + `","e":"AQAB"}`, message: "leading zero"},
		{name: "RSA e leading zero", jwk: `{"kty":"RSA","n":"` + rsaN + `","e":"AAEAAQ"}`, message: "exponent"},
		{name: "RSA even e", jwk: `{"kty":"RSA","n":"` + rsaN + `","e":"AQAA"}`, message: "exponent"},
		{name: "RSA too small", jwk: `{"kty":"RSA","n":"` + small + `","e":"AQAB"}`, message: "1024 bits"},
		{name: "RSA member of another kty", jwk: `{` + rsaPub + `,"x":"` + ecX + `"}`, message: `"x" is not defined for kty "RSA"`},
		{name: "RSA p without d", jwk: withRSA(func(m map[string]any) { delete(m, "d") }), message: `"p" without "d"`},
		{name: "RSA d only", jwk: withRSA(func(m map[string]any) {
			for _, n := range []string{"p", "q", "dp", "dq", "qi"} {
				delete(m, n)
			}
		}), is: []error{jwt.ErrUnsupportedKeyType}},
		{name: "RSA inconsistent qi", jwk: withRSA(func(m map[string]any) { m["qi"] = m["dq"] }), message: "inconsistent RSA private key"},
		{name: "RSA inconsistent d", jwk: withRSA(func(m map[string]any) { m["d"] = "AQAB" }), message: "inconsistent RSA private key"},
		{name: "RSA oth", jwk: withRSA(func(m map[string]any) { m["oth"] = []any{} }), is: []error{jwt.ErrUnsupportedKeyType}},
		{name: "EC missing crv", jwk: `{"kty":"EC","x":"` + ecX + `","y":"` + ecY + `"}`, message: `requires member "crv"`},
		{name: "EC unknown crv", jwk: `{"kty":"EC","crv":"secp256k1","x":"` + ecX + `","y":"` + ecY + `"}`, is: []error{jwt.ErrUnsupportedKeyType}},
		{name: "EC missing y", jwk: `{"kty":"EC","crv":"P-256","x":"` + ecX + `"}`, message: `requires member "y"`},
		{name: "EC short x", jwk: `{"kty":"EC","crv":"P-256","x":"` + ecX[4:] + `","y":"` + ecY + `"}`, message: "must be 32 octets"},
		{name: "EC wrong curve length", jwk: `{"kty":"EC","crv":"P-384","x":"` + ecX + `","y":"` + ecY + `"}`, message: "must be 48 octets"},
		{name: "EC off curve", jwk: `{"kty":"EC","crv":"P-256","x":"` + ecX + `","y":"` + ecX + `"}`, message: "not on P-256"},
		{name: "EC d mismatch", jwk: `{` + ecPub + `,"d":"` + ecX + `"}`, message: "does not match"},
		{name: "EC short d", jwk: `{` + ecPub + `,"d":"` + ecD[3:] + `"}`, message: "must be 32 octets"},
		{name: "EC with n", jwk: `{` + ecPub + `,"n":"AQAB"}`, message: `"n" is not defined`},
		{name: "EC with k", jwk: `{` + ecPub + `,"k":"AQAB"}`, message: `"k" is not defined`},
		{name: "OKP X25519", jwk: `{"kty":"OKP","crv":"X25519","x":"` + edX + `"}`, is: []error{jwt.ErrUnsupportedKeyType}},
		{name: "OKP Ed448", jwk: `{"kty":"OKP","crv":"Ed448","x":"` + edX + `"}`, is: []error{jwt.ErrUnsupportedKeyType}},
		{name: "OKP short x", jwk: `{"kty":"OKP","crv":"Ed25519","x":"` + edX[:40] + `"}`, message: "32 octets"},
		{name: "OKP with y", jwk: `{"kty":"OKP","crv":"Ed25519","x":"` + edX + `","y":"` + edX + `"}`, message: `"y" is not defined`},
		{name: "OKP d mismatch", jwk: `{"kty":"OKP","crv":"Ed25519","x":"` + edX + `","d":"` + edX + `"}`, message: "does not match"},
		{name: "OKP short d", jwk: `{"kty":"OKP","crv":"Ed25519","x":"` + edX + `","d":"` + edD[:20] + `"}`, message: "32 octets"},
		{name: "oct empty", jwk: `{"kty":"oct","k":""}`, message: `"k" is empty`},
		{name: "oct missing k", jwk: `{"kty":"oct"}`, message: `requires member "k"`},
		{name: "alg none", jwk: `{"kty":"oct","k":"AAAA","alg":"none"}`, is: []error{jwt.ErrUnsupportedAlgorithm}},
		{name: "alg unknown", jwk: `{"kty":"oct","k":"AAAA","alg":"A128KW"}`, is: []error{jwt.ErrUnsupportedAlgorithm}},
		{name: "alg lower case", jwk: `{"kty":"oct","k":"AAAA","alg":"hs256"}`, is: []error{jwt.ErrUnsupportedAlgorithm}},
		{name: "alg wrong curve", jwk: `{` + ecPub + `,"alg":"ES384"}`, message: `"ES384" does not fit`},
		{name: "alg wrong kty", jwk: `{` + rsaPub + `,"alg":"ES256"}`, message: `"ES256" does not fit`},
		{name: "alg HMAC key too short", jwk: `{"kty":"oct","k":"AAAA","alg":"HS256"}`, message: "at least 32"},
		{name: "key_ops not an array", jwk: `{"kty":"oct","k":"AAAA","key_ops":"sign"}`, message: "key_ops"},
		{name: "key_ops repeated", jwk: `{"kty":"oct","k":"AAAA","key_ops":["sign","sign"]}`, message: `repeats "sign"`},
		{name: "x5c not base64", jwk: `{` + rsaPub + `,"x5c":["!!"]}`, message: "x5c"},
		{name: "x5c empty", jwk: `{` + rsaPub + `,"x5c":[]}`, message: "x5c"},
		{name: "x5c not a certificate", jwk: `{` + rsaPub + `,"x5c":["AAAA"]}`, message: "x5c"},
		{name: "x5t wrong length", jwk: `{` + rsaPub + `,"x5t":"AAAA"}`, message: `"x5t" must be 20 octets`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k, err := jwt.ParseJWK([]byte(tc.jwk))
			require.Error(t, err)
			assert.Nil(t, k)
			assert.ErrorIs(t, err, jwt.ErrInvalidKey)
			for _, want := range tc.is {
				assert.ErrorIs(t, err, want)
			}
			if tc.message != "" {
				assert.ErrorContains(t, err, tc.message)
			}
			var k2 jwt.JWK
			assert.Error(t, json.Unmarshal([]byte(tc.jwk), &k2))
		})
	}

	// x5c whose certificate holds another key.
	var b map[string]any
	require.NoError(t, json.Unmarshal(keysReadFile(t, "rfc7517_B_x5c.json"), &b))
	b["n"] = rsaN
	wrong, _ := json.Marshal(b)
	_, err := jwt.ParseJWK(wrong)
	assert.ErrorContains(t, err, "holds another key")
}

// Writing an RSA private key without precomputed CRT values neither fails
// nor modifies the caller's key.
func TestJWKRSAWithoutPrecomputed(t *testing.T) {
	data := keysReadFile(t, "rfc7517_A2_private_keys.json")
	set, _, err := jwks.Parse(data, &jwks.ParseOptions{AllowPrivate: true})
	require.NoError(t, err)
	full := set.Key("2011-04-29")
	want, err := full.MarshalPrivateJSON()
	require.NoError(t, err)

	src := full.Key.(*rsa.PrivateKey)
	bare := &rsa.PrivateKey{PublicKey: src.PublicKey, D: src.D, Primes: src.Primes}
	k, err := jwt.NewJWK(bare)
	require.NoError(t, err)
	k.KeyID, k.Algorithm, k.Use = full.KeyID, full.Algorithm, full.Use
	got, err := k.MarshalPrivateJSON()
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
	assert.Nil(t, bare.Precomputed.Dp, "the caller's key is not modified")
}
