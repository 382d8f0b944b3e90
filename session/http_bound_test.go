package session_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/jwtkit/jwt/dpop"
	"github.com/jwtkit/jwt/session"
	"github.com/stretchr/testify/require"
)

// TestDPoPLogoutRefreshTokenNeedsProof is the regression test of issue 21
// item 4: a copied refresh token of a DPoP-bound session, sent to /logout
// without a proof, ended the session that RefreshDPoP protects from the
// same copier.
func TestDPoPLogoutRefreshTokenNeedsProof(t *testing.T) {
	m, clock, k, srv := dpopServer(t, nil)
	alice := newHolder(t)
	access, refresh := requireDPoPPair(t, m, k, clock, alice.post(t, srv.URL+"/login", aliceForm, ""), alice.prover.JKT())
	r := postForm(t, srv.URL+"/logout", url.Values{"refresh_token": {refresh}})
	requireError(t, r, 400, "invalid_grant")
	_, err := m.VerifyAccess(context.Background(), access)
	require.NoError(t, err, "a logout without the key ended the session")
	requireDPoPPair(t, m, k, clock, alice.post(t, srv.URL+"/token/refresh", url.Values{"refresh_token": {refresh}}, ""), alice.prover.JKT())
}

// TestBoundTokenEndpoints covers the class of item 4: an endpoint that
// acts on a bound token without the proof that the token's binding
// requires. Every endpoint of the session handlers that takes a token, in
// every way it takes it, is sent the tokens of a DPoP-bound session by
// someone without the key (no proof, the DPoP scheme without a proof, a
// proof by another key), on a server with DPoP and one without: each is
// refused and the session goes on. The holder of the key succeeds, so
// that the refusals are not those of a broken endpoint.
func TestBoundTokenEndpoints(t *testing.T) {
	type tokens struct{ access, refresh string }
	// How each endpoint is sent the tokens: by h (a key holder; nil for a
	// client without any key), with the access token in the scheme given.
	type endpoint struct {
		name   string
		path   string
		form   func(tokens) url.Values
		access bool // the access token goes in the Authorization header
	}
	refreshForm := func(tk tokens) url.Values { return url.Values{"refresh_token": {tk.refresh}} }
	endpoints := []endpoint{
		{"refresh", "/token/refresh", refreshForm, false},
		{"logout by refresh token", "/logout", refreshForm, false},
		{"logout by access token", "/logout", func(tokens) url.Values { return nil }, true},
		{"logout by both tokens", "/logout", refreshForm, true},
		{"logout everywhere", "/logout/all", func(tokens) url.Values { return nil }, true},
	}
	type attacker struct {
		name   string
		scheme string // of the access token
		key    bool   // a key of its own, whose proofs its requests carry
	}
	attackers := []attacker{
		{"no proof, Bearer", "Bearer", false},
		{"no proof, DPoP scheme", "DPoP", false},
		{"proof by another key", "DPoP", true},
		{"proof by another key, Bearer", "Bearer", true},
	}
	send := func(t *testing.T, base string, ep endpoint, h *holder, scheme string, tk tokens) response {
		t.Helper()
		auth := ""
		if ep.access {
			auth = scheme + " " + tk.access
		}
		if h != nil {
			return h.post(t, base+ep.path, ep.form(tk), auth)
		}
		var header http.Header
		if auth != "" {
			header = http.Header{"Authorization": {auth}}
		}
		return do(t, "POST", base+ep.path, "application/x-www-form-urlencoded", ep.form(tk).Encode(), header)
	}

	for _, ep := range endpoints {
		t.Run(ep.name, func(t *testing.T) {
			m, clock, k := newTestManager(t, nil)
			v, err := dpop.NewVerifier(nil)
			require.NoError(t, err)
			srv := testServer(t, m, &session.HandlerOptions{DPoP: v})
			plain := testServer(t, m, nil)
			alice := newHolder(t)
			login := func() tokens {
				a, r := requireDPoPPair(t, m, k, clock, alice.post(t, srv.URL+"/login", aliceForm, ""), alice.prover.JKT())
				return tokens{a, r}
			}
			for _, server := range []struct{ name, url string }{{"with DPoP", srv.URL}, {"without DPoP", plain.URL}} {
				for _, at := range attackers {
					t.Run(server.name+"/"+at.name, func(t *testing.T) {
						tk := login()
						var h *holder
						if at.key {
							h = newHolder(t)
						}
						r := send(t, server.url, ep, h, at.scheme, tk)
						require.GreaterOrEqual(t, r.status, 400, "accepted without the key: %d %v", r.status, r.body)
						require.Less(t, r.status, 500, "body %v", r.body)
						_, err := m.VerifyAccess(context.Background(), tk.access)
						require.NoError(t, err, "a request without the key ended the session")
					})
				}
			}
			// The holder, with her key: accepted.
			tk := login()
			r := send(t, srv.URL, ep, alice, "DPoP", tk)
			require.Contains(t, []int{http.StatusOK, http.StatusNoContent}, r.status, "the holder was refused: %d %v", r.status, r.body)
		})
	}
}

// TestDPoPLogoutMixedTokens checks logouts that name two sessions: each
// bound token needs a proof by its own key, and nothing is revoked unless
// every token passes.
func TestDPoPLogoutMixedTokens(t *testing.T) {
	ctx := context.Background()
	m, clock, k, srv := dpopServer(t, nil)
	alice, bob := newHolder(t), newHolder(t)
	aliceAccess, aliceRefresh := requireDPoPPair(t, m, k, clock, alice.post(t, srv.URL+"/login", aliceForm, ""), alice.prover.JKT())
	bobAccess, bobRefresh := requireDPoPPair(t, m, k, clock, bob.post(t, srv.URL+"/login", aliceForm, ""), bob.prover.JKT())
	plainAccess, _ := login(t, srv)

	// Alice's access token with her proof does not carry Bob's refresh
	// token.
	requireError(t, alice.post(t, srv.URL+"/logout", url.Values{"refresh_token": {bobRefresh}}, "DPoP "+aliceAccess), 400, "invalid_grant")
	// An unbound access token does not carry a bound refresh token.
	requireError(t, do(t, "POST", srv.URL+"/logout", "application/x-www-form-urlencoded",
		url.Values{"refresh_token": {aliceRefresh}}.Encode(), bearer(plainAccess)), 400, "invalid_grant")
	for _, a := range []string{aliceAccess, bobAccess, plainAccess} {
		_, err := m.VerifyAccess(ctx, a)
		require.NoError(t, err, "a refused logout revoked a session")
	}

	// Both of Alice's tokens, with her proof: both ended.
	r := alice.post(t, srv.URL+"/logout", url.Values{"refresh_token": {aliceRefresh}}, "DPoP "+aliceAccess)
	require.Equal(t, http.StatusNoContent, r.status, "body %v", r.body)
	_, err := m.VerifyAccess(ctx, aliceAccess)
	require.ErrorIs(t, err, session.ErrRevoked)
}
