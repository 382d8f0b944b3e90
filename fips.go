package jwt

import (
	"crypto"
	"crypto/fips140"
	"crypto/rsa"
	"fmt"
)

// In FIPS 140-only mode (GODEBUG=fips140=only), the standard library
// refuses what the Go Cryptographic Module does not approve: crypto/rsa
// then fails every signature and verification with some keys, and
// crypto/sha1 panics. The checks here refuse those keys when a Signer,
// Verifier or key is made, with an error wrapping ErrNotFIPSApproved, so
// that no key is accepted that could only fail later, with a cause lost
// behind ErrInvalidSignature. All 14 algorithms are approved (FIPS 186-5:
// RSASSA-PKCS1-v1_5, RSASSA-PSS, ECDSA on P-256, P-384 and P-521, Ed25519;
// FIPS 198-1: HMAC with SHA-2, whose secrets here are at least 256 bits,
// above the 112 bits the module requires).

// fipsOnly reports whether FIPS 140-only mode is enforced now.
func fipsOnly() bool { return fips140.Enforced() }

// checkFIPSRSAPublic refuses, in FIPS 140-only mode, an RSA public key that
// crypto/rsa would refuse to use there: one of an odd size, or whose public
// exponent is at most 2¹⁶ (FIPS 186-5 §5.4). pub has passed the bounds
// of checkRSAPublic.
func checkFIPSRSAPublic(name string, pub *rsa.PublicKey) error {
	if !fipsOnly() {
		return nil
	}
	if bits := pub.N.BitLen(); bits%2 == 1 {
		return fmt.Errorf("%w: %s: RSA key of an odd size (%d bits)", ErrNotFIPSApproved, name, bits)
	}
	if pub.E <= 1<<16 {
		return fmt.Errorf("%w: %s: RSA public exponent %d, which must be more than 2^16", ErrNotFIPSApproved, name, pub.E)
	}
	return nil
}

// checkFIPSRSAPrivate refuses, in FIPS 140-only mode, an RSA private key
// that crypto/rsa would refuse to sign with there: one without exactly two
// primes of the same size.
func checkFIPSRSAPrivate(name string, priv *rsa.PrivateKey) error {
	if !fipsOnly() {
		return nil
	}
	if len(priv.Primes) != 2 || priv.Primes[0] == nil || priv.Primes[1] == nil || priv.Primes[0].BitLen() != priv.Primes[1].BitLen() {
		return fmt.Errorf("%w: %s: RSA private key must have exactly two primes of the same size", ErrNotFIPSApproved, name)
	}
	return nil
}

// fipsApprovedHash reports whether h is a hash the Go Cryptographic Module
// approves: SHA-2 or SHA-3. crypto/sha1 and crypto/md5 panic in FIPS
// 140-only mode.
func fipsApprovedHash(h crypto.Hash) bool {
	switch h {
	case crypto.SHA224, crypto.SHA256, crypto.SHA384, crypto.SHA512, crypto.SHA512_224, crypto.SHA512_256,
		crypto.SHA3_224, crypto.SHA3_256, crypto.SHA3_384, crypto.SHA3_512:
		return true
	}
	return false
}
