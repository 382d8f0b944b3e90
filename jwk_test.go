package jwt_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
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

// RFC 7638 §3.1 and RFC 8037 App. A.3 thumbprints come out exactly.
func TestJWKThumbprintRFC(t *testing.T) {
	n := 0
	for _, vec := range keysLoadVectors(t) {
		if vec.Type != "jwk_thumbprint" {
			continue
		}
		n++
		t.Run(vec.Name, func(t *testing.T) {
			k, err := jwt.ParseJWK(vec.Key)
			require.NoError(t, err)
			tp, err := k.Thumbprint(crypto.SHA256)
			require.NoError(t, err)
			assert.Equal(t, vec.ExpectedThumbprint, base64.RawURLEncoding.EncodeToString(tp))
			tp0, err := k.Thumbprint(0)
			require.NoError(t, err)
			assert.Equal(t, tp, tp0, "zero hash means SHA-256")

			s512 := sha512.Sum512([]byte(vec.CanonicalJSON))
			tp512, err := k.Thumbprint(crypto.SHA512)
			require.NoError(t, err)
			assert.Equal(t, s512[:], tp512)
			s384 := sha512.Sum384([]byte(vec.CanonicalJSON))
			tp384, err := k.Thumbprint(crypto.SHA384)
			require.NoError(t, err)
			assert.Equal(t, s384[:], tp384)

			_, err = k.Thumbprint(crypto.Hash(999))
			assert.ErrorIs(t, err, jwt.ErrUnsupportedAlgorithm)

			require.NoError(t, k.SetThumbprintKeyID())
			assert.Equal(t, vec.ExpectedThumbprint, k.KeyID)
		})
	}
	assert.Equal(t, 2, n)
}

// Thumbprints of EC and oct keys follow RFC 7638 §3.2's member lists.
func TestJWKThumbprintMembers(t *testing.T) {
	for _, tc := range []struct {
		name, jwk, canonical string
	}{
		{
			name:      "EC",
			jwk:       `{"kty":"EC","kid":"1","use":"enc","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM","d":"870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE"}`,
			canonical: `{"crv":"P-256","kty":"EC","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"}`,
		},
		{
			name:      "oct",
			jwk:       `{"kty":"oct","alg":"HS256","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"}`,
			canonical: `{"k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg","kty":"oct"}`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := jwt.ParseJWK([]byte(tc.jwk))
			require.NoError(t, err)
			tp, err := k.Thumbprint(crypto.SHA256)
			require.NoError(t, err)
			want := sha256.Sum256([]byte(tc.canonical))
			assert.Equal(t, want[:], tp)
		})
	}
}

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

// JWK -> key -> JWK round trips for every algorithm, private and public.
func TestJWKRoundTrip(t *testing.T) {
	for name, k := range keysGenerated(t) {
		t.Run(name, func(t *testing.T) {
			k.Use = "sig"
			k.KeyOps = []string{"sign", "verify"}
			k.Extra = map[string]json.RawMessage{"x-custom": json.RawMessage(`{ "a" : [1, 2] }`)}
			priv, err := k.MarshalPrivateJSON()
			require.NoError(t, err)
			k2, err := jwt.ParseJWK(priv)
			require.NoError(t, err)
			priv2, err := k2.MarshalPrivateJSON()
			require.NoError(t, err)
			assert.Equal(t, string(priv), string(priv2))
			assert.Equal(t, `{"a":[1,2]}`, string(k2.Extra["x-custom"]))
			assert.True(t, k2.IsPrivate())
			assert.Equal(t, k.KeyType, k2.KeyType)

			tp1, err := k.Thumbprint(crypto.SHA256)
			require.NoError(t, err)

			input := []byte("eyJhbGciOiJIUzI1NiJ9.e30")
			s, err := k2.Signer(nil)
			require.NoError(t, err)
			// The signer carries the JWK's kid into the header.
			tokWithKID, err := jwt.SignJWS(ctx, s, []byte("x"), nil)
			require.NoError(t, err)
			u, err := jwt.ParseUnverified(tokWithKID, 0)
			require.NoError(t, err)
			assert.Equal(t, k.KeyID, u.Header.KeyID)
			sig, err := s.Sign(context.Background(), input)
			require.NoError(t, err)

			if k.KeyType == "oct" {
				_, err := json.Marshal(k)
				assert.ErrorIs(t, err, jwt.ErrInvalidKey)
				v, err := k2.Verifier(nil)
				require.NoError(t, err)
				require.NoError(t, v.Verify(input, sig))
				return
			}

			pub, err := json.Marshal(k2)
			require.NoError(t, err)
			for _, m := range []string{`"d"`, `"p"`, `"q"`, `"dp"`, `"dq"`, `"qi"`} {
				assert.NotContains(t, string(pub), m)
			}
			pk, err := jwt.ParseJWK(pub)
			require.NoError(t, err)
			assert.False(t, pk.IsPrivate())
			pub2, err := json.Marshal(pk)
			require.NoError(t, err)
			assert.Equal(t, string(pub), string(pub2))
			pub3, err := json.Marshal(k2.Public())
			require.NoError(t, err)
			assert.Equal(t, string(pub), string(pub3))

			tp2, err := pk.Thumbprint(crypto.SHA256)
			require.NoError(t, err)
			assert.Equal(t, tp1, tp2, "private and public JWK have one thumbprint")

			v, err := pk.Verifier(nil)
			require.NoError(t, err)
			assert.Equal(t, name, v.Algorithm())
			// The verifier carries the JWK's kid: it refuses tokens naming another.
			_, err = v.Lookup(ctx, jwt.Header{Algorithm: "HS256", KeyID: k.KeyID})
			assert.NoError(t, err)
			_, err = v.Lookup(ctx, jwt.Header{Algorithm: "HS256", KeyID: "other"})
			assert.ErrorIs(t, err, jwt.ErrKeyNotFound)
			require.NoError(t, v.Verify(input, sig))
			_, err = pk.Signer(nil)
			assert.ErrorIs(t, err, jwt.ErrInvalidKey, "a public key cannot sign")
		})
	}
}

// A JWK never leaks private members through encoding/json, fmt or Public.
func TestJWKNoPrivateLeak(t *testing.T) {
	k, err := jwt.GenerateKey(jwt.ES256)
	require.NoError(t, err)
	key := k.Key
	d, err := key.(*ecdsa.PrivateKey).Bytes()
	require.NoError(t, err)
	secret := base64.RawURLEncoding.EncodeToString(d)

	type wrapper struct {
		Value   jwt.JWK
		Pointer *jwt.JWK
		Set     jwks.Set
	}
	out, err := json.Marshal(wrapper{Value: *k, Pointer: k, Set: jwks.Set{Keys: []*jwt.JWK{k}}})
	require.NoError(t, err)
	assert.NotContains(t, string(out), secret)
	assert.NotContains(t, string(out), `"d"`)
	assert.NotContains(t, string(out), `"D"`)

	s := k.String()
	assert.Contains(t, s, "private")
	assert.NotContains(t, s, secret)

	k.Extra = map[string]json.RawMessage{"d": json.RawMessage(`"` + secret + `"`)}
	_, err = json.Marshal(k)
	assert.ErrorIs(t, err, jwt.ErrInvalidKey, "Extra must not smuggle in key members")
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
