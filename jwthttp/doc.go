// Package jwthttp protects an HTTP API with JWT access tokens: bearer
// tokens (RFC 6750), and tokens bound to a client's key by DPoP (RFC 9449).
// It is the resource-server side of OAuth 2.0 for net/http, and imports only
// the standard library and packages jwt and dpop.
//
// New returns a middleware, a plain func(http.Handler) http.Handler, that
// reads exactly one access token from each request, verifies it with
// [jwt.Verify] and the request's context, and hands the verified claims to
// the next handler through the request's context:
//
//	protect, err := jwthttp.New[MyClaims](keys, &jwthttp.Options{
//		Verify: jwthttp.AccessTokenOptions("https://issuer.example", "https://api.example"),
//		Realm:  "api",
//	})
//	mux.Handle("GET /notes", protect(notes))
//
//	func notes(w http.ResponseWriter, r *http.Request) {
//		claims, _ := jwthttp.Claims[MyClaims](r.Context())
//		...
//	}
//
// Whatever the options, a token whose header "typ" names another kind of
// JWT (a refresh token's "refresh+jwt", as package session issues, a DPoP
// proof's "dpop+jwt", a security event or logout token's) is refused as
// invalid_token: it is never an access token, even where the options check
// neither "typ" nor an audience.
//
// [RequireScopes] and [RequireAnyScope] wrap a handler that needs scopes,
// read from the token's "scope" claim or the "scp" claim some identity
// providers issue.
//
// # Where the token is read from
//
// As RFC 6750 §2 says: from the Authorization header ("Bearer", in any
// case, one or more spaces, then the token in the b64token syntax); from an
// application/x-www-form-urlencoded body only if [Options.FormBody] is set,
// never for GET, and without consuming the body, which the next handler reads
// as it was sent; from the URI query only if [Options.QueryParameter] names
// the parameter; and from a cookie only if [Options.Cookie] names it. A
// request that carries more than one token, in one place or in several, is
// refused. Credentials of another scheme, such as Basic, are not a token.
//
// # DPoP
//
// With [Options.DPoP] set, the middleware accepts "Authorization: DPoP
// <token>" (the scheme in any case, then the token in the token68 syntax)
// with a proof in the DPoP header (RFC 9449 §7.1). It verifies the token
// first, as above, then the proof, with [dpop.Verifier.VerifyRequest]: made
// for this request's method and URI, with the hash of this token, by the key
// whose thumbprint is the token's "cnf"."jkt", and not seen before. [Proof]
// gives the handler the verified proof. Bearer tokens are refused, unless
// [Options.AllowBearer] is set too. The form body, the query and the cookie
// carry bearer tokens only.
//
// Whatever the options, a token bound to a key (one whose "cnf" has a
// "jkt") is refused when it comes as a bearer token, from any place, as RFC
// 9449 §7.2 requires: whoever copied it from a log cannot use it without the
// key. The "cnf" claim is read from the verified payload whatever the claims
// type T is. A token bound by any other confirmation method (RFC 7800), such
// as "x5t#S256" (mutual TLS, RFC 8705) or "jwk", is refused, since the
// middleware cannot check that binding, unless [Options.Confirmation] checks
// it.
//
// # Answers
//
// Every refusal is one exact challenge (RFC 6750 §3, RFC 9728 §5.1) and a
// JSON body:
//
//   - no token: 401, WWW-Authenticate: Bearer realm="…", with no error;
//   - a malformed request (bad Authorization syntax, two tokens): 400,
//     error="invalid_request";
//   - a token that fails (signature, expiry, audience, issuer, type, unknown
//     key, rejected by [Options.Check]): 401, error="invalid_token";
//   - a token without the scopes a handler requires: 403,
//     error="insufficient_scope", scope="…".
//
// With DPoP, the challenge is a DPoP one, with "algs" listing the
// algorithms the verifier accepts in proofs, and the error codes of RFC 9449
// §7.1 beside those above: a proof that fails (malformed, replayed, made for
// another method or URI, with another token, signed with a key or algorithm
// refused) is 401 error="invalid_dpop_proof"; a proof by a key other than
// the one the token is bound to, or a token not bound to any key sent with
// the DPoP scheme, is 401 error="invalid_token"; and, when the verifier
// requires server nonces, a proof without a fresh one is 401
// error="use_dpop_nonce", with the nonce to use in a DPoP-Nonce header (as
// dpop.Transport retries). When both schemes are accepted, every refusal
// carries both challenges, as two WWW-Authenticate fields (RFC 9110
// §11.6.1: one field holding two challenges is not understood by every
// client), Bearer first; the error is in the challenge of the scheme the
// request used, and the other challenge is the one a request without a
// token gets. A token sent as Bearer where only DPoP is accepted is
// error="invalid_token" in the DPoP challenge.
//
// Each challenge parameter appears at most once. The "error_description" is
// a fixed string per failure, printable ASCII without '"' or '\': it says what
// failed and never echoes the token, its claims or a key. The body is
// {"error":…,"error_description":…} with Content-Type application/json;
// [Options.ErrorBody] replaces it, but cannot change the status or the
// challenge.
// [Options.OnResult] receives each outcome with its cause, for logs and
// metrics.
//
// Two answers are the server's, not the client's: 500 (error "server_error",
// no details) for a configuration that the key source, [jwt.Verify] or
// [Options.Check] reports as invalid ([jwt.ErrInvalidOption]), and 503
// (error "temporarily_unavailable") when the token could not be checked at
// all: the check hook or the key source reported [jwt.ErrUnavailable], the DPoP
// replay cache or nonce source failed, the request's context ended, or the
// key source failed with an error that is not a verdict on the token. Both
// fail closed and carry no challenge.
//
// # Security
//
// Nothing the request says configures the middleware: the key source,
// algorithms, issuer and audience come from the caller. A token that fails is
// never passed on, and the handler runs only after the signature, the
// claims, [Options.Confirmation], the DPoP proof and [Options.Check] have all
// passed, in this order. [Options.SkipPaths] skips a request only if the
// decoded path and the escaped path, which http.ServeMux routes on, both
// name the entry.
// A token read from the query string, which ends up in logs and Referer
// headers, is refused unless the caller names the parameter, and a
// successful answer to such a request is marked Cache-Control: private.
package jwthttp
