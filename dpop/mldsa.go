package dpop

import "github.com/jwtkit/jwt"

// MinProofSize returns a lower bound on the size in bytes of a proof signed
// with alg: for ML-DSA, the base64url of its public key, in the header's
// "jwk", and of its signature, and 0 for the other algorithms, whose proofs
// fit the default MaxSize. [NewVerifier] refuses Options that allow alg with
// a MaxSize below it, since every proof of alg would be refused.
func MinProofSize(alg jwt.Algorithm) int {
	var pub, sig int
	switch alg {
	case jwt.MLDSA44:
		pub, sig = 1312, 2420
	case jwt.MLDSA65:
		pub, sig = 1952, 3309
	case jwt.MLDSA87:
		pub, sig = 2592, 4627
	default:
		return 0
	}
	b64 := func(n int) int { return (n*8 + 5) / 6 }
	// The header and the payload are base64url too: the key counts at 4/3
	// twice over, once in the JWK and once in the header's encoding.
	return b64(b64(pub)) + 1 + b64(sig)
}
