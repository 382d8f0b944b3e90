package jwt

import (
	"encoding/json"
	"fmt"
	"math/bits"
	"reflect"

	"github.com/jwtkit/jwt/internal/codec"
	"github.com/jwtkit/jwt/internal/strictjson"
)

// Verify's one pass over a claims set: the claims reader walks the members
// and checks them, and hands each value to the codec, which decodes it into
// the caller's claims type.

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
