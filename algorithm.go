package jwt

import (
	"context"
	"fmt"
)

// Algorithm is a JWS signature algorithm (RFC 7518, RFC 8037, RFC 9864). An
// Algorithm binds keys to itself: the Signers and Verifiers it builds sign
// and verify with this algorithm only, whatever a token's header says.
//
// The algorithms of this package are the constants [HS256] … [EdDSA] and
// [Ed25519], listed by [Algorithms]. A caller adds an algorithm, such as one
// whose key lives in a cloud KMS, by implementing Algorithm, [Signer] and
// [Verifier]; nothing is registered.
type Algorithm interface {
	// Name returns the "alg" header value, such as "ES256".
	Name() string
	// NewSigner returns a Signer that signs with key. It returns an error
	// wrapping ErrInvalidKey if the key does not fit the algorithm.
	NewSigner(key any) (Signer, error)
	// NewVerifier returns a Verifier that checks signatures with key. It
	// returns an error wrapping ErrInvalidKey if the key does not fit.
	NewVerifier(key any) (Verifier, error)
}

// Signer signs JWS signing input with one key for one algorithm. It is safe
// for concurrent use.
type Signer interface {
	// Algorithm returns the "alg" header value this Signer writes.
	Algorithm() string
	// Sign returns the signature of signingInput (the ASCII bytes
	// BASE64URL(header) || '.' || BASE64URL(payload)), in the JWS form of
	// the algorithm. It must not modify signingInput or keep it after
	// returning: the buffer is reused. An error it returns is wrapped in
	// one wrapping ErrSigning.
	Sign(ctx context.Context, signingInput []byte) ([]byte, error)
}

// Verifier checks JWS signatures with one key for one algorithm. It is safe
// for concurrent use.
//
// A Verifier is also the [KeySource] of its one key, so it can be passed to
// [Verify] as it is: its Lookup returns the Verifier itself, or an error
// wrapping ErrKeyNotFound for a token whose "kid" differs from the key ID the
// Verifier carries (see [VerifierWithKeyID]), if it carries one. A Verifier
// of another package implements Lookup the same way.
type Verifier interface {
	// Algorithm returns the "alg" value this Verifier accepts.
	Algorithm() string
	// Verify reports whether signature is a valid signature of signingInput.
	// It returns nil if it is, and otherwise an error wrapping
	// ErrInvalidSignature that says nothing about the key. It must not
	// modify its arguments or keep them after returning: the buffers are
	// reused.
	Verify(signingInput, signature []byte) error
	KeySource
}

// KeySource chooses the keys that may check a token. [Verify] calls Lookup
// once per token, after reading the header and before checking the
// signature, and tries the returned Verifiers in order; it rejects the token
// unless one of them verifies it, and checks that each one's Algorithm
// equals the header's "alg" (a key source cannot make a token's header
// choose a key type).
//
// A [Verifier] is a KeySource of one key; a [KeySet] is one of several.
// Implement KeySource for keys that change, such as a JWK Set fetched from
// an identity provider: Lookup receives the context given to Verify, so it
// may fetch within the caller's deadline. Lookup must be safe for concurrent
// use, must not keep h's strings beyond the call unless it copies them, and
// returns an error wrapping ErrKeyNotFound when it has no key for the token
// (ErrAlgorithmMismatch when the key named by "kid" is bound to another
// algorithm), or ErrUnavailable when it cannot tell, because its keys cannot
// be fetched. The returned slice is only read.
type KeySource interface {
	Lookup(ctx context.Context, h Header) ([]Verifier, error)
}

// An IssuerKeySource is a KeySource whose keys are those of one issuer,
// such as a provider's JWK Set found through OpenID Connect discovery.
// [Verify] requires the "iss" of a token verified with its keys to equal
// Issuer(), as if VerifyOptions.Issuer said so; VerifyOptions.Issuer set to
// another issuer is an error wrapping ErrInvalidOption. So the issuer check
// goes with the keys, and options built by hand cannot leave it out. An
// empty Issuer() binds no issuer.
type IssuerKeySource interface {
	KeySource
	Issuer() string
}

// AlgorithmByName returns the algorithm of this package whose "alg" name is
// name, case-sensitively. It returns an error wrapping
// ErrUnsupportedAlgorithm for any other name, including "none", and, built
// with Go 1.26, for the ML-DSA names, saying that they need Go 1.27.
func AlgorithmByName(name string) (Algorithm, error) {
	for _, a := range rfcAlgorithms() {
		if a.Name() == name {
			return a, nil
		}
	}
	if a, ok := mldsaByName(name); ok {
		if err := a.available(); err != nil {
			return nil, err
		}
		return a, nil
	}
	return nil, fmt.Errorf("%w: %s", ErrUnsupportedAlgorithm, quote(name))
}

// Algorithms returns the algorithms of this package in a new slice: the
// 12 of RFC 7518, EdDSA (RFC 8037) and Ed25519 (RFC 9864), and, built with
// Go 1.27 or later, ML-DSA-44, ML-DSA-65 and ML-DSA-87 (RFC 9964): 14 or 17.
func Algorithms() []Algorithm {
	return append(rfcAlgorithms(), mldsaAlgorithms()...)
}

// rfcAlgorithms returns the algorithms of every build, those before ML-DSA.
func rfcAlgorithms() []Algorithm {
	return []Algorithm{
		HS256, HS384, HS512,
		RS256, RS384, RS512,
		PS256, PS384, PS512,
		ES256, ES384, ES512,
		EdDSA, Ed25519,
	}
}

// SignerWithKeyID returns a Signer that signs like s and carries the key ID
// kid, which [Sign] writes as the header "kid". It is the one way to put a
// "kid" in a token.
func SignerWithKeyID(s Signer, kid string) Signer {
	if s == nil {
		return nil
	}
	return keyedSigner{Signer: s, kid: kid}
}

// VerifierWithKeyID returns a Verifier that verifies like v and carries the
// key ID kid, by which a [KeySet] finds it. Used on its own as a
// [KeySource], it rejects a token whose header names another kid.
func VerifierWithKeyID(v Verifier, kid string) Verifier {
	if v == nil {
		return nil
	}
	kv := &keyedVerifier{Verifier: v, kid: kid}
	kv.self[0] = kv
	return kv
}

// keyIdentifier is implemented by the Signers and Verifiers that carry a key
// ID: those made by SignerWithKeyID and VerifierWithKeyID.
type keyIdentifier interface {
	keyID() string
}

type keyedSigner struct {
	Signer
	kid string
}

func (s keyedSigner) keyID() string { return s.kid }

var (
	_ Algorithm = HS256
	_ Algorithm = RS256
	_ Algorithm = PS256
	_ Algorithm = ES256
	_ Algorithm = EdDSA
	_ Signer    = (*keyedSigner)(nil)
	_ Verifier  = (*keyedVerifier)(nil)
	_ KeySource = (*keyedVerifier)(nil)
	_ KeySource = (*single)(nil)
)

type keyedVerifier struct {
	Verifier
	kid  string
	self [1]Verifier
}

func (v *keyedVerifier) keyID() string { return v.kid }

// Lookup returns v for a token without "kid" or with v's kid.
func (v *keyedVerifier) Lookup(_ context.Context, h Header) ([]Verifier, error) {
	if h.KeyID != "" && h.KeyID != v.kid {
		return nil, fmt.Errorf("%w: token has kid %s, key has kid %s", ErrKeyNotFound, quote(h.KeyID), quote(v.kid))
	}
	return v.self[:], nil
}

// keyIDOf returns the key ID that x carries, or "".
func keyIDOf(x any) string {
	if k, ok := x.(keyIdentifier); ok {
		return k.keyID()
	}
	return ""
}

// single is embedded in this package's Verifiers: it makes each one the
// KeySource of itself.
type single struct{ self [1]Verifier }

// Lookup returns the Verifier alone.
func (s *single) Lookup(context.Context, Header) ([]Verifier, error) { return s.self[:], nil }
