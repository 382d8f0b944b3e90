package storetest

import (
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/session"
)

// newManager returns a Manager over s signing with a new HS256 key, and the
// reuse events it has reported.
func newManager(t *testing.T, s session.Store, grace time.Duration) (*session.Manager, func() []session.Reuse) {
	t.Helper()
	signer, verifier := newKeys(t)
	var mu sync.Mutex
	var reuses []session.Reuse
	m, err := session.New(session.Options{
		Signer:     session.FixedSigner(signer),
		Keys:       verifier,
		Store:      s,
		Issuer:     "https://auth.example",
		Audience:   []string{"api"},
		ReuseGrace: grace,
		OnReuse: func(_ context.Context, r session.Reuse) {
			mu.Lock()
			reuses = append(reuses, r)
			mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return m, func() []session.Reuse {
		mu.Lock()
		defer mu.Unlock()
		return append([]session.Reuse(nil), reuses...)
	}
}

// newKeys returns a new HS256 key, to sign and to verify with.
func newKeys(t *testing.T) (jwt.Signer, jwt.Verifier) {
	t.Helper()
	secret := make([]byte, 32)
	rand.Read(secret)
	signer, err := jwt.HS256.NewSigner(secret)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := jwt.HS256.NewVerifier(secret)
	if err != nil {
		t.Fatal(err)
	}
	return signer, verifier
}

func issue(t *testing.T, m *session.Manager, subject string) *session.Pair {
	t.Helper()
	p, err := m.Issue(context.Background(), session.Grant{Subject: subject, Scope: "read"})
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	return p
}

func verifyAccess(m *session.Manager, p *session.Pair) error {
	_, err := m.VerifyAccess(context.Background(), p.AccessToken)
	return err
}

func refresh(m *session.Manager, p *session.Pair) (*session.Pair, error) {
	return m.Refresh(context.Background(), p.RefreshToken)
}

func testManagerLifecycle(t *testing.T, s session.Store) {
	m, reuses := newManager(t, s, 0)
	p1 := issue(t, m, "alice")
	wantErr(t, "VerifyAccess of the first access token", verifyAccess(m, p1), nil)
	p2, err := refresh(m, p1)
	wantErr(t, "first refresh", err, nil)
	if p2.FamilyID != p1.FamilyID || p2.RefreshToken == p1.RefreshToken || p2.AccessToken == p1.AccessToken {
		t.Fatal("a refresh did not give a new pair of the same family")
	}
	wantErr(t, "VerifyAccess of the first access token after a refresh", verifyAccess(m, p1), nil)
	p3, err := refresh(m, p2)
	wantErr(t, "second refresh", err, nil)
	if len(reuses()) != 0 {
		t.Fatal("OnReuse called before any reuse")
	}

	_, err = refresh(m, p1)
	wantErr(t, "refresh with the first, rotated, refresh token", err, session.ErrReused)
	r := reuses()
	if len(r) != 1 || r[0].FamilyID != p1.FamilyID || r[0].Subject != "alice" {
		t.Fatalf("OnReuse reported %+v, want one reuse of family %s", r, p1.FamilyID)
	}
	_, err = refresh(m, p3)
	wantErr(t, "refresh with the newest refresh token after reuse", err, session.ErrRevoked)
	wantErr(t, "VerifyAccess of the newest access token after reuse", verifyAccess(m, p3), session.ErrRevoked)
}

func testManagerLogout(t *testing.T, s session.Store) {
	m, _ := newManager(t, s, 0)
	p, other := issue(t, m, "alice"), issue(t, m, "alice")
	wantErr(t, "RevokeToken of a refresh token", m.RevokeToken(context.Background(), p.RefreshToken), nil)
	_, err := refresh(m, p)
	wantErr(t, "refresh after logout", err, session.ErrRevoked)
	wantErr(t, "VerifyAccess after logout", verifyAccess(m, p), session.ErrRevoked)
	wantErr(t, "VerifyAccess of another session", verifyAccess(m, other), nil)
	_, err = refresh(m, other)
	wantErr(t, "refresh of another session", err, nil)
}

func testManagerLogoutEverywhere(t *testing.T, s session.Store) {
	ctx := context.Background()
	m, _ := newManager(t, s, 0)
	a1, a2, bob := issue(t, m, "alice"), issue(t, m, "alice"), issue(t, m, "bob")
	a2, err := refresh(m, a2) // a refreshed pair of an old session is revoked too
	wantErr(t, "refresh", err, nil)
	time.Sleep(2 * time.Millisecond) // a cutoff after the logins, on any clock resolution
	wantErr(t, "RevokeSubject", m.RevokeSubject(ctx, "alice", time.Now()), nil)
	for _, p := range []*session.Pair{a1, a2} {
		wantErr(t, "VerifyAccess after logout everywhere", verifyAccess(m, p), session.ErrRevoked)
		_, err := refresh(m, p)
		wantErr(t, "refresh after logout everywhere", err, session.ErrRevoked)
	}
	wantErr(t, "VerifyAccess of another subject", verifyAccess(m, bob), nil)
	again := issue(t, m, "alice") // at once, as after a password change
	wantErr(t, "VerifyAccess of a new login", verifyAccess(m, again), nil)
	_, err = refresh(m, again)
	wantErr(t, "refresh of a new login", err, nil)
}

func testManagerRevokeAccess(t *testing.T, s session.Store) {
	ctx := context.Background()
	m, _ := newManager(t, s, 0)
	p := issue(t, m, "alice")
	wantErr(t, "RevokeToken of an access token", m.RevokeToken(ctx, p.AccessToken), nil)
	wantErr(t, "VerifyAccess of the revoked access token", verifyAccess(m, p), session.ErrRevoked)
	p2, err := refresh(m, p)
	wantErr(t, "refresh of the session", err, nil)
	wantErr(t, "VerifyAccess of the new access token", verifyAccess(m, p2), nil)

	tok, err := m.VerifyAccess(ctx, p2.AccessToken)
	wantErr(t, "VerifyAccess", err, nil)
	wantErr(t, "RevokeID", m.RevokeID(ctx, tok.Claims.ID, tok.Claims.ExpiresAt.Time), nil)
	wantErr(t, "CheckAccess after RevokeID", m.CheckAccess(ctx, &tok.Claims.RegisteredClaims), session.ErrRevoked)
}

func testManagerTypes(t *testing.T, s session.Store) {
	ctx := context.Background()
	m, _ := newManager(t, s, 0)
	p := issue(t, m, "alice")
	_, err := m.Refresh(ctx, p.AccessToken)
	wantErr(t, "an access token used as a refresh token", err, jwt.ErrTypeMismatch)
	_, err = m.VerifyAccess(ctx, p.RefreshToken)
	wantErr(t, "a refresh token used as an access token", err, jwt.ErrTypeMismatch)
	_, err = refresh(m, p)
	wantErr(t, "refresh after the wrong-type attempts", err, nil)
}

func testManagerConcurrentRefresh(t *testing.T, s session.Store) {
	m, reuses := newManager(t, s, 0)
	p := issue(t, m, "alice")
	pairs := make([]*session.Pair, Concurrency)
	errs := concurrently(Concurrency, func(i int) (err error) {
		pairs[i], err = refresh(m, p)
		return err
	})
	ok, n := tally(t, errs, session.ErrReused, session.ErrRevoked)
	if ok != 1 || n[0] == 0 {
		t.Fatalf("%d concurrent refreshes of one token: %d new pairs, %d reuse, %d revoked; want exactly 1 new pair and the rest refused as reuse", Concurrency, ok, n[0], n[1])
	}
	if len(reuses()) != n[0] {
		t.Fatalf("OnReuse called %d times for %d reuses", len(reuses()), n[0])
	}
	for i, err := range errs {
		if err == nil {
			_, err := refresh(m, pairs[i])
			wantErr(t, "refresh with the one new pair after the concurrent reuse", err, session.ErrRevoked)
		}
	}
}

func testManagerConcurrentRefreshGrace(t *testing.T, s session.Store) {
	m, reuses := newManager(t, s, 10*time.Second)
	p := issue(t, m, "alice")
	pairs := make([]*session.Pair, Concurrency)
	errs := concurrently(Concurrency, func(i int) (err error) {
		pairs[i], err = refresh(m, p)
		return err
	})
	ok, n := tally(t, errs, session.ErrRecentlyRotated)
	if ok != 1 || n[0] != Concurrency-1 {
		t.Fatalf("%d concurrent refreshes of one token with a grace window: %d new pairs and %d refused as retries, want 1 and %d", Concurrency, ok, n[0], Concurrency-1)
	}
	if len(reuses()) != 0 {
		t.Fatal("OnReuse called for retries within the grace window")
	}
	for i, err := range errs {
		if err == nil {
			_, err := refresh(m, pairs[i])
			if err != nil {
				t.Fatalf("refresh with the one new pair: %v, want nil", err)
			}
		}
	}
}

// clock is a clock that a test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testManagerRevocationsOutlive is the class test of a revocation record's
// lifetime (issue 21): for every kind of revocation (a token ID, a whole
// access or refresh token, a family, a subject with a cutoff now or in the
// past), the revoked tokens stay refused until the last of them has
// expired, plus the Manager's ClockSkew, as a resource server whose clock
// runs behind sees them. Time is the store's and the Manager's clock, moved
// by the test: nothing waits.
func testManagerRevocationsOutlive(t *testing.T, newStore func(*testing.T, func() time.Time) session.Store) {
	ctx := context.Background()
	kinds := []struct {
		name    string
		session bool // the kind revokes the whole session
		revoke  func(m *session.Manager, p *session.Pair, tok *jwt.Token[session.Claims], past time.Time, now time.Time) error
	}{
		{"TokenID", false, func(m *session.Manager, _ *session.Pair, tok *jwt.Token[session.Claims], _, _ time.Time) error {
			return m.RevokeID(ctx, tok.Claims.ID, tok.Claims.ExpiresAt.Time)
		}},
		{"AccessToken", false, func(m *session.Manager, p *session.Pair, _ *jwt.Token[session.Claims], _, _ time.Time) error {
			return m.RevokeToken(ctx, p.AccessToken)
		}},
		{"RefreshToken", true, func(m *session.Manager, p *session.Pair, _ *jwt.Token[session.Claims], _, _ time.Time) error {
			return m.RevokeToken(ctx, p.RefreshToken)
		}},
		{"Family", true, func(m *session.Manager, p *session.Pair, _ *jwt.Token[session.Claims], _, _ time.Time) error {
			return m.RevokeFamily(ctx, p.FamilyID)
		}},
		{"SubjectNow", true, func(m *session.Manager, _ *session.Pair, _ *jwt.Token[session.Claims], _, now time.Time) error {
			return m.RevokeSubject(ctx, "alice", now)
		}},
		{"SubjectPast", true, func(m *session.Manager, _ *session.Pair, _ *jwt.Token[session.Claims], past, _ time.Time) error {
			return m.RevokeSubject(ctx, "alice", past) // before the session's last refresh
		}},
	}
	for _, kind := range kinds {
		t.Run(kind.name, func(t *testing.T) {
			c := &clock{t: time.Now()}
			s := newStore(t, c.Now)
			signer, verifier := newKeys(t)
			m, err := session.New(session.Options{
				Signer: session.FixedSigner(signer), Keys: verifier,
				Store: s, Issuer: "https://auth.example", Audience: []string{"api"},
				AccessTTL: time.Hour, RefreshTTL: 24 * time.Hour, Now: c.Now,
			})
			if err != nil {
				t.Fatal(err)
			}
			p := issue(t, m, "alice")
			c.advance(time.Second)
			past := c.Now()
			c.advance(time.Hour)
			p, err = refresh(m, p) // the session goes on after the cutoff
			wantErr(t, "refresh", err, nil)
			tok, err := m.VerifyAccess(ctx, p.AccessToken)
			wantErr(t, "VerifyAccess", err, nil)
			rc := tok.Claims.RegisteredClaims
			c.advance(time.Minute)
			wantErr(t, "revocation", kind.revoke(m, p, tok, past, c.Now()), nil)
			end := p.AccessExpires
			if kind.session {
				end = p.RefreshExpires
			}
			end = end.Add(session.DefaultClockSkew)
			for ; c.Now().Before(end); c.advance(time.Hour) {
				if err := m.CheckAccess(ctx, &rc); !errors.Is(err, session.ErrRevoked) {
					t.Fatalf("CheckAccess %v before the revoked token expires on the slowest clock: %v, want ErrRevoked", end.Sub(c.Now()), err)
				}
				if kind.session && c.Now().Before(p.RefreshExpires) {
					_, err := refresh(m, p)
					wantErr(t, "refresh of the revoked session", err, session.ErrRevoked)
				}
			}
			c.advance(end.Sub(c.Now()) - time.Millisecond)
			wantErr(t, "CheckAccess a millisecond before the revoked token expires on the slowest clock", m.CheckAccess(ctx, &rc), session.ErrRevoked)
		})
	}
}
