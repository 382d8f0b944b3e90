package session_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/session"
)

// result is one call of an OnResult hook.
type result struct {
	status int
	code   string
	err    error
}

// results records the calls of an OnResult hook; served tells when each
// request has been served, so also reported.
type results struct {
	mu     sync.Mutex
	calls  []result
	served chan struct{}
}

func (rs *results) hook(r *http.Request, status int, code string, err error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.calls = append(rs.calls, result{status, code, err})
}

func (rs *results) take() []result {
	<-rs.served
	rs.mu.Lock()
	defer rs.mu.Unlock()
	calls := rs.calls
	rs.calls = nil
	return calls
}

func TestOnResult(t *testing.T) {
	const password = "pw-8c1f-d1e2"
	m, _, _ := newTestManager(t, nil)
	rs := &results{served: make(chan struct{}, 1)}
	opts := &session.HandlerOptions{OnResult: rs.hook}
	auth := func(_ context.Context, username, pw string) (session.Grant, error) {
		if username == "alice" && pw == password {
			return session.Grant{Subject: "alice", Scope: "read"}, nil
		}
		return session.Grant{}, fmt.Errorf("no such user or password: %w", session.ErrDenied)
	}
	mux := http.NewServeMux()
	mux.Handle("/login", m.LoginHandler(auth, opts))
	mux.Handle("/token/refresh", m.RefreshHandler(opts))
	mux.Handle("/logout", m.LogoutHandler(opts))
	mux.Handle("/logout/all", m.LogoutAllHandler(opts))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { rs.served <- struct{}{} }()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	res := postForm(t, srv.URL+"/login", url.Values{"username": {"alice"}, "password": {password}})
	access, refresh := requirePair(t, res)
	require.Equal(t, []result{{200, "", nil}}, rs.take())
	secrets := []string{password, access, refresh, refresh[strings.LastIndexByte(refresh, '.')+1:], access[strings.LastIndexByte(access, '.')+1:]}

	_, refresh2 := requirePair(t, postForm(t, srv.URL+"/token/refresh", url.Values{"refresh_token": {refresh}}))
	require.Equal(t, []result{{200, "", nil}}, rs.take())

	for _, c := range []struct {
		name   string
		send   func() response
		status int
		code   string
		cause  error
	}{
		{name: "wrong password", send: func() response {
			return postForm(t, srv.URL+"/login", url.Values{"username": {"alice"}, "password": {password + "x"}})
		}, status: 400, code: "invalid_grant", cause: session.ErrDenied},
		{name: "missing parameter", send: func() response {
			return postForm(t, srv.URL+"/login", url.Values{"username": {"alice"}})
		}, status: 400, code: "invalid_request"},
		{name: "GET", send: func() response { return do(t, "GET", srv.URL+"/token/refresh", "", "", nil) }, status: 405, code: "invalid_request"},
		{name: "reused refresh token", send: func() response {
			return postForm(t, srv.URL+"/token/refresh", url.Values{"refresh_token": {refresh}})
		}, status: 400, code: "invalid_grant", cause: session.ErrReused},
		{name: "access token as refresh token", send: func() response {
			return postForm(t, srv.URL+"/token/refresh", url.Values{"refresh_token": {access}})
		}, status: 400, code: "invalid_grant", cause: jwt.ErrTypeMismatch},
		{name: "logout everywhere without a token", send: func() response { return do(t, "POST", srv.URL+"/logout/all", "", "", nil) }, status: 401, code: "invalid_token"},
		{name: "logout everywhere with a revoked token", send: func() response { return do(t, "POST", srv.URL+"/logout/all", "", "", bearer(access)) }, status: 401, code: "invalid_token", cause: session.ErrRevoked},
		{name: "logout", send: func() response {
			return postForm(t, srv.URL+"/logout", url.Values{"refresh_token": {refresh2}})
		}, status: 204},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := c.send()
			require.Equal(t, c.status, res.status)
			calls := rs.take()
			require.Len(t, calls, 1, "exactly one call per request")
			got := calls[0]
			require.Equal(t, c.status, got.status)
			require.Equal(t, c.code, got.code)
			answered, _ := res.body["error"].(string)
			require.Equal(t, c.code, answered, "the code answered")
			if c.cause != nil {
				require.ErrorIs(t, got.err, c.cause)
			} else {
				require.NoError(t, got.err)
			}
			for err := got.err; err != nil; err = errors.Unwrap(err) {
				for _, s := range secrets {
					require.NotContains(t, err.Error(), s)
					require.NotContains(t, fmt.Sprintf("%+v", err), s)
				}
			}
		})
	}
}
