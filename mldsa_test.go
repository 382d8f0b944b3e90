//go:build go1.27

package jwt

import (
	"crypto"
	"crypto/mldsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var mldsaAlgs = []MLDSAAlgorithm{MLDSA44, MLDSA65, MLDSA87}

// Each ML-DSA algorithm signs and verifies with its own parameter set only,
// directly and through a crypto.Signer that hides the key type.
func TestMLDSABinding(t *testing.T) {
	keys := mldsaKeys()
	for _, a := range mldsaAlgs {
		t.Run(a.Name(), func(t *testing.T) {
			s, err := a.NewSigner(opaqueSigner{keys[a]})
			require.NoError(t, err)
			v, err := a.NewVerifier(keys[a].PublicKey())
			require.NoError(t, err)
			checkAlgorithm(t, s, v)
			for _, b := range mldsaAlgs {
				if b == a {
					continue
				}
				_, err := a.NewVerifier(keys[b].PublicKey())
				assert.ErrorIs(t, err, ErrInvalidKey, "%s key for %s", b.Name(), a.Name())
				_, err = a.NewSigner(keys[b])
				assert.ErrorIs(t, err, ErrInvalidKey)
				_, err = a.NewSigner(opaqueSigner{keys[b]})
				assert.ErrorIs(t, err, ErrInvalidKey)
				// A token of another ML-DSA alg is refused by the header check.
				sb, err := b.NewSigner(keys[b])
				require.NoError(t, err)
				tok, err := Sign(bg, sb, validClaims(), nil)
				require.NoError(t, err)
				_, err = Verify[RegisteredClaims](bg, tok, v, defaultOpts())
				assert.ErrorIs(t, err, ErrAlgorithmMismatch)
			}
			for _, key := range []any{(*mldsa.PublicKey)(nil), (*mldsa.PrivateKey)(nil), keysOnce().ed, []byte("secret")} {
				_, err := a.NewVerifier(key)
				assert.ErrorIs(t, err, ErrInvalidKey, "%T", key)
			}
			_, err = a.NewSigner(keys[a].PublicKey())
			assert.ErrorIs(t, err, ErrInvalidKey, "a public key cannot sign")
		})
	}
	_, err := MLDSAAlgorithm(1).NewVerifier(keys[MLDSA44].PublicKey())
	assert.ErrorIs(t, err, ErrUnsupportedAlgorithm)
	assert.Equal(t, "", MLDSAAlgorithm(1).Name())
}

// Verification is strict: the exact signature length, the empty context,
// and the message itself (not a pre-hash or μ).
func TestMLDSAStrictVerify(t *testing.T) {
	for _, a := range mldsaAlgs {
		t.Run(a.Name(), func(t *testing.T) {
			k := mldsaKeys()[a]
			v, err := a.NewVerifier(k.PublicKey())
			require.NoError(t, err)
			msg := []byte("eyJhbGciOiJNTC1EU0EifQ.e30")
			sig, err := k.Sign(nil, msg, nil)
			require.NoError(t, err)
			require.NoError(t, v.Verify(msg, sig))
			assert.ErrorIs(t, v.Verify(msg, append(sig[:len(sig):len(sig)], 0)), ErrInvalidSignature, "one byte more")
			assert.ErrorIs(t, v.Verify(msg, sig[:len(sig)-1]), ErrInvalidSignature, "one byte less")
			assert.ErrorIs(t, v.Verify(msg, nil), ErrInvalidSignature)
			withCtx, err := k.Sign(nil, msg, &mldsa.Options{Context: "jwt"})
			require.NoError(t, err)
			assert.ErrorIs(t, v.Verify(msg, withCtx), ErrInvalidSignature, "a non-empty context")
			// HashML-DSA is not offered by crypto/mldsa; a signature over
			// a digest of the message instead of the message is refused.
			d := crypto.SHA512.New()
			d.Write(msg)
			overDigest, err := k.Sign(nil, d.Sum(nil), nil)
			require.NoError(t, err)
			assert.ErrorIs(t, v.Verify(msg, overDigest), ErrInvalidSignature, "a signature of a pre-hash")
		})
	}
}

// A crypto.Signer that returns a signature of the wrong length is an error.
func TestMLDSASignerLength(t *testing.T) {
	s, err := MLDSA44.NewSigner(shortSigner{mldsaKeys()[MLDSA44]})
	require.NoError(t, err)
	_, err = s.Sign(bg, []byte("a.b"))
	assert.ErrorIs(t, err, ErrSigning)
}

type shortSigner struct{ *mldsa.PrivateKey }

func (s shortSigner) Sign(r io.Reader, m []byte, o crypto.SignerOpts) ([]byte, error) {
	sig, err := s.PrivateKey.Sign(r, m, o)
	return sig[:len(sig)-1], err
}

// AKP JWKs: written and read back, public and private; "alg" is always
// written; the thumbprint is RFC 9964's.
func TestMLDSAJWKRoundTrip(t *testing.T) {
	for _, a := range mldsaAlgs {
		t.Run(a.Name(), func(t *testing.T) {
			k := mldsaKeys()[a]
			jwk, err := NewJWK(k)
			require.NoError(t, err)
			assert.Equal(t, "AKP", jwk.KeyType)
			assert.Equal(t, a.Name(), jwk.Algorithm)
			assert.True(t, jwk.IsPrivate())
			require.NoError(t, jwk.SetThumbprintKeyID())

			pubJSON, err := json.Marshal(jwk)
			require.NoError(t, err)
			assert.NotContains(t, string(pubJSON), `"priv"`)
			assert.Contains(t, string(pubJSON), `"alg":"`+a.Name()+`"`)
			privJSON, err := jwk.MarshalPrivateJSON()
			require.NoError(t, err)
			assert.Contains(t, string(privJSON), `"priv":"`+base64.RawURLEncoding.EncodeToString(k.Bytes())+`"`)

			pub, err := ParseJWK(pubJSON)
			require.NoError(t, err)
			assert.True(t, k.PublicKey().Equal(pub.Key))
			assert.False(t, pub.IsPrivate())
			priv, err := ParseJWK(privJSON)
			require.NoError(t, err)
			assert.True(t, k.Equal(priv.Key))

			// Without "alg" set, the key's own is written.
			jwk.Algorithm = ""
			again, err := json.Marshal(jwk)
			require.NoError(t, err)
			assert.Equal(t, string(pubJSON), string(again))

			tp1, err := pub.Thumbprint(0)
			require.NoError(t, err)
			tp2, err := priv.Thumbprint(0)
			require.NoError(t, err)
			assert.Equal(t, tp1, tp2)
			assert.Equal(t, jwk.KeyID, base64.RawURLEncoding.EncodeToString(tp1))

			s, err := priv.Signer(nil)
			require.NoError(t, err)
			v, err := pub.Verifier(nil)
			require.NoError(t, err)
			checkAlgorithm(t, s, v)
			_, err = pub.Verifier(EdDSA)
			assert.ErrorIs(t, err, ErrAlgorithmMismatch)
			_, err = pub.Signer(nil)
			assert.ErrorIs(t, err, ErrInvalidKey)

			// PKIX and PKCS #8, which crypto/x509 reads and writes in Go 1.27.
			pp, err := EncodePublicKeyPEM(k)
			require.NoError(t, err)
			gotPub, err := ParsePublicKeyPEM(pp)
			require.NoError(t, err)
			assert.True(t, k.PublicKey().Equal(gotPub))
			sp, err := EncodePrivateKeyPEM(k)
			require.NoError(t, err)
			gotPriv, err := ParsePrivateKeyPEM(sp)
			require.NoError(t, err)
			assert.True(t, k.Equal(gotPriv))
			_, err = ParsePrivateKeyPEM(pp)
			assert.ErrorIs(t, err, ErrInvalidKey)
		})
	}
}

// AKP JWKs are read strictly.
func TestMLDSAJWKParseErrors(t *testing.T) {
	k := mldsaKeys()[MLDSA44]
	pub := base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes())
	seed := base64.RawURLEncoding.EncodeToString(k.Bytes())
	other := base64.RawURLEncoding.EncodeToString(mldsaKeys()[MLDSA65].PublicKey().Bytes())
	otherSeed := base64.RawURLEncoding.EncodeToString(make([]byte, 32))
	// The last character of pub with a non-canonical trailing bit: 1312
	// bytes encode to 1750 characters, whose last one carries 4 bits.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, pub[len(pub)-1])
	require.Zero(t, last&0xf, "the last character carries 2 bits")
	nonCanonical := pub[:len(pub)-1] + string(alphabet[last|1])
	for _, tc := range []struct {
		name, jwk string
		is        error
		message   string
	}{
		{name: "no alg", jwk: `{"kty":"AKP","pub":"` + pub + `"}`, is: ErrInvalidKey, message: `requires member "alg"`},
		{name: "alg not a string", jwk: `{"kty":"AKP","alg":44,"pub":"` + pub + `"}`, is: ErrInvalidKey, message: `"alg" is not a string`},
		{name: "alg of another parameter set", jwk: `{"kty":"AKP","alg":"ML-DSA-65","pub":"` + pub + `"}`, is: ErrInvalidKey, message: "ML-DSA-65 public key must be 1952 octets, got 1312"},
		{name: "alg of another key type", jwk: `{"kty":"AKP","alg":"EdDSA","pub":"` + pub + `"}`, is: ErrUnsupportedKeyType},
		{name: "unknown alg", jwk: `{"kty":"AKP","alg":"SLH-DSA-SHA2-128s","pub":"` + pub + `"}`, is: ErrUnsupportedAlgorithm},
		{name: "alg none", jwk: `{"kty":"AKP","alg":"none","pub":"` + pub + `"}`, is: ErrUnsupportedAlgorithm},
		{name: "no pub", jwk: `{"kty":"AKP","alg":"ML-DSA-44"}`, is: ErrInvalidKey, message: `requires member "pub"`},
		{name: "pub too short", jwk: `{"kty":"AKP","alg":"ML-DSA-44","pub":"` + pub[:len(pub)-6] + `"}`, is: ErrInvalidKey, message: "1312 octets, got 1308"},
		{name: "pub of ML-DSA-65", jwk: `{"kty":"AKP","alg":"ML-DSA-44","pub":"` + other + `"}`, is: ErrInvalidKey, message: "1312 octets, got 1952"},
		{name: "pub padded", jwk: `{"kty":"AKP","alg":"ML-DSA-44","pub":"` + pub + `=="}`, is: ErrMalformed},
		{name: "pub standard base64", jwk: `{"kty":"AKP","alg":"ML-DSA-44","pub":"` + strings.NewReplacer("-", "+", "_", "/").Replace(pub) + `"}`, is: ErrMalformed},
		{name: "pub non-canonical", jwk: `{"kty":"AKP","alg":"ML-DSA-44","pub":"` + nonCanonical + `"}`, is: ErrMalformed},
		{name: "pub with a line break", jwk: `{"kty":"AKP","alg":"ML-DSA-44","pub":"` + pub[:64] + `\n` + pub[64:] + `"}`, is: ErrMalformed},
		{name: "priv too short", jwk: `{"kty":"AKP","alg":"ML-DSA-44","pub":"` + pub + `","priv":"` + seed[:40] + `"}`, is: ErrInvalidKey, message: "seed must be 32 octets, got 30"},
		{name: "priv expanded", jwk: `{"kty":"AKP","alg":"ML-DSA-44","pub":"` + pub + `","priv":"` + base64.RawURLEncoding.EncodeToString(make([]byte, 2560)) + `"}`, is: ErrInvalidKey, message: "seed must be 32 octets, got 2560"},
		{name: "priv of another key", jwk: `{"kty":"AKP","alg":"ML-DSA-44","pub":"` + pub + `","priv":"` + otherSeed + `"}`, is: ErrInvalidKey, message: `"priv" does not match "pub"`},
		{name: "seed member", jwk: `{"kty":"AKP","alg":"ML-DSA-44","pub":"` + pub + `","seed":"` + seed + `"}`, is: ErrInvalidKey, message: `"seed"`},
		{name: "priv_exp member", jwk: `{"kty":"AKP","alg":"ML-DSA-44","pub":"` + pub + `","priv":"` + seed + `","priv_exp":"AAAA"}`, is: ErrInvalidKey, message: `"priv_exp"`},
		{name: "d member", jwk: `{"kty":"AKP","alg":"ML-DSA-44","pub":"` + pub + `","d":"` + seed + `"}`, is: ErrInvalidKey, message: `member "d" is not defined for kty "AKP"`},
		{name: "x member", jwk: `{"kty":"AKP","alg":"ML-DSA-44","x":"` + pub + `"}`, is: ErrInvalidKey, message: `member "x" is not defined`},
		{name: "pub on an OKP key", jwk: `{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","pub":"AAAA"}`, is: ErrInvalidKey, message: `member "pub" is not defined for kty "OKP"`},
		{name: "kty is case-sensitive", jwk: `{"kty":"akp","alg":"ML-DSA-44","pub":"` + pub + `"}`, is: ErrUnsupportedKeyType},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseJWK([]byte(tc.jwk))
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.is)
			assert.ErrorIs(t, err, ErrInvalidKey)
			if tc.message != "" {
				assert.ErrorContains(t, err, tc.message)
			}
			assert.NotContains(t, err.Error(), seed[:16], "no key material in the message")
		})
	}
}

// RFC 9964's examples: the all-zero seed's keys and their thumbprints, and
// the ML-DSA-44 JWS.
func TestMLDSARFC9964Examples(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "rfc9964_examples.json"))
	require.NoError(t, err)
	var doc struct {
		Examples []struct {
			Alg  string          `json:"alg"`
			Seed string          `json:"seed"`
			Kid  string          `json:"kid"`
			JWK  json.RawMessage `json:"jwk"`
			JWS  string          `json:"jws"`
		} `json:"examples"`
	}
	require.NoError(t, json.Unmarshal(b, &doc))
	var keys, tokens int
	for _, ex := range doc.Examples {
		a, err := AlgorithmByName(ex.Alg)
		require.NoError(t, err)
		params, _ := a.(MLDSAAlgorithm).params()
		seed, err := hex.DecodeString(ex.Seed)
		require.NoError(t, err)
		sk, err := mldsa.NewPrivateKey(params, seed)
		require.NoError(t, err)
		fromSeed, err := NewJWK(sk)
		require.NoError(t, err)
		require.NoError(t, fromSeed.SetThumbprintKeyID())
		assert.Equal(t, ex.Kid, fromSeed.KeyID, "%s: the thumbprint of the seed's key", ex.Alg)
		keys++
		if ex.JWK == nil {
			continue
		}
		jwk, err := ParseJWK(ex.JWK)
		require.NoError(t, err)
		assert.Equal(t, ex.Kid, jwk.KeyID)
		assert.True(t, sk.Equal(jwk.Key), "the JWK's priv is the seed")
		tp, err := jwk.Thumbprint(crypto.SHA256)
		require.NoError(t, err)
		assert.Equal(t, ex.Kid, base64.RawURLEncoding.EncodeToString(tp))
		// The JWK written back is the example's, in this package's order.
		out, err := jwk.MarshalPrivateJSON()
		require.NoError(t, err)
		assert.JSONEq(t, string(ex.JWK), string(out))

		// The example JWS has no claims set: its payload is a sentence. Its
		// signature is checked by the Verifier over the signing input.
		v, err := jwk.Verifier(nil)
		require.NoError(t, err)
		dot := strings.LastIndexByte(ex.JWS, '.')
		sig, err := base64.RawURLEncoding.DecodeString(ex.JWS[dot+1:])
		require.NoError(t, err)
		require.NoError(t, v.Verify([]byte(ex.JWS[:dot]), sig))
		bad := []byte(ex.JWS[:dot])
		bad[len(bad)-1] ^= 1
		assert.ErrorIs(t, v.Verify(bad, sig), ErrInvalidSignature)
		u, err := ParseUnverified(ex.JWS, 0)
		require.NoError(t, err)
		assert.Equal(t, ex.Alg, u.Header.Algorithm)
		assert.Equal(t, ex.Kid, u.Header.KeyID)
		tokens++
	}
	t.Logf("RFC 9964 examples: %d key thumbprints, %d JWS verified", keys, tokens)
	assert.Equal(t, 3, keys)
	assert.Equal(t, 1, tokens)
}

// A key set holds ML-DSA keys beside the others, each bound to its alg.
func TestMLDSAKeySet(t *testing.T) {
	keys := mldsaKeys()
	var vs []Verifier
	for _, a := range mldsaAlgs {
		v, err := a.NewVerifier(keys[a].PublicKey())
		require.NoError(t, err)
		vs = append(vs, VerifierWithKeyID(v, a.Name()))
	}
	_, ed := signerVerifier(t, EdDSA)
	ks, err := NewKeySet(append(vs, VerifierWithKeyID(ed, "ed"))...)
	require.NoError(t, err)
	for _, a := range mldsaAlgs {
		s, err := a.NewSigner(keys[a])
		require.NoError(t, err)
		tok, err := Sign(bg, SignerWithKeyID(s, a.Name()), validClaims(), nil)
		require.NoError(t, err)
		_, err = Verify[RegisteredClaims](bg, tok, ks, defaultOpts())
		assert.NoError(t, err)
		tok, err = Sign(bg, SignerWithKeyID(s, "ed"), validClaims(), nil)
		require.NoError(t, err)
		_, err = Verify[RegisteredClaims](bg, tok, ks, defaultOpts())
		assert.ErrorIs(t, err, ErrAlgorithmMismatch)
	}
}
