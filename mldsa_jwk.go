//go:build go1.27

package jwt

import (
	"crypto/mldsa"
	"fmt"
)

// The JWK hooks of kty "AKP" (RFC 9964): the JWK, thumbprint and PEM code
// calls them for a key of a type it does not switch on itself.

// checkAKPKey checks key if it is an ML-DSA key, and reports whether it is.
func checkAKPKey(key any) (string, bool, error) {
	switch k := key.(type) {
	case *mldsa.PrivateKey:
		if k == nil {
			return "", true, jwkError("nil key")
		}
		return "AKP", true, nil
	case *mldsa.PublicKey:
		if k == nil {
			return "", true, jwkError("nil key")
		}
		return "AKP", true, nil
	}
	return "", false, nil
}

// isAKPPrivate reports whether key is an ML-DSA private key.
func isAKPPrivate(key any) bool {
	k, ok := key.(*mldsa.PrivateKey)
	return ok && k != nil
}

// akpPublic returns the ML-DSA public key of key, or nil.
func akpPublic(key any) *mldsa.PublicKey {
	switch k := key.(type) {
	case *mldsa.PrivateKey:
		if k != nil {
			return k.PublicKey()
		}
	case *mldsa.PublicKey:
		return k
	}
	return nil
}

// akpAlgorithm returns the "alg" of an ML-DSA key, and "" for any other.
func akpAlgorithm(key any) string {
	if pub := akpPublic(key); pub != nil {
		return mldsaAlgorithmOf(pub.Parameters()).Name()
	}
	return ""
}

// akpPublicBytes returns the "pub" of an ML-DSA key.
func akpPublicBytes(key any) []byte {
	if pub := akpPublic(key); pub != nil {
		return pub.Bytes()
	}
	return nil
}

// akpPublicKeyOf returns the public key of an ML-DSA private key, and any
// other key as it is.
func akpPublicKeyOf(key any) any {
	if k, ok := key.(*mldsa.PrivateKey); ok && k != nil {
		return k.PublicKey()
	}
	return key
}

// akpKindOf names an ML-DSA key for a message, or returns "".
func akpKindOf(key any) string {
	switch k := key.(type) {
	case *mldsa.PrivateKey:
		if k != nil {
			return "an " + k.PublicKey().Parameters().String() + " private key"
		}
		return "an ML-DSA private key"
	case *mldsa.PublicKey:
		if k != nil {
			return "an " + k.Parameters().String() + " public key"
		}
		return "an ML-DSA public key"
	}
	return ""
}

// appendAKPJWK writes the "pub" of an ML-DSA key, and its "priv" (the seed)
// if private is set and key is a private key.
func appendAKPJWK(bin func(string, []byte), key any, private bool) {
	pub := akpPublic(key)
	if pub == nil {
		return
	}
	bin("pub", pub.Bytes())
	if k, ok := key.(*mldsa.PrivateKey); ok && private {
		bin("priv", k.Bytes())
	}
}

// akpRefusedMembers are members of earlier drafts of RFC 9964 that held
// private keys. A JWK carrying one is refused: kept in Extra, it would be
// written out with the public key.
var akpRefusedMembers = [...]string{"seed", "priv_exp", "privExp", "sk"}

// parseAKP reads the "pub" and "priv" of a JWK of kty "AKP" for the
// algorithm alg, which RFC 9964 requires: "pub" must be a public key of the
// algorithm's parameter set, of its exact length, and "priv", if present,
// the 32-byte seed whose public key is "pub".
func (f *jwkFields) parseAKP(alg string) (any, error) {
	for _, m := range akpRefusedMembers {
		if _, ok := f.extra[m]; ok {
			return nil, jwkError(`kty "AKP" member %q is not defined by RFC 9964 (a private key is only "priv", the seed)`, m)
		}
	}
	if f.has&(1<<jwkAlg) == 0 {
		return nil, jwkError(`kty "AKP" requires member "alg"`)
	}
	a, ok := mldsaByName(alg)
	if !ok {
		if _, err := AlgorithmByName(alg); err != nil {
			return nil, fmt.Errorf("%w: JWK alg: %w", ErrInvalidKey, err)
		}
		return nil, fmt.Errorf("%w: kty \"AKP\" with alg %s", ErrUnsupportedKeyType, quote(alg))
	}
	params, _ := a.params()
	pub, _, err := f.bytesMember(nil, "AKP", jwkPub, true)
	if err != nil {
		return nil, err
	}
	if len(pub) != params.PublicKeySize() {
		return nil, jwkError("%s public key must be %d octets, got %d", a.Name(), params.PublicKeySize(), len(pub))
	}
	pk, err := mldsa.NewPublicKey(params, pub)
	if err != nil {
		return nil, jwkError(`member "pub": %w`, err)
	}
	seed, hasPriv, err := f.bytesMember(f.scratch[:0], "AKP", jwkPriv, false)
	if err != nil || !hasPriv {
		return pk, err
	}
	defer clear(seed)
	if len(seed) != mldsa.PrivateKeySize {
		return nil, jwkError("%s private key seed must be %d octets, got %d", a.Name(), mldsa.PrivateKeySize, len(seed))
	}
	sk, err := mldsa.NewPrivateKey(params, seed)
	if err != nil {
		return nil, jwkError("invalid %s private key: %w", a.Name(), err)
	}
	if !sk.PublicKey().Equal(pk) {
		return nil, jwkError(`%s private key "priv" does not match "pub"`, a.Name())
	}
	return sk, nil
}
