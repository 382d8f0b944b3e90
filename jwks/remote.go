package jwks

import (
	"context"
	"crypto/sha256"
	"errors"
	"math"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jwtkit/jwt"
)

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
