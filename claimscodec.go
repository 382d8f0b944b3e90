package jwt

import (
	"bytes"
	"fmt"
	"reflect"
	"unicode/utf8"

	"github.com/jwtkit/jwt/internal/codec"
)

// The claims codec (internal/codec) decodes a claims set into the caller's
// claims type on Verify, and encodes one on Sign, without encoding/json. It
// knows nothing of this package: what it needs of the registered claims it
// reaches through registered, and on Verify the claims reader drives it,
// member by member (decodeClaims).

// registered is the codec's hook into the registered claims. It is never
// changed.
var registered = codec.Registered{
	Type:         reflect.TypeFor[RegisteredClaims](),
	Names:        registeredNames,
	Dates:        [codec.NumRegistered]bool{3: true, 4: true, 5: true}, // exp, nbf, iat
	MaxDate:      maxNumericDate,
	Audience:     reflect.TypeFor[Audience](),
	Date:         reflect.TypeFor[NumericDate](),
	AppendDate:   appendDateValue,
	AppendClaims: appendRegisteredValue,
}

// appendDateValue appends v, an addressable NumericDate, for the codec.
func appendDateValue(dst []byte, v reflect.Value) ([]byte, bool) {
	d := v.Addr().Interface().(*NumericDate)
	return d.appendJSON(dst), d.Unix() < 0 || d.Unix() > maxNumericDate
}

// appendRegisteredValue appends v, an addressable RegisteredClaims, for the
// codec: ok is false if json.Marshal could write its strings otherwise.
func appendRegisteredValue(dst []byte, v reflect.Value) (out []byte, ok, outOfRange bool) {
	rc := v.Addr().Interface().(*RegisteredClaims)
	for _, d := range [...]NumericDate{rc.ExpiresAt, rc.NotBefore, rc.IssuedAt} {
		if !d.IsZero() && (d.Unix() < 0 || d.Unix() > maxNumericDate) {
			outOfRange = true
		}
	}
	start := len(dst)
	dst = rc.appendJSON(dst)
	if bytes.IndexByte(dst[start:], '\\') >= 0 && !rc.plain() {
		return dst, false, outOfRange
	}
	return dst, true, outOfRange
}

// plain reports whether no string of rc holds a byte the appender writes
// otherwise than json.Marshal may: invalid UTF-8.
func (rc *RegisteredClaims) plain() bool {
	ok := utf8.ValidString
	if !ok(rc.Issuer) || !ok(rc.Subject) || !ok(rc.ID) {
		return false
	}
	for _, a := range rc.Audience {
		if !ok(a) {
			return false
		}
	}
	return true
}

// decodeMember decodes the member name of the JSON object s, which the
// strict reader has accepted, into v (see [Token.Claim]).
func decodeMember(s, name string, v any) (bool, error) {
	var rv reflect.Value
	if v != nil {
		rv = reflect.ValueOf(v)
		if rv.Kind() != reflect.Pointer || rv.IsNil() {
			return false, fmt.Errorf("%w: claim %s: decoding needs a non-nil pointer, not %T", ErrInvalidOption, quote(name), v)
		}
	}
	if s == "" || memberAbsent(s, name) {
		return false, nil
	}
	found, fit, err := codec.DecodeMember(s, name, rv)
	if fit != nil {
		return true, fmt.Errorf("%w: claim does not fit %T: %w", ErrMalformed, v, fit)
	}
	return found, err
}
