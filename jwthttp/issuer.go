package jwthttp

import "context"

// Issuer returns the issuer whose keys verified the token of the request
// whose context is ctx, as put there by the middleware of New: the token's
// "iss", which jwt.Verify required to be the issuer of the key source (a
// jwt.IssuerKeySource such as a jwks.Remote made by NewOIDC) or, for a
// jwt.IssuerResolver such as jwks.Issuers, the issuer whose keys it chose.
// For a multi-tenant provider, jwks.Issuers.Tenant gives the tenant. It
// reports false if the request has no token, or if the key source binds no
// issuer (a key set of the application's own, say): the token's "iss" is
// then only what the token says, read with Claims.
func Issuer(ctx context.Context) (string, bool) {
	c, _ := ctx.Value(ctxKey{}).(*credential)
	if c == nil || c.token == nil || !c.cfg.bound {
		return "", false
	}
	var iss string
	if ok, err := c.token.Claim("iss", &iss); !ok || err != nil || iss == "" {
		return "", false
	}
	return iss, true
}
