package jwt

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rsaModulus returns a random odd number of exactly bits bits: not an RSA
// modulus anyone can sign for, but all a verifier looks at.
func rsaModulus(t testing.TB, bits int) *big.Int {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), uint(bits)))
	require.NoError(t, err)
	n.SetBit(n, bits-1, 1)
	n.SetBit(n, 0, 1)
	return n
}

// TestRSAPublicKeyBounds drives each bound of an RSA public key through
// every way a key comes in: the Algorithms, ParseJWK and ParsePublicKeyPEM.
// It also records what crypto/rsa does with the same key when verifying, to
// show which keys jwtkit refuses that crypto/rsa would refuse only later, at
// every token, and which ones it refuses on its own. The class it guards:
// a key accepted when a Verifier is made but refused by crypto/rsa at every
// token, in either mode: so it runs in FIPS 140-only mode too, where
// crypto/rsa refuses more keys (issue 21 item 11).
func TestRSAPublicKeyBounds(t *testing.T) {
	t.Parallel()
	n2048 := rsaModulus(t, 2048)
	even := new(big.Int).SetBit(n2048, 0, 0)
	for _, tc := range []struct {
		name string
		n    *big.Int
		e    int64
		ok   bool // jwtkit accepts the key
		// stdlib reports whether crypto/rsa refuses the key when
		// verifying (an error other than rsa.ErrVerification).
		stdlib bool
		// fips reports whether FIPS 140-only mode refuses a key that
		// is otherwise accepted: jwtkit with ErrNotFIPSApproved, and
		// crypto/rsa.
		fips bool
	}{
		{name: "e=65537", n: n2048, e: 65537, ok: true},
		{name: "e=3", n: n2048, e: 3, ok: true, fips: true},
		{name: "e=65535", n: n2048, e: 65535, ok: true, fips: true},
		{name: "2049 bits", n: rsaModulus(t, 2049), e: 65537, ok: true, fips: true},
		{name: "3072 bits", n: rsaModulus(t, 3072), e: 65537, ok: true},
		{name: "e=2^31-1", n: n2048, e: 1<<31 - 1, ok: true},
		{name: "even modulus", n: even, e: 65537, stdlib: true},
		{name: "e=1", n: n2048, e: 1, stdlib: true},
		{name: "e=2", n: n2048, e: 2, stdlib: true},
		{name: "e=0", n: n2048, e: 0, stdlib: true},
		{name: "e=-3", n: n2048, e: -3, stdlib: true},
		{name: "e=65536 (even)", n: n2048, e: 65536, stdlib: true},
		{name: "e=2^31+1", n: n2048, e: 1<<31 + 1, stdlib: true},
		{name: "e=2^32+1", n: n2048, e: 1<<32 + 1, stdlib: true},
		{name: "8192 bits", n: rsaModulus(t, 8192), e: 65537, ok: true},
		{name: "8193 bits", n: rsaModulus(t, 8193), e: 65537, stdlib: fipsOnly()}, // odd size
		{name: "16384 bits", n: rsaModulus(t, 16384), e: 65537},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if int64(int(tc.e)) != tc.e {
				t.Skip("e does not fit in an int here")
			}
			if tc.fips && fipsOnly() {
				tc.ok, tc.stdlib = false, true
			}
			pub := &rsa.PublicKey{N: tc.n, E: int(tc.e)}
			check := func(what string, err error) {
				t.Helper()
				if tc.ok {
					assert.NoError(t, err, what)
					return
				}
				assert.ErrorIs(t, err, ErrInvalidKey, what)
				if tc.fips {
					assert.ErrorIs(t, err, ErrNotFIPSApproved, what)
				}
				if err != nil {
					// Errors never quote the key.
					assert.NotContains(t, err.Error(), tc.n.Text(16)[:16], what)
					assert.NotContains(t, err.Error(), atkB64(tc.n.Bytes())[:16], what)
				}
			}
			for _, alg := range []Algorithm{RS256, PS256, RS512, PS512} {
				_, err := alg.NewVerifier(pub)
				check(alg.Name(), err)
			}
			var e []byte
			if tc.e > 0 {
				e = big.NewInt(tc.e).Bytes()
			}
			_, err := ParseJWK([]byte(fmt.Sprintf(`{"kty":"RSA","n":%q,"e":%q}`, atkB64(tc.n.Bytes()), atkB64(e))))
			check("ParseJWK", err)
			if tc.e > 0 {
				der, err := x509.MarshalPKIXPublicKey(pub)
				require.NoError(t, err)
				_, err = ParsePublicKeyPEM(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
				check("ParsePublicKeyPEM", err)
			}

			d := sha256.Sum256([]byte("e30.e30"))
			sig := make([]byte, pub.Size())
			sig[len(sig)-1] = 2
			err = rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig)
			require.Error(t, err)
			assert.Equal(t, tc.stdlib, !errors.Is(err, rsa.ErrVerification), "crypto/rsa refuses the key: %v", err)
			if tc.stdlib {
				assert.False(t, tc.ok, "a key crypto/rsa refuses is refused when the Verifier is made")
			}
		})
	}
}

// BenchmarkVerifyRejectedRSAWorstCase measures the most work a token
// without "kid" can cause with RSA keys jwtkit accepts: a KeySet of
// MaxKeysWithoutKID keys of MaxRSABits bits with e = 2^31-1, and a
// signature of the right length that verifies under none of them.
func BenchmarkVerifyRejectedRSAWorstCase(b *testing.B) {
	var vs []Verifier
	for range MaxKeysWithoutKID {
		v, err := RS256.NewVerifier(&rsa.PublicKey{N: rsaModulus(b, MaxRSABits), E: maxRSAExponent})
		if err != nil {
			b.Fatal(err)
		}
		vs = append(vs, v)
	}
	ks, err := NewKeySet(vs...)
	if err != nil {
		b.Fatal(err)
	}
	input := atkB64([]byte(`{"alg":"RS256"}`)) + "." + atkB64([]byte(atkPayload()))
	sig := make([]byte, MaxRSABits/8)
	sig[1] = 1
	tok := input + "." + atkB64(sig)
	opts := &VerifyOptions{Now: atkClock}
	for b.Loop() {
		if _, err := Verify[RegisteredClaims](bg, tok, ks, opts); !errors.Is(err, ErrInvalidSignature) {
			b.Fatal(err)
		}
	}
}
