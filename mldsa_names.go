package jwt

// MLDSAAlgorithm is ML-DSA (FIPS 204) for JWS, as RFC 9964 defines it, under
// one of its three "alg" names: "ML-DSA-44", "ML-DSA-65" or "ML-DSA-87",
// one per parameter set. It signs the JWS signing input itself (the "pure"
// variant, not HashML-DSA) with the empty context string, as RFC 9964
// requires, and its Verifiers accept only signatures of the parameter set's
// exact length made that way.
//
// ML-DSA needs crypto/mldsa, which Go 1.27 added. The names exist whatever
// the Go version, so that a program that names them builds everywhere; built
// with Go 1.26, NewSigner, NewVerifier and [GenerateKey] return an error
// wrapping ErrUnsupportedAlgorithm that says Go 1.27 is needed, ParseJWK
// reports a key of kty "AKP" as ErrUnsupportedKeyType, and [Algorithms] and
// [AlgorithmByName] do not list the three.
//
// Built with Go 1.27 or later, Signers take an *mldsa.PrivateKey or any
// crypto.Signer whose public key is an *mldsa.PublicKey (a key in a KMS),
// and Verifiers take an *mldsa.PublicKey (or *mldsa.PrivateKey); each key
// fits only the algorithm of its own parameter set. A JWK of such a key has
// kty "AKP", with "pub" and the 32-byte seed "priv", and always an "alg".
type MLDSAAlgorithm int

// The ML-DSA algorithms of RFC 9964. The value of each constant is the
// number in its name.
const (
	// MLDSA44 is ML-DSA-44 (NIST category 2); its "alg" is "ML-DSA-44".
	MLDSA44 MLDSAAlgorithm = 44
	// MLDSA65 is ML-DSA-65 (NIST category 3); its "alg" is "ML-DSA-65".
	MLDSA65 MLDSAAlgorithm = 65
	// MLDSA87 is ML-DSA-87 (NIST category 5); its "alg" is "ML-DSA-87".
	MLDSA87 MLDSAAlgorithm = 87
)

// Name returns "ML-DSA-44", "ML-DSA-65" or "ML-DSA-87", whatever the Go
// version.
func (a MLDSAAlgorithm) Name() string {
	switch a {
	case MLDSA44:
		return "ML-DSA-44"
	case MLDSA65:
		return "ML-DSA-65"
	case MLDSA87:
		return "ML-DSA-87"
	}
	return ""
}

// mldsaByName returns the ML-DSA algorithm named name, whether or not this
// build implements it.
func mldsaByName(name string) (MLDSAAlgorithm, bool) {
	for _, a := range [...]MLDSAAlgorithm{MLDSA44, MLDSA65, MLDSA87} {
		if a.Name() == name {
			return a, true
		}
	}
	return 0, false
}
