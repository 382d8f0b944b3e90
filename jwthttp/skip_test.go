package jwthttp_test

import (
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwt/jwthttp"
)

// routedEnv is a real http.ServeMux behind the middleware with SkipPaths
// "/healthz" and "/public/": "/public/" is public, "GET /{doc}" and every
// other path are protected. protected counts the requests that reached a
// protected route.
type routedEnv struct {
	*env
	protected atomic.Int64
}

func newRoutedEnv(t *testing.T) *routedEnv {
	t.Helper()
	e := &routedEnv{}
	mux := http.NewServeMux()
	guarded := func(w http.ResponseWriter, r *http.Request) {
		e.protected.Add(1)
		io.WriteString(w, "protected "+r.PathValue("doc"))
	}
	mux.HandleFunc("GET /{doc}", guarded)
	mux.HandleFunc("/", guarded)
	mux.HandleFunc("/public/", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "public") })
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "healthy") })
	e.env = newEnv(t, protectT(t, hsVerifier(t), &jwthttp.Options{Realm: realm, SkipPaths: []string{"/healthz", "/public/"}}, mux))
	return e
}

// TestSkipPathsEncodedSlash is the regression test of issue 21 item 1:
// ServeMux routes "/public%2Fsecret" to "GET /{doc}" with doc
// "public/secret", so the middleware must not skip it as "/public/secret".
func TestSkipPathsEncodedSlash(t *testing.T) {
	e := newRoutedEnv(t)
	e.get("/public%2Fsecret", "").refused(t, http.StatusUnauthorized, noTokenChallenge)
	require.Zero(t, e.protected.Load(), "a protected route was reached without a token")

	// The router does route it there: with a token, it is served.
	r := e.get("/public%2Fsecret", "Bearer "+e.mint(nil, claimsOf(nil), ""))
	require.Equal(t, http.StatusOK, r.status, "body: %s", r.body)
	require.Equal(t, "protected public/secret", r.body)
	require.Equal(t, int64(1), e.protected.Load())
}

// TestSkipPathsAgreeWithRouter covers the class of item 1: an
// authorization check and a router that canonicalize paths differently.
// Each path is sent as it is by a real client (which follows redirects) to
// a real server; none may reach a protected route without a token,
// whatever the router makes of it.
func TestSkipPathsAgreeWithRouter(t *testing.T) {
	e := newRoutedEnv(t)
	// The public routes work, so that the test is not vacuous.
	for _, p := range []string{"/public/", "/public/a", "/public/a/b", "/public/caf%C3%A9", "/p%75blic/a", "/healthz"} {
		r := e.get(p, "")
		require.Equal(t, http.StatusOK, r.status, "%s: body %s", p, r.body)
		require.Contains(t, []string{"public", "healthy"}, r.body, p)
	}
	for _, tt := range []struct{ name, path string }{
		{"encoded slash", "/public%2Fsecret"},
		{"encoded slash, lower case", "/public%2fsecret"},
		{"encoded slash, deeper", "/public%2Fa/secret"},
		{"encoded slash in the exact entry", "/healthz%2Fsecret"},
		{"encoded backslash", "/public%5Csecret"},
		{"encoded backslash, lower case", "/public%5csecret"},
		{"backslash dot dot", "/public/..%5Csecret"},
		{"double-encoded slash", "/public%252Fsecret"},
		{"triple-encoded slash", "/public%25252Fsecret"},
		{"double-encoded dot dot", "/public/%252e%252e/secret"},
		{"encoded dot dot", "/public/%2e%2e/secret"},
		{"encoded dot dot and slash", "/public/%2E%2E%2Fsecret"},
		{"dot dot, encoded slash", "/public/..%2Fsecret"},
		{"semicolon", "/public;/secret"},
		{"semicolon parameter", "/public;x=1/secret"},
		{"dot dot semicolon", "/public/..;/secret"},
		{"dot semicolon", "/public/.;/secret"},
		{"double slash", "//public/secret"},
		{"double slash inside", "/public//secret"},
		{"dot segment", "/public/./secret"},
		{"dot dot", "/public/../secret"},
		{"dot dot at the end", "/public/a/.."},
		{"trailing dot", "/public./secret"},
		{"trailing dot of an exact entry", "/healthz."},
		{"exact entry with a slash", "/healthz/"},
		{"no trailing slash", "/public"},
		{"upper case", "/PUBLIC/secret"},
		{"dotless i", "/publ%C4%B1c/secret"},
		{"Cyrillic i", "/publ%D1%96c/secret"},
		{"fullwidth solidus", "/public%EF%BC%8Fsecret"},
		{"overlong slash", "/public%C0%AFsecret"},
		{"NUL", "/public%00/secret"},
		{"a single segment", "/secret"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := e.protected.Load()
			r := e.get(tt.path, "")
			require.Equal(t, before, e.protected.Load(), "%s reached a protected route without a token: %d %s", tt.path, r.status, r.body)
			require.NotContains(t, r.body, "protected")
		})
	}
}
