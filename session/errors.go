package session

import (
	"errors"
	"fmt"

	"github.com/jwtkit/jwt"
)

// Sentinel errors. Every error returned by this package, by a [Store] and by
// the Manager's methods wraps one of these or a sentinel of package jwt, so
// callers test with [errors.Is].
var (
	// ErrExpired is [jwt.ErrExpired]: a token whose "exp" has passed, or a
	// session past its maximum lifetime.
	ErrExpired = jwt.ErrExpired
	// ErrWrongType is [jwt.ErrTypeMismatch]: an access token presented as a
	// refresh token, or the other way round.
	ErrWrongType = jwt.ErrTypeMismatch
	// ErrRevoked reports a token that was revoked: by its ID, with its
	// family (logout), or with all tokens of its subject (logout everywhere),
	// or whose family the store no longer knows.
	ErrRevoked = errors.New("jwt: token revoked")
	// ErrReused reports a refresh token presented after it was rotated: the
	// store has revoked its whole family.
	ErrReused = errors.New("jwt: refresh token reused; its session is revoked")
	// ErrRecentlyRotated reports a refresh token presented again within the
	// reuse grace window after it was rotated, as a client's retry would be.
	// The refresh is refused, but the family is not revoked.
	ErrRecentlyRotated = errors.New("jwt: refresh token already rotated")
	// ErrKeyBinding reports a refresh token of a session bound to a DPoP
	// key (RFC 9449 §5) presented without a proof by that key: with no
	// proof, or with a proof by another key. Nothing is changed: the
	// session goes on for the holder of the key.
	ErrKeyBinding = errors.New("jwt: refresh token not presented with a DPoP proof by its session's key")
	// ErrDenied reports credentials, or a subject, that an [Authenticator]
	// or [Options.Recheck] refused.
	ErrDenied = errors.New("jwt: access denied")
	// ErrStoreUnavailable reports a store that could not answer: unreachable,
	// timed out, or asked with a finished context. Whatever asked is refused:
	// the package fails closed. It wraps jwt.ErrUnavailable, which the
	// middleware (package jwthttp) answers with 503.
	ErrStoreUnavailable = fmt.Errorf("%w: session store", jwt.ErrUnavailable)
)
