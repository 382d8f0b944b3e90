package clientauth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/session"
)

// ReplayCache remembers the "jti" of the assertions a server accepted. It
// is the interface of session.ReplayCache and dpop.ReplayCache, which
// session.MemoryStore and the Redis store of module
// github.com/jwtkit/jwt/redisstore implement: Remember records key for ttl
// unless it is recorded already, atomically across every instance sharing
// the cache, and reports whether it was new. An error means it could not
// tell, and the assertion is refused.
type ReplayCache interface {
	Remember(ctx context.Context, key string, ttl time.Duration) (fresh bool, err error)
}

var _ ReplayCache = (*session.MemoryStore)(nil)

// Client is a client registered with a [Verifier].
type Client struct {
	// ID is the client_id: the "iss" and "sub" of its assertions.
	ID string
	// Keys are the client's public keys: a *jwt.KeySet (from a JWK Set
	// with jwks.Parse and Set.KeySet), or a *jwks.Remote for its jwks_uri.
	// A key source bound to an issuer (jwt.IssuerKeySource) must be bound to
	// none or to ID.
	Keys jwt.KeySource
	// Scopes are the scopes the client may ask for.
	Scopes []string
}

// Options configure a [Verifier]. Audience, Clients and ReplayCache are
// required; an invalid option is an error wrapping jwt.ErrInvalidOption.
type Options struct {
	// Audience are the values an assertion's "aud" may be, compared
	// exactly: the server's issuer identifier and its token endpoint URL
	// (RFC 7523 §3 allows either), as the server knows them, never built
	// from a request's Host header.
	Audience []string
	// Clients are the registered clients; their IDs must differ.
	Clients []Client
	// ReplayCache remembers the assertions' "jti": for several instances,
	// one shared store, such as the session store.
	ReplayCache ReplayCache
	// MaxLifetime is the longest an assertion may live, up to MaxLifetime
	// (5 minutes); zero means MaxLifetime.
	MaxLifetime time.Duration
	// Leeway is the clock skew allowed on "exp", "nbf" and "iat", up to
	// jwt.MaxLeeway; zero means none.
	Leeway time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Verifier checks client assertions (RFC 7523 §3) against the registered
// clients' keys, as the package documentation's Security section says. It
// is safe for concurrent use.
type Verifier struct {
	aud     []string
	clients map[string]*Client
	replay  ReplayCache
	max     time.Duration
	leeway  time.Duration
	now     func() time.Time
}

// NewVerifier returns a Verifier for opts. It does no I/O.
func NewVerifier(opts *Options) (*Verifier, error) {
	if opts == nil {
		opts = &Options{}
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("clientauth: %s: %w", fmt.Sprintf(format, args...), jwt.ErrInvalidOption)
	}
	switch {
	case len(opts.Audience) == 0 || slices.Contains(opts.Audience, ""):
		return nil, bad("Audience must name the issuer or the token endpoint URL, and no empty value")
	case opts.ReplayCache == nil:
		return nil, bad("no ReplayCache: assertions must be single-use")
	case opts.MaxLifetime < 0 || opts.MaxLifetime > MaxLifetime:
		return nil, bad("MaxLifetime %v outside [0, %v]", opts.MaxLifetime, MaxLifetime)
	case opts.Leeway < 0 || opts.Leeway > jwt.MaxLeeway:
		return nil, bad("Leeway %v outside [0, %v]", opts.Leeway, jwt.MaxLeeway)
	}
	v := &Verifier{
		aud:     slices.Clone(opts.Audience),
		clients: make(map[string]*Client, len(opts.Clients)),
		replay:  opts.ReplayCache,
		max:     opts.MaxLifetime,
		leeway:  opts.Leeway,
		now:     opts.Now,
	}
	if v.max == 0 {
		v.max = MaxLifetime
	}
	if v.now == nil {
		v.now = time.Now
	}
	for _, c := range opts.Clients {
		switch {
		case c.ID == "":
			return nil, bad("a client with an empty ID")
		case c.Keys == nil:
			return nil, bad("client %q has no keys", c.ID)
		case v.clients[c.ID] != nil:
			return nil, bad("client %q registered twice", c.ID)
		}
		if ik, ok := c.Keys.(jwt.IssuerKeySource); ok && ik.Issuer() != "" && ik.Issuer() != c.ID {
			return nil, bad("the keys of client %q are bound to the issuer %q", c.ID, ik.Issuer())
		}
		c.Scopes = slices.Clone(c.Scopes)
		v.clients[c.ID] = &c
	}
	return v, nil
}

// Assertion is an assertion a Verifier accepted.
type Assertion struct {
	// Client is the client it authenticates.
	Client *Client
	// Claims are its registered claims.
	Claims jwt.RegisteredClaims
}

// Verify checks assertion and returns the client it authenticates. Its
// errors wrap ErrUnknownClient, ErrInvalidAssertion (with the cause, such
// as jwt.ErrInvalidSignature, jwt.ErrAudienceMismatch or jwt.ErrExpired),
// ErrReplayed, or jwt.ErrUnavailable when the client's keys or the replay
// cache cannot answer.
func (v *Verifier) Verify(ctx context.Context, assertion string) (*Assertion, error) {
	now := v.now()
	tok, err := jwt.Verify[jwt.RegisteredClaims](ctx, assertion, resolver{v}, &jwt.VerifyOptions{
		Audience:      v.aud,
		Required:      []string{"iss", "sub", "aud", "exp", "jti"},
		CheckIssuedAt: true,
		Leeway:        v.leeway,
		Now:           func() time.Time { return now },
	})
	switch {
	case errors.Is(err, ErrUnknownClient):
		return nil, err
	case errors.Is(err, jwt.ErrUnavailable):
		return nil, fmt.Errorf("clientauth: %w", err)
	case err != nil:
		return nil, invalid(err, "")
	}
	rc := tok.Claims
	c := v.clients[rc.Issuer] // jwt.Verify required "iss" to be the client whose keys verified
	switch t := tok.Header.Type; {
	case t != "" && !strings.EqualFold(t, "JWT") && !strings.EqualFold(t, AssertionType) && !strings.EqualFold(t, "application/"+AssertionType):
		return nil, invalid(jwt.ErrTypeMismatch, "header typ %s is not that of an assertion", quote(t))
	case rc.Subject != rc.Issuer:
		return nil, invalid(jwt.ErrSubjectMismatch, "sub %s differs from iss %s", quote(rc.Subject), quote(rc.Issuer))
	case len(rc.Audience) != 1:
		return nil, invalid(jwt.ErrAudienceMismatch, "aud has %d values; an assertion names one audience", len(rc.Audience))
	}
	exp := rc.ExpiresAt.Time
	if exp.Sub(now) > v.max+v.leeway {
		return nil, invalid(jwt.ErrInvalidClaims, "exp is %v away; an assertion lives at most %v", exp.Sub(now).Round(time.Second), v.max)
	}
	if !rc.IssuedAt.IsZero() && exp.Sub(rc.IssuedAt.Time) > v.max {
		return nil, invalid(jwt.ErrInvalidClaims, "exp is %v after iat; an assertion lives at most %v", exp.Sub(rc.IssuedAt.Time), v.max)
	}
	ttl := max(exp.Sub(now)+v.leeway, time.Second)
	fresh, err := v.replay.Remember(ctx, replayKey(rc.Issuer, rc.ID), ttl)
	switch {
	case err != nil:
		return nil, fmt.Errorf("clientauth: the replay cache did not answer: %w: %w", jwt.ErrUnavailable, err)
	case !fresh:
		return nil, fmt.Errorf("%w: client %s, jti seen before", ErrReplayed, quote(rc.Issuer))
	}
	return &Assertion{Client: c, Claims: rc}, nil
}

// replayKey is the replay cache's key for the jti of client id: a hash,
// so that its length does not depend on what the client sent.
func replayKey(id, jti string) string {
	h := sha256.New()
	h.Write([]byte(id))
	h.Write([]byte{0})
	h.Write([]byte(jti))
	return "clientauth:" + hex.EncodeToString(h.Sum(nil))
}

// invalid returns an error wrapping ErrInvalidAssertion and cause.
func invalid(cause error, format string, args ...any) error {
	if format == "" {
		return fmt.Errorf("%w: %w", ErrInvalidAssertion, cause)
	}
	return fmt.Errorf("%w: %s: %w", ErrInvalidAssertion, fmt.Sprintf(format, args...), cause)
}

// AuthenticateClient is a session.ClientAuthenticator: it verifies
// c.Assertion, checks that c.ClientID, if set, names the client it
// authenticates (RFC 7521 §4.2), and returns the client. Refusals wrap
// session.ErrDenied as well as this package's errors; a key source or
// replay cache that cannot answer wraps session.ErrStoreUnavailable.
func (v *Verifier) AuthenticateClient(ctx context.Context, c session.ClientCredentials) (session.Client, error) {
	if c.AssertionType != session.ClientAssertionType {
		return session.Client{}, fmt.Errorf("%w: %w: client_assertion_type %s", session.ErrDenied, ErrInvalidAssertion, quote(c.AssertionType))
	}
	a, err := v.Verify(ctx, c.Assertion)
	switch {
	case errors.Is(err, jwt.ErrUnavailable):
		return session.Client{}, fmt.Errorf("%w: %w", session.ErrStoreUnavailable, err)
	case err != nil:
		return session.Client{}, fmt.Errorf("%w: %w", session.ErrDenied, err)
	case c.ClientID != "" && c.ClientID != a.Client.ID:
		return session.Client{}, fmt.Errorf("%w: %w: client_id %s, but the assertion is client %s's", session.ErrDenied, ErrInvalidAssertion, quote(c.ClientID), quote(a.Client.ID))
	}
	return session.Client{ID: a.Client.ID, Scopes: slices.Clone(a.Client.Scopes)}, nil
}

// resolver chooses a client's keys by the assertion's "iss".
type resolver struct{ v *Verifier }

var _ jwt.IssuerResolver = resolver{}

// Lookup implements jwt.KeySource: without an issuer, there is no key.
func (resolver) Lookup(context.Context, jwt.Header) ([]jwt.Verifier, error) {
	return nil, fmt.Errorf("%w: client keys are chosen by the assertion's iss", jwt.ErrKeyNotFound)
}

// KeySourceFor implements jwt.IssuerResolver.
func (r resolver) KeySourceFor(_ context.Context, iss string) (jwt.IssuerKeySource, error) {
	c := r.v.clients[iss]
	if c == nil {
		return nil, fmt.Errorf("%w: %s (%w)", ErrUnknownClient, quote(iss), jwt.ErrKeyNotFound)
	}
	return clientKeys{c.Keys, iss}, nil
}

// clientKeys are a client's keys, bound to its ID.
type clientKeys struct {
	jwt.KeySource
	id string
}

func (k clientKeys) Issuer() string { return k.id }

// quote returns s quoted, escaped and shortened, for error messages that
// show a value the client chose.
func quote(s string) string {
	const max = 64
	if len(s) > max {
		return fmt.Sprintf("%+q...", s[:max])
	}
	return fmt.Sprintf("%+q", s)
}
