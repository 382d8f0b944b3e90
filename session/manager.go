package session

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
)

// Token types, written as the header "typ" (RFC 8725 §3.11), so that
// neither kind of token is accepted as the other.
const (
	// AccessType is the "typ" of access tokens (RFC 9068).
	AccessType = "at+jwt"
	// RefreshType is the "typ" of refresh tokens.
	RefreshType = "refresh+jwt"
)

// Defaults and limits of [Options].
const (
	DefaultAccessTTL  = 5 * time.Minute
	DefaultRefreshTTL = 24 * time.Hour
	// MaxReuseGrace is the longest Options.ReuseGrace allowed.
	MaxReuseGrace = time.Minute
	// DefaultClockSkew is Options.ClockSkew unless set.
	DefaultClockSkew = 5 * time.Minute
	// MaxClockSkew is the longest Options.ClockSkew allowed.
	MaxClockSkew = time.Hour
)

// subjectMargin is how much longer than the longest token lifetime a
// subject revocation is kept, beyond the clock skew, to cover a refresh
// that was in flight when it was made.
const subjectMargin = time.Minute

// A SignerSource gives the Signer that signs a [Manager]'s next pair of
// tokens. A *jwks.KeyRing is one: its current key signs each new pair, also
// after the ring rotates. [FixedSigner] makes one of a key that never
// changes.
type SignerSource interface {
	// Signer returns the Signer to sign with now, carrying its key ID
	// (see jwt.SignerWithKeyID). It is called once for each pair, and
	// must be safe for concurrent use.
	Signer() jwt.Signer
}

// FixedSigner returns a SignerSource that always gives s: for a key that
// never changes. For keys that rotate, give the Manager a *jwks.KeyRing
// itself, not the Signer of its current key, which would keep signing
// after the ring has stopped publishing it.
func FixedSigner(s jwt.Signer) SignerSource { return fixedSigner{s} }

type fixedSigner struct{ s jwt.Signer }

var _ SignerSource = fixedSigner{}

func (f fixedSigner) Signer() jwt.Signer { return f.s }

// lifetimeLimit is implemented by a SignerSource whose keys verify tokens
// for a limited time after they last signed, such as a *jwks.KeyRing.
type lifetimeLimit interface {
	MaxTokenLifetime() time.Duration
}

// Options configures a [Manager]. Signer and Keys are required; the zero
// value of every other field means its default.
type Options struct {
	// Signer gives the Signer of each new pair of tokens: a
	// *jwks.KeyRing, whose current key then signs every pair, or
	// FixedSigner(s) for one key. The Signer should carry a key ID so that
	// verifiers using a JWK Set find the key (a ring's keys do; for one
	// key, see jwt.SignerWithKeyID). If Signer also has a method
	// MaxTokenLifetime() time.Duration, as a KeyRing has, New refuses an
	// AccessTTL or RefreshTTL longer than it: the ring withdraws a key that
	// long after it last signed, and tokens would outlive their key.
	Signer SignerSource
	// Keys verifies refresh tokens, and access tokens in VerifyAccess and
	// the logout handlers: the KeyRing that is Signer, the Verifier of
	// Signer's key, or a KeySet holding it.
	Keys jwt.KeySource
	// Store keeps families and revocations; nil means a new MemoryStore
	// using Now. A service of several instances needs a shared store.
	Store Store
	// Issuer is the "iss" of every token, checked when tokens are verified.
	// Refresh tokens also carry it as their "aud".
	Issuer string
	// Audience is the "aud" of access tokens: the APIs that accept them.
	Audience []string
	// AccessTTL is the lifetime of access tokens; 0 means
	// DefaultAccessTTL. Lifetimes are whole seconds, at least one.
	AccessTTL time.Duration
	// RefreshTTL is the lifetime of each refresh token; 0 means
	// DefaultRefreshTTL. Since every refresh replaces the refresh token,
	// RefreshTTL is the session's idle timeout: a session in which no
	// refresh happens for RefreshTTL ends.
	RefreshTTL time.Duration
	// MaxLifetime, if set, is the absolute lifetime of a session, counted
	// from the login: no token of the session is valid after it, however
	// often it is refreshed.
	MaxLifetime time.Duration
	// ReuseGrace, if set, is the window after a refresh in which the
	// redeemed refresh token, presented again, is refused with
	// ErrRecentlyRotated instead of being treated as reuse, so that the
	// second of two concurrent refreshes, or a client retrying a refresh
	// whose answer it lost, does not revoke the session. At most
	// MaxReuseGrace. A stolen token replayed within the window is refused
	// but not detected as reuse, so leave it off unless clients need it;
	// see "Concurrent refreshes" in the package documentation.
	ReuseGrace time.Duration
	// Recheck, if set, is called on every refresh, after the refresh token
	// has been verified and found unrevoked and before a new pair is made,
	// with the grant the session was issued for. It returns the grant for
	// the new pair (with the subject and JKT unchanged, and the scope or
	// extra claims updated if permissions changed), or an error wrapping
	// ErrDenied to refuse (a disabled user). Refusing does not revoke the
	// session; use RevokeSubject for that.
	Recheck func(ctx context.Context, g Grant) (Grant, error)
	// OnReuse, if set, is called when a reused refresh token has made the
	// store revoke its family, for logging or alerting. It must not block
	// for long: the refresh request waits for it.
	OnReuse func(ctx context.Context, r Reuse)
	// ClockSkew is the most by which the clocks of the instances sharing
	// the Store may disagree, plus the largest Leeway of the resource
	// servers that check revocations; 0 means DefaultClockSkew, and it is
	// at most MaxClockSkew. Every revocation is kept this much longer than
	// the last instant at which, on this instance's clock, a token it
	// revokes expires, so that no instance, nor a resource server allowing
	// for skew, can accept the token after the store has forgotten the
	// revocation. It costs only memory in the store.
	ClockSkew time.Duration
	// Now returns the current time; nil means time.Now. It must agree with
	// the store's clock.
	Now func() time.Time
}

// Grant is what a pair of tokens is issued for.
type Grant struct {
	// Subject is the "sub" of the tokens: the user. Required.
	Subject string
	// ClientID, if set, is the "client_id" of the tokens (RFC 9068).
	ClientID string
	// Scope, if set, is the "scope" of the tokens: space-separated scope
	// names (RFC 8693 §4.2).
	Scope string
	// Extra holds further claims for access tokens, by name. The names
	// this package writes (iss, sub, aud, exp, nbf, iat, jti, sid,
	// client_id, scope, auth_time, cnf) are not allowed. Refresh tokens carry
	// them inside their "ext" claim, so that a refresh reissues them; in
	// the Grant given to Options.Recheck their values are the
	// json.RawMessage read from the refresh token.
	Extra map[string]any
	// JKT, if set, binds the session to a client's DPoP key (RFC 9449):
	// it is the key's JWK SHA-256 thumbprint (RFC 7638), as
	// dpop.Proof.JKT gives it for a proof the caller has verified. Every
	// token of the session carries it as "cnf": {"jkt": …}, so that
	// resource servers require a proof by the key with each access token,
	// and every refresh must come with a proof by the key (see
	// [Manager.RefreshDPoP]). It cannot change within a session.
	JKT string
}

// Pair is a pair of tokens issued by [Manager.Issue] or [Manager.Refresh].
type Pair struct {
	// AccessToken is the access token, of type AccessType.
	AccessToken string
	// AccessExpires is the access token's "exp".
	AccessExpires time.Time
	// RefreshToken is the refresh token, of type RefreshType.
	RefreshToken string
	// RefreshExpires is the refresh token's "exp".
	RefreshExpires time.Time
	// IssuedAt is the "iat" of both tokens.
	IssuedAt time.Time
	// FamilyID is the "sid" of both tokens: the session.
	FamilyID string
	// Grant is the grant the pair was issued for.
	Grant Grant
}

// Claims are the claims of the tokens a [Manager] issues, as
// [Manager.VerifyAccess] returns them. Extra claims of access tokens are
// read by calling jwt.Verify with a type of your own.
type Claims struct {
	jwt.RegisteredClaims
	// FamilyID is the "sid" claim: the family (session) of the token.
	FamilyID string `json:"sid,omitempty"`
	// ClientID is the "client_id" claim.
	ClientID string `json:"client_id,omitempty"`
	// Scope is the "scope" claim.
	Scope string `json:"scope,omitempty"`
	// AuthTime is the "auth_time" claim: when the session began.
	AuthTime jwt.NumericDate `json:"auth_time,omitzero"`
	// Confirmation is the "cnf" claim of the tokens of a session bound to
	// a DPoP key (see Grant.JKT), or nil.
	Confirmation *dpop.Confirmation `json:"cnf,omitempty"`
}

// refreshClaims are the claims of a refresh token.
type refreshClaims struct {
	Claims
	Extra map[string]json.RawMessage `json:"ext,omitempty"`
}

// Reuse describes a reused refresh token, for [Options.OnReuse].
type Reuse struct {
	Subject  string
	ClientID string
	FamilyID string // the family, now revoked
	TokenID  string // the "jti" of the reused refresh token
}

// Manager issues, refreshes and revokes pairs of access and refresh tokens.
// It is safe for concurrent use.
type Manager struct {
	signers     SignerSource
	keys        jwt.KeySource
	store       Store
	issuer      string
	audience    []string
	refreshAud  []string
	access      jwt.VerifyOptions // see AccessOptions
	accessTTL   time.Duration
	refreshTTL  time.Duration
	maxLifetime time.Duration
	grace       time.Duration
	skew        time.Duration
	recheck     func(context.Context, Grant) (Grant, error)
	onReuse     func(context.Context, Reuse)
	now         func() time.Time
}

// New returns a Manager configured by opts. Options that cannot be honoured
// are an error wrapping jwt.ErrInvalidOption.
func New(opts Options) (*Manager, error) {
	m := &Manager{
		signers:     opts.Signer,
		keys:        opts.Keys,
		store:       opts.Store,
		issuer:      opts.Issuer,
		audience:    append([]string(nil), opts.Audience...),
		accessTTL:   orDefault(opts.AccessTTL, DefaultAccessTTL),
		refreshTTL:  orDefault(opts.RefreshTTL, DefaultRefreshTTL),
		maxLifetime: opts.MaxLifetime,
		grace:       opts.ReuseGrace,
		skew:        orDefault(opts.ClockSkew, DefaultClockSkew),
		recheck:     opts.Recheck,
		onReuse:     opts.OnReuse,
		now:         opts.Now,
	}
	switch {
	case m.signers == nil || m.signers.Signer() == nil:
		return nil, wrap(jwt.ErrInvalidOption, nil, "no Signer")
	case m.keys == nil:
		return nil, wrap(jwt.ErrInvalidOption, nil, "no Keys")
	case !wholeSeconds(m.accessTTL), !wholeSeconds(m.refreshTTL):
		return nil, wrap(jwt.ErrInvalidOption, nil, "token lifetimes must be whole seconds, at least 1s")
	case m.maxLifetime != 0 && !wholeSeconds(m.maxLifetime):
		return nil, wrap(jwt.ErrInvalidOption, nil, "MaxLifetime must be whole seconds, at least 1s")
	case m.grace < 0 || m.grace > MaxReuseGrace:
		return nil, wrap(jwt.ErrInvalidOption, nil, "ReuseGrace %v outside 0 to %v", m.grace, MaxReuseGrace)
	case m.skew < 0 || m.skew > MaxClockSkew:
		return nil, wrap(jwt.ErrInvalidOption, nil, "ClockSkew %v outside 0 to %v", m.skew, MaxClockSkew)
	}
	if l, ok := m.signers.(lifetimeLimit); ok {
		if limit, ttl := l.MaxTokenLifetime(), max(m.accessTTL, m.refreshTTL); ttl > limit {
			return nil, wrap(jwt.ErrInvalidOption, nil, "token lifetime %v exceeds the Signer's MaxTokenLifetime %v: tokens would outlive their key", ttl, limit)
		}
	}
	if m.now == nil {
		m.now = time.Now
	}
	if m.store == nil {
		m.store = NewMemoryStore(&MemoryStoreOptions{Now: m.now})
	}
	if m.issuer != "" {
		m.refreshAud = []string{m.issuer}
	}
	m.access = jwt.VerifyOptions{
		Type:     AccessType,
		Issuer:   m.issuer,
		Audience: m.audience,
		Now:      m.now,
		Required: []string{"sub", "exp", "iat", "jti", "sid", "auth_time"},
	}
	if m.issuer != "" {
		m.access.Required = append(m.access.Required, "iss")
	}
	if len(m.audience) > 0 {
		m.access.Required = append(m.access.Required, "aud")
	}
	return m, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

func wholeSeconds(d time.Duration) bool { return d >= time.Second && d%time.Second == 0 }

// reserved are the claim names a Manager writes itself.
var reserved = map[string]bool{
	"iss": true, "sub": true, "aud": true, "exp": true, "nbf": true, "iat": true, "jti": true,
	"sid": true, "client_id": true, "scope": true, "auth_time": true, "cnf": true,
}

func checkGrant(g *Grant) error {
	if g.Subject == "" {
		return wrap(jwt.ErrInvalidClaims, nil, "grant has no subject")
	}
	for name := range g.Extra {
		if reserved[name] {
			return wrap(jwt.ErrInvalidClaims, nil, "extra claim %q is set by the session manager", name)
		}
	}
	if g.JKT != "" && !isThumbprint(g.JKT) {
		return wrap(jwt.ErrInvalidClaims, nil, "grant JKT is not a base64url SHA-256 thumbprint")
	}
	return nil
}

// isThumbprint reports whether s is the base64url encoding of 32 bytes, as
// a JWK SHA-256 thumbprint is.
func isThumbprint(s string) bool {
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return err == nil && len(b) == 32
}
