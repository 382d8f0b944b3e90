package jwt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"strings"

	"github.com/jwtkit/jwt/internal/strictjson"
)

// JWKSet is a JWK Set (RFC 7517 §5): {"keys":[...]}, as identity providers
// publish at their jwks_uri.
type JWKSet struct {
	// Keys are the keys of the set, in order.
	Keys []*JWK
	// Extra holds the members of the set other than "keys", by name.
	Extra map[string]json.RawMessage
}

// ParseJWKSet parses a JWK Set. Each key is parsed and checked as by
// [ParseJWK]; a key that cannot be used (an unknown "kty" or "alg", an
// unsupported curve, an RSA modulus that is too small, a malformed member)
// is left out of the set and reported in skipped, one error per key naming
// its index and kid, because real provider sets hold keys for other
// purposes, such as encryption. A set that is not a JSON object with a
// "keys" array, or in which two keys share a non-empty "kid", is an error.
//
// ParseJWKSet accepts private keys; a set fetched from a provider should be
// read with [ParsePublicJWKSet]. Every error wraps ErrInvalidKey.
func ParseJWKSet(data []byte) (set *JWKSet, skipped []error, err error) {
	return parseJWKSet(data, false)
}

// ParsePublicJWKSet is like [ParseJWKSet] but for a set that must hold only
// public keys, such as one fetched from an identity provider: a key with
// any private or secret member ("d", "p", "q", "dp", "dq", "qi", "oth" or
// "k", which makes every "oct" key private) makes the whole set an error
// wrapping ErrPrivateKeyInSet, because the publisher is leaking its keys.
func ParsePublicJWKSet(data []byte) (set *JWKSet, skipped []error, err error) {
	return parseJWKSet(data, true)
}

// maxJWKSetPresize bounds the room parseJWKSet makes for keys before it
// has read them.
const maxJWKSetPresize = 1024

// parseJWKSet reads the set in one pass. An error that makes the whole set
// an error (a key with a private member in a public set, a shared kid) is
// returned only once the rest of the text is known to be valid JSON, so
// that a syntax error anywhere takes precedence, as it would if the text
// were checked first; keys after it are only skipped over.
func parseJWKSet(data []byte, public bool) (*JWKSet, []error, error) {
	r := strictjson.NewReader(string(data))
	if err := r.ObjectStart(); err != nil {
		return nil, nil, jwkSyntax(err)
	}
	set := &JWKSet{}
	var (
		skipped            []error
		setErr             error
		hasKeys, keysArray bool
		names              strictjson.NameSet
	)
	name, ok, err := r.FirstMember()
	for ; ok && err == nil; name, ok, err = r.NextMember() {
		if err = names.Add(name); err != nil {
			return nil, nil, jwkSyntax(err)
		}
		if name == "keys" {
			hasKeys = true
			if r.Peek() == '[' {
				keysArray = true
				// Every usable key has a "kty": its count bounds the
				// keys. A bound of more than maxJWKSetPresize is not
				// trusted, as any member's value could repeat "kty".
				set.Keys = make([]*JWK, 0, min(bytes.Count(data, []byte(`"kty"`)), maxJWKSetPresize))
				if skipped, setErr, err = set.readKeys(&r, public); err != nil {
					return nil, nil, jwkMemberSyntax(name, err)
				}
				continue
			}
		}
		r.Peek()
		start := r.Offset()
		if err = r.Skip(); err != nil {
			return nil, nil, jwkMemberSyntax(name, err)
		}
		if name != "keys" {
			if set.Extra == nil {
				set.Extra = make(map[string]json.RawMessage)
			}
			set.Extra[strings.Clone(name)] = json.RawMessage(r.Slice(start))
		}
	}
	if err != nil {
		return nil, nil, jwkSyntax(err)
	}
	if err := r.End(); err != nil {
		return nil, nil, jwkSyntax(err)
	}
	if !hasKeys {
		return nil, nil, jwkError(`JWK Set has no member "keys"`)
	}
	if !keysArray {
		return nil, nil, jwkError(`JWK Set member "keys" is not an array`)
	}
	if setErr != nil {
		return nil, nil, setErr
	}
	return set, skipped, nil
}

// readKeys reads the array of keys whose '[' r is at into s.Keys, and
// returns the keys skipped and the first error that makes the whole set an
// error. The error it returns is a reader error, in the member "keys".
func (s *JWKSet) readKeys(r *strictjson.Reader, public bool) (skipped []error, setErr error, err error) {
	r.ArrayStart()
	var kids map[string]int
	var f jwkFields
	for i := 0; ; i++ {
		more, err := r.ArrayNext(i == 0)
		if err != nil {
			return nil, nil, err
		}
		if !more {
			return skipped, setErr, nil
		}
		if setErr != nil || r.Peek() != '{' {
			if setErr == nil {
				skipped = append(skipped, fmt.Errorf("JWK Set key %d: %w", i, jwkSyntax(strictjson.Errorf("not a JSON object"))))
			}
			// An element of "keys" is nested two deep.
			if err := r.SkipNested(2); err != nil {
				return nil, nil, err
			}
			continue
		}
		r.ObjectStart()
		f.reset()
		if _, _, err := f.read(r, 3); err != nil {
			return nil, nil, err
		}
		kid, _, _ := f.stringMember(jwkKid)
		if private := f.has & jwkPrivateMembers; public && private != 0 {
			setErr = fmt.Errorf("%w: key %d (kid %q) has member %q", ErrPrivateKeyInSet, i, kid, jwkMemberName(bits.TrailingZeros32(private)))
			continue
		}
		k, err := f.parse()
		if err != nil {
			skipped = append(skipped, annotate(err, "JWK Set key %d (kid %s)", i, quote(kid)))
			continue
		}
		if k.KeyID != "" {
			if j, dup := kids[k.KeyID]; dup {
				setErr = jwkError("JWK Set keys %d and %d share kid %q", j, i, k.KeyID)
				continue
			}
			if kids == nil {
				kids = make(map[string]int, cap(s.Keys))
			}
			kids[k.KeyID] = i
		}
		s.Keys = append(s.Keys, k)
	}
}

// UnmarshalJSON parses data as [ParseJWKSet] does into s, and fails if any
// key was skipped. Callers that want to skip unusable keys call
// [ParseJWKSet] or [ParsePublicJWKSet] themselves.
func (s *JWKSet) UnmarshalJSON(data []byte) error {
	set, skipped, err := ParseJWKSet(data)
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
// [JWK.MarshalJSON]); a symmetric key is an error.
func (s JWKSet) MarshalJSON() ([]byte, error) {
	return s.marshal(false)
}

// MarshalPrivateJSON returns the set with the private and secret members
// of its keys. The result is a secret.
func (s *JWKSet) MarshalPrivateJSON() ([]byte, error) {
	return s.marshal(true)
}

func (s *JWKSet) marshal(private bool) ([]byte, error) {
	b := []byte(`{"keys":[`)
	for i, k := range s.Keys {
		if k == nil {
			return nil, jwkError("JWK Set key %d is nil", i)
		}
		kb, err := k.marshal(private)
		if err != nil {
			return nil, fmt.Errorf("JWK Set key %d: %w", i, err)
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
			return nil, jwkError(`JWK Set Extra member "keys"`)
		}
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v, err := json.Marshal(s.Extra[n]) // validates and compacts
		if err != nil {
			return nil, jwkError("JWK Set Extra member %q: %w", n, err)
		}
		b = append(b, ',')
		b = appendJWKString(b, n)
		b = append(b, ':')
		b = append(b, v...)
	}
	return append(b, '}'), nil
}

// Key returns the key of s whose KeyID is kid, or nil.
func (s *JWKSet) Key(kid string) *JWK {
	for _, k := range s.Keys {
		if k != nil && k.KeyID == kid {
			return k
		}
	}
	return nil
}

// KeySet returns a [KeySet] of Verifiers for the keys of s that can verify
// signatures, for use with [Verify]. allowed lists the algorithms the caller
// accepts; when it is empty, each key is bound to its own "alg" and keys
// without one are left out.
//
// A key with "alg" is bound to that algorithm, and left out if allowed is
// not empty and lacks it. A key without "alg" (common: Entra ID, many
// Keycloak realms) is bound to each algorithm of allowed that fits its key
// type and size, so an RSA key with allowed {RS256, PS256} verifies either.
// Keys whose "use" is not "sig" or whose "key_ops" lack "verify" are left
// out. Every key left out is reported in skipped, one error per key naming
// its index and kid. Each verifier carries its key's kid, so the KeySet finds
// keys by kid and applies its rule for tokens without one.
//
// A set with no usable key is an error wrapping ErrKeyNotFound.
func (s *JWKSet) KeySet(allowed ...Algorithm) (ks *KeySet, skipped []error, err error) {
	if slices.Contains(allowed, nil) {
		return nil, nil, fmt.Errorf("%w: nil Algorithm in allowed", ErrInvalidOption)
	}
	var vs []Verifier
	for i, k := range s.Keys {
		if k == nil {
			return nil, nil, jwkError("JWK Set key %d is nil", i)
		}
		n := len(vs)
		var why error
		switch {
		case k.Algorithm != "":
			if len(allowed) > 0 && !slices.ContainsFunc(allowed, func(a Algorithm) bool { return a.Name() == k.Algorithm }) {
				why = fmt.Errorf("%w: alg %s is not among the allowed algorithms", ErrKeyUsage, quote(k.Algorithm))
				break
			}
			v, err := k.Verifier(nil)
			if err != nil {
				why = err
				break
			}
			vs = append(vs, v)
		case len(allowed) == 0:
			why = jwkError(`no "alg", and no allowed algorithm to bind it to`)
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
			skipped = append(skipped, annotate(why, "JWK Set key %d (kid %s)", i, quote(k.KeyID)))
		}
	}
	if len(vs) == 0 {
		return nil, skipped, fmt.Errorf("%w: the JWK Set has no key usable for verifying signatures", ErrKeyNotFound)
	}
	ks, err = NewKeySet(vs...)
	if err != nil {
		return nil, skipped, err
	}
	return ks, skipped, nil
}
