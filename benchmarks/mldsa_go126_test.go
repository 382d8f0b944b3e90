//go:build !go1.27

package benchmarks

import "crypto"

// Go 1.26 has no crypto/mldsa: no ML-DSA rows.

var mldsaAlgNames []string

func generateMLDSA(string) (crypto.Signer, error) { return nil, nil }

func mldsaSigCheck(*keys) func(signingInput, sig []byte) bool { return nil }

func mldsaRawSign(*keys) (func(in []byte) ([]byte, error), int) { return nil, 0 }
