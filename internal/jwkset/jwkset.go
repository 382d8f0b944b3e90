// Package jwkset connects package jwks, which holds the JWK Set document
// type, to the reader of package jwt that parses a set's keys. The reader
// stays in package jwt because it reads each key in the same pass as the
// set, with the JWK parser's own unexported machinery (one strict reader,
// no second walk over the keys, which would cost about a third more time);
// package jwt installs it here when it is initialized, so that it exports
// no set type of its own and never imports package jwks.
package jwkset

import (
	"encoding/json"
	"fmt"

	"github.com/jwtkit/jwt/internal/strictjson"
)

// Parse reads a JWK Set: {"keys":[...]} and other members. It stores the
// keys that parsed, in order, in *keys, which is a *[]*jwt.JWK (a pointer,
// so that passing it allocates nothing); skipped holds one error per key
// left out; extra the members other than "keys", or nil. When public is
// set, a key with a private or secret member makes the set an error of type
// *PrivateKeyError. Every error of package jwt wraps jwt.ErrInvalidKey.
//
// Package jwt sets Parse when it is initialized, and nothing changes it
// afterwards; every importer of this package imports package jwt.
var Parse func(data []byte, public bool, keys any) (extra map[string]json.RawMessage, skipped []error, err error)

// PrivateKeyError reports the first key of a set read as public that has a
// private or secret member.
type PrivateKeyError struct {
	Index  int    // the key's index in "keys"
	KeyID  string // the key's "kid", or ""
	Member string // the name of the private member, such as "d"
}

func (e *PrivateKeyError) Error() string {
	return fmt.Sprintf("key %d (kid %s) has member %q", e.Index, strictjson.Quote(e.KeyID), e.Member)
}
