package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
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
		"no addr":        {[]string{"--users", cfg.usersFile}, 2},
		"no users":       {[]string{"--addr", "127.0.0.1:0"}, 2},
		"fractional ttl": {[]string{"--addr", "127.0.0.1:0", "--users", cfg.usersFile, "--access-ttl", "1.5s"}, 2},
		"argument":       {[]string{"--addr", "127.0.0.1:0", "--users", cfg.usersFile, "extra"}, 2},
		"bad store":      {[]string{"--addr", "127.0.0.1:0", "--users", cfg.usersFile, "--store", "etcd://x"}, 1},
		"missing users":  {[]string{"--addr", "127.0.0.1:0", "--users", cfg.usersFile + ".none"}, 1},
		"help":           {[]string{"--help"}, 0},
	} {
		var stderr bytes.Buffer
		code := run(context.Background(), tc.args, nil, io.Discard, &stderr)
		assert.Equal(t, tc.code, code, "%s: %s", name, stderr.String())
	}
}
