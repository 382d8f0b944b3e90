//go:build linux

package e2e

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
	"github.com/jwtkit/jwt/jwks"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	// budget bounds the whole test; run.sh gives go test a little more.
	budget = 110 * time.Second
	// startTimeout bounds the start of each server.
	startTimeout = 15 * time.Second
	issuer       = "https://auth.e2e.test"
	audience     = "api"
	realm        = "authserver"
)

// The users of the run: name, password, scopes.
var users = []struct{ name, password, scope string }{
	{"alice", "alice's password", "read admin"},
	{"bob", "bob's password", "read"},
	{"carol", "carol's password", ""},
}

func password(name string) string {
	for _, u := range users {
		if u.name == name {
			return u.password
		}
	}
	return "unknown"
}

// required reports whether a missing tool fails the test instead of
// skipping it (run.sh, and so CI, sets it).
func required() bool { return os.Getenv("JWTKIT_E2E_REQUIRED") != "" }

// tool finds a program: $env, else name on PATH, else fallback.
func tool(t *testing.T, env, name, fallback, pkg string) string {
	t.Helper()
	if p := os.Getenv(env); p != "" {
		return p
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if fallback != "" {
		if _, err := os.Stat(fallback); err == nil {
			return fallback
		}
	}
	msg := fmt.Sprintf("%s not found: install it (Debian package %s) or set %s", name, pkg, env)
	if required() {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// running holds every process started, for the watchdog.
var running struct {
	sync.Mutex
	procs []*proc
}

// killAll kills every process started: the watchdog's way to end a run
// over its budget, whose requests then fail at once.
func killAll() {
	running.Lock()
	defer running.Unlock()
	for _, p := range running.procs {
		p.cmd.Process.Kill()
	}
}

// proc is a started process whose output goes to a log file.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

// start starts args[0] with args[1:], its output in dir/name.log, and stops
// it when the test ends.
func start(t *testing.T, dir, name string, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, log: filepath.Join(dir, name+".log"), done: make(chan struct{})}
	f, err := os.Create(p.log)
	require.NoError(t, err)
	p.cmd = exec.Command(args[0], args[1:]...)
	p.cmd.Stdout, p.cmd.Stderr = f, f
	p.cmd.Env = append(os.Environ(), env...)
	// Should the test binary die (go test -timeout), so does the process.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("starting %s: %v", name, err)
	}
	running.Lock()
	running.procs = append(running.procs, p)
	running.Unlock()
	go func() {
		p.err = p.cmd.Wait()
		f.Close()
		close(p.done)
	}()
	t.Cleanup(func() { p.stop() })
	return p
}

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM, waits up to 10 s, then kills the process, and
// returns its exit error.
func (p *proc) stop() error {
	if !p.exited() {
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			p.cmd.Process.Kill()
			<-p.done
		}
	}
	return p.err
}

func (p *proc) output(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(p.log)
	require.NoError(t, err)
	return string(b)
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitFor polls ready until it reports true, p exits, or startTimeout.
func waitFor(t *testing.T, p *proc, ready func() bool) bool {
	t.Helper()
	for deadline := time.Now().Add(startTimeout); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if ready() {
			return true
		}
		if p.exited() {
			return false
		}
	}
	t.Fatalf("%s did not start within %v:\n%s", p.name, startTimeout, p.output(t))
	return false
}

// pong reports whether a Redis server answers PING at addr.
func pong(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && line == "+PONG\r\n"
}

// startRedis starts a throw-away redis-server on a free port, without
// persistence, and returns it and its address.
func startRedis(t *testing.T, server, dir string) (*proc, string) {
	t.Helper()
	for attempt := range 5 {
		port := strconv.Itoa(freePort(t))
		data := filepath.Join(dir, "redis-"+strconv.Itoa(attempt))
		require.NoError(t, os.Mkdir(data, 0o700))
		p := start(t, dir, "redis-"+strconv.Itoa(attempt), nil, server,
			"--port", port, "--bind", "127.0.0.1", "--dir", data, "--save", "", "--appendonly", "no", "--daemonize", "no")
		addr := "127.0.0.1:" + port
		if waitFor(t, p, func() bool { return pong(addr) }) {
			return p, addr
		}
	}
	t.Fatal("could not start redis-server")
	return nil, ""
}

var listening = regexp.MustCompile(`msg=listening addr=(\S+)`)

// startService starts an instance on a port of its choosing, which it logs.
func startService(t *testing.T, bin, dir, name string, args ...string) (*proc, string) {
	t.Helper()
	p := start(t, dir, name, nil, append([]string{bin, "--addr", "127.0.0.1:0"}, args...)...)
	var addr string
	ok := waitFor(t, p, func() bool {
		if m := listening.FindStringSubmatch(p.output(t)); m != nil {
			addr = m[1]
			return true
		}
		return false
	})
	if !ok {
		t.Fatalf("%s exited:\n%s", name, p.output(t))
	}
	return p, "http://" + addr
}

// startNginx starts nginx with run.sh on port in front of upstreams, and
// returns it, its URL and its directory (with access.log and error.log),
// or false if it exits before it answers (the port was taken).
func startNginx(t *testing.T, nginx, dir, name, port string, upstreams ...string) (*proc, string, string, bool) {
	t.Helper()
	runSh, err := filepath.Abs("../nginx/run.sh")
	require.NoError(t, err)
	var ports []string
	for _, u := range upstreams {
		ports = append(ports, u[strings.LastIndexByte(u, ':')+1:])
	}
	ngDir := filepath.Join(dir, name)
	p := start(t, dir, name, []string{"NGINX=" + nginx}, append([]string{"bash", runSh, ngDir, port}, ports...)...)
	base := "http://127.0.0.1:" + port
	ok := waitFor(t, p, func() bool {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return p, base, ngDir, ok
}

// group is two instances of the service and nginx in front of them.
type group struct {
	services  [2]*proc
	instances [2]string // the instances' own URLs
	nginx     *proc
	base      string // nginx's URL, the instances' --external-url
	nginxDir  string
}

// startGroup starts two instances with args, named name-a and name-b, and
// nginx in front of them. The instances are told nginx's URL as
// --external-url, so nginx's port is chosen first; should nginx find it
// taken, the whole group starts again on another.
func startGroup(t *testing.T, bin, nginx, dir, name string, args ...string) *group {
	t.Helper()
	return startGroupURL(t, bin, nginx, dir, name, true, args...)
}

// startGroupURL is startGroup, with the instances told nginx's URL only if
// externalURL is true: otherwise they take it from the Host header, which
// nginx passes on.
func startGroupURL(t *testing.T, bin, nginx, dir, name string, externalURL bool, args ...string) *group {
	t.Helper()
	for attempt := range 5 {
		suffix := ""
		if attempt > 0 {
			suffix = "-" + strconv.Itoa(attempt)
		}
		port := strconv.Itoa(freePort(t))
		g := &group{}
		ext := args
		if externalURL {
			ext = slices.Concat(args, []string{"--external-url", "http://127.0.0.1:" + port})
		}
		for i, inst := range []string{"-a", "-b"} {
			g.services[i], g.instances[i] = startService(t, bin, dir, name+inst+suffix, ext...)
		}
		var ok bool
		g.nginx, g.base, g.nginxDir, ok = startNginx(t, nginx, dir, "nginx-"+name+suffix, port, g.instances[:]...)
		if ok {
			return g
		}
		for _, p := range g.services {
			p.stop()
		}
	}
	t.Fatal("could not start nginx")
	return nil
}

// secrets holds every token and DPoP proof of the run, for the log check.
type secrets struct {
	mu   sync.Mutex
	list []string
}

func (s *secrets) add(v ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.list = append(s.list, v...)
}

func (s *secrets) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.list)
}

// client drives the service and remembers every token it is given.
type client struct {
	t    *testing.T
	http *http.Client
	seen *secrets
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r *response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), "%d %s", r.status, r.body)
	return m
}

func (c *client) do(method, url, contentType, body string, header ...string) *response {
	c.t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(c.t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.http.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	r := &response{status: resp.StatusCode, header: resp.Header, body: b}
	if r.status == 200 && strings.Contains(string(b), "access_token") {
		m := r.json(c.t)
		for _, k := range []string{"access_token", "refresh_token"} {
			if s, ok := m[k].(string); ok {
				c.seen.add(s)
			}
		}
	}
	return r
}

func (c *client) get(url string, header ...string) *response {
	c.t.Helper()
	return c.do("GET", url, "", "", header...)
}

func (c *client) form(url string, v url.Values, header ...string) *response {
	c.t.Helper()
	return c.do("POST", url, "application/x-www-form-urlencoded", v.Encode(), header...)
}

func (c *client) bearer(method, url, token string) *response {
	c.t.Helper()
	return c.do(method, url, "", "", "Authorization", "Bearer "+token)
}

type pair struct{ access, refresh string }

func (r *response) pair(t *testing.T) pair {
	t.Helper()
	require.Equal(t, 200, r.status, string(r.body))
	m := r.json(t)
	return pair{m["access_token"].(string), m["refresh_token"].(string)}
}

func (c *client) login(base, user string) pair {
	c.t.Helper()
	return c.form(base+"/login", url.Values{"username": {user}, "password": {password(user)}}).pair(c.t)
}

func (c *client) refresh(base, rt string) *response {
	c.t.Helper()
	return c.form(base+"/token/refresh", url.Values{"refresh_token": {rt}})
}

// assertError checks an OAuth error answer: status and JSON "error".
func assertError(t *testing.T, r *response, status int, code string) {
	t.Helper()
	assert.Equal(t, status, r.status, string(r.body))
	var body struct{ Error string }
	if assert.NoError(t, json.Unmarshal(r.body, &body), string(r.body)) {
		assert.Equal(t, code, body.Error)
	}
}

// challenges returns the Bearer and the DPoP challenge of r, "" for one
// that is not there, and fails if r has another, or two of a kind.
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
	return bearer, dp
}

// assertChallenge checks an RFC 6750 refusal: status, a Bearer challenge
// with the realm and its error ("" for none), and beside it a DPoP one
// without an error. The DPoP challenge may be missing at /private/: nginx
// 1.22's auth_request passes only the first field on.
func assertChallenge(t *testing.T, r *response, status int, code string) {
	t.Helper()
	assert.Equal(t, status, r.status, string(r.body))
	bearer, dp := challenges(t, r)
	if !assert.True(t, strings.HasPrefix(bearer, `Bearer realm="`+realm+`"`), bearer) {
		return
	}
	assert.True(t, strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer "), "the Bearer challenge first")
	if code == "" {
		assert.NotContains(t, bearer, "error=")
	} else {
		assert.Contains(t, bearer, `error="`+code+`"`)
	}
	assert.NotContains(t, dp, "error=")
}

// assertDPoPChallenge checks a refusal of the DPoP scheme (RFC 9449 §7.1):
// 401, a DPoP challenge with the realm, the algorithms and the error, and
// beside it at most a Bearer one without an error; the JSON body has the
// error too.
func assertDPoPChallenge(t *testing.T, r *response, code string) {
	t.Helper()
	assertError(t, r, 401, code)
	bearer, dp := challenges(t, r)
	assert.True(t, strings.HasPrefix(dp, `DPoP realm="`+realm+`", `), dp)
	assert.Contains(t, dp, `algs="ES256 `)
	assert.Contains(t, dp, `error="`+code+`"`)
	assert.NotContains(t, bearer, "error=")
}

// claims decodes a token's header and payload, without verifying it.
func claims(t *testing.T, token string) (header, payload map[string]any) {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3)
	for i, m := range []*map[string]any{&header, &payload} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, m))
	}
	return header, payload
}

func expiry(t *testing.T, token string) time.Time {
	t.Helper()
	_, p := claims(t, token)
	return time.Unix(int64(p["exp"].(float64)), 0)
}

// sleepUntil sleeps until just after at.
func sleepUntil(at time.Time) { time.Sleep(time.Until(at) + 150*time.Millisecond) }

// newProver returns a DPoP prover with a new ES256 key.
func newProver(t *testing.T) *dpop.Prover {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	p, err := dpop.NewProver(jwt.ES256, key)
	require.NoError(t, err)
	return p
}

// recordProofs sends requests with base and adds their DPoP proofs to
// seen.
type recordProofs struct {
	base http.RoundTripper
	seen *secrets
}

func (r recordProofs) RoundTrip(req *http.Request) (*http.Response, error) {
	r.seen.add(req.Header.Values("DPoP")...)
	return r.base.RoundTrip(req)
}

func TestEndToEnd(t *testing.T) {
	nginx := tool(t, "JWTKIT_NGINX", "nginx", "/usr/sbin/nginx", "nginx")
	redisServer := tool(t, "JWTKIT_REDIS_SERVER", "redis-server", "", "redis-server")
	began := time.Now()
	watchdog := time.AfterFunc(budget, func() {
		t.Errorf("over the budget of %v: killing every process", budget)
		killAll()
	})
	defer watchdog.Stop()
	dir := t.TempDir()

	// Build the service and the jwt command.
	bin := filepath.Join(dir, "bin")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", bin+string(filepath.Separator),
		"github.com/jwtkit/jwt/examples/authserver", "github.com/jwtkit/jwt/cmd/jwt")
	build.Dir = ".."
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	authserver, jwtCmd := filepath.Join(bin, "authserver"), filepath.Join(bin, "jwt")
	t.Logf("built in %v", time.Since(began).Round(time.Millisecond))

	// The users file, made with hash-password; the keys, made with jwt keygen.
	var usersFile strings.Builder
	for _, u := range users {
		cmd := exec.Command(authserver, "hash-password")
		cmd.Stdin = strings.NewReader(u.password + "\n")
		hash, err := cmd.Output()
		require.NoError(t, err)
		fmt.Fprintf(&usersFile, "%s:%s:%s\n", u.name, strings.TrimSpace(string(hash)), u.scope)
	}
	usersPath := filepath.Join(dir, "users")
	require.NoError(t, os.WriteFile(usersPath, []byte(usersFile.String()), 0o600))
	keyJWK, keyPEM := filepath.Join(dir, "key.jwk"), filepath.Join(dir, "key.pem")
	for _, args := range [][]string{{"--out", keyJWK}, {"--format", "pem", "--out", keyPEM}} {
		out, err := exec.Command(jwtCmd, append([]string{"keygen", "--alg", "ES256"}, args...)...).CombinedOutput()
		require.NoError(t, err, "jwt keygen: %s", out)
	}

	// Redis, two instances sharing it and the key, and nginx in front.
	redis, redisAddr := startRedis(t, redisServer, dir)
	worker, clientsPath := writeClients(t, dir)
	common := []string{"--users", usersPath, "--store", "redis://" + redisAddr, "--issuer", issuer, "--audience", audience, "--realm", realm,
		"--trusted-proxy", "127.0.0.1", "--clients", clientsPath}
	primary := startGroup(t, authserver, nginx, dir, "main", slices.Concat(common, []string{"--key", keyJWK})...)
	base, instanceA, instanceB := primary.base, primary.instances[0], primary.instances[1]
	t.Logf("redis %s, instances %s and %s, nginx %s: up after %v", redisAddr, instanceA, instanceB, base, time.Since(began).Round(time.Millisecond))

	seen := &secrets{}
	c := &client{t: t, seen: seen, http: &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	defer c.http.CloseIdleConnections()

	// The JWK Set: cacheable, with an ETag, the same from both instances,
	// holding the one key of key.jwk.
	r := c.get(base + "/.well-known/jwks.json")
	require.Equal(t, 200, r.status)
	assert.Regexp(t, `(^|[ ,])max-age=[1-9]\d*`, r.header.Get("Cache-Control"))
	etag := r.header.Get("ETag")
	require.NotEmpty(t, etag)
	set, _, err := jwks.Parse(r.body, nil)
	require.NoError(t, err)
	require.Len(t, set.Keys, 1)
	kid := set.Keys[0].KeyID
	require.NotEmpty(t, kid)
	r = c.get(base+"/.well-known/jwks.json", "If-None-Match", etag)
	assert.Equal(t, 304, r.status)
	assert.Empty(t, r.body)
	for _, inst := range []string{instanceA, instanceB} {
		ri := c.get(inst + "/.well-known/jwks.json")
		assert.Equal(t, etag, ri.header.Get("ETag"), "both instances publish the same set")
	}
	keyFile, err := os.ReadFile(keyJWK)
	require.NoError(t, err)
	fileKey, err := jwt.ParseJWK(keyFile)
	require.NoError(t, err)
	assert.Equal(t, fileKey.KeyID, kid, "the published kid is the key file's")

	r = c.get(base + "/healthz")
	assert.Equal(t, 200, r.status)
	assert.Equal(t, "ok", r.json(t)["status"])

	// Login, as a form and as JSON.
	r = c.form(base+"/login", url.Values{"username": {"alice"}, "password": {password("alice")}})
	require.Equal(t, 200, r.status, string(r.body))
	assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
	m := r.json(t)
	assert.Equal(t, "Bearer", m["token_type"])
	assert.EqualValues(t, 300, m["expires_in"])
	assert.EqualValues(t, 86400, m["refresh_expires_in"])
	alice := r.pair(t)
	for _, tok := range []string{alice.access, alice.refresh} {
		h, _ := claims(t, tok)
		assert.Equal(t, kid, h["kid"], "every token carries the published kid")
	}
	bob := c.do("POST", base+"/login", "application/json", `{"username":"bob","password":"bob's password"}`).pair(t)

	// Wrong password and unknown user: the same answer, in about the same
	// time. The fastest of three of each sees past scheduling noise, and
	// the bound is loose, for shared machines: skipping the hash for
	// unknown users would make them some 50 times faster.
	fastest := func(user, pw string) time.Duration {
		best := time.Hour
		for range 3 {
			began := time.Now()
			assertError(t, c.form(base+"/login", url.Values{"username": {user}, "password": {pw}}), 401, "invalid_grant")
			best = min(best, time.Since(began))
		}
		return best
	}
	wrong, unknown := fastest("alice", "not alice's password"), fastest("mallory", "alice's password")
	t.Logf("login refused in %v (wrong password), %v (unknown user)", wrong, unknown)
	assert.Greater(t, 4*unknown, wrong, "unknown users take as long as wrong passwords")
	assert.Greater(t, 4*wrong, unknown, "unknown users take as long as wrong passwords")

	// The access token verifies against the published set, with package jwks.
	remote, err := jwks.NewRemote(base+"/.well-known/jwks.json", nil)
	require.NoError(t, err)
	defer remote.Close()
	vctx, vcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer vcancel()
	verified, err := jwt.Verify[jwt.RegisteredClaims](vctx, alice.access, remote,
		&jwt.VerifyOptions{Issuer: issuer, Audience: []string{audience}, Type: "at+jwt"})
	require.NoError(t, err)
	assert.Equal(t, "alice", verified.Claims.Subject)

	// The API.
	r = c.bearer("GET", base+"/api/me", alice.access)
	require.Equal(t, 200, r.status, string(r.body))
	m = r.json(t)
	assert.Equal(t, "alice", m["sub"])
	for _, name := range []string{"exp", "iat", "jti"} {
		assert.NotEmpty(t, m[name], name)
	}
	assertChallenge(t, c.get(base+"/api/me"), 401, "")
	assertChallenge(t, c.bearer("GET", base+"/api/me", alice.access[:len(alice.access)-4]+"AAAA"), 401, "invalid_token")
	assertChallenge(t, c.bearer("GET", base+"/api/me", alice.refresh), 401, "invalid_token")
	r = c.bearer("GET", base+"/api/admin", bob.access)
	assertChallenge(t, r, 403, "insufficient_scope")
	r = c.bearer("GET", base+"/api/admin", alice.access)
	assert.Equal(t, 200, r.status, string(r.body))

	// A machine client: the client credentials grant with private_key_jwt.
	testClientCredentials(t, c, base, []string{instanceA, instanceB}, worker)

	// /private/, a static page of nginx's behind auth_request.
	r = c.get(base + "/private/")
	assertChallenge(t, r, 401, "")
	r = c.bearer("GET", base+"/private/", "not.a.token")
	assertChallenge(t, r, 401, "invalid_token")
	assertError(t, r, 401, "invalid_token")
	r = c.bearer("GET", base+"/private/", alice.access)
	assert.Equal(t, 200, r.status)
	assert.Contains(t, string(r.body), "private page")

	// Refresh: rotation, as a form and as JSON.
	r = c.refresh(base, alice.refresh)
	alice2 := r.pair(t)
	assert.NotEqual(t, alice.refresh, alice2.refresh)
	assert.EqualValues(t, 300, r.json(t)["expires_in"])
	alice3 := c.do("POST", base+"/token/refresh", "application/json", `{"refresh_token":"`+alice2.refresh+`"}`).pair(t)
	assert.Equal(t, 200, c.bearer("GET", base+"/api/me", alice3.access).status)

	// Where a refresh token must not be: in the Authorization header, in
	// the query. And an access token is no refresh token.
	assertError(t, c.do("POST", base+"/token/refresh", "", "", "Authorization", "Bearer "+alice3.refresh), 400, "invalid_request")
	assertError(t, c.form(base+"/token/refresh?refresh_token="+url.QueryEscape(alice3.refresh), nil), 400, "invalid_request")
	assertError(t, c.refresh(base, alice3.access), 401, "invalid_grant")

	// nginx refuses every query, where a token would reach its logs.
	for _, path := range []string{"/api/me", "/private/", "/login", "/.well-known/jwks.json"} {
		r = c.get(base+path+"?access_token="+alice3.access, "Authorization", "Bearer "+alice3.access)
		assertError(t, r, 400, "invalid_request")
	}

	// Failed logins are limited: an unknown name is refused with 429 and
	// Retry-After once each instance behind nginx has seen 5 failures
	// (the limit is each instance's own).
	for i := 0; ; i++ {
		r = c.form(base+"/login", url.Values{"username": {"dave"}, "password": {"guess"}})
		if r.status != 401 {
			assert.GreaterOrEqual(t, i, 5, "at least 5 failures are answered 401")
			assertError(t, r, 429, "invalid_grant")
			assert.Regexp(t, `^[1-9][0-9]*$`, r.header.Get("Retry-After"))
			break
		}
		if i > 10 {
			t.Fatal("11 failed logins in a row, and no 429")
		}
	}

	// Reuse across instances: rotate on A, reuse on B; the whole family is
	// revoked everywhere.
	carol := c.login(base, "carol")
	carol2 := c.refresh(instanceA, carol.refresh).pair(t)
	assertError(t, c.refresh(instanceB, carol.refresh), 401, "invalid_grant")
	assertError(t, c.refresh(base, carol2.refresh), 401, "invalid_grant")
	for _, p := range []pair{carol, carol2} {
		assertChallenge(t, c.bearer("GET", base+"/api/me", p.access), 401, "invalid_token")
		assertChallenge(t, c.bearer("GET", instanceA+"/api/me", p.access), 401, "invalid_token")
		assertChallenge(t, c.bearer("GET", instanceB+"/api/me", p.access), 401, "invalid_token")
		assertChallenge(t, c.bearer("GET", base+"/private/", p.access), 401, "invalid_token")
	}
	assert.Equal(t, 200, c.bearer("GET", base+"/api/me", alice3.access).status, "other families are not touched")

	// Logout revokes the family.
	p := c.login(base, "bob")
	r = c.form(base+"/logout", url.Values{"refresh_token": {p.refresh}}, "Authorization", "Bearer "+p.access)
	assert.Equal(t, 204, r.status, string(r.body))
	assertChallenge(t, c.bearer("GET", base+"/api/me", p.access), 401, "invalid_token")
	assertError(t, c.refresh(base, p.refresh), 401, "invalid_grant")
	assert.Equal(t, 200, c.bearer("GET", base+"/api/me", bob.access).status, "bob's other session goes on")

	// Logout everywhere revokes every session of the user begun before.
	bob2 := c.login(base, "bob")
	time.Sleep(5 * time.Millisecond) // sessions are compared to the millisecond
	r = c.bearer("POST", base+"/logout/all", bob2.access)
	assert.Equal(t, 204, r.status, string(r.body))
	for _, p := range []pair{bob, bob2} {
		assertChallenge(t, c.bearer("GET", base+"/api/me", p.access), 401, "invalid_token")
		assertError(t, c.refresh(base, p.refresh), 401, "invalid_grant")
	}
	time.Sleep(5 * time.Millisecond) // sessions are compared to the millisecond
	assert.Equal(t, 200, c.bearer("GET", base+"/api/me", c.login(base, "bob").access).status, "a new login works")
	assert.Equal(t, 200, c.bearer("GET", base+"/api/me", alice3.access).status, "other users are not touched")

	// DPoP (RFC 9449): a client with a key of its own, whose Transport
	// adds a proof to every request (recorded for the log check).
	key, other := newProver(t), newProver(t)
	dpopClient := func(p *dpop.Prover) (*client, *http.Transport) {
		base := &http.Transport{}
		return &client{t: t, seen: seen, http: &http.Client{
			Timeout:   10 * time.Second,
			Transport: &dpop.Transport{Prover: p, Base: recordProofs{base, seen}},
		}}, base
	}
	dc, dcTransport := dpopClient(key)
	defer dcTransport.CloseIdleConnections()
	proof := func(p *dpop.Prover, method, uri, token string) string {
		t.Helper()
		v, err := p.NewProof(context.Background(), method, uri, &dpop.ProofOptions{AccessToken: token})
		require.NoError(t, err)
		seen.add(v)
		return v
	}
	withProof := func(url, token, proof string) *response {
		t.Helper()
		return c.get(url, "Authorization", "DPoP "+token, "DPoP", proof)
	}

	// Login with a proof: a DPoP pair, both tokens bound to the key.
	r = dc.form(base+"/login", url.Values{"username": {"alice"}, "password": {password("alice")}})
	require.Equal(t, 200, r.status, string(r.body))
	assert.Equal(t, "DPoP", r.json(t)["token_type"])
	assert.EqualValues(t, 300, r.json(t)["expires_in"])
	bound := r.pair(t)
	for _, tok := range []string{bound.access, bound.refresh} {
		_, p := claims(t, tok)
		assert.Equal(t, map[string]any{"jkt": key.JKT()}, p["cnf"], "cnf.jkt is the key's thumbprint")
	}

	// The API and /private/ through nginx, with the Transport's proofs
	// (nginx passes the DPoP header on, to /api/ and to auth_request).
	r = dc.get(base+"/api/me", "Authorization", "DPoP "+bound.access)
	require.Equal(t, 200, r.status, string(r.body))
	assert.Equal(t, "alice", r.json(t)["sub"])
	r = dc.get(base+"/private/", "Authorization", "DPoP "+bound.access)
	assert.Equal(t, 200, r.status, string(r.body))
	assert.Contains(t, string(r.body), "private page")

	// A proof is used once, on every instance: accepted by A, refused by
	// B and through nginx.
	once := proof(key, "GET", base+"/api/me", bound.access)
	assert.Equal(t, 200, withProof(instanceA+"/api/me", bound.access, once).status)
	assertDPoPChallenge(t, withProof(instanceB+"/api/me", bound.access, once), "invalid_dpop_proof")
	assertDPoPChallenge(t, withProof(base+"/api/me", bound.access, once), "invalid_dpop_proof")
	page := proof(key, "GET", base+"/private/", bound.access)
	assert.Equal(t, 200, withProof(base+"/private/", bound.access, page).status)
	r = withProof(base+"/private/", bound.access, page)
	assertDPoPChallenge(t, r, "invalid_dpop_proof")
	assert.True(t, strings.HasPrefix(r.header.Get("WWW-Authenticate"), "DPoP "), "the challenge with the error first")

	// A proof for another method or URL, by another key, or none; the
	// bound token as Bearer.
	assertDPoPChallenge(t, withProof(base+"/api/me", bound.access, proof(key, "POST", base+"/api/me", bound.access)), "invalid_dpop_proof")
	assertDPoPChallenge(t, withProof(base+"/api/me", bound.access, proof(key, "GET", base+"/api/admin", bound.access)), "invalid_dpop_proof")
	assertDPoPChallenge(t, withProof(instanceA+"/api/me", bound.access, proof(key, "GET", instanceA+"/api/me", bound.access)), "invalid_dpop_proof")
	assertDPoPChallenge(t, withProof(base+"/private/", bound.access, proof(key, "GET", base+"/private/other", bound.access)), "invalid_dpop_proof")
	assertDPoPChallenge(t, withProof(base+"/api/me", bound.access, proof(other, "GET", base+"/api/me", bound.access)), "invalid_token")
	assertDPoPChallenge(t, withProof(base+"/private/", bound.access, proof(other, "GET", base+"/private/", bound.access)), "invalid_token")
	assertDPoPChallenge(t, c.get(base+"/api/me", "Authorization", "DPoP "+bound.access), "invalid_dpop_proof")
	r = c.bearer("GET", base+"/api/me", bound.access)
	assertChallenge(t, r, 401, "invalid_token")
	_, dp := challenges(t, r)
	assert.True(t, strings.HasPrefix(dp, `DPoP realm="`+realm+`", algs="`), "and the DPoP challenge: %s", dp)
	assertChallenge(t, c.bearer("GET", base+"/private/", bound.access), 401, "invalid_token")

	// Refresh needs a proof by the same key: without one, or with another
	// key's, invalid_grant, and the session goes on.
	assertError(t, c.refresh(base, bound.refresh), 401, "invalid_grant")
	oc, ocTransport := dpopClient(other)
	defer ocTransport.CloseIdleConnections()
	assertError(t, oc.refresh(base, bound.refresh), 401, "invalid_grant")
	r = dc.refresh(base, bound.refresh)
	bound2 := r.pair(t)
	assert.Equal(t, "DPoP", r.json(t)["token_type"])
	assert.NotEqual(t, bound.refresh, bound2.refresh)
	_, p2 := claims(t, bound2.access)
	assert.Equal(t, map[string]any{"jkt": key.JKT()}, p2["cnf"])
	assert.Equal(t, 200, dc.get(base+"/api/me", "Authorization", "DPoP "+bound2.access).status)

	// Logout with the DPoP scheme and a proof ends the session.
	r = dc.form(base+"/logout", url.Values{"refresh_token": {bound2.refresh}}, "Authorization", "DPoP "+bound2.access)
	assert.Equal(t, 204, r.status, string(r.body))
	assertDPoPChallenge(t, dc.get(base+"/api/me", "Authorization", "DPoP "+bound2.access), "invalid_token")
	assertError(t, dc.refresh(base, bound2.refresh), 401, "invalid_grant")

	// A third pair, without --external-url: proofs are checked against
	// the Host header, which nginx passes on to the API and to /_auth,
	// whose proxy_set_header once replaced the server's and sent the
	// upstream's name.
	byHost := startGroupURL(t, authserver, nginx, dir, "host", false, slices.Concat(common, []string{"--key", keyJWK})...)
	r = dc.form(byHost.base+"/login", url.Values{"username": {"alice"}, "password": {password("alice")}})
	require.Equal(t, 200, r.status, string(r.body))
	hostBound := r.pair(t)
	r = dc.get(byHost.base+"/api/me", "Authorization", "DPoP "+hostBound.access)
	assert.Equal(t, 200, r.status, string(r.body))
	r = dc.get(byHost.base+"/private/", "Authorization", "DPoP "+hostBound.access)
	assert.Equal(t, 200, r.status, string(r.body))
	assert.Contains(t, string(r.body), "private page")
	assertDPoPChallenge(t, withProof(byHost.base+"/private/", hostBound.access, proof(key, "GET", "http://authserver/private/", hostBound.access)), "invalid_dpop_proof")

	// Its instances gone, nginx's upstreams fail, with a token in the
	// Referer (and in the query, refused first): nginx's error messages
	// quote both, and must not reach its log.
	for _, p := range byHost.services {
		require.NoError(t, p.stop(), "%s:\n%s", p.name, p.output(t))
	}
	leak := "https://app.example/callback?access_token=" + hostBound.access
	r = c.get(byHost.base+"/api/me", "Authorization", "Bearer "+hostBound.access, "Referer", leak)
	assert.Equal(t, 502, r.status, string(r.body))
	r = c.get(byHost.base+"/private/", "Authorization", "Bearer "+hostBound.access, "Referer", leak)
	assert.Equal(t, 500, r.status, string(r.body))
	r = c.get(byHost.base+"/api/me?access_token="+hostBound.access, "Referer", leak)
	assertError(t, r, 400, "invalid_request")

	// Expiry: a second pair of instances, with the PEM key and short
	// lifetimes, behind a second nginx.
	short := slices.Concat(common, []string{"--key", keyPEM, "--access-ttl", "2s", "--refresh-ttl", "4s"})
	shortLived := startGroup(t, authserver, nginx, dir, "short", short...)
	base2 := shortLived.base
	r = c.form(base2+"/login", url.Values{"username": {"alice"}, "password": {password("alice")}})
	x := r.pair(t)
	assert.EqualValues(t, 2, r.json(t)["expires_in"])
	assert.EqualValues(t, 4, r.json(t)["refresh_expires_in"])
	y := c.login(base2, "alice")
	h, _ := claims(t, x.access)
	assert.NotEqual(t, kid, h["kid"], "the PEM key is another key")
	assert.Equal(t, 200, c.bearer("GET", base2+"/api/me", x.access).status)
	assertChallenge(t, c.bearer("GET", base+"/api/me", x.access), 401, "invalid_token")
	sleepUntil(expiry(t, x.access))
	assertChallenge(t, c.bearer("GET", base2+"/api/me", x.access), 401, "invalid_token")
	assertChallenge(t, c.bearer("GET", base2+"/private/", x.access), 401, "invalid_token")
	x2 := c.refresh(base2, x.refresh).pair(t)
	assert.Equal(t, 200, c.bearer("GET", base2+"/api/me", x2.access).status, "a refresh token outlives the access token")
	sleepUntil(expiry(t, y.refresh))
	assertError(t, c.refresh(base2, y.refresh), 401, "invalid_grant")

	// Redis gone: /healthz says so, and the API fails closed.
	fresh := c.login(base, "alice")
	require.NoError(t, redis.stop())
	r = c.get(base + "/healthz")
	assert.Equal(t, 503, r.status)
	assert.Equal(t, "unavailable", r.json(t)["status"])
	r = c.bearer("GET", base+"/api/me", fresh.access)
	assert.Equal(t, 503, r.status, string(r.body))
	assert.Empty(t, r.header.Values("WWW-Authenticate"))
	// auth_request answered 503: nginx's error message would quote the
	// Referer.
	r = c.get(base+"/private/", "Authorization", "Bearer "+fresh.access, "Referer", "https://app.example/?access_token="+fresh.access)
	assert.Equal(t, 500, r.status, string(r.body))

	// Everything stops; the services gracefully.
	c.http.CloseIdleConnections()
	for _, g := range []*group{primary, shortLived, byHost} {
		assert.NoError(t, g.nginx.stop(), g.nginx.name)
	}
	services := slices.Concat(primary.services[:], shortLived.services[:], byHost.services[:])
	for _, p := range services {
		assert.NoError(t, p.stop(), "%s:\n%s", p.name, p.output(t))
		assert.Contains(t, p.output(t), "msg=stopped", p.name)
	}

	// No log holds a token, a password, or any JWT at all.
	logs := map[string]string{}
	for _, d := range []string{primary.nginxDir, shortLived.nginxDir, byHost.nginxDir} {
		for _, f := range []string{"access.log", "error.log"} {
			b, err := os.ReadFile(filepath.Join(d, f))
			require.NoError(t, err)
			logs[filepath.Join(filepath.Base(d), f)] = string(b)
		}
	}
	for _, p := range append(services, redis) {
		logs[p.name] = p.output(t)
	}
	access := logs[filepath.Join(filepath.Base(primary.nginxDir), "access.log")]
	assert.Contains(t, access, `"POST /token/refresh HTTP/1.1" 400`, "the refresh token in the query was logged without it")
	assert.Regexp(t, `"GET /private/\S* HTTP/1.1" 200`, access) // $uri: after the index redirect
	assert.Contains(t, logs[primary.services[0].name]+logs[primary.services[1].name], "path=/api/me status=200")
	tokens := c.seen.all()
	require.Greater(t, len(tokens), 40)
	for name, text := range logs {
		for _, tok := range tokens {
			sig := tok[strings.LastIndexByte(tok, '.')+1:]
			if strings.Contains(text, tok) || strings.Contains(text, sig) {
				t.Errorf("%s holds a token or a DPoP proof", name)
				break
			}
		}
		// The messages say where, never what: a log that holds a
		// token is not printed. Proofs, JWTs too, begin with eyJ.
		if i := strings.Index(text, "eyJ"); i >= 0 {
			t.Errorf("%s holds something like a JWT at byte %d", name, i)
		}
		for _, u := range users {
			if strings.Contains(text, u.password) {
				t.Errorf("%s holds %s's password", name, u.name)
			}
		}
	}
	t.Logf("%d tokens and DPoP proofs, checked in %d logs; e2e took %v", len(tokens), len(logs), time.Since(began).Round(time.Millisecond))
}
