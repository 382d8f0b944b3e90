package jwks

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jwtkit/jwt"
)

// Defaults of [Options].
const (
	DefaultTimeout           = 10 * time.Second
	DefaultMaxBodySize       = 1 << 20
	DefaultLifetime          = 15 * time.Minute
	DefaultMinLifetime       = time.Minute
	DefaultMaxLifetime       = 24 * time.Hour
	DefaultMaxStaleness      = 24 * time.Hour
	DefaultCooldown          = 30 * time.Second
	DefaultNegativeCacheSize = 1024
)

// Options configure a [Remote]. The zero value, or a nil pointer, means the
// defaults; a negative duration or size is an error wrapping
// jwt.ErrInvalidOption.
type Options struct {
	// Client sends the requests; nil means a client using
	// http.DefaultTransport. The Remote uses a copy and never modifies it.
	// The copy's CheckRedirect refuses every redirect unless
	// FollowRedirects is set. A Timeout on Client applies as well as
	// Timeout below.
	Client *http.Client
	// Timeout bounds each request, from sending it to reading the last
	// byte of the body; zero means DefaultTimeout (10 s).
	Timeout time.Duration
	// FollowRedirects follows redirects to https URLs, then asks Client's
	// CheckRedirect, if any. A redirect to an address of this machine
	// (loopback, unspecified, localhost) or over plain http is refused
	// unless it stays on the origin (scheme, host and port) of the URL
	// given to NewRemote or NewOIDC: only the application, not a server,
	// may point the Remote at a local service. Without FollowRedirects a
	// redirect is an error wrapping ErrFetch.
	FollowRedirects bool
	// Algorithms are the algorithms the caller accepts, as for
	// Set.KeySet: a key whose "alg" is not among them is skipped,
	// and a key without "alg" (Entra ID, many Keycloak realms) is bound to
	// each of them that fits its type and size. When empty, each key is
	// bound to its own "alg" and keys without one are skipped.
	Algorithms []jwt.Algorithm
	// MaxBodySize is the largest body read, in bytes; zero means
	// DefaultMaxBodySize (1 MiB). A larger body is an error wrapping
	// ErrFetch.
	MaxBodySize int64
	// DefaultLifetime is how long a fetched set is used before it is
	// refreshed when the response has neither Cache-Control max-age nor
	// Expires; zero means 15 minutes.
	DefaultLifetime time.Duration
	// MinLifetime and MaxLifetime bound the lifetime the response asks
	// for; zero means 1 minute and 24 hours. "no-store", "no-cache" and
	// "max-age=0" mean MinLifetime. A MinLifetime under a minute is meant
	// for tests and local sidecars.
	MinLifetime, MaxLifetime time.Duration
	// MaxStaleness is how long past its lifetime a set is still served
	// while refreshing it fails; after that, Lookup fails closed with
	// jwt.ErrUnavailable. Zero means 24 hours.
	MaxStaleness time.Duration
	// Cooldown is the least time between two refreshes forced by tokens
	// with an unknown kid, and the time the Remote waits before it retries
	// after a failed refresh of a set it still serves; zero means 30 s.
	// While the Remote has no set to serve (none fetched yet, or the last
	// one past MaxStaleness), it retries sooner: after 250 ms, doubling
	// with each failure up to 5 s (or Cooldown, if shorter), so that it
	// serves again within seconds of the provider answering, and a flood
	// of tokens still makes at most one request per interval.
	Cooldown time.Duration
	// NegativeCacheSize is how many unknown kids the Remote remembers
	// between two scheduled refreshes; zero means 1024.
	NegativeCacheSize int
	// Background starts, with the first fetch, a goroutine that refreshes
	// the set ahead of its expiry even when no token arrives. Close stops
	// it. Without it the set is refreshed ahead of expiry in the
	// background of the first Lookup that finds it due.
	Background bool
	// Issuer, if set, is the "iss" of the tokens the keys sign, which
	// [Remote.Issuer] returns so that jwt.Verify requires it. NewOIDC sets
	// it from its issuer; for a Remote made by NewRemote it is empty unless
	// set here.
	Issuer string
	// OnFetch, if set, is called after each request the Remote makes (for
	// the discovery document or the JWK Set), successful or not, with what
	// happened: for logs and metrics. It is called on the goroutine that
	// fetched, before the callers waiting for the fetch (such as Prefetch)
	// return. It must return promptly and must not call Close.
	OnFetch func(FetchEvent)
	// Jitter spreads the refreshes of the instances of a service that
	// fetched the same set at the same time, so that they do not all ask
	// the provider at once: a refresh is due at three quarters of the
	// set's lifetime less Jitter(lifetime/8), so between five eighths and
	// three quarters of it. Jitter returns a duration in [0, max), and one
	// outside is taken as the nearest bound. Nil means a random duration
	// (math/rand/v2); a fixed one is meant for tests.
	Jitter func(max time.Duration) time.Duration
	// Snapshot, if set, is a JWK Set the application saved earlier (see
	// [Remote.Snapshot]), which the Remote serves from the start, so that
	// a service started while the provider is down can verify tokens. It
	// is marked stale (Status.FromSnapshot) and due for a refresh at once:
	// the first successful fetch replaces it entirely, and it is served
	// for at most MaxStaleness after NewRemote while no fetch succeeds.
	// It must hold public keys only; one that cannot be parsed, or holds
	// no usable key, is an error wrapping jwt.ErrInvalidOption and
	// ErrInvalidSet.
	Snapshot []byte
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// config is Options with the defaults applied.
type config struct {
	client                             *http.Client // CheckRedirect is set by newRemote
	follow                             bool
	timeout                            time.Duration
	algs                               []jwt.Algorithm
	maxBody                            int64
	lifetime, minLifetime, maxLifetime time.Duration
	maxStale, cooldown                 time.Duration
	negSize                            int
	background                         bool
	issuer                             string
	onFetch                            func(FetchEvent)
	jitter                             func(time.Duration) time.Duration
	now                                func() time.Time
}

func newConfig(o *Options) (config, error) {
	if o == nil {
		o = &Options{}
	}
	c := config{
		timeout:     orDefault(o.Timeout, DefaultTimeout),
		algs:        slices.Clone(o.Algorithms),
		maxBody:     orDefault(o.MaxBodySize, DefaultMaxBodySize),
		lifetime:    orDefault(o.DefaultLifetime, DefaultLifetime),
		minLifetime: orDefault(o.MinLifetime, DefaultMinLifetime),
		maxLifetime: orDefault(o.MaxLifetime, DefaultMaxLifetime),
		maxStale:    orDefault(o.MaxStaleness, DefaultMaxStaleness),
		cooldown:    orDefault(o.Cooldown, DefaultCooldown),
		negSize:     orDefault(o.NegativeCacheSize, DefaultNegativeCacheSize),
		background:  o.Background,
		issuer:      o.Issuer,
		onFetch:     o.OnFetch,
		jitter:      o.Jitter,
		now:         o.Now,
	}
	for name, v := range map[string]int64{
		"Timeout": int64(o.Timeout), "MaxBodySize": o.MaxBodySize, "DefaultLifetime": int64(o.DefaultLifetime),
		"MinLifetime": int64(o.MinLifetime), "MaxLifetime": int64(o.MaxLifetime), "MaxStaleness": int64(o.MaxStaleness),
		"Cooldown": int64(o.Cooldown), "NegativeCacheSize": int64(o.NegativeCacheSize),
	} {
		if v < 0 {
			return c, wrap(jwt.ErrInvalidOption, nil, "negative %s", name)
		}
	}
	if c.minLifetime > c.maxLifetime {
		return c, wrap(jwt.ErrInvalidOption, nil, "MinLifetime %v above MaxLifetime %v", c.minLifetime, c.maxLifetime)
	}
	if c.lifetime < c.minLifetime || c.lifetime > c.maxLifetime {
		return c, wrap(jwt.ErrInvalidOption, nil, "DefaultLifetime %v outside [%v, %v]", c.lifetime, c.minLifetime, c.maxLifetime)
	}
	if slices.Contains(c.algs, nil) {
		return c, wrap(jwt.ErrInvalidOption, nil, "nil Algorithm in Algorithms")
	}
	c.client = &http.Client{}
	if o.Client != nil {
		*c.client = *o.Client
	}
	c.follow = o.FollowRedirects
	if c.now == nil {
		c.now = time.Now
	}
	if c.jitter == nil {
		c.jitter = randomJitter
	}
	return c, nil
}

// randomJitter returns a random duration in [0, max), or 0 if max is not
// positive.
func randomJitter(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return rand.N(max)
}

func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// Remote is a JWK Set fetched from a URL, such as an identity provider's
// jwks_uri, and kept up to date. It is a [jwt.KeySource]: pass it to
// [jwt.Verify]. It is safe for concurrent use. Call Close when done with it.
//
// The token's "kid" selects the key; a token without "kid" is checked with
// the keys bound to its "alg", as a [jwt.KeySet] does. Lookup uses the set
// it holds without waiting, refreshing it in the background once it is due
// (between five eighths and three quarters of its lifetime, see
// Options.Jitter), and waits only when the Remote has no
// usable set at all: for the first fetch, or once the set is older than its
// lifetime plus Options.MaxStaleness. Such a wait ends when the fetch does
// (each request has its own timeout) or when the caller's context is done,
// whichever is first; the fetch itself goes on for the other waiters.
//
// A token whose kid the set lacks forces one refresh, shared by every token
// that arrives meanwhile; then, for Options.Cooldown, unknown kids fail at
// once. A kid still missing after a forced refresh is remembered (up to
// Options.NegativeCacheSize kids) and forces no refresh before the next
// scheduled one. A token whose signature fails never causes a fetch.
//
// Every refresh replaces the whole set: a key removed upstream stops
// verifying as soon as the refresh that no longer lists it completes.
type Remote struct {
	cfg          config
	issuer       string   // the tokens' "iss", or ""
	configured   *url.URL // the URL given to NewRemote or NewOIDC
	discoveryURL string   // where the jwks_uri is found, or ""

	state   atomic.Pointer[snapshot]
	nextTry atomic.Int64 // UnixNano before which no scheduled fetch starts

	ctx    context.Context // canceled by Close; every fetch runs under it
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu          sync.Mutex
	url         string  // the JWK Set's URL; "" until discovery finds it
	flight      *flight // the fetch in progress, or nil
	closed      bool
	looping     bool
	lastForced  time.Time // start of the last refresh forced by an unknown kid
	lastAttempt time.Time
	lastErr     error
	fetches     int
	failures    int                            // consecutive failed fetches while no set is served
	neg         map[[sha256.Size]byte]struct{} // kids missing after a forced refresh
}

// snapshot is a usable set as fetched; it is never modified.
type snapshot struct {
	keys      *jwt.KeySet
	count     int     // JWKs usable for verifying
	skipped   []error // JWKs left out, one error each
	etag      string
	lifetime  time.Duration
	fetched   time.Time // last 200 or 304
	refreshAt time.Time // when a refresh is due
	expires   time.Time
	staleAt   time.Time // when the set stops being served
	body      []byte    // the JWK Set as fetched (see Remote.Snapshot)
	given     bool      // Options.Snapshot, not fetched
}

// flight is one fetch, which any number of callers may wait for.
type flight struct {
	done   chan struct{} // closed when the fetch is over
	err    error         // the fetch's error, set before done is closed
	forced bool          // started for an unknown kid
}

// FetchEvent describes one request a [Remote] made, for logs and metrics
// (see Options.OnFetch). It holds no key material.
type FetchEvent struct {
	// URL is the URL requested, the discovery document's or the JWK Set's,
	// with any password in it redacted.
	URL string
	// Status is the HTTP status of the response, or 0 if there was none
	// (a network error or a timeout).
	Status int
	// Duration is how long the request took, through reading and checking
	// the document, as measured by Options.Now.
	Duration time.Duration
	// Keys is how many keys of the JWK Set can verify signatures after a
	// successful fetch of the set (also a 304); 0 otherwise.
	Keys int
	// Err is nil if the request succeeded; otherwise the error, which
	// wraps ErrFetch, ErrInvalidSet or ErrDiscovery.
	Err error
}

// Status describes a Remote, for health checks and metrics.
type Status struct {
	// URL is the JWK Set's URL; empty until discovery has found it.
	URL string
	// Issuer is what Remote.Issuer returns: the issuer given to NewOIDC,
	// or Options.Issuer.
	Issuer string
	// Serving reports whether Lookup has keys to serve: a set has been
	// fetched and is not older than its lifetime plus MaxStaleness.
	Serving bool
	// Keys is how many keys of the set served can verify signatures.
	Keys int
	// Skipped holds one error for each key of the set that was left out.
	Skipped []error
	// LastSuccess is when the set served was last fetched or confirmed
	// unchanged (304); zero if never.
	LastSuccess time.Time
	// Expires is when the set served reaches the end of its lifetime.
	Expires time.Time
	// LastAttempt is when the last fetch started; zero if never.
	LastAttempt time.Time
	// LastError is the error of the last fetch, or nil if it succeeded.
	LastError error
	// Fetches counts the fetches started.
	Fetches int
	// FromSnapshot reports whether the set served is Options.Snapshot,
	// which no fetch has replaced yet: it may be out of date.
	FromSnapshot bool
}

// NewRemote returns a Remote that fetches the JWK Set at rawURL, which must be
// https, or http to a loopback address. It does no I/O: the first fetch
// happens on Prefetch or on the first Lookup. An invalid URL or option is
// an error wrapping jwt.ErrInvalidOption.
func NewRemote(rawURL string, opts *Options) (*Remote, error) {
	u, err := checkURL(rawURL)
	if err != nil {
		return nil, wrap(jwt.ErrInvalidOption, err, "JWK Set")
	}
	s, err := newRemote(u, opts)
	if err != nil {
		return nil, err
	}
	s.url = rawURL
	return s, nil
}

// newRemote returns a Remote for the URL the application configured: the
// JWK Set's, or the issuer's.
func newRemote(configured *url.URL, opts *Options) (*Remote, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	cfg.client.CheckRedirect = redirectPolicy(cfg.follow, configured, cfg.client.CheckRedirect)
	s := &Remote{cfg: cfg, issuer: cfg.issuer, configured: configured, neg: make(map[[sha256.Size]byte]struct{})}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if opts != nil && opts.Snapshot != nil {
		if err := s.startFromSnapshot(opts.Snapshot); err != nil {
			s.cancel()
			return nil, err
		}
	}
	return s, nil
}

var _ jwt.IssuerKeySource = (*Remote)(nil)

// Issuer returns the "iss" of the tokens the Remote's keys sign: the issuer
// given to NewOIDC, or Options.Issuer; empty if neither says one. Given a
// Remote, jwt.Verify requires a token's "iss" to equal a non-empty Issuer.
func (s *Remote) Issuer() string { return s.issuer }

// Lookup implements [jwt.KeySource] with the rules given for [Remote]. Its
// errors wrap jwt.ErrKeyNotFound for an unknown key, jwt.ErrUnavailable
// when the Remote has no usable set (with the cause: ErrFetch,
// ErrInvalidSet, ErrDiscovery or ErrClosed), or jwt.ErrAlgorithmMismatch.
func (s *Remote) Lookup(ctx context.Context, h jwt.Header) ([]jwt.Verifier, error) {
	now := s.cfg.now()
	snap := s.state.Load()
	if snap == nil || !now.Before(snap.staleAt) {
		return s.lookupWaiting(ctx, h)
	}
	if !now.Before(snap.refreshAt) && now.UnixNano() >= s.nextTry.Load() {
		s.refreshAhead(now)
	}
	vs, err := snap.keys.Lookup(ctx, h)
	if err != nil {
		if h.KeyID != "" && errors.Is(err, jwt.ErrKeyNotFound) {
			return s.lookupUnknown(ctx, h, now)
		}
		return nil, relabel(err)
	}
	return vs, nil
}

// refreshAhead starts a refresh in the background, unless one is running
// or was just done.
func (s *Remote) refreshAhead(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := s.state.Load()
	if s.flight == nil && !s.closed && !now.Before(snap.refreshAt) && now.UnixNano() >= s.nextTry.Load() {
		s.start(false)
	}
}

// lookupWaiting serves a Remote that has nothing to serve: it waits, within
// ctx, for a fetch in progress or a new one, unless a fetch failed less
// than a cooldown ago.
func (s *Remote) lookupWaiting(ctx context.Context, h jwt.Header) ([]jwt.Verifier, error) {
	s.mu.Lock()
	f := s.flight
	switch {
	case s.closed:
		s.mu.Unlock()
		return nil, wrap(jwt.ErrUnavailable, ErrClosed, "")
	case f == nil && s.cfg.now().UnixNano() < s.nextTry.Load():
		err := s.unavailableLocked()
		s.mu.Unlock()
		return nil, err
	case f == nil:
		f = s.start(false)
	}
	s.mu.Unlock()
	if err := wait(ctx, f); err != nil {
		return nil, wrap(jwt.ErrUnavailable, err, "gave up waiting for the JWK Set")
	}
	snap := s.state.Load()
	if snap == nil || !s.cfg.now().Before(snap.staleAt) {
		s.mu.Lock()
		defer s.mu.Unlock()
		return nil, s.unavailableLocked()
	}
	vs, err := snap.keys.Lookup(ctx, h)
	return vs, relabel(err)
}

// unavailableLocked returns the error of a Remote with no usable set.
func (s *Remote) unavailableLocked() error {
	snap := s.state.Load()
	switch {
	case snap == nil && s.lastErr == nil:
		return wrap(jwt.ErrUnavailable, nil, "not fetched yet")
	case snap == nil:
		return wrap(jwt.ErrUnavailable, s.lastErr, "no fetch has succeeded")
	}
	return wrap(jwt.ErrUnavailable, s.lastErr, "the set fetched at %s expired at %s, beyond the maximum staleness of %v",
		snap.fetched.UTC().Format(time.RFC3339), snap.expires.UTC().Format(time.RFC3339), s.cfg.maxStale)
}

// lookupUnknown handles a token whose kid the set lacks.
func (s *Remote) lookupUnknown(ctx context.Context, h jwt.Header, now time.Time) ([]jwt.Verifier, error) {
	kid := sha256.Sum256([]byte(h.KeyID))
	s.mu.Lock()
	if _, ok := s.neg[kid]; ok {
		s.mu.Unlock()
		return nil, wrap(jwt.ErrKeyNotFound, nil, "no key with kid %s in the JWK Set (it was missing after a refresh, and forces none until the next scheduled one)", quote(h.KeyID))
	}
	f := s.flight
	if f == nil && s.closed {
		s.mu.Unlock()
		return nil, wrap(jwt.ErrKeyNotFound, ErrClosed, "no key with kid %s in the JWK Set, which is not refreshed after Close", quote(h.KeyID))
	}
	if f == nil {
		if last := s.lastForced; now.Before(last.Add(s.cfg.cooldown)) {
			// last is a copy: s.lastForced may change once s.mu is unlocked.
			s.mu.Unlock()
			return nil, wrap(jwt.ErrKeyNotFound, nil, "no key with kid %s in the JWK Set (it was refreshed for an unknown kid %v ago; the next such refresh may start in %v)",
				quote(h.KeyID), now.Sub(last), last.Add(s.cfg.cooldown).Sub(now))
		}
		s.lastForced = now
		f = s.start(true)
	}
	s.mu.Unlock()
	if err := wait(ctx, f); err != nil {
		return nil, wrap(jwt.ErrKeyNotFound, err, "no key with kid %s in the JWK Set; gave up waiting for its refresh", quote(h.KeyID))
	}
	snap := s.state.Load()
	if !s.cfg.now().Before(snap.staleAt) {
		s.mu.Lock()
		defer s.mu.Unlock()
		return nil, s.unavailableLocked()
	}
	vs, err := snap.keys.Lookup(ctx, h)
	if err == nil || !errors.Is(err, jwt.ErrKeyNotFound) {
		return vs, relabel(err)
	}
	if f.err != nil {
		return nil, wrap(jwt.ErrKeyNotFound, f.err, "no key with kid %s in the JWK Set, and refreshing it failed", quote(h.KeyID))
	}
	s.mu.Lock()
	if len(s.neg) < s.cfg.negSize {
		s.neg[kid] = struct{}{}
	}
	s.mu.Unlock()
	return nil, wrap(jwt.ErrKeyNotFound, nil, "no key with kid %s in the JWK Set, also after refreshing it", quote(h.KeyID))
}

// wait waits for f or for ctx, whichever is first. Canceling ctx ends only
// this wait, not the fetch.
func wait(ctx context.Context, f *flight) error {
	if ctx == nil {
		ctx = context.Background()
	}
	select {
	case <-f.done:
		return nil
	default:
	}
	select {
	case <-f.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Prefetch makes sure the Remote holds a set within its lifetime: if it does
// not, Prefetch fetches one (or joins the fetch in progress) and waits for
// it, at most until ctx is done. Its error wraps ErrFetch, ErrInvalidSet or
// ErrDiscovery, and the cause, such as context.DeadlineExceeded; it is
// ErrClosed after Close. Calling it is optional: Lookup fetches when it
// must.
func (s *Remote) Prefetch(ctx context.Context) error {
	if snap := s.state.Load(); snap != nil && s.cfg.now().Before(snap.expires) {
		s.mu.Lock()
		closed := s.closed
		s.mu.Unlock()
		if closed {
			return ErrClosed // as documented, whether or not the set is fresh
		}
		return nil
	}
	return s.Refresh(ctx)
}

// Refresh fetches the set now, or joins the fetch in progress, and waits
// for it at most until ctx is done; errors are as for Prefetch. It is
// meant for operators (a set known to have changed); a Remote refreshes itself.
func (s *Remote) Refresh(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	f := s.flight
	if f == nil {
		f = s.start(false)
	}
	s.mu.Unlock()
	if err := wait(ctx, f); err != nil {
		return wrap(ErrFetch, err, "gave up waiting for the JWK Set")
	}
	return f.err
}

// start starts a fetch; s.mu is held and s is not closed.
func (s *Remote) start(forced bool) *flight {
	f := &flight{done: make(chan struct{}), forced: forced}
	s.flight = f
	s.fetches++
	s.lastAttempt = s.cfg.now()
	s.nextTry.Store(math.MaxInt64) // no scheduled fetch while this one runs
	s.wg.Add(1)
	go s.run(f)
	if s.cfg.background && !s.looping {
		s.looping = true
		s.wg.Add(1)
		go s.loop()
	}
	return f
}

// run performs the fetch f and publishes its outcome.
func (s *Remote) run(f *flight) {
	defer s.wg.Done()
	snap, err := s.fetch(s.state.Load())
	now := s.cfg.now()
	s.mu.Lock()
	if err == nil {
		s.state.Store(snap)
		s.nextTry.Store(0)
		s.failures = 0
		if !f.forced {
			clear(s.neg)
		}
	} else {
		s.nextTry.Store(now.Add(s.retryDelayLocked(now)).UnixNano())
	}
	s.lastErr = err
	s.flight = nil
	f.err = err
	close(f.done)
	s.mu.Unlock()
}

// Bounds of the delay before a Remote with no set to serve retries.
const (
	minRetry = 250 * time.Millisecond
	maxRetry = 5 * time.Second
)

// retryDelayLocked returns how long after a failed fetch, at now, the next
// one may start; s.mu is held. A Remote that still serves a set waits a
// cooldown. One that has none retries after minRetry, doubling with each
// consecutive failure up to maxRetry, both bounded by the cooldown: the
// fetches stay single-flight and rate-limited, and the Remote serves again
// soon after the provider answers.
func (s *Remote) retryDelayLocked(now time.Time) time.Duration {
	if snap := s.state.Load(); snap != nil && now.Before(snap.staleAt) {
		return s.cfg.cooldown
	}
	d := minRetry << min(s.failures, 8)
	s.failures++
	return min(d, maxRetry, s.cfg.cooldown)
}

// loop refreshes the set ahead of its expiry until Close.
func (s *Remote) loop() {
	defer s.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return
		}
		f := s.flight
		var d time.Duration
		if f == nil {
			now := s.cfg.now()
			when := now
			if snap := s.state.Load(); snap != nil {
				when = snap.refreshAt
			}
			if next := time.Unix(0, s.nextTry.Load()); next.After(when) {
				when = next
			}
			if d = when.Sub(now); d <= 0 {
				f = s.start(false)
			}
		}
		s.mu.Unlock()
		if f != nil {
			select {
			case <-f.done:
				continue
			case <-s.ctx.Done():
				return
			}
		}
		timer.Reset(max(d, 10*time.Millisecond))
		select {
		case <-timer.C:
		case <-s.ctx.Done():
			return
		}
	}
}

// fetch fetches the set, conditionally if prev has an ETag, and returns
// the snapshot to serve.
func (s *Remote) fetch(prev *snapshot) (*snapshot, error) {
	u, err := s.jwksURL()
	if err != nil {
		return nil, err
	}
	ev := FetchEvent{URL: redactURL(u)}
	start := s.cfg.now()
	snap, err := s.fetchSet(prev, u, &ev)
	if s.cfg.onFetch != nil {
		ev.Duration = s.cfg.now().Sub(start)
		ev.Err = err
		if snap != nil {
			ev.Keys = snap.count
		}
		s.cfg.onFetch(ev)
	}
	return snap, err
}

// fetchSet is fetch once the JWK Set's URL, u, is known; it sets ev.Status.
func (s *Remote) fetchSet(prev *snapshot, u string, ev *FetchEvent) (*snapshot, error) {
	etag := ""
	if prev != nil {
		etag = prev.etag
	}
	resp, err := s.get(s.ctx, u, etag, "JWK Set", ev)
	if err != nil {
		return nil, err
	}
	now := s.cfg.now()
	lifetime, ok := freshness(resp.header, now)
	if resp.notModified {
		next := *prev
		next.given = false
		if resp.etag != "" {
			next.etag = resp.etag
		}
		if !ok {
			lifetime, ok = prev.lifetime, true
		}
		next.setTimes(now, s.clamp(lifetime, ok), s.cfg)
		return &next, nil
	}
	set, skipped, err := Parse(resp.body, nil)
	if err != nil {
		detail, _ := strings.CutPrefix(trim(err), trim(ErrInvalidSet)+": ")
		return nil, &jwksError{msg: fmt.Sprintf("%s from %s: %s", trim(ErrInvalidSet), redact(u), detail), errs: []error{err}}
	}
	ks, unusable, err := set.KeySet(s.cfg.algs...)
	skipped = append(skipped, unusable...)
	if err != nil {
		why := ""
		if len(skipped) > 0 {
			why = fmt.Sprintf(" (%d keys left out; the first: %s)", len(skipped), trim(skipped[0]))
		}
		return nil, wrap(ErrInvalidSet, err, "from %s%s", redact(u), why)
	}
	next := &snapshot{
		keys:    ks,
		count:   len(set.Keys) - len(unusable),
		skipped: skipped,
		etag:    resp.etag,
		body:    resp.body,
	}
	next.setTimes(now, s.clamp(lifetime, ok), s.cfg)
	return next, nil
}

// clamp returns the lifetime to use for a response whose freshness is d
// (ok: the response gave one).
func (s *Remote) clamp(d time.Duration, ok bool) time.Duration {
	if !ok {
		return s.cfg.lifetime
	}
	return min(max(d, s.cfg.minLifetime), s.cfg.maxLifetime)
}

// setTimes sets the times of a set fetched (or confirmed by a 304) at now,
// to be used for lifetime: a refresh is due at three quarters of it less a
// jitter of up to an eighth (see Options.Jitter).
func (snap *snapshot) setTimes(now time.Time, lifetime time.Duration, cfg config) {
	spread := lifetime / 8
	jitter := min(max(cfg.jitter(spread), 0), spread)
	snap.lifetime = lifetime
	snap.fetched = now
	snap.refreshAt = now.Add(lifetime*3/4 - jitter)
	snap.expires = now.Add(lifetime)
	snap.staleAt = snap.expires.Add(cfg.maxStale)
}

// jwksURL returns the JWK Set's URL, reading the discovery document first
// if it is not known yet.
func (s *Remote) jwksURL() (string, error) {
	s.mu.Lock()
	u := s.url
	s.mu.Unlock()
	if u != "" {
		return u, nil
	}
	u, err := s.discover()
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.url = u
	s.mu.Unlock()
	return u, nil
}

// Status returns the state of s.
func (s *Remote) Status() Status {
	now := s.cfg.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Status{
		URL:         s.url,
		Issuer:      s.issuer,
		LastAttempt: s.lastAttempt,
		LastError:   s.lastErr,
		Fetches:     s.fetches,
	}
	if snap := s.state.Load(); snap != nil {
		st.Serving = now.Before(snap.staleAt)
		st.Keys = snap.count
		st.Skipped = slices.Clone(snap.skipped)
		st.LastSuccess = snap.fetched
		st.Expires = snap.expires
		st.FromSnapshot = snap.given
	}
	return st
}

// Close stops the Remote's background work: it cancels any fetch in progress,
// stops the refresh goroutine, and returns when they have ended. The Remote
// then fetches nothing more; Lookup serves the set it holds while it is
// not too stale. Close may be called more than once.
func (s *Remote) Close() {
	s.mu.Lock()
	s.closed = true
	s.nextTry.Store(math.MaxInt64) // Lookup need not ask for a refresh
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
}
