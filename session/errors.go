package session

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jwtkit/jwt"
)

// Sentinel errors. Every error returned by this package, by a [Store] and by
// the Manager's methods wraps one of these or a sentinel of package jwt
// (such as jwt.ErrExpired, jwt.ErrTypeMismatch or jwt.ErrInvalidOption), so
// callers test with [errors.Is]. Every message starts with "session: ".
var (
	// ErrRevoked reports a token that was revoked: by its ID, with its
	// family (logout), or with all tokens of its subject (logout everywhere),
	// or whose family the store no longer knows.
	ErrRevoked = errors.New("session: token revoked")
	// ErrReused reports a refresh token presented after it was rotated:
	// the store has revoked its whole family.
	ErrReused = errors.New("session: refresh token reused; its session is revoked")
	// ErrRecentlyRotated reports a refresh token presented again within the
	// reuse grace window after it was rotated, as a client's retry would
	// be. The refresh is refused, but the family is not revoked.
	ErrRecentlyRotated = errors.New("session: refresh token already rotated")
	// ErrKeyBinding reports a refresh token of a session bound to a DPoP
	// key (RFC 9449 §5) presented without a proof by that key: with no
	// proof, or with a proof by another key. Nothing is changed: the
	// session goes on for the holder of the key.
	ErrKeyBinding = errors.New("session: refresh token not presented with a DPoP proof by its session's key")
	// ErrDenied reports credentials, or a subject, that an [Authenticator]
	// or [Options.Recheck] refused.
	ErrDenied = errors.New("session: access denied")
	// ErrStoreUnavailable reports a store that could not answer: unreachable,
	// timed out, or asked with a finished context. Whatever asked is refused:
	// the package fails closed. It wraps jwt.ErrUnavailable, which the
	// middleware (package jwthttp) answers with 503.
	ErrStoreUnavailable error = &sessionError{msg: "store unavailable", errs: []error{jwt.ErrUnavailable}}
)

// sessionError is an error with one "session: " prefix that wraps several
// errors: a sentinel, and the cause, which may wrap others.
type sessionError struct {
	msg  string // without the "session: " prefix
	errs []error
}

func (e *sessionError) Error() string   { return "session: " + e.msg }
func (e *sessionError) Unwrap() []error { return e.errs }

// wrap returns an error reading "session: " + sentinel's text + ": " +
// detail (+ ": " + cause's text), each text without its package's prefix,
// that wraps sentinel and cause (if not nil).
func wrap(sentinel, cause error, format string, args ...any) error {
	msg := trim(sentinel) + ": " + fmt.Sprintf(format, args...)
	errs := []error{sentinel}
	if cause != nil {
		msg += ": " + trim(cause)
		errs = append(errs, cause)
	}
	return &sessionError{msg: msg, errs: errs}
}

// prefix returns err, an error of package jwt (or another), as one whose
// text starts with "session: " what + ": ", wrapping err. A nil err stays nil.
func prefix(what string, err error) error {
	if err == nil {
		return nil
	}
	return &sessionError{msg: what + ": " + trim(err), errs: []error{err}}
}

// trim returns err's message without its leading "session: " or "jwt: ",
// so that errors built from it name one package, once.
func trim(err error) string {
	s := err.Error()
	if t, ok := strings.CutPrefix(s, "session: "); ok {
		return t
	}
	return strings.TrimPrefix(s, "jwt: ")
}
