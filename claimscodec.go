package jwt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/bits"
	"reflect"
	"unicode/utf8"

	"github.com/jwtkit/jwt/internal/codec"
	"github.com/jwtkit/jwt/internal/strictjson"
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

// decodeClaims reads payload as a claims set into cs, as readClaims does,
// and in the same pass decodes it into *dst. err is a strict error; fit,
// when err is nil, says that a member did not fit T.
func decodeClaims[T any](payload string, cs *claimSet, dst *T) (fit, err error) {
	if m, ok := any(dst).(*map[string]any); ok {
		p := codec.BeginMap(payload, m)
		defer p.Release()
		return readClaimsInto(&p, cs)
	}
	return decodeClaimsValue(payload, cs, reflect.ValueOf(dst))
}

// decodeClaimsValue is decodeClaims for dst, a pointer.
func decodeClaimsValue(payload string, cs *claimSet, dst reflect.Value) (fit, err error) {
	p, ok := codec.Begin(payload, dst, &registered)
	if !ok {
		// The strict reader checks, encoding/json decodes.
		if err := readClaims(payload, cs); err != nil {
			return nil, err
		}
		return json.Unmarshal([]byte(payload), dst.Interface()), nil
	}
	defer p.Release()
	return readClaimsInto(&p, cs)
}

// readClaimsInto reads the claims set of p's payload as readClaims does,
// handing each member's value to p.
func readClaimsInto(p *codec.Pass, cs *claimSet) (fit, err error) {
	r := p.Reader()
	if err := r.ObjectStart(); err != nil {
		return nil, err
	}
	name, ok, err := r.FirstMember()
	for ; ok && err == nil; name, ok, err = r.NextMember() {
		if bit := regBit(name); bit != 0 {
			start := r.Offset()
			if err = cs.readMember(r, name); err != nil {
				return nil, err
			}
			err = p.Registered(bits.TrailingZeros8(bit), name, r.Slice(start))
		} else {
			h := strictjson.FoldHash(name)
			if err = cs.addName(name, h); err != nil {
				return nil, err
			}
			err = p.Member(name, h)
		}
		if err != nil {
			return nil, err
		}
	}
	if err != nil {
		return nil, err
	}
	if err := r.End(); err != nil {
		return nil, err
	}
	return p.Finish(), nil
}

// fillRegistered stores rc into the RegisteredClaims embedded in *dst, if
// it has one, allocating nil embedded pointers on the way. It fails if one
// of them cannot be set.
func fillRegistered[T any](dst *T, rc *RegisteredClaims) error {
	return fillRegisteredValue(reflect.ValueOf(dst), rc)
}

// fillRegisteredValue is fillRegistered for dst, a pointer.
func fillRegisteredValue(dst reflect.Value, rc *RegisteredClaims) error {
	v, found, settable := codec.RegisteredField(dst, &registered)
	if !settable {
		return fmt.Errorf("%w: claims type %v embeds RegisteredClaims behind an unexported pointer that is nil", ErrInvalidOption, dst.Type().Elem())
	}
	if found {
		*v.Addr().Interface().(*RegisteredClaims) = *rc
	}
	return nil
}
