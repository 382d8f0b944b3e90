package jwt

import (
	"context"
	"fmt"
)

// Algorithm is a JWS signature algorithm (RFC 7518, RFC 8037). An Algorithm
// binds keys to itself: the Signers and Verifiers it builds sign and verify
// with this algorithm only, whatever a token's header says.
//
// The algorithms of this package are the constants [HS256] … [EdDSA]. A caller
// adds an algorithm, such as one whose key lives in a cloud KMS, by
// implementing Algorithm, [Signer] and [Verifier]; nothing is registered.
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
	// returning: the buffer is reused.
	Sign(ctx context.Context, signingInput []byte) ([]byte, error)
}

// Verifier checks JWS signatures with one key for one algorithm. It is safe
// for concurrent use.
type Verifier interface {
	// Algorithm returns the "alg" value this Verifier accepts.
	Algorithm() string
	// Verify reports whether signature is a valid signature of signingInput.
	// It returns nil if it is, and otherwise an error wrapping
	// ErrInvalidSignature that says nothing about the key. It must not
	// modify its arguments or keep them after returning: the buffers are
	// reused.
	Verify(signingInput, signature []byte) error
}

// KeyIdentifier is implemented by Signers and Verifiers that carry a key ID.
// [Sign] writes it as the header "kid"; a [KeySet] indexes Verifiers by it.
type KeyIdentifier interface {
	// KeyID returns the key ID, or "" if there is none.
	KeyID() string
}

// Keys is an optional interface for a Verifier that holds several keys,
// such as a [KeySet]: [Verify] asks it which of them may check a token. A
// caller may implement it, for example over a JWK Set that is refreshed in
// the background; Lookup must be safe for concurrent use.
type Keys interface {
	// Lookup returns the Verifiers to try, in order, for a token whose
	// header names alg and kid (kid is "" when the header has none). Each
	// returned Verifier's Algorithm must equal alg. Lookup returns an error
	// wrapping ErrKeyNotFound when there is none, or ErrAlgorithmMismatch
	// when the key named by kid is bound to another algorithm.
	Lookup(alg, kid string) ([]Verifier, error)
}

// AlgorithmByName returns the algorithm of this package whose "alg" name is
// name, case-sensitively. It returns an error wrapping
// ErrUnsupportedAlgorithm for any other name, including "none".
func AlgorithmByName(name string) (Algorithm, error) {
	for _, a := range Algorithms() {
		if a.Name() == name {
			return a, nil
		}
	}
	return nil, fmt.Errorf("%w: %q", ErrUnsupportedAlgorithm, name)
}

// Algorithms returns the 13 algorithms of this package in a new slice.
func Algorithms() []Algorithm {
	return []Algorithm{
		HS256, HS384, HS512,
		RS256, RS384, RS512,
		PS256, PS384, PS512,
		ES256, ES384, ES512,
		EdDSA,
	}
}

// WithKeyID returns a Signer that signs like s and carries the key ID kid,
// which [Sign] writes as the header "kid".
func WithKeyID(s Signer, kid string) Signer {
	return keyedSigner{Signer: s, kid: kid}
}

// VerifierWithKeyID returns a Verifier that verifies like v and carries the
// key ID kid, by which a [KeySet] finds it. Used on its own, it rejects a
// token whose header names another kid.
func VerifierWithKeyID(v Verifier, kid string) Verifier {
	kv := &keyedVerifier{Verifier: v, kid: kid}
	kv.self = []Verifier{kv}
	return kv
}

type keyedSigner struct {
	Signer
	kid string
}

func (s keyedSigner) KeyID() string { return s.kid }

type keyedVerifier struct {
	Verifier
	headerCache
	kid  string
	self []Verifier
}

func (v *keyedVerifier) KeyID() string { return v.kid }

func (v *keyedVerifier) Lookup(alg, kid string) ([]Verifier, error) {
	if kid != "" && kid != v.kid {
		return nil, fmt.Errorf("%w: kid %q", ErrKeyNotFound, kid)
	}
	if v.Algorithm() != alg {
		return nil, fmt.Errorf("%w: token has %q, key is bound to %q", ErrAlgorithmMismatch, alg, v.Algorithm())
	}
	return v.self, nil
}

// keyIDOf returns the key ID that x carries, or "".
func keyIDOf(x any) string {
	if k, ok := x.(KeyIdentifier); ok {
		return k.KeyID()
	}
	return ""
}
