package session

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"

	"github.com/jwtkit/jwt"
)

// Issue starts a session for g, after the caller has authenticated the
// user, and returns its first pair of tokens.
func (m *Manager) Issue(ctx context.Context, g Grant) (*Pair, error) {
	t, err := m.begin(ctx, g, false)
	if err != nil {
		return nil, err
	}
	return &t.pair, nil
}

// begin starts a new family for g: it mints its first pair and records the
// family in the store, until the refresh token expires, or until the access
// token does if accessOnly (IssueAccess, whose refresh token is never given
// out: its ID stands for the family's current token, which nothing can
// redeem).
func (m *Manager) begin(ctx context.Context, g Grant, accessOnly bool) (*minted, error) {
	if err := checkGrant(&g); err != nil {
		return nil, err
	}
	now := m.now()
	family := newID()
	t, err := m.mint(ctx, g, family, now, now)
	if err != nil {
		return nil, err
	}
	expires := t.expires
	if accessOnly {
		expires = t.pair.AccessExpires
	}
	f := Family{ID: family, Subject: g.Subject, Created: now, Token: t.refreshJTI, Expires: expires}
	if err := m.store.Create(ctx, f); err != nil {
		return nil, storeError(err)
	}
	return t, nil
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
	// One step (Check and Redeem together) if the store can, unless a
	// proof must be remembered, or Recheck called, once the token is known
	// to be unrevoked.
	oneStep, _ := m.store.(CheckRedeemer)
	if remember != nil || m.recheck != nil {
		oneStep = nil
	}
	if oneStep == nil {
		if err := m.store.Check(ctx, ref); err != nil {
			return nil, storeError(err)
		}
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
	red := Redemption{
		Family:    c.FamilyID,
		Presented: c.ID,
		Next:      t.refreshJTI,
		Expires:   t.expires,
		Grace:     m.grace,
	}
	if oneStep != nil {
		err = oneStep.CheckRedeem(ctx, ref, red)
	} else {
		err = m.store.Redeem(ctx, red)
	}
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
