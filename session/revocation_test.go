package session_test

import (
	"context"
	"testing"
	"time"

	"github.com/jwtkit/jwt/session"
	"github.com/stretchr/testify/require"
)

// TestRevokeSubjectPastCutoffOutlivesRefreshedSession is the regression
// test of issue 21 item 2: RevokeSubject with a cutoff in the past kept its
// record only until the cutoff plus the longest lifetime, so a session
// refreshed between the cutoff and the call outlived it and, once it
// expired, could refresh again for ever.
func TestRevokeSubjectPastCutoffOutlivesRefreshedSession(t *testing.T) {
	ctx := context.Background()
	m, clock, _ := newTestManager(t, nil)
	p, err := m.Issue(ctx, session.Grant{Subject: "alice"})
	require.NoError(t, err)
	cutoff := clock.Now().Add(time.Minute) // the password changed then
	clock.Advance(10 * time.Hour)
	p, err = m.Refresh(ctx, p.RefreshToken) // a refresh after the cutoff
	require.NoError(t, err)
	clock.Advance(10 * time.Hour)
	require.NoError(t, m.RevokeSubject(ctx, "alice", cutoff)) // noticed 20 hours later
	// Until the refreshed token expires, the session stays revoked.
	for clock.Now().Before(p.RefreshExpires) {
		_, err = m.Refresh(ctx, p.RefreshToken)
		require.ErrorIs(t, err, session.ErrRevoked, "at %v, with the refresh token expiring at %v", clock.Now(), p.RefreshExpires)
		clock.Advance(time.Hour)
	}
}

// TestRevokeSubjectOutlivesInstanceAhead covers the same record's lifetime
// with before = now, when another instance's clock runs ahead: a session
// refreshed there just before the revocation has tokens that expire later,
// on the revoking instance's clock, than the longest lifetime from now, and
// that the revoking instance accepts until then.
func TestRevokeSubjectOutlivesInstanceAhead(t *testing.T) {
	ctx := context.Background()
	_, clock, k := newTestManager(t, nil)
	ahead := func() time.Time { return clock.Now().Add(4 * time.Minute) }
	store := session.NewMemoryStore(&session.MemoryStoreOptions{Now: clock.Now})
	a, err := session.New(session.Options{Signer: session.FixedSigner(k.signer), Keys: k.verifier, Store: store, Now: clock.Now})
	require.NoError(t, err)
	b, err := session.New(session.Options{Signer: session.FixedSigner(k.signer), Keys: k.verifier, Store: store, Now: ahead})
	require.NoError(t, err)
	p, err := a.Issue(ctx, session.Grant{Subject: "alice"})
	require.NoError(t, err)
	clock.Advance(time.Hour)
	p, err = b.Refresh(ctx, p.RefreshToken) // on the instance ahead
	require.NoError(t, err)
	require.NoError(t, a.RevokeSubject(ctx, "alice", clock.Now()))
	clock.Advance(session.DefaultRefreshTTL + 2*time.Minute) // before p's expiry
	_, err = a.Refresh(ctx, p.RefreshToken)
	require.ErrorIs(t, err, session.ErrRevoked)
}

// TestRevocationsOutliveWhatTheyRevoke is the class test of item 2 in this
// package: for every kind of revocation (jti, whole token, family,
// subject), the revoked tokens stay refused by CheckAccess, as a resource
// server with a lagging clock or a leeway would ask it, until ClockSkew
// after the last of them expires. The same test runs on every Store in
// package storetest.
func TestRevocationsOutliveWhatTheyRevoke(t *testing.T) {
	ctx := context.Background()
	kinds := []struct {
		name   string
		revoke func(m *session.Manager, p *session.Pair, before time.Time) error
	}{
		{"jti", func(m *session.Manager, p *session.Pair, _ time.Time) error {
			tok, err := m.VerifyAccess(ctx, p.AccessToken)
			if err != nil {
				return err
			}
			return m.RevokeID(ctx, tok.Claims.ID, tok.Claims.ExpiresAt.Time)
		}},
		{"access token", func(m *session.Manager, p *session.Pair, _ time.Time) error {
			return m.RevokeToken(ctx, p.AccessToken)
		}},
		{"refresh token", func(m *session.Manager, p *session.Pair, _ time.Time) error {
			return m.RevokeToken(ctx, p.RefreshToken)
		}},
		{"family", func(m *session.Manager, p *session.Pair, _ time.Time) error {
			return m.RevokeFamily(ctx, p.FamilyID)
		}},
		{"subject now", func(m *session.Manager, p *session.Pair, before time.Time) error {
			return m.RevokeSubject(ctx, "alice", before)
		}},
	}
	for _, kind := range kinds {
		t.Run(kind.name, func(t *testing.T) {
			m, clock, _ := newTestManager(t, func(o *session.Options) { o.AccessTTL = time.Hour })
			p, err := m.Issue(ctx, session.Grant{Subject: "alice"})
			require.NoError(t, err)
			clock.Advance(time.Second)
			before := clock.Now()
			clock.Advance(time.Hour)
			p, err = m.Refresh(ctx, p.RefreshToken)
			require.NoError(t, err)
			tok, err := m.VerifyAccess(ctx, p.AccessToken)
			require.NoError(t, err)
			rc := tok.Claims.RegisteredClaims
			if kind.name == "subject now" {
				before = clock.Now()
			}
			clock.Advance(time.Minute)
			require.NoError(t, kind.revoke(m, p, before))
			// A resource server allowing for ClockSkew accepts the access
			// token until its exp plus the skew.
			end := p.AccessExpires.Add(session.DefaultClockSkew)
			if kind.name != "jti" && kind.name != "access token" {
				end = latestOf(end, p.RefreshExpires.Add(session.DefaultClockSkew))
			}
			for step := time.Duration(0); ; step += 10 * time.Minute {
				if !clock.Now().Before(end) {
					break
				}
				require.ErrorIs(t, m.CheckAccess(ctx, &rc), session.ErrRevoked, "%v after the revocation", step)
				clock.Advance(10 * time.Minute)
			}
			clock.Advance(end.Sub(clock.Now()) - time.Millisecond)
			require.ErrorIs(t, m.CheckAccess(ctx, &rc), session.ErrRevoked, "a millisecond before the token expires on the slowest clock")
		})
	}
}

func latestOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
