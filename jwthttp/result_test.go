package jwthttp_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwthttp"
)

// result is one call of an OnResult hook.
type result struct {
	status int
	code   string
	err    error
}

// results records the calls of an OnResult hook, and tells when each
// request has been served (so also reported) through served.
type results struct {
	mu     sync.Mutex
	calls  []result
	served chan struct{}
}

func newResults() *results { return &results{served: make(chan struct{}, 1)} }

func (rs *results) hook(r *http.Request, status int, code string, err error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.calls = append(rs.calls, result{status, code, err})
}

// wrap signals served after h has served each request.
func (rs *results) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { rs.served <- struct{}{} }()
		h.ServeHTTP(w, r)
	})
}

// take waits until the last request was served and returns the calls
// recorded for it.
func (rs *results) take() []result {
	<-rs.served
	rs.mu.Lock()
	defer rs.mu.Unlock()
	calls := rs.calls
	rs.calls = nil
	return calls
}

func TestOnResult(t *testing.T) {
	rs := newResults()
	var verdict errBox
	opts := &jwthttp.Options{
		Realm: realm, OnResult: rs.hook, SkipPaths: []string{"/healthz"},
		Check: func(*http.Request, jwt.Header, *jwt.RegisteredClaims) error { return verdict.get() },
	}
	mux := http.NewServeMux()
	mux.Handle("/", subHandler(rcSub))
	mux.Handle("/admin", jwthttp.RequireScopes("admin")(subHandler(rcSub)))
	mux.Handle("/healthz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	e := newEnv(t, rs.wrap(protectT(t, hsVerifier(t), opts, mux)))
	good := e.mint(nil, claimsOf(nil), "")
	expired := e.mint(nil, claimsOf(map[string]any{"exp": testNow.Unix()}), "")
	forged := good[:len(good)-4] + "AAAA"
	tokens := []string{good, expired, forged}

	for _, c := range []struct {
		name    string
		path    string
		auth    string
		verdict error
		want    result
		cause   error
	}{
		{name: "let through", path: "/", auth: "Bearer " + good, want: result{0, "", nil}},
		{name: "no token", path: "/", want: result{401, "", nil}},
		{name: "malformed header", path: "/", auth: "Bearer", want: result{400, "invalid_request", nil}},
		{name: "expired", path: "/", auth: "Bearer " + expired, want: result{401, "invalid_token", nil}, cause: jwt.ErrExpired},
		{name: "forged", path: "/", auth: "Bearer " + forged, want: result{401, "invalid_token", nil}, cause: jwt.ErrInvalidSignature},
		{name: "revoked", path: "/", auth: "Bearer " + good, verdict: fmt.Errorf("revoked %q", "id-1"), want: result{401, "invalid_token", nil}},
		{name: "store down", path: "/", auth: "Bearer " + good, verdict: fmt.Errorf("store: %w", jwt.ErrUnavailable), want: result{503, "temporarily_unavailable", nil}, cause: jwt.ErrUnavailable},
		{name: "misconfigured", path: "/", auth: "Bearer " + good, verdict: fmt.Errorf("store: %w", jwt.ErrInvalidOption), want: result{500, "server_error", nil}, cause: jwt.ErrInvalidOption},
		{name: "scope missing, reported once", path: "/admin", auth: "Bearer " + good, want: result{403, "insufficient_scope", nil}},
	} {
		t.Run(c.name, func(t *testing.T) {
			verdict.set(c.verdict)
			res := e.get(c.path, c.auth)
			require.Equal(t, max(c.want.status, 200), res.status)
			calls := rs.take()
			require.Len(t, calls, 1, "exactly one call per request")
			got := calls[0]
			require.Equal(t, c.want.status, got.status)
			require.Equal(t, c.want.code, got.code)
			switch {
			case c.cause != nil:
				require.ErrorIs(t, got.err, c.cause)
			case c.verdict != nil:
				require.ErrorIs(t, got.err, c.verdict)
			default:
				require.NoError(t, got.err)
			}
			for _, tok := range tokens {
				requireNoToken(t, got, tok)
			}
		})
	}

	t.Run("skipped paths are not judged", func(t *testing.T) {
		require.Equal(t, 200, e.get("/healthz", "").status)
		require.Empty(t, rs.take())
	})
}

// TestOnResultOptional checks the requests let through without a token,
// and refused by RequireScopes after that.
func TestOnResultOptional(t *testing.T) {
	rs := newResults()
	mux := http.NewServeMux()
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	mux.Handle("/admin", jwthttp.RequireScopes("admin")(subHandler(rcSub)))
	e := newEnv(t, rs.wrap(protectT(t, hsVerifier(t), &jwthttp.Options{Optional: true, OnResult: rs.hook}, mux)))

	require.Equal(t, 200, e.get("/", "").status)
	require.Equal(t, []result{{0, "", nil}}, rs.take())
	require.Equal(t, 401, e.get("/admin", "").status)
	require.Equal(t, []result{{401, "", nil}}, rs.take())
}

// requireNoToken checks that nothing a hook received holds tok or its
// signature.
func requireNoToken(t *testing.T, got result, tok string) {
	t.Helper()
	sig := tok[strings.LastIndexByte(tok, '.')+1:]
	values := []string{got.code, fmt.Sprint(got.status)}
	for err := got.err; err != nil; err = errors.Unwrap(err) {
		values = append(values, err.Error(), fmt.Sprintf("%+v", err))
	}
	for _, v := range values {
		require.NotContains(t, v, tok)
		require.NotContains(t, v, sig)
	}
}
