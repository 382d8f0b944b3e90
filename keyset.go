package jwt

import (
	"fmt"
	"strings"
)

// MaxKeysWithoutKID bounds how many keys a [KeySet] tries for a token whose
// header has no "kid".
const MaxKeysWithoutKID = 4

// KeySet is an immutable set of Verifiers, for verifying tokens signed by
// one of several keys, such as the keys of a JWK Set during rotation. It is
// safe for concurrent use. A KeySet is a Verifier that implements [Keys]:
// pass it to [Verify] like a single key.
//
// A token whose header has a "kid" is checked with the Verifier carrying
// that key ID (see [KeyIdentifier] and [VerifierWithKeyID]) and no other; an
// unknown kid is rejected with ErrKeyNotFound, and a kid whose key is bound
// to another algorithm with ErrAlgorithmMismatch. A token without "kid" is
// checked with the Verifiers bound to its header's algorithm, in the order
// given to NewKeySet, at most MaxKeysWithoutKID of them.
type KeySet struct {
	headerCache
	all   []Verifier
	byKID map[string]int
	byAlg map[string][]Verifier
}

// NewKeySet returns a KeySet of verifiers. Two verifiers with the same
// non-empty key ID are an error wrapping ErrInvalidKey, as is a nil one.
func NewKeySet(verifiers ...Verifier) (*KeySet, error) {
	ks := &KeySet{
		all:   make([]Verifier, len(verifiers)),
		byKID: make(map[string]int),
		byAlg: make(map[string][]Verifier),
	}
	for i, v := range verifiers {
		if v == nil {
			return nil, fmt.Errorf("%w: nil Verifier at index %d", ErrInvalidKey, i)
		}
		ks.all[i] = v
		if kid := keyIDOf(v); kid != "" {
			if _, dup := ks.byKID[kid]; dup {
				return nil, fmt.Errorf("%w: duplicate key ID %q", ErrInvalidKey, kid)
			}
			ks.byKID[kid] = i
		}
		alg := v.Algorithm()
		if len(ks.byAlg[alg]) < MaxKeysWithoutKID {
			ks.byAlg[alg] = append(ks.byAlg[alg], v)
		}
	}
	return ks, nil
}

// Len returns the number of verifiers in the set.
func (ks *KeySet) Len() int { return len(ks.all) }

// Verifiers returns the verifiers of the set, in order, in a new slice.
func (ks *KeySet) Verifiers() []Verifier { return append([]Verifier(nil), ks.all...) }

// Lookup implements [Keys] with the rules given for [KeySet].
func (ks *KeySet) Lookup(alg, kid string) ([]Verifier, error) {
	if kid != "" {
		i, ok := ks.byKID[kid]
		if !ok {
			return nil, fmt.Errorf("%w: no key with kid %q", ErrKeyNotFound, kid)
		}
		if got := ks.all[i].Algorithm(); got != alg {
			return nil, fmt.Errorf("%w: token has %q, key %q is bound to %q", ErrAlgorithmMismatch, alg, kid, got)
		}
		return ks.all[i : i+1 : i+1], nil
	}
	vs := ks.byAlg[alg]
	if len(vs) == 0 {
		return nil, fmt.Errorf("%w: no key for %q", ErrKeyNotFound, alg)
	}
	return vs[:len(vs):len(vs)], nil
}

// Algorithm returns "": a KeySet may hold keys of several algorithms. Each
// token is checked against the algorithm of the key that Lookup chooses.
func (ks *KeySet) Algorithm() string { return "" }

// Verify checks a signature outside [Verify]: it reads "alg" and "kid" from
// the header in signingInput, chooses keys as Lookup does, and reports
// whether one of them verifies signature.
func (ks *KeySet) Verify(signingInput, signature []byte) error {
	enc, _, _ := strings.Cut(string(signingInput), ".")
	dec, err := decodeSegment(nil, enc)
	if err != nil {
		return err
	}
	var h Header
	if err := readHeader(string(dec), &h, nil); err != nil {
		return err
	}
	vs, err := ks.Lookup(h.Algorithm, h.KeyID)
	if err != nil {
		return err
	}
	for _, v := range vs {
		if v.Verify(signingInput, signature) == nil {
			return nil
		}
	}
	return ErrInvalidSignature
}
