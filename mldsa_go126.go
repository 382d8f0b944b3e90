//go:build !go1.27

package jwt

import "fmt"

// Go 1.26 has no crypto/mldsa: the ML-DSA algorithms are named but not
// implemented, and keys of kty "AKP" are not supported.

// mldsaAlgorithms returns nil: [Algorithms] lists no ML-DSA algorithm.
func mldsaAlgorithms() []Algorithm { return nil }

// NewSigner returns an error wrapping ErrUnsupportedAlgorithm: ML-DSA needs
// Go 1.27 or later.
func (a MLDSAAlgorithm) NewSigner(any) (Signer, error) { return nil, a.available() }

// NewVerifier returns an error wrapping ErrUnsupportedAlgorithm: ML-DSA
// needs Go 1.27 or later.
func (a MLDSAAlgorithm) NewVerifier(any) (Verifier, error) { return nil, a.available() }

// available returns the error of every use of a: ML-DSA needs Go 1.27.
func (a MLDSAAlgorithm) available() error {
	if a.Name() == "" {
		return fmt.Errorf("%w: MLDSAAlgorithm(%d)", ErrUnsupportedAlgorithm, int(a))
	}
	return fmt.Errorf("%w: %s needs crypto/mldsa, which this program was built without: build it with Go 1.27 or later", ErrUnsupportedAlgorithm, a.Name())
}

func generateMLDSAKey(a MLDSAAlgorithm) (any, error) { return nil, a.available() }

// The JWK hooks of kty "AKP": no key of this build is an ML-DSA key.

func checkAKPKey(any) (string, bool, error)        { return "", false, nil }
func isAKPPrivate(any) bool                        { return false }
func akpAlgorithm(any) string                      { return "" }
func akpPublicBytes(any) []byte                    { return nil }
func akpPublicKeyOf(key any) any                   { return key }
func akpKindOf(any) string                         { return "" }
func appendAKPJWK(func(string, []byte), any, bool) {}

// parseAKP reports a key of kty "AKP" as unsupported, naming the Go
// version it needs, so that a JWK Set skips it and keeps its other keys.
func (f *jwkFields) parseAKP(alg string) (any, error) {
	what := `kty "AKP"`
	if a, ok := mldsaByName(alg); ok {
		what += " (" + a.Name() + ")"
	}
	return nil, fmt.Errorf("%w: %s needs crypto/mldsa: build with Go 1.27 or later", ErrUnsupportedKeyType, what)
}
