package redisstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/redisstore"
	"github.com/jwtkit/jwt/session"
	"github.com/jwtkit/jwt/session/storetest"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
	"github.com/stretchr/testify/require"
)

// addrEnv names the environment variable giving the address of a Redis
// server the tests may use (test.sh starts a throw-away one).
const addrEnv = "JWTKIT_REDIS_ADDR"

// clientOptions are the options of every test client: short timeouts so
// that a test against a stopped server ends quickly.
func clientOptions(addr string) *redis.Options {
	return &redis.Options{
		Addr:                     addr,
		DialTimeout:              500 * time.Millisecond,
		ReadTimeout:              500 * time.Millisecond,
		WriteTimeout:             500 * time.Millisecond,
		MaxRetries:               1,
		DialerRetries:            2,
		DialerRetryTimeout:       20 * time.Millisecond,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	}
}

// newClient returns a client of the server at $JWTKIT_REDIS_ADDR, closed
// when the test ends, and skips the test if the variable is not set.
func newClient(t testing.TB) *redis.Client {
	t.Helper()
	addr := os.Getenv(addrEnv)
	if addr == "" {
		t.Skipf("%s is not set: no Redis server to test against (redisstore/test.sh starts one)", addrEnv)
	}
	c := redis.NewClient(clientOptions(addr))
	t.Cleanup(func() { c.Close() })
	return c
}

func randomHex() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// newStore returns a store with a key prefix of its own, whose keys are
// deleted when the test ends.
func newStore(t testing.TB, c redis.UniversalClient) (*redisstore.Store, string) {
	t.Helper()
	return newStoreClock(t, c, nil)
}

// newStoreClock is newStore with the clock now (nil means time.Now).
func newStoreClock(t testing.TB, c redis.UniversalClient, now func() time.Time) (*redisstore.Store, string) {
	t.Helper()
	prefix := "jwtkit-test:" + randomHex() + ":"
	s, err := redisstore.New(c, &redisstore.Options{Prefix: prefix, Now: now})
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
	})
	return s, prefix
}

func TestStore(t *testing.T) {
	c := newClient(t)
	storetest.Run(t, func(t *testing.T, now func() time.Time) session.Store {
		s, _ := newStoreClock(t, c, now)
		return s
	})
}

func TestNewRefusesClientSideCache(t *testing.T) {
	c := redis.NewClient(&redis.Options{
		Addr:                  "127.0.0.1:1",
		Protocol:              3,
		ClientSideCacheConfig: &redis.ClientSideCacheConfig{},
	})
	defer c.Close()
	_, err := redisstore.New(c, nil)
	require.ErrorIs(t, err, jwt.ErrInvalidOption)
	_, err = redisstore.New(nil, nil)
	require.ErrorIs(t, err, jwt.ErrInvalidOption)
}

func newTestKeys(t testing.TB) (jwt.Signer, jwt.Verifier) {
	t.Helper()
	secret := make([]byte, 32)
	rand.Read(secret)
	s, err := jwt.HS256.NewSigner(secret)
	require.NoError(t, err)
	v, err := jwt.HS256.NewVerifier(secret)
	require.NoError(t, err)
	return s, v
}

func newManager(t testing.TB, s session.Store, signer jwt.Signer, verifier jwt.Verifier) *session.Manager {
	t.Helper()
	m, err := session.New(session.Options{Signer: session.FixedSigner(signer), Keys: verifier, Store: s, Issuer: "https://auth.example", Audience: []string{"api"}})
	require.NoError(t, err)
	return m
}

// TestKeys shows that every key the store writes has a TTL and a hash tag.
func TestKeys(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	s, prefix := newStore(t, c)
	signer, verifier := newTestKeys(t)
	m := newManager(t, s, signer, verifier)
	p, err := m.Issue(ctx, session.Grant{Subject: "alice"})
	require.NoError(t, err)
	p, err = m.Refresh(ctx, p.RefreshToken)
	require.NoError(t, err)
	require.NoError(t, m.RevokeToken(ctx, p.AccessToken))
	require.NoError(t, m.RevokeSubject(ctx, "bob", time.Now()))
	_, err = s.Remember(ctx, "a proof", time.Minute)
	require.NoError(t, err)

	keys, err := c.Keys(ctx, prefix+"*").Result()
	require.NoError(t, err)
	require.Len(t, keys, 4, "family, revoked token, subject, replay key: %v", keys)
	for _, k := range keys {
		ttl, err := c.PTTL(ctx, k).Result()
		require.NoError(t, err)
		require.Positive(t, ttl, "key %s has no TTL", k)
		require.Regexp(t, `^`+prefix+`(fam|jti|sub|seen):\{[A-Za-z0-9_-]+\}$`, k)
		require.NotContains(t, k, "alice", "a subject stored as given")
	}
	require.Contains(t, keys, prefix+"fam:{"+p.FamilyID+"}")
	ttl, err := c.PTTL(ctx, prefix+"fam:{"+p.FamilyID+"}").Result()
	require.NoError(t, err)
	require.InDelta(t, float64(24*time.Hour), float64(ttl), float64(5*time.Second), "a family lives as long as its refresh token")
}

// TestTwoInstances shows two instances, each with its own connection pool,
// sharing one view: a rotation on one is reuse on the other, and a
// revocation on one is seen by the other at once.
func TestTwoInstances(t *testing.T) {
	ctx := context.Background()
	signer, verifier := newTestKeys(t)
	sa, prefix := newStore(t, newClient(t))
	sb, err := redisstore.New(newClient(t), &redisstore.Options{Prefix: prefix})
	require.NoError(t, err)
	a, b := newManager(t, sa, signer, verifier), newManager(t, sb, signer, verifier)

	p, err := a.Issue(ctx, session.Grant{Subject: "alice"})
	require.NoError(t, err)
	p2, err := a.Refresh(ctx, p.RefreshToken)
	require.NoError(t, err)
	_, err = b.Refresh(ctx, p.RefreshToken)
	require.ErrorIs(t, err, session.ErrReused, "a token rotated on A reused on B")
	_, err = a.Refresh(ctx, p2.RefreshToken)
	require.ErrorIs(t, err, session.ErrRevoked, "the family revoked on B, refreshed on A")
	_, err = a.VerifyAccess(ctx, p2.AccessToken)
	require.ErrorIs(t, err, session.ErrRevoked)

	q, err := b.Issue(ctx, session.Grant{Subject: "carol"})
	require.NoError(t, err)
	_, err = a.VerifyAccess(ctx, q.AccessToken)
	require.NoError(t, err)
	require.NoError(t, b.RevokeToken(ctx, q.AccessToken))
	_, err = a.VerifyAccess(ctx, q.AccessToken)
	require.ErrorIs(t, err, session.ErrRevoked, "a revocation on B not seen at once on A")
}

// TestConcurrentRefreshTwoInstances refreshes one token from two instances
// at once, each with storetest.Concurrency/2 goroutines.
func TestConcurrentRefreshTwoInstances(t *testing.T) {
	ctx := context.Background()
	signer, verifier := newTestKeys(t)
	sa, prefix := newStore(t, newClient(t))
	sb, err := redisstore.New(newClient(t), &redisstore.Options{Prefix: prefix})
	require.NoError(t, err)
	managers := []*session.Manager{newManager(t, sa, signer, verifier), newManager(t, sb, signer, verifier)}
	p, err := managers[0].Issue(ctx, session.Grant{Subject: "alice"})
	require.NoError(t, err)

	n := storetest.Concurrency
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = managers[i%2].Refresh(ctx, p.RefreshToken)
		})
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if !errorsIsAny(err, session.ErrReused, session.ErrRevoked) {
			t.Errorf("unexpected error: %v", err)
		}
	}
	require.Equal(t, 1, ok, "%d concurrent refreshes of one token on two instances gave %d pairs", n, ok)
}

func errorsIsAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}

// TestScriptsReloaded shows that the store works after Redis has lost its
// script cache, as after a restart.
func TestScriptsReloaded(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	s, _ := newStore(t, c)
	signer, verifier := newTestKeys(t)
	m := newManager(t, s, signer, verifier)
	p, err := m.Issue(ctx, session.Grant{Subject: "alice"})
	require.NoError(t, err)
	require.NoError(t, c.ScriptFlush(ctx).Err())
	_, err = m.Refresh(ctx, p.RefreshToken)
	require.NoError(t, err)
}

// waitGoroutines waits, briefly, for the number of goroutines to fall to n.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := runtime.NumGoroutine(); got > n {
		buf := make([]byte, 1<<16)
		buf = buf[:runtime.Stack(buf, true)]
		t.Fatalf("%d goroutines left, want at most %d:\n%s", got, n, strings.TrimSpace(string(buf)))
	}
}
