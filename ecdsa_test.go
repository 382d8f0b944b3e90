package jwt

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAttackECDSAPsychicSignature(t *testing.T) {
	t.Parallel()
	for _, alg := range []ECDSAAlgorithm{ES256, ES384, ES512} {
		t.Run(alg.Name(), func(t *testing.T) {
			t.Parallel()
			priv := atkECKey(t, alg.curve())
			s, v := atkPair(t, alg, priv, &priv.PublicKey)
			good := atkSign(t, s, `{"alg":"`+alg.Name()+`"}`, atkPayload())
			atkControl(t, good, v, nil)
			h, p, sig := atkSplit(good)
			raw, err := decodeSegment(nil, sig)
			require.NoError(t, err)
			_, _, _, size := alg.params()
			n := make([]byte, size)
			alg.curve().Params().N.FillBytes(n)
			zero := make([]byte, size)
			r, sv := raw[:size], raw[size:]
			cat := func(a, b []byte) []byte { return append(append([]byte{}, a...), b...) }
			for _, tc := range []struct {
				name string
				sig  []byte
			}{
				{name: "r=s=0", sig: cat(zero, zero)},
				{name: "r=s=n", sig: cat(n, n)},
				{name: "r=0", sig: cat(zero, sv)},
				{name: "s=0", sig: cat(r, zero)},
				{name: "r=n", sig: cat(n, sv)},
				{name: "s=n", sig: cat(r, n)},
				{name: "r=s=0 as DER", sig: []byte{0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					atkReject(t, h+"."+p+"."+atkB64(tc.sig), v, nil, ErrInvalidSignature)
					assert.ErrorIs(t, v.Verify([]byte(h+"."+p), tc.sig), ErrInvalidSignature)
				})
			}
		})
	}
}

// atkDER encodes an R || S signature as ASN.1 DER.
func atkDER(t *testing.T, raw []byte) []byte {
	t.Helper()
	half := len(raw) / 2
	der, err := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(raw[:half]), new(big.Int).SetBytes(raw[half:])})
	require.NoError(t, err)
	return der
}

func TestAttackECDSADERSignature(t *testing.T) {
	t.Parallel()
	t.Run("RFC 7515 A.3", func(t *testing.T) {
		var e *rfcEntry
		for _, x := range loadRFCEntries(t) {
			if x.Name == "rfc7515-A.3-ES256" {
				e = &x
			}
		}
		require.NotNil(t, e)
		_, v := rfcKey(t, e, ES256)
		tok := *e.Token
		_, err := VerifyJWS(bg, tok, v, nil)
		require.NoError(t, err, "control")
		h, p, sig := atkSplit(tok)
		raw, err := decodeSegment(nil, sig)
		require.NoError(t, err)
		der := atkDER(t, raw)
		assert.Contains(t, []int{70, 71, 72}, len(der))
		_, err = VerifyJWS(bg, h+"."+p+"."+atkB64(der), v, nil)
		assert.ErrorIs(t, err, ErrInvalidSignature)
	})
	for _, alg := range []ECDSAAlgorithm{ES256, ES384, ES512} {
		t.Run(alg.Name(), func(t *testing.T) {
			t.Parallel()
			priv := atkECKey(t, alg.curve())
			s, v := atkPair(t, alg, priv, &priv.PublicKey)
			good := atkSign(t, s, `{"alg":"`+alg.Name()+`"}`, atkPayload())
			atkControl(t, good, v, nil)
			h, p, sig := atkSplit(good)
			raw, err := decodeSegment(nil, sig)
			require.NoError(t, err)
			require.Len(t, raw, map[ECDSAAlgorithm]int{ES256: 64, ES384: 96, ES512: 132}[alg])
			// The DER form is a valid signature to a DER verifier.
			der := atkDER(t, raw)
			digest := map[ECDSAAlgorithm]func([]byte) []byte{
				ES256: func(b []byte) []byte { s := sha256.Sum256(b); return s[:] },
				ES384: func(b []byte) []byte { s := sha512.Sum384(b); return s[:] },
				ES512: func(b []byte) []byte { s := sha512.Sum512(b); return s[:] },
			}[alg]([]byte(h + "." + p))
			require.True(t, ecdsa.VerifyASN1(&priv.PublicKey, digest, der), "construction proof")
			for _, tc := range []struct {
				name string
				sig  []byte
			}{
				{name: "DER", sig: der},
				{name: "one octet short", sig: raw[1:]},
				{name: "one octet long", sig: append([]byte{0}, raw...)},
				{name: "R and S each one octet short", sig: append(append([]byte{}, raw[1:len(raw)/2]...), raw[len(raw)/2+1:]...)},
				{name: "R only", sig: raw[:len(raw)/2]},
			} {
				t.Run(tc.name, func(t *testing.T) {
					atkReject(t, h+"."+p+"."+atkB64(tc.sig), v, nil, ErrInvalidSignature)
				})
			}
		})
	}
}

func TestAttackECDSAHighS(t *testing.T) {
	t.Parallel()
	for _, alg := range []ECDSAAlgorithm{ES256, ES384, ES512} {
		t.Run(alg.Name(), func(t *testing.T) {
			t.Parallel()
			priv := atkECKey(t, alg.curve())
			s, v := atkPair(t, alg, priv, &priv.PublicKey)
			good := atkSign(t, s, `{"alg":"`+alg.Name()+`"}`, atkPayload())
			atkControl(t, good, v, nil)
			h, p, sig := atkSplit(good)
			raw, err := decodeSegment(nil, sig)
			require.NoError(t, err)
			size := len(raw) / 2
			n := alg.curve().Params().N
			withS := func(sv *big.Int) string {
				b := append([]byte{}, raw...)
				sv.FillBytes(b[size:])
				return h + "." + p + "." + atkB64(b)
			}
			sv := new(big.Int).SetBytes(raw[size:])
			// n - s is the other valid signature: JWS does not require
			// low S, and Wycheproof calls it valid. Accept it, and never
			// use the token string as an identifier (use "jti").
			high := withS(new(big.Int).Sub(n, sv))
			require.NotEqual(t, good, high)
			atkControl(t, high, v, nil)
			a, err := Verify[RegisteredClaims](bg, good, v, atkOpts())
			require.NoError(t, err)
			b, err := Verify[RegisteredClaims](bg, high, v, atkOpts())
			require.NoError(t, err)
			assert.Equal(t, a.Claims, b.Claims)
			// The check can fail: n - s + 1 is not a signature.
			atkReject(t, withS(new(big.Int).Add(new(big.Int).Sub(n, sv), big.NewInt(1))), v, nil, ErrInvalidSignature)
		})
	}
}
