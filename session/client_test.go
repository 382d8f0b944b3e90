package session_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwt/session"
)

func TestIssueAccess(t *testing.T) {
	m, clock, _ := newTestManager(t, nil)
	ctx := context.Background()
	at, err := m.IssueAccess(ctx, session.Grant{Subject: "svc", ClientID: "svc", Scope: "read"})
	require.NoError(t, err)
	tok, err := m.VerifyAccess(ctx, at.Token)
	require.NoError(t, err)
	assert.Equal(t, "svc", tok.Claims.Subject)
	assert.Equal(t, "svc", tok.Claims.ClientID)
	assert.Equal(t, "read", tok.Claims.Scope)
	assert.True(t, at.Expires.Equal(tok.Claims.ExpiresAt.Time))
	// It is revoked as a session's tokens are.
	require.NoError(t, m.RevokeFamily(ctx, tok.Claims.FamilyID))
	_, err = m.VerifyAccess(ctx, at.Token)
	assert.ErrorIs(t, err, session.ErrRevoked)
	// And it expires.
	at, err = m.IssueAccess(ctx, session.Grant{Subject: "svc"})
	require.NoError(t, err)
	clock.Advance(session.DefaultAccessTTL + time.Second)
	_, err = m.VerifyAccess(ctx, at.Token)
	assert.Error(t, err)
	_, err = m.IssueAccess(ctx, session.Grant{})
	assert.Error(t, err, "a grant without a subject")
}

func TestClientCredentialsHandlerErrors(t *testing.T) {
	m, _, _ := newTestManager(t, nil)
	auth := func(_ context.Context, c session.ClientCredentials) (session.Client, error) {
		switch c.Assertion {
		case "good":
			return session.Client{ID: "svc", Scopes: []string{"a", "b"}}, nil
		case "down":
			return session.Client{}, session.ErrStoreUnavailable
		case "broken":
			return session.Client{}, errors.New("boom")
		}
		return session.Client{}, session.ErrDenied
	}
	srv := httptest.NewServer(m.ClientCredentialsHandler(auth, nil))
	defer srv.Close()
	post := func(assertion string) int {
		f := url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {session.ClientAssertionType}, "client_assertion": {assertion}}
		resp, err := http.Post(srv.URL, "application/x-www-form-urlencoded", strings.NewReader(f.Encode()))
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusOK, post("good"))
	assert.Equal(t, http.StatusUnauthorized, post("bad"))
	assert.Equal(t, http.StatusServiceUnavailable, post("down"))
	assert.Equal(t, http.StatusInternalServerError, post("broken"))
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("grant_type=client_credentials&client_assertion_type="+url.QueryEscape(session.ClientAssertionType)+"&client_assertion=good"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("svc", "secret")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "two client authentication methods")
}
