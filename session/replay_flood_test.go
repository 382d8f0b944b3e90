package session_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
	"github.com/jwtkit/jwt/jwthttp"
	"github.com/jwtkit/jwt/session"
	"github.com/stretchr/testify/require"
)

// TestFailedLoginsDoNotFillReplayCache is the regression test of issue 21
// item 3: the token endpoints remembered a DPoP proof before checking the
// password, so that a few thousand logins with wrong passwords, each with
// a valid proof by a key of the attacker's, filled the bounded replay
// cache, and every DPoP client was then refused (503) until it drained.
func TestFailedLoginsDoNotFillReplayCache(t *testing.T) {
	const bound, attempts = 500, 2000
	cache := dpop.NewMemoryReplayCache(&dpop.MemoryReplayCacheOptions{MaxEntries: bound})
	m, clock, k, srv := dpopServer(t, &dpop.Options{ReplayCache: cache})
	mallory := newHolder(t) // a new proof for every request
	wrong := url.Values{"username": {"alice"}, "password": {"guess"}}
	for i := range attempts {
		r := mallory.post(t, srv.URL+"/login", wrong, "")
		require.Equal(t, http.StatusBadRequest, r.status, "failed login %d: %v", i, r.body)
		require.Equal(t, "invalid_grant", r.body["error"], "failed login %d", i)
	}
	require.Len(t, mallory.sender.sent(), attempts, "every attempt carried a proof")
	alice := newHolder(t)
	_, refresh := requireDPoPPair(t, m, k, clock, alice.post(t, srv.URL+"/login", aliceForm, ""), alice.prover.JKT())
	requireDPoPPair(t, m, k, clock, alice.post(t, srv.URL+"/token/refresh", url.Values{"refresh_token": {refresh}}, ""), alice.prover.JKT())
}

// countingCache is a replay cache that counts the keys it is asked to
// remember.
type countingCache struct {
	dpop.ReplayCache
	calls atomic.Int32
}

func (c *countingCache) Remember(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	c.calls.Add(1)
	return c.ReplayCache.Remember(ctx, key, ttl)
}

// countingStore is a Store that counts the calls that write.
type countingStore struct {
	session.Store
	writes atomic.Int32
}

func (s *countingStore) Create(ctx context.Context, f session.Family) error {
	s.writes.Add(1)
	return s.Store.Create(ctx, f)
}

func (s *countingStore) Redeem(ctx context.Context, r session.Redemption) error {
	s.writes.Add(1)
	return s.Store.Redeem(ctx, r)
}

func (s *countingStore) RevokeFamily(ctx context.Context, id string) error {
	s.writes.Add(1)
	return s.Store.RevokeFamily(ctx, id)
}

func (s *countingStore) RevokeToken(ctx context.Context, id string, until time.Time) error {
	s.writes.Add(1)
	return s.Store.RevokeToken(ctx, id, until)
}

func (s *countingStore) RevokeSubject(ctx context.Context, sub string, before, until time.Time) error {
	s.writes.Add(1)
	return s.Store.RevokeSubject(ctx, sub, before, until)
}

// TestUnauthenticatedRequestsFillNothing is the class test of issue 21 item
// 3, resource exhaustion from unauthenticated input: on every path of the
// token endpoints, the logout endpoints and a jwthttp resource server, a
// request that is not authenticated (wrong password; a refresh or access
// token that is garbage, forged, expired, revoked, or bound to another
// key), even with a valid DPoP proof, adds nothing to the replay cache nor
// to the store, the bounded or shared structures that anyone could
// otherwise fill. Authenticated requests, checked alongside, do add.
func TestUnauthenticatedRequestsFillNothing(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	k := newKeys(t)
	store := &countingStore{Store: session.NewMemoryStore(&session.MemoryStoreOptions{Now: clock.Now})}
	m, err := session.New(session.Options{
		Signer: session.FixedSigner(k.signer), Keys: k.verifier, Store: store,
		Issuer: "https://auth.example", Audience: []string{"api"}, Now: clock.Now,
	})
	require.NoError(t, err)
	cache := &countingCache{ReplayCache: dpop.NewMemoryReplayCache(nil)}
	v, err := dpop.NewVerifier(&dpop.Options{ReplayCache: cache})
	require.NoError(t, err)
	srv := testServer(t, m, &session.HandlerOptions{DPoP: v})
	mw, err := jwthttp.New[jwt.RegisteredClaims](m.Keys(), &jwthttp.Options{Verify: m.AccessOptions(), Check: m.CheckRequest, DPoP: v})
	require.NoError(t, err)
	api := httptest.NewServer(mw(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })))
	t.Cleanup(api.Close)

	alice, mallory := newHolder(t), newHolder(t)
	_, refresh := requireDPoPPair(t, m, k, clock, alice.post(t, srv.URL+"/login", aliceForm, ""), alice.prover.JKT())
	_, revokedRefresh := requireDPoPPair(t, m, k, clock, alice.post(t, srv.URL+"/login", aliceForm, ""), alice.prover.JKT())
	require.NoError(t, m.RevokeToken(ctx, revokedRefresh))
	other, _, _ := newTestManager(t, nil) // another key: forged tokens
	forged, err := other.Issue(ctx, session.Grant{Subject: "alice"})
	require.NoError(t, err)
	expiring, err := m.Issue(ctx, session.Grant{Subject: "alice"})
	require.NoError(t, err)
	clock.Advance(session.DefaultAccessTTL + time.Second) // alice's first access token has expired too
	access, refresh := requireDPoPPair(t, m, k, clock, alice.post(t, srv.URL+"/token/refresh", url.Values{"refresh_token": {refresh}}, ""), alice.prover.JKT())

	paths := []struct {
		name   string
		client *holder
		url    string
		form   url.Values
		auth   string
	}{
		{"login, wrong password", mallory, srv.URL + "/login", url.Values{"username": {"alice"}, "password": {"guess"}}, ""},
		{"login, unknown user", mallory, srv.URL + "/login", url.Values{"username": {"nobody"}, "password": {"guess"}}, ""},
		{"login, no password", mallory, srv.URL + "/login", url.Values{"username": {"alice"}}, ""},
		{"refresh, garbage token", mallory, srv.URL + "/token/refresh", url.Values{"refresh_token": {"garbage"}}, ""},
		{"refresh, forged token", mallory, srv.URL + "/token/refresh", url.Values{"refresh_token": {forged.RefreshToken}}, ""},
		{"refresh, an access token", mallory, srv.URL + "/token/refresh", url.Values{"refresh_token": {access}}, ""},
		{"refresh, revoked token", alice, srv.URL + "/token/refresh", url.Values{"refresh_token": {revokedRefresh}}, ""},
		{"refresh, token bound to another key", mallory, srv.URL + "/token/refresh", url.Values{"refresh_token": {refresh}}, ""},
		{"logout, garbage refresh token", mallory, srv.URL + "/logout", url.Values{"refresh_token": {"garbage"}}, ""},
		{"logout, forged access token", mallory, srv.URL + "/logout", nil, "DPoP " + forged.AccessToken},
		{"logout, access token bound to another key", mallory, srv.URL + "/logout", nil, "DPoP " + access},
		{"logout everywhere, garbage access token", mallory, srv.URL + "/logout/all", nil, "DPoP garbage"},
		{"logout everywhere, access token bound to another key", mallory, srv.URL + "/logout/all", nil, "DPoP " + access},
		{"API, forged access token", mallory, api.URL + "/", nil, "DPoP " + forged.AccessToken},
		{"API, expired access token", alice, api.URL + "/", nil, "DPoP " + expiring.AccessToken},
		{"API, access token bound to another key", mallory, api.URL + "/", nil, "DPoP " + access},
	}
	for _, p := range paths {
		remembered, written := cache.calls.Load(), store.writes.Load()
		r := p.client.post(t, p.url, p.form, p.auth)
		require.Contains(t, []int{http.StatusBadRequest, http.StatusUnauthorized}, r.status, "%s: %v", p.name, r.body)
		require.Equal(t, remembered, cache.calls.Load(), "%s: the replay cache was asked to remember a proof", p.name)
		require.Equal(t, written, store.writes.Load(), "%s: the store was written", p.name)
	}

	// Authenticated requests do remember their proofs, and write.
	remembered := cache.calls.Load()
	r := alice.post(t, api.URL+"/", nil, "DPoP "+access)
	require.Equal(t, http.StatusNoContent, r.status, "%v", r.body)
	requireDPoPPair(t, m, k, clock, alice.post(t, srv.URL+"/token/refresh", url.Values{"refresh_token": {refresh}}, ""), alice.prover.JKT())
	requireDPoPPair(t, m, k, clock, alice.post(t, srv.URL+"/login", aliceForm, ""), alice.prover.JKT())
	require.Equal(t, remembered+3, cache.calls.Load(), "proofs of authenticated requests remembered")
}
