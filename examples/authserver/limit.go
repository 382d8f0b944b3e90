package main

import (
	"crypto/sha256"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The limits on failed logins. Each key (a user name, a client address)
// has a bucket that a failure fills by one and that drains by one every
// interval; a key whose bucket is full is refused without a password
// check until it drains by one. A lockout thus ends one interval after the
// last failure: an attacker can slow a user's logins down to one try per
// accountEvery, but not lock the user out for long once the attack stops.
const (
	accountBurst = 5                // failures in a row allowed per user name
	accountEvery = 30 * time.Second // one more failure allowed per user name after it
	addressBurst = 20               // failures in a row allowed per client address
	addressEvery = 10 * time.Second // one more failure allowed per client address after it
	// maxKeys bounds each table. When one is full, drained buckets are
	// dropped first, then a random one.
	maxKeys = 10000
)

// loginLimiter limits failed logins per user name and per client address
// (see the constants above). Every attempt is counted as a failure before
// the password is checked, and given back when it succeeds, so that
// concurrent attempts cannot pass the limit together. Names are counted
// whether or not the user exists: the limit says nothing of who exists.
type loginLimiter struct {
	mu        sync.Mutex
	now       func() time.Time
	accounts  buckets
	addresses buckets
}

func newLoginLimiter(now func() time.Time) *loginLimiter {
	return &loginLimiter{
		now:       now,
		accounts:  buckets{burst: accountBurst, every: accountEvery, max: maxKeys, full: make(map[string]time.Time)},
		addresses: buckets{burst: addressBurst, every: addressEvery, max: maxKeys, full: make(map[string]time.Time)},
	}
}

// addressWait returns how long the address must wait before its next
// attempt, or 0 if it may try now. It counts nothing.
func (l *loginLimiter) addressWait(addr string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.addresses.wait(addr, l.now())
}

// reserve counts an attempt of name from addr as a failure, or, if either
// is at its limit, counts nothing and returns how long to wait.
func (l *loginLimiter) reserve(name, addr string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	name = accountKey(name)
	if d := max(l.accounts.wait(name, now), l.addresses.wait(addr, now)); d > 0 {
		return d
	}
	l.accounts.add(name, now)
	l.addresses.add(addr, now)
	return 0
}

// refund gives back the failure reserve counted, for a login that
// succeeded.
func (l *loginLimiter) refund(name, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.accounts.remove(accountKey(name), now)
	l.addresses.remove(addr, now)
}

// buckets is a table of leaky buckets, each held as the instant it will
// be empty: a failure at now moves it to max(empty, now)+every, and the
// bucket is full when that would be more than burst intervals ahead.
type buckets struct {
	burst int
	every time.Duration
	max   int
	full  map[string]time.Time // when each key's bucket is empty
	swept time.Time            // the last sweep of drained buckets
}

// wait returns how long key must wait for room for one more failure.
func (b *buckets) wait(key string, now time.Time) time.Duration {
	empty, ok := b.full[key]
	if !ok || !empty.After(now) {
		return 0
	}
	return max(0, empty.Add(b.every).Sub(now)-time.Duration(b.burst)*b.every)
}

// add counts one failure of key.
func (b *buckets) add(key string, now time.Time) {
	empty, ok := b.full[key]
	if !ok {
		b.makeRoom(now)
	}
	if empty.Before(now) {
		empty = now
	}
	b.full[key] = empty.Add(b.every)
}

// remove gives back one failure of key.
func (b *buckets) remove(key string, now time.Time) {
	empty, ok := b.full[key]
	if !ok {
		return
	}
	if empty = empty.Add(-b.every); empty.After(now) {
		b.full[key] = empty
	} else {
		delete(b.full, key)
	}
}

// makeRoom makes room for a new key in a full table: it drops the drained
// buckets (at most once a second, so that a flood of new keys does not
// sweep on every request), or else a random one, which forgets that key's
// failures: forgetting keys needs maxKeys failures faster than they drain,
// which the limit per address spreads over many addresses.
func (b *buckets) makeRoom(now time.Time) {
	if len(b.full) < b.max {
		return
	}
	if now.Sub(b.swept) >= time.Second {
		b.swept = now
		for k, empty := range b.full {
			if !empty.After(now) {
				delete(b.full, k)
			}
		}
	}
	for k := range b.full {
		if len(b.full) < b.max {
			break
		}
		delete(b.full, k) // map order is random
	}
}

// retryAfter is the value of a Retry-After field for d: whole seconds,
// rounded up.
func retryAfter(d time.Duration) string {
	return strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10)
}

// clientAddress returns the key of the client's address for the limit on
// failed logins: the peer's address, or, when the peer is one of the
// trusted proxies, the last address of X-Forwarded-For that is not one
// (nginx appends the address it saw to those the client sent); the walk
// stops at one that does not parse, counting the request as the last
// proxy's. An IPv6 address counts as its /64, which one client often
// holds whole.
func clientAddress(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return r.RemoteAddr
	}
	addr := peer.Unmap()
	if isTrusted(addr, trusted) {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break
			}
			addr = a.Unmap()
			if !isTrusted(addr, trusted) {
				break
			}
		}
	}
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// accountKey is the key of the account name in the limiter's table: a
// SHA-256 of the name, so that a table full of names an attacker chose
// (up to the size of a login body each) holds 32 bytes per entry.
func accountKey(name string) string {
	h := sha256.Sum256([]byte(name))
	return string(h[:])
}
