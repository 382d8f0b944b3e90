// Package clientauth authenticates OAuth 2.0 clients with signed JWTs
// instead of shared secrets: JWT client assertions (RFC 7523 §2.2, RFC 7521
// §4.2), private_key_jwt in OpenID Connect Core §9. It imports only the
// standard library and this module's packages.
//
// A client makes an assertion with [NewAssertion] and sends it to the token
// endpoint as "client_assertion", with "client_assertion_type" set to
// session.ClientAssertionType; [SetForm] adds both to a form, and a
// [Transport] adds a fresh assertion to every token request an HTTP client
// sends to one token URL (golang.org/x/oauth2's clientcredentials.Config,
// for one).
//
// A server checks assertions with a [Verifier] over the registered clients
// and their public keys (a JWK Set given inline, or a jwks.Remote for a
// jwks_uri); its AuthenticateClient method plugs into
// session.Manager.ClientCredentialsHandler, which issues access tokens for
// the client credentials grant (RFC 6749 §4.4).
//
// # Security
//
// An assertion is accepted only if all of these hold:
//   - its "iss" names a registered client, chosen before the signature is
//     checked (jwt.IssuerResolver), and the signature is good under that
//     client's keys: another client's keys are never tried;
//   - "sub" equals "iss" (RFC 7523 §3);
//   - "aud" is one value (a string or an array of one, as
//     draft-ietf-oauth-rfc7523bis requires of clients), equal byte for byte
//     to one of Options.Audience: the server's issuer identifier or its
//     token endpoint URL, never built from a request's Host;
//   - "exp" is present and in the future, and the assertion lives at most
//     Options.MaxLifetime (5 minutes at most): "exp" no further ahead, and
//     "exp" less "iat", when "iat" is there, no longer; "iat" not in the
//     future and "nbf", if present, past;
//   - the header "typ", if present, is "JWT" or
//     "client-authentication+jwt": an access, refresh, ID or logout token
//     or a DPoP proof signed with the client's key is not an assertion;
//   - "jti" is present and not seen before: the replay cache (the session
//     store: session.MemoryStore, or the Redis store shared by every
//     instance) remembers it until the assertion expires, so that an
//     assertion is used once, on any instance.
//
// The replay check comes last, so that assertions failing any other check
// do not fill the cache.
package clientauth
