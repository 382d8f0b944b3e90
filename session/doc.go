// Package session issues pairs of access and refresh tokens, refreshes them
// with rotation and reuse detection, and revokes them: the token lifecycle
// of a service where users log in, call APIs with a short-lived access token
// in the Authorization header, and trade a longer-lived refresh token, sent
// only in POST bodies, for a new pair when the access token expires.
//
// A [Manager] signs both kinds of token with the current key of its
// [SignerSource] (a jwks.KeyRing, whose new key signs every pair issued
// after it rotates, or [FixedSigner] for one key), typed apart by the
// header "typ" ([AccessType], "at+jwt", and [RefreshType]) so that neither
// is accepted as the other. The tokens of one login form a family,
// named by the "sid" claim; each "jti" is unique. The state that makes
// refresh tokens single-use and tokens revocable lives in a [Store]:
// [MemoryStore] for one process, or the Redis store of module
// github.com/jwtkit/jwt/redisstore for many instances.
//
//	ring, err := jwks.NewKeyRing(&jwks.KeyRingOptions{Algorithm: jwt.EdDSA, MaxTokenLifetime: 24 * time.Hour})
//	m, err := session.New(session.Options{Signer: ring, Keys: ring, Issuer: "https://auth.example"})
//	pair, err := m.Issue(ctx, session.Grant{Subject: "user-1", Scope: "read"})
//	pair, err = m.Refresh(ctx, pair.RefreshToken)
//
// LoginHandler, RefreshHandler, LogoutHandler and LogoutAllHandler serve the
// token endpoints with the requests and responses of RFC 6749 §5.
// ClientCredentialsHandler serves the client credentials grant (RFC 6749
// §4.4) to machine clients that authenticate with a JWT assertion (package
// clientauth), issuing access tokens alone ([Manager.IssueAccess]).
//
// # Security
//
// Refresh follows RFC 9700 §4.14.2: every refresh rotates the refresh
// token, which the store redeems once, for the next one ([Store.Redeem]),
// remembering the family's current and previous token. Redeeming is one
// atomic compare-and-set, so of any number of refreshes with one token at
// most one gets a new pair. Presenting a refresh token that was already
// redeemed is reuse: the store revokes the whole family at once (the
// newest refresh token and the access tokens stop working too), and
// [Options.OnReuse] is told.
//
// # Concurrent refreshes
//
// The store cannot tell a thief's reuse from a client's own second refresh.
// Two refreshes sent at once with one token (two browser tabs, or a retry
// sent before the first answer came) are reuse: by default the first gets a
// new pair, and the second revokes the session, that new pair included, so
// the user must log in again. Clients avoid this by refreshing one at a
// time: one refresh in flight per session, its result shared with every
// tab or thread that needs it (a lock in shared storage, or one worker that
// owns the tokens), and a retry only after the first attempt has failed.
//
// [Options.ReuseGrace] trades detection for tolerance. Within the window
// after a redemption, the previous token is refused with
// [ErrRecentlyRotated] and nothing is revoked: the second of two concurrent
// refreshes fails alone, and the session goes on with the first's pair,
// which the client must take from wherever the first refresh put it. A
// thief who replays a stolen token within the window is refused as well,
// but not detected: the session is not revoked. After the window, the
// previous token is reuse again. The window is off by default.
//
// A session never outlives [Options.MaxLifetime], when set, and ends when it
// is not refreshed for [Options.RefreshTTL] (its idle timeout).
// [Options.Recheck] re-checks the subject at every refresh, so that a
// disabled user or changed permissions take effect within one access token
// lifetime.
//
// Tokens are revoked by "jti" ([Manager.RevokeID], [Manager.RevokeToken]),
// by family (logout, [Manager.RevokeFamily]) and by subject for sessions
// begun before a time (logout everywhere, [Manager.RevokeSubject]). Each
// revocation is kept, counted from the call, until every token it revokes
// has expired, plus [Options.ClockSkew] for instances and resource servers
// whose clocks differ. An API
// sees revocations only if it asks: [Manager.CheckAccess] (and
// [Manager.CheckRequest], the same check in the shape of a middleware hook)
// costs one store round trip per request and fails closed, with
// [ErrStoreUnavailable], when the store cannot answer. Without it, a revoked
// access token works until it expires, which is why access tokens are short.
//
// # DPoP
//
// A session may be bound to a key the client holds (RFC 9449, package
// dpop): [Grant].JKT is the key's thumbprint, every token of the session
// carries it as "cnf": {"jkt": …}, resource servers then require a proof by
// the key with each access token (package jwthttp does), and a refresh
// needs a proof by the same key ([Manager.RefreshDPoP]); without one it
// fails with [ErrKeyBinding] before the store is asked anything, so that a
// copied refresh token can neither be used nor revoke the session. With
// [HandlerOptions].DPoP, the handlers do this: a login with a DPoP proof
// starts a bound session and answers "token_type":"DPoP"; a login without
// one stays "Bearer".
//
// A proof may be used once: the verifier remembers each one in a
// [ReplayCache]. Both stores are one, so the store given to the Manager can
// be given to the dpop.Verifier too (dpop.Options.ReplayCache), and a proof
// used on one instance of a service is then refused on all of them.
// The handlers remember a proof only once the password or the refresh
// token is accepted, so that anonymous requests add nothing to the cache;
// and a MemoryStore bounds its replay keys apart from its revocations,
// which a full replay cache never refuses (for Redis, see package
// redisstore).
//
// Every failure is an error wrapping a sentinel: [ErrRevoked], [ErrReused],
// [ErrRecentlyRotated], [ErrKeyBinding], [ErrDenied], [ErrStoreUnavailable],
// or one of package jwt, such as jwt.ErrExpired (an expired token, or a
// session past its maximum lifetime) and jwt.ErrTypeMismatch (an access
// token presented as a refresh token, or the other way round). Every
// message starts with "session: ".
package session
