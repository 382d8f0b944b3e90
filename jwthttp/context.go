package jwthttp

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"sync"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
	"github.com/jwtkit/jwt/internal/oauth"
	"github.com/jwtkit/jwt/internal/strictjson"
)

// ctxKey is the context key of a request's *credential.
type ctxKey struct{}

// credential is what the middleware puts in a request's context: the
// verified token, or, for a request let through without one, only cfg.
//
// A credential with a token is itself the request's new context (its
// Context is the request's context, to which it adds itself as the value
// of ctxKey), so that a request costs one allocation for both, as with
// context.WithValue.
type credential struct {
	context.Context // nil for the anonymous credential, put in a context with context.WithValue

	raw     string       // the verified compact token; "" for none
	payload string       // its decoded payload
	scheme  oauth.Scheme // how the request presented it
	proof   *dpop.Proof
	token   any // *jwt.Token[T]
	cfg     *config
	rc      *jwt.RegisteredClaims // &token.Claims when T is RegisteredClaims

	once sync.Once
	x    *extras // read on first use

	reported bool // RequireScopes reported its refusal to the OnResult hook
}

// Value implements context.Context.
func (c *credential) Value(key any) any {
	if key == (ctxKey{}) {
		return c
	}
	return c.Context.Value(key)
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

// Proof returns the verified DPoP proof of the request whose context is
// ctx, as put there by the middleware of New: for a request whose access
// token came with the DPoP scheme and a proof (see [Options.DPoP]). It
// returns nil for a request with a bearer token, or none.
func Proof(ctx context.Context) *dpop.Proof {
	c, _ := ctx.Value(ctxKey{}).(*credential)
	if c == nil {
		return nil
	}
	return c.proof
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
	c.once.Do(func() {
		x := readPayloadExtras(c.payload, c.rc == nil)
		c.x = &x
	})
	return c.x
}

var (
	errScope        = errors.New("jwt: malformed scope claim")
	errConfirmation = errors.New("jwt: malformed cnf claim")
)

// payloadOf returns the decoded payload of token, a compact JWS that
// jwt.Verify has accepted, with one allocation: the string itself. (It
// decodes through a buffer on the stack into a strings.Builder, which
// gives its bytes up as a string without a copy.)
func payloadOf(token string) (string, error) {
	d1 := strings.IndexByte(token, '.')
	d2 := strings.LastIndexByte(token, '.')
	if d1 < 0 || d2 <= d1 {
		return "", strictjson.Errorf("not a compact JWS")
	}
	seg := token[d1+1 : d2]
	var b strings.Builder
	b.Grow(base64.RawURLEncoding.DecodedLen(len(seg)))
	var out [384]byte
	for len(seg) > 0 {
		// 512 characters (a multiple of 4) at a time, but for the last.
		n := min(len(seg), 512)
		k, err := base64.RawURLEncoding.Decode(out[:], []byte(seg[:n]))
		if err != nil {
			return "", err
		}
		b.Write(out[:k])
		seg = seg[n:]
	}
	return b.String(), nil
}

// readConfirmation returns the "jkt" of the "cnf" claim (RFC 7800 §3.1,
// RFC 9449 §6.1) of payload, the claims of a token that jwt.Verify has
// accepted, or "" if the token has no "cnf", or a "cnf" without "jkt"
// (bound otherwise, or not at all). A "cnf" that is not an object, or a
// "jkt" that is not a non-empty string, is an error. Members are found by
// their exact names.
func readConfirmation(payload string) (string, error) {
	r := strictjson.NewReader(payload)
	if err := r.ObjectStart(); err != nil {
		return "", err
	}
	name, ok, err := r.FirstMember()
	for ; ok && err == nil; name, ok, err = r.NextMember() {
		if name != "cnf" {
			if err = r.Skip(); err != nil {
				return "", err
			}
			continue
		}
		return readJKT(&r)
	}
	return "", err
}

// readJKT reads the "jkt" of the "cnf" object that r is at.
func readJKT(r *strictjson.Reader) (string, error) {
	if r.Peek() != '{' {
		return "", errConfirmation
	}
	if err := r.ObjectStart(); err != nil {
		return "", err
	}
	var jkt string
	name, ok, err := r.FirstMember()
	for ; ok && err == nil; name, ok, err = r.NextMember() {
		if name != "jkt" {
			if err = r.Skip(); err != nil {
				return "", err
			}
			continue
		}
		if r.Peek() != '"' {
			return "", errConfirmation
		}
		if jkt, err = r.String(); err != nil {
			return "", err
		}
		if jkt == "" {
			return "", errConfirmation
		}
	}
	return jkt, err
}

// readExtras reads the registered claims (if wantRC) and scopes of token,
// which jwt.Verify has accepted.
func readExtras(token string, wantRC bool) extras {
	payload, err := payloadOf(token)
	if err != nil {
		return extras{rcErr: err, scopeErr: err}
	}
	return readPayloadExtras(payload, wantRC)
}

// readPayloadExtras reads the registered claims (if wantRC) and scopes of
// payload, the claims of a token that jwt.Verify has accepted, with the
// project's strict JSON reader. Members are found by their exact names,
// which encoding/json's case-insensitive field matching would not do.
func readPayloadExtras(payload string, wantRC bool) extras {
	var x extras
	var scope, scp string
	r := strictjson.NewReader(payload)
	err := r.ObjectStart()
	if err == nil {
		name, ok, rerr := r.FirstMember()
		for ; ok && rerr == nil; name, ok, rerr = r.NextMember() {
			r.Peek()
			start := r.Offset()
			if rerr = r.Skip(); rerr != nil {
				break
			}
			raw := r.Slice(start)
			switch name {
			case "scope":
				scope = raw
			case "scp":
				scp = raw
			case "iss", "sub", "aud", "exp", "nbf", "iat", "jti":
				if wantRC && x.rcErr == nil {
					x.rcErr = readRegistered(&x.rc, name, raw)
				}
			}
		}
		err = rerr
	}
	if err != nil {
		x.rcErr, x.scopeErr = err, err
		return x
	}
	switch {
	case scope != "":
		x.scopes, x.scopeErr = readScopes(scope, false)
	case scp != "":
		x.scopes, x.scopeErr = readScopes(scp, true)
	}
	return x
}

// readRegistered reads the registered claim name, whose JSON value is raw,
// into rc.
func readRegistered(rc *jwt.RegisteredClaims, name, raw string) error {
	var err error
	switch name {
	case "iss":
		rc.Issuer, err = readString(raw)
	case "sub":
		rc.Subject, err = readString(raw)
	case "jti":
		rc.ID, err = readString(raw)
	case "aud":
		err = rc.Audience.UnmarshalJSON([]byte(raw))
	case "exp":
		err = rc.ExpiresAt.UnmarshalJSON([]byte(raw))
	case "nbf":
		err = rc.NotBefore.UnmarshalJSON([]byte(raw))
	case "iat":
		err = rc.IssuedAt.UnmarshalJSON([]byte(raw))
	}
	return err
}

// readScopes reads a "scope" claim (a string), or an "scp" claim (a string
// or an array of strings) if array is set.
func readScopes(raw string, array bool) ([]string, error) {
	r := strictjson.NewReader(raw)
	switch {
	case r.Peek() == '"':
		s, err := r.String()
		if err != nil {
			return nil, errScope
		}
		// Scopes are separated by spaces (RFC 6749 §3.3); any other
		// character, a tab included, is part of a scope.
		var scopes []string
		for t := range strings.SplitSeq(s, " ") {
			if t != "" {
				scopes = append(scopes, t)
			}
		}
		return scopes, nil
	case array && r.Peek() == '[':
		list, err := r.StringArray() // a null or non-string element is an error
		if err != nil {
			return nil, errScope
		}
		return list, nil
	}
	return nil, errScope
}

// readString reads the JSON string raw.
func readString(raw string) (string, error) {
	r := strictjson.NewReader(raw)
	return r.String()
}
