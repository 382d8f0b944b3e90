package jwthttp

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/jwtkit/jwt/internal/oauth"
)

// RequireScopes returns a middleware that lets a request through to the
// next handler only if its token, put in the context by the middleware of
// [New], was granted every one of scopes (see [Scopes]). It answers 403
// insufficient_scope, with a "scope" naming all of them, to a token that
// lacks one; 401 to a request that has no token (see [Options.Optional]) or
// whose token's scope claim is malformed; and 500 to a request that did not
// pass through the middleware of New at all, a mistake in the wiring.
//
// Scopes are compared case-sensitively (RFC 6749 §3.3). RequireScopes panics
// if scopes is empty or holds a string that is not a scope-token (empty,
// or with a space, '"', '\' or a character outside printable ASCII), as
// http.ServeMux.Handle panics on an invalid pattern: both are mistakes in
// the program, not in a request.
func RequireScopes(scopes ...string) func(http.Handler) http.Handler {
	return requireScopes(true, scopes)
}

// RequireAnyScope is like [RequireScopes] but lets a request through if its
// token was granted at least one of scopes. Its 403 answer's "scope" names
// them all, and its description says that any one of them suffices.
func RequireAnyScope(scopes ...string) func(http.Handler) http.Handler {
	return requireScopes(false, scopes)
}

func requireScopes(all bool, scopes []string) func(http.Handler) http.Handler {
	name := "RequireScopes"
	desc := descScopeAll
	if !all {
		name, desc = "RequireAnyScope", descScopeAny
	}
	if len(scopes) == 0 {
		panic("jwthttp: " + name + " with no scope")
	}
	for _, s := range scopes {
		if !oauth.IsScopeToken(s) {
			panic("jwthttp: " + name + ": invalid scope " + strconv.QuoteToASCII(s))
		}
	}
	scopes = slices.Clone(scopes)
	scope := strings.Join(scopes, " ")
	return func(next http.Handler) http.Handler {
		if next == nil {
			panic("jwthttp: nil handler")
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, _ := r.Context().Value(ctxKey{}).(*credential)
			switch {
			case c == nil:
				(&config{}).refuse(w, r, &Error{Status: http.StatusInternalServerError, Code: ServerError})
				return
			case c.token == nil:
				e := c.cfg.noToken()
				e.Scope = scope
				c.refuse(w, r, e)
				return
			}
			have, err := c.grantedScopes()
			if err != nil {
				e := c.cfg.invalidToken(descScopeClaim, err)
				e.scheme = c.scheme
				c.refuse(w, r, e)
				return
			}
			if !granted(have, scopes, all) {
				c.refuse(w, r, &Error{Status: http.StatusForbidden, Code: InsufficientScope, Description: desc, Scope: scope, scheme: c.scheme})
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// granted reports whether have holds all (or, if !all, any) of want.
func granted(have, want []string, all bool) bool {
	for _, w := range want {
		if slices.Contains(have, w) != all {
			return !all
		}
	}
	return all
}

// refuse answers e for the middleware that put c in the request's context,
// and marks the request reported, so that the middleware does not report
// it again as let through. The shared credential of requests without a
// token, used when there is no OnResult hook, is never marked.
func (c *credential) refuse(w http.ResponseWriter, r *http.Request, e *Error) {
	if c.cfg.onResult != nil {
		c.reported = true
	}
	c.cfg.refuse(w, r, e)
}
