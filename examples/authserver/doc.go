// Command authserver is jwtkit's reference auth service: it logs users in,
// issues access and refresh tokens (package session), protects an API with
// them (package jwthttp), publishes its key (package jwks), and runs as
// several instances sharing a Redis store (module redisstore) behind nginx
// (see nginx/). It is the example to copy, and the project's end-to-end
// test drives it (see e2e/).
//
// Usage, from this directory (it is a module of its own):
//
//	go run . --addr 127.0.0.1:8080 --users FILE [--store memory|redis://HOST:PORT|redis-cluster://HOST:PORT]
//	    [--key FILE] [--alg ALG] [--rotate-every 24h] [--access-ttl 5m] [--refresh-ttl 24h]
//	    [--issuer URL] [--audience AUD] [--realm REALM] [--external-url URL]
//	    [--trusted-proxy ADDRESS|PREFIX]... [--clients FILE]
//	go run . hash-password [--cost N] < password
//	go run . withdraw-key --store redis://…|redis-cluster://… [--access-ttl D] [--refresh-ttl D] KID
//
// or from the repository's root with go -C examples/authserver run . ….
//
// --users names a file of one user a line, "name:hash" or
// "name:hash:scope1 scope2", the hash made by the hash-password subcommand
// (bcrypt), which reads the password from standard input. Blank lines and
// lines beginning with "#" are skipped.
//
// --key names the private signing key, as "jwt keygen --alg ES256 --out FILE"
// writes it (a JWK) or as a PEM file (PKCS #8, PKCS #1 or SEC 1). Its
// algorithm is --alg, or the JWK's "alg", or else follows from the key:
// ES256/384/512 by curve, EdDSA for Ed25519, RS256 for RSA. Without --key
// the service makes its own keys (ES256, or for --alg) in memory and
// rotates them every --rotate-every (default 24h; any positive duration,
// also shorter than the token lifetimes). Every token carries its key's
// kid, the kid of the published JWK (the file's "kid", or else the RFC 7638
// thumbprint).
//
// # Keys across instances
//
// --store redis-cluster://HOST:PORT[?addr=HOST:PORT&addr=…] names a Redis
// Cluster by some of its nodes: every key a script needs together shares a
// hash tag, so the service works on it as on one Redis, except that a
// refresh costs two round trips to it instead of one.
//
// With --store redis://… (or redis-cluster://…) and no --key, the
// instances share keys through Redis with no other flag (package jwks,
// SharedRing; redisstore.Registry): each instance keeps its private keys in
// its own memory and publishes only their public parts, under
// "jwtkit:jwks:{reg}", twice a second, each with an expiry of the longest
// token lifetime plus jwt.MaxLeeway (5 minutes) plus 5 s ahead. Every instance verifies, and serves at /.well-known/jwks.json,
// every key published there, so that:
//
//   - all instances serve the same set within 2 s of a change (each reads
//     the registry twice a second; a token of a key not yet read makes the
//     instance read it at once);
//   - a token, access or refresh, issued by any instance verifies on every
//     other, also after the instance that issued it has died: its keys stay
//     published until its last tokens have expired, then drop out;
//   - a rotation retires only the rotating instance's current key, which
//     stays published until its tokens have expired; its next key, already
//     published for one rotation, signs the new tokens;
//   - a key withdrawn from the registry (the withdraw-key subcommand,
//     given the instances' --store and token lifetimes, or
//     jwks.SharedRing.Withdraw; for a key that leaked) stops verifying on
//     every instance within 0.5 s plus one round trip to Redis, and its
//     instance replaces it;
//   - an instance that has not reached Redis for 5 s stops signing and
//     verifying (503, failing closed), and /healthz says 503 until it has
//     published its keys once after a start.
//
// With --key, every instance signs with the one key of the file and
// publishes it alone, as a single process does; --rotate-every is then
// unused. With the memory store and no --key, the one process rotates its
// own keys.
//
// --external-url is the URL clients reach the service at, such as nginx's
// "https://auth.example.com": DPoP proofs name it ("htu"), and are checked
// against it followed by the request's path. Without it, a proof must name
// the request's own scheme and Host header, which suits a service reached
// directly; behind a proxy, set it, the same on every instance.
//
// --trusted-proxy names a proxy, such as nginx, whose X-Forwarded-For
// header names the client, for the limit on failed logins (see below);
// repeat it for several. Without it, the client is each connection's own
// address, and X-Forwarded-For is ignored.
//
// # HTTP interface
//
// This interface is a contract that other programs test against:
//
//   - POST /login, form or JSON "username" and "password": 200 with
//     {"access_token","token_type":"Bearer","expires_in","refresh_token",
//     "refresh_expires_in"} and Cache-Control: no-store; wrong credentials
//     401 {"error":"invalid_grant"}, checked with the same bcrypt work
//     whether or not the user exists and whatever the cost of the user's
//     hash (that of one comparison at the file's highest cost, at least
//     bcrypt's default). Failed logins are limited per user name (5 in a
//     row, then one more every 30 s) and per client address (20, then one
//     every 10 s; an IPv6 /64 is one address): a login over a limit is
//     refused before its password is checked, whatever it is, with 429,
//     Retry-After (seconds) and {"error":"invalid_grant"}. A lockout ends
//     one interval after the last failure; unknown names are counted alike.
//     Each instance counts its own failures.
//   - POST /token/refresh, form or JSON "refresh_token": 200 with a new pair
//     (rotation); a rotated, expired, revoked or bad refresh token, or an
//     access token, 401 invalid_grant (a rotated one revokes its family); a
//     refresh token in the Authorization header or in the query 400
//     invalid_request.
//   - POST /token, the client credentials grant for the machine clients of
//     --clients (a JSON file {"clients":[{"client_id","jwks":{"keys":[…]},
//     "scopes":[…]}]}, or "jwks_uri" in place of "jwks"), authenticated by
//     private_key_jwt: form "grant_type=client_credentials",
//     "client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
//     "client_assertion" and optional "scope" (a subset of the client's;
//     none means all). The assertion's "aud" is --issuer (a string or an
//     array of one) or the service's /token URL (--external-url + "/token"
//     when set, else --issuer + "/token"), exactly; it needs "exp" and
//     "jti", lives at most 5 minutes, and is used once on any instance.
//     200 {"access_token","token_type":"Bearer","expires_in","scope"} with
//     Cache-Control: no-store and no refresh token; the access token's "sub"
//     and "client_id" are the client's, and it verifies at /api/me. Errors:
//     401 invalid_client (unknown client, bad signature, wrong aud, expired
//     or replayed assertion), 400 invalid_scope, unsupported_grant_type,
//     invalid_request (a missing parameter).
//   - POST /logout, Bearer access token and "refresh_token" in the body: 204,
//     the family is revoked.
//   - POST /logout/all, Bearer access token: 204, every token of the user
//     issued before now is revoked.
//   - GET /api/me, Bearer access token: 200 with the verified claims as JSON.
//     No token 401 with WWW-Authenticate: Bearer realm="…" (and a second
//     field, the DPoP challenge: see DPoP below); a bad, expired or revoked
//     token, or a refresh token, 401 error="invalid_token".
//   - GET /api/admin: as /api/me, and 403 error="insufficient_scope" for a
//     token without the scope "admin".
//   - /auth/verify: the check of nginx's auth_request; 200, or the answer
//     /api/me would give with the header X-Auth-Error set to the error code.
//   - GET /.well-known/jwks.json: the public JWK Set, with Cache-Control
//     max-age and an ETag (304 for If-None-Match).
//   - GET /healthz: 200 when the store answers (PING for Redis) and, with
//     keys shared through Redis, the instance's keys are published, else 503.
//
// # DPoP
//
// Tokens may be bound to a key the client holds (DPoP, RFC 9449), every
// request then carrying a proof made by that key (package dpop):
//
//   - POST /login with a DPoP header, a proof for POST and the login URL:
//     as above with "token_type":"DPoP", and both tokens carry the key's
//     thumbprint as "cnf"."jkt"; a bad proof is 400 invalid_dpop_proof.
//     Without a DPoP header, the pair is Bearer as above.
//   - POST /token/refresh of a bound session needs a proof by the same key;
//     without one, or with another key's, 401 invalid_grant (the session
//     goes on). The new pair is bound to the key too.
//   - GET /api/me and /api/admin take a bound access token only as
//     "Authorization: DPoP <token>" with a proof for the request (its method,
//     and its URL under --external-url), with the token's hash ("ath"),
//     by the bound key, used once. Every refusal of /api/ carries two
//     WWW-Authenticate fields, the Bearer challenge first and a DPoP one,
//     DPoP algs="…"; the error is in the challenge of the scheme used:
//     a missing, malformed, replayed proof, or one for another method or URL,
//     401 error="invalid_dpop_proof"; a proof by another key, 401
//     error="invalid_token" in the DPoP challenge; the bound token sent as
//     Bearer, 401 error="invalid_token" in the Bearer challenge.
//   - POST /logout and /logout/all take a bound access token with the DPoP
//     scheme and a proof.
//   - /auth/verify checks the proof against the request nginx asks about:
//     the method of the header X-Original-Method and the URI of
//     X-Original-URI, which nginx's internal /_auth location sets (only
//     /auth/verify reads them, and without them the proof names
//     /auth/verify itself). Of the two challenges of a refusal, the one
//     holding the error comes first: nginx 1.22 passes only the first on.
//
// A proof is used once on every instance: the instances remember proofs
// in the store they share (Redis: SET NX PX), for twice the ±60 s window
// of a proof's "iat".
//
// Tokens are verified with no clock leeway (the service is the issuer,
// with its own clock), and every API request asks the store whether its
// token is revoked, failing closed (503) when the store does not answer.
//
// # Web client
//
// web/ holds the reference web client, a single page of plain JavaScript
// modules (no build step, no third-party script) that the reference nginx
// serves at / (nginx/run.sh copies it), with a Content-Security-Policy
// allowing no inline script and connections to its own origin only,
// frame-ancestors 'none', Referrer-Policy: no-referrer and nosniff; every
// answer of /api/ is Cache-Control: no-store, from the service and from
// nginx. The access token lives in the page's memory only; the refresh
// token is DPoP-bound to a P-256 key made with WebCrypto as
// non-extractable, and kept with it in IndexedDB, so a reload keeps the
// session and a copied refresh token is of no use elsewhere. The client
// refreshes shortly before the access token expires and on a 401 with
// error="invalid_token", answers use_dpop_nonce with one retry, and
// refreshes one tab at a time (the Web Locks API), each reading the latest
// refresh token under the lock. Logging out, here or everywhere, deletes
// the key and the state; the next login makes a new key.
//
// Its DOM is a contract, for tests and for those who restyle it:
//
//   - form #login, with inputs #username and #password and a submit
//     button: logs in;
//   - button #call-api: calls GET /api/me and writes its JSON into #me;
//   - buttons #logout and #logout-all: POST /logout and /logout/all;
//   - #status reads signed-in or signed-out (and so does the body's
//     data-status attribute);
//   - #error holds the OAuth error code of the last failure (such as
//     invalid_grant), until the next success empties it.
//
// The service logs one line per request (method, path without the query,
// status, duration) to standard error, and never a token, a password or a
// request body. It stops gracefully on SIGINT or SIGTERM.
package main
