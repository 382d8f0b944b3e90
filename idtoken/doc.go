// Package idtoken verifies OpenID Connect ID tokens for a relying party
// (OpenID Connect Core 1.0 §3.1.3.7, §3.2.2.11 and §3.3.2.12): the checks
// every client of an identity provider otherwise writes by hand. It
// imports only the standard library and this module's packages.
//
//	keys, err := jwks.NewOIDC("https://login.example.com", nil)
//	tok, err := idtoken.Verify(ctx, rawIDToken, keys, &idtoken.Options{
//		ClientID: "my-app",
//		Nonce:    nonceSentInTheAuthenticationRequest,
//	})
//	fmt.Println(tok.Claims.Subject)
//
// # Security
//
// [Verify] accepts an ID token only if all of these hold:
//   - the signature, by a key that the key source binds to the token's
//     "alg" (jwt.Verify: never "none", never a key type the header chooses);
//   - "iss" equal to Options.Issuer, byte for byte, or to the issuer of a key
//     source bound to one (jwks.NewOIDC, jwks.Issuers);
//   - "aud" contains Options.ClientID, and any other audience is one of
//     Options.TrustedAudiences; with several audiences, "azp" is present;
//     "azp", when present, equals ClientID;
//   - "exp" in the future and "iat" present and not in the future, within
//     Options.Leeway; "iat" no older than Options.MaxIssuedAtAge when set;
//   - "nonce" equal to Options.Nonce: a token without "nonce" fails when a
//     nonce was sent, and one with a "nonce" fails when none was
//     (Options.NoNonce, the named opt-out for code flows without one);
//   - "auth_time" present and no older than Options.MaxAge when a max_age
//     was requested, or when Options.RequireAuthTime says so;
//   - "acr" one of Options.ACRValues when set;
//   - "at_hash" and "c_hash", when the token has them or Options requires
//     them, equal to the left half of the hash of Options.AccessToken and
//     Options.Code, with the hash of the signing algorithm (SHA-256 for
//     the *256 algorithms, SHA-384, SHA-512, and SHA-512 for EdDSA);
//   - the header "typ", if present, is not that of another kind of JWT
//     (at+jwt, refresh+jwt, dpop+jwt, logout+jwt, secevent+jwt): an access
//     token is never taken for an ID token.
//
// Every failure wraps a sentinel of this package or of package jwt.
package idtoken
