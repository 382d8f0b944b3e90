// Package interop checks that jwtkit (github.com/jwtkit/jwt) and other JWT
// implementations accept each other's tokens, for every algorithm jwtkit
// has: HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512, EdDSA
// and Ed25519 (RFC 9864's name for EdDSA with Ed25519, which golang-jwt and
// go-jose lack).
//
// The peers are github.com/golang-jwt/jwt/v5, github.com/go-jose/go-jose/v4,
// github.com/lestrrat-go/jwx/v3 and, across languages, the Node package
// jose (panva/jose), which node/jose.mjs drives. For each algorithm, peer
// and direction, TestInterop signs a token on one side and verifies it on
// the other, checks that the claims come back unchanged, and checks that the
// verifying side rejects the token once its payload or its signature has
// been altered.
//
// For DPoP (RFC 9449), TestDPoPNodeProves verifies with the dpop package
// proofs that jose makes with a key pair of its own embedded as the "jwk"
// header, and TestDPoPNodeVerifies verifies with jose's EmbeddedJWK the
// proofs of dpop.Prover; both sides must compute the same RFC 7638
// thumbprint of the key. node/dpop.mjs is jose's side.
//
// This is a module of its own, so that the library's go.mod requires none
// of the peers. Run it with:
//
//	(cd node && npm ci --no-audit --no-fund) && go test ./...
//
// Without node or node/node_modules, the Node subtests are skipped.
package interop
