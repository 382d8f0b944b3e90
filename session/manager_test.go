package session_test

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwks"
	"github.com/jwtkit/jwt/jwthttp"
	"github.com/jwtkit/jwt/session"
	"github.com/stretchr/testify/require"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Unix(1_800_000_000, 250_000_000)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type keys struct {
	signer   jwt.Signer
	verifier jwt.Verifier
}

func newKeys(t *testing.T) keys {
	t.Helper()
	secret := make([]byte, 32)
	rand.Read(secret)
	s, err := jwt.HS256.NewSigner(secret)
	require.NoError(t, err)
	v, err := jwt.HS256.NewVerifier(secret)
	require.NoError(t, err)
	return keys{jwt.SignerWithKeyID(s, "k1"), jwt.VerifierWithKeyID(v, "k1")}
}

// newTestManager returns a Manager on a fake clock with a MemoryStore on
// the same clock; edit changes the options first.
func newTestManager(t *testing.T, edit func(*session.Options)) (*session.Manager, *fakeClock, keys) {
	t.Helper()
	k := newKeys(t)
	clock := newFakeClock()
	opts := session.Options{
		Signer:   session.FixedSigner(k.signer),
		Keys:     k.verifier,
		Issuer:   "https://auth.example",
		Audience: []string{"api"},
		Now:      clock.Now,
	}
	if edit != nil {
		edit(&opts)
	}
	m, err := session.New(opts)
	require.NoError(t, err)
	return m, clock, k
}

func TestNewOptions(t *testing.T) {
	k := newKeys(t)
	valid := session.Options{Signer: session.FixedSigner(k.signer), Keys: k.verifier}
	_, err := session.New(valid)
	require.NoError(t, err)
	for _, tt := range []struct {
		name string
		edit func(*session.Options)
	}{
		{"no signer", func(o *session.Options) { o.Signer = nil }},
		{"fixed nil signer", func(o *session.Options) { o.Signer = session.FixedSigner(nil) }},
		{"no keys", func(o *session.Options) { o.Keys = nil }},
		{"fractional access TTL", func(o *session.Options) { o.AccessTTL = 1500 * time.Millisecond }},
		{"negative refresh TTL", func(o *session.Options) { o.RefreshTTL = -time.Hour }},
		{"sub-second max lifetime", func(o *session.Options) { o.MaxLifetime = time.Millisecond }},
		{"negative grace", func(o *session.Options) { o.ReuseGrace = -time.Second }},
		{"grace too long", func(o *session.Options) { o.ReuseGrace = session.MaxReuseGrace + time.Second }},
		{"negative clock skew", func(o *session.Options) { o.ClockSkew = -time.Second }},
		{"clock skew too large", func(o *session.Options) { o.ClockSkew = session.MaxClockSkew + time.Second }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := valid
			tt.edit(&o)
			_, err := session.New(o)
			require.ErrorIs(t, err, jwt.ErrInvalidOption)
		})
	}
}

var _ session.SignerSource = (*jwks.KeyRing)(nil)

// TestManagerSignsWithRingsCurrentKey shows a Manager given a key ring
// signing each new pair with the ring's current key: after Rotate, and after
// the ring has withdrawn the old key, when a Manager that kept the old key's
// Signer issues tokens that no longer verify.
func TestManagerSignsWithRingsCurrentKey(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	ring, err := jwks.NewKeyRing(&jwks.KeyRingOptions{Algorithm: jwt.EdDSA, MaxTokenLifetime: session.DefaultRefreshTTL, Now: clock.Now})
	require.NoError(t, err)
	t.Cleanup(ring.Close)
	opts := session.Options{Signer: ring, Keys: ring, Issuer: "https://auth.example", Audience: []string{"api"}, Now: clock.Now}
	m, err := session.New(opts)
	require.NoError(t, err)
	pinned := opts
	pinned.Signer = session.FixedSigner(ring.Signer()) // the mistake this API replaces
	stale, err := session.New(pinned)
	require.NoError(t, err)

	// kids returns the kid of each token of p, verified with the ring as
	// the key source.
	kids := func(p *session.Pair) []string {
		t.Helper()
		var out []string
		for _, token := range []string{p.AccessToken, p.RefreshToken} {
			tok, err := jwt.Verify[jwt.RegisteredClaims](ctx, token, ring, &jwt.VerifyOptions{
				Issuer: "https://auth.example", IgnoreAudience: true, Now: clock.Now,
			})
			require.NoError(t, err)
			out = append(out, tok.Header.KeyID)
		}
		return out
	}
	issue := func(m *session.Manager) *session.Pair {
		t.Helper()
		p, err := m.Issue(ctx, session.Grant{Subject: "alice"})
		require.NoError(t, err)
		return p
	}

	first := ring.KeyID()
	p1 := issue(m)
	require.Equal(t, []string{first, first}, kids(p1))

	require.NoError(t, ring.Rotate())
	second := ring.KeyID()
	require.NotEqual(t, first, second)
	p2 := issue(m)
	require.Equal(t, []string{second, second}, kids(p2), "a pair issued after Rotate")
	_, err = m.VerifyAccess(ctx, p2.AccessToken)
	require.NoError(t, err)
	p1, err = m.Refresh(ctx, p1.RefreshToken) // signed by the retired key, still published
	require.NoError(t, err)
	require.Equal(t, []string{second, second}, kids(p1), "a pair refreshed after Rotate")

	// The ring withdraws the first key MaxTokenLifetime plus jwt.MaxLeeway
	// after it last signed.
	old := issue(stale)
	clock.Advance(session.DefaultRefreshTTL + jwt.MaxLeeway + time.Second)
	_, err = jwt.Verify[jwt.RegisteredClaims](ctx, old.AccessToken, ring, &jwt.VerifyOptions{Now: clock.Now, IgnoreAudience: true})
	require.ErrorIs(t, err, jwt.ErrKeyNotFound, "the first key is still published")
	p3 := issue(m)
	require.Equal(t, []string{second, second}, kids(p3), "a pair issued after the old key was withdrawn")
	_, err = m.VerifyAccess(ctx, p3.AccessToken)
	require.NoError(t, err)
	p3, err = m.Refresh(ctx, p3.RefreshToken)
	require.NoError(t, err)
	require.Equal(t, []string{second, second}, kids(p3))
	_, err = stale.VerifyAccess(ctx, issue(stale).AccessToken)
	require.ErrorIs(t, err, jwt.ErrKeyNotFound, "the Manager that kept the first key's Signer")

	// A ring whose keys are withdrawn sooner than the Manager's tokens
	// expire is refused.
	short, err := jwks.NewKeyRing(&jwks.KeyRingOptions{Algorithm: jwt.EdDSA, MaxTokenLifetime: time.Hour})
	require.NoError(t, err)
	t.Cleanup(short.Close)
	_, err = session.New(session.Options{Signer: short, Keys: short})
	require.ErrorIs(t, err, jwt.ErrInvalidOption)
	_, err = session.New(session.Options{Signer: short, Keys: short, RefreshTTL: time.Hour})
	require.NoError(t, err)
}

// TestAccessOptionsProtectAnAPI shows "issue here, protect there": a
// middleware built from the Manager's Keys, AccessOptions and CheckRequest
// accepts the access tokens of Issue, with no claim set by hand, and
// refuses its refresh tokens, revoked or expired access tokens, and the
// access tokens of a Manager with another issuer or audience.
func TestAccessOptionsProtectAnAPI(t *testing.T) {
	ctx := context.Background()
	m, clock, k := newTestManager(t, nil)
	mw, err := jwthttp.New[jwt.RegisteredClaims](m.Keys(), &jwthttp.Options{Verify: m.AccessOptions(), Check: m.CheckRequest})
	require.NoError(t, err)
	api := httptest.NewServer(mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := jwthttp.Claims[jwt.RegisteredClaims](r.Context())
		if !ok {
			http.Error(w, "no claims", http.StatusInternalServerError)
			return
		}
		io.WriteString(w, c.Subject)
	})))
	t.Cleanup(api.Close)
	get := func(token string) (int, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, "GET", api.URL, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := api.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(body)
	}
	issue := func(m *session.Manager) *session.Pair {
		t.Helper()
		p, err := m.Issue(ctx, session.Grant{Subject: "alice"})
		require.NoError(t, err)
		return p
	}

	p := issue(m)
	status, body := get(p.AccessToken)
	require.Equal(t, http.StatusOK, status, body)
	require.Equal(t, "alice", body)
	status, _ = get(p.RefreshToken)
	require.Equal(t, http.StatusUnauthorized, status, "a refresh token")

	for _, edit := range []func(*session.Options){
		func(o *session.Options) { o.Issuer = "https://other.example" },
		func(o *session.Options) { o.Audience = []string{"other-api"} },
	} {
		opts := session.Options{Signer: session.FixedSigner(k.signer), Keys: k.verifier, Issuer: "https://auth.example", Audience: []string{"api"}, Now: clock.Now}
		edit(&opts)
		other, err := session.New(opts)
		require.NoError(t, err)
		status, _ = get(issue(other).AccessToken)
		require.Equal(t, http.StatusUnauthorized, status, "a token of a Manager with %+v", opts)
	}

	require.NoError(t, m.RevokeFamily(ctx, p.FamilyID))
	status, _ = get(p.AccessToken)
	require.Equal(t, http.StatusUnauthorized, status, "a revoked session's access token")

	p = issue(m)
	clock.Advance(session.DefaultAccessTTL)
	status, _ = get(p.AccessToken)
	require.Equal(t, http.StatusUnauthorized, status, "an expired access token")

	// The options are the caller's to change.
	o := m.AccessOptions()
	o.Audience[0], o.Required[0] = "changed", "changed"
	require.Equal(t, []string{"api"}, m.AccessOptions().Audience)
	require.Equal(t, "sub", m.AccessOptions().Required[0])
}

func TestIssuedTokens(t *testing.T) {
	ctx := context.Background()
	m, clock, k := newTestManager(t, nil)
	p, err := m.Issue(ctx, session.Grant{
		Subject: "alice", ClientID: "web", Scope: "read write",
		Extra: map[string]any{"name": "Alice", "roles": []string{"a", "b"}},
	})
	require.NoError(t, err)
	require.Equal(t, time.Unix(clock.Now().Unix(), 0), p.IssuedAt)
	require.Equal(t, 5*time.Minute, p.AccessExpires.Sub(p.IssuedAt))
	require.Equal(t, 24*time.Hour, p.RefreshExpires.Sub(p.IssuedAt))

	at, err := jwt.Verify[map[string]any](ctx, p.AccessToken, k.verifier, &jwt.VerifyOptions{
		Type: "application/at+jwt", Issuer: "https://auth.example", Audience: []string{"api"}, Now: clock.Now,
	})
	require.NoError(t, err)
	require.Equal(t, "at+jwt", at.Header.Type)
	require.Equal(t, "k1", at.Header.KeyID)
	c := at.Claims
	require.Equal(t, "alice", c["sub"])
	require.Equal(t, "web", c["client_id"])
	require.Equal(t, "read write", c["scope"])
	require.Equal(t, "Alice", c["name"])
	require.Equal(t, []any{"a", "b"}, c["roles"])
	require.Equal(t, p.FamilyID, c["sid"])
	require.Equal(t, float64(p.IssuedAt.Unix()), c["auth_time"])
	require.Equal(t, float64(p.AccessExpires.Unix()), c["exp"])

	rt, err := jwt.Verify[map[string]any](ctx, p.RefreshToken, k.verifier, &jwt.VerifyOptions{
		Type: session.RefreshType, Issuer: "https://auth.example", Audience: []string{"https://auth.example"}, Now: clock.Now,
	})
	require.NoError(t, err)
	require.Equal(t, "refresh+jwt", rt.Header.Type)
	require.Equal(t, p.FamilyID, rt.Claims["sid"])
	require.NotContains(t, rt.Claims, "name", "extra claims are carried inside ext only")
	require.Equal(t, map[string]any{"name": "Alice", "roles": []any{"a", "b"}}, rt.Claims["ext"])
	require.NotEqual(t, c["jti"], rt.Claims["jti"])

	// The extra claims survive a refresh.
	clock.Advance(time.Minute)
	p2, err := m.Refresh(ctx, p.RefreshToken)
	require.NoError(t, err)
	at2, err := jwt.Verify[map[string]any](ctx, p2.AccessToken, k.verifier, &jwt.VerifyOptions{Audience: []string{"api"}, Now: clock.Now})
	require.NoError(t, err)
	require.Equal(t, "Alice", at2.Claims["name"])
	require.Equal(t, c["auth_time"], at2.Claims["auth_time"], "auth_time is the login's")
	require.NotEqual(t, c["jti"], at2.Claims["jti"])

	// Pairs of different logins are different sessions.
	p3, err := m.Issue(ctx, session.Grant{Subject: "alice"})
	require.NoError(t, err)
	require.NotEqual(t, p.FamilyID, p3.FamilyID)
}

func TestIssueRefusesBadGrants(t *testing.T) {
	m, _, _ := newTestManager(t, nil)
	for _, g := range []session.Grant{
		{},
		{Subject: "alice", Extra: map[string]any{"sub": "mallory"}},
		{Subject: "alice", Extra: map[string]any{"sid": "x"}},
		{Subject: "alice", Extra: map[string]any{"bad": func() {}}},
	} {
		_, err := m.Issue(context.Background(), g)
		require.ErrorIs(t, err, jwt.ErrInvalidClaims, "%+v", g)
	}
}

func TestMaxLifetime(t *testing.T) {
	ctx := context.Background()
	m, clock, _ := newTestManager(t, func(o *session.Options) {
		o.RefreshTTL = 40 * time.Minute
		o.MaxLifetime = time.Hour
	})
	p, err := m.Issue(ctx, session.Grant{Subject: "alice"})
	require.NoError(t, err)
	end := p.IssuedAt.Add(time.Hour)

	clock.Advance(30 * time.Minute)
	p, err = m.Refresh(ctx, p.RefreshToken)
	require.NoError(t, err)
	require.Equal(t, end, p.RefreshExpires, "a refresh extended the session beyond its maximum lifetime")

	clock.Advance(28 * time.Minute)
	p, err = m.Refresh(ctx, p.RefreshToken)
	require.NoError(t, err)
	require.Equal(t, end, p.AccessExpires)
	require.Equal(t, end, p.RefreshExpires)

	clock.Advance(2 * time.Minute)
	_, err = m.Refresh(ctx, p.RefreshToken)
	require.ErrorIs(t, err, jwt.ErrExpired)
	_, err = m.VerifyAccess(ctx, p.AccessToken)
	require.ErrorIs(t, err, jwt.ErrExpired)
}

func TestIdleTimeout(t *testing.T) {
	ctx := context.Background()
	m, clock, _ := newTestManager(t, func(o *session.Options) { o.RefreshTTL = 10 * time.Minute })
	p, err := m.Issue(ctx, session.Grant{Subject: "alice"})
	require.NoError(t, err)
	for range 5 { // active: refreshed every 9 minutes, the session goes on
		clock.Advance(9 * time.Minute)
		p, err = m.Refresh(ctx, p.RefreshToken)
		require.NoError(t, err)
	}
	clock.Advance(10 * time.Minute)
	_, err = m.Refresh(ctx, p.RefreshToken)
	require.ErrorIs(t, err, jwt.ErrExpired)
}

func TestAccessTokenExpiry(t *testing.T) {
	ctx := context.Background()
	m, clock, _ := newTestManager(t, nil)
	p, err := m.Issue(ctx, session.Grant{Subject: "alice"})
	require.NoError(t, err)
	clock.Advance(5*time.Minute - time.Second)
	_, err = m.VerifyAccess(ctx, p.AccessToken)
	require.NoError(t, err)
	clock.Advance(time.Second)
	_, err = m.VerifyAccess(ctx, p.AccessToken)
	require.ErrorIs(t, err, jwt.ErrExpired, "no leeway on the issuer's own clock")
}

func TestRecheck(t *testing.T) {
	ctx := context.Background()
	var deny, fail, rename bool
	m, _, k := newTestManager(t, func(o *session.Options) {
		o.Recheck = func(_ context.Context, g session.Grant) (session.Grant, error) {
			switch {
			case deny:
				return g, session.ErrDenied
			case fail:
				return g, errors.New("user database down")
			case rename:
				g.Subject = "mallory"
				return g, nil
			}
			g.Scope = "read" // permissions changed
			g.Extra = map[string]any{"plan": "free"}
			return g, nil
		}
	})
	p, err := m.Issue(ctx, session.Grant{Subject: "alice", Scope: "read admin", Extra: map[string]any{"plan": "pro"}})
	require.NoError(t, err)

	deny = true
	_, err = m.Refresh(ctx, p.RefreshToken)
	require.ErrorIs(t, err, session.ErrDenied)
	deny, fail = false, true
	_, err = m.Refresh(ctx, p.RefreshToken)
	require.ErrorContains(t, err, "user database down")
	require.NotErrorIs(t, err, session.ErrDenied)
	fail, rename = false, true
	_, err = m.Refresh(ctx, p.RefreshToken)
	require.ErrorIs(t, err, jwt.ErrInvalidOption)
	rename = false

	// None of the refused refreshes rotated or revoked anything.
	p2, err := m.Refresh(ctx, p.RefreshToken)
	require.NoError(t, err)
	require.Equal(t, "read", p2.Grant.Scope)
	tok, err := m.VerifyAccess(ctx, p2.AccessToken)
	require.NoError(t, err)
	require.Equal(t, "read", tok.Claims.Scope)
	at, err := jwt.Verify[map[string]any](ctx, p2.AccessToken, k.verifier, &jwt.VerifyOptions{IgnoreAudience: true})
	require.NoError(t, err)
	require.Equal(t, "free", at.Claims["plan"])
}

func TestRefreshRejects(t *testing.T) {
	ctx := context.Background()
	m, clock, k := newTestManager(t, nil)
	p, err := m.Issue(ctx, session.Grant{Subject: "alice"})
	require.NoError(t, err)

	other, _, _ := newTestManager(t, nil)
	po, err := other.Issue(ctx, session.Grant{Subject: "alice"})
	require.NoError(t, err)
	_, err = m.Refresh(ctx, po.RefreshToken)
	require.ErrorIs(t, err, jwt.ErrInvalidSignature, "a refresh token signed with another key")

	_, err = m.Refresh(ctx, "not a token")
	require.ErrorIs(t, err, jwt.ErrMalformed)

	// A refresh token whose jti does not name its family, signed with the
	// right key, as a forger holding the key or a bug would make it.
	now := clock.Now()
	forged, err := jwt.Sign(ctx, k.signer, map[string]any{
		"iss": "https://auth.example", "aud": "https://auth.example", "sub": "alice",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "auth_time": now.Unix(),
		"sid": p.FamilyID, "jti": "x",
	}, &jwt.SignOptions{Type: session.RefreshType})
	require.NoError(t, err)
	_, err = m.Refresh(ctx, forged)
	require.ErrorIs(t, err, jwt.ErrMalformed)

	clock.Advance(24 * time.Hour)
	_, err = m.Refresh(ctx, p.RefreshToken)
	require.ErrorIs(t, err, jwt.ErrExpired)
}

func TestRevocations(t *testing.T) {
	ctx := context.Background()
	m, clock, _ := newTestManager(t, nil)
	require.ErrorIs(t, m.RevokeSubject(ctx, "alice", clock.Now().Add(time.Second)), jwt.ErrInvalidOption)
	require.ErrorIs(t, m.RevokeSubject(ctx, "", clock.Now()), jwt.ErrInvalidOption)
	require.ErrorIs(t, m.RevokeID(ctx, "", clock.Now().Add(time.Hour)), jwt.ErrInvalidOption)

	// An expired refresh token still ends its session, whose newer
	// tokens may be alive: revocation checks the signature, not the expiry.
	m, clock, _ = newTestManager(t, func(o *session.Options) { o.RefreshTTL = time.Hour })
	p1, err := m.Issue(ctx, session.Grant{Subject: "alice"})
	require.NoError(t, err)
	clock.Advance(50 * time.Minute)
	p2, err := m.Refresh(ctx, p1.RefreshToken)
	require.NoError(t, err)
	clock.Advance(20 * time.Minute)
	require.NoError(t, m.RevokeToken(ctx, p1.RefreshToken))
	_, err = m.Refresh(ctx, p2.RefreshToken)
	require.ErrorIs(t, err, session.ErrRevoked)

	other, _, _ := newTestManager(t, nil)
	po, err := other.Issue(ctx, session.Grant{Subject: "alice"})
	require.NoError(t, err)
	require.ErrorIs(t, m.RevokeToken(ctx, po.AccessToken), jwt.ErrInvalidSignature)
}

func TestCheckRequest(t *testing.T) {
	ctx := context.Background()
	m, _, _ := newTestManager(t, nil)
	p, err := m.Issue(ctx, session.Grant{Subject: "alice"})
	require.NoError(t, err)
	tok, err := m.VerifyAccess(ctx, p.AccessToken)
	require.NoError(t, err)
	r := httptest.NewRequest("GET", "/api", nil)
	rc := &tok.Claims.RegisteredClaims
	require.NoError(t, m.CheckRequest(r, tok.Header, rc))
	require.NoError(t, m.CheckRequest(r, jwt.Header{Type: "application/AT+JWT"}, rc))
	require.ErrorIs(t, m.CheckRequest(r, jwt.Header{Type: session.RefreshType}, rc), jwt.ErrTypeMismatch)
	require.ErrorIs(t, m.CheckRequest(r, jwt.Header{}, rc), jwt.ErrTypeMismatch)
	require.NoError(t, m.RevokeFamily(ctx, p.FamilyID))
	require.ErrorIs(t, m.CheckRequest(r, tok.Header, rc), session.ErrRevoked)
	require.ErrorIs(t, m.CheckAccess(ctx, nil), session.ErrRevoked)
}

// brokenStore is a Store whose backend is gone.
type brokenStore struct{ err error }

var _ session.Store = brokenStore{}

func (s brokenStore) Create(context.Context, session.Family) error         { return s.err }
func (s brokenStore) Redeem(context.Context, session.Redemption) error     { return s.err }
func (s brokenStore) RevokeFamily(context.Context, string) error           { return s.err }
func (s brokenStore) RevokeToken(context.Context, string, time.Time) error { return s.err }
func (s brokenStore) Check(context.Context, session.TokenRef) error        { return s.err }
func (s brokenStore) RevokeSubject(context.Context, string, time.Time, time.Time) error {
	return s.err
}

func TestFailsClosed(t *testing.T) {
	ctx := context.Background()
	for _, storeErr := range []error{
		session.ErrStoreUnavailable,
		errors.New("some store error the manager does not know"),
	} {
		good, _, k := newTestManager(t, nil)
		p, err := good.Issue(ctx, session.Grant{Subject: "alice"})
		require.NoError(t, err)
		tok, err := good.VerifyAccess(ctx, p.AccessToken)
		require.NoError(t, err)

		m, err := session.New(session.Options{Signer: session.FixedSigner(k.signer), Keys: k.verifier, Store: brokenStore{storeErr},
			Issuer: "https://auth.example", Audience: []string{"api"}})
		require.NoError(t, err)
		_, err = m.Issue(ctx, session.Grant{Subject: "alice"})
		require.ErrorIs(t, err, session.ErrStoreUnavailable)
		_, err = m.Refresh(ctx, p.RefreshToken)
		require.ErrorIs(t, err, session.ErrStoreUnavailable)
		require.ErrorIs(t, m.CheckAccess(ctx, &tok.Claims.RegisteredClaims), session.ErrStoreUnavailable)
		_, err = m.VerifyAccess(ctx, p.AccessToken)
		require.ErrorIs(t, err, session.ErrStoreUnavailable)
		require.ErrorIs(t, m.RevokeFamily(ctx, p.FamilyID), session.ErrStoreUnavailable)
		require.ErrorIs(t, m.RevokeToken(ctx, p.AccessToken), session.ErrStoreUnavailable)
		require.ErrorIs(t, m.RevokeSubject(ctx, "alice", time.Now()), session.ErrStoreUnavailable)
	}
}

// gatedStore holds every Redeem until the test lets it through, so that
// refreshes are in flight together whatever the machine's speed.
type gatedStore struct {
	session.Store
	arrived chan struct{}
	release chan struct{}
	open    atomic.Bool // lets every Redeem through
}

var _ session.Store = (*gatedStore)(nil)

func (s *gatedStore) Redeem(ctx context.Context, r session.Redemption) error {
	if !s.open.Load() {
		s.arrived <- struct{}{}
		<-s.release
	}
	return s.Store.Redeem(ctx, r)
}

// TestConcurrentRefresh shows what happens when one client sends two
// refreshes with the same refresh token at once (two tabs, or a retry sent
// before the first answer came): both are verified and checked, both make a
// new pair, and the store redeems the token for the first one to reach it.
// By default the second is reuse (RFC 9700 §4.14.2): the whole session is
// revoked, the first's new pair with it. With ReuseGrace the second is
// refused with ErrRecentlyRotated and the session goes on with the first's
// pair; the same token presented after the window is reuse again.
func TestConcurrentRefresh(t *testing.T) {
	const grace = 10 * time.Second
	for _, tt := range []struct {
		name    string
		grace   time.Duration
		loser   error // the second refresh's error
		revoked bool  // whether the session is revoked
	}{
		{name: "strict", grace: 0, loser: session.ErrReused, revoked: true},
		{name: "ReuseGrace", grace: grace, loser: session.ErrRecentlyRotated, revoked: false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			clock := newFakeClock()
			k := newKeys(t)
			store := &gatedStore{
				Store:   session.NewMemoryStore(&session.MemoryStoreOptions{Now: clock.Now}),
				arrived: make(chan struct{}),
				release: make(chan struct{}),
			}
			var reuses []session.Reuse
			m, err := session.New(session.Options{
				Signer: session.FixedSigner(k.signer), Keys: k.verifier, Store: store,
				Issuer: "https://auth.example", Audience: []string{"api"}, Now: clock.Now,
				ReuseGrace: tt.grace,
				OnReuse:    func(_ context.Context, r session.Reuse) { reuses = append(reuses, r) },
			})
			require.NoError(t, err)
			p, err := m.Issue(ctx, session.Grant{Subject: "alice"})
			require.NoError(t, err)

			type result struct {
				pair *session.Pair
				err  error
			}
			results := make(chan result)
			for range 2 {
				go func() {
					pair, err := m.Refresh(ctx, p.RefreshToken)
					results <- result{pair, err}
				}()
			}
			<-store.arrived // both refreshes have made their pair
			<-store.arrived
			store.release <- struct{}{}
			first := <-results
			store.release <- struct{}{}
			second := <-results

			require.NoError(t, first.err, "the first refresh to reach the store")
			require.Nil(t, second.pair)
			require.ErrorIs(t, second.err, tt.loser, "the second refresh")
			require.Len(t, reuses, map[bool]int{true: 1, false: 0}[tt.revoked], "OnReuse calls")

			store.open.Store(true)
			_, err = m.VerifyAccess(ctx, first.pair.AccessToken)
			next, refreshErr := m.Refresh(ctx, first.pair.RefreshToken)
			if tt.revoked {
				require.ErrorIs(t, err, session.ErrRevoked, "the first's access token after the reuse")
				require.ErrorIs(t, refreshErr, session.ErrRevoked, "the first's refresh token after the reuse")
				return
			}
			require.NoError(t, err, "the first's access token")
			require.NoError(t, refreshErr, "the first's refresh token")

			// The grace window hides reuse too: the first token, presented
			// again within it, is refused without revoking anything.
			_, err = m.Refresh(ctx, first.pair.RefreshToken)
			require.ErrorIs(t, err, session.ErrRecentlyRotated)
			_, err = m.VerifyAccess(ctx, next.AccessToken)
			require.NoError(t, err)
			// After the window, it is reuse.
			clock.Advance(grace)
			_, err = m.Refresh(ctx, first.pair.RefreshToken)
			require.ErrorIs(t, err, session.ErrReused)
			require.Len(t, reuses, 1)
			_, err = m.VerifyAccess(ctx, next.AccessToken)
			require.ErrorIs(t, err, session.ErrRevoked)
		})
	}
}
