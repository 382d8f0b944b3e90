package session_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/session"
	"github.com/stretchr/testify/require"
)

// TestErrorsNameThePackage shows that the errors of this package, its own
// and those of package jwt it passes on, start with "session: " and wrap
// the sentinel that says what happened.
func TestErrorsNameThePackage(t *testing.T) {
	ctx := context.Background()
	for _, e := range []error{
		session.ErrRevoked, session.ErrReused, session.ErrRecentlyRotated, session.ErrKeyBinding,
		session.ErrDenied, session.ErrStoreUnavailable,
	} {
		require.True(t, strings.HasPrefix(e.Error(), "session: "), "sentinel %q", e)
	}
	require.ErrorIs(t, session.ErrStoreUnavailable, jwt.ErrUnavailable)

	errDatabase := errors.New("users: database down")
	m, clock, k := newTestManager(t, func(o *session.Options) {
		o.MaxLifetime = time.Hour
		o.Recheck = func(_ context.Context, g session.Grant) (session.Grant, error) {
			if g.Scope == "denied" {
				return g, session.ErrDenied
			}
			if g.Scope == "broken" {
				return g, errDatabase
			}
			return g, nil
		}
	})
	issue := func(scope string) *session.Pair {
		p, err := m.Issue(ctx, session.Grant{Subject: "alice", Scope: scope})
		require.NoError(t, err)
		return p
	}
	p, denied, broken := issue("read"), issue("denied"), issue("broken")
	refresh := func(p *session.Pair) error {
		_, err := m.Refresh(ctx, p.RefreshToken)
		return err
	}
	_, badOption := session.New(session.Options{Signer: session.FixedSigner(k.signer)})
	_, badGrant := m.Issue(ctx, session.Grant{})
	_, accessAsRefresh := m.Refresh(ctx, p.AccessToken)
	_, refreshAsAccess := m.VerifyAccess(ctx, p.RefreshToken)
	tampered := p.RefreshToken[:len(p.RefreshToken)-2] + "AA"
	if tampered == p.RefreshToken {
		tampered = p.RefreshToken[:len(p.RefreshToken)-2] + "BA"
	}
	_, forged := m.Refresh(ctx, tampered)
	r := httptest.NewRequest("GET", "/", nil)
	wrongType := m.CheckRequest(r, jwt.Header{Type: session.RefreshType}, &jwt.RegisteredClaims{})
	_, badTTL := session.NewMemoryStore(nil).Remember(ctx, "k", 0)

	type outcome struct {
		name string
		err  error
		want error
	}
	outcomes := []outcome{
		{"New without Keys", badOption, jwt.ErrInvalidOption},
		{"Issue without subject", badGrant, jwt.ErrInvalidClaims},
		{"access token refreshed", accessAsRefresh, jwt.ErrTypeMismatch},
		{"refresh token as access token", refreshAsAccess, jwt.ErrTypeMismatch},
		{"forged refresh token", forged, jwt.ErrInvalidSignature},
		{"CheckRequest of a refresh token", wrongType, jwt.ErrTypeMismatch},
		{"Remember with a zero TTL", badTTL, jwt.ErrInvalidOption},
		{"RevokeID without ID", m.RevokeID(ctx, "", clock.Now()), jwt.ErrInvalidOption},
		{"Recheck denies", refresh(denied), session.ErrDenied},
	}
	outcomes = append(outcomes, outcome{"Recheck fails", refresh(broken), errDatabase})
	require.NoError(t, refresh(p))
	outcomes = append(outcomes, outcome{"reuse", refresh(p), session.ErrReused})
	old := issue("read")
	clock.Advance(time.Hour)
	outcomes = append(outcomes, outcome{"refresh past MaxLifetime", refresh(old), jwt.ErrExpired})
	_, expired := m.VerifyAccess(ctx, old.AccessToken)
	outcomes = append(outcomes, outcome{"expired access token", expired, jwt.ErrExpired})

	for _, o := range outcomes {
		require.Error(t, o.err, o.name)
		require.True(t, strings.HasPrefix(o.err.Error(), "session: "), "%s: %q", o.name, o.err)
		require.NotContains(t, o.err.Error(), "session: session:", o.name)
		require.ErrorIs(t, o.err, o.want, o.name)
	}
}
