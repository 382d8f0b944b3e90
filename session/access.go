package session

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/internal/typ"
)

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
