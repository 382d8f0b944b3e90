// Package jwthttp protects an HTTP API with JWT bearer tokens: it is the
// resource-server side of OAuth 2.0 (RFC 6750) for net/http, and imports only
// the standard library and package jwt.
//
// New returns a middleware, a plain func(http.Handler) http.Handler, that
// reads exactly one access token from each request, verifies it with
// [jwt.Verify] and the request's context, and hands the verified claims to
// the next handler through the request's context:
//
//	protect, err := jwthttp.New[MyClaims](keys, &jwthttp.Options{
//		Verify: jwthttp.AccessToken("https://issuer.example", "https://api.example"),
//		Realm:  "api",
//	})
//	mux.Handle("GET /notes", protect(notes))
//
//	func notes(w http.ResponseWriter, r *http.Request) {
//		claims, _ := jwthttp.Claims[MyClaims](r.Context())
//		...
//	}
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
// Each challenge parameter appears at most once. The "error_description" is
// a fixed string per failure, printable ASCII without '"' or '\': it says what
// failed and never echoes the token, its claims or a key. The body is
// {"error":…,"error_description":…} with Content-Type application/json;
// [Options.ErrorBody] replaces it, but cannot change the status or the
// challenge.
//
// Two answers are the server's, not the client's: 500 (error "server_error",
// no details) for a configuration that the key source, [jwt.Verify] or
// [Options.Check] reports as invalid ([jwt.ErrInvalidOption]), and 503 (error "temporarily_unavailable") when the token could not
// be checked at all: the check hook or the key source reported [ErrUnavailable],
// the request's context ended, or the key source failed with an error that
// is not a verdict on the token. Both fail closed and carry no challenge.
//
// # Security
//
// Nothing the request says configures the middleware: the key source,
// algorithms, issuer and audience come from the caller. A token that fails is
// never passed on, and the handler runs only after the signature, the claims
// and [Options.Check] have all passed. A token read from the query string,
// which ends up in logs and Referer headers, is refused unless the caller
// names the parameter, and a successful answer to such a request is marked
// Cache-Control: private.
package jwthttp
