package jwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkAlgorithm signs with s, verifies with v, and checks that every
// single-bit change to the token is rejected.
func checkAlgorithm(t *testing.T, s Signer, v Verifier) {
	t.Helper()
	want := validClaims()
	tok, err := Sign(bg, s, want, nil)
	require.NoError(t, err)
	got, err := Verify[RegisteredClaims](bg, tok, v, defaultOpts())
	require.NoError(t, err)
	assert.Equal(t, want, got.Claims)
	assert.Equal(t, s.Algorithm(), got.Header.Algorithm)
	assert.Equal(t, "JWT", got.Header.Type)

	// Tamper: flip a bit in each segment; every change must be rejected.
	d1 := strings.IndexByte(tok, '.')
	d2 := strings.LastIndexByte(tok, '.')
	for _, pos := range []int{1, d1 + 2, d2 + 2, len(tok) - 2} {
		b := []byte(tok)
		b[pos] ^= 0x01
		_, err := Verify[RegisteredClaims](bg, string(b), v, defaultOpts())
		assert.Error(t, err, "tampered at %d", pos)
	}
	// A signature over other claims, spliced in, must fail as a signature.
	other := want
	other.Subject = "admin"
	tok2, err := Sign(bg, s, other, nil)
	require.NoError(t, err)
	spliced := tok2[:strings.LastIndexByte(tok2, '.')] + tok[d2:]
	_, err = Verify[RegisteredClaims](bg, spliced, v, defaultOpts())
	assert.ErrorIs(t, err, ErrInvalidSignature)
}

func TestAlgorithms(t *testing.T) {
	for _, alg := range Algorithms() {
		t.Run(alg.Name(), func(t *testing.T) {
			t.Parallel()
			s, v := signerVerifier(t, alg)
			assert.Equal(t, alg.Name(), s.Algorithm())
			assert.Equal(t, alg.Name(), v.Algorithm())
			checkAlgorithm(t, s, v)
		})
	}
}

// opaqueSigner hides the concrete key type, as a KMS or HSM would.
type opaqueSigner struct{ crypto.Signer }

func TestCryptoSigner(t *testing.T) {
	k := keysOnce()
	for _, tc := range []struct {
		alg  Algorithm
		priv crypto.Signer
		pub  any
	}{
		{alg: RS256, priv: k.rsa, pub: &k.rsa.PublicKey},
		{alg: PS512, priv: k.rsa, pub: &k.rsa.PublicKey},
		{alg: ES384, priv: k.ec[ES384], pub: &k.ec[ES384].PublicKey},
		{alg: EdDSA, priv: k.ed, pub: k.ed.Public()},
	} {
		t.Run(tc.alg.Name(), func(t *testing.T) {
			s, err := tc.alg.NewSigner(opaqueSigner{tc.priv})
			require.NoError(t, err)
			v, err := tc.alg.NewVerifier(tc.pub)
			require.NoError(t, err)
			checkAlgorithm(t, s, v)
		})
	}
}

func TestKeyConstructorsRefuse(t *testing.T) {
	k := keysOnce()
	small := unapprovedRSAKey(t, 1024)
	for _, tc := range []struct {
		name string
		alg  Algorithm
		key  any
		sign bool
		want error
	}{
		{name: "HS256 empty secret", alg: HS256, key: []byte{}, want: ErrInvalidKey},
		{name: "HS256 nil secret", alg: HS256, key: []byte(nil), want: ErrInvalidKey},
		{name: "HS256 31-byte secret", alg: HS256, key: make([]byte, 31), want: ErrInvalidKey},
		{name: "HS384 32-byte secret", alg: HS384, key: make([]byte, 32), want: ErrInvalidKey},
		{name: "HS512 63-byte secret", alg: HS512, key: make([]byte, 63), sign: true, want: ErrInvalidKey},
		{name: "HS256 string secret", alg: HS256, key: strings.Repeat("k", 32), want: ErrInvalidKey},
		{name: "HS256 RSA public key", alg: HS256, key: &k.rsa.PublicKey, want: ErrInvalidKey},
		{name: "RS256 1024-bit", alg: RS256, key: &small.PublicKey, want: ErrInvalidKey},
		{name: "RS256 1024-bit signer", alg: RS256, key: small, sign: true, want: ErrInvalidKey},
		{name: "PS256 1024-bit", alg: PS256, key: &small.PublicKey, want: ErrInvalidKey},
		{name: "RS256 HMAC secret", alg: RS256, key: make([]byte, 64), want: ErrInvalidKey},
		{name: "RS256 EC key", alg: RS256, key: &k.ec[ES256].PublicKey, want: ErrInvalidKey},
		{name: "RS256 public key to sign", alg: RS256, key: &k.rsa.PublicKey, sign: true, want: ErrInvalidKey},
		{name: "RS256 nil key", alg: RS256, key: (*rsa.PublicKey)(nil), want: ErrInvalidKey},
		{name: "ES256 P-384 key", alg: ES256, key: &k.ec[ES384].PublicKey, want: ErrInvalidKey},
		{name: "ES512 P-256 signer", alg: ES512, key: k.ec[ES256], sign: true, want: ErrInvalidKey},
		{name: "ES256 RSA key", alg: ES256, key: &k.rsa.PublicKey, want: ErrInvalidKey},
		{name: "ES256 off-curve point", alg: ES256, key: offCurveKey(), want: ErrInvalidKey},
		{name: "ES256 nil key", alg: ES256, key: (*ecdsa.PublicKey)(nil), want: ErrInvalidKey},
		{name: "EdDSA short key", alg: EdDSA, key: ed25519.PublicKey(make([]byte, 31)), want: ErrInvalidKey},
		{name: "EdDSA RSA key", alg: EdDSA, key: &k.rsa.PublicKey, want: ErrInvalidKey},
		{name: "EdDSA short private key", alg: EdDSA, key: ed25519.PrivateKey(make([]byte, 10)), sign: true, want: ErrInvalidKey},
		{name: "EdDSA ECDSA signer", alg: EdDSA, key: k.ec[ES256], sign: true, want: ErrInvalidKey},
		{name: "HMACAlgorithm(1)", alg: HMACAlgorithm(1), key: make([]byte, 64), want: ErrUnsupportedAlgorithm},
		{name: "RSAAlgorithm(1)", alg: RSAAlgorithm(1), key: &k.rsa.PublicKey, want: ErrUnsupportedAlgorithm},
		{name: "ECDSAAlgorithm(1)", alg: ECDSAAlgorithm(1), key: &k.ec[ES256].PublicKey, want: ErrUnsupportedAlgorithm},
		{name: "EdDSAAlgorithm(1)", alg: EdDSAAlgorithm(1), key: k.ed.Public(), want: ErrUnsupportedAlgorithm},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.sign {
				_, err = tc.alg.NewSigner(tc.key)
			} else {
				_, err = tc.alg.NewVerifier(tc.key)
			}
			assert.ErrorIs(t, err, tc.want)
		})
	}
}

func TestAlgorithmByName(t *testing.T) {
	for _, a := range Algorithms() {
		got, err := AlgorithmByName(a.Name())
		require.NoError(t, err)
		assert.Equal(t, a, got)
	}
	for _, name := range []string{"none", "None", "NONE", "hs256", "", "HS257", "ES256K"} {
		_, err := AlgorithmByName(name)
		assert.ErrorIs(t, err, ErrUnsupportedAlgorithm, name)
	}
	assert.Len(t, Algorithms(), 14+len(mldsaAlgorithms()))
	assert.Equal(t, "", HMACAlgorithm(0).Name())
	assert.Equal(t, "", RSAAlgorithm(0).Name())
	assert.Equal(t, "", RSAPSSAlgorithm(0).Name())
	assert.Equal(t, "", ECDSAAlgorithm(0).Name())
	assert.Equal(t, "", EdDSAAlgorithm(0).Name())
	assert.Nil(t, ECDSAAlgorithm(0).curve())
}
