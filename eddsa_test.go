package jwt

import (
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ed25519 is the RFC 9864 name of EdDSA with Ed25519 keys: the same
// signatures, under another "alg", bound to the key like every algorithm.
func TestEd25519Algorithm(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "Ed25519", Ed25519.Name())
	assert.Equal(t, "EdDSA", EdDSA.Name())
	for name, want := range map[string]Algorithm{"EdDSA": EdDSA, "Ed25519": Ed25519} {
		got, err := AlgorithmByName(name)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	for _, name := range []string{"ed25519", "ED25519", "Ed448", "EdDSA25519"} {
		_, err := AlgorithmByName(name)
		assert.ErrorIs(t, err, ErrUnsupportedAlgorithm, name)
	}
	assert.Contains(t, Algorithms(), Algorithm(Ed25519))

	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	pub := priv.Public()
	s, v := atkPair(t, Ed25519, priv, pub)
	sOld, vOld := atkPair(t, EdDSA, priv, pub)
	assert.Equal(t, "Ed25519", s.Algorithm())
	assert.Equal(t, "Ed25519", v.Algorithm())
	assert.Equal(t, "EdDSA", sOld.Algorithm())
	assert.Equal(t, "EdDSA", vOld.Algorithm())

	// The same algorithm: the same signature of the same input.
	input := []byte("e30.e30")
	sig, err := s.Sign(bg, input)
	require.NoError(t, err)
	sigOld, err := sOld.Sign(bg, input)
	require.NoError(t, err)
	assert.Equal(t, sigOld, sig)
	require.NoError(t, vOld.Verify(input, sig))

	opts := defaultOpts()
	tok, err := Sign(bg, s, validClaims(), nil)
	require.NoError(t, err)
	u, err := ParseUnverified(tok, 0)
	require.NoError(t, err)
	assert.Equal(t, "Ed25519", u.Header.Algorithm)
	got, err := Verify[RegisteredClaims](bg, tok, v, opts)
	require.NoError(t, err)
	assert.Equal(t, "Ed25519", got.Header.Algorithm)

	tokOld, err := Sign(bg, sOld, validClaims(), nil)
	require.NoError(t, err)
	u, err = ParseUnverified(tokOld, 0)
	require.NoError(t, err)
	assert.Equal(t, "EdDSA", u.Header.Algorithm, "EdDSA keeps writing EdDSA")
	_, err = Verify[RegisteredClaims](bg, tokOld, vOld, opts)
	require.NoError(t, err)

	// Each name is bound: neither verifier takes the other's tokens.
	_, err = Verify[RegisteredClaims](bg, tok, vOld, opts)
	assert.ErrorIs(t, err, ErrAlgorithmMismatch)
	_, err = Verify[RegisteredClaims](bg, tokOld, v, opts)
	assert.ErrorIs(t, err, ErrAlgorithmMismatch)
	// Nor does relabelling the header help: the signature covers it.
	_, p, sg := atkSplit(tok)
	relabelled := atkB64([]byte(`{"alg":"EdDSA","typ":"JWT"}`)) + "." + p + "." + sg
	_, err = Verify[RegisteredClaims](bg, relabelled, vOld, opts)
	assert.ErrorIs(t, err, ErrInvalidSignature)

	key, err := GenerateKey(Ed25519)
	require.NoError(t, err)
	assert.IsType(t, ed25519.PrivateKey{}, key)
}

func TestEd25519JWK(t *testing.T) {
	t.Parallel()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	pub := priv.Public().(ed25519.PublicKey)
	x := atkB64(pub)
	d := atkB64(priv.Seed())

	k, err := ParseJWK([]byte(`{"kty":"OKP","crv":"Ed25519","alg":"Ed25519","kid":"k1","x":"` + x + `"}`))
	require.NoError(t, err)
	v, err := k.Verifier(nil)
	require.NoError(t, err)
	assert.Equal(t, "Ed25519", v.Algorithm())
	_, err = k.Verifier(EdDSA)
	assert.ErrorIs(t, err, ErrAlgorithmMismatch)
	_, err = k.Verifier(Ed25519)
	assert.NoError(t, err)

	kp, err := ParseJWK([]byte(`{"kty":"OKP","crv":"Ed25519","alg":"Ed25519","kid":"k1","x":"` + x + `","d":"` + d + `"}`))
	require.NoError(t, err)
	s, err := kp.Signer(nil)
	require.NoError(t, err)
	assert.Equal(t, "Ed25519", s.Algorithm())
	tok, err := Sign(bg, s, validClaims(), nil)
	require.NoError(t, err)
	_, err = Verify[RegisteredClaims](bg, tok, v, defaultOpts())
	require.NoError(t, err)

	// Written out and read back with its alg.
	nk, err := NewJWK(pub)
	require.NoError(t, err)
	nk.Algorithm = "Ed25519"
	b, err := nk.MarshalJSON()
	require.NoError(t, err)
	assert.Contains(t, string(b), `"alg":"Ed25519"`)
	back, err := ParseJWK(b)
	require.NoError(t, err)
	assert.Equal(t, "Ed25519", back.Algorithm)

	// "Ed25519" fits only an Ed25519 key.
	ec := atkECKey(t, elliptic.P256())
	ecJWK, err := NewJWK(&ec.PublicKey)
	require.NoError(t, err)
	ecJWK.Algorithm = "Ed25519"
	_, err = ecJWK.MarshalJSON()
	assert.ErrorIs(t, err, ErrInvalidKey)
	ecJSON, err := NewJWK(&ec.PublicKey)
	require.NoError(t, err)
	raw, err := ecJSON.MarshalJSON()
	require.NoError(t, err)
	_, err = ParseJWK(append(raw[:len(raw)-1:len(raw)-1], []byte(`,"alg":"Ed25519"}`)...))
	assert.ErrorIs(t, err, ErrInvalidKey)
}

// A JWK Set key without "alg" is bound to every allowed algorithm that fits
// it: to both names when both are allowed, and to the one allowed
// otherwise; a key with "alg" only to its own.
func TestEd25519JWKSet(t *testing.T) {
	t.Parallel()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	_, priv2, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	x := atkB64(priv.Public().(ed25519.PublicKey))
	x2 := atkB64(priv2.Public().(ed25519.PublicKey))
	set, skipped, err := ParseJWKSet([]byte(fmt.Sprintf(`{"keys":[
		{"kty":"OKP","crv":"Ed25519","kid":"any","x":%q},
		{"kty":"OKP","crv":"Ed25519","kid":"old","alg":"EdDSA","x":%q}]}`, x, x2)))
	require.NoError(t, err)
	require.Empty(t, skipped)

	sign := func(alg Algorithm, key ed25519.PrivateKey, kid string) string {
		s, err := alg.NewSigner(key)
		require.NoError(t, err)
		if kid != "" {
			s = SignerWithKeyID(s, kid)
		}
		tok, err := Sign(bg, s, validClaims(), nil)
		require.NoError(t, err)
		return tok
	}
	opts := defaultOpts()
	verify := func(ks *KeySet, tok string) error {
		_, err := Verify[RegisteredClaims](bg, tok, ks, opts)
		return err
	}

	both, skipped, err := set.KeySet(EdDSA, Ed25519)
	require.NoError(t, err)
	assert.Empty(t, skipped)
	for _, kid := range []string{"any", ""} {
		assert.NoError(t, verify(both, sign(EdDSA, priv, kid)), "EdDSA, kid %q", kid)
		assert.NoError(t, verify(both, sign(Ed25519, priv, kid)), "Ed25519, kid %q", kid)
	}
	assert.NoError(t, verify(both, sign(EdDSA, priv2, "old")))
	assert.ErrorIs(t, verify(both, sign(Ed25519, priv2, "old")), ErrAlgorithmMismatch, "a key with alg EdDSA is not bound to Ed25519")

	onlyOld, _, err := set.KeySet(EdDSA)
	require.NoError(t, err)
	assert.NoError(t, verify(onlyOld, sign(EdDSA, priv, "any")))
	assert.ErrorIs(t, verify(onlyOld, sign(Ed25519, priv, "any")), ErrAlgorithmMismatch)
	assert.ErrorIs(t, verify(onlyOld, sign(Ed25519, priv, "")), ErrKeyNotFound)

	onlyNew, skipped, err := set.KeySet(Ed25519)
	require.NoError(t, err)
	assert.Len(t, skipped, 1, "the key with alg EdDSA is left out")
	assert.NoError(t, verify(onlyNew, sign(Ed25519, priv, "any")))
	assert.ErrorIs(t, verify(onlyNew, sign(EdDSA, priv, "any")), ErrAlgorithmMismatch)
	assert.ErrorIs(t, verify(onlyNew, sign(EdDSA, priv, "")), ErrKeyNotFound)
}
