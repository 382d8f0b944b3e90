// Package jwks fetches, caches and refreshes JSON Web Key Sets (RFC 7517)
// published by identity providers, for verifying their tokens with package
// jwt, and publishes the keys of a token issuer. It imports only the
// standard library.
//
// A [Remote] is a [jwt.KeySource] for the JWK Set at a URL, or, made by
// [NewOIDC], for the one an OpenID Connect provider names in its discovery
// document:
//
//	keys, err := jwks.NewOIDC("https://login.example.com/realms/main", nil)
//	if err != nil {
//		return err // an invalid URL or option; nothing is fetched yet
//	}
//	defer keys.Close()
//	opts := &jwt.VerifyOptions{Audience: []string{"orders-api"}}
//	tok, err := jwt.Verify[jwt.RegisteredClaims](ctx, token, keys, opts)
//
// or, from a jwks_uri, keys, err := jwks.NewRemote(url, &jwks.Options{...}).
// A Remote carries its issuer ([Remote.Issuer]), so jwt.Verify requires it
// in the token's "iss". A [Set] is the JWK Set document itself, read by
// [Parse].
//
// # Fetching and caching
//
// Constructors do no I/O. The first fetch happens on [Remote.Prefetch], which
// a service may call at startup to fail fast, or on the first token. Each
// request has its own timeout (DefaultTimeout, 10 s) on the caller's
// *http.Client or a default one, its body is capped (1 MiB), its status must
// be 200, redirects are not followed unless asked for, and only https URLs
// are accepted, or http to a loopback address in a URL the application
// configures. A URL a server chooses (a discovery document's jwks_uri, a
// redirect) must be https to a host other than this machine, unless it
// stays on the configured URL's origin, so that a provider cannot point
// the verifier at a local service. Nothing else is ever fetched: "jku" and
// "x5u" in a token are never followed.
//
// A fetched set is used for the lifetime its response gives in
// Cache-Control max-age, or else Expires, bounded to [1 minute, 24 hours]
// and 15 minutes when it gives none; "no-store", "no-cache" and "max-age=0"
// mean the minimum. Refreshes are conditional (If-None-Match with the
// set's ETag); a 304 keeps the set and renews its lifetime. Between five
// eighths and three quarters of its lifetime, at random (Options.Jitter),
// so that instances do not ask the provider all at once, the set is
// refreshed in the background while it keeps serving; with
// Options.Background, a goroutine does this even when no token arrives. Every fetch is single-flight: one request, however many
// callers wait for it, and a caller whose context ends stops only its own
// wait.
//
// Every successful refresh replaces the whole set. A key removed upstream
// stops verifying as soon as the refresh that no longer lists it completes;
// keys are never merged.
//
// # Unknown keys and failures
//
// A token whose "kid" the set lacks forces one refresh, shared by every
// token that arrives meanwhile; then, for Options.Cooldown (30 s), unknown
// kids fail at once with an error wrapping jwt.ErrKeyNotFound, without
// waiting. Kids still unknown after a forced refresh are remembered, up to
// Options.NegativeCacheSize, until the next scheduled refresh. So a flood of
// tokens with random kids costs the provider at most one request per
// cooldown. A token whose signature fails never causes a fetch.
//
// When a refresh fails (network error, timeout, a status other than 200,
// a body that is not a JWK Set, or a set with no usable key), the last good
// set is still served, for up to Options.MaxStaleness (24 hours) past its
// lifetime, and the Remote retries after a cooldown. After that, or before any
// fetch has succeeded, [Remote.Lookup] fails closed with an error wrapping
// jwt.ErrUnavailable and the cause ([ErrFetch], [ErrInvalidSet] or
// [ErrDiscovery]); while it has no set to serve, it retries after 250 ms,
// doubling up to 5 s, so that it serves again soon after the provider
// answers. [Remote.Status] reports the
// last success, the last error and the number of keys, for health checks,
// and Options.OnFetch is called after each request.
//
// Keys are read by [Parse] and bound by [Set.KeySet]: a
// key that cannot be used (an encryption key, an unsupported curve) is
// skipped and reported in Status.Skipped, and only a set with no usable
// key is an error. Keys without "alg", as Entra ID and many Keycloak realms
// publish them, are bound to the algorithms in Options.Algorithms that fit
// them; keys whose "use" is not "sig" or whose "key_ops" lack "verify" are
// never used.
//
// # Several issuers
//
// [Issuers] is a key source for the tokens of several OpenID Connect
// issuers: exact ones (IssuersOptions.Issuers) and the tenants of one
// template with a placeholder whose value must match a pattern, such as
// Microsoft Entra ID's "https://login.microsoftonline.com/{tenantid}/v2.0".
// It is a jwt.IssuerResolver: jwt.Verify reads the token's "iss" before the
// signature, takes that issuer's Remote, and requires "iss" to be the issuer
// whose keys verified the token. Matching is byte for byte; an issuer not
// allowed costs no fetch; the template's issuers are kept in a bounded
// cache (least recently used out), new ones admitted within a global
// budget per interval, and one whose first fetch failed refused without a
// fetch for a while.
//
// # Publishing keys
//
// A [KeyRing] holds the keys of a token issuer: a current key that signs,
// a next key published ahead of use, and retired keys published until every
// token they signed has expired. Key IDs are RFC 7638 thumbprints.
// [KeyRing.Rotate] moves on by one key, and KeyRingOptions.RotateEvery does
// it on a schedule. [KeyRing.Withdraw] removes a leaked key at once, from
// signing, verifying and the published set. KeyRingOptions.Current starts a ring from a key loaded
// from a file instead, so that the instances of a service sign with the
// same key and publish the same set. [NewHandler] serves the ring's public JWK Set with
// Cache-Control max-age and an ETag, and answers If-None-Match with 304.
//
// # Keys across the instances of a service
//
// A [SharedRing] is a key ring for one instance of several: each instance
// signs with keys of its own, generated in memory, and publishes their
// public parts in a [Registry] shared by all of them (package
// github.com/jwtkit/jwt/redisstore has one in Redis; [MemoryRegistry] is
// for one process). Every instance verifies, and serves with
// [NewSharedHandler], every key published there, so that a token of any
// instance verifies on every other, and all serve one set: within
// SharedRingOptions.SyncEvery (1 s) of a change, or at once for a token of
// a key not yet seen. Keys stay published, by their expiry in the
// Registry, until every token they signed has expired, also when their
// instance has died; [SharedRing.Withdraw] stops a leaked key verifying on
// every instance within SyncEvery. No private key leaves its instance.
// Package registrytest holds the tests every Registry must pass.
//
// # Cold starts
//
// A Remote can start from a JWK Set the application saved earlier
// (Options.Snapshot, from [Remote.Snapshot]), so that a service started
// while its identity provider is down verifies tokens at once; the
// snapshot is marked stale (Status.FromSnapshot) and replaced by the first
// successful fetch.
//
// Sets and KeyRings hold no package-level state, and every goroutine they
// start ends by their Close.
package jwks
