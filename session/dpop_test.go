package session_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
	"github.com/jwtkit/jwt/session"
	"github.com/stretchr/testify/require"
)

func newProver(t *testing.T) *dpop.Prover {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	p, err := dpop.NewProver(jwt.ES256, key)
	require.NoError(t, err)
	return p
}

// sender is an http.RoundTripper that counts the requests it sends and
// remembers their DPoP proofs.
type sender struct {
	mu     sync.Mutex
	proofs []string
}

func (s *sender) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.proofs = append(s.proofs, req.Header.Get("DPoP"))
	s.mu.Unlock()
	return testClient.Transport.RoundTrip(req)
}

func (s *sender) sent() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.proofs...)
}

// holder is a client holding a DPoP key: its Transport adds a proof by the
// key to every request.
type holder struct {
	prover *dpop.Prover
	sender *sender
	client *http.Client
}

func newHolder(t *testing.T) *holder {
	h := &holder{prover: newProver(t), sender: &sender{}}
	h.client = &http.Client{Transport: &dpop.Transport{Prover: h.prover, Base: h.sender}, Timeout: 10 * time.Second}
	return h
}

// post sends a form to u with the holder's client, with the header
// "Authorization: auth" if auth is not empty.
func (h *holder) post(t *testing.T, u string, form url.Values, auth string) response {
	t.Helper()
	req, err := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := h.client.Do(req)
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

var aliceForm = url.Values{"username": {"alice"}, "password": {"secret"}}

// requireDPoPPair asserts a token response of type DPoP whose tokens are
// bound to jkt.
func requireDPoPPair(t *testing.T, m *session.Manager, k keys, clock *fakeClock, r response, jkt string) (access, refresh string) {
	t.Helper()
	require.Equal(t, http.StatusOK, r.status, "body %v", r.body)
	require.Equal(t, "DPoP", r.body["token_type"])
	require.Equal(t, "no-store", r.header.Get("Cache-Control"))
	access, _ = r.body["access_token"].(string)
	refresh, _ = r.body["refresh_token"].(string)
	tok, err := m.VerifyAccess(context.Background(), access)
	require.NoError(t, err)
	require.NotNil(t, tok.Claims.Confirmation, "the access token has no cnf")
	require.Equal(t, jkt, tok.Claims.Confirmation.JKT)
	rt, err := jwt.Verify[session.Claims](context.Background(), refresh, k.verifier, &jwt.VerifyOptions{
		Type: session.RefreshType, Audience: []string{"https://auth.example"}, Now: clock.Now,
	})
	require.NoError(t, err)
	require.NotNil(t, rt.Claims.Confirmation, "the refresh token has no cnf")
	require.Equal(t, jkt, rt.Claims.Confirmation.JKT)
	return access, refresh
}

func dpopServer(t *testing.T, dopts *dpop.Options) (*session.Manager, *fakeClock, keys, *httptest.Server) {
	t.Helper()
	m, clock, k := newTestManager(t, nil)
	v, err := dpop.NewVerifier(dopts)
	require.NoError(t, err)
	return m, clock, k, testServer(t, m, &session.HandlerOptions{DPoP: v})
}

func TestDPoPLoginAndRefresh(t *testing.T) {
	m, clock, k, srv := dpopServer(t, nil)
	alice := newHolder(t)
	_, refresh := requireDPoPPair(t, m, k, clock, alice.post(t, srv.URL+"/login", aliceForm, ""), alice.prover.JKT())

	// Without a proof, or with a proof by another key: invalid_grant, and
	// nothing changes.
	requireError(t, postForm(t, srv.URL+"/token/refresh", url.Values{"refresh_token": {refresh}}), 400, "invalid_grant")
	thief := newHolder(t)
	requireError(t, thief.post(t, srv.URL+"/token/refresh", url.Values{"refresh_token": {refresh}}, ""), 400, "invalid_grant")

	// With a proof by the key: a new pair, bound to the same key.
	_, refresh2 := requireDPoPPair(t, m, k, clock, alice.post(t, srv.URL+"/token/refresh", url.Values{"refresh_token": {refresh}}, ""), alice.prover.JKT())

	// The rotated token, replayed without the key, is not reuse: it cannot
	// revoke the session.
	requireError(t, thief.post(t, srv.URL+"/token/refresh", url.Values{"refresh_token": {refresh}}, ""), 400, "invalid_grant")
	requireError(t, postForm(t, srv.URL+"/token/refresh", url.Values{"refresh_token": {refresh}}), 400, "invalid_grant")
	_, refresh3 := requireDPoPPair(t, m, k, clock, alice.post(t, srv.URL+"/token/refresh", url.Values{"refresh_token": {refresh2}}, ""), alice.prover.JKT())

	// The rotated token with the key is reuse: the session is revoked.
	requireError(t, alice.post(t, srv.URL+"/token/refresh", url.Values{"refresh_token": {refresh2}}, ""), 400, "invalid_grant")
	requireError(t, alice.post(t, srv.URL+"/token/refresh", url.Values{"refresh_token": {refresh3}}, ""), 400, "invalid_grant")

	// A login without a proof stays Bearer, and so do its refreshes, with a
	// proof or without.
	_, plain := login(t, srv)
	_, plain = requirePair(t, alice.post(t, srv.URL+"/token/refresh", url.Values{"refresh_token": {plain}}, ""))
	requirePair(t, postForm(t, srv.URL+"/token/refresh", url.Values{"refresh_token": {plain}}))

	// Without HandlerOptions.DPoP, the DPoP header is ignored: a Bearer
	// session, and bound sessions cannot be refreshed.
	plainSrv := testServer(t, m, nil)
	requirePair(t, alice.post(t, plainSrv.URL+"/login", aliceForm, ""))
	_, bound := requireDPoPPair(t, m, k, clock, alice.post(t, srv.URL+"/login", aliceForm, ""), alice.prover.JKT())
	requireError(t, alice.post(t, plainSrv.URL+"/token/refresh", url.Values{"refresh_token": {bound}}, ""), 400, "invalid_grant")
}

func TestDPoPTokenEndpointProofs(t *testing.T) {
	_, _, _, srv := dpopServer(t, nil)
	alice := newHolder(t)
	u := srv.URL + "/login"
	body := aliceForm.Encode()
	proofFor := func(method, uri string) http.Header {
		p, err := alice.prover.NewProof(context.Background(), method, uri, nil)
		require.NoError(t, err)
		return http.Header{"Dpop": {p}}
	}
	bad := func(t *testing.T, r response, desc string) {
		t.Helper()
		requireError(t, r, 400, "invalid_dpop_proof")
		require.Equal(t, desc, r.body["error_description"])
		require.Empty(t, r.header.Values("WWW-Authenticate"))
	}
	const ct = "application/x-www-form-urlencoded"
	bad(t, do(t, "POST", u, ct, body, proofFor("GET", u)), "DPoP proof htm does not match the request")
	bad(t, do(t, "POST", u, ct, body, proofFor("POST", srv.URL+"/token/refresh")), "DPoP proof htu does not match the request")
	bad(t, do(t, "POST", u, ct, body, http.Header{"Dpop": {"not.a.proof"}}), "invalid DPoP proof")
	bad(t, do(t, "POST", u, ct, body, http.Header{"Dpop": {""}}), "DPoP proof required")
	replayed := proofFor("POST", u)
	r := do(t, "POST", u, ct, body, replayed)
	require.Equal(t, http.StatusOK, r.status, "body %v", r.body)
	require.Equal(t, "DPoP", r.body["token_type"])
	bad(t, do(t, "POST", u, ct, body, replayed), "DPoP proof replayed")
	// The proof is checked before the credentials: a bad proof with a
	// wrong password is a bad proof.
	bad(t, do(t, "POST", u, ct, url.Values{"username": {"alice"}, "password": {"nope"}}.Encode(), proofFor("GET", u)),
		"DPoP proof htm does not match the request")
}

func TestDPoPTokenEndpointNonce(t *testing.T) {
	nonces, err := dpop.NewHMACNonces([]byte("session DPoP nonce secret, 32+ bytes"), nil)
	require.NoError(t, err)
	m, clock, k, srv := dpopServer(t, &dpop.Options{Nonces: nonces})
	alice := newHolder(t)

	p, err := alice.prover.NewProof(context.Background(), "POST", srv.URL+"/login", nil)
	require.NoError(t, err)
	r := do(t, "POST", srv.URL+"/login", "application/x-www-form-urlencoded", aliceForm.Encode(), http.Header{"Dpop": {p}})
	requireError(t, r, 400, "use_dpop_nonce")
	require.Len(t, r.header.Values("DPoP-Nonce"), 1)
	require.NoError(t, nonces.CheckNonce(context.Background(), r.header.Get("DPoP-Nonce")))

	// The Transport retries with the nonce; the retry succeeds.
	_, refresh := requireDPoPPair(t, m, k, clock, alice.post(t, srv.URL+"/login", aliceForm, ""), alice.prover.JKT())
	require.Len(t, alice.sender.sent(), 2, "a use_dpop_nonce answer, then the retry")
	requireDPoPPair(t, m, k, clock, alice.post(t, srv.URL+"/token/refresh", url.Values{"refresh_token": {refresh}}, ""), alice.prover.JKT())
	require.Len(t, alice.sender.sent(), 3, "the nonce kept for the next request")
}

func TestDPoPLogout(t *testing.T) {
	m, clock, k, srv := dpopServer(t, nil)
	alice := newHolder(t)
	access, refresh := requireDPoPPair(t, m, k, clock, alice.post(t, srv.URL+"/login", aliceForm, ""), alice.prover.JKT())
	var names []string
	for _, a := range dpop.DefaultAlgorithms() {
		names = append(names, a.Name())
	}
	algs := `DPoP algs="` + strings.Join(names, " ") + `"`

	// The bound access token as a bearer token: refused, both challenges.
	for _, path := range []string{"/logout", "/logout/all"} {
		r := do(t, "POST", srv.URL+path, "", "", bearer(access))
		requireError(t, r, 401, "invalid_token")
		require.Equal(t, []string{`Bearer error="invalid_token"`, algs}, r.header.Values("WWW-Authenticate"))
	}
	// With the DPoP scheme and a proof by another key: refused.
	thief := newHolder(t)
	r := thief.post(t, srv.URL+"/logout", nil, "DPoP "+access)
	requireError(t, r, 401, "invalid_token")
	require.Equal(t, []string{"Bearer", `DPoP error="invalid_token", error_description="Invalid DPoP key binding", ` + algs[len("DPoP "):]}, r.header.Values("WWW-Authenticate"))
	_, err := m.VerifyAccess(context.Background(), access)
	require.NoError(t, err, "nothing was revoked")

	// With a proof by the key: logged out.
	r = alice.post(t, srv.URL+"/logout", nil, "DPoP "+access)
	require.Equal(t, http.StatusNoContent, r.status, "body %v", r.body)
	_, err = m.VerifyAccess(context.Background(), access)
	require.ErrorIs(t, err, session.ErrRevoked)
	requireError(t, alice.post(t, srv.URL+"/token/refresh", url.Values{"refresh_token": {refresh}}, ""), 400, "invalid_grant")

	// Logout everywhere, with a proof.
	access, _ = requireDPoPPair(t, m, k, clock, alice.post(t, srv.URL+"/login", aliceForm, ""), alice.prover.JKT())
	clock.Advance(time.Second)
	r = alice.post(t, srv.URL+"/logout/all", nil, "DPoP "+access)
	require.Equal(t, http.StatusNoContent, r.status, "body %v", r.body)
	_, err = m.VerifyAccess(context.Background(), access)
	require.ErrorIs(t, err, session.ErrRevoked)

	// A bound refresh token in the body ends its session only with a
	// proof by its key (issue 21 item 4: a copier could end it).
	access, refresh = requireDPoPPair(t, m, k, clock, alice.post(t, srv.URL+"/login", aliceForm, ""), alice.prover.JKT())
	requireError(t, postForm(t, srv.URL+"/logout", url.Values{"refresh_token": {refresh}}), 400, "invalid_grant")
	requireError(t, thief.post(t, srv.URL+"/logout", url.Values{"refresh_token": {refresh}}, ""), 400, "invalid_grant")
	_, err = m.VerifyAccess(context.Background(), access)
	require.NoError(t, err, "a logout without the key ended the session")
	r = alice.post(t, srv.URL+"/logout", url.Values{"refresh_token": {refresh}}, "")
	require.Equal(t, http.StatusNoContent, r.status, "body %v", r.body)
	requireError(t, alice.post(t, srv.URL+"/token/refresh", url.Values{"refresh_token": {refresh}}, ""), 400, "invalid_grant")

	// Without HandlerOptions.DPoP, the bound token is refused as a bearer
	// token, and the DPoP scheme is not understood.
	plain := testServer(t, m, nil)
	access, _ = requireDPoPPair(t, m, k, clock, alice.post(t, srv.URL+"/login", aliceForm, ""), alice.prover.JKT())
	r = do(t, "POST", plain.URL+"/logout/all", "", "", bearer(access))
	requireError(t, r, 401, "invalid_token")
	require.Equal(t, []string{`Bearer error="invalid_token"`}, r.header.Values("WWW-Authenticate"))
	requireError(t, alice.post(t, plain.URL+"/logout/all", nil, "DPoP "+access), 400, "invalid_request")
	_, err = m.VerifyAccess(context.Background(), access)
	require.NoError(t, err)
}

func TestDPoPManager(t *testing.T) {
	ctx := context.Background()
	jkt := newProver(t).JKT()
	other := newProver(t).JKT()

	t.Run("binding checked before the store", func(t *testing.T) {
		m, clock, k := newTestManager(t, nil)
		p, err := m.Issue(ctx, session.Grant{Subject: "alice", JKT: jkt})
		require.NoError(t, err)
		_, err = m.Refresh(ctx, p.RefreshToken)
		require.ErrorIs(t, err, session.ErrKeyBinding)
		_, err = m.RefreshDPoP(ctx, p.RefreshToken, other)
		require.ErrorIs(t, err, session.ErrKeyBinding)
		p2, err := m.RefreshDPoP(ctx, p.RefreshToken, jkt)
		require.NoError(t, err)
		require.Equal(t, jkt, p2.Grant.JKT)
		_, err = m.RefreshDPoP(ctx, p.RefreshToken, other)
		require.ErrorIs(t, err, session.ErrKeyBinding, "not reuse: the session goes on")
		_, err = m.RefreshDPoP(ctx, p2.RefreshToken, jkt)
		require.NoError(t, err)

		// The store is not asked: one that cannot answer makes no
		// difference to a refresh without the key.
		broken, err := session.New(session.Options{Signer: session.FixedSigner(k.signer), Keys: k.verifier, Store: brokenStore{session.ErrStoreUnavailable},
			Issuer: "https://auth.example", Audience: []string{"api"}, Now: clock.Now})
		require.NoError(t, err)
		_, err = broken.RefreshDPoP(ctx, p.RefreshToken, other)
		require.ErrorIs(t, err, session.ErrKeyBinding)
		_, err = broken.RefreshDPoP(ctx, p.RefreshToken, jkt)
		require.ErrorIs(t, err, session.ErrStoreUnavailable)
	})
	t.Run("unbound sessions stay unbound", func(t *testing.T) {
		m, _, _ := newTestManager(t, nil)
		p, err := m.Issue(ctx, session.Grant{Subject: "alice"})
		require.NoError(t, err)
		p, err = m.RefreshDPoP(ctx, p.RefreshToken, jkt)
		require.NoError(t, err)
		require.Empty(t, p.Grant.JKT)
		tok, err := m.VerifyAccess(ctx, p.AccessToken)
		require.NoError(t, err)
		require.Nil(t, tok.Claims.Confirmation)
	})
	t.Run("Recheck cannot change the binding", func(t *testing.T) {
		m, _, _ := newTestManager(t, func(o *session.Options) {
			o.Recheck = func(_ context.Context, g session.Grant) (session.Grant, error) {
				g.JKT = other
				return g, nil
			}
		})
		p, err := m.Issue(ctx, session.Grant{Subject: "alice", JKT: jkt})
		require.NoError(t, err)
		_, err = m.RefreshDPoP(ctx, p.RefreshToken, jkt)
		require.ErrorIs(t, err, jwt.ErrInvalidOption)
	})
	t.Run("grants refused", func(t *testing.T) {
		m, _, _ := newTestManager(t, nil)
		for _, g := range []session.Grant{
			{Subject: "alice", JKT: "not a thumbprint"},
			{Subject: "alice", JKT: jkt + "A"},
			{Subject: "alice", JKT: jkt[:42]},
			{Subject: "alice", Extra: map[string]any{"cnf": map[string]any{"jkt": jkt}}},
		} {
			_, err := m.Issue(ctx, g)
			require.ErrorIs(t, err, jwt.ErrInvalidClaims, "%+v", g)
		}
	})
}
