package jwthttp

import (
	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/internal/typ"
)

// AccessToken returns the verification options of the JWT profile for OAuth
// 2.0 access tokens (RFC 9068 §4) for a resource server: a header "typ" of
// "at+jwt" (or "application/at+jwt"), an "iss" equal to issuer, an "aud"
// that contains resource, an "exp" in the future, and the claims RFC 9068
// §2.2 requires: "iss", "exp", "aud", "sub", "client_id", "iat" and "jti".
// The caller may then set more fields, such as Leeway.
//
// New refuses options with this "typ" and an empty issuer or resource.
func AccessToken(issuer, resource string) jwt.VerifyOptions {
	o := jwt.VerifyOptions{
		Issuer:   issuer,
		Type:     "at+jwt",
		Required: []string{"iss", "exp", "aud", "sub", "client_id", "iat", "jti"},
	}
	if resource != "" {
		o.Audience = []string{resource}
	}
	return o
}

// isAccessTokenType reports whether the "typ" t names an RFC 9068 access token, as
// jwt.VerifyOptions.Type compares types.
func isAccessTokenType(t string) bool { return typ.Matches(t, "at+jwt") }

// notAccessTokenTypes are header "typ" values that name JWTs of other
// kinds, which a resource server never accepts as access tokens whatever
// its options say: refresh tokens (package session's "refresh+jwt"), DPoP
// proofs (RFC 9449), security event tokens (RFC 8417) and logout tokens
// (OpenID Connect Back-Channel Logout). With a key shared between an
// authorization server and its API, a refresh token could otherwise pass a
// middleware that checks neither "typ" nor an audience it does not carry.
var notAccessTokenTypes = [...]string{"refresh+jwt", "dpop+jwt", "secevent+jwt", "logout+jwt"}

// notAccessToken reports whether the "typ" t names a JWT that is not an
// access token.
func notAccessToken(t string) bool {
	for _, other := range notAccessTokenTypes {
		if typ.Matches(t, other) {
			return true
		}
	}
	return false
}
