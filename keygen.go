package jwt

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
)

// GenerateKey returns a new random private key for alg, one of this
// package's algorithms, as a JWK bound to alg (its Algorithm is alg's name,
// so [JWK.Signer] and [JWK.Verifier] need no algorithm) and without a kid
// (see [JWK.SetThumbprintKeyID]). Its Key is:
//
//   - HS256, HS384, HS512: a []byte secret of the hash size (32, 48 or 64
//     bytes) from crypto/rand;
//   - RS256 … PS512: an *rsa.PrivateKey of 2048 bits for RS256 and PS256,
//     3072 bits for RS384 and PS384, 4096 bits for RS512 and PS512;
//   - ES256, ES384, ES512: an *ecdsa.PrivateKey on P-256, P-384 or P-521;
//   - EdDSA, Ed25519: an ed25519.PrivateKey;
//   - ML-DSA-44, ML-DSA-65, ML-DSA-87: an *mldsa.PrivateKey (Go 1.27 or
//     later; with Go 1.26 an error wrapping ErrUnsupportedAlgorithm).
//
// Any other algorithm is an error wrapping ErrUnsupportedAlgorithm.
// [JWK.MarshalPrivateJSON] and [EncodePrivateKeyPEM] write the key out,
// [JWK.Public] gives its public JWK.
func GenerateKey(alg Algorithm) (*JWK, error) {
	key, err := generateKey(alg)
	if err != nil {
		return nil, err
	}
	kty, err := checkJWKKey(key)
	if err != nil {
		return nil, err
	}
	return &JWK{KeyType: kty, Algorithm: alg.Name(), Key: key}, nil
}

func generateKey(alg Algorithm) (any, error) {
	switch a := alg.(type) {
	case HMACAlgorithm:
		if h := a.hash(); h != 0 {
			secret := make([]byte, h.Size())
			rand.Read(secret) // never returns an error (Go 1.24+)
			return secret, nil
		}
	case RSAAlgorithm:
		if bits := rsaBitsFor(int(a)); bits != 0 {
			return rsa.GenerateKey(rand.Reader, bits)
		}
	case RSAPSSAlgorithm:
		if bits := rsaBitsFor(int(a)); bits != 0 {
			return rsa.GenerateKey(rand.Reader, bits)
		}
	case ECDSAAlgorithm:
		if c := a.curve(); c != nil {
			return ecdsa.GenerateKey(c, rand.Reader)
		}
	case EdDSAAlgorithm:
		if a.Name() != "" {
			_, priv, err := ed25519.GenerateKey(rand.Reader)
			return priv, err
		}
	case MLDSAAlgorithm:
		if a.Name() != "" {
			return generateMLDSAKey(a)
		}
	}
	if alg == nil {
		return nil, fmt.Errorf("%w: nil Algorithm", ErrUnsupportedAlgorithm)
	}
	return nil, fmt.Errorf("%w: cannot generate a key for %s, an algorithm of another package", ErrUnsupportedAlgorithm, quote(alg.Name()))
}

// rsaBitsFor returns the modulus size GenerateKey uses for RSA algorithms
// with SHA-bits, or 0.
func rsaBitsFor(bits int) int {
	switch bits {
	case 256:
		return 2048
	case 384:
		return 3072
	case 512:
		return 4096
	}
	return 0
}
