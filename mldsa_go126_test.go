//go:build !go1.27

package jwt

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Built with Go 1.26, the ML-DSA names exist and every use of them is an
// error that says Go 1.27 is needed; AKP keys are unsupported key types, and
// a JWK Set that has some keeps its other keys.
func TestMLDSAGo126(t *testing.T) {
	for _, a := range []MLDSAAlgorithm{MLDSA44, MLDSA65, MLDSA87} {
		_, err := AlgorithmByName(a.Name())
		assert.ErrorIs(t, err, ErrUnsupportedAlgorithm)
		assert.ErrorContains(t, err, "Go 1.27")
		_, err = a.NewSigner(nil)
		assert.ErrorIs(t, err, ErrUnsupportedAlgorithm)
		assert.ErrorContains(t, err, a.Name()+" needs crypto/mldsa")
		_, err = a.NewVerifier(nil)
		assert.ErrorIs(t, err, ErrUnsupportedAlgorithm)
		_, err = GenerateKey(a)
		assert.ErrorIs(t, err, ErrUnsupportedAlgorithm)
		assert.NotContains(t, Algorithms(), Algorithm(a))
	}
	assert.Len(t, Algorithms(), 14)

	akp := `{"kty":"AKP","kid":"pq","alg":"ML-DSA-65","pub":"AAAA"}`
	_, err := ParseJWK([]byte(akp))
	assert.ErrorIs(t, err, ErrUnsupportedKeyType)
	assert.ErrorContains(t, err, "Go 1.27")

	jwk, err := NewJWK(publicKeyOf(keysOnce().ed))
	require.NoError(t, err)
	jwk.KeyID, jwk.Algorithm = "ed", "EdDSA"
	ed, err := jwk.MarshalJSON()
	require.NoError(t, err)
	set, skipped, err := readJWKSet([]byte(`{"keys":[`+akp+`,`+string(ed)+`]}`), true)
	require.NoError(t, err)
	require.Len(t, skipped, 1)
	assert.ErrorIs(t, skipped[0], ErrUnsupportedKeyType)
	assert.ErrorContains(t, skipped[0], `kid "pq"`)
	require.Len(t, set.Keys, 1)
	assert.Equal(t, "ed", set.Keys[0].KeyID)
	v, err := set.Keys[0].Verifier(nil)
	require.NoError(t, err, "the other keys stay usable")
	s, _ := signerVerifier(t, EdDSA)
	tok, err := Sign(bg, SignerWithKeyID(s, "ed"), validClaims(), nil)
	require.NoError(t, err)
	_, err = Verify[RegisteredClaims](bg, tok, v, defaultOpts())
	assert.NoError(t, err)

	// A private AKP key in a public set is still an error of the whole set.
	_, _, err = readJWKSet([]byte(`{"keys":[{"kty":"AKP","alg":"ML-DSA-44","pub":"AAAA","priv":"AAAA"}]}`), true)
	assert.ErrorIs(t, err, ErrInvalidKey)
}
