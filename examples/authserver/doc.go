// Command authserver is jwtkit's reference auth service: it logs users in,
// issues access and refresh tokens (package session), protects an API with
// them (package jwthttp), publishes its key (package jwks), and runs as
// several instances sharing a Redis store (module redisstore) behind nginx
// (see nginx/). It is the example to copy, and the project's end-to-end
// test drives it (see e2e/).
//
// Usage, from this directory (it is a module of its own):
//
//	go run . --addr 127.0.0.1:8080 --users FILE [--store memory|redis://HOST:PORT]
//	    [--key FILE] [--alg ALG] [--access-ttl 5m] [--refresh-ttl 24h]
//	    [--issuer URL] [--audience AUD] [--realm REALM]
//	go run . hash-password [--cost N] < password
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
// the service makes an ES256 key (or one for --alg) at start; instances
// that share a store must share the key too. Every token carries the key's
// kid, the kid of the published JWK (the file's "kid", or else the RFC 7638
// thumbprint).
//
// # HTTP interface
//
// This interface is a contract that other programs test against:
//
//   - POST /login, form or JSON "username" and "password": 200 with
//     {"access_token","token_type":"Bearer","expires_in","refresh_token",
//     "refresh_expires_in"} and Cache-Control: no-store; wrong credentials
//     401 {"error":"invalid_grant"}, checked in the same time whether or not
//     the user exists.
//   - POST /token/refresh, form or JSON "refresh_token": 200 with a new pair
//     (rotation); a rotated, expired, revoked or bad refresh token, or an
//     access token, 401 invalid_grant (a rotated one revokes its family); a
//     refresh token in the Authorization header or in the query 400
//     invalid_request.
//   - POST /logout, Bearer access token and "refresh_token" in the body: 204,
//     the family is revoked.
//   - POST /logout/all, Bearer access token: 204, every token of the user
//     issued before now is revoked.
//   - GET /api/me, Bearer access token: 200 with the verified claims as JSON.
//     No token 401 with WWW-Authenticate: Bearer realm="…"; a bad, expired or
//     revoked token, or a refresh token, 401 error="invalid_token".
//   - GET /api/admin: as /api/me, and 403 error="insufficient_scope" for a
//     token without the scope "admin".
//   - /auth/verify: the check of nginx's auth_request; 200, or the answer
//     /api/me would give with the header X-Auth-Error set to the error code.
//   - GET /.well-known/jwks.json: the public JWK Set, with Cache-Control
//     max-age and an ETag (304 for If-None-Match).
//   - GET /healthz: 200 when the store answers (PING for Redis), else 503.
//
// Tokens are verified with no clock leeway (the service is the issuer,
// with its own clock), and every API request asks the store whether its
// token is revoked, failing closed (503) when the store does not answer.
//
// The service logs one line per request (method, path without the query,
// status, duration) to standard error, and never a token, a password or a
// request body. It stops gracefully on SIGINT or SIGTERM.
package main
