package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// server is a real HTTP server for jwt verify --jwks and --oidc that
// serves fixed bodies by path and counts the requests it sees.
type server struct {
	*httptest.Server
	mu     sync.Mutex
	bodies map[string]string // path → body; a missing path is a 404
	status map[string]int    // path → status, when not 200
	hits   map[string]int
	hang   chan struct{} // if not nil, every request waits for it or for the client to go
}

// newServer starts a server and stops it at the end of the test.
func newServer(t *testing.T) *server {
	t.Helper()
	s := &server{bodies: map[string]string{}, status: map[string]int{}, hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	body, found := s.bodies[r.URL.Path]
	status, hang := s.status[r.URL.Path], s.hang
	s.mu.Unlock()
	if hang != nil {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
		return
	}
	if !found {
		http.NotFound(w, r)
		return
	}
	if status != 0 {
		w.WriteHeader(status)
	}
	w.Write([]byte(body))
}

// set serves body at path.
func (s *server) set(path, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bodies[path] = body
}

// fail makes path answer with status.
func (s *server) fail(path string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status[path] = status
}

// hangUntil makes every request wait until release is closed or its client
// goes away.
func (s *server) hangUntil(release chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hang = release
}

// count returns how many requests the server saw for path.
func (s *server) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// total returns how many requests the server saw.
func (s *server) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.hits {
		n += c
	}
	return n
}

// remoteFixture are the keys of the remote-set tests: es (ES256, kid "es")
// and rsa (an RSA key, kid "rsa", without "alg", as Entra ID publishes
// keys) are published; other (ES256, kid "other") is not.
type remoteFixture struct {
	es, rsa, other string // private key files
	set            string // the public JWK Set of es and rsa
}

func makeRemoteFixture(t *testing.T) remoteFixture {
	t.Helper()
	dir := t.TempDir()
	es := keygen(t, dir, "es.jwk", "--alg", "ES256", "--kid", "es")
	other := keygen(t, dir, "other.jwk", "--alg", "ES256", "--kid", "other")
	rsa := keygen(t, dir, "rsa.jwk", "--alg", "RS256", "--kid", "rsa", "--bits", "2048")
	rsaNoAlg := write(t, dir, "rsa-noalg.jwk", []byte(withMembers(t, rsa, "", "alg")))
	set := `{"keys":[` + withMembers(t, es+".pub", "") + "," + withMembers(t, rsa+".pub", "", "alg") + `]}`
	return remoteFixture{es: es, rsa: rsaNoAlg, other: other, set: set}
}

// signed returns a token of claims signed with the key file and args.
func signed(t *testing.T, claims, key string, args ...string) string {
	t.Helper()
	args = append([]string{"sign", "--key", key, "--exp", "5m"}, args...)
	return strings.TrimSpace(ok(t, jwtRun(t, append(args, claims)...)))
}

func TestVerifyJWKS(t *testing.T) {
	keys := makeRemoteFixture(t)
	srv := newServer(t)
	srv.set("/jwks", keys.set)
	url := srv.URL + "/jwks"
	good := signed(t, `{"sub":"alice"}`, keys.es)

	t.Run("good set", func(t *testing.T) {
		before := srv.count("/jwks")
		out := ok(t, jwtRun(t, "verify", "--jwks", url, good))
		assert.Regexp(t, `^\{"sub":"alice","exp":\d+\}\n$`, out)
		assert.Equal(t, 1, srv.count("/jwks")-before, "one fetch")
		// The other flags apply as with a key file, and standard input too.
		fails(t, jwtRun(t, "verify", "--jwks", url, "--sub", "bob", good), 1, "token rejected", "sub")
		ok(t, jwtIn(t, good+"\n", "verify", "--jwks", url, "--timeout", "3s", "--sub", "alice"))
	})

	t.Run("unknown kid", func(t *testing.T) {
		token := signed(t, `{"sub":"alice"}`, keys.other)
		before := srv.count("/jwks")
		fails(t, jwtRun(t, "verify", "--jwks", url, token), 1, "token rejected", "key not found", `"other"`)
		assert.Equal(t, 2, srv.count("/jwks")-before, "the prefetch and the one forced refresh")
	})

	t.Run("bad signature", func(t *testing.T) {
		// Signed by another key under the kid of a published one: no refresh.
		token := signed(t, `{"sub":"alice"}`, keys.other, "--kid", "es")
		before := srv.count("/jwks")
		fails(t, jwtRun(t, "verify", "--jwks", url, token), 1, "token rejected", "invalid signature")
		assert.Equal(t, 1, srv.count("/jwks")-before, "a bad signature fetches nothing")
	})

	t.Run("keys without alg", func(t *testing.T) {
		// Without --alg, a key without "alg" is bound to every algorithm
		// that fits it: all six of an RSA key.
		rs256 := signed(t, `{"sub":"rs"}`, keys.rsa, "--alg", "RS256")
		ps512 := signed(t, `{"sub":"ps"}`, keys.rsa, "--alg", "PS512")
		assert.Contains(t, ok(t, jwtRun(t, "verify", "--jwks", url, rs256)), `"sub":"rs"`)
		assert.Contains(t, ok(t, jwtRun(t, "verify", "--jwks", url, ps512)), `"sub":"ps"`)
		// --alg binds it to that one algorithm only.
		ok(t, jwtRun(t, "verify", "--jwks", url, "--alg", "RS256", rs256))
		fails(t, jwtRun(t, "verify", "--jwks", url, "--alg", "RS256", ps512), 1, "token rejected", "algorithm mismatch")
		// and leaves out keys whose "alg" is another.
		fails(t, jwtRun(t, "verify", "--jwks", url, "--alg", "RS256", good), 1, "token rejected", "key not found")
		// An HMAC --alg can never verify with public keys.
		fails(t, jwtRun(t, "verify", "--jwks", url, "--alg", "HS256", good), 2, "--alg HS256", "public keys only")
	})

	t.Run("kid", func(t *testing.T) {
		ok(t, jwtRun(t, "verify", "--jwks", url, "--kid", "es", good))
		// A token without kid gets the key --kid names.
		noKid := signed(t, `{"sub":"alice"}`, keys.es, "--kid", "")
		ok(t, jwtRun(t, "verify", "--jwks", url, "--kid", "es", noKid))
		// A token naming another kid is rejected, even one in the set.
		rs256 := signed(t, `{"sub":"rs"}`, keys.rsa, "--alg", "RS256")
		fails(t, jwtRun(t, "verify", "--jwks", url, "--kid", "es", rs256), 1, "token rejected", "key not found", `--kid is "es"`)
		// A kid the set lacks is the operator's error, whatever the token.
		before := srv.count("/jwks")
		fails(t, jwtRun(t, "verify", "--jwks", url, "--kid", "nope", noKid), 2, `--kid "nope"`, "no key with kid")
		assert.Equal(t, 2, srv.count("/jwks")-before, "the prefetch and the one forced refresh")
	})

	t.Run("jws", func(t *testing.T) {
		out := ok(t, jwtRun(t, "verify", "--jws", "--jwks", url, good))
		assert.Regexp(t, `^\{"sub":"alice","exp":\d+\}$`, out)
	})
}

func TestVerifyJWKSFailures(t *testing.T) {
	keys := makeRemoteFixture(t)
	good := signed(t, `{"sub":"alice"}`, keys.es)
	srv := newServer(t)
	srv.set("/jwks", keys.set)
	srv.set("/500", keys.set)
	srv.fail("/500", http.StatusInternalServerError)
	srv.set("/invalid", `{"keys":[`)
	srv.set("/unusable", `{"keys":[`+withMembers(t, keys.es+".pub", `"use":"enc"`, "use")+","+
		withMembers(t, keys.other+".pub", `"key_ops":["encrypt"]`)+`]}`)
	srv.set("/empty", `{"keys":[]}`)

	for _, tc := range []struct {
		name string
		path string
		want []string
	}{
		{name: "500", path: "/500", want: []string{"--jwks: fetch failed", "status 500"}},
		{name: "404", path: "/nope", want: []string{"--jwks: fetch failed", "status 404"}},
		{name: "invalid JSON", path: "/invalid", want: []string{"--jwks: invalid JWK Set"}},
		{name: "only unusable keys", path: "/unusable", want: []string{"--jwks: invalid JWK Set", "no key usable", "2 keys left out"}},
		{name: "empty set", path: "/empty", want: []string{"--jwks: invalid JWK Set"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := srv.count(tc.path)
			fails(t, jwtRun(t, "verify", "--jwks", srv.URL+tc.path, good), 2, tc.want...)
			assert.Equal(t, 1, srv.count(tc.path)-before, "one fetch, no retry")
		})
	}

	t.Run("hanging server", func(t *testing.T) {
		hanging := newServer(t)
		release := make(chan struct{})
		hanging.hangUntil(release)
		t.Cleanup(func() { close(release) }) // before the server closes
		start := time.Now()
		r := jwtRun(t, "verify", "--jwks", hanging.URL+"/jwks", "--timeout", "200ms", good)
		elapsed := time.Since(start)
		fails(t, r, 2, "--jwks: fetch failed", "deadline exceeded")
		// The server hangs until the test ends: the run ends by a timeout,
		// --timeout's rather than the 10 s default, with startup to spare.
		assert.Less(t, elapsed, 10*time.Second, "bounded by --timeout, not the default")
		assert.GreaterOrEqual(t, elapsed, 200*time.Millisecond, "it did wait")
		assert.Equal(t, 1, hanging.count("/jwks"))
		t.Logf("a hanging server with --timeout 200ms: exit 2 after %v", elapsed.Round(time.Millisecond))
	})

	t.Run("usage", func(t *testing.T) {
		dir := t.TempDir()
		secret := write(t, dir, "secret", bytes.Repeat([]byte("s"), 32))
		url := srv.URL + "/jwks"
		before := srv.total()
		for _, tc := range []struct {
			name string
			args []string
			want string
		}{
			{name: "jwks and key", args: []string{"--jwks", url, "--key", keys.es + ".pub"}, want: "not --key and --jwks"},
			{name: "jwks and secret-file", args: []string{"--secret-file", secret, "--jwks", url}, want: "not --secret-file and --jwks"},
			{name: "jwks and oidc", args: []string{"--jwks", url, "--oidc", srv.URL}, want: "not --jwks and --oidc"},
			{name: "oidc and key", args: []string{"--oidc", srv.URL, "--key", keys.es + ".pub"}, want: "not --key and --oidc"},
			{name: "no key", args: nil, want: "no key given"},
			{name: "http to another host", args: []string{"--jwks", "http://example.com/jwks"}, want: "http is allowed only to a loopback address"},
			{name: "oidc http to another host", args: []string{"--oidc", "http://example.com"}, want: "http is allowed only to a loopback address"},
			{name: "relative URL", args: []string{"--jwks", "/jwks"}, want: "not absolute"},
			{name: "timeout without jwks", args: []string{"--key", keys.es + ".pub", "--timeout", "1s"}, want: "--timeout"},
			{name: "zero timeout", args: []string{"--jwks", url, "--timeout", "0s"}, want: "--timeout 0s is not positive"},
			{name: "negative timeout", args: []string{"--jwks", url, "--timeout", "-1s"}, want: "not positive"},
			{name: "unknown alg", args: []string{"--jwks", url, "--alg", "none"}, want: `unknown algorithm "none"`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				fails(t, jwtRun(t, append(append([]string{"verify"}, tc.args...), good)...), 2, tc.want)
			})
		}
		assert.Equal(t, before, srv.total(), "usage errors fetch nothing")
		// Nor does a missing token.
		fails(t, jwtIn(t, "", "verify", "--jwks", url), 2, "no token given")
		assert.Equal(t, before, srv.total())
	})
}

func TestVerifyOIDC(t *testing.T) {
	keys := makeRemoteFixture(t)
	srv := newServer(t)
	issuer := srv.URL + "/realms/main"
	discovery := func(iss string) string {
		return `{"issuer":"` + iss + `","jwks_uri":"` + srv.URL + `/certs","id_token_signing_alg_values_supported":["ES256"]}`
	}
	srv.set("/realms/main/.well-known/openid-configuration", discovery(issuer))
	srv.set("/certs", keys.set)
	srv.set("/other/.well-known/openid-configuration", discovery(srv.URL+"/realms/main"))
	good := signed(t, `{"iss":"`+issuer+`","sub":"alice"}`, keys.es)

	t.Run("success", func(t *testing.T) {
		out := ok(t, jwtRun(t, "verify", "--oidc", issuer, good))
		assert.Contains(t, out, `"sub":"alice"`)
		ok(t, jwtRun(t, "verify", "--oidc", issuer, "--iss", issuer, good))
		assert.Equal(t, 2, srv.count("/realms/main/.well-known/openid-configuration"))
		assert.Equal(t, 2, srv.count("/certs"))
	})

	t.Run("token from another issuer", func(t *testing.T) {
		for _, claims := range []string{`{"iss":"` + srv.URL + `/realms/other"}`, `{"iss":"` + issuer + `/"}`, `{"sub":"no iss"}`} {
			token := signed(t, claims, keys.es)
			fails(t, jwtRun(t, "verify", "--oidc", issuer, token), 1, "token rejected", "iss")
		}
	})

	t.Run("unknown kid", func(t *testing.T) {
		token := signed(t, `{"iss":"`+issuer+`"}`, keys.other)
		before, disc := srv.count("/certs"), srv.count("/realms/main/.well-known/openid-configuration")
		fails(t, jwtRun(t, "verify", "--oidc", issuer, token), 1, "token rejected", "key not found")
		assert.Equal(t, 2, srv.count("/certs")-before, "the prefetch and the one forced refresh")
		assert.Equal(t, 1, srv.count("/realms/main/.well-known/openid-configuration")-disc, "one discovery")
	})

	t.Run("discovery document of another issuer", func(t *testing.T) {
		other := srv.URL + "/other"
		token := signed(t, `{"iss":"`+other+`"}`, keys.es)
		before := srv.count("/certs")
		fails(t, jwtRun(t, "verify", "--oidc", other, token), 2, "--oidc: invalid discovery document", "issuer", "/realms/main")
		assert.Equal(t, before, srv.count("/certs"), "its jwks_uri is not fetched")
	})

	t.Run("discovery document that cannot be fetched", func(t *testing.T) {
		fails(t, jwtRun(t, "verify", "--oidc", srv.URL+"/nowhere", good), 2, "--oidc: fetch failed", "discovery document", "status 404")
	})

	t.Run("usage", func(t *testing.T) {
		before := srv.total()
		fails(t, jwtRun(t, "verify", "--oidc", issuer, "--iss", "https://issuer.example", good), 2, "--iss", "disagrees with --oidc")
		fails(t, jwtRun(t, "verify", "--jws", "--oidc", issuer, good), 2, "--oidc checks claims")
		fails(t, jwtRun(t, "verify", "--oidc", issuer+"?realm=main", good), 2, "query")
		assert.Equal(t, before, srv.total(), "usage errors fetch nothing")
	})
}

// TestRemoteTokenDecidesOnlyAcceptOrReject runs jwt in this process with
// tokens of every odd header against a remote set: once the set is fetched,
// a token only makes jwt exit 0 or 1, costs at most the one forced refresh
// and has nothing it names fetched, and no goroutine of package jwks
// outlives a run.
func TestRemoteTokenDecidesOnlyAcceptOrReject(t *testing.T) {
	keys := makeRemoteFixture(t)
	srv := newServer(t)
	srv.set("/jwks", keys.set)
	url := srv.URL + "/jwks"
	var tokens []string
	for _, alg := range []string{"ES256", "RS256", "PS512", "HS256", "EdDSA", "none", ""} {
		for _, kid := range []string{"", "es", "rsa", "nope", "\x1b[2J", strings.Repeat("k", 300)} {
			h := `{"alg":"` + alg + `"`
			if kid != "" {
				h += `,"kid":` + strconv.Quote(kid)
			}
			tokens = append(tokens, b64([]byte(h+"}"))+"."+b64([]byte(`{"sub":"x"}`))+"."+b64(bytes.Repeat([]byte{1}, 64)))
		}
	}
	tokens = append(tokens, "a.b.c", b64([]byte(`{"alg":"ES256","jku":"`+url+`"}`))+".e30.AAAA")
	for _, flags := range [][]string{{"--jwks", url}, {"--jwks", url, "--alg", "ES256"}, {"--jwks", url, "--kid", "es"}} {
		for i, token := range tokens {
			args := append([]string{"verify"}, flags...)
			if i%2 == 1 {
				args = append(args, "--jws")
			}
			before := srv.count("/jwks")
			fails(t, jwtInProcess("", append(args, token)...), 1, "jwt: token rejected: ")
			assert.LessOrEqual(t, srv.count("/jwks")-before, 2, "jwt %s %s", strings.Join(args, " "), token)
		}
	}
	assert.Equal(t, srv.total(), srv.count("/jwks"), "nothing a token names is fetched")
	var left []string
	buf := make([]byte, 1<<20)
	deadline := time.Now().Add(3 * time.Second)
	for {
		left = left[:0]
		for g := range strings.SplitSeq(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
			if strings.Contains(g, "jwt/jwks.") {
				left = append(left, g)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	assert.Empty(t, left, "goroutines of package jwks still running")
}
