package redisstore_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
	"github.com/jwtkit/jwt/redisstore"
	"github.com/jwtkit/jwt/session"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// TestTwoInstancesDPoP runs two instances of a token service behind one
// external URL, each with its own connection to Redis and the store as the
// replay cache of its DPoP verifier: a proof used on one is refused on
// both, and a session bound to a key on one is refreshed on the other only
// with a proof by that key.
func TestTwoInstancesDPoP(t *testing.T) {
	signer, verifier := newTestKeys(t)
	sa, prefix := newStore(t, newClient(t))
	sb, err := redisstore.New(newClient(t), &redisstore.Options{Prefix: prefix})
	require.NoError(t, err)
	const external = "https://auth.example"
	var instances [2]*httptest.Server
	for i, s := range []*redisstore.Store{sa, sb} {
		m := newManager(t, s, signer, verifier)
		v, err := dpop.NewVerifier(&dpop.Options{ReplayCache: s, ExternalURL: external})
		require.NoError(t, err)
		opts := &session.HandlerOptions{DPoP: v}
		auth := func(context.Context, string, string) (session.Grant, error) {
			return session.Grant{Subject: "alice"}, nil
		}
		mux := http.NewServeMux()
		mux.Handle("/login", m.LoginHandler(auth, opts))
		mux.Handle("/token/refresh", m.RefreshHandler(opts))
		instances[i] = httptest.NewServer(mux)
		t.Cleanup(instances[i].Close)
	}
	a, b := instances[0], instances[1]
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	prover, err := dpop.NewProver(jwt.ES256, key)
	require.NoError(t, err)
	proof := func(path string) string {
		p, err := prover.NewProof(context.Background(), "POST", external+path, nil)
		require.NoError(t, err)
		return p
	}
	post := func(srv *httptest.Server, path string, form url.Values, proof string) (int, map[string]string) {
		req, err := http.NewRequest("POST", srv.URL+path, strings.NewReader(form.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if proof != "" {
			req.Header.Set("DPoP", proof)
		}
		res, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		var body map[string]any
		require.NoError(t, json.NewDecoder(res.Body).Decode(&body))
		out := map[string]string{}
		for k, v := range body {
			s, _ := v.(string)
			out[k] = s
		}
		return res.StatusCode, out
	}
	creds := url.Values{"username": {"alice"}, "password": {"x"}}

	login := proof("/login")
	status, body := post(a, "/login", creds, login)
	require.Equal(t, http.StatusOK, status, "%v", body)
	require.Equal(t, "DPoP", body["token_type"])
	refresh := body["refresh_token"]
	for name, srv := range map[string]*httptest.Server{"A": a, "B": b} {
		status, body := post(srv, "/login", creds, login)
		require.Equal(t, http.StatusBadRequest, status, "the login proof of A replayed on %s", name)
		require.Equal(t, map[string]string{"error": "invalid_dpop_proof", "error_description": "DPoP proof replayed"}, body)
	}

	next := proof("/token/refresh")
	status, body = post(b, "/token/refresh", url.Values{"refresh_token": {refresh}}, next)
	require.Equal(t, http.StatusOK, status, "a session of A refreshed on B with a proof by its key: %v", body)
	require.Equal(t, "DPoP", body["token_type"])
	refresh = body["refresh_token"]
	status, body = post(a, "/token/refresh", url.Values{"refresh_token": {refresh}}, next)
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, "DPoP proof replayed", body["error_description"], "the refresh proof of B replayed on A")
	status, body = post(a, "/token/refresh", url.Values{"refresh_token": {refresh}}, "")
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, "invalid_grant", body["error"], "a bound session refreshed without a proof")
	status, body = post(a, "/token/refresh", url.Values{"refresh_token": {refresh}}, proof("/token/refresh"))
	require.Equal(t, http.StatusOK, status, "the session goes on: %v", body)
}

// dropProxy forwards TCP connections to a Redis server and, when armed,
// lets a command whose bytes hold a marker reach the server but closes the
// client's connection instead of passing the reply on: a lost reply.
type dropProxy struct {
	l      net.Listener
	target string
	marker atomic.Pointer[[]byte]
	wg     sync.WaitGroup

	mu    sync.Mutex
	conns []net.Conn
}

func newDropProxy(t *testing.T, target string) *dropProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &dropProxy{l: l, target: target}
	p.wg.Go(p.accept)
	t.Cleanup(p.close)
	return p
}

func (p *dropProxy) addr() string { return p.l.Addr().String() }

// dropReplyTo arms p: the reply to the next command holding marker is lost.
func (p *dropProxy) dropReplyTo(marker string) {
	b := []byte(marker)
	p.marker.Store(&b)
}

func (p *dropProxy) accept() {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		var lose atomic.Bool
		p.wg.Go(func() { // client to server
			defer s.Close()
			buf := make([]byte, 32<<10)
			for {
				n, err := c.Read(buf)
				if n > 0 {
					if m := p.marker.Load(); m != nil && bytes.Contains(buf[:n], *m) && p.marker.CompareAndSwap(m, nil) {
						lose.Store(true)
					}
					if _, werr := s.Write(buf[:n]); werr != nil {
						return
					}
				}
				if err != nil {
					return
				}
			}
		})
		p.wg.Go(func() { // server to client
			defer c.Close()
			buf := make([]byte, 32<<10)
			for {
				n, err := s.Read(buf)
				if n > 0 {
					if lose.Load() {
						return // the server ran the command; its reply is lost
					}
					if _, werr := c.Write(buf[:n]); werr != nil {
						return
					}
				}
				if err != nil {
					return
				}
			}
		})
	}
}

func (p *dropProxy) close() {
	p.l.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// TestRememberLostReply shows what Store.Remember documents: when the reply
// to its SET is lost, go-redis's retry finds the key the first SET set, and
// the key is reported as seen (the proof refused, as a replay); without
// retries, the lost reply is an error. Either way, it fails closed.
func TestRememberLostReply(t *testing.T) {
	ctx := context.Background()
	addr := os.Getenv(addrEnv)
	direct := newClient(t)
	_, prefix := newStore(t, direct)
	proxy := newDropProxy(t, addr)
	goroutines := runtime.NumGoroutine()

	for _, tc := range []struct {
		name    string
		retries int
	}{
		{"retried", 1},
		{"not retried", -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := clientOptions(proxy.addr())
			opts.MaxRetries = tc.retries
			c := redis.NewClient(opts)
			defer c.Close()
			s, err := redisstore.New(c, &redisstore.Options{Prefix: prefix})
			require.NoError(t, err)
			key := "proof:" + randomHex()
			fresh, err := s.Remember(ctx, "warm-up:"+randomHex(), time.Minute) // a connection, before arming
			require.NoError(t, err)
			require.True(t, fresh)

			proxy.dropReplyTo(prefix + "seen:")
			fresh, err = s.Remember(ctx, key, time.Minute)
			require.Nil(t, proxy.marker.Load(), "the SET went through the proxy")
			if tc.retries > 0 {
				require.NoError(t, err)
				require.False(t, fresh, "the retried SET found the key: seen")
			} else {
				require.ErrorIs(t, err, session.ErrStoreUnavailable)
				require.False(t, fresh)
			}
			// The first SET did set the key, with its TTL.
			ttl, err := direct.PTTL(ctx, replayKey(prefix, key)).Result()
			require.NoError(t, err)
			require.Greater(t, ttl, 50*time.Second)
			fresh, err = s.Remember(ctx, key, time.Minute)
			require.NoError(t, err)
			require.False(t, fresh)
		})
	}
	proxy.close()
	waitGoroutines(t, goroutines)
}

// replayKey is the Redis key under which a store with prefix remembers
// key: its SHA-256 digest, as the package documents.
func replayKey(prefix, key string) string {
	h := sha256.Sum256([]byte(key))
	return prefix + "seen:{" + base64.RawURLEncoding.EncodeToString(h[:]) + "}"
}

// TestReuseLostReply loses the reply to the rotation that finds a reused
// refresh token (issue 21): go-redis runs the script again, which used to
// find the family revoked and report ErrRevoked, so that Options.OnReuse
// was never called. The rotation that found the reuse now reports it
// again when repeated. Without retries, the lost reply is an error
// wrapping ErrStoreUnavailable: the reuse took effect (the family is
// revoked) but the Manager cannot know it, and OnReuse is not called.
func TestReuseLostReply(t *testing.T) {
	ctx := context.Background()
	addr := os.Getenv(addrEnv)
	direct := newClient(t)
	_, prefix := newStore(t, direct)
	proxy := newDropProxy(t, addr)
	goroutines := runtime.NumGoroutine()

	for _, tc := range []struct {
		name    string
		retries int
	}{
		{"retried", 1},
		{"not retried", -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := clientOptions(proxy.addr())
			opts.MaxRetries = tc.retries
			c := redis.NewClient(opts)
			defer c.Close()
			s, err := redisstore.New(c, &redisstore.Options{Prefix: prefix})
			require.NoError(t, err)
			signer, verifier := newTestKeys(t)
			var reuses atomic.Int32
			m, err := session.New(session.Options{
				Signer: session.FixedSigner(signer), Keys: verifier, Store: s,
				OnReuse: func(context.Context, session.Reuse) { reuses.Add(1) },
			})
			require.NoError(t, err)
			p1, err := m.Issue(ctx, session.Grant{Subject: "alice"})
			require.NoError(t, err)
			p2, err := m.Refresh(ctx, p1.RefreshToken)
			require.NoError(t, err)

			// The reused token's jti is sent only in the rotation script's
			// arguments (the revocation check sends its digest).
			proxy.dropReplyTo(tokenID(t, p1.RefreshToken))
			_, err = m.Refresh(ctx, p1.RefreshToken)
			require.Nil(t, proxy.marker.Load(), "the rotation went through the proxy")
			if tc.retries > 0 {
				require.ErrorIs(t, err, session.ErrReused)
				require.Equal(t, int32(1), reuses.Load(), "OnReuse calls")
			} else {
				require.ErrorIs(t, err, session.ErrStoreUnavailable)
				require.Equal(t, int32(0), reuses.Load(), "OnReuse calls")
			}
			_, err = m.Refresh(ctx, p2.RefreshToken)
			require.ErrorIs(t, err, session.ErrRevoked, "the family was revoked by the first run")
		})
	}
	proxy.close()
	waitGoroutines(t, goroutines)
}

// tokenID returns the "jti" of a JWT, read without verification.
func tokenID(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3)
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var c struct {
		ID string `json:"jti"`
	}
	require.NoError(t, json.Unmarshal(b, &c))
	require.NotEmpty(t, c.ID)
	return c.ID
}
