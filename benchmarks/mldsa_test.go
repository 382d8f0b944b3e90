//go:build go1.27

package benchmarks

import (
	"crypto"
	"crypto/mldsa"
)

// The ML-DSA rows (RFC 9964), under Go 1.27: raw is crypto/mldsa's
// PrivateKey.Sign and mldsa.Verify with the empty context over the signing
// input, as RFC 9964 specifies; no other Go JWT library here has ML-DSA.

var mldsaAlgNames = []string{"ML-DSA-44", "ML-DSA-65", "ML-DSA-87"}

func mldsaParams(alg string) (mldsa.Parameters, bool) {
	switch alg {
	case "ML-DSA-44":
		return mldsa.MLDSA44(), true
	case "ML-DSA-65":
		return mldsa.MLDSA65(), true
	case "ML-DSA-87":
		return mldsa.MLDSA87(), true
	}
	return mldsa.Parameters{}, false
}

// generateMLDSA returns a new key for alg, or nil if alg is not ML-DSA.
func generateMLDSA(alg string) (crypto.Signer, error) {
	p, ok := mldsaParams(alg)
	if !ok {
		return nil, nil
	}
	return mldsa.GenerateKey(p)
}

// mldsaSigCheck is the raw check: the exact length, then mldsa.Verify.
func mldsaSigCheck(k *keys) func(signingInput, sig []byte) bool {
	p, ok := mldsaParams(k.alg)
	if !ok {
		return nil
	}
	pub, size := k.pq.Public().(*mldsa.PublicKey), p.SignatureSize()
	return func(in, sig []byte) bool {
		return len(sig) == size && mldsa.Verify(pub, in, sig, nil) == nil
	}
}

// mldsaRawSign is the raw signer: PrivateKey.Sign, with the signature size.
func mldsaRawSign(k *keys) (func(in []byte) ([]byte, error), int) {
	p, ok := mldsaParams(k.alg)
	if !ok {
		return nil, 0
	}
	priv := k.pq.(*mldsa.PrivateKey)
	return func(in []byte) ([]byte, error) { return priv.Sign(nil, in, nil) }, p.SignatureSize()
}
