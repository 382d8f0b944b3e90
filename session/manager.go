package session

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
	"github.com/jwtkit/jwt/internal/typ"
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

// newID returns 128 random bits in base64url: 22 characters.
func newID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand.Read crashes the program instead)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

const idLen = 22 // len(newID())

// tokenID returns a new "jti" for a token of family: the family ID, a dot,
// and a random part, so that the family of a token can be found from its
// registered claims alone (see CheckAccess).
func tokenID(family string) string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand.Read crashes the program instead)
	return appendTokenID(family, b)
}

// familyOf returns the family named by a jti made by tokenID, or "".
func familyOf(jti string) string {
	if len(jti) != 2*idLen+1 || jti[idLen] != '.' {
		return ""
	}
	for i := 0; i < len(jti); i++ {
		c := jti[i]
		if i != idLen && !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return ""
		}
	}
	return jti[:idLen]
}

// minted is a new pair before the store has accepted it.
type minted struct {
	pair       Pair
	refreshJTI string
	expires    time.Time // the family's expiry: the later of the two "exp"
}

// mint signs a new pair of family for g. The session began at began.
func (m *Manager) mint(ctx context.Context, g Grant, family string, began, now time.Time) (*minted, error) {
	iat := time.Unix(now.Unix(), 0)
	accessExp, refreshExp := iat.Add(m.accessTTL), iat.Add(m.refreshTTL)
	if m.maxLifetime > 0 {
		end := time.Unix(began.Unix(), 0).Add(m.maxLifetime)
		if !end.After(now) {
			return nil, wrap(jwt.ErrExpired, nil, "the session reached its maximum lifetime")
		}
		accessExp, refreshExp = earliest(accessExp, end), earliest(refreshExp, end)
	}
	authTime := jwt.NewNumericDate(began)
	accessJTI, refreshJTI := tokenID(family), tokenID(family)
	var cnf *dpop.Confirmation
	if g.JKT != "" {
		cnf = &dpop.Confirmation{JKT: g.JKT}
	}
	signer := m.signers.Signer() // one key for the pair, the current one
	access, err := signAccess(ctx, signer, &Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    m.issuer,
			Subject:   g.Subject,
			Audience:  m.audience,
			ExpiresAt: jwt.NewNumericDate(accessExp),
			IssuedAt:  jwt.NewNumericDate(iat),
			ID:        accessJTI,
		},
		FamilyID:     family,
		ClientID:     g.ClientID,
		Scope:        g.Scope,
		AuthTime:     authTime,
		Confirmation: cnf,
	}, g.Extra)
	if err != nil {
		return nil, prefix("signing the access token", err)
	}
	rc := refreshClaims{Claims: Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    m.issuer,
			Subject:   g.Subject,
			Audience:  m.refreshAud,
			ExpiresAt: jwt.NewNumericDate(refreshExp),
			IssuedAt:  jwt.NewNumericDate(iat),
			ID:        refreshJTI,
		},
		FamilyID:     family,
		ClientID:     g.ClientID,
		Scope:        g.Scope,
		AuthTime:     authTime,
		Confirmation: cnf,
	}}
	if len(g.Extra) > 0 {
		rc.Extra = make(map[string]json.RawMessage, len(g.Extra))
		for k, v := range g.Extra {
			b, err := json.Marshal(v)
			if err != nil {
				return nil, wrap(jwt.ErrInvalidClaims, err, "extra claim %q", k)
			}
			rc.Extra[k] = b
		}
	}
	refresh, err := signRefresh(ctx, signer, &rc)
	if err != nil {
		return nil, prefix("signing the refresh token", err)
	}
	return &minted{
		pair: Pair{
			AccessToken:    access,
			AccessExpires:  accessExp,
			RefreshToken:   refresh,
			RefreshExpires: refreshExp,
			IssuedAt:       iat,
			FamilyID:       family,
			Grant:          g,
		},
		refreshJTI: refreshJTI,
		expires:    latest(accessExp, refreshExp),
	}, nil
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Issue starts a session for g, after the caller has authenticated the
// user, and returns its first pair of tokens.
func (m *Manager) Issue(ctx context.Context, g Grant) (*Pair, error) {
	if err := checkGrant(&g); err != nil {
		return nil, err
	}
	now := m.now()
	family := newID()
	t, err := m.mint(ctx, g, family, now, now)
	if err != nil {
		return nil, err
	}
	f := Family{ID: family, Subject: g.Subject, Created: now, Token: t.refreshJTI, Expires: t.expires}
	if err := m.store.Create(ctx, f); err != nil {
		return nil, storeError(err)
	}
	return &t.pair, nil
}

// Refresh trades a refresh token for a new pair of the same session. It
// verifies the token (signature, "typ" RefreshType, "exp", "iss"), checks
// that it is not revoked, calls Options.Recheck, signs the new pair and
// redeems the refresh token in the store, atomically: of any number of
// concurrent refreshes with one token, at most one succeeds.
//
// A refresh token that was already redeemed revokes the whole session and
// returns an error wrapping ErrReused, after calling Options.OnReuse (also
// when the store's reply was lost and its client repeated the Redeem; if
// the store could not answer at all, the error wraps ErrStoreUnavailable
// and OnReuse is not called, although the session may be revoked); this
// includes the second of two concurrent refreshes with one token (see
// "Concurrent refreshes" in the package documentation). Within
// Options.ReuseGrace of the redemption it returns ErrRecentlyRotated
// instead and revokes nothing. Other failures wrap ErrRevoked, ErrDenied,
// ErrStoreUnavailable or a sentinel of package jwt: jwt.ErrExpired for an
// expired token or a session past Options.MaxLifetime, jwt.ErrTypeMismatch
// for an access token, jwt.ErrInvalidSignature for a bad signature. The refresh token of a
// session bound to a DPoP key fails with ErrKeyBinding: it needs
// [Manager.RefreshDPoP] and a proof.
func (m *Manager) Refresh(ctx context.Context, refreshToken string) (*Pair, error) {
	return m.RefreshDPoP(ctx, refreshToken, "")
}

// RefreshDPoP is [Manager.Refresh] for a refresh request that came with a
// DPoP proof (RFC 9449 §5), which the caller has verified for the token
// endpoint's URI and method POST: jkt is the thumbprint of the proof's key
// (dpop.Proof.JKT), or "" if the request had no proof.
//
// The refresh token of a session bound to a key (see Grant.JKT) is accepted
// only with a proof by that key; without one, or with one by another key,
// RefreshDPoP returns an error wrapping ErrKeyBinding, before asking the
// store anything, so that whoever copied the token without the key can
// neither use it nor revoke the session by reusing it. The refresh token
// of a session not bound to a key is accepted with or without a proof, and
// the session stays unbound: its binding is decided at login.
func (m *Manager) RefreshDPoP(ctx context.Context, refreshToken, jkt string) (*Pair, error) {
	return m.refresh(ctx, refreshToken, jkt, nil)
}

// refresh is RefreshDPoP. If remember is set, it is called once the refresh
// token has been verified, matched to jkt and found unrevoked, before
// anything else: it remembers the request's DPoP proof, so that only the
// proofs of valid refresh tokens fill the replay cache, and its error is
// returned as it is.
func (m *Manager) refresh(ctx context.Context, refreshToken, jkt string, remember func(context.Context) error) (*Pair, error) {
	now := m.now() // the new tokens' iat: before the store checks, see RevokeSubject
	rc, err := m.verifyRefresh(ctx, refreshToken, now)
	if err != nil {
		return nil, err
	}
	c := &rc
	if familyOf(c.ID) != c.FamilyID {
		return nil, wrap(jwt.ErrMalformed, nil, "refresh token's jti does not name its session")
	}
	var bound string
	if c.Confirmation != nil {
		bound = c.Confirmation.JKT
		if !isThumbprint(bound) {
			return nil, wrap(jwt.ErrMalformed, nil, "refresh token's cnf has no valid jkt")
		}
		if jkt == "" {
			return nil, fmt.Errorf("%w: no DPoP proof", ErrKeyBinding)
		}
		if subtle.ConstantTimeCompare([]byte(jkt), []byte(bound)) != 1 {
			return nil, fmt.Errorf("%w: a proof by another key", ErrKeyBinding)
		}
	}
	ref := TokenRef{ID: c.ID, Family: c.FamilyID, Subject: c.Subject, IssuedAt: c.IssuedAt.Time}
	if err := m.store.Check(ctx, ref); err != nil {
		return nil, storeError(err)
	}
	if remember != nil {
		if err := remember(ctx); err != nil {
			return nil, err
		}
	}
	g := Grant{Subject: c.Subject, ClientID: c.ClientID, Scope: c.Scope, JKT: bound}
	if len(c.Extra) > 0 {
		g.Extra = make(map[string]any, len(c.Extra))
		for k, v := range c.Extra {
			g.Extra[k] = v
		}
	}
	if m.recheck != nil {
		ng, err := m.recheck(ctx, g)
		if err != nil {
			return nil, prefix("Recheck", err)
		}
		if ng.Subject != g.Subject {
			return nil, wrap(jwt.ErrInvalidOption, nil, "Recheck changed the subject")
		}
		if ng.JKT != g.JKT {
			return nil, wrap(jwt.ErrInvalidOption, nil, "Recheck changed the DPoP key binding")
		}
		if err := checkGrant(&ng); err != nil {
			return nil, err
		}
		g = ng
	}
	t, err := m.mint(ctx, g, c.FamilyID, c.AuthTime.Time, now)
	if err != nil {
		return nil, err
	}
	err = m.store.Redeem(ctx, Redemption{
		Family:    c.FamilyID,
		Presented: c.ID,
		Next:      t.refreshJTI,
		Expires:   t.expires,
		Grace:     m.grace,
	})
	switch {
	case err == nil:
		return &t.pair, nil
	case errors.Is(err, ErrReused):
		if m.onReuse != nil {
			m.onReuse(ctx, Reuse{Subject: c.Subject, ClientID: c.ClientID, FamilyID: c.FamilyID, TokenID: c.ID})
		}
		return nil, err
	default:
		return nil, storeError(err)
	}
}

// storeError returns err, a Store's error, as one wrapping a known
// sentinel: an error of no known kind is taken as the store being
// unavailable, so that nothing is allowed on an answer not understood.
func storeError(err error) error {
	for _, known := range []error{ErrRevoked, ErrReused, ErrRecentlyRotated, ErrStoreUnavailable, jwt.ErrInvalidOption} {
		if errors.Is(err, known) {
			return err
		}
	}
	return fmt.Errorf("%w: %w", ErrStoreUnavailable, err)
}

// Keys returns the key source m verifies its tokens with, Options.Keys:
// with [Manager.AccessOptions] and [Manager.CheckRequest], what a
// middleware needs to accept m's access tokens.
func (m *Manager) Keys() jwt.KeySource { return m.keys }

// AccessOptions returns the verification options that accept exactly the
// access tokens m issues: the header "typ" AccessType; "iss" equal to
// Options.Issuer and "aud" holding one of Options.Audience, when they are
// set; "exp" in the future on m's clock, with no leeway; and the claims m
// writes in every access token required ("iss" and "aud" when set, "sub",
// "exp", "iat", "jti", "sid" and "auth_time"). m's refresh tokens fail
// them, by "typ" and "aud". The result is a new value, for the caller to
// change if it needs to (a resource server in another process may set a
// Leeway).
//
// Protecting an API with package jwthttp is then one line:
//
//	mw, err := jwthttp.New[jwt.RegisteredClaims](m.Keys(), &jwthttp.Options{Verify: m.AccessOptions(), Check: m.CheckRequest})
//
// jwthttp accepts access tokens ("typ" at+jwt) only from a Manager with an
// Issuer and an Audience, as RFC 9068 requires. Revocation is not part of
// the options: it is CheckRequest's job.
func (m *Manager) AccessOptions() jwt.VerifyOptions {
	o := m.access
	o.Audience = slices.Clone(o.Audience)
	o.Required = slices.Clone(o.Required)
	return o
}

// VerifyAccess verifies an access token issued by m, as an API served
// with m would, with [Manager.AccessOptions] (signature, "typ" AccessType,
// "exp" with no leeway on the issuer's own clock, "iss" and "aud" as
// configured, the claims m always writes), and then [Manager.CheckAccess].
func (m *Manager) VerifyAccess(ctx context.Context, accessToken string) (*jwt.Token[Claims], error) {
	tok, err := jwt.Verify[Claims](ctx, accessToken, m.keys, &m.access)
	if err != nil {
		return nil, prefix("access token", err)
	}
	if err := m.CheckAccess(ctx, &tok.Claims.RegisteredClaims); err != nil {
		return nil, err
	}
	return tok, nil
}

// CheckAccess reports whether the verified token with claims rc may still
// be used: it returns nil, an error wrapping ErrRevoked if the token was
// revoked (by its "jti", with its session, or with all of its subject's
// tokens), or an error wrapping ErrStoreUnavailable if the store could not
// answer. It costs one store round trip.
//
// CheckAccess is the revocation check to plug into a resource server's
// middleware, after the middleware has verified the token; it fails closed:
// only a nil error allows the request. See also [Manager.CheckRequest].
func (m *Manager) CheckAccess(ctx context.Context, rc *jwt.RegisteredClaims) error {
	if rc == nil {
		return fmt.Errorf("%w: no claims", ErrRevoked)
	}
	ref := TokenRef{ID: rc.ID, Subject: rc.Subject, IssuedAt: rc.IssuedAt.Time}
	if m.issuer == "" || rc.Issuer == m.issuer {
		ref.Family = familyOf(rc.ID)
	}
	if err := m.store.Check(ctx, ref); err != nil {
		if errors.Is(err, ErrRevoked) {
			return err
		}
		if errors.Is(err, ErrStoreUnavailable) {
			return err
		}
		return fmt.Errorf("%w: %w", ErrStoreUnavailable, err)
	}
	return nil
}

// CheckRequest is [Manager.CheckAccess] in the shape of a middleware's
// check hook, for a request whose bearer token the middleware has verified
// with header h and registered claims rc. It also refuses, with an error
// wrapping jwt.ErrTypeMismatch, a token whose "typ" is not AccessType, in case the
// middleware was not told to require it. An error wrapping
// ErrStoreUnavailable means the check could not be made: the middleware
// should answer 503 and must not serve the request.
func (m *Manager) CheckRequest(r *http.Request, h jwt.Header, rc *jwt.RegisteredClaims) error {
	if !isType(h.Type, AccessType) {
		return wrap(jwt.ErrTypeMismatch, nil, "not an access token")
	}
	return m.CheckAccess(r.Context(), rc)
}

// isType reports whether the "typ" t names the media type want, as RFC 7515
// §4.1.9 compares them.
func isType(t, want string) bool { return typ.Matches(t, want) }

// RevokeFamily revokes the session (family) id, the "sid" of its tokens:
// its refresh token can no longer be used, and CheckAccess refuses its
// access tokens. This is logout.
func (m *Manager) RevokeFamily(ctx context.Context, id string) error {
	if err := m.store.RevokeFamily(ctx, id); err != nil {
		return storeError(err)
	}
	return nil
}

// RevokeID revokes the token whose "jti" is id until until, its "exp"
// (after which it is refused anyway), and Options.ClockSkew longer, for the
// resource servers whose clocks run behind.
func (m *Manager) RevokeID(ctx context.Context, id string, until time.Time) error {
	if id == "" {
		return wrap(jwt.ErrInvalidOption, nil, "empty token ID")
	}
	if err := m.store.RevokeToken(ctx, id, until.Add(m.skew)); err != nil {
		return storeError(err)
	}
	return nil
}

// RevokeSubject revokes every token of subject issued in a session that
// began before the time before: logout everywhere, as after a password
// change. A session that begins later (a new login) is not affected. before
// must not be in the future.
//
// The revocation is kept for the longest token lifetime after the call (not
// after before: a session begun before before may have been refreshed
// since), plus Options.ClockSkew and a minute for a refresh in flight.
func (m *Manager) RevokeSubject(ctx context.Context, subject string, before time.Time) error {
	now := m.now()
	if subject == "" {
		return wrap(jwt.ErrInvalidOption, nil, "empty subject")
	}
	if before.After(now) {
		return wrap(jwt.ErrInvalidOption, nil, "revocation time is in the future")
	}
	until := now.Add(max(m.accessTTL, m.refreshTTL) + m.skew + subjectMargin)
	if err := m.store.RevokeSubject(ctx, subject, before, until); err != nil {
		return storeError(err)
	}
	return nil
}

// RevokeToken revokes a token issued by m, given whole, as a revocation
// endpoint would (RFC 7009): an access token by its "jti", and a refresh
// token with its whole session. The token's signature, "iss" and type are
// verified; its expiry is not, so that an expired refresh token still ends
// its session. A token that is not one of m's is an error wrapping a
// sentinel of package jwt.
func (m *Manager) RevokeToken(ctx context.Context, token string) error {
	c, typ, err := m.verifyIgnoringExpiry(ctx, token)
	if err != nil {
		return err
	}
	if typ == RefreshType {
		return m.RevokeFamily(ctx, c.FamilyID)
	}
	return m.RevokeID(ctx, c.ID, c.ExpiresAt.Time)
}

// verifyIgnoringExpiry verifies a token of m of either type, as for
// revocation: signature, "typ", "iss" and the claims the session needs,
// but not "exp".
func (m *Manager) verifyIgnoringExpiry(ctx context.Context, token string) (*Claims, string, error) {
	// A clock at the epoch puts every "exp" in the future; m's tokens have no "nbf".
	epoch := func() time.Time { return time.Unix(0, 0) }
	opts := jwt.VerifyOptions{Type: AccessType, Issuer: m.issuer, Audience: m.audience, Now: epoch, Required: []string{"jti", "sid"}}
	tok, err := jwt.Verify[Claims](ctx, token, m.keys, &opts)
	typ := AccessType
	if errors.Is(err, jwt.ErrTypeMismatch) {
		opts.Type, opts.Audience, typ = RefreshType, m.refreshAud, RefreshType
		tok, err = jwt.Verify[Claims](ctx, token, m.keys, &opts)
	}
	if err != nil {
		return nil, "", prefix("token", err)
	}
	if familyOf(tok.Claims.ID) != tok.Claims.FamilyID {
		return nil, "", wrap(jwt.ErrMalformed, nil, "token's jti does not name its session")
	}
	return &tok.Claims, typ, nil
}
