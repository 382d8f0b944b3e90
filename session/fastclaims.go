package session

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"sync"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
)

// This file holds the allocation-lean paths of Issue and Refresh: the
// access token's claims built as a struct, which the root package encodes
// without reflection-driven encoding/json, and the refresh token decoded
// into a struct that its claims reader fills without falling back to
// encoding/json.

// signAccess signs the access token of a pair: the claims of c, plus
// g.Extra when there is any. The claims are the names and values mint
// always wrote; only their order differs from the map it used to sign.
func signAccess(ctx context.Context, signer jwt.Signer, c *Claims, extra map[string]any) (string, error) {
	if len(extra) == 0 {
		return signWire(ctx, signer, c, nil, AccessType)
	}
	// Extra claims have names known only at run time: a map of every
	// claim, as encoding/json writes it.
	claims := make(map[string]any, len(extra)+11)
	for k, v := range extra {
		claims[k] = v
	}
	claims["sub"] = c.Subject
	claims["iat"] = c.IssuedAt
	claims["exp"] = c.ExpiresAt
	claims["jti"] = c.ID
	claims["sid"] = c.FamilyID
	claims["auth_time"] = c.AuthTime
	if c.Issuer != "" {
		claims["iss"] = c.Issuer
	}
	if len(c.Audience) > 0 {
		claims["aud"] = c.Audience
	}
	if c.ClientID != "" {
		claims["client_id"] = c.ClientID
	}
	if c.Scope != "" {
		claims["scope"] = c.Scope
	}
	if c.Confirmation != nil {
		claims["cnf"] = c.Confirmation
	}
	return jwt.Sign(ctx, signer, claims, &jwt.SignOptions{Type: AccessType})
}

// signRefresh signs the refresh token of a pair, with claims rc.
func signRefresh(ctx context.Context, signer jwt.Signer, rc *refreshClaims) (string, error) {
	return signWire(ctx, signer, &rc.Claims, rc.Extra, RefreshType)
}

// wires holds the *refreshWire that signWire fills: jwt.Sign keeps
// nothing of its claims, and a claims value given to it as an interface
// would otherwise be a new allocation for every token.
var wires = sync.Pool{New: func() any { return new(refreshWire) }}

// signWire signs c and extra, as a refreshWire, in a token of type typ.
func signWire(ctx context.Context, signer jwt.Signer, c *Claims, extra map[string]json.RawMessage, typ string) (string, error) {
	w := wires.Get().(*refreshWire)
	*w = refreshWire{
		RegisteredClaims: c.RegisteredClaims,
		FamilyID:         c.FamilyID,
		ClientID:         c.ClientID,
		Scope:            c.Scope,
		AuthTime:         c.AuthTime.Unix(),
		Confirmation:     c.Confirmation,
		Extra:            extra,
	}
	token, err := jwt.Sign(ctx, signer, w, &jwt.SignOptions{Type: typ})
	*w = refreshWire{} // keep no claims alive in the pool
	wires.Put(w)
	return token, err
}

// refreshWire is the claims of a Manager's tokens as they are signed, and
// what a refresh token is decoded into: the members of refreshClaims (of
// Claims, for an access token, whose Extra is nil), with "auth_time" an
// integer, which the claims codec reads and writes itself (a NumericDate
// outside RegisteredClaims goes through encoding/json when read, and
// allocates to be tested for zero when written). A Manager always writes
// "auth_time", in whole seconds as jwt.NewNumericDate makes it.
type refreshWire struct {
	jwt.RegisteredClaims
	FamilyID     string                     `json:"sid,omitempty"`
	ClientID     string                     `json:"client_id,omitempty"`
	Scope        string                     `json:"scope,omitempty"`
	AuthTime     int64                      `json:"auth_time"`
	Confirmation *dpop.Confirmation         `json:"cnf,omitempty"`
	Extra        map[string]json.RawMessage `json:"ext,omitempty"`
}

// maxAuthTime is the largest "auth_time" accepted: the end of year 9999,
// the bound of jwt.NumericDate.
const maxAuthTime = 253402300799

// refreshRequired are the claims every refresh token must carry.
var refreshRequired = []string{"sub", "iat", "jti", "sid", "auth_time"}

// verifyRefresh verifies a refresh token at now (signature, "typ"
// RefreshType, "exp", "iss", "aud" as configured, the required claims) and
// returns its claims.
func (m *Manager) verifyRefresh(ctx context.Context, token string, now time.Time) (refreshClaims, error) {
	opts := jwt.VerifyOptions{
		Type:     RefreshType,
		Issuer:   m.issuer,
		Audience: m.refreshAud,
		Now:      fixedClock(now).now,
		Required: refreshRequired,
	}
	tok, err := jwt.Verify[refreshWire](ctx, token, m.keys, &opts)
	if err != nil {
		return refreshClaims{}, prefix("refresh token", err)
	}
	w := &tok.Claims
	if w.AuthTime < 0 || w.AuthTime > maxAuthTime {
		return refreshClaims{}, wrap(jwt.ErrMalformed, nil, "refresh token's auth_time %d out of range", w.AuthTime)
	}
	return refreshClaims{
		Claims: Claims{
			RegisteredClaims: w.RegisteredClaims,
			FamilyID:         w.FamilyID,
			ClientID:         w.ClientID,
			Scope:            w.Scope,
			AuthTime:         jwt.NewNumericDate(time.Unix(w.AuthTime, 0)),
			Confirmation:     w.Confirmation,
		},
		Extra: w.Extra,
	}, nil
}

// fixedClock is a clock that always reads one instant.
type fixedClock time.Time

func (c fixedClock) now() time.Time { return time.Time(c) }

// appendTokenID returns family, a dot and the base64url of random, built
// in one allocation: tokenID's result.
func appendTokenID(family string, random [16]byte) string {
	var stack [2*idLen + 1]byte // a family made by newID fits
	buf := append(stack[:0], family...)
	buf = append(buf, '.')
	buf = base64.RawURLEncoding.AppendEncode(buf, random[:])
	return string(buf)
}
