package clientauth

import "errors"

// Sentinel errors. Every error returned by this package wraps one of them
// or one of package jwt's, so callers test with [errors.Is]; a refused
// assertion's error also wraps the cause, such as jwt.ErrExpired or
// jwt.ErrAudienceMismatch.
var (
	// ErrUnknownClient reports an assertion whose "iss" names no
	// registered client; its signature is then not checked.
	ErrUnknownClient = errors.New("clientauth: unknown client")
	// ErrInvalidAssertion reports an assertion that failed a check: its
	// signature, "aud", lifetime, "iss" and "sub", "typ", or the claims it
	// must carry.
	ErrInvalidAssertion = errors.New("clientauth: invalid client assertion")
	// ErrReplayed reports an assertion whose "jti" the replay cache has
	// seen, on this instance or on any other sharing the cache.
	ErrReplayed = errors.New("clientauth: client assertion replayed")
)
