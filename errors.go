package jwt

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
	"strings"

	"github.com/jwtkit/jwt/internal/strictjson"
)

// Sentinel errors. Every error returned by this package wraps one of them, so
// callers test with [errors.Is].
var (
	// ErrMalformed reports a token that is not well-formed compact JWS: wrong
	// segment count, bad base64url, invalid or duplicated JSON, wrong types.
	ErrMalformed = strictjson.ErrMalformed
	// ErrTooLarge reports a token longer than the configured maximum size.
	ErrTooLarge = errors.New("jwt: token too large")
	// ErrUnsupportedAlgorithm reports an algorithm this package does not
	// implement, including "none" in every spelling.
	ErrUnsupportedAlgorithm = errors.New("jwt: unsupported algorithm")
	// ErrAlgorithmMismatch reports a header "alg" that differs from the
	// algorithm the key is bound to.
	ErrAlgorithmMismatch = errors.New("jwt: algorithm mismatch")
	// ErrKeyNotFound reports that no key matches the token's "kid" or algorithm.
	ErrKeyNotFound = errors.New("jwt: key not found")
	// ErrInvalidKey reports a key that does not fit its algorithm.
	ErrInvalidKey = errors.New("jwt: invalid key")
	// ErrInvalidSignature reports a signature that does not verify.
	ErrInvalidSignature = errors.New("jwt: invalid signature")
	// ErrExpired reports a token whose "exp" has passed.
	ErrExpired = errors.New("jwt: token is expired")
	// ErrNotYetValid reports a token whose "nbf" is in the future.
	ErrNotYetValid = errors.New("jwt: token is not valid yet")
	// ErrIssuedInFuture reports a token whose "iat" is in the future.
	ErrIssuedInFuture = errors.New("jwt: token used before issued")
	// ErrIssuerMismatch reports an "iss" other than the expected issuer.
	ErrIssuerMismatch = errors.New("jwt: issuer mismatch")
	// ErrAudienceMismatch reports an "aud" that holds no expected audience, or
	// an "aud" the caller did not expect at all.
	ErrAudienceMismatch = errors.New("jwt: audience mismatch")
	// ErrSubjectMismatch reports a "sub" other than the expected subject.
	ErrSubjectMismatch = errors.New("jwt: subject mismatch")
	// ErrTypeMismatch reports a header "typ" other than the expected type.
	ErrTypeMismatch = errors.New("jwt: type mismatch")
	// ErrMissingClaim reports that a required claim is absent.
	ErrMissingClaim = errors.New("jwt: missing required claim")
	// ErrUnsupportedCritical reports a "crit" header that is invalid or names
	// an extension the caller does not understand, or the unsupported "b64".
	ErrUnsupportedCritical = errors.New("jwt: unsupported critical header")
	// ErrInvalidOption reports an options value that cannot be honoured,
	// such as a leeway above [MaxLeeway], or options that contradict each
	// other.
	ErrInvalidOption = errors.New("jwt: invalid option")
	// ErrInvalidClaims reports claims that [Sign] cannot encode as a claims
	// set that [Verify] would accept.
	ErrInvalidClaims = errors.New("jwt: invalid claims")
	// ErrUnavailable reports that a check could not be made, through no fault
	// of the token: a key source that cannot fetch its keys, a revocation
	// store that cannot be reached. A service answers it with 503, not 401,
	// and fails closed: the token is not accepted.
	ErrUnavailable = errors.New("jwt: unavailable")
	// ErrSigning reports a Signer that failed, such as a KMS that could not
	// be reached; the Signer's error is wrapped too.
	ErrSigning = errors.New("jwt: signing failed")
)

// Errors of the key functions. Each wraps ErrInvalidKey, so a caller that
// only asks "was the key bad?" tests for ErrInvalidKey.
var (
	// ErrUnsupportedKeyType reports a key type or curve this package does not
	// implement, such as kty "RSA-HSM", crv "X25519" or crv "secp256k1".
	ErrUnsupportedKeyType = fmt.Errorf("%w: unsupported key type", ErrInvalidKey)
	// ErrKeyUsage reports a JWK whose "use" or "key_ops" forbids the requested operation.
	ErrKeyUsage = fmt.Errorf("%w: key use not permitted", ErrInvalidKey)
	// ErrEncryptedPEM reports an encrypted PEM block, which this package does not decrypt.
	ErrEncryptedPEM = fmt.Errorf("%w: encrypted PEM is not supported", ErrInvalidKey)
	// ErrSecretIsKey reports an HMAC secret that is a key of another kind:
	// PEM, a DER key or certificate, a JWK or JWK Set, or an OpenSSH key.
	// Such a secret is most often a public key passed by mistake, and one
	// that anybody may hold.
	ErrSecretIsKey = fmt.Errorf("%w: HMAC secret is a key of another kind", ErrInvalidKey)
	// ErrNotFIPSApproved reports a key that the Go Cryptographic Module does
	// not approve, refused in FIPS 140-only mode (GODEBUG=fips140=only; see
	// crypto/fips140.Enforced), such as an RSA key whose public exponent is
	// at most 2¹⁶.
	ErrNotFIPSApproved = fmt.Errorf("%w: not approved in FIPS 140-only mode", ErrInvalidKey)
)

// ValidationError reports every claim check that failed for a token whose
// signature was valid. Each element of Errors wraps a sentinel such as
// [ErrExpired], so errors.Is works on the ValidationError itself.
type ValidationError struct {
	Errors []error
}

// Error joins the messages of all failed checks, with one "jwt: " prefix.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("jwt: ")
	for i, err := range e.Errors {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(strings.TrimPrefix(err.Error(), "jwt: "))
	}
	return b.String()
}

// quote quotes s for an error message, the same way everywhere: in double
// quotes, with Go escapes for control characters and non-ASCII, and cut
// after 64 bytes, so a hostile value cannot flood a log or a terminal.
func quote(s string) string { return strictjson.Quote(s) }

// Unwrap returns the failed checks, for errors.Is and errors.As.
func (e *ValidationError) Unwrap() []error { return e.Errors }

// multiError is an error that wraps several errors with a message of its
// own, so that a message says "jwt:" once.
type multiError struct {
	msg  string
	errs []error
}

func (e *multiError) Error() string   { return e.msg }
func (e *multiError) Unwrap() []error { return e.errs }

// annotate returns err with context before its message, saying "jwt:" once.
func annotate(err error, format string, args ...any) error {
	return &multiError{
		msg:  "jwt: " + fmt.Sprintf(format, args...) + ": " + strings.TrimPrefix(err.Error(), "jwt: "),
		errs: []error{err},
	}
}

// kindOf names the kind of key in words for a message, without Go syntax
// for the key types of this package.
func kindOf(key any) string {
	switch k := key.(type) {
	case nil:
		return "nil"
	case []byte:
		return "a byte slice"
	case string:
		return "a string"
	case *rsa.PrivateKey:
		return "an RSA private key"
	case *rsa.PublicKey:
		return "an RSA public key"
	case *ecdsa.PrivateKey:
		return "an ECDSA private key"
	case *ecdsa.PublicKey:
		return "an ECDSA public key"
	case ed25519.PrivateKey, *ed25519.PrivateKey:
		return "an Ed25519 private key"
	case ed25519.PublicKey, *ed25519.PublicKey:
		return "an Ed25519 public key"
	case *ecdh.PrivateKey, *ecdh.PublicKey:
		return "an ECDH key"
	case crypto.Signer:
		if s := akpKindOf(key); s != "" {
			return s
		}
		return "a crypto.Signer holding " + kindOf(k.Public())
	}
	if s := akpKindOf(key); s != "" {
		return s
	}
	return fmt.Sprintf("a value of type %T", key)
}
