package jwks

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jwtkit/jwt"
)

// Sentinel errors. Every error returned by this package wraps one of them or
// one of package jwt's, so callers test with [errors.Is].
var (
	// ErrFetch reports a JWK Set or discovery document that could not be
	// fetched: a network error, a timeout, a status other than 200, a
	// redirect that was not followed, or a body over the size limit.
	ErrFetch = errors.New("jwt: fetch failed")
	// ErrInvalidSet reports a fetched JWK Set that is malformed, holds
	// private keys, or holds no key usable for verifying signatures.
	ErrInvalidSet = errors.New("jwt: invalid JWK Set")
	// ErrDiscovery reports an OpenID Connect discovery document that cannot
	// be used: not a JSON object, no usable "jwks_uri", or an "issuer" other
	// than the configured one.
	ErrDiscovery = errors.New("jwt: invalid discovery document")
	// ErrUnavailable reports that a Set has no keys to serve: it has never
	// fetched a usable set, or the last one is older than its maximum
	// staleness. It wraps jwt.ErrUnavailable, as the jwt.KeySource contract
	// asks (the token may be good: a service answers 503, not 401), and the
	// error that made the set unavailable is wrapped too.
	ErrUnavailable = fmt.Errorf("%w: no usable JWK Set", jwt.ErrUnavailable)
	// ErrClosed reports a Set asked to fetch after Close.
	ErrClosed = errors.New("jwt: closed")
)

// jwksError is an error with one "jwt: " prefix that wraps several errors:
// a sentinel of this package, and the cause, which may wrap others.
type jwksError struct {
	msg  string // without the "jwt: " prefix
	errs []error
}

func (e *jwksError) Error() string   { return "jwt: " + e.msg }
func (e *jwksError) Unwrap() []error { return e.errs }

// wrap returns an error reading "jwt: " + sentinel's text + ": " + detail
// (+ ": " + cause's text), that wraps sentinel and cause (if not nil).
func wrap(sentinel, cause error, format string, args ...any) error {
	msg := trim(sentinel) + ": " + fmt.Sprintf(format, args...)
	errs := []error{sentinel}
	if cause != nil {
		msg += ": " + trim(cause)
		errs = append(errs, cause)
	}
	return &jwksError{msg: msg, errs: errs}
}

// trim returns err's message without its leading "jwt: ", so that errors
// built from it say "jwt:" once.
func trim(err error) string {
	return strings.TrimPrefix(err.Error(), "jwt: ")
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
