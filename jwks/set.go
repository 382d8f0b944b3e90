package jwks

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/internal/jwkset"
)

// Set is a JWK Set (RFC 7517 §5), {"keys":[...]}, the document an identity
// provider publishes at its jwks_uri and a [KeyRing] serves. A single key
// is a jwt.JWK. A Set is a value: to verify tokens with its keys, make a
// jwt.KeySet of them with [Set.KeySet]; to follow a set at a URL, use a
// [Remote].
type Set struct {
	// Keys are the keys of the set, in order.
	Keys []*jwt.JWK
	// Extra holds the members of the set other than "keys", by name.
	Extra map[string]json.RawMessage
}

// ParseOptions configure [Parse]. The zero value, or a nil pointer, reads a
// set of public keys.
type ParseOptions struct {
	// AllowPrivate accepts keys with private or secret members, as in a
	// set of signing keys read from a file the caller keeps as a secret.
	// Without it any such member, in any key, makes the set an error
	// wrapping ErrPrivateKey.
	AllowPrivate bool
}

// Parse parses a JWK Set. Each key is parsed and checked as by
// jwt.ParseJWK; a key that cannot be used (an unknown "kty" or "alg", an
// unsupported curve, an RSA modulus that is too small, a malformed member)
// is left out of the set and reported in skipped, one error per key naming
// its index and kid, because real provider sets hold keys for other
// purposes, such as encryption. A set that is not a JSON object with a
// "keys" array, or in which two keys share a non-empty "kid", is an error.
//
// By default the set must hold public keys only, as one fetched from an
// identity provider does: a key with any private or secret member ("d",
// "p", "q", "dp", "dq", "qi", "oth" or "k", which makes every "oct" key
// secret), even one that would be skipped, makes the whole set an error
// wrapping ErrPrivateKey, because the publisher is leaking its keys.
// opts.AllowPrivate accepts them.
//
// Every error wraps ErrInvalidSet and jwt.ErrInvalidKey; every skipped
// error wraps jwt.ErrInvalidKey.
func Parse(data []byte, opts *ParseOptions) (set *Set, skipped []error, err error) {
	public := opts == nil || !opts.AllowPrivate
	set = &Set{}
	set.Extra, skipped, err = jwkset.Parse(data, public, &set.Keys)
	if err != nil {
		if pk := (*jwkset.PrivateKeyError)(nil); errors.As(err, &pk) {
			return nil, nil, &jwksError{msg: "invalid JWK Set: " + pk.Error() + ": " + trim(ErrPrivateKey), errs: []error{ErrInvalidSet, ErrPrivateKey}}
		}
		return nil, nil, wrap(ErrInvalidSet, err, "")
	}
	for i, e := range skipped {
		skipped[i] = relabel(e)
	}
	return set, skipped, nil
}

var (
	_ json.Marshaler   = Set{}
	_ json.Unmarshaler = (*Set)(nil)
)

// UnmarshalJSON parses data as [Parse] does with AllowPrivate into s, and
// fails if any key was skipped. Callers that read a set of public keys, or
// want to skip unusable keys, call Parse themselves.
func (s *Set) UnmarshalJSON(data []byte) error {
	set, skipped, err := Parse(data, &ParseOptions{AllowPrivate: true})
	if err != nil {
		return err
	}
	if len(skipped) > 0 {
		return skipped[0]
	}
	*s = *set
	return nil
}

// MarshalJSON returns the set with every key in its public form (see
// jwt.JWK.MarshalJSON); a symmetric key is an error.
//
// MarshalJSON has a value receiver so that encoding/json uses it for both
// Set and *Set.
func (s Set) MarshalJSON() ([]byte, error) {
	return s.marshal(false)
}

// MarshalPrivateJSON returns the set with the private and secret members
// of its keys. The result is a secret.
func (s *Set) MarshalPrivateJSON() ([]byte, error) {
	return s.marshal(true)
}

func (s *Set) marshal(private bool) ([]byte, error) {
	b := []byte(`{"keys":[`)
	for i, k := range s.Keys {
		if k == nil {
			return nil, wrap(jwt.ErrInvalidKey, nil, "JWK Set key %d is nil", i)
		}
		var kb []byte
		var err error
		if private {
			kb, err = k.MarshalPrivateJSON()
		} else {
			kb, err = k.MarshalJSON()
		}
		if err != nil {
			return nil, &jwksError{msg: fmt.Sprintf("JWK Set key %d: %s", i, trim(err)), errs: []error{err}}
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, kb...)
	}
	b = append(b, ']')
	names := make([]string, 0, len(s.Extra))
	for n := range s.Extra {
		if n == "keys" {
			return nil, wrap(jwt.ErrInvalidKey, nil, `JWK Set Extra member "keys"`)
		}
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v, err := json.Marshal(s.Extra[n]) // validates and compacts
		if err != nil {
			return nil, wrap(jwt.ErrInvalidKey, err, "JWK Set Extra member %q", n)
		}
		name, _ := json.Marshal(n) // a string always marshals
		b = append(b, ',')
		b = append(b, name...)
		b = append(b, ':')
		b = append(b, v...)
	}
	return append(b, '}'), nil
}

// Key returns the key of s whose KeyID is kid, or nil.
func (s *Set) Key(kid string) *jwt.JWK {
	for _, k := range s.Keys {
		if k != nil && k.KeyID == kid {
			return k
		}
	}
	return nil
}

// KeySet returns a jwt.KeySet of Verifiers for the keys of s that can
// verify signatures, for use with jwt.Verify. allowed lists the algorithms
// the caller accepts; when it is empty, each key is bound to its own "alg"
// and keys without one are left out.
//
// A key with "alg" is bound to that algorithm, and left out if allowed is
// not empty and lacks it. A key without "alg" (common: Entra ID, many
// Keycloak realms) is bound to each algorithm of allowed that fits its key
// type and size, so an RSA key with allowed {RS256, PS256} verifies either.
// Keys whose "use" is not "sig" or whose "key_ops" lack "verify" are left
// out. Every key left out is reported in skipped, one error per key naming
// its index and kid. Each verifier carries its key's kid, so the KeySet
// finds keys by kid and applies its rule for tokens without one.
//
// A set with no usable key is an error wrapping jwt.ErrKeyNotFound; a nil
// Algorithm in allowed, one wrapping jwt.ErrInvalidOption.
func (s *Set) KeySet(allowed ...jwt.Algorithm) (ks *jwt.KeySet, skipped []error, err error) {
	if slices.Contains(allowed, nil) {
		return nil, nil, wrap(jwt.ErrInvalidOption, nil, "nil Algorithm in allowed")
	}
	var vs []jwt.Verifier
	for i, k := range s.Keys {
		if k == nil {
			return nil, nil, wrap(jwt.ErrInvalidKey, nil, "JWK Set key %d is nil", i)
		}
		n := len(vs)
		var why error
		switch {
		case k.Algorithm != "":
			if len(allowed) > 0 && !slices.ContainsFunc(allowed, func(a jwt.Algorithm) bool { return a.Name() == k.Algorithm }) {
				why = wrap(jwt.ErrKeyUsage, nil, "alg %s is not among the allowed algorithms", quote(k.Algorithm))
				break
			}
			v, err := k.Verifier(nil)
			if err != nil {
				why = err
				break
			}
			vs = append(vs, v)
		case len(allowed) == 0:
			why = wrap(jwt.ErrInvalidKey, nil, `JWK: no "alg", and no allowed algorithm to bind it to`)
		default:
			for _, a := range allowed {
				v, err := k.Verifier(a)
				if err != nil {
					why = err
					continue
				}
				vs = append(vs, v)
			}
		}
		if len(vs) == n {
			skipped = append(skipped, &jwksError{msg: fmt.Sprintf("JWK Set key %d (kid %s): %s", i, quote(k.KeyID), trim(why)), errs: []error{why}})
		}
	}
	if len(vs) == 0 {
		return nil, skipped, wrap(jwt.ErrKeyNotFound, nil, "the JWK Set has no key usable for verifying signatures")
	}
	ks, err = jwt.NewKeySet(vs...)
	if err != nil {
		return nil, skipped, relabel(err)
	}
	return ks, skipped, nil
}
