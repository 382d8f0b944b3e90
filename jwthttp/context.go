package jwthttp

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"

	"github.com/jwtkit/jwt"
)

// ctxKey is the context key of a request's *credential.
type ctxKey struct{}

// credential is what the middleware puts in a request's context: the
// verified token, or, for a request let through without one, only cfg.
type credential struct {
	raw   string // the verified compact token; "" for none
	token any    // *jwt.Token[T]
	cfg   *config
	rc    *jwt.RegisteredClaims // &token.Claims when T is RegisteredClaims

	once sync.Once
	x    extras
}

// extras are the claims the middleware reads from a verified token's
// payload whatever the claims type: the registered claims, for Check, and
// the scopes.
type extras struct {
	rc       jwt.RegisteredClaims
	rcErr    error
	scopes   []string
	scopeErr error
}

// Token returns the verified token of the request whose context is ctx, as
// put there by the middleware of New[T]. It reports false if there is none,
// or if the middleware's claims type is not T.
func Token[T any](ctx context.Context) (*jwt.Token[T], bool) {
	c, _ := ctx.Value(ctxKey{}).(*credential)
	if c == nil {
		return nil, false
	}
	t, ok := c.token.(*jwt.Token[T])
	return t, ok
}

// Claims returns the claims of the verified token of the request whose
// context is ctx, as put there by the middleware of New[T]. It reports false
// if there is none, or if the middleware's claims type is not T.
func Claims[T any](ctx context.Context) (T, bool) {
	t, ok := Token[T](ctx)
	if !ok {
		var zero T
		return zero, false
	}
	return t.Claims, true
}

// Scopes returns the scopes granted to the verified token of the request
// whose context is ctx, whatever its claims type: the "scope" claim, a
// string of scopes separated by spaces (RFC 9068 §2.2.3, RFC 8693 §4.2), or,
// if the token has none, the "scp" claim, an array of strings or a string
// like "scope". It returns nil if there is no token, no scope, or a scope
// claim of another type.
func Scopes(ctx context.Context) []string {
	c, _ := ctx.Value(ctxKey{}).(*credential)
	if c == nil || c.raw == "" {
		return nil
	}
	x := c.extras()
	if x.scopeErr != nil {
		return nil
	}
	return x.scopes
}

// registered returns a copy of the token's registered claims.
func (c *credential) registered() (jwt.RegisteredClaims, error) {
	if c.rc != nil {
		return *c.rc, nil
	}
	x := c.extras()
	return x.rc, x.rcErr
}

// extras reads the payload of the verified token once. It runs only when a
// handler asks for scopes, or a Check hook needs the registered claims of
// a T that is not RegisteredClaims, so that other requests do not pay for it.
func (c *credential) extras() *extras {
	c.once.Do(func() { c.x = readExtras(c.raw, c.rc == nil) })
	return &c.x
}

var errScope = errors.New("jwt: malformed scope claim")

// readExtras reads the registered claims (if wantRC) and scopes of token,
// which jwt.Verify has accepted. Verify has checked the payload already:
// strict base64url, one JSON object with unique member names, registered
// claims of the right types. Members are looked up by their exact names,
// which encoding/json's field matching would not do.
func readExtras(token string, wantRC bool) extras {
	var x extras
	d1 := strings.IndexByte(token, '.')
	d2 := strings.LastIndexByte(token, '.')
	payload, err := base64.RawURLEncoding.DecodeString(token[d1+1 : d2])
	var members map[string]json.RawMessage
	if err == nil {
		err = json.Unmarshal(payload, &members)
	}
	if err != nil {
		x.rcErr, x.scopeErr = err, err
		return x
	}
	if wantRC {
		x.rcErr = readRegistered(members, &x.rc)
	}
	if raw, ok := members["scope"]; ok {
		x.scopes, x.scopeErr = readScopes(raw, false)
	} else if raw, ok := members["scp"]; ok {
		x.scopes, x.scopeErr = readScopes(raw, true)
	}
	return x
}

// readRegistered reads the registered claims of members into rc.
func readRegistered(members map[string]json.RawMessage, rc *jwt.RegisteredClaims) error {
	fields := [...]struct {
		name string
		v    any
	}{
		{"iss", &rc.Issuer}, {"sub", &rc.Subject}, {"aud", &rc.Audience},
		{"exp", &rc.ExpiresAt}, {"nbf", &rc.NotBefore}, {"iat", &rc.IssuedAt},
		{"jti", &rc.ID},
	}
	for _, f := range fields {
		if raw, ok := members[f.name]; ok {
			if err := json.Unmarshal(raw, f.v); err != nil {
				return err
			}
		}
	}
	return nil
}

// readScopes reads a "scope" claim (a string), or an "scp" claim (a string
// or an array of strings) if array is set.
func readScopes(raw json.RawMessage, array bool) ([]string, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) > 0 && raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, errScope
		}
		var scopes []string
		for t := range strings.SplitSeq(s, " ") {
			if t != "" {
				scopes = append(scopes, t)
			}
		}
		return scopes, nil
	case array && len(raw) > 0 && raw[0] == '[':
		var list []*string // nil for a null element
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, errScope
		}
		scopes := make([]string, len(list))
		for i, s := range list {
			if s == nil {
				return nil, errScope
			}
			scopes[i] = *s
		}
		return scopes, nil
	}
	return nil, errScope
}
