package jwt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/bits"
	"strings"

	"github.com/jwtkit/jwt/internal/jwkset"
	"github.com/jwtkit/jwt/internal/strictjson"
)

// The JWK Set document type is jwks.Set. Its keys are read here, in the same
// pass as the set, by the JWK parser's own machinery (see package
// internal/jwkset); this package exports no set type.
func init() {
	jwkset.Parse = func(data []byte, public bool, keys any) (map[string]json.RawMessage, []error, error) {
		k, extra, skipped, err := parseJWKSet(data, public)
		*keys.(*[]*JWK) = k
		return extra, skipped, err
	}
}

// maxJWKSetPresize bounds the room parseJWKSet makes for keys before it
// has read them.
const maxJWKSetPresize = 1024

// parseJWKSet reads the set in one pass. An error that makes the whole set
// an error (a key with a private member in a public set, a shared kid) is
// returned only once the rest of the text is known to be valid JSON, so
// that a syntax error anywhere takes precedence, as it would if the text
// were checked first; keys after it are only skipped over.
func parseJWKSet(data []byte, public bool) (keys []*JWK, extra map[string]json.RawMessage, skipped []error, err error) {
	r := strictjson.NewReader(string(data))
	if err := r.ObjectStart(); err != nil {
		return nil, nil, nil, jwkSyntax(err)
	}
	var (
		setErr             error
		hasKeys, keysArray bool
		names              strictjson.NameSet
	)
	name, ok, err := r.FirstMember()
	for ; ok && err == nil; name, ok, err = r.NextMember() {
		if err = names.Add(name); err != nil {
			return nil, nil, nil, jwkSyntax(err)
		}
		if name == "keys" {
			hasKeys = true
			if r.Peek() == '[' {
				keysArray = true
				// Every usable key has a "kty": its count bounds the
				// keys. A bound of more than maxJWKSetPresize is not
				// trusted, as any member's value could repeat "kty".
				keys = make([]*JWK, 0, min(bytes.Count(data, []byte(`"kty"`)), maxJWKSetPresize))
				if keys, skipped, setErr, err = readJWKSetKeys(&r, keys, public); err != nil {
					return nil, nil, nil, jwkMemberSyntax(name, err)
				}
				continue
			}
		}
		r.Peek()
		start := r.Offset()
		if err = r.Skip(); err != nil {
			return nil, nil, nil, jwkMemberSyntax(name, err)
		}
		if name != "keys" {
			if extra == nil {
				extra = make(map[string]json.RawMessage)
			}
			extra[strings.Clone(name)] = json.RawMessage(r.Slice(start))
		}
	}
	if err != nil {
		return nil, nil, nil, jwkSyntax(err)
	}
	if err := r.End(); err != nil {
		return nil, nil, nil, jwkSyntax(err)
	}
	if !hasKeys {
		return nil, nil, nil, jwkError(`JWK Set has no member "keys"`)
	}
	if !keysArray {
		return nil, nil, nil, jwkError(`JWK Set member "keys" is not an array`)
	}
	if setErr != nil {
		return nil, nil, nil, setErr
	}
	return keys, extra, skipped, nil
}

// readJWKSetKeys reads the array of keys whose '[' r is at, appending them
// to keys, and returns the keys, the keys skipped and the first error that
// makes the whole set an error. The error it returns is a reader error, in
// the member "keys".
func readJWKSetKeys(r *strictjson.Reader, keys []*JWK, public bool) (_ []*JWK, skipped []error, setErr error, err error) {
	r.ArrayStart()
	var kids map[string]int
	var f jwkFields
	for i := 0; ; i++ {
		more, err := r.ArrayNext(i == 0)
		if err != nil {
			return nil, nil, nil, err
		}
		if !more {
			return keys, skipped, setErr, nil
		}
		if setErr != nil || r.Peek() != '{' {
			if setErr == nil {
				skipped = append(skipped, fmt.Errorf("JWK Set key %d: %w", i, jwkSyntax(strictjson.Errorf("not a JSON object"))))
			}
			// An element of "keys" is nested two deep.
			if err := r.SkipNested(2); err != nil {
				return nil, nil, nil, err
			}
			continue
		}
		r.ObjectStart()
		f.reset()
		if _, _, err := f.read(r, 3); err != nil {
			return nil, nil, nil, err
		}
		kid, _, _ := f.stringMember(jwkKid)
		if private := f.has & jwkPrivateMembers; public && private != 0 {
			setErr = fmt.Errorf("%w: %w", ErrInvalidKey, &jwkset.PrivateKeyError{Index: i, KeyID: strings.Clone(kid), Member: jwkMemberName(bits.TrailingZeros32(private))})
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
				kids = make(map[string]int, cap(keys))
			}
			kids[k.KeyID] = i
		}
		keys = append(keys, k)
	}
}
