package jwt

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"hash"
	"math/big"
	"strings"
	"testing"
)

// Each benchmark runs beside a standard-library baseline doing the same
// cryptographic work directly: BenchmarkVerify/<ALG> against
// BenchmarkVerify/<ALG>/stdlib, and likewise for Sign. Compare the two
// within one run:
//
//	go test -run '^$' -bench . -benchmem

func benchClaims() RegisteredClaims {
	c := validClaims()
	return c
}

func BenchmarkVerify(b *testing.B) {
	for _, alg := range Algorithms() {
		s, v := signerVerifier(b, alg)
		tok, err := Sign(bg, s, benchClaims(), nil)
		if err != nil {
			b.Fatal(err)
		}
		opts := defaultOpts()
		b.Run(alg.Name(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Verify[RegisteredClaims](bg, tok, v, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
		_, pub := keyPair(b, alg)
		check := stdlibVerify(alg, pub)
		b.Run(alg.Name()+"/stdlib", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d2 := strings.LastIndexByte(tok, '.')
				sig, err := base64.RawURLEncoding.DecodeString(tok[d2+1:])
				if err != nil || !check([]byte(tok[:d2]), sig) {
					b.Fatal("stdlib baseline rejected the token")
				}
			}
		})
	}
}

// stdlibVerify returns the bare crypto check for alg with key pub.
func stdlibVerify(alg Algorithm, pub any) func(input, sig []byte) bool {
	switch a := alg.(type) {
	case HMACAlgorithm:
		mac := hmac.New(a.hash().New, pub.([]byte))
		return func(input, sig []byte) bool {
			mac.Reset()
			mac.Write(input)
			return hmac.Equal(mac.Sum(nil), sig)
		}
	case RSAAlgorithm:
		h := shaByBits(int(a))
		return func(input, sig []byte) bool {
			return rsa.VerifyPKCS1v15(pub.(*rsa.PublicKey), h, hashInto(nil, h, input), sig) == nil
		}
	case RSAPSSAlgorithm:
		h := shaByBits(int(a))
		opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: h}
		return func(input, sig []byte) bool {
			return rsa.VerifyPSS(pub.(*rsa.PublicKey), h, hashInto(nil, h, input), sig, opts) == nil
		}
	case ECDSAAlgorithm:
		_, _, h, size := a.params()
		return func(input, sig []byte) bool {
			r, s := new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])
			return ecdsa.Verify(pub.(*ecdsa.PublicKey), hashInto(nil, h, input), r, s)
		}
	case EdDSAAlgorithm:
		return func(input, sig []byte) bool { return ed25519.Verify(pub.(ed25519.PublicKey), input, sig) }
	}
	panic("no baseline")
}

func BenchmarkSign(b *testing.B) {
	ctx := context.Background()
	for _, alg := range Algorithms() {
		s, _ := signerVerifier(b, alg)
		claims := benchClaims()
		b.Run(alg.Name(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Sign(bg, s, claims, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
		priv, _ := keyPair(b, alg)
		sign := stdlibSign(alg, priv)
		header := `{"alg":"` + alg.Name() + `","typ":"JWT"}`
		b.Run(alg.Name()+"/stdlib", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				payload, err := json.Marshal(claims)
				if err != nil {
					b.Fatal(err)
				}
				input := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString(payload)
				sig := sign([]byte(input))
				_ = input + "." + base64.RawURLEncoding.EncodeToString(sig)
			}
		})
		_ = ctx
	}
}

// stdlibSign returns the bare crypto signing call for alg with key priv.
func stdlibSign(alg Algorithm, priv any) func(input []byte) []byte {
	var h crypto.Hash
	var mac hash.Hash
	switch a := alg.(type) {
	case HMACAlgorithm:
		mac = hmac.New(a.hash().New, priv.([]byte))
		return func(input []byte) []byte {
			mac.Reset()
			mac.Write(input)
			return mac.Sum(nil)
		}
	case RSAAlgorithm:
		h = shaByBits(int(a))
		return func(input []byte) []byte {
			sig, _ := rsa.SignPKCS1v15(rand.Reader, priv.(*rsa.PrivateKey), h, hashInto(nil, h, input))
			return sig
		}
	case RSAPSSAlgorithm:
		h = shaByBits(int(a))
		opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: h}
		return func(input []byte) []byte {
			sig, _ := rsa.SignPSS(rand.Reader, priv.(*rsa.PrivateKey), h, hashInto(nil, h, input), opts)
			return sig
		}
	case ECDSAAlgorithm:
		_, _, h, size := a.params()
		return func(input []byte) []byte {
			r, s, _ := ecdsa.Sign(rand.Reader, priv.(*ecdsa.PrivateKey), hashInto(nil, h, input))
			sig := make([]byte, 2*size)
			r.FillBytes(sig[:size])
			s.FillBytes(sig[size:])
			return sig
		}
	case EdDSAAlgorithm:
		return func(input []byte) []byte { return ed25519.Sign(priv.(ed25519.PrivateKey), input) }
	}
	panic("no baseline")
}

// BenchmarkKeySet verifies HS256 tokens through a KeySet of two keys: every
// token with one kid, and tokens whose kid alternates between the two.
func BenchmarkKeySet(b *testing.B) {
	var toks [2]string
	var vs [2]Verifier
	for i, kid := range []string{"k1", "k2"} {
		s, v := signerVerifier(b, HS256)
		tok, err := Sign(bg, SignerWithKeyID(s, kid), benchClaims(), nil)
		if err != nil {
			b.Fatal(err)
		}
		toks[i], vs[i] = tok, VerifierWithKeyID(v, kid)
	}
	ks, err := NewKeySet(vs[0], vs[1])
	if err != nil {
		b.Fatal(err)
	}
	opts := defaultOpts()
	for _, bc := range []struct {
		name string
		mask int
	}{{"one-kid", 0}, {"alternating-kids", 1}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := Verify[RegisteredClaims](bg, toks[i&bc.mask], ks, opts); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkVerifyStages times the stages of HS256 Verify into
// RegisteredClaims one by one, on a token like the benchmark module's
// (registered claims plus "name" and "admin"), to show where the time of
// BenchmarkVerify/HS256 goes beside the HMAC itself.
func BenchmarkVerifyStages(b *testing.B) {
	s, v := hs256(b)
	claims := struct {
		RegisteredClaims
		Name  string `json:"name"`
		Admin bool   `json:"admin"`
	}{benchClaims(), "Ada Lovelace", true}
	claims.ID = "4f1c2a9e-7b3d-4c8e-9a61-2d5f0e8b7c13"
	tok, err := Sign(bg, s, &claims, nil)
	if err != nil {
		b.Fatal(err)
	}
	opts := defaultOpts()
	d1, d2, err := split(tok, 0)
	if err != nil {
		b.Fatal(err)
	}
	header, _ := decodeSegment(nil, tok[:d1])
	payload, _ := decodeSegment(nil, tok[d1+1:d2])
	input := []byte(tok[:d2])
	sig, _ := decodeSegment(nil, tok[d2+1:])
	buf := make([]byte, 0, 1024)
	b.Run("all", func(b *testing.B) {
		for b.Loop() {
			if _, err := Verify[RegisteredClaims](bg, tok, v, opts); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("base64", func(b *testing.B) {
		for b.Loop() {
			x, _ := decodeSegment(buf[:0], tok[:d1])
			x, _ = decodeSegment(x[:0], tok[d1+1:d2])
			decodeSegment(x[:0], tok[d2+1:])
		}
	})
	b.Run("header", func(b *testing.B) {
		var h Header
		for b.Loop() {
			if !readCommonHeader(header, &h) {
				b.Fatal("not a common header")
			}
		}
	})
	b.Run("claims", func(b *testing.B) {
		p := string(payload)
		for b.Loop() {
			var cs claimSet
			if err := readClaims(p, &cs); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("validate", func(b *testing.B) {
		cs := claimSet{}
		if err := readClaims(string(payload), &cs); err != nil {
			b.Fatal(err)
		}
		h := Header{Algorithm: "HS256", Type: "JWT"}
		for b.Loop() {
			if err := validate(&cs, &h, opts); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("mac", func(b *testing.B) {
		for b.Loop() {
			if err := v.Verify(input, sig); err != nil {
				b.Fatal(err)
			}
		}
	})
}
