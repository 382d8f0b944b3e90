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
	x    *extras // read on first use
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
	c.once.Do(func() {
		x := readExtras(c.raw, c.rc == nil)
		c.x = &x
	})
	return c.x
}

var errScope = errors.New("jwt: malformed scope claim")

// readExtras reads the registered claims (if wantRC) and scopes of token,
// which jwt.Verify has accepted. Verify has checked the payload already:
// strict base64url, one JSON object with unique member names, registered
// claims of the right types. Members are found by their exact names, which
// encoding/json's case-insensitive field matching would not do.
func readExtras(token string, wantRC bool) extras {
	var x extras
	d1 := strings.IndexByte(token, '.')
	d2 := strings.LastIndexByte(token, '.')
	payload, err := base64.RawURLEncoding.DecodeString(token[d1+1 : d2])
	if err != nil {
		x.rcErr, x.scopeErr = err, err
		return x
	}
	var scope, scp []byte
	err = members(payload, func(name, raw []byte) error {
		switch string(name) {
		case "scope":
			scope = raw
		case "scp":
			scp = raw
		case "iss", "sub", "aud", "exp", "nbf", "iat", "jti":
			if wantRC && x.rcErr == nil {
				x.rcErr = readRegistered(&x.rc, string(name), raw)
			}
		}
		return nil
	})
	if err != nil {
		x.rcErr, x.scopeErr = err, err
		return x
	}
	switch {
	case scope != nil:
		x.scopes, x.scopeErr = readScopes(scope, false)
	case scp != nil:
		x.scopes, x.scopeErr = readScopes(scp, true)
	}
	return x
}

// readRegistered reads the registered claim name, whose JSON value is raw,
// into rc.
func readRegistered(rc *jwt.RegisteredClaims, name string, raw []byte) error {
	switch name {
	case "iss":
		return readString(raw, &rc.Issuer)
	case "sub":
		return readString(raw, &rc.Subject)
	case "jti":
		return readString(raw, &rc.ID)
	case "aud":
		return rc.Audience.UnmarshalJSON(raw)
	case "exp":
		return rc.ExpiresAt.UnmarshalJSON(raw)
	case "nbf":
		return rc.NotBefore.UnmarshalJSON(raw)
	case "iat":
		return rc.IssuedAt.UnmarshalJSON(raw)
	}
	return nil
}

// readScopes reads a "scope" claim (a string), or an "scp" claim (a string
// or an array of strings) if array is set.
func readScopes(raw []byte, array bool) ([]string, error) {
	switch {
	case raw[0] == '"':
		var s string
		if err := readString(raw, &s); err != nil {
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
	case array && raw[0] == '[':
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

// readString reads the JSON string raw into s.
func readString(raw []byte, s *string) error {
	if len(raw) >= 2 && raw[0] == '"' && bytes.IndexByte(raw, '\\') < 0 {
		*s = string(raw[1 : len(raw)-1])
		return nil
	}
	return json.Unmarshal(raw, s)
}

var errPayload = errors.New("jwt: the payload is not a JSON object")

// members calls f with the name and raw value of each member of the JSON
// object data, in order, stopping at f's first error. It finds members
// only at the top level of the object, and unescapes names; it relies on
// data being valid JSON, which jwt.Verify has checked, and reports
// errPayload rather than guess when it finds otherwise.
func members(data []byte, f func(name, raw []byte) error) error {
	i := skipSpace(data, 0)
	if i == len(data) || data[i] != '{' {
		return errPayload
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return nil
	}
	for {
		if i == len(data) || data[i] != '"' {
			return errPayload
		}
		end := stringEnd(data, i)
		if end < 0 {
			return errPayload
		}
		name := data[i+1 : end-1]
		if bytes.IndexByte(name, '\\') >= 0 {
			var s string
			if err := json.Unmarshal(data[i:end], &s); err != nil {
				return errPayload
			}
			name = []byte(s)
		}
		i = skipSpace(data, end)
		if i == len(data) || data[i] != ':' {
			return errPayload
		}
		i = skipSpace(data, i+1)
		start := i
		if i = valueEnd(data, i); i < 0 {
			return errPayload
		}
		if err := f(name, data[start:i]); err != nil {
			return err
		}
		i = skipSpace(data, i)
		if i == len(data) {
			return errPayload
		}
		switch data[i] {
		case '}':
			return nil
		case ',':
			i = skipSpace(data, i+1)
		default:
			return errPayload
		}
	}
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index after the string that starts at data[i], or
// -1 if it does not end.
func stringEnd(data []byte, i int) int {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// valueEnd returns the index after the value that starts at data[i], or -1
// if it does not end. Inside arrays and objects only strings and brackets
// matter.
func valueEnd(data []byte, i int) int {
	if i == len(data) {
		return -1
	}
	switch data[i] {
	case '"':
		return stringEnd(data, i)
	case '{', '[':
		depth := 0
		for ; i < len(data); i++ {
			switch data[i] {
			case '"':
				if i = stringEnd(data, i); i < 0 {
					return -1
				}
				i--
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return -1
	}
	// A number, true, false or null: up to the next delimiter.
	start := i
	for i < len(data) && !strings.ContainsRune(",}] \t\n\r", rune(data[i])) {
		i++
	}
	if i == start {
		return -1
	}
	return i
}
