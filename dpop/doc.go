// Package dpop implements OAuth 2.0 Demonstrating Proof of Possession
// (DPoP, RFC 9449): access and refresh tokens bound to a key that the
// client holds, so that a token copied from a log or a proxy is of no use
// without the key. It imports only the standard library and package jwt.
//
// A client makes a [Prover] from its key (any crypto.Signer) and sends, with
// each request, a proof: a JWT signed by that key, carrying its public key,
// the request's method and URI, and the hash of the access token. A
// [Transport] does this for an http.Client, with the server nonces of
// RFC 9449 §8 and §9:
//
//	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
//	prover, err := dpop.NewProver(jwt.ES256, key)
//	client := &http.Client{Transport: &dpop.Transport{Prover: prover}}
//
// A server verifies proofs with a [Verifier], which makes every check of
// RFC 9449 §4.3 and returns the proof's key and its thumbprint ([Proof].JKT).
// An authorization server puts that thumbprint in the tokens it issues, as
// their "cnf" claim ([Confirmation]); a resource server passes the access
// token and its "cnf"."jkt" to [Verifier.VerifyRequest], which checks that
// the proof was made for this request, with this token, by the key the
// token is bound to:
//
//	v, err := dpop.NewVerifier(&dpop.Options{ExternalURL: "https://api.example.com"})
//	proof, err := v.VerifyRequest(ctx, r, accessToken, claims.Confirmation.JKT)
//
// Package jwthttp (Options.DPoP) and package session (HandlerOptions.DPoP)
// answer each failure as RFC 9449 says: the WWW-Authenticate challenge of
// §7.1, or the token endpoint error of §5, and for [ErrUseNonce] a fresh
// nonce in a DPoP-Nonce header ([NonceHeader]).
//
// # Security
//
// A proof is accepted only if its header "typ" is dpop+jwt; its "alg" is an
// asymmetric algorithm in the verifier's allow-list (never "none", never an
// HMAC); its "jwk" is a public key, with no private member, of a type and
// size package jwt accepts for that algorithm; its signature verifies with
// that key; "htm" is the request's method; "htu" is the request's URI, both
// normalized as RFC 3986 §6 says ([NormalizeURI]), query and fragment
// ignored; "iat" is within a window of the server's clock (±60 s unless
// set); its nonce, if the server requires nonces, is one the server issued
// recently; "ath" is the hash of the access token sent with it; and the
// token's "cnf"."jkt" is the thumbprint of its key (RFC 7638). A proof is
// at most 4 KiB unless set.
//
// A proof may be used once: a [ReplayCache] remembers each accepted
// proof's "jti" and "htu" for twice the window, and refuses them again. The
// default is a [MemoryReplayCache] of the Verifier alone, bounded in size;
// a service of several instances must give all of them one shared cache,
// or a proof replayed to another instance would be accepted.
//
// Anyone can make valid proofs with a key of their own, so a cache that
// remembered the proofs of anonymous requests could be filled by them, and
// then refuse every client. Remember a proof only for a request that is
// otherwise authenticated: verify it with [Verifier.VerifyRequestPending], check
// the credentials or the token, then call [PendingProof.Remember]. The
// session handlers and package jwthttp do so.
//
// Behind a reverse proxy, the request a server sees is not the one the
// client made: set Options.ExternalURL to the URL clients use. Forwarding
// headers are never trusted.
//
// Each failure is an error wrapping a sentinel of this package or of package
// jwt (such as jwt.ErrInvalidKey for a key that does not fit), tested
// with errors.Is; messages quote nothing of the request unescaped.
package dpop
