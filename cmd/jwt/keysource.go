package main

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwks"
)

// signer returns a Signer for the key file, bound to --alg, the key's alg
// or the one algorithm the key fits. With a JWK Set, kid chooses the key;
// if kidSet, kid is written as the header "kid" in place of the key's own
// ("" for none).
func (kf *keyFile) signer(flagAlg, kid string, kidSet bool) (jwt.Signer, error) {
	k := kf.jwk
	if kf.set != nil {
		var err error
		if k, err = kf.pick(kid); err != nil {
			return nil, err
		}
	}
	alg, err := kf.algorithm(k, flagAlg)
	if err != nil {
		return nil, err
	}
	if !k.IsPrivate() {
		return nil, usageError("the %s in %s holds a public key, which cannot sign; give the private key", kf.kind, quote(kf.path))
	}
	if err := kf.checkFits(k, alg); err != nil {
		return nil, err
	}
	s, err := k.Signer(alg)
	if err != nil {
		return nil, keyError(err, "the %s in %s cannot be used with %s", kf.kind, quote(kf.path), alg.Name())
	}
	if kidSet {
		s = jwt.SignerWithKeyID(s, kid)
	}
	return s, nil
}

// verifier returns a Verifier for k, a key of the file chosen by the
// operator; kid, if set, must be k's kid or is given to a key without one.
func (kf *keyFile) verifier(k *jwt.JWK, flagAlg, kid string) (jwt.Verifier, error) {
	if kid != "" && k.KeyID != "" && kid != k.KeyID {
		return nil, usageError("--kid %s disagrees with the kid %s of the key in %s", quote(kid), quote(k.KeyID), quote(kf.path))
	}
	alg, err := kf.algorithm(k, flagAlg)
	if err != nil {
		return nil, err
	}
	if err := kf.checkFits(k, alg); err != nil {
		return nil, err
	}
	v, err := k.Verifier(alg)
	if err != nil {
		return nil, keyError(err, "the %s in %s cannot be used with %s", kf.kind, quote(kf.path), alg.Name())
	}
	if kid != "" && k.KeyID == "" {
		v = jwt.VerifierWithKeyID(v, kid)
	}
	return v, nil
}

// setKeys returns the KeySource of a JWK Set for tokens that choose the key
// by their kid: the library's KeySet of the keys that can verify with --alg
// or, without it, with their own "alg" or the one algorithm they fit.
// Keys it leaves out are left out for every token, so a token naming one
// is rejected; only a set with no usable key at all is the operator's
// error.
func (kf *keyFile) setKeys(flagAlg string) (jwt.KeySource, error) {
	set := kf.set
	var allowed []jwt.Algorithm
	if flagAlg != "" {
		a, err := algorithmByName(flagAlg)
		if err != nil {
			return nil, err
		}
		allowed = []jwt.Algorithm{a}
	} else {
		set = withInferredAlgorithms(set)
	}
	ks, skipped, err := set.KeySet(allowed...)
	if err != nil {
		with := ""
		if flagAlg != "" {
			with = " with --alg " + flagAlg
		}
		return nil, usageError("no key of the JWK Set in %s can verify signatures%s%s", quote(kf.path), with, skippedNote(append(kf.skipped, skipped...)))
	}
	return &setKeySource{keys: ks, set: set, allowed: allowed, path: kf.path}, nil
}

// withInferredAlgorithms returns set, or a copy of it in which each key
// without "alg" that fits only one algorithm is bound to that algorithm.
func withInferredAlgorithms(set *jwks.Set) *jwks.Set {
	out := &jwks.Set{Keys: slices.Clone(set.Keys), Extra: set.Extra}
	for i, k := range out.Keys {
		if a := inferAlgorithm(k.Key); k.Algorithm == "" && a != nil {
			c := *k
			c.Algorithm = a.Name()
			out.Keys[i] = &c
		}
	}
	return out
}

// setKeySource is the library's KeySet of a local JWK Set, which also says,
// for a token whose kid names a key the KeySet left out, why it was left
// out.
type setKeySource struct {
	keys    *jwt.KeySet
	set     *jwks.Set
	allowed []jwt.Algorithm
	path    string
}

func (s *setKeySource) Lookup(ctx context.Context, h jwt.Header) ([]jwt.Verifier, error) {
	vs, err := s.keys.Lookup(ctx, h)
	if errors.Is(err, jwt.ErrKeyNotFound) && h.KeyID != "" {
		if k := s.set.Key(h.KeyID); k != nil {
			return nil, fmt.Errorf("%w; the JWK Set in %s has a key with this kid, left out: %s", err, quote(s.path), s.leftOut(k))
		}
	}
	return vs, err
}

// leftOut says why the KeySet left k out, as the library does for a set of
// that one key, or in jwt's words when k does not fit --alg.
func (s *setKeySource) leftOut(k *jwt.JWK) string {
	if len(s.allowed) == 1 && k.Algorithm == "" && !fits(s.allowed[0], k.Key) {
		return fmt.Sprintf("it is %s, which --alg %s cannot use", describeKey(k.Key), s.allowed[0].Name())
	}
	_, skipped, _ := (&jwks.Set{Keys: []*jwt.JWK{k}}).KeySet(s.allowed...)
	if len(skipped) == 0 {
		return "it cannot verify signatures"
	}
	// The cause, without the set's "JWK Set key 0 (kid …)" around it.
	why := skipped[0]
	if u, ok := why.(interface{ Unwrap() []error }); ok && len(u.Unwrap()) > 0 {
		why = u.Unwrap()[0]
	} else if inner := errors.Unwrap(why); inner != nil {
		why = inner
	}
	text := libText(why)
	if k.Algorithm == "" && len(s.allowed) == 0 {
		text += " (give --alg)"
	}
	return text
}

// thumbprintJWK returns the key of the file whose thumbprint to print.
func (kf *keyFile) thumbprintJWK(kid string) (*jwt.JWK, error) {
	if kf.set != nil {
		return kf.pick(kid)
	}
	return kf.jwk, nil
}
