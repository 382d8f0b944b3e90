package session

import (
	"context"
	"errors"
	"time"

	"github.com/jwtkit/jwt"
)

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
