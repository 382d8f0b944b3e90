package session_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwt/session"
	"github.com/stretchr/testify/require"
)

// testServer serves m's token endpoints; alice's password is "secret".
func testServer(t *testing.T, m *session.Manager, opts *session.HandlerOptions) *httptest.Server {
	t.Helper()
	auth := func(_ context.Context, username, password string) (session.Grant, error) {
		switch {
		case username == "broken":
			return session.Grant{}, io.ErrUnexpectedEOF
		case username == "alice" && password == "secret":
			return session.Grant{Subject: "alice", Scope: "read"}, nil
		}
		return session.Grant{}, session.ErrDenied
	}
	mux := http.NewServeMux()
	mux.Handle("/login", m.LoginHandler(auth, opts))
	mux.Handle("/token/refresh", m.RefreshHandler(opts))
	mux.Handle("/logout", m.LogoutHandler(opts))
	mux.Handle("/logout/all", m.LogoutAllHandler(opts))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

type response struct {
	status int
	header http.Header
	body   map[string]any
}

// testClient keeps no idle connections, so that tests leave no goroutines.
var testClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}

func do(t *testing.T, method, u, contentType, body string, header http.Header) response {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := testClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	r := response{status: res.StatusCode, header: res.Header}
	if len(data) > 0 {
		require.NoError(t, json.Unmarshal(data, &r.body), "body %q", data)
	}
	return r
}

func postForm(t *testing.T, u string, form url.Values) response {
	return do(t, "POST", u, "application/x-www-form-urlencoded", form.Encode(), nil)
}

func postJSON(t *testing.T, u, body string) response {
	return do(t, "POST", u, "application/json", body, nil)
}

func bearer(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }

func requireError(t *testing.T, r response, status int, code string) {
	t.Helper()
	require.Equal(t, status, r.status, "body %v", r.body)
	require.Equal(t, code, r.body["error"])
	require.Equal(t, "no-store", r.header.Get("Cache-Control"))
}

func requirePair(t *testing.T, r response) (access, refresh string) {
	t.Helper()
	require.Equal(t, http.StatusOK, r.status, "body %v", r.body)
	require.Equal(t, "no-store", r.header.Get("Cache-Control"))
	require.Equal(t, "no-cache", r.header.Get("Pragma"))
	require.Equal(t, "application/json;charset=UTF-8", r.header.Get("Content-Type"))
	require.Equal(t, "Bearer", r.body["token_type"])
	require.Equal(t, float64(300), r.body["expires_in"])
	require.Equal(t, float64(86400), r.body["refresh_expires_in"])
	require.Equal(t, "read", r.body["scope"])
	access, _ = r.body["access_token"].(string)
	refresh, _ = r.body["refresh_token"].(string)
	require.NotEmpty(t, access)
	require.NotEmpty(t, refresh)
	return access, refresh
}

func login(t *testing.T, srv *httptest.Server) (access, refresh string) {
	t.Helper()
	return requirePair(t, postForm(t, srv.URL+"/login", url.Values{"username": {"alice"}, "password": {"secret"}}))
}

func TestLoginHandler(t *testing.T) {
	m, _, _ := newTestManager(t, nil)
	srv := testServer(t, m, nil)
	u := srv.URL + "/login"

	access, _ := requirePair(t, postForm(t, u, url.Values{"username": {"alice"}, "password": {"secret"}, "grant_type": {"password"}}))
	_, err := m.VerifyAccess(context.Background(), access)
	require.NoError(t, err)
	requirePair(t, postJSON(t, u, `{"username":"alice","password":"secret","remember":true}`))
	requirePair(t, do(t, "POST", u, "application/json; charset=utf-8", `{"username":"alice","password":"secret"}`, nil))

	for _, tt := range []struct {
		name   string
		res    response
		status int
		code   string
	}{
		{"wrong password", postForm(t, u, url.Values{"username": {"alice"}, "password": {"nope"}}), 400, "invalid_grant"},
		{"unknown user", postJSON(t, u, `{"username":"bob","password":"secret"}`), 400, "invalid_grant"},
		{"authenticator failure", postJSON(t, u, `{"username":"broken","password":"x"}`), 500, "server_error"},
		{"password in the query", do(t, "POST", u+"?password=secret", "application/x-www-form-urlencoded", "username=alice&password=secret", nil), 400, "invalid_request"},
		{"GET", do(t, "GET", u, "", "", nil), 405, "invalid_request"},
		{"no password", postForm(t, u, url.Values{"username": {"alice"}}), 400, "invalid_request"},
		{"parameter twice", postForm(t, u, url.Values{"username": {"alice", "bob"}, "password": {"secret"}}), 400, "invalid_request"},
		{"JSON member twice", postJSON(t, u, `{"username":"bob","username":"alice","password":"secret"}`), 400, "invalid_request"},
		{"JSON number", postJSON(t, u, `{"username":"alice","password":123}`), 400, "invalid_request"},
		{"JSON array", postJSON(t, u, `["alice","secret"]`), 400, "invalid_request"},
		{"JSON trailing data", postJSON(t, u, `{"username":"alice","password":"secret"}{}`), 400, "invalid_request"},
		{"text body", do(t, "POST", u, "text/plain", "username=alice&password=secret", nil), 400, "invalid_request"},
		{"other grant type", postForm(t, u, url.Values{"username": {"alice"}, "password": {"secret"}, "grant_type": {"client_credentials"}}), 400, "unsupported_grant_type"},
		{"huge body", postForm(t, u, url.Values{"username": {"alice"}, "password": {strings.Repeat("x", 20000)}}), 400, "invalid_request"},
	} {
		t.Run(tt.name, func(t *testing.T) { requireError(t, tt.res, tt.status, tt.code) })
	}
	require.Equal(t, "POST", do(t, "GET", u, "", "", nil).header.Get("Allow"))

	srv401 := testServer(t, m, &session.HandlerOptions{UnauthorizedInvalidGrant: true})
	requireError(t, postForm(t, srv401.URL+"/login", url.Values{"username": {"alice"}, "password": {"nope"}}), 401, "invalid_grant")
}

func TestRefreshHandler(t *testing.T) {
	m, _, _ := newTestManager(t, nil)
	srv := testServer(t, m, nil)
	u := srv.URL + "/token/refresh"
	access, refresh := login(t, srv)

	// The refresh token anywhere but the body.
	requireError(t, do(t, "POST", u+"?refresh_token="+refresh, "", "", nil), 400, "invalid_request")
	requireError(t, do(t, "POST", u+"?refresh_token="+refresh, "application/x-www-form-urlencoded", "refresh_token="+refresh, nil), 400, "invalid_request")
	requireError(t, do(t, "POST", u, "", "", bearer(refresh)), 400, "invalid_request")
	requireError(t, do(t, "POST", u, "", "", http.Header{"Refresh-Token": {refresh}}), 400, "invalid_request")
	requireError(t, do(t, "GET", u+"?refresh_token="+refresh, "", "", nil), 405, "invalid_request")
	requireError(t, postForm(t, u, url.Values{"refresh_token": {refresh, refresh}}), 400, "invalid_request")
	requireError(t, postForm(t, u, url.Values{"refresh_token": {refresh}, "grant_type": {"password"}}), 400, "unsupported_grant_type")
	// None of these used the token.
	access2, refresh2 := requirePair(t, postForm(t, u, url.Values{"refresh_token": {refresh}, "grant_type": {"refresh_token"}}))
	require.NotEqual(t, access, access2)
	_, refresh3 := requirePair(t, postJSON(t, u, `{"refresh_token":"`+refresh2+`"}`))

	// Bad grants.
	requireError(t, postForm(t, u, url.Values{"refresh_token": {access2}}), 400, "invalid_grant")
	requireError(t, postForm(t, u, url.Values{"refresh_token": {"garbage"}}), 400, "invalid_grant")
	requireError(t, postForm(t, u, url.Values{"refresh_token": {refresh}}), 400, "invalid_grant")  // reuse
	requireError(t, postForm(t, u, url.Values{"refresh_token": {refresh3}}), 400, "invalid_grant") // its family is revoked

	srv401 := testServer(t, m, &session.HandlerOptions{UnauthorizedInvalidGrant: true})
	requireError(t, postForm(t, srv401.URL+"/token/refresh", url.Values{"refresh_token": {refresh3}}), 401, "invalid_grant")
	requireError(t, postForm(t, srv401.URL+"/token/refresh", url.Values{}), 400, "invalid_request")
}

func TestRefreshHandlerStoreDown(t *testing.T) {
	good, _, k := newTestManager(t, nil)
	p, err := good.Issue(context.Background(), session.Grant{Subject: "alice"})
	require.NoError(t, err)
	m, err := session.New(session.Options{Signer: session.FixedSigner(k.signer), Keys: k.verifier, Store: brokenStore{session.ErrStoreUnavailable},
		Issuer: "https://auth.example", Audience: []string{"api"}})
	require.NoError(t, err)
	srv := testServer(t, m, nil)
	r := postForm(t, srv.URL+"/token/refresh", url.Values{"refresh_token": {p.RefreshToken}})
	requireError(t, r, 503, "temporarily_unavailable")
	require.Equal(t, "1", r.header.Get("Retry-After"))
	requireError(t, postForm(t, srv.URL+"/login", url.Values{"username": {"alice"}, "password": {"secret"}}), 503, "temporarily_unavailable")
	requireError(t, postForm(t, srv.URL+"/logout", url.Values{"refresh_token": {p.RefreshToken}}), 503, "temporarily_unavailable")
	requireError(t, do(t, "POST", srv.URL+"/logout/all", "", "", bearer(p.AccessToken)), 503, "temporarily_unavailable")
}

func TestLogoutHandler(t *testing.T) {
	ctx := context.Background()
	m, _, _ := newTestManager(t, nil)
	srv := testServer(t, m, nil)
	u := srv.URL + "/logout"

	// Both tokens, as a client logs out.
	access, refresh := login(t, srv)
	r := do(t, "POST", u, "application/x-www-form-urlencoded", "refresh_token="+refresh, bearer(access))
	require.Equal(t, 204, r.status)
	require.Equal(t, "no-store", r.header.Get("Cache-Control"))
	_, err := m.VerifyAccess(ctx, access)
	require.ErrorIs(t, err, session.ErrRevoked)
	requireError(t, postForm(t, srv.URL+"/token/refresh", url.Values{"refresh_token": {refresh}}), 400, "invalid_grant")

	// The access token alone.
	access, refresh = login(t, srv)
	require.Equal(t, 204, do(t, "POST", u, "", "", bearer(access)).status)
	_, err = m.Refresh(ctx, refresh)
	require.ErrorIs(t, err, session.ErrRevoked)

	// The refresh token alone, as JSON.
	access, refresh = login(t, srv)
	require.Equal(t, 204, postJSON(t, u, `{"refresh_token":"`+refresh+`"}`).status)
	_, err = m.VerifyAccess(ctx, access)
	require.ErrorIs(t, err, session.ErrRevoked)

	access, _ = login(t, srv)
	requireError(t, do(t, "POST", u, "", "", nil), 400, "invalid_request")
	requireError(t, postForm(t, u, url.Values{"refresh_token": {access}}), 400, "invalid_grant")
	r = do(t, "POST", u, "", "", bearer("garbage"))
	requireError(t, r, 401, "invalid_token")
	require.Equal(t, `Bearer error="invalid_token"`, r.header.Get("WWW-Authenticate"))
	requireError(t, do(t, "POST", u, "", "", http.Header{"Authorization": {"Basic YTpi"}}), 400, "invalid_request")
	_, err = m.VerifyAccess(ctx, access)
	require.NoError(t, err, "a refused logout revoked the session")
}

func TestLogoutAllHandler(t *testing.T) {
	ctx := context.Background()
	m, clock, _ := newTestManager(t, nil)
	srv := testServer(t, m, nil)
	u := srv.URL + "/logout/all"
	a1, r1 := login(t, srv)
	a2, _ := login(t, srv)

	r := do(t, "POST", u, "", "", nil)
	requireError(t, r, 401, "invalid_token")
	require.Equal(t, "Bearer", r.header.Get("WWW-Authenticate"))
	requireError(t, do(t, "POST", u, "", "", bearer(r1)), 401, "invalid_token")

	clock.Advance(time.Second)
	require.Equal(t, 204, do(t, "POST", u, "", "", bearer(a1)).status)
	for _, a := range []string{a1, a2} {
		_, err := m.VerifyAccess(ctx, a)
		require.ErrorIs(t, err, session.ErrRevoked)
	}
	requireError(t, postForm(t, srv.URL+"/token/refresh", url.Values{"refresh_token": {r1}}), 400, "invalid_grant")
	requireError(t, do(t, "POST", u, "", "", bearer(a2)), 401, "invalid_token")

	a3, _ := login(t, srv) // a new login after it works
	_, err := m.VerifyAccess(ctx, a3)
	require.NoError(t, err)
}
