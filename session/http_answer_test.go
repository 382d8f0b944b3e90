package session_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jwtkit/jwt/dpop"
	"github.com/jwtkit/jwt/session"
	"github.com/stretchr/testify/require"
)

// TestLoginUnauthorizedChallenge is the regression test of issue 21 item
// 13: LoginHandler answered 401 invalid_grant without WWW-Authenticate,
// which RFC 9110 §15.5.2 (and RFC 6749 §5.2 for 401) requires.
func TestLoginUnauthorizedChallenge(t *testing.T) {
	m, _, _ := newTestManager(t, nil)
	srv := testServer(t, m, &session.HandlerOptions{UnauthorizedInvalidGrant: true})
	r := postForm(t, srv.URL+"/login", url.Values{"username": {"alice"}, "password": {"nope"}})
	requireError(t, r, 401, "invalid_grant")
	require.Equal(t, []string{"Bearer"}, r.header.Values("WWW-Authenticate"))
}

// TestEvery401HasAChallenge covers the class: a 401 without a challenge.
// Every endpoint, with and without DPoP, is sent requests that it answers
// with 401; each answer must carry a WWW-Authenticate challenge per scheme
// the server accepts.
func TestEvery401HasAChallenge(t *testing.T) {
	m, _, _ := newTestManager(t, nil)
	v, err := dpop.NewVerifier(nil)
	require.NoError(t, err)
	var algs []string
	for _, a := range dpop.DefaultAlgorithms() {
		algs = append(algs, a.Name())
	}
	for _, c := range []struct {
		name    string
		opts    *session.HandlerOptions
		schemes []string
	}{
		{"Bearer", &session.HandlerOptions{UnauthorizedInvalidGrant: true}, []string{"Bearer"}},
		{"DPoP", &session.HandlerOptions{UnauthorizedInvalidGrant: true, DPoP: v}, []string{"Bearer", "DPoP"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := testServer(t, m, c.opts)
			access, refresh := login(t, srv)
			form := "application/x-www-form-urlencoded"
			for _, rq := range []struct {
				name, path, body string
				header           http.Header
			}{
				{"login, wrong password", "/login", "username=alice&password=nope", nil},
				{"login, unknown user", "/login", "username=bob&password=secret", nil},
				{"refresh, bad token", "/token/refresh", "refresh_token=garbage", nil},
				{"refresh, an access token", "/token/refresh", "refresh_token=" + access, nil},
				{"logout, bad refresh token", "/logout", "refresh_token=garbage", nil},
				{"logout, bad access token", "/logout", "", bearer("garbage")},
				{"logout, a refresh token as access token", "/logout", "", bearer(refresh)},
				{"logout everywhere, no token", "/logout/all", "", nil},
				{"logout everywhere, bad token", "/logout/all", "", bearer("garbage")},
			} {
				t.Run(rq.name, func(t *testing.T) {
					r := do(t, "POST", srv.URL+rq.path, form, rq.body, rq.header)
					require.Equal(t, http.StatusUnauthorized, r.status, "body %v", r.body)
					values := r.header.Values("WWW-Authenticate")
					require.Len(t, values, len(c.schemes), "one challenge per scheme: %q", values)
					for i, s := range c.schemes {
						require.True(t, values[i] == s || strings.HasPrefix(values[i], s+" "), "challenge %q, want scheme %s", values[i], s)
						if s == "DPoP" {
							require.Contains(t, values[i], `algs="`+strings.Join(algs, " ")+`"`)
						}
					}
				})
			}
		})
	}
}

// TestRefreshTwoCredentials is the test of the other part of item 13:
// /token/refresh took the body's refresh token and ignored an
// Authorization header sent with it. Two credentials are invalid_request,
// whatever the header holds, and the refresh token is not used.
func TestRefreshTwoCredentials(t *testing.T) {
	m, _, _ := newTestManager(t, nil)
	v, err := dpop.NewVerifier(nil)
	require.NoError(t, err)
	srv := testServer(t, m, &session.HandlerOptions{DPoP: v})
	access, refresh := login(t, srv)
	u := srv.URL + "/token/refresh"
	for _, auth := range []string{
		"Bearer " + refresh, "Bearer " + access, "Bearer garbage", "DPoP " + access, "Basic YTpi", "Other x", "",
	} {
		r := do(t, "POST", u, "application/x-www-form-urlencoded", url.Values{"refresh_token": {refresh}}.Encode(),
			http.Header{"Authorization": {auth}})
		requireError(t, r, 400, "invalid_request")
	}
	r := do(t, "POST", u, "application/json", `{"refresh_token":"`+refresh+`"}`, http.Header{"Authorization": {"Bearer " + refresh, "Bearer " + refresh}})
	requireError(t, r, 400, "invalid_request")
	// The refresh token was never used: it still refreshes, once.
	requirePair(t, postForm(t, u, url.Values{"refresh_token": {refresh}}))
}
