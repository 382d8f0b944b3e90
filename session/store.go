package session

import (
	"context"
	"time"
)

// Store keeps the state that makes refresh tokens single-use and tokens
// revocable: one record per family (the chain of refresh tokens descended
// from one login) and the revocations by token ID and by subject.
//
// # Contract
//
// Every method is safe for concurrent use, by many goroutines and, for a
// store shared by several processes, by many instances at once. Every method
// is atomic: it takes effect entirely or not at all, and once it has
// returned, every later call on any instance sees its effect (there is no
// cache that could answer with an older state). Redeem is a compare-and-set
// on the family's current token: of any number of concurrent Redeem calls
// presenting the same token, at most one succeeds. (A refresh token is
// redeemed once, for the next one: this is refresh token rotation, RFC 9700
// §4.14.2, not the rotation of signing keys.)
//
// Every record carries an expiry, after which the store forgets it; nothing
// grows without bound. Times are compared with the store's own clock, which
// must agree with the clock of the [Manager] that uses the store.
//
// Errors: the outcomes of Redeem and Check wrap [ErrRevoked], [ErrReused] or
// [ErrRecentlyRotated] as documented there. A store that cannot answer
// (unreachable, timed out, ctx done) returns an error wrapping
// [ErrStoreUnavailable], never a guess. Callers treat any other error as
// [ErrStoreUnavailable].
//
// [MemoryStore] is the in-process store; package
// github.com/jwtkit/jwt/redisstore shares one among many instances. Package
// storetest holds the behavioural tests every Store must pass. A store that
// can check and redeem a refresh token in one step, one round trip, also
// implements [CheckRedeemer].
type Store interface {
	// Create records a new family. It fails, changing nothing, if a family
	// with f.ID exists, unless that family is exactly f (a repeated Create).
	Create(ctx context.Context, f Family) error

	// Redeem uses up the refresh token r.Presented of family r.Family and
	// makes r.Next the family's current token, in one atomic step:
	//   - if r.Presented is the current token, it becomes the previous one,
	//     r.Next becomes current, the family's expiry is moved to r.Expires
	//     if that is later, and Redeem returns nil; repeating a Redeem that
	//     succeeded (same Presented and Next) returns nil again, so that a
	//     retried request cannot look like reuse;
	//   - if the family is revoked or unknown (never created, or expired),
	//     it returns an error wrapping ErrRevoked;
	//   - if r.Presented is the previous token and it was rotated less than
	//     r.Grace ago, it returns an error wrapping ErrRecentlyRotated and
	//     changes nothing;
	//   - otherwise r.Presented is an older token of the family (the caller
	//     has verified that it belongs to it): Redeem revokes the family and
	//     returns an error wrapping ErrReused; repeating that Redeem (same
	//     Presented and Next, as a client library does when the reply was
	//     lost) returns an error wrapping ErrReused again, not ErrRevoked,
	//     so that the reuse is reported whatever became of the reply.
	Redeem(ctx context.Context, r Redemption) error

	// RevokeFamily revokes the family id: Check then reports its tokens as
	// revoked, and Redeem fails, until the family expires. An unknown family
	// is not an error: it has expired already, and Check reports the tokens
	// of unknown families as revoked.
	RevokeFamily(ctx context.Context, id string) error

	// RevokeToken revokes the token whose "jti" is id until the time until,
	// normally the token's "exp". An until that has passed does nothing.
	RevokeToken(ctx context.Context, id string, until time.Time) error

	// RevokeSubject revokes every token of subject whose family began (or,
	// for a token outside any family, that was issued) before the time
	// before, compared exactly, to the nanosecond: a family that began in
	// the same millisecond as before, but before it, is revoked. The
	// revocation is kept until the time until; a later call with an
	// earlier before or until does not shorten it.
	RevokeSubject(ctx context.Context, subject string, before, until time.Time) error

	// Check returns nil if the token described by t may be used, and an
	// error wrapping ErrRevoked if its ID is revoked, if its family is
	// revoked, unknown or belongs to another subject, or if its subject's
	// tokens were revoked for families that began (tokens that were issued)
	// before the family began (the token was issued). A token with neither
	// family nor issue time is revoked by any subject revocation.
	Check(ctx context.Context, t TokenRef) error
}

// ReplayCache remembers keys for a time, for refusing a replayed one-time
// value, such as the "jti" of a DPoP proof (RFC 9449 §11.1). It is a
// capability of a [Store] beside its main job, and has the Store's contract:
// atomic, shared by every instance, every entry expiring.
//
// It is the interface dpop.ReplayCache, with a stricter contract: a store
// that implements it (MemoryStore and the Redis store do) can be given to
// dpop.Options.ReplayCache, so that the instances sharing the store refuse
// a proof used on any of them.
type ReplayCache interface {
	// Remember records key for ttl and reports whether it is fresh: true if
	// no unexpired record of key existed, false if one did. It is a
	// set-if-absent: a key already recorded keeps its expiry. Of
	// concurrent calls with the same key, on any instance, at most one
	// reports true. An error means it could not tell, and the caller must
	// treat the key as seen: a store that cannot answer returns an error
	// wrapping ErrStoreUnavailable, and a ttl below one millisecond is an
	// error wrapping jwt.ErrInvalidOption.
	Remember(ctx context.Context, key string, ttl time.Duration) (fresh bool, err error)
}

// Family is the stored record of a family: the refresh tokens issued, one
// after another, from one login.
type Family struct {
	// ID is the family's ID, the "sid" claim of its tokens.
	ID string
	// Subject is the "sub" of its tokens.
	Subject string
	// Created is when the family began (the login); subject revocations
	// compare against it, to the nanosecond.
	Created time.Time
	// Token is the "jti" of the current refresh token.
	Token string
	// Expires is when the store may forget the family: no token of the
	// family is valid after it.
	Expires time.Time
}

// Redemption asks [Store.Redeem] to use up a family's current refresh token
// for the next one.
type Redemption struct {
	// Family is the family's ID.
	Family string
	// Presented is the "jti" of the refresh token presented.
	Presented string
	// Next is the "jti" of the refresh token that replaces it.
	Next string
	// Expires is the family's new expiry: the latest "exp" of the tokens
	// issued with Next.
	Expires time.Time
	// Grace is the reuse grace window: the previous token presented less
	// than Grace after its rotation is refused with ErrRecentlyRotated
	// instead of revoking the family. Zero turns the window off.
	Grace time.Duration
}

// TokenRef describes a token for [Store.Check].
type TokenRef struct {
	// ID is the token's "jti", or "" if it has none.
	ID string
	// Family is the ID of the token's family, or "" for a token outside any
	// family (such as one issued by another issuer).
	Family string
	// Subject is the token's "sub".
	Subject string
	// IssuedAt is the token's "iat", or the zero time if it has none.
	IssuedAt time.Time
}
