package jwt

import (
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
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
	assert.IsType(t, ed25519.PrivateKey{}, key.Key)
	assert.Equal(t, "Ed25519", key.Algorithm)
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
