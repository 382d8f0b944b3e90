package jwthttp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
	"github.com/jwtkit/jwt/internal/oauth"
)

// ctxKey is the context key of a request's *credential.
type ctxKey struct{}

// claimReader is what the middleware reads a verified token through,
// whatever its claims type: a *jwt.Token[T] reads any member of the claims
// set it verified, so that nothing here parses the token a second time.
type claimReader interface {
	Claim(name string, v any) (bool, error)
}

// credential is what the middleware puts in a request's context: the
// verified token, or, for a request let through without one, only cfg.
//
// A credential with a token is itself the request's new context (its
// Context is the request's context, to which it adds itself as the value
// of ctxKey), so that a request costs one allocation for both, as with
// context.WithValue.
type credential struct {
	context.Context // nil for the anonymous credential, put in a context with context.WithValue

	token  claimReader  // the verified *jwt.Token[T]; nil for none
	scheme oauth.Scheme // how the request presented it
	proof  *dpop.Proof
	cfg    *config

	once     sync.Once
	scopes   []string // read on first use
	scopeErr error

	reported bool // RequireScopes reported its refusal to the OnResult hook
}

// Value implements context.Context.
func (c *credential) Value(key any) any {
	if key == (ctxKey{}) {
		return c
	}
	return c.Context.Value(key)
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
	if c == nil || c.token == nil {
		return nil
	}
	scopes, err := c.grantedScopes()
	if err != nil {
		return nil
	}
	return scopes
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

// grantedScopes returns the scopes of the token, read once: only when a
// handler asks for them, so that other requests do not pay for it.
func (c *credential) grantedScopes() ([]string, error) {
	c.once.Do(func() { c.scopes, c.scopeErr = scopesOf(c.token) })
	return c.scopes, c.scopeErr
}

var (
	errScope        = errors.New("jwthttp: malformed scope claim")
	errConfirmation = errors.New("jwthttp: malformed cnf claim")
)

// confirmationOf reads the "cnf" claim (RFC 7800 §3.1) of t: its "jkt"
// (RFC 9449 §6.1), or "" if the token has no "cnf" or a "cnf" without
// "jkt"; and the names of its other members, the confirmation methods
// that only Options.Confirmation can check, sorted. A "cnf" that is not an
// object or has no member, or a "jkt" that is not a non-empty string, is
// an error wrapping errConfirmation. Members are found by their exact
// names: "JKT" is not "jkt", and is another method.
func confirmationOf(t claimReader) (jkt string, others []string, err error) {
	if ok, _ := t.Claim("cnf", nil); !ok {
		return "", nil, nil // most tokens: nothing to decode, nothing allocated
	}
	var cnf map[string]any
	ok, err := t.Claim("cnf", &cnf)
	switch {
	case err != nil:
		return "", nil, fmt.Errorf("%w: %w", errConfirmation, err)
	case !ok:
		return "", nil, nil
	case cnf == nil:
		return "", nil, fmt.Errorf("%w: cnf is null", errConfirmation)
	case len(cnf) == 0:
		return "", nil, fmt.Errorf("%w: cnf has no confirmation method", errConfirmation)
	}
	for name, v := range cnf {
		if name != "jkt" {
			others = append(others, name)
			continue
		}
		if jkt, _ = v.(string); jkt == "" {
			return "", nil, fmt.Errorf("%w: jkt is not a non-empty string", errConfirmation)
		}
	}
	slices.Sort(others)
	return jkt, others, nil
}

// scopesOf reads the scopes of t: its "scope" claim, a string, or, if it
// has none, its "scp" claim, a string or an array of strings (null and
// other elements are errors). A claim of another type is an error wrapping
// errScope.
func scopesOf(t claimReader) ([]string, error) {
	s, ok, err := stringClaim(t, "scope")
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w: %w", errScope, err)
	case ok:
		return splitScopes(s), nil
	}
	var scp any
	if ok, err = t.Claim("scp", &scp); err != nil {
		return nil, fmt.Errorf("%w: %w", errScope, err)
	}
	if !ok {
		return nil, nil
	}
	switch v := scp.(type) {
	case string:
		return splitScopes(v), nil
	case []any:
		list := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("%w: scp holds an element that is not a string", errScope)
			}
			list = append(list, s)
		}
		return list, nil
	}
	return nil, fmt.Errorf("%w: scp is neither a string nor an array", errScope)
}

// splitScopes splits a "scope" string. Scopes are separated by spaces (RFC
// 6749 §3.3); any other character, a tab included, is part of a scope.
func splitScopes(s string) []string {
	var scopes []string
	for t := range strings.SplitSeq(s, " ") {
		if t != "" {
			scopes = append(scopes, t)
		}
	}
	return scopes
}

// stringClaim reads the claim name of t, which must be a string if it is
// present: null or any other value is an error.
func stringClaim(t claimReader, name string) (s string, ok bool, err error) {
	ok, err = t.Claim(name, &s)
	if err != nil || !ok || s != "" {
		return s, ok, err
	}
	// "" or null, which leaves s as it is: tell them apart.
	var p *string
	if _, err = t.Claim(name, &p); err == nil && p == nil {
		err = fmt.Errorf("%w: claim %q is null", jwt.ErrMalformed, name)
	}
	return s, ok, err
}
