package jwt

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// RegisteredClaims holds the registered claims of RFC 7519 §4.1. Embed it in
// a struct of your own to add claims; [Verify] decodes into that struct
// directly.
//
// A zero field is an absent claim: empty strings, a nil Audience and zero
// NumericDates are not written by [Sign].
type RegisteredClaims struct {
	Issuer    string      `json:"iss,omitempty"` // "iss": who issued the token
	Subject   string      `json:"sub,omitempty"` // "sub": whom the token is about
	Audience  Audience    `json:"aud,omitempty"` // "aud": who the token is for
	ExpiresAt NumericDate `json:"exp,omitzero"`  // "exp": when the token expires
	NotBefore NumericDate `json:"nbf,omitzero"`  // "nbf": when the token becomes valid
	IssuedAt  NumericDate `json:"iat,omitzero"`  // "iat": when the token was issued
	ID        string      `json:"jti,omitempty"` // "jti": a unique token ID
}

// registered gives Verify access to the RegisteredClaims embedded in a
// caller's claims struct, through the promoted method.
func (c *RegisteredClaims) registered() *RegisteredClaims { return c }

// Audience is the "aud" claim: one or more case-sensitive strings. It is
// read from a JSON string or an array of strings, and nothing else, and is
// written as a string when it holds exactly one value.
type Audience []string

// Contains reports whether a holds s, compared case-sensitively.
func (a Audience) Contains(s string) bool {
	for _, v := range a {
		if v == s {
			return true
		}
	}
	return false
}

// MarshalJSON writes a single audience as a string, and otherwise an array.
func (a Audience) MarshalJSON() ([]byte, error) {
	if len(a) == 1 {
		return json.Marshal(a[0])
	}
	return json.Marshal([]string(a))
}

// UnmarshalJSON reads a string or an array of strings. Anything else,
// including null, numbers and arrays holding non-strings, is an error
// wrapping ErrMalformed.
func (a *Audience) UnmarshalJSON(data []byte) error {
	r := jsonReader{s: string(data)}
	v, err := r.audience()
	if err != nil {
		return err
	}
	if err := r.end(); err != nil {
		return err
	}
	*a = v
	return nil
}

// audience reads "aud": a string or an array of strings.
func (r *jsonReader) audience() (Audience, error) {
	switch r.peek() {
	case '"':
		v, err := r.str()
		if err != nil {
			return nil, err
		}
		return Audience{v}, nil
	case '[':
		v, err := r.stringArray()
		return Audience(v), err
	}
	return nil, errJSON(`"aud" is neither a string nor an array of strings`)
}

// maxNumericDate is 9999-12-31T23:59:59Z, the largest NumericDate accepted.
const maxNumericDate = 253402300799

// NumericDate is a JSON numeric date (RFC 7519 §2): seconds since the Unix
// epoch, written as a JSON number. The zero NumericDate (IsZero) is an
// absent claim. Reading accepts integer and fractional seconds from 0 to
// 9999-12-31T23:59:59Z and rejects strings, booleans, null and values that
// are out of range or not finite.
type NumericDate struct {
	time.Time
}

// NewNumericDate returns t as a NumericDate, truncated to whole seconds, the
// form every JWT library reads.
func NewNumericDate(t time.Time) NumericDate {
	return NumericDate{t.Truncate(time.Second).UTC()}
}

func numericDateFromFloat(f float64) NumericDate {
	sec, frac := math.Modf(f)
	nsec := int64(math.Round(frac*1e6)) * 1000 // microsecond precision
	return NumericDate{time.Unix(int64(sec), nsec).UTC()}
}

// MarshalJSON writes the date as integer seconds, with a fractional part
// only when the date has one.
func (d NumericDate) MarshalJSON() ([]byte, error) {
	return d.appendJSON(nil), nil
}

func (d NumericDate) appendJSON(dst []byte) []byte {
	dst = strconv.AppendInt(dst, d.Unix(), 10)
	if us := d.Nanosecond() / 1000; us != 0 {
		var buf [8]byte
		frac := strconv.AppendInt(buf[:0], int64(us)+1e6, 10)[1:] // six digits
		for frac[len(frac)-1] == '0' {
			frac = frac[:len(frac)-1]
		}
		dst = append(dst, '.')
		dst = append(dst, frac...)
	}
	return dst
}

// UnmarshalJSON reads a JSON number of seconds; see [NumericDate].
func (d *NumericDate) UnmarshalJSON(data []byte) error {
	r := jsonReader{s: string(data)}
	c := r.peek()
	if c != '-' && (c < '0' || c > '9') {
		return errJSON("NumericDate is not a number")
	}
	text, err := r.number()
	if err != nil {
		return err
	}
	if err := r.end(); err != nil {
		return err
	}
	v, err := parseNumericDate(text)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// claimSet is what the claims reader found in a payload.
type claimSet struct {
	rc    RegisteredClaims
	aud1  string // the audience when "aud" held exactly one, rc.Audience nil
	names nameSet
}

// readClaims reads a claims set: a JSON object whose members have unique
// names, with registered claims of the right types. A member whose name
// differs from a registered name only in case is rejected, because
// encoding/json would read it into the registered field.
func readClaims(payload string, cs *claimSet) error {
	r := jsonReader{s: payload}
	if err := r.objectStart(); err != nil {
		return err
	}
	name, ok, err := r.member(true)
	for ; ok && err == nil; name, ok, err = r.memberAfter() {
		if err = cs.names.add(name, regBit(name)); err != nil {
			return err
		}
		if err = cs.readMember(&r, name); err != nil {
			return err
		}
	}
	if err != nil {
		return err
	}
	return r.end()
}

// regBit returns a bit that stands for name if it is a registered claim
// name, and 0 otherwise.
func regBit(name string) uint8 {
	switch name {
	case "iss":
		return 1 << 0
	case "sub":
		return 1 << 1
	case "aud":
		return 1 << 2
	case "exp":
		return 1 << 3
	case "nbf":
		return 1 << 4
	case "iat":
		return 1 << 5
	case "jti":
		return 1 << 6
	}
	return 0
}

// memberAfter reads past ',' to the next member name, or consumes '}'.
func (r *jsonReader) memberAfter() (string, bool, error) {
	more, err := r.next()
	if err != nil || !more {
		return "", false, err
	}
	return r.memberName()
}

func (cs *claimSet) readMember(r *jsonReader, name string) error {
	var err error
	switch name {
	case "iss":
		cs.rc.Issuer, err = r.claimString(name)
	case "sub":
		cs.rc.Subject, err = r.claimString(name)
	case "jti":
		cs.rc.ID, err = r.claimString(name)
	case "aud":
		if r.peek() == '"' {
			cs.aud1, err = r.str() // one audience: no slice until Verify has a home for it
		} else {
			cs.rc.Audience, err = r.audience()
		}
	case "exp":
		cs.rc.ExpiresAt, err = r.claimDate(name)
	case "nbf":
		cs.rc.NotBefore, err = r.claimDate(name)
	case "iat":
		cs.rc.IssuedAt, err = r.claimDate(name)
	default:
		if len(name) != 3 && isASCII(name) {
			return r.skip(1) // cannot fold to a three-letter registered name
		}
		for _, reg := range [...]string{"iss", "sub", "aud", "exp", "nbf", "iat", "jti"} {
			if strings.EqualFold(name, reg) {
				return errJSON("member %q differs from the registered claim %q only in case", name, reg)
			}
		}
		return r.skip(1)
	}
	return err
}

func (r *jsonReader) claimString(name string) (string, error) {
	if r.peek() != '"' {
		return "", errJSON("claim %q is not a string", name)
	}
	return r.str()
}

func (r *jsonReader) claimDate(name string) (NumericDate, error) {
	c := r.peek()
	if c != '-' && (c < '0' || c > '9') {
		return NumericDate{}, errJSON("claim %q is not a number", name)
	}
	text, err := r.number()
	if err != nil {
		return NumericDate{}, err
	}
	return parseNumericDate(text)
}
