// Package jwt signs, verifies and parses JSON Web Tokens (RFC 7519) in JWS
// compact serialization (RFC 7515), with the algorithms of RFC 7518 and
// RFC 8037 (and the name "Ed25519" of RFC 9864), and validates their
// registered claims. It imports only the standard library.
//
// A key carries its algorithm. An [Algorithm] such as [HS256] or [ES256]
// turns a key into a [Signer] or a [Verifier] bound to it, and [Verify]
// rejects any token whose header names another algorithm:
//
//	signer, err := jwt.ES256.NewSigner(privateKey)
//	token, err := jwt.Sign(ctx, signer, claims, nil)
//
//	verifier, err := jwt.ES256.NewVerifier(&privateKey.PublicKey)
//	tok, err := jwt.Verify[MyClaims](ctx, token, verifier, &jwt.VerifyOptions{
//		Issuer:   "https://issuer.example",
//		Audience: []string{"api"},
//	})
//
// Verify takes a [KeySource], the one interface for choosing keys: a
// Verifier is the key source of its own key, a [KeySet] holds several keys
// found by "kid", and a key source of your own (such as a JWK Set fetched
// from an identity provider) implements its one method, Lookup, which
// receives the context given to Verify. Every entry point that may do I/O
// ([Sign], [SignJWS], [Verify], [VerifyJWS]) takes a context first.
//
// # Security
//
// [Verify] is the one call that trusts a token. It checks, in order: the
// token's size ([DefaultMaxSize] unless set) and its three segments; strict
// base64url (no padding, whitespace or non-canonical bits); a header that
// is a JSON object with unique member names, an "alg", no "b64", and a
// "crit" that names only extensions the caller understands; an "alg" equal
// to the key's algorithm ("none" does not exist here); the signature; and
// only then the claims, read by a strict reader that rejects duplicate
// names, names that collide under case folding, and registered claims of
// the wrong type. Claims are then validated: "exp" is required unless
// VerifyOptions.AllowMissingExpiration is set, "nbf" and "exp" are checked
// against the clock with no leeway unless one is set (at most [MaxLeeway]),
// and a token that carries "aud" is rejected unless the caller names an
// expected audience or sets VerifyOptions.IgnoreAudience.
//
// The header never chooses a key: "kid" is only a lookup key into the
// caller's [KeySource], and "jwk", "jku", "x5u" and "x5c" are ignored.
// A forged token is reported as [ErrInvalidSignature] whatever its claims
// say, and that error says nothing about the key. [ParseUnverified] reads a
// token without checking anything; its name says so.
//
// Keys are checked where they come in (NewVerifier, NewSigner, the JWK, JWK
// Set and PEM parsers), so that no Verifier holds a key
// that verifies forgeries or costs unbounded work: an Ed25519 public key
// must be the canonical encoding of a curve point of order more than 8 (a
// point of small order, such as the identity, makes the fixed signature
// R = identity, S = 0 verify every token, and crypto/ed25519 accepts it);
// an RSA key has an odd modulus of [MinRSABits] to [MaxRSABits] bits and an
// odd exponent from 3 to 2³¹ - 1; an EC point is on the curve of the
// algorithm and not at infinity. An HMAC secret that is a key of another
// kind (PEM, DER, a JWK or JWK Set, an OpenSSH key), most often a public
// key passed by mistake, is refused with [ErrSecretIsKey].
//
// The package works in FIPS 140-3 mode, GODEBUG=fips140=only included: all
// its algorithms are approved, and nothing panics. There, a key the Go
// Cryptographic Module does not use (an RSA key of an odd size, with a
// public exponent of at most 2¹⁶, or with other than two primes of one
// size) is refused where it comes in, with [ErrNotFIPSApproved], and a JWK's
// "x5t" (SHA-1) is not kept, as it cannot be checked.
//
// Signers, Verifiers and KeySets are immutable and safe for concurrent use.
// There is no global state to configure.
//
// # Choosing an algorithm
//
// For tokens that one service both issues and verifies, HS256 with a
// random 32-byte secret is the fastest choice; secrets shorter than the hash
// output are refused. For tokens verified by others, use an asymmetric
// algorithm: EdDSA (Ed25519) is fast and has small keys and signatures
// ([Ed25519] is the same algorithm under its RFC 9864 name, "Ed25519");
// ES256 is the most widely supported compact choice; RS256 is what most
// identity providers publish and PS256 its modern padding. RSA keys must
// have at least 2048 bits; ECDSA keys must be on the curve of the
// algorithm (P-256, P-384, P-521 for ES256, ES384, ES512), and ECDSA
// signatures must be the fixed-length R || S form.
//
// For signatures that must resist a quantum computer, built with Go 1.27 or
// later, use ML-DSA (RFC 9964): [MLDSA44], [MLDSA65] or [MLDSA87], with
// keys of kty "AKP". Its public keys (1312 to 2592 bytes) and signatures
// (2420 to 4627 bytes) are large: an ML-DSA-87 token is over 6 KB, within
// the default maximum token size only for small claims. Built with Go 1.26,
// the three algorithms exist by name and return errors that say they need
// Go 1.27 (see [MLDSAAlgorithm]).
//
// To add an algorithm, such as one whose private key lives in a cloud KMS,
// implement [Signer] (and [Verifier]); for the algorithms here, any
// [crypto.Signer] already works as the key.
//
// # Compatibility
//
// This module follows semantic versioning. Before v1.0.0, a minor release
// may change the API; each change is announced in the repository's
// CHANGELOG.md under "Changed" or "Removed", with how to migrate. From
// v1.0.0 on, breaking changes come only with a new major version and
// module path. Patch releases never change the API. The minimum Go
// release is the go line in go.mod, the oldest release the Go team still
// supports; it may move up in a minor release when Go drops support for a
// release, as the CHANGELOG notes.
package jwt
