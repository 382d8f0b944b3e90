package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"fmt"
	"os"

	"github.com/jwtkit/jwt"
)

// signingKey returns the private key the service signs with and its
// algorithm: the key in keyFile, or a new key if keyFile is "". algName,
// if set, names the algorithm; otherwise it is the JWK's "alg", or follows
// from the key (ES256/384/512 by curve, EdDSA for Ed25519, RS256 for RSA),
// and ES256 for a new key.
func signingKey(keyFile, algName string) (*jwt.JWK, jwt.Algorithm, error) {
	var alg jwt.Algorithm
	if algName != "" {
		a, err := jwt.AlgorithmByName(algName)
		if err != nil {
			return nil, nil, fmt.Errorf("--alg: %w", err)
		}
		alg = a
	}
	if keyFile == "" {
		if alg == nil {
			alg = jwt.ES256
		}
		k, err := jwt.GenerateKey(alg)
		if err != nil {
			return nil, nil, fmt.Errorf("--alg: %w", err)
		}
		return k, alg, nil
	}
	k, err := readKeyFile(keyFile)
	if err != nil {
		return nil, nil, fmt.Errorf("--key %s: %w", keyFile, err)
	}
	if alg == nil && k.Algorithm != "" {
		if alg, err = jwt.AlgorithmByName(k.Algorithm); err != nil {
			return nil, nil, fmt.Errorf("--key %s: %w", keyFile, err)
		}
	}
	if alg == nil {
		if alg = algorithmOf(k.Key); alg == nil {
			return nil, nil, fmt.Errorf("--key %s: cannot tell the algorithm of the key: give --alg", keyFile)
		}
	}
	return k, alg, nil
}

// readKeyFile reads a private key: a JWK, as jwt keygen writes it, or a PEM
// file. A public key or a symmetric secret is an error.
func readKeyFile(path string) (*jwt.JWK, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var k *jwt.JWK
	if trimmed := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))); len(trimmed) > 0 && trimmed[0] == '{' {
		if k, err = jwt.ParseJWK(trimmed); err != nil {
			return nil, err
		}
	} else {
		key, err := jwt.ParsePrivateKeyPEM(data)
		if err != nil {
			return nil, err
		}
		if k, err = jwt.NewJWK(key); err != nil {
			return nil, err
		}
	}
	switch k.Key.(type) {
	case *ecdsa.PrivateKey, ed25519.PrivateKey, *rsa.PrivateKey:
		return k, nil
	case []byte:
		return nil, errors.New("a symmetric secret has no public key to publish: use an RS*, PS*, ES* or EdDSA key")
	default:
		return nil, errors.New("not a private key (jwt keygen writes the private key to FILE, the public one to FILE.pub)")
	}
}

// algorithmOf returns the algorithm a key implies, or nil.
func algorithmOf(key any) jwt.Algorithm {
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P256():
			return jwt.ES256
		case elliptic.P384():
			return jwt.ES384
		case elliptic.P521():
			return jwt.ES512
		}
	case ed25519.PrivateKey:
		return jwt.EdDSA
	case *rsa.PrivateKey:
		return jwt.RS256
	}
	return nil
}
