package clientauth_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/clientauth"
	"github.com/jwtkit/jwt/jwthttp"
	"github.com/jwtkit/jwt/session"
)

const (
	issuer   = "https://auth.example"
	tokenURL = "https://auth.example/token"
	api      = "https://api.example"
)

// clock is a settable clock shared by the verifier, the store and the
// manager.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *clock) Now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *clock) Add(d time.Duration) { c.ns.Add(int64(d)) }

// testClient is a client's key pair.
type testClient struct {
	id     string
	signer jwt.Signer
	keys   *jwt.KeySet
}

func newTestClient(t testing.TB, id string) testClient {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	s, err := jwt.EdDSA.NewSigner(priv)
	require.NoError(t, err)
	v, err := jwt.EdDSA.NewVerifier(pub)
	require.NoError(t, err)
	ks, err := jwt.NewKeySet(v)
	require.NoError(t, err)
	return testClient{id: id, signer: s, keys: ks}
}

// authServer is a token endpoint and an API on real servers.
type authServer struct {
	*httptest.Server
	clock    *clock
	verifier *clientauth.Verifier
	manager  *session.Manager
}

func newAuthServer(t *testing.T, clients ...testClient) *authServer {
	c := newClock()
	store := session.NewMemoryStore(&session.MemoryStoreOptions{Now: c.Now})
	var reg []clientauth.Client
	for i, tc := range clients {
		reg = append(reg, clientauth.Client{ID: tc.id, Keys: tc.keys, Scopes: []string{"read", "write"}[:1+i%2]})
	}
	v, err := clientauth.NewVerifier(&clientauth.Options{
		Audience: []string{issuer, tokenURL}, Clients: reg, ReplayCache: store, Now: c.Now,
	})
	require.NoError(t, err)
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	signer, err := jwt.EdDSA.NewSigner(priv)
	require.NoError(t, err)
	sv, err := jwt.EdDSA.NewVerifier(priv.Public())
	require.NoError(t, err)
	m, err := session.New(session.Options{
		Signer: session.FixedSigner(signer), Keys: sv, Store: store, Issuer: issuer, Audience: []string{api}, Now: c.Now,
	})
	require.NoError(t, err)
	mw, err := jwthttp.New[map[string]any](m.Keys(), &jwthttp.Options{Verify: func() jwt.VerifyOptions {
		o := m.AccessOptions()
		o.Now = c.Now
		return o
	}(), Check: m.CheckRequest})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/token", m.ClientCredentialsHandler(v.AuthenticateClient, nil))
	mux.Handle("/api/me", mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, _ := jwthttp.Claims[map[string]any](r.Context())
		json.NewEncoder(w).Encode(claims)
	})))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &authServer{Server: srv, clock: c, verifier: v, manager: m}
}

// post sends form to /token and returns the status and the JSON body.
func (s *authServer) post(t *testing.T, form url.Values) (int, map[string]any, http.Header) {
	t.Helper()
	resp, err := s.Client().PostForm(s.URL+"/token", form)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	return resp.StatusCode, body, resp.Header
}

func (s *authServer) assertion(t *testing.T, c testClient, claims map[string]any) string {
	t.Helper()
	now := s.clock.Now()
	base := map[string]any{
		"iss": c.id, "sub": c.id, "aud": tokenURL, "jti": rand.Text(),
		"iat": now.Unix(), "exp": now.Add(time.Minute).Unix(),
	}
	for k, v := range claims {
		if v == nil {
			delete(base, k)
		} else {
			base[k] = v
		}
	}
	tok, err := jwt.Sign(context.Background(), c.signer, base, nil)
	require.NoError(t, err)
	return tok
}

func form(assertion string, extra ...string) url.Values {
	f := url.Values{"grant_type": {"client_credentials"}}
	clientauth.SetForm(f, assertion)
	for i := 0; i+1 < len(extra); i += 2 {
		f.Set(extra[i], extra[i+1])
	}
	return f
}

func TestClientCredentials(t *testing.T) {
	svc := newTestClient(t, "svc-1")
	s := newAuthServer(t, svc)
	a, err := clientauth.NewAssertion(context.Background(), svc.signer, svc.id, tokenURL, &clientauth.AssertionOptions{Now: s.clock.Now})
	require.NoError(t, err)
	status, body, h := s.post(t, form(a))
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "no-store", h.Get("Cache-Control"))
	assert.Equal(t, "Bearer", body["token_type"])
	assert.Equal(t, "read", body["scope"])
	assert.EqualValues(t, 300, body["expires_in"])
	assert.NotContains(t, body, "refresh_token")

	// The access token verifies at the API, with sub = client_id.
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/me", nil)
	req.Header.Set("Authorization", "Bearer "+body["access_token"].(string))
	resp, err := s.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var claims map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&claims))
	assert.Equal(t, "svc-1", claims["sub"])
	assert.Equal(t, "svc-1", claims["client_id"])
	assert.Equal(t, api, claims["aud"])
	assert.Equal(t, "read", claims["scope"])

	// The same assertion again: replayed.
	status, body, h = s.post(t, form(a))
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, "invalid_client", body["error"])
	assert.NotEmpty(t, h.Get("WWW-Authenticate"))
}

func TestClientCredentialsRefusals(t *testing.T) {
	svc, other := newTestClient(t, "svc-1"), newTestClient(t, "svc-2")
	stranger := newTestClient(t, "svc-3")
	s := newAuthServer(t, svc, other)
	now := s.clock.Now()
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		code   string
	}{
		{"unknown client", form(s.assertion(t, stranger, nil)), 401, "invalid_client"},
		{"another client's key", form(s.assertion(t, testClient{id: other.id, signer: svc.signer}, nil)), 401, "invalid_client"},
		{"sub differs from iss", form(s.assertion(t, svc, map[string]any{"sub": other.id})), 401, "invalid_client"},
		{"another audience", form(s.assertion(t, svc, map[string]any{"aud": "https://other.example/token"})), 401, "invalid_client"},
		{"audience of the Host", form(s.assertion(t, svc, map[string]any{"aud": "http://127.0.0.1/token"})), 401, "invalid_client"},
		{"audience prefix", form(s.assertion(t, svc, map[string]any{"aud": tokenURL + "/"})), 401, "invalid_client"},
		{"two audiences", form(s.assertion(t, svc, map[string]any{"aud": []string{issuer, tokenURL}})), 401, "invalid_client"},
		{"no exp", form(s.assertion(t, svc, map[string]any{"exp": nil})), 401, "invalid_client"},
		{"no jti", form(s.assertion(t, svc, map[string]any{"jti": nil})), 401, "invalid_client"},
		{"expired", form(s.assertion(t, svc, map[string]any{"exp": now.Add(-time.Second).Unix()})), 401, "invalid_client"},
		{"lives 6 minutes", form(s.assertion(t, svc, map[string]any{"exp": now.Add(6 * time.Minute).Unix()})), 401, "invalid_client"},
		{"exp 6 minutes after iat", form(s.assertion(t, svc, map[string]any{"iat": now.Add(-2 * time.Minute).Unix(), "exp": now.Add(4 * time.Minute).Unix()})), 401, "invalid_client"},
		{"iat in the future", form(s.assertion(t, svc, map[string]any{"iat": now.Add(time.Minute).Unix()})), 401, "invalid_client"},
		{"client_id of another", form(s.assertion(t, svc, nil), "client_id", other.id), 401, "invalid_client"},
		{"scope the client lacks", form(s.assertion(t, svc, nil), "scope", "write"), 400, "invalid_scope"},
		{"malformed scope", form(s.assertion(t, svc, nil), "scope", "read  write"), 400, "invalid_scope"},
		{"another grant", form(s.assertion(t, svc, nil), "grant_type", "password"), 400, "unsupported_grant_type"},
		{"no grant_type", func() url.Values { f := form(s.assertion(t, svc, nil)); f.Del("grant_type"); return f }(), 400, "invalid_request"},
		{"no assertion", url.Values{"grant_type": {"client_credentials"}}, 400, "invalid_request"},
		{"another assertion type", form(s.assertion(t, svc, nil), "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer"), 401, "invalid_client"},
		{"not a JWT", form("not-a-jwt"), 401, "invalid_client"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := s.post(t, tc.form)
			assert.Equal(t, tc.status, status, body)
			assert.Equal(t, tc.code, body["error"])
			assert.NotContains(t, body, "access_token")
		})
	}
	t.Run("typ of another kind of JWT", func(t *testing.T) {
		for _, typ := range []string{"at+jwt", "refresh+jwt", "dpop+jwt", "logout+jwt"} {
			tok, err := jwt.Sign(context.Background(), svc.signer, map[string]any{
				"iss": svc.id, "sub": svc.id, "aud": tokenURL, "jti": rand.Text(), "exp": now.Add(time.Minute).Unix(),
			}, &jwt.SignOptions{Type: typ})
			require.NoError(t, err)
			status, body, _ := s.post(t, form(tok))
			assert.Equal(t, http.StatusUnauthorized, status, typ)
			assert.Equal(t, "invalid_client", body["error"], typ)
		}
	})
	t.Run("accepted: issuer as a one-element array, scopes asked", func(t *testing.T) {
		status, body, _ := s.post(t, form(s.assertion(t, other, map[string]any{"aud": []string{issuer}}), "scope", "write read", "client_id", other.id))
		require.Equal(t, http.StatusOK, status, body)
		assert.Equal(t, "write read", body["scope"])
	})
	t.Run("replayed within its lifetime, refused after a refusal of another kind", func(t *testing.T) {
		a := s.assertion(t, svc, nil)
		status, _, _ := s.post(t, form(a, "scope", "write")) // refused for its scope: the jti is spent
		assert.Equal(t, http.StatusBadRequest, status)
		status, body, _ := s.post(t, form(a))
		assert.Equal(t, http.StatusUnauthorized, status)
		assert.Equal(t, "invalid_client", body["error"])
	})
}

func TestVerifierErrors(t *testing.T) {
	svc := newTestClient(t, "svc-1")
	s := newAuthServer(t, svc)
	ctx := context.Background()
	_, err := s.verifier.Verify(ctx, s.assertion(t, newTestClient(t, "x"), nil))
	assert.ErrorIs(t, err, clientauth.ErrUnknownClient)
	_, err = s.verifier.Verify(ctx, s.assertion(t, svc, map[string]any{"aud": "https://other.example"}))
	assert.ErrorIs(t, err, clientauth.ErrInvalidAssertion)
	assert.ErrorIs(t, err, jwt.ErrAudienceMismatch)
	a := s.assertion(t, svc, nil)
	got, err := s.verifier.Verify(ctx, a)
	require.NoError(t, err)
	assert.Equal(t, "svc-1", got.Client.ID)
	_, err = s.verifier.Verify(ctx, a)
	assert.ErrorIs(t, err, clientauth.ErrReplayed)

	for name, o := range map[string]clientauth.Options{
		"no audience":         {ReplayCache: session.NewMemoryStore(nil)},
		"no replay cache":     {Audience: []string{issuer}},
		"long lifetime":       {Audience: []string{issuer}, ReplayCache: session.NewMemoryStore(nil), MaxLifetime: time.Hour},
		"client without keys": {Audience: []string{issuer}, ReplayCache: session.NewMemoryStore(nil), Clients: []clientauth.Client{{ID: "a"}}},
		"client twice": {Audience: []string{issuer}, ReplayCache: session.NewMemoryStore(nil),
			Clients: []clientauth.Client{{ID: "a", Keys: svc.keys}, {ID: "a", Keys: svc.keys}}},
	} {
		_, err := clientauth.NewVerifier(&o)
		assert.ErrorIs(t, err, jwt.ErrInvalidOption, name)
	}
}

func TestTransport(t *testing.T) {
	svc := newTestClient(t, "svc-1")
	s := newAuthServer(t, svc)
	// The server knows itself as tokenURL; the test server listens
	// elsewhere, so the client states the audience.
	tr := &clientauth.Transport{TokenURL: s.URL + "/token", ClientID: svc.id, Signer: svc.signer, Audience: issuer,
		Options: &clientauth.AssertionOptions{Now: s.clock.Now}, Base: s.Client().Transport}
	client := &http.Client{Transport: tr}
	for range 2 { // a fresh assertion each time
		resp, err := client.PostForm(s.URL+"/token", url.Values{"grant_type": {"client_credentials"}})
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	}
	// Requests elsewhere carry no assertion.
	seen := make(chan string, 1)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		seen <- string(b)
	}))
	defer other.Close()
	resp, err := client.PostForm(other.URL+"/token", url.Values{"grant_type": {"client_credentials"}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "grant_type=client_credentials", <-seen)
	// A request already carrying a secret is refused before it is sent.
	_, err = client.PostForm(s.URL+"/token", url.Values{"grant_type": {"client_credentials"}, "client_secret": {"x"}})
	assert.Error(t, err)
	_, err = client.Post(s.URL+"/token", "application/json", strings.NewReader(`{}`))
	assert.Error(t, err)
}
