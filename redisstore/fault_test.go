package redisstore_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/redisstore"
	"github.com/jwtkit/jwt/session"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// serverEnv names the environment variable giving the path of a
// redis-server binary, with which the fault tests run servers of their own
// that they can stop and start again.
const serverEnv = "JWTKIT_REDIS_SERVER"

// redisServer is a redis-server process of a test, with append-only
// persistence on (fsync at every write) in a directory of its own.
type redisServer struct {
	t    *testing.T
	bin  string
	dir  string
	addr string
	cmd  *exec.Cmd
}

func startRedis(t *testing.T) *redisServer {
	t.Helper()
	bin := os.Getenv(serverEnv)
	if bin == "" {
		t.Skipf("%s is not set: no redis-server binary for the fault tests (redisstore/test.sh sets it)", serverEnv)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	s := &redisServer{t: t, bin: bin, dir: t.TempDir(), addr: addr}
	s.start()
	t.Cleanup(func() {
		if s.cmd != nil {
			s.kill()
		}
	})
	return s
}

func (s *redisServer) start() {
	s.t.Helper()
	_, port, _ := net.SplitHostPort(s.addr)
	s.cmd = exec.Command(s.bin, "--port", port, "--bind", "127.0.0.1", "--dir", s.dir,
		"--save", "", "--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no",
		"--logfile", filepath.Join(s.dir, "redis.log"))
	require.NoError(s.t, s.cmd.Start())
	deadline := time.Now().Add(10 * time.Second)
	for !ping(s.addr) {
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
			s.t.Fatalf("redis-server on %s did not start:\n%s", s.addr, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ping reports whether a Redis server answers PING at addr.
func ping(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(500 * time.Millisecond))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && line == "+PONG\r\n"
}

// kill ends the server as a crash would.
func (s *redisServer) kill() {
	s.t.Helper()
	s.cmd.Process.Signal(syscall.SIGKILL)
	s.cmd.Wait()
	s.cmd = nil
}

// stop shuts the server down, as an operator would.
func (s *redisServer) stop() {
	s.t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-done
		s.t.Error("redis-server did not stop on SIGTERM")
	}
	s.cmd = nil
}

// faultFixture is a Manager on a Redis server of its own, with tokens in
// known states, and an HTTP server for its refresh endpoint and an API.
type faultFixture struct {
	srv         *redisServer
	client      *redis.Client
	m           *session.Manager
	http        *httptest.Server
	live        *session.Pair // a session nobody revoked
	liveClaims  *jwt.RegisteredClaims
	byID        *session.Pair // its access token revoked by jti
	byIDClaims  *jwt.RegisteredClaims
	loggedOut   *session.Pair // its family revoked
	bob         *session.Pair // its subject revoked
	rotated     *session.Pair // refreshed once: its refresh token is used
	rotatedNext *session.Pair
}

func newFaultFixture(t *testing.T) *faultFixture {
	ctx := context.Background()
	f := &faultFixture{srv: startRedis(t)}
	f.client = redis.NewClient(clientOptions(f.srv.addr))
	store, err := redisstore.New(f.client, nil)
	require.NoError(t, err)
	signer, verifier := newTestKeys(t)
	f.m = newManager(t, store, signer, verifier)
	issue := func(sub string) *session.Pair {
		p, err := f.m.Issue(ctx, session.Grant{Subject: sub})
		require.NoError(t, err)
		return p
	}
	claims := func(p *session.Pair) *jwt.RegisteredClaims {
		tok, err := f.m.VerifyAccess(ctx, p.AccessToken)
		require.NoError(t, err)
		return &tok.Claims.RegisteredClaims
	}
	f.live, f.byID, f.loggedOut, f.bob, f.rotated = issue("alice"), issue("alice"), issue("alice"), issue("bob"), issue("alice")
	f.liveClaims, f.byIDClaims = claims(f.live), claims(f.byID)
	f.rotatedNext, err = f.m.Refresh(ctx, f.rotated.RefreshToken)
	require.NoError(t, err)
	time.Sleep(2 * time.Millisecond) // a cutoff after the logins, on any clock resolution
	require.NoError(t, f.m.RevokeToken(ctx, f.byID.AccessToken))
	require.NoError(t, f.m.RevokeFamily(ctx, f.loggedOut.FamilyID))
	require.NoError(t, f.m.RevokeSubject(ctx, "bob", time.Now()))

	mux := http.NewServeMux()
	mux.Handle("/token/refresh", f.m.RefreshHandler(nil))
	mux.HandleFunc("/api", func(w http.ResponseWriter, r *http.Request) {
		_, err := f.m.VerifyAccess(r.Context(), r.Header.Get("X-Token"))
		switch {
		case errors.Is(err, session.ErrStoreUnavailable):
			w.WriteHeader(http.StatusServiceUnavailable)
		case err != nil:
			w.WriteHeader(http.StatusUnauthorized)
		}
	})
	f.http = httptest.NewServer(mux)
	return f
}

func (f *faultFixture) close() {
	f.http.Close()
	f.client.Close()
	if f.srv.cmd != nil {
		f.srv.stop()
	}
}

func (f *faultFixture) status(t *testing.T, req *http.Request) int {
	t.Helper()
	res, err := f.http.Client().Do(req)
	require.NoError(t, err)
	res.Body.Close()
	return res.StatusCode
}

func (f *faultFixture) refreshStatus(t *testing.T, refresh string) int {
	body := url.Values{"refresh_token": {refresh}}.Encode()
	req, _ := http.NewRequest("POST", f.http.URL+"/token/refresh", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return f.status(t, req)
}

func (f *faultFixture) apiStatus(t *testing.T, access string) int {
	req, _ := http.NewRequest("GET", f.http.URL+"/api", nil)
	req.Header.Set("X-Token", access)
	return f.status(t, req)
}

// requireDown checks that, with Redis down, everything that needs the store
// fails closed, with ErrStoreUnavailable (503 over HTTP), quickly.
func (f *faultFixture) requireDown(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	start := time.Now()
	_, err := f.m.Refresh(ctx, f.live.RefreshToken)
	require.ErrorIs(t, err, session.ErrStoreUnavailable)
	require.ErrorIs(t, f.m.CheckAccess(ctx, f.liveClaims), session.ErrStoreUnavailable)
	require.ErrorIs(t, f.m.CheckAccess(ctx, f.byIDClaims), session.ErrStoreUnavailable, "a revoked token must not pass while Redis is down")
	_, err = f.m.VerifyAccess(ctx, f.live.AccessToken)
	require.ErrorIs(t, err, session.ErrStoreUnavailable)
	_, err = f.m.Issue(ctx, session.Grant{Subject: "alice"})
	require.ErrorIs(t, err, session.ErrStoreUnavailable)
	require.ErrorIs(t, f.m.RevokeFamily(ctx, f.live.FamilyID), session.ErrStoreUnavailable)
	require.ErrorIs(t, f.m.RevokeSubject(ctx, "carol", time.Now()), session.ErrStoreUnavailable)
	require.Equal(t, 503, f.refreshStatus(t, f.live.RefreshToken))
	require.Equal(t, 503, f.apiStatus(t, f.live.AccessToken))
	require.Equal(t, 503, f.apiStatus(t, f.byID.AccessToken))
	require.Less(t, time.Since(start), 15*time.Second, "calls with Redis down took too long")
}

// waitUp waits until the fixture's own client (not a new one) works again:
// three rounds in a row of a pipelined read and a script both succeed. (For
// up to a second after Redis is back, go-redis may still answer some calls
// with the dial error it saw while Redis was down.)
func (f *faultFixture) waitUp(t *testing.T) time.Duration {
	t.Helper()
	ctx := context.Background()
	start := time.Now()
	for ok := 0; ok < 3; {
		if f.m.CheckAccess(ctx, f.liveClaims) == nil && f.m.RevokeID(ctx, "probe", time.Now().Add(time.Minute)) == nil {
			ok++
		} else {
			ok = 0
		}
		if time.Since(start) > 15*time.Second {
			t.Fatal("the client did not recover after Redis came back")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

// requireRevocationsKept checks that every revocation made before Redis
// went away is still in force.
func (f *faultFixture) requireRevocationsKept(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	_, err := f.m.VerifyAccess(ctx, f.byID.AccessToken)
	require.ErrorIs(t, err, session.ErrRevoked, "a revocation by jti was lost")
	_, err = f.m.VerifyAccess(ctx, f.loggedOut.AccessToken)
	require.ErrorIs(t, err, session.ErrRevoked, "a family revocation was lost")
	_, err = f.m.Refresh(ctx, f.loggedOut.RefreshToken)
	require.ErrorIs(t, err, session.ErrRevoked)
	_, err = f.m.VerifyAccess(ctx, f.bob.AccessToken)
	require.ErrorIs(t, err, session.ErrRevoked, "a subject revocation was lost")
	require.Equal(t, 401, f.apiStatus(t, f.byID.AccessToken))
}

// TestRedisCrash stops Redis mid-run with SIGKILL while revocation checks
// run, and starts it again: the checks fail closed while it is down, the
// same client recovers, and the revocations and the rotation state survive
// (append-only file, fsync always).
func TestRedisCrash(t *testing.T) {
	goroutines := runtime.NumGoroutine()
	f := newFaultFixture(t)
	ctx := context.Background()

	// Revocation checks run throughout, as an API's requests would.
	var liveOK, liveDown, revokedAllowed, unexpected atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				switch err := f.m.CheckAccess(ctx, f.liveClaims); {
				case err == nil:
					liveOK.Add(1)
				case errors.Is(err, session.ErrStoreUnavailable):
					liveDown.Add(1)
				default:
					unexpected.Add(1)
				}
				switch err := f.m.CheckAccess(ctx, f.byIDClaims); {
				case err == nil:
					revokedAllowed.Add(1)
				case errors.Is(err, session.ErrRevoked), errors.Is(err, session.ErrStoreUnavailable):
				default:
					unexpected.Add(1)
				}
				time.Sleep(time.Millisecond)
			}
		})
	}

	time.Sleep(50 * time.Millisecond)
	f.srv.kill()
	f.requireDown(t)
	f.srv.start()
	recovery := f.waitUp(t)
	t.Logf("the client recovered %v after redis-server answered again", recovery.Round(time.Millisecond))
	time.Sleep(50 * time.Millisecond)
	close(stop)
	wg.Wait()

	f.requireRevocationsKept(t)
	_, err := f.m.Refresh(ctx, f.rotated.RefreshToken)
	require.ErrorIs(t, err, session.ErrReused, "the rotation before the crash was lost")
	_, err = f.m.Refresh(ctx, f.live.RefreshToken)
	require.NoError(t, err, "refresh after recovery")

	t.Logf("checks during the run: live token %d allowed, %d refused as store unavailable; revoked token allowed %d times",
		liveOK.Load(), liveDown.Load(), revokedAllowed.Load())
	require.Zero(t, revokedAllowed.Load(), "a revoked token was allowed")
	require.Zero(t, unexpected.Load(), "checks failed with unexpected errors")
	require.Positive(t, liveDown.Load(), "no check ran while Redis was down")
	require.Positive(t, liveOK.Load())

	f.close()
	waitGoroutines(t, goroutines)
}

// TestRedisRestart shuts Redis down cleanly and starts it again: the
// revocations, including a family revoked for reuse, survive.
func TestRedisRestart(t *testing.T) {
	goroutines := runtime.NumGoroutine()
	f := newFaultFixture(t)
	ctx := context.Background()
	_, err := f.m.Refresh(ctx, f.rotated.RefreshToken)
	require.ErrorIs(t, err, session.ErrReused)

	f.srv.stop()
	f.requireDown(t)
	f.srv.start()
	f.waitUp(t)

	f.requireRevocationsKept(t)
	_, err = f.m.Refresh(ctx, f.rotatedNext.RefreshToken)
	require.ErrorIs(t, err, session.ErrRevoked, "the family revoked for reuse came back")
	require.Equal(t, 200, f.refreshStatus(t, f.live.RefreshToken))
	f.close()
	waitGoroutines(t, goroutines)
}

// TestReplayKeysUnderMaxmemory shows what the package documentation argues
// about a Redis with maxmemory and the noeviction policy (issue 21): Redis
// has no memory quota per key prefix, so when replay-cache keys have filled
// the instance, every write is refused, revocations too. A replay cache of
// its own (a second Store on another Redis, given to dpop.Options) keeps
// revocations writable while it refuses proofs, closed.
func TestReplayKeysUnderMaxmemory(t *testing.T) {
	ctx := context.Background()
	fill := func(t *testing.T, c *redis.Client, rc session.ReplayCache) {
		t.Helper()
		used, err := c.Info(ctx, "memory").Result()
		require.NoError(t, err)
		var n int64
		for _, line := range strings.Split(used, "\r\n") {
			if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
				n, err = strconv.ParseInt(v, 10, 64)
				require.NoError(t, err)
			}
		}
		require.Positive(t, n)
		require.NoError(t, c.ConfigSet(ctx, "maxmemory", strconv.FormatInt(n+(256<<10), 10)).Err())
		require.NoError(t, c.ConfigSet(ctx, "maxmemory-policy", "noeviction").Err())
		require.NoError(t, c.ConfigSet(ctx, "appendfsync", "no").Err()) // fill faster
		for i := 0; ; i++ {
			require.Less(t, i, 100_000, "256 KiB did not fill")
			if _, err := rc.Remember(ctx, fmt.Sprint("proof-", i), time.Minute); err != nil {
				require.ErrorIs(t, err, session.ErrStoreUnavailable)
				require.ErrorContains(t, err, "OOM")
				return
			}
		}
	}
	signer, verifier := newTestKeys(t)

	t.Run("shared", func(t *testing.T) {
		srv := startRedis(t)
		c := redis.NewClient(clientOptions(srv.addr))
		defer c.Close()
		store, err := redisstore.New(c, nil)
		require.NoError(t, err)
		m := newManager(t, store, signer, verifier)
		p, err := m.Issue(ctx, session.Grant{Subject: "alice"})
		require.NoError(t, err)
		fill(t, c, store)
		require.ErrorIs(t, m.RevokeSubject(ctx, "alice", time.Now()), session.ErrStoreUnavailable, "a full shared instance refuses revocations")
		require.ErrorIs(t, m.RevokeToken(ctx, p.RefreshToken), session.ErrStoreUnavailable)
	})
	t.Run("separate", func(t *testing.T) {
		revocations, proofs := startRedis(t), startRedis(t)
		rc, pc := redis.NewClient(clientOptions(revocations.addr)), redis.NewClient(clientOptions(proofs.addr))
		defer rc.Close()
		defer pc.Close()
		store, err := redisstore.New(rc, nil)
		require.NoError(t, err)
		replay, err := redisstore.New(pc, nil)
		require.NoError(t, err)
		m := newManager(t, store, signer, verifier)
		p, err := m.Issue(ctx, session.Grant{Subject: "alice"})
		require.NoError(t, err)
		fill(t, pc, replay)
		_, err = replay.Remember(ctx, "a new proof", time.Minute)
		require.ErrorIs(t, err, session.ErrStoreUnavailable, "the full replay cache refuses proofs")
		require.NoError(t, m.RevokeSubject(ctx, "alice", time.Now()))
		require.NoError(t, m.RevokeToken(ctx, p.RefreshToken))
		_, err = m.VerifyAccess(ctx, p.AccessToken)
		require.ErrorIs(t, err, session.ErrRevoked)
	})
}
