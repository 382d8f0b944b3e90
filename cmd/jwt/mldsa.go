//go:build go1.27

package main

import (
	"crypto/mldsa"

	"github.com/jwtkit/jwt"
)

// mldsaParams returns the parameter set of an ML-DSA key, and false for any
// other key.
func mldsaParams(key any) (mldsa.Parameters, bool) {
	switch k := key.(type) {
	case *mldsa.PublicKey:
		if k != nil {
			return k.Parameters(), true
		}
	case *mldsa.PrivateKey:
		if k != nil {
			return k.PublicKey().Parameters(), true
		}
	}
	return mldsa.Parameters{}, false
}

// mldsaFits reports whether key is an ML-DSA key of a's parameter set.
func mldsaFits(a jwt.MLDSAAlgorithm, key any) bool {
	p, ok := mldsaParams(key)
	return ok && p.String() == a.Name()
}

// mldsaDescribe says what ML-DSA key key is, or returns "".
func mldsaDescribe(key any) string {
	if p, ok := mldsaParams(key); ok {
		return "an " + p.String() + " key"
	}
	return ""
}
