package dpop

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidProof reports a DPoP proof that was not accepted. Every error
// about the proof itself wraps it, including [ErrUseNonce]; a server
// answers it with the error code "invalid_dpop_proof" (see [ErrorCode]).
var ErrInvalidProof = errors.New("jwt: invalid DPoP proof")

// Errors of proof verification. Each wraps [ErrInvalidProof], so a caller
// that only asks "was the proof bad?" tests for that.
var (
	// ErrMissingProof reports a request without a DPoP header, or with an
	// empty one.
	ErrMissingProof = fmt.Errorf("%w: no DPoP header", ErrInvalidProof)
	// ErrMultipleProofs reports a request with more than one DPoP header
	// value (RFC 9449 §4.3, check 1).
	ErrMultipleProofs = fmt.Errorf("%w: more than one DPoP header", ErrInvalidProof)
	// ErrProofTooLarge reports a proof longer than the verifier's maximum
	// size. It also wraps jwt.ErrTooLarge.
	ErrProofTooLarge = fmt.Errorf("%w: proof too large", ErrInvalidProof)
	// ErrProofType reports a header "typ" other than "dpop+jwt".
	ErrProofType = fmt.Errorf("%w: typ is not dpop+jwt", ErrInvalidProof)
	// ErrProofAlgorithm reports a header "alg" that is symmetric, "none",
	// or not in the verifier's allow-list.
	ErrProofAlgorithm = fmt.Errorf("%w: algorithm not allowed", ErrInvalidProof)
	// ErrProofKey reports a header "jwk" that is missing, malformed, holds
	// private key material, or is of a type or size the algorithm refuses.
	ErrProofKey = fmt.Errorf("%w: unusable jwk", ErrInvalidProof)
	// ErrMethodMismatch reports an "htm" other than the request's method.
	ErrMethodMismatch = fmt.Errorf("%w: htm does not match the request method", ErrInvalidProof)
	// ErrURIMismatch reports an "htu" other than the request's URI, after
	// normalization, or an "htu" that is not an http or https URI.
	ErrURIMismatch = fmt.Errorf("%w: htu does not match the request URI", ErrInvalidProof)
	// ErrStaleProof reports an "iat" outside the verifier's window.
	ErrStaleProof = fmt.Errorf("%w: iat outside the acceptable window", ErrInvalidProof)
	// ErrReplay reports a proof whose "jti" was already seen for the same
	// "htu" within the window.
	ErrReplay = fmt.Errorf("%w: proof replayed", ErrInvalidProof)
	// ErrAccessTokenHash reports an "ath" missing or not equal to the hash
	// of the access token presented with the proof.
	ErrAccessTokenHash = fmt.Errorf("%w: ath does not match the access token", ErrInvalidProof)
	// ErrUseNonce reports a proof without the server's nonce, or with one
	// the server no longer accepts. A server answers it with the error code
	// "use_dpop_nonce" and a fresh nonce in a DPoP-Nonce header.
	ErrUseNonce = fmt.Errorf("%w: a fresh server nonce is required", ErrInvalidProof)
)

// Errors that are not about the proof itself.
var (
	// ErrTokenBinding reports an access token that is not bound to the key
	// of the proof presented with it: its "cnf" has no "jkt", or a "jkt"
	// other than the proof key's thumbprint. A resource server answers it
	// with "invalid_token" (RFC 9449 §7.1).
	ErrTokenBinding = errors.New("jwt: access token not bound to the DPoP proof key")
	// ErrReplayCache reports a replay cache that could not answer, or is
	// full. The proof is refused, since it could not be shown to be fresh.
	ErrReplayCache = errors.New("jwt: DPoP replay cache failed")
	// ErrInvalidNonce reports a nonce that a NonceSource did not issue or
	// no longer accepts. Verify wraps it in ErrUseNonce.
	ErrInvalidNonce = errors.New("jwt: invalid DPoP nonce")
)

// Error codes of RFC 9449 §7.1 (and RFC 6750 §3.1) that a DPoP failure
// maps to.
const (
	// CodeInvalidToken is the code for an access token that is invalid,
	// including one not bound to the proof's key.
	CodeInvalidToken = "invalid_token"
	// CodeInvalidProof is the code for an invalid DPoP proof.
	CodeInvalidProof = "invalid_dpop_proof"
	// CodeUseNonce is the code asking the client to retry with the nonce
	// of the response's DPoP-Nonce header.
	CodeUseNonce = "use_dpop_nonce"
)

// ErrorCode returns the OAuth error code for an error of this package:
// "use_dpop_nonce" for ErrUseNonce, "invalid_dpop_proof" for any other
// error wrapping ErrInvalidProof, "invalid_token" for ErrTokenBinding, and
// "" for anything else, such as ErrReplayCache, which is a server error
// rather than the client's.
func ErrorCode(err error) string {
	switch {
	case errors.Is(err, ErrUseNonce):
		return CodeUseNonce
	case errors.Is(err, ErrInvalidProof):
		return CodeInvalidProof
	case errors.Is(err, ErrTokenBinding):
		return CodeInvalidToken
	}
	return ""
}

// Description returns a fixed error_description for an error of this
// package, naming the failed check without repeating anything from the
// request, or "" for an error it does not know.
func Description(err error) string {
	for _, d := range descriptions {
		if errors.Is(err, d.err) {
			return d.text
		}
	}
	return ""
}

var descriptions = []struct {
	err  error
	text string
}{
	{ErrMissingProof, "DPoP proof required"},
	{ErrMultipleProofs, "more than one DPoP proof"},
	{ErrProofTooLarge, "DPoP proof too large"},
	{ErrProofType, "DPoP proof typ must be dpop+jwt"},
	{ErrProofAlgorithm, "DPoP proof algorithm not allowed"},
	{ErrProofKey, "DPoP proof key not usable"},
	{ErrMethodMismatch, "DPoP proof htm does not match the request"},
	{ErrURIMismatch, "DPoP proof htu does not match the request"},
	{ErrStaleProof, "DPoP proof iat outside the acceptable window"},
	{ErrReplay, "DPoP proof replayed"},
	{ErrAccessTokenHash, "DPoP proof ath does not match the access token"},
	{ErrUseNonce, "DPoP proof requires a fresh server nonce"},
	{ErrTokenBinding, "Invalid DPoP key binding"},
	{ErrInvalidProof, "invalid DPoP proof"},
}

// chainError wraps a sentinel of this package and a cause, often an error
// of package jwt, with a message that says "jwt:" once.
type chainError struct {
	msg  string
	errs []error
}

func (e *chainError) Error() string   { return e.msg }
func (e *chainError) Unwrap() []error { return e.errs }

// wrap returns an error wrapping sentinel and cause, whose message is the
// sentinel's, what (if not empty), and the cause's without its "jwt: ".
func wrap(sentinel error, what string, cause error) error {
	msg := sentinel.Error() + ": "
	if what != "" {
		msg += what + ": "
	}
	msg += strings.TrimPrefix(cause.Error(), "jwt: ")
	return &chainError{msg: msg, errs: []error{sentinel, cause}}
}
