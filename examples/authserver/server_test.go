package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testConfig returns a configuration with a users file of alice (scope
// admin) and bob, passwords "<name>-pw".
func testConfig(t *testing.T) *config {
	t.Helper()
	users := filepath.Join(t.TempDir(), "users")
	file := "alice:" + testHash(t, "alice-pw") + ":read admin\nbob:" + testHash(t, "bob-pw") + "\n"
	require.NoError(t, os.WriteFile(users, []byte(file), 0o600))
	return &config{
		addr: "127.0.0.1:0", usersFile: users, store: "memory",
		accessTTL: 5 * time.Minute, refreshTTL: 24 * time.Hour,
		issuer: "https://auth.test", audience: "api", realm: "authserver",
	}
}

// startService serves cfg on a test server.
func startService(t *testing.T, cfg *config) *httptest.Server {
	t.Helper()
	svc, err := newService(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	// The users' hashes cost 4; their padding up to cost 10 is counted,
	// not run (see countWork), to keep the tests fast.
	countWork(t, svc.users, new(atomic.Int64))
	srv := httptest.NewServer(svc.Handler())
	t.Cleanup(func() {
		srv.Close()
		svc.Close()
	})
	return srv
}

// client sends requests to one server.
type client struct {
	t    *testing.T
	base string
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r *response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), string(r.body))
	return m
}

func (c *client) do(method, path, contentType, body string, header ...string) *response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	require.NoError(c.t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	return &response{status: resp.StatusCode, header: resp.Header, body: b}
}

func (c *client) form(path string, v url.Values, header ...string) *response {
	c.t.Helper()
	return c.do("POST", path, "application/x-www-form-urlencoded", v.Encode(), header...)
}

func (c *client) bearer(method, path, token string) *response {
	c.t.Helper()
	return c.do(method, path, "", "", "Authorization", "Bearer "+token)
}

type pair struct{ access, refresh string }

func (c *client) login(user string) pair {
	c.t.Helper()
	r := c.form("/login", url.Values{"username": {user}, "password": {user + "-pw"}})
	require.Equal(c.t, 200, r.status, string(r.body))
	m := r.json(c.t)
	return pair{m["access_token"].(string), m["refresh_token"].(string)}
}

func (c *client) refresh(rt string) *response {
	c.t.Helper()
	return c.form("/token/refresh", url.Values{"refresh_token": {rt}})
}

func assertError(t *testing.T, r *response, status int, code string) {
	t.Helper()
	assert.Equal(t, status, r.status, string(r.body))
	var body struct{ Error string }
	require.NoError(t, json.Unmarshal(r.body, &body), string(r.body))
	assert.Equal(t, code, body.Error)
}

// assertChallenge checks a 401 or 403 with its Bearer challenge; code ""
// means a challenge without an error.
func assertChallenge(t *testing.T, r *response, status int, code string) {
	t.Helper()
	assert.Equal(t, status, r.status, string(r.body))
	ch := r.header.Get("WWW-Authenticate")
	assert.True(t, strings.HasPrefix(ch, `Bearer realm="authserver"`), ch)
	if code == "" {
		assert.NotContains(t, ch, "error=")
	} else {
		assert.Contains(t, ch, `error="`+code+`"`)
	}
}

// TestContract runs the HTTP interface against one instance with the
// memory store; the e2e test runs it through nginx against two instances
// sharing Redis.
func TestContract(t *testing.T) {
	srv := startService(t, testConfig(t))
	c := &client{t: t, base: srv.URL}

	// Login, as a form and as JSON.
	r := c.form("/login", url.Values{"username": {"alice"}, "password": {"alice-pw"}})
	require.Equal(t, 200, r.status)
	assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
	m := r.json(t)
	assert.Equal(t, "Bearer", m["token_type"])
	assert.EqualValues(t, 300, m["expires_in"])
	assert.EqualValues(t, 86400, m["refresh_expires_in"])
	alice := pair{m["access_token"].(string), m["refresh_token"].(string)}
	r = c.do("POST", "/login", "application/json", `{"username":"bob","password":"bob-pw"}`)
	require.Equal(t, 200, r.status)
	bob := pair{r.json(t)["access_token"].(string), r.json(t)["refresh_token"].(string)}
	assertError(t, c.form("/login", url.Values{"username": {"alice"}, "password": {"bob-pw"}}), 401, "invalid_grant")
	assertError(t, c.form("/login", url.Values{"username": {"carol"}, "password": {"carol-pw"}}), 401, "invalid_grant")

	// The API.
	r = c.bearer("GET", "/api/me", alice.access)
	require.Equal(t, 200, r.status)
	m = r.json(t)
	assert.Equal(t, "alice", m["sub"])
	assert.Equal(t, "https://auth.test", m["iss"])
	for _, name := range []string{"exp", "iat", "jti"} {
		assert.NotEmpty(t, m[name], name)
	}
	assertChallenge(t, c.do("GET", "/api/me", "", ""), 401, "")
	assertChallenge(t, c.bearer("GET", "/api/me", alice.access+"x"), 401, "invalid_token")
	assertChallenge(t, c.bearer("GET", "/api/me", alice.refresh), 401, "invalid_token")
	assertChallenge(t, c.bearer("GET", "/api/admin", bob.access), 403, "insufficient_scope")
	assert.Equal(t, 200, c.bearer("GET", "/api/admin", alice.access).status)

	// The auth_request endpoint says the error code in X-Auth-Error too.
	r = c.bearer("GET", "/auth/verify", alice.access)
	assert.Equal(t, 200, r.status)
	assert.Empty(t, r.header.Get("X-Auth-Error"))
	r = c.bearer("GET", "/auth/verify", "not-a-token")
	assertChallenge(t, r, 401, "invalid_token")
	assert.Equal(t, "invalid_token", r.header.Get("X-Auth-Error"))
	r = c.do("GET", "/auth/verify", "", "")
	assertChallenge(t, r, 401, "")
	assert.Empty(t, r.header.Get("X-Auth-Error"))

	// Refresh: rotation, then reuse of the rotated token revokes the family.
	r = c.refresh(alice.refresh)
	require.Equal(t, 200, r.status)
	alice2 := pair{r.json(t)["access_token"].(string), r.json(t)["refresh_token"].(string)}
	assert.NotEqual(t, alice.refresh, alice2.refresh)
	assert.Equal(t, 200, c.bearer("GET", "/api/me", alice2.access).status)
	assertError(t, c.refresh(alice.refresh), 401, "invalid_grant")
	assertError(t, c.refresh(alice2.refresh), 401, "invalid_grant")
	assertChallenge(t, c.bearer("GET", "/api/me", alice2.access), 401, "invalid_token")
	assertChallenge(t, c.bearer("GET", "/api/me", alice.access), 401, "invalid_token")
	assert.Equal(t, 200, c.bearer("GET", "/api/me", bob.access).status, "another family is not touched")

	// The refresh token only in the body.
	p := c.login("alice")
	assertError(t, c.do("POST", "/token/refresh", "", "", "Authorization", "Bearer "+p.refresh), 400, "invalid_request")
	assertError(t, c.form("/token/refresh?refresh_token="+p.refresh, nil), 400, "invalid_request")
	assertError(t, c.refresh(p.access), 401, "invalid_grant")

	// Logout revokes the family.
	r = c.form("/logout", url.Values{"refresh_token": {p.refresh}}, "Authorization", "Bearer "+p.access)
	assert.Equal(t, 204, r.status)
	assertChallenge(t, c.bearer("GET", "/api/me", p.access), 401, "invalid_token")
	assertError(t, c.refresh(p.refresh), 401, "invalid_grant")

	// Logout everywhere revokes every session of the user begun before.
	p1, p2 := c.login("bob"), c.login("bob")
	time.Sleep(2 * time.Millisecond) // sessions are compared to the millisecond
	assert.Equal(t, 204, c.bearer("POST", "/logout/all", p1.access).status)
	for _, p := range []pair{bob, p1, p2} {
		assertChallenge(t, c.bearer("GET", "/api/me", p.access), 401, "invalid_token")
		assertError(t, c.refresh(p.refresh), 401, "invalid_grant")
	}
	time.Sleep(2 * time.Millisecond) // sessions are compared to the millisecond
	assert.Equal(t, 200, c.bearer("GET", "/api/me", c.login("bob").access).status, "a new login works")

	// The key set.
	r = c.do("GET", "/.well-known/jwks.json", "", "")
	require.Equal(t, 200, r.status)
	assert.Regexp(t, `max-age=\d+`, r.header.Get("Cache-Control"))
	etag := r.header.Get("ETag")
	require.NotEmpty(t, etag)
	assert.Equal(t, 304, c.do("GET", "/.well-known/jwks.json", "", "", "If-None-Match", etag).status)

	r = c.do("GET", "/healthz", "", "")
	assert.Equal(t, 200, r.status)
	assert.Equal(t, "ok", r.json(t)["status"])
}

// TestStoreDown checks that a store that does not answer makes /healthz
// 503 and the API fail closed, with 503 rather than a verdict on the token.
func TestStoreDown(t *testing.T) {
	cfg := testConfig(t)
	cfg.store = "redis://127.0.0.1:1" // nothing listens there
	srv := startService(t, cfg)
	c := &client{t: t, base: srv.URL}
	r := c.do("GET", "/healthz", "", "")
	assert.Equal(t, 503, r.status)
	assert.Equal(t, "unavailable", r.json(t)["status"])
	assertError(t, c.form("/login", url.Values{"username": {"alice"}, "password": {"alice-pw"}}), 503, "temporarily_unavailable")

	// A token of the same key and issuer, from an instance with a store.
	key := writeKey(t, t.TempDir(), jwt.ES256, "k", false)
	cfg.keyFile, cfg.store = key, "memory"
	good := &client{t: t, base: startService(t, cfg).URL}
	cfg.store = "redis://127.0.0.1:1"
	down := &client{t: t, base: startService(t, cfg).URL}
	access := good.login("alice").access
	require.Equal(t, 200, good.bearer("GET", "/api/me", access).status)
	r = down.bearer("GET", "/api/me", access)
	assert.Equal(t, 503, r.status)
	assert.Empty(t, r.header.Get("WWW-Authenticate"))
	assert.Equal(t, 503, down.bearer("GET", "/auth/verify", access).status, "which nginx's auth_request turns into 500")
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestRun starts the command on a free port, uses it, and stops it as a
// signal would.
func TestRun(t *testing.T) {
	cfg := testConfig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"--addr", "127.0.0.1:0", "--users", cfg.usersFile, "--access-ttl", "1m"}, nil, io.Discard, &stderr)
	}()
	addr := regexp.MustCompile(`msg=listening addr=(\S+)`)
	var m []string
	require.Eventually(t, func() bool { m = addr.FindStringSubmatch(stderr.String()); return m != nil }, 10*time.Second, 10*time.Millisecond)
	c := &client{t: t, base: "http://" + m[1]}
	p := c.login("alice")
	r := c.bearer("GET", "/api/me", p.access+"x")
	assert.Equal(t, 401, r.status)
	r = c.bearer("GET", "/api/me", p.access)
	require.Equal(t, 200, r.status)
	assert.Equal(t, r.json(t)["iat"].(float64)+60, r.json(t)["exp"], "--access-ttl")
	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code)
	case <-time.After(15 * time.Second):
		t.Fatal("no graceful shutdown")
	}
	log := stderr.String()
	assert.Contains(t, log, "msg=stopped")
	assert.Contains(t, log, "path=/api/me status=200")
	assert.NotContains(t, log, p.access)
	assert.NotContains(t, log, p.refresh)
	assert.NotContains(t, log, "alice-pw")
}

func TestFlags(t *testing.T) {
	cfg := testConfig(t)
	for name, tc := range map[string]struct {
		args []string
		code int
	}{
		"no addr":           {[]string{"--users", cfg.usersFile}, 2},
		"no users":          {[]string{"--addr", "127.0.0.1:0"}, 2},
		"fractional ttl":    {[]string{"--addr", "127.0.0.1:0", "--users", cfg.usersFile, "--access-ttl", "1.5s"}, 2},
		"argument":          {[]string{"--addr", "127.0.0.1:0", "--users", cfg.usersFile, "extra"}, 2},
		"bad store":         {[]string{"--addr", "127.0.0.1:0", "--users", cfg.usersFile, "--store", "etcd://x"}, 1},
		"missing users":     {[]string{"--addr", "127.0.0.1:0", "--users", cfg.usersFile + ".none"}, 1},
		"external query":    {[]string{"--addr", "127.0.0.1:0", "--users", cfg.usersFile, "--external-url", "https://a.example/?x"}, 2},
		"external relative": {[]string{"--addr", "127.0.0.1:0", "--users", cfg.usersFile, "--external-url", "/api"}, 2},
		"bad proxy":         {[]string{"--addr", "127.0.0.1:0", "--users", cfg.usersFile, "--trusted-proxy", "nginx"}, 2},
		"help":              {[]string{"--help"}, 0},
	} {
		var stderr bytes.Buffer
		code := run(context.Background(), tc.args, nil, io.Discard, &stderr)
		assert.Equal(t, tc.code, code, "%s: %s", name, stderr.String())
	}
	c, err := parseFlags([]string{"--addr", "127.0.0.1:0", "--users", cfg.usersFile,
		"--trusted-proxy", "127.0.0.1", "--trusted-proxy", "10.1.2.3/8", "--trusted-proxy", "::ffff:192.0.2.1"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("192.0.2.1/32")}, c.trustedProxies)
}

// newProver returns a DPoP prover with a new ES256 key.
func newProver(t *testing.T) *dpop.Prover {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	p, err := dpop.NewProver(jwt.ES256, key)
	require.NoError(t, err)
	return p
}

// newProof returns a proof by p for method and uri, with the hash of the
// access token if it is not "".
func newProof(t *testing.T, p *dpop.Prover, method, uri, token string) string {
	t.Helper()
	proof, err := p.NewProof(context.Background(), method, uri, &dpop.ProofOptions{AccessToken: token})
	require.NoError(t, err)
	return proof
}

// withDPoP sends a request with "Authorization: DPoP token" and the proof,
// leaving out either that is "".
func (c *client) withDPoP(method, path, token, proof string, header ...string) *response {
	c.t.Helper()
	if token != "" {
		header = append(header, "Authorization", "DPoP "+token)
	}
	if proof != "" {
		header = append(header, "DPoP", proof)
	}
	return c.do(method, path, "", "", header...)
}

// cnf returns the "cnf"."jkt" of a token, unverified.
func cnf(t *testing.T, token string) string {
	t.Helper()
	u, err := jwt.ParseUnverified(token, 0)
	require.NoError(t, err)
	var c struct {
		Confirmation *dpop.Confirmation `json:"cnf"`
	}
	require.NoError(t, json.Unmarshal(u.Payload, &c))
	if c.Confirmation == nil {
		return ""
	}
	return c.Confirmation.JKT
}

// challenges returns the Bearer and the DPoP challenge of r, and fails
// unless r has exactly one of each and nothing else.
func challenges(t *testing.T, r *response) (bearer, dp string) {
	t.Helper()
	for _, ch := range r.header.Values("WWW-Authenticate") {
		switch {
		case strings.HasPrefix(ch, "Bearer ") && bearer == "":
			bearer = ch
		case strings.HasPrefix(ch, "DPoP ") && dp == "":
			dp = ch
		default:
			t.Errorf("unexpected challenge %q", ch)
		}
	}
	assert.NotEmpty(t, bearer, "a Bearer challenge")
	assert.NotEmpty(t, dp, "a DPoP challenge")
	return bearer, dp
}

// assertDPoPRefused checks a 401 whose DPoP challenge holds the error code
// and whose Bearer challenge holds none.
func assertDPoPRefused(t *testing.T, r *response, code string) {
	t.Helper()
	assert.Equal(t, 401, r.status, string(r.body))
	bearer, dp := challenges(t, r)
	assert.True(t, strings.HasPrefix(dp, `DPoP realm="authserver", `), dp)
	assert.Contains(t, dp, ` algs="ES256 `)
	assert.Contains(t, dp, `error="`+code+`"`)
	assert.NotContains(t, bearer, "error=")
	var body struct{ Error string }
	if assert.NoError(t, json.Unmarshal(r.body, &body), string(r.body)) {
		assert.Equal(t, code, body.Error)
	}
}

// TestDPoP runs the DPoP paths of the contract against one instance with
// the memory store, behind an external URL as behind nginx: proofs name
// that URL, not the one the server listens at.
func TestDPoP(t *testing.T) {
	const ext = "https://auth.example.test"
	cfg := testConfig(t)
	cfg.externalURL = ext
	srv := startService(t, cfg)
	c := &client{t: t, base: srv.URL}
	key, other := newProver(t), newProver(t)
	login := func(proof string) *response {
		return c.form("/login", url.Values{"username": {"alice"}, "password": {"alice-pw"}}, "DPoP", proof)
	}

	// A login with a proof: a DPoP pair, both tokens bound to the key.
	r := login(newProof(t, key, "POST", ext+"/login", ""))
	require.Equal(t, 200, r.status, string(r.body))
	assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
	m := r.json(t)
	assert.Equal(t, "DPoP", m["token_type"])
	assert.EqualValues(t, 300, m["expires_in"])
	p := pair{m["access_token"].(string), m["refresh_token"].(string)}
	assert.Equal(t, key.JKT(), cnf(t, p.access))
	assert.Equal(t, key.JKT(), cnf(t, p.refresh))
	assert.Empty(t, cnf(t, c.login("alice").access), "a login without a proof stays Bearer")

	// Proofs at the token endpoint name the external URL and the endpoint.
	assertError(t, login(newProof(t, key, "POST", srv.URL+"/login", "")), 400, "invalid_dpop_proof")
	assertError(t, login(newProof(t, key, "POST", ext+"/token/refresh", "")), 400, "invalid_dpop_proof")
	assertError(t, login(newProof(t, key, "GET", ext+"/login", "")), 400, "invalid_dpop_proof")
	assertError(t, login("not a proof"), 400, "invalid_dpop_proof")

	// The API: the DPoP scheme with a proof by the key, for this request,
	// once.
	me := newProof(t, key, "GET", ext+"/api/me", p.access)
	r = c.withDPoP("GET", "/api/me", p.access, me)
	require.Equal(t, 200, r.status, string(r.body))
	m = r.json(t)
	assert.Equal(t, "alice", m["sub"])
	assert.Equal(t, map[string]any{"jkt": key.JKT()}, m["cnf"])
	assertDPoPRefused(t, c.withDPoP("GET", "/api/me", p.access, me), "invalid_dpop_proof") // replayed
	assertDPoPRefused(t, c.withDPoP("GET", "/api/me", p.access, newProof(t, key, "POST", ext+"/api/me", p.access)), "invalid_dpop_proof")
	assertDPoPRefused(t, c.withDPoP("GET", "/api/me", p.access, newProof(t, key, "GET", ext+"/api/admin", p.access)), "invalid_dpop_proof")
	assertDPoPRefused(t, c.withDPoP("GET", "/api/me", p.access, newProof(t, key, "GET", srv.URL+"/api/me", p.access)), "invalid_dpop_proof")
	assertDPoPRefused(t, c.withDPoP("GET", "/api/me", p.access, newProof(t, key, "GET", ext+"/api/me", "")), "invalid_dpop_proof")
	assertDPoPRefused(t, c.withDPoP("GET", "/api/me", p.access, ""), "invalid_dpop_proof")
	assertDPoPRefused(t, c.withDPoP("GET", "/api/me", p.access, newProof(t, other, "GET", ext+"/api/me", p.access)), "invalid_token")
	// The proof's header and the forwarding headers name no other request.
	assertDPoPRefused(t, c.withDPoP("GET", "/api/me", p.access, newProof(t, key, "GET", ext+"/private/x", p.access),
		"X-Original-Method", "GET", "X-Original-URI", "/private/x"), "invalid_dpop_proof")
	// The bound token as Bearer: the error is in the Bearer challenge, the
	// DPoP challenge says how to do it.
	r = c.bearer("GET", "/api/me", p.access)
	assert.Equal(t, 401, r.status, string(r.body))
	bearer, dp := challenges(t, r)
	assert.Contains(t, bearer, `error="invalid_token"`)
	assert.Contains(t, bearer, "bound to a DPoP key")
	assert.NotContains(t, dp, "error=")
	assert.Equal(t, 200, c.withDPoP("GET", "/api/admin", p.access, newProof(t, key, "GET", ext+"/api/admin", p.access)).status)

	// auth_request: the proof names the request nginx asks about, from
	// X-Original-Method and X-Original-URI; the challenge with the error
	// comes first, the one nginx 1.22 passes on.
	original := []string{"X-Original-Method", "GET", "X-Original-URI", "/private/page?q=1"}
	page := newProof(t, key, "GET", ext+"/private/page", p.access)
	r = c.withDPoP("GET", "/auth/verify", p.access, page, original...)
	assert.Equal(t, 200, r.status, string(r.body))
	r = c.withDPoP("GET", "/auth/verify", p.access, page, original...)
	assertDPoPRefused(t, r, "invalid_dpop_proof")
	assert.True(t, strings.HasPrefix(r.header.Get("WWW-Authenticate"), "DPoP "), "the error's challenge first")
	assert.Equal(t, "invalid_dpop_proof", r.header.Get("X-Auth-Error"))
	r = c.withDPoP("GET", "/auth/verify", p.access, newProof(t, key, "GET", ext+"/private/page", p.access),
		"X-Original-Method", "POST", "X-Original-URI", "/private/page")
	assertDPoPRefused(t, r, "invalid_dpop_proof")
	r = c.withDPoP("GET", "/auth/verify", p.access, newProof(t, other, "GET", ext+"/private/page", p.access), original...)
	assertDPoPRefused(t, r, "invalid_token")
	assert.True(t, strings.HasPrefix(r.header.Get("WWW-Authenticate"), "DPoP "), "the error's challenge first")
	r = c.bearer("GET", "/auth/verify", p.access)
	assert.Equal(t, 401, r.status)
	assert.True(t, strings.HasPrefix(r.header.Get("WWW-Authenticate"), `Bearer realm="authserver", error="invalid_token"`), r.header.Get("WWW-Authenticate"))
	r = c.do("GET", "/auth/verify", "", "", original...)
	assertChallenge(t, r, 401, "") // no credentials: Bearer first, as before
	// Without the headers, the proof names /auth/verify itself.
	r = c.withDPoP("GET", "/auth/verify", p.access, newProof(t, key, "GET", ext+"/auth/verify", p.access))
	assert.Equal(t, 200, r.status, string(r.body))
	for name, h := range map[string][]string{
		"method alone":  {"X-Original-Method", "GET"},
		"URI alone":     {"X-Original-URI", "/private/"},
		"not a method":  {"X-Original-Method", "GET /", "X-Original-URI", "/private/"},
		"absolute URI":  {"X-Original-Method", "GET", "X-Original-URI", "https://auth.example.test/private/"},
		"not a path":    {"X-Original-Method", "GET", "X-Original-URI", "*"},
		"empty method":  {"X-Original-Method", "", "X-Original-URI", "/private/"},
		"relative path": {"X-Original-Method", "GET", "X-Original-URI", "private/"},
	} {
		r := c.withDPoP("GET", "/auth/verify", p.access, newProof(t, key, "GET", ext+"/private/", p.access), h...)
		assertError(t, r, 400, "invalid_request")
		assert.NotContains(t, string(r.body), "private/", name) // nothing of the request echoed
	}

	// Refresh: only with a proof by the same key; without one, or with
	// another key's, invalid_grant, and the session goes on.
	refresh := func(rt, proof string) *response {
		return c.form("/token/refresh", url.Values{"refresh_token": {rt}}, "DPoP", proof)
	}
	assertError(t, c.refresh(p.refresh), 401, "invalid_grant")
	assertError(t, refresh(p.refresh, newProof(t, other, "POST", ext+"/token/refresh", "")), 401, "invalid_grant")
	assertError(t, refresh(p.refresh, newProof(t, key, "POST", ext+"/login", "")), 400, "invalid_dpop_proof")
	r = refresh(p.refresh, newProof(t, key, "POST", ext+"/token/refresh", ""))
	require.Equal(t, 200, r.status, string(r.body))
	m = r.json(t)
	assert.Equal(t, "DPoP", m["token_type"])
	p2 := pair{m["access_token"].(string), m["refresh_token"].(string)}
	assert.NotEqual(t, p.refresh, p2.refresh)
	assert.Equal(t, key.JKT(), cnf(t, p2.access))
	assert.Equal(t, key.JKT(), cnf(t, p2.refresh))
	assert.Equal(t, 200, c.withDPoP("GET", "/api/me", p2.access, newProof(t, key, "GET", ext+"/api/me", p2.access)).status)

	// Logout with the DPoP scheme and a proof ends the session.
	r = c.do("POST", "/logout", "application/x-www-form-urlencoded", url.Values{"refresh_token": {p2.refresh}}.Encode(),
		"Authorization", "DPoP "+p2.access, "DPoP", newProof(t, key, "POST", ext+"/logout", p2.access))
	assert.Equal(t, 204, r.status, string(r.body))
	assertDPoPRefused(t, c.withDPoP("GET", "/api/me", p2.access, newProof(t, key, "GET", ext+"/api/me", p2.access)), "invalid_token")
	assertError(t, refresh(p2.refresh, newProof(t, key, "POST", ext+"/token/refresh", "")), 401, "invalid_grant")
}

// TestDPoPOwnURL checks the default without --external-url: proofs name
// the URL of the request itself, here made by dpop.Transport.
func TestDPoPOwnURL(t *testing.T) {
	srv := startService(t, testConfig(t))
	key := newProver(t)
	hc := &http.Client{Transport: &dpop.Transport{Prover: key}}
	defer hc.CloseIdleConnections()
	resp, err := hc.PostForm(srv.URL+"/login", url.Values{"username": {"bob"}, "password": {"bob-pw"}})
	require.NoError(t, err)
	var tok struct{ AccessToken, TokenType string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&struct {
		AccessToken *string `json:"access_token"`
		TokenType   *string `json:"token_type"`
	}{&tok.AccessToken, &tok.TokenType}))
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "DPoP", tok.TokenType)
	req, err := http.NewRequest("GET", srv.URL+"/api/me", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "DPoP "+tok.AccessToken)
	resp, err = hc.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
}
