package dpop

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jwtkit/jwt/internal/oauth"
)

// ErrInvalidProof reports a DPoP proof that was not accepted. Every error
// about the proof itself wraps it, including [ErrUseNonce]; a server
// answers it with the error code "invalid_dpop_proof".
var ErrInvalidProof error = &sentinel{msg: "dpop: invalid DPoP proof", code: oauth.InvalidDPoPProof, desc: "invalid DPoP proof"}

// Errors of proof verification. Each wraps [ErrInvalidProof], so a caller
// that only asks "was the proof bad?" tests for that.
var (
	// ErrMissingProof reports a request without a DPoP header, or with an
	// empty one.
	ErrMissingProof = proofError("no DPoP header", "DPoP proof required")
	// ErrMultipleProofs reports a request with more than one DPoP header
	// value (RFC 9449 §4.3, check 1).
	ErrMultipleProofs = proofError("more than one DPoP header", "more than one DPoP proof")
	// ErrProofTooLarge reports a proof longer than the verifier's maximum
	// size. It also wraps jwt.ErrTooLarge.
	ErrProofTooLarge = proofError("proof too large", "DPoP proof too large")
	// ErrProofType reports a header "typ" other than "dpop+jwt".
	ErrProofType = proofError("typ is not dpop+jwt", "DPoP proof typ must be dpop+jwt")
	// ErrProofAlgorithm reports a header "alg" that is symmetric, "none",
	// or not in the verifier's allow-list.
	ErrProofAlgorithm = proofError("algorithm not allowed", "DPoP proof algorithm not allowed")
	// ErrProofKey reports a header "jwk" that is missing, malformed, holds
	// private key material, or is of a type or size the algorithm refuses.
	ErrProofKey = proofError("unusable jwk", "DPoP proof key not usable")
	// ErrMethodMismatch reports an "htm" other than the request's method.
	ErrMethodMismatch = proofError("htm does not match the request method", "DPoP proof htm does not match the request")
	// ErrURIMismatch reports an "htu" other than the request's URI, after
	// normalization, or an "htu" that is not an http or https URI.
	ErrURIMismatch = proofError("htu does not match the request URI", "DPoP proof htu does not match the request")
	// ErrStaleProof reports an "iat" outside the verifier's window.
	ErrStaleProof = proofError("iat outside the acceptable window", "DPoP proof iat outside the acceptable window")
	// ErrReplay reports a proof whose "jti" was already seen for the same
	// "htu" within the window.
	ErrReplay = proofError("proof replayed", "DPoP proof replayed")
	// ErrAccessTokenHash reports an "ath" missing or not equal to the hash
	// of the access token presented with the proof.
	ErrAccessTokenHash = proofError("ath does not match the access token", "DPoP proof ath does not match the access token")
	// ErrUseNonce reports a proof without the server's nonce, or with one
	// the server no longer accepts. A server answers it with the error code
	// "use_dpop_nonce" and a fresh nonce in a DPoP-Nonce header.
	ErrUseNonce error = &sentinel{
		msg:    "dpop: invalid DPoP proof: a fresh server nonce is required",
		parent: ErrInvalidProof,
		code:   oauth.UseDPoPNonce,
		desc:   "DPoP proof requires a fresh server nonce",
	}
)

// Errors that are not about the proof itself.
var (
	// ErrTokenBinding reports an access token that is not bound to the key
	// of the proof presented with it: its "cnf" has no "jkt", or a "jkt"
	// other than the proof key's thumbprint. A resource server answers it
	// with "invalid_token" (RFC 9449 §7.1).
	ErrTokenBinding error = &sentinel{msg: "dpop: access token not bound to the DPoP proof key", code: oauth.InvalidToken, desc: "Invalid DPoP key binding"}
	// ErrReplayCache reports a replay cache that could not answer, or is
	// full. The proof is refused, since it could not be shown to be fresh.
	ErrReplayCache = errors.New("dpop: DPoP replay cache failed")
	// ErrInvalidNonce reports a nonce that a NonceSource did not issue or
	// no longer accepts. Verify wraps it in ErrUseNonce.
	ErrInvalidNonce = errors.New("dpop: invalid DPoP nonce")
)

// sentinel is an error of this package that a server answers with an
// OAuth error code and a fixed description, which name the failed check
// without repeating anything from the request. Packages jwthttp and
// session find them through oauth.Describe.
type sentinel struct {
	msg    string
	parent error // the sentinel this one refines, or nil
	code   string
	desc   string
}

func (e *sentinel) Error() string { return e.msg }
func (e *sentinel) Unwrap() error { return e.parent }

// OAuthError implements oauth.Coded.
func (e *sentinel) OAuthError() (code, description string) { return e.code, e.desc }

// proofError returns a sentinel wrapping ErrInvalidProof.
func proofError(what, desc string) error {
	return &sentinel{msg: ErrInvalidProof.Error() + ": " + what, parent: ErrInvalidProof, code: oauth.InvalidDPoPProof, desc: desc}
}

// chainError wraps a sentinel and a cause, often an error of package jwt,
// with a message that names this package once.
type chainError struct {
	msg  string
	errs []error
}

func (e *chainError) Error() string   { return e.msg }
func (e *chainError) Unwrap() []error { return e.errs }

// wrap returns an error wrapping sentinel and cause, whose message is the
// sentinel's, what (if not empty), and the cause's, each without the
// prefix of its package.
func wrap(sentinel error, what string, cause error) error {
	msg := prefixed(sentinel) + ": "
	if what != "" {
		msg += what + ": "
	}
	msg += unprefixed(cause.Error())
	return &chainError{msg: msg, errs: []error{sentinel, cause}}
}

// errorf returns an error wrapping sentinel, often an error of package
// jwt, whose message is "dpop: ", the sentinel's without its prefix, and
// the formatted detail. It is fmt.Errorf("%w: "+format) for errors of
// other packages.
func errorf(sentinel error, format string, args ...any) error {
	return &chainError{msg: prefixed(sentinel) + ": " + fmt.Sprintf(format, args...), errs: []error{sentinel}}
}

// prefixed returns the message of err, an error of this package or of
// package jwt, beginning with "dpop: ".
func prefixed(err error) string {
	msg := err.Error()
	if strings.HasPrefix(msg, "dpop: ") {
		return msg
	}
	return "dpop: " + strings.TrimPrefix(msg, "jwt: ")
}

// unprefixed returns msg without the "jwt: " or "dpop: " it begins with.
func unprefixed(msg string) string {
	if s, ok := strings.CutPrefix(msg, "jwt: "); ok {
		return s
	}
	return strings.TrimPrefix(msg, "dpop: ")
}
