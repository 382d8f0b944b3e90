package main

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testClock is a clock the tests move.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// limitedService serves cfg with the limits on failed logins on clock,
// counting the bcrypt work of logins in work.
func limitedService(t *testing.T, cfg *config, clock *testClock, work *atomic.Int64) *client {
	t.Helper()
	svc, err := newService(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	svc.limits = newLoginLimiter(clock.Now)
	countWork(t, svc.users, work)
	srv := httptest.NewServer(svc.Handler())
	t.Cleanup(func() {
		srv.Close()
		svc.Close()
	})
	return &client{t: t, base: srv.URL}
}

func newTestClock() *testClock {
	return &testClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

// loginAs posts a login of user with password, from the client address
// xff says (when the service trusts the test's loopback proxy).
func (c *client) loginAs(user, password string, header ...string) *response {
	c.t.Helper()
	return c.form("/login", url.Values{"username": {user}, "password": {password}}, header...)
}

// assertTooMany checks the answer of a login over a limit: 429, with
// Retry-After and the RFC 6749 error of refused credentials.
func assertTooMany(t *testing.T, r *response, retryAfter string) {
	t.Helper()
	assert.Equal(t, http.StatusTooManyRequests, r.status, string(r.body))
	assert.Equal(t, retryAfter, r.header.Get("Retry-After"))
	assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	assert.Equal(t, "invalid_grant", r.json(t)["error"])
}

// TestLoginLimitAccount is the regression test of brute force on one
// account: 30 wrong guesses in a row all got 401. Now the sixth gets 429,
// with no password check (no bcrypt work), whatever the password, until
// the account's bucket drains by one (Retry-After: 30); a user locked out
// is let in again within 30 s of the attack's last guess.
func TestLoginLimitAccount(t *testing.T) {
	clock, work := newTestClock(), &atomic.Int64{}
	c := limitedService(t, testConfig(t), clock, work)
	for i := range accountBurst {
		assertError(t, c.loginAs("alice", "guess"+strconv.Itoa(i)), 401, "invalid_grant")
	}
	require.NotZero(t, work.Swap(0))
	assertTooMany(t, c.loginAs("alice", "guess"), "30")
	assertTooMany(t, c.loginAs("alice", "alice-pw"), "30") // no oracle: the right password is refused too
	assert.Zero(t, work.Load(), "a refusal for the limit does no bcrypt work")
	assert.Equal(t, 200, c.loginAs("bob", "bob-pw").status, "other users are not touched")

	clock.Add(20 * time.Second)
	assertTooMany(t, c.loginAs("alice", "alice-pw"), "10")
	clock.Add(10 * time.Second)
	assert.Equal(t, 200, c.loginAs("alice", "alice-pw").status, "one try, after one interval")
	assertError(t, c.loginAs("alice", "guess"), 401, "invalid_grant")
	assertTooMany(t, c.loginAs("alice", "guess"), "30")

	// The lockout decays: after burst intervals without failures, a
	// whole burst again.
	clock.Add(accountBurst * accountEvery)
	for range accountBurst {
		assertError(t, c.loginAs("alice", "guess"), 401, "invalid_grant")
	}
	assertTooMany(t, c.loginAs("alice", "guess"), "30")

	// An unknown name is counted like a user: the limit tells nobody who
	// exists.
	for range accountBurst {
		assertError(t, c.loginAs("mallory", "guess"), 401, "invalid_grant")
	}
	assertTooMany(t, c.loginAs("mallory", "guess"), "30")
}

// TestLoginLimitAddress checks the limit per client address: one address
// guessing many names is refused once it has failed addressBurst times,
// before its request is read (a body that is no login is refused alike);
// others go on. Behind a trusted proxy the address is X-Forwarded-For's;
// from anyone else, X-Forwarded-For is ignored.
func TestLoginLimitAddress(t *testing.T) {
	clock, work := newTestClock(), &atomic.Int64{}
	cfg := testConfig(t)
	cfg.trustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	c := limitedService(t, cfg, clock, work)
	from := func(addr string) []string { return []string{"X-Forwarded-For", "203.0.113.9, " + addr} }
	for i := range addressBurst {
		assertError(t, c.loginAs("user"+strconv.Itoa(i), "guess", from("198.51.100.1")...), 401, "invalid_grant")
	}
	assertTooMany(t, c.loginAs("alice", "alice-pw", from("198.51.100.1")...), "10")
	r := c.do("POST", "/login", "text/plain", "not a login", from("198.51.100.1")...)
	assertTooMany(t, r, "10")
	assert.Equal(t, 200, c.loginAs("alice", "alice-pw", from("198.51.100.2")...).status)
	clock.Add(addressEvery)
	assertError(t, c.loginAs("alice", "guess", from("198.51.100.1")...), 401, "invalid_grant")
	assertTooMany(t, c.loginAs("alice", "guess", from("198.51.100.1")...), "10")

	// IPv6: one /64 is one client.
	for i := range addressBurst {
		assertError(t, c.loginAs("v6user"+strconv.Itoa(i), "guess", from(fmt.Sprintf("2001:db8::%x", i))...), 401, "invalid_grant")
	}
	assertTooMany(t, c.loginAs("alice", "alice-pw", from("2001:db8::ffff")...), "10")
	assert.Equal(t, 200, c.loginAs("alice", "alice-pw", from("2001:db8:0:1::1")...).status)

	// Not behind a trusted proxy: X-Forwarded-For is the client's say and
	// changes nothing.
	cfg = testConfig(t)
	c = limitedService(t, cfg, newTestClock(), work)
	for i := range addressBurst {
		assertError(t, c.loginAs("user"+strconv.Itoa(i), "guess", from("198.51.100."+strconv.Itoa(i))...), 401, "invalid_grant")
	}
	assertTooMany(t, c.loginAs("alice", "alice-pw", from("198.51.100.200")...), "10")
}

// TestLoginLimitConcurrent checks the class of check-then-act races in a
// limit: many guesses at once, more than the burst, are counted before
// any password is checked, so exactly accountBurst of them are checked
// and the others get 429.
func TestLoginLimitConcurrent(t *testing.T) {
	clock, work := newTestClock(), &atomic.Int64{}
	c := limitedService(t, testConfig(t), clock, work)
	const n = 4 * accountBurst
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			resp, err := http.PostForm(c.base+"/login", url.Values{"username": {"alice"}, "password": {"guess"}})
			if err != nil {
				statuses <- 0
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		})
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	assert.Equal(t, map[int]int{401: accountBurst, 429: n - accountBurst}, count)
	assert.Equal(t, int64(accountBurst)<<10, work.Load(), "only the burst's passwords are checked")
}

// TestBucketsBounded checks that each table of the limiter stays within
// maxKeys however many keys fail, dropping drained buckets first.
func TestBucketsBounded(t *testing.T) {
	now := newTestClock().Now()
	b := buckets{burst: 2, every: time.Minute, max: 100, full: map[string]time.Time{}}
	for i := range 1000 {
		b.add("k"+strconv.Itoa(i), now)
		require.LessOrEqual(t, len(b.full), b.max)
	}
	// Drained buckets go first: after they drain, the next sweep empties
	// the table of them, and the newest keys are kept.
	now = now.Add(time.Minute)
	b.add("fresh", now)
	b.add("fresh", now)
	now = now.Add(2 * time.Second)
	for i := range b.max - 1 {
		b.add("new"+strconv.Itoa(i), now)
	}
	assert.Len(t, b.full, b.max)
	assert.Equal(t, time.Minute-2*time.Second, b.wait("fresh", now), "the key still full is kept")
}

func TestClientAddress(t *testing.T) {
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.0.0.0/8")}
	for _, tc := range []struct {
		name, remote string
		xff          []string
		trusted      []netip.Prefix
		want         string
	}{
		{name: "direct", remote: "192.0.2.1:1234", want: "192.0.2.1"},
		{name: "direct, forged header", remote: "192.0.2.1:1234", xff: []string{"198.51.100.1"}, want: "192.0.2.1"},
		{name: "untrusted peer", remote: "192.0.2.1:1234", xff: []string{"198.51.100.1"}, trusted: loopback, want: "192.0.2.1"},
		{name: "proxy", remote: "127.0.0.1:1234", xff: []string{"198.51.100.1"}, trusted: loopback, want: "198.51.100.1"},
		{name: "proxy, forged first", remote: "127.0.0.1:1", xff: []string{"203.0.113.5, 198.51.100.1"}, trusted: loopback, want: "198.51.100.1"},
		{name: "two fields", remote: "127.0.0.1:1", xff: []string{"203.0.113.5", "198.51.100.1"}, trusted: loopback, want: "198.51.100.1"},
		{name: "two proxies", remote: "127.0.0.1:1", xff: []string{"198.51.100.1, 10.1.2.3"}, trusted: loopback, want: "198.51.100.1"},
		{name: "garbage", remote: "127.0.0.1:1", xff: []string{"198.51.100.1, nonsense"}, trusted: loopback, want: "127.0.0.1"},
		{name: "no header", remote: "127.0.0.1:1", trusted: loopback, want: "127.0.0.1"},
		{name: "ipv6 /64", remote: "[2001:db8:1:2:3:4:5:6]:1", want: "2001:db8:1:2::/64"},
		{name: "mapped", remote: "[::ffff:192.0.2.1]:1", want: "192.0.2.1"},
	} {
		r := httptest.NewRequest("POST", "/login", nil)
		r.RemoteAddr = tc.remote
		for _, v := range tc.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		assert.Equal(t, tc.want, clientAddress(r, tc.trusted), tc.name)
	}
}
