package jwks

import (
	"math/rand/v2"
	"net/http"
	"slices"
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
