package main

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"fmt"
	"strings"

	"github.com/jwtkit/jwt"
)

// pick returns the key of a JWK Set named by kid, or its only key: the
// operator's choice, so a missing key exits with status 2.
func (kf *keyFile) pick(kid string) (*jwt.JWK, error) {
	if kid != "" {
		if k := kf.set.Key(kid); k != nil {
			return k, nil
		}
		return nil, usageError("the JWK Set in %s has no key with kid %s%s", quote(kf.path), quote(kid), skippedNote(kf.skipped))
	}
	if len(kf.set.Keys) == 1 {
		return kf.set.Keys[0], nil
	}
	return nil, usageError("the JWK Set in %s holds %d keys: choose one with --kid", quote(kf.path), len(kf.set.Keys))
}

// algorithm returns the algorithm to use with k, a key of the file: --alg,
// the key's own "alg", or the one algorithm the key fits. Neither, or --alg
// and "alg" disagreeing, is an error.
func (kf *keyFile) algorithm(k *jwt.JWK, flagAlg string) (jwt.Algorithm, error) {
	switch {
	case flagAlg != "" && k.Algorithm != "" && flagAlg != k.Algorithm:
		return nil, usageError("--alg %s disagrees with the \"alg\" %s of the key in %s", flagAlg, quote(k.Algorithm), quote(kf.path))
	case flagAlg != "":
		return algorithmByName(flagAlg)
	case k.Algorithm != "":
		a, err := jwt.AlgorithmByName(k.Algorithm)
		if err != nil {
			return nil, usageError("the key in %s has the unsupported \"alg\" %s", quote(kf.path), quote(k.Algorithm))
		}
		return a, nil
	}
	if a := inferAlgorithm(k.Key); a != nil {
		return a, nil
	}
	return nil, usageError("no algorithm: give --alg (the %s in %s is %s, which fits %s, and has no \"alg\" member; the algorithm is never taken from the token)",
		kf.kind, quote(kf.path), describeKey(k.Key), strings.Join(fittingAlgorithms(k.Key), ", "))
}

// checkFits returns an error if alg cannot use k's kind of key. The library
// checks this too; jwt checks first to say it in words.
func (kf *keyFile) checkFits(k *jwt.JWK, alg jwt.Algorithm) error {
	if fits(alg, k.Key) {
		return nil
	}
	return usageError("the %s in %s cannot be used with %s: it is %s, which is for %s, not %s",
		kf.kind, quote(kf.path), alg.Name(), describeKey(k.Key), strings.Join(fittingAlgorithms(k.Key), ", "), alg.Name())
}

// inferAlgorithm returns the algorithm of a key that fits only one: Ed25519
// keys EdDSA, and EC keys ES256, ES384 or ES512 by their curve. An Ed25519
// key also fits RFC 9864's "Ed25519", the same algorithm under its
// fully-specified name; "EdDSA" is what every verifier reads. It returns
// nil for RSA keys and secrets, which fit several.
func inferAlgorithm(key any) jwt.Algorithm {
	algs := fittingAlgorithms(key)
	if len(algs) == 2 && algs[0] == jwt.EdDSA.Name() && algs[1] == jwt.Ed25519.Name() {
		algs = algs[:1]
	}
	if len(algs) == 1 {
		a, _ := jwt.AlgorithmByName(algs[0])
		return a
	}
	return nil
}

// fittingAlgorithms returns the names of the algorithms that can use key.
func fittingAlgorithms(key any) []string {
	var names []string
	for _, a := range jwt.Algorithms() {
		if fits(a, key) {
			names = append(names, a.Name())
		}
	}
	return names
}

// fits reports whether alg can use key's kind of key (and, for ECDSA, its
// curve); sizes are left to the library.
func fits(alg jwt.Algorithm, key any) bool {
	switch a := alg.(type) {
	case jwt.HMACAlgorithm:
		_, ok := key.([]byte)
		return ok
	case jwt.RSAAlgorithm, jwt.RSAPSSAlgorithm:
		switch key.(type) {
		case *rsa.PublicKey, *rsa.PrivateKey:
			return true
		}
	case jwt.ECDSAAlgorithm:
		switch a {
		case jwt.ES256:
			return curveName(key) == "P-256"
		case jwt.ES384:
			return curveName(key) == "P-384"
		case jwt.ES512:
			return curveName(key) == "P-521"
		}
	case jwt.EdDSAAlgorithm:
		switch key.(type) {
		case ed25519.PublicKey, ed25519.PrivateKey:
			return true
		}
	case jwt.MLDSAAlgorithm:
		return mldsaFits(a, key)
	}
	return false
}

// curveName returns the curve of an EC key, or "".
func curveName(key any) string {
	switch k := key.(type) {
	case *ecdsa.PublicKey:
		return k.Curve.Params().Name
	case *ecdsa.PrivateKey:
		return k.Curve.Params().Name
	}
	return ""
}

// describeKey says what kind of key key is, in words, for messages.
func describeKey(key any) string {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("an RSA key of %d bits", k.N.BitLen())
	case *rsa.PrivateKey:
		return fmt.Sprintf("an RSA key of %d bits", k.N.BitLen())
	case *ecdsa.PublicKey, *ecdsa.PrivateKey:
		return "an EC key on " + curveName(key)
	case ed25519.PublicKey, ed25519.PrivateKey:
		return "an Ed25519 key"
	case []byte:
		return fmt.Sprintf("a secret of %d bytes", len(k))
	}
	if d := mldsaDescribe(key); d != "" {
		return d
	}
	return "a key of a type jwt does not use"
}
