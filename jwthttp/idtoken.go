package jwthttp

import (
	"fmt"

	"github.com/jwtkit/jwt"
)

// isIDToken reports whether t carries a claim that only OpenID Connect ID
// tokens carry: "at_hash" or "c_hash" (OpenID Connect Core §2, §3.3.2.11).
// Such a token says who logged in to a client; it is not an access token,
// whatever its audience. ("nonce" and "azp" are no such marker: Keycloak
// writes both into access tokens.)
func isIDToken(t claimReader) bool {
	for _, name := range [...]string{"at_hash", "c_hash"} {
		if ok, _ := t.Claim(name, nil); ok {
			return true
		}
	}
	return false
}

// errIDToken is the verdict on an OpenID Connect ID token presented as an
// access token.
var errIDToken = fmt.Errorf("jwthttp: an OpenID Connect ID token (it has at_hash or c_hash) is not an access token: %w", jwt.ErrTypeMismatch)
