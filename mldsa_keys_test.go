//go:build go1.27

package jwt

import (
	"crypto/mldsa"
	"sync"
)

// mldsaKeys are one key of each ML-DSA parameter set, made once per run.
var mldsaKeys = sync.OnceValue(func() map[MLDSAAlgorithm]*mldsa.PrivateKey {
	keys := make(map[MLDSAAlgorithm]*mldsa.PrivateKey)
	for _, a := range []MLDSAAlgorithm{MLDSA44, MLDSA65, MLDSA87} {
		p, _ := a.params()
		k, err := mldsa.GenerateKey(p)
		if err != nil {
			panic(err)
		}
		keys[a] = k
	}
	return keys
})

// mldsaKeyPair returns the test keys of alg if it is an ML-DSA algorithm.
func mldsaKeyPair(alg Algorithm) (priv, pub any, ok bool) {
	a, ok := alg.(MLDSAAlgorithm)
	if !ok {
		return nil, nil, false
	}
	k := mldsaKeys()[a]
	return k, k.PublicKey(), k != nil
}

// mldsaFIPSTests are the ML-DSA tests that TestFIPS140OnlyNoPanic also runs
// in FIPS 140-only mode, where ML-DSA is approved.
var mldsaFIPSTests = []string{"TestWycheproofMLDSA", "TestMLDSARFC9964Examples", "TestMLDSAJWKParseErrors", "TestMLDSAStrictVerify"}
