package jwks

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"
)

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
