package jwthttp

import (
	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/internal/typ"
)

// AccessTokenOptions returns the verification options of the JWT profile for OAuth
// 2.0 access tokens (RFC 9068 §4) for a resource server: a header "typ" of
// "at+jwt" (or "application/at+jwt"), an "iss" equal to issuer, an "aud"
// that contains resource, an "exp" in the future, and the claims RFC 9068
// §2.2 requires: "iss", "exp", "aud", "sub", "client_id", "iat" and "jti".
// The caller may then set more fields, such as Leeway.
//
// New refuses options with this "typ" and an empty issuer or resource.
func AccessTokenOptions(issuer, resource string) jwt.VerifyOptions {
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

// ProviderOptions returns the verification options for the access tokens
// that identity providers issue by default, which are JWTs but not RFC 9068
// ones: Auth0, Okta, Microsoft Entra ID and Keycloak write a header "typ" of
// "JWT" or none, and most write no "client_id". It checks everything those
// tokens carry: an "iss" equal to issuer, an "aud" that contains audience,
// an "exp" in the future, and "iss", "exp", "aud" and "sub" present. The key
// is bound to the token's "alg" as always, and the middleware still refuses
// tokens whose "typ" names another kind of JWT (a refresh token, a DPoP
// proof, a logout or security event token).
//
// issuer may be empty when the key source binds the issuer (the remote set
// of jwks.NewOIDC is a jwt.IssuerKeySource): Verify then requires that one.
// audience is the identifier the provider gives your API (Auth0's API
// identifier, Okta's audience, Entra ID's application ID URI or client ID,
// Keycloak's audience mapper). Amazon Cognito writes no "aud" into access
// tokens: for Cognito pass an empty audience, which accepts tokens without
// "aud", and check "client_id" and "token_use" in Options.Check.
//
// Providers mark access tokens differently (Okta "cid", Entra ID "scp" or
// "roles", Cognito "token_use"); an OpenID Connect ID token issued for the
// same audience passes these checks too. Require a scope (RequireScopes) or
// check the provider's marker in Options.Check when that matters.
func ProviderOptions(issuer, audience string) jwt.VerifyOptions {
	o := jwt.VerifyOptions{
		Issuer:   issuer,
		Required: []string{"iss", "exp", "sub"},
	}
	if audience != "" {
		o.Audience = []string{audience}
		o.Required = append(o.Required, "aud")
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
