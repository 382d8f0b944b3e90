package jwks

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jwtkit/jwt"
)

// Sentinel errors. Every error returned by this package wraps one of them or
// one of package jwt's, so callers test with [errors.Is]. A Remote with no
// keys to serve reports jwt.ErrUnavailable (the token may be good: a
// service answers 503, not 401), wrapping the cause, one of these.
var (
	// ErrFetch reports a JWK Set or discovery document that could not be
	// fetched: a network error, a timeout, a status other than 200, a
	// redirect that was not followed, or a body over the size limit.
	ErrFetch = errors.New("jwks: fetch failed")
	// ErrInvalidSet reports a JWK Set that is malformed, holds private keys
	// where only public keys are allowed, or, fetched, holds no key usable
	// for verifying signatures.
	ErrInvalidSet = errors.New("jwks: invalid JWK Set")
	// ErrPrivateKey reports private or secret key material in a JWK Set
	// that must hold public keys only, such as one an identity provider
	// publishes: the publisher is leaking its keys. It wraps
	// jwt.ErrInvalidKey.
	ErrPrivateKey error = &jwksError{msg: "invalid key: private key material in a public JWK Set", errs: []error{jwt.ErrInvalidKey}}
	// ErrDiscovery reports an OpenID Connect discovery document that cannot
	// be used: not a JSON object, no usable "jwks_uri", or an "issuer" other
	// than the configured one.
	ErrDiscovery = errors.New("jwks: invalid discovery document")
	// ErrClosed reports a Remote asked to fetch after Close.
	ErrClosed = errors.New("jwks: closed")
	// ErrFetchBudget reports an issuer that [Issuers] did not admit because
	// it admitted IssuersOptions.FetchBudget new issuers in the current
	// interval already; it comes wrapped in jwt.ErrUnavailable.
	ErrFetchBudget = errors.New("jwks: fetch budget for new issuers spent")
	// ErrWithdrawn reports a key that a Registry refuses to publish
	// because it was withdrawn (see Registry.Withdraw).
	ErrWithdrawn = errors.New("jwks: key withdrawn")
	// ErrRegistryUnavailable reports a Registry that could not answer
	// (unreachable, timed out, ctx done), or a SharedRing whose view of
	// its Registry is older than SharedRingOptions.MaxStale.
	ErrRegistryUnavailable = errors.New("jwks: key registry unavailable")
)

// jwksError is an error with one "jwks: " prefix that wraps several errors:
// a sentinel, and the cause, which may wrap others.
type jwksError struct {
	msg  string // without the "jwks: " prefix
	errs []error
}

func (e *jwksError) Error() string   { return "jwks: " + e.msg }
func (e *jwksError) Unwrap() []error { return e.errs }

// wrap returns an error reading "jwks: " + sentinel's text + ": " + detail
// (+ ": " + cause's text), that wraps sentinel and cause (if not nil).
// An empty detail is left out.
func wrap(sentinel, cause error, format string, args ...any) error {
	msg := trim(sentinel)
	if d := fmt.Sprintf(format, args...); d != "" {
		msg += ": " + d
	}
	errs := []error{sentinel}
	if cause != nil {
		msg += ": " + trim(cause)
		errs = append(errs, cause)
	}
	return &jwksError{msg: msg, errs: errs}
}

// relabel returns err, an error of package jwt, saying "jwks:" in place of
// its "jwt:" prefix, and wrapping it.
func relabel(err error) error {
	if err == nil {
		return nil
	}
	return &jwksError{msg: trim(err), errs: []error{err}}
}

// trim returns err's message without its leading "jwks: " or "jwt: ", so
// that errors built from it name their package once.
func trim(err error) string {
	msg := err.Error()
	if m, ok := strings.CutPrefix(msg, "jwks: "); ok {
		return m
	}
	return strings.TrimPrefix(msg, "jwt: ")
}

// quote returns s quoted, escaped and shortened, for error messages that
// show a value an attacker may have chosen, such as a token's kid.
func quote(s string) string {
	const max = 64
	if len(s) > max {
		return fmt.Sprintf("%+q...", s[:max])
	}
	return fmt.Sprintf("%+q", s)
}
