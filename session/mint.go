package session

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
)

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
