package jwt

import (
	"context"
	"fmt"
)

// MaxKeysWithoutKID bounds how many keys a [KeySet] tries for a token whose
// header has no "kid".
const MaxKeysWithoutKID = 4

// KeySet is an immutable [KeySource] of several Verifiers, for verifying
// tokens signed by one of several keys, such as the keys of a JWK Set
// during rotation. It is safe for concurrent use.
//
// A token whose header has a "kid" is checked only with the Verifiers
// carrying that key ID (see [VerifierWithKeyID]): the one bound to the
// header's "alg". An unknown kid is rejected with ErrKeyNotFound, and a kid
// whose keys are bound to other algorithms with ErrAlgorithmMismatch. A
// token without "kid" is checked with the Verifiers bound to its header's
// algorithm, in the order given to NewKeySet, at most MaxKeysWithoutKID of
// them.
type KeySet struct {
	byKID map[string][]Verifier // one per algorithm
	byAlg map[string][]Verifier
}

// NewKeySet returns a KeySet of verifiers. One key ID may be carried by
// Verifiers of different algorithms (an RSA key usable for RS256 and
// PS256); two verifiers with the same key ID and algorithm are an error
// wrapping ErrInvalidKey, as is a nil one.
func NewKeySet(verifiers ...Verifier) (*KeySet, error) {
	ks := &KeySet{
		byKID: make(map[string][]Verifier, len(verifiers)),
		byAlg: make(map[string][]Verifier),
	}
	// The first key of each kid takes its slice from one array, not an
	// allocation of its own.
	first := make([]Verifier, len(verifiers))
	for i, v := range verifiers {
		if v == nil {
			return nil, fmt.Errorf("%w: nil Verifier at index %d", ErrInvalidKey, i)
		}
		alg := v.Algorithm()
		if kid := keyIDOf(v); kid != "" {
			for _, w := range ks.byKID[kid] {
				if w.Algorithm() == alg {
					return nil, fmt.Errorf("%w: two keys with kid %s for %s", ErrInvalidKey, quote(kid), alg)
				}
			}
			if same := ks.byKID[kid]; len(same) > 0 {
				ks.byKID[kid] = append(same, v) // full: a copy of its own
			} else {
				first[i] = v
				ks.byKID[kid] = first[i : i+1 : i+1]
			}
		}
		if len(ks.byAlg[alg]) < MaxKeysWithoutKID {
			ks.byAlg[alg] = append(ks.byAlg[alg], v)
		}
	}
	// Each slice is returned by Lookup: cap it so no caller can append into
	// the set.
	for kid, vs := range ks.byKID {
		if cap(vs) != len(vs) { // most are capped already: see first
			ks.byKID[kid] = vs[:len(vs):len(vs)]
		}
	}
	for alg, vs := range ks.byAlg {
		ks.byAlg[alg] = vs[:len(vs):len(vs)]
	}
	return ks, nil
}

var _ KeySource = (*KeySet)(nil)

// Lookup implements [KeySource] with the rules given for [KeySet].
func (ks *KeySet) Lookup(_ context.Context, h Header) ([]Verifier, error) {
	alg := h.Algorithm
	if h.KeyID != "" {
		vs, ok := ks.byKID[h.KeyID]
		if !ok {
			return nil, fmt.Errorf("%w: no key with kid %s", ErrKeyNotFound, quote(h.KeyID))
		}
		for i, v := range vs {
			if v.Algorithm() == alg {
				return vs[i : i+1 : i+1], nil
			}
		}
		return nil, fmt.Errorf("%w: token has alg %s, key %s is bound to %s", ErrAlgorithmMismatch, quote(alg), quote(h.KeyID), quote(vs[0].Algorithm()))
	}
	vs := ks.byAlg[alg]
	if len(vs) == 0 {
		return nil, fmt.Errorf("%w: the token has no kid, and no key is bound to %s", ErrKeyNotFound, quote(alg))
	}
	return vs, nil
}
