package jwt

import (
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/jwtkit/jwt/internal/strictjson"
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
	r := strictjson.NewReader(string(data))
	v, err := readAudience(&r)
	if err != nil {
		return err
	}
	if err := r.End(); err != nil {
		return err
	}
	*a = v
	return nil
}

// readAudience reads "aud": a string or an array of strings.
func readAudience(r *strictjson.Reader) (Audience, error) {
	switch r.Peek() {
	case '"':
		v, err := r.String()
		if err != nil {
			return nil, err
		}
		return Audience{v}, nil
	case '[':
		v, err := r.StringArray()
		return Audience(v), err
	}
	return nil, strictjson.Errorf(`"aud" is neither a string nor an array of strings`)
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
	r := strictjson.NewReader(string(data))
	c := r.Peek()
	if c != '-' && (c < '0' || c > '9') {
		return strictjson.Errorf("NumericDate is not a number")
	}
	v, err := readNumericDate(&r)
	if err != nil {
		return err
	}
	if err := r.End(); err != nil {
		return err
	}
	*d = v
	return nil
}

// claimSet is what the claims reader found in a payload.
type claimSet struct {
	rc    RegisteredClaims
	aud1  string // the audience when "aud" held exactly one, rc.Audience nil
	seen  uint8  // registered claims present, by regBit
	names strictjson.NameSet
}

// has reports whether the claims set has a member named name.
func (cs *claimSet) has(name string) bool {
	if b := regBit(name); b != 0 {
		return cs.seen&b != 0
	}
	return cs.names.Has(name)
}

// readClaims reads a claims set: a JSON object whose members have unique
// names, with registered claims of the right types. Names equal under
// encoding/json's case folding are rejected at every depth, and so is a
// member whose name folds to a registered name, because encoding/json would
// read it into the registered field.
func readClaims(payload string, cs *claimSet) error {
	r := strictjson.NewReader(payload)
	if err := r.ObjectStart(); err != nil {
		return err
	}
	name, ok, err := r.FirstMember()
	for ; ok && err == nil; name, ok, err = r.NextMember() {
		if err = cs.readMember(&r, name); err != nil {
			return err
		}
	}
	if err != nil {
		return err
	}
	return r.End()
}

// The bits of claimSet.seen, one per registered claim name.
const (
	bitIss uint8 = 1 << iota
	bitSub
	bitAud
	bitExp
	bitNbf
	bitIat
	bitJTI
)

// regBit returns the bit that stands for name if it is a registered claim
// name, and 0 otherwise.
func regBit(name string) uint8 {
	switch name {
	case "iss":
		return bitIss
	case "sub":
		return bitSub
	case "aud":
		return bitAud
	case "exp":
		return bitExp
	case "nbf":
		return bitNbf
	case "iat":
		return bitIat
	case "jti":
		return bitJTI
	}
	return 0
}

var registeredNames = [...]string{"iss", "sub", "aud", "exp", "nbf", "iat", "jti"}

func (cs *claimSet) readMember(r *strictjson.Reader, name string) error {
	var err error
	switch name {
	case "iss":
		if err = cs.see(bitIss, name); err == nil {
			cs.rc.Issuer, err = claimString(r, name)
		}
	case "sub":
		if err = cs.see(bitSub, name); err == nil {
			cs.rc.Subject, err = claimString(r, name)
		}
	case "aud":
		if err = cs.see(bitAud, name); err == nil {
			if r.Peek() == '"' {
				cs.aud1, err = r.String() // one audience: no slice until Verify has a home for it
			} else {
				cs.rc.Audience, err = readAudience(r)
			}
		}
	case "exp":
		if err = cs.see(bitExp, name); err == nil {
			cs.rc.ExpiresAt, err = claimDate(r, name)
		}
	case "nbf":
		if err = cs.see(bitNbf, name); err == nil {
			cs.rc.NotBefore, err = claimDate(r, name)
		}
	case "iat":
		if err = cs.see(bitIat, name); err == nil {
			cs.rc.IssuedAt, err = claimDate(r, name)
		}
	case "jti":
		if err = cs.see(bitJTI, name); err == nil {
			cs.rc.ID, err = claimString(r, name)
		}
	default:
		if err = cs.addName(name, strictjson.FoldHash(name)); err != nil {
			return err
		}
		return r.Skip()
	}
	return err
}

// see records the registered claim of bit, or reports a duplicate.
func (cs *claimSet) see(bit uint8, name string) error {
	if cs.seen&bit != 0 {
		return strictjson.Errorf("duplicate member %q", name)
	}
	cs.seen |= bit
	return nil
}

func claimString(r *strictjson.Reader, name string) (string, error) {
	s, ok, err := r.StringIf()
	if !ok && err == nil {
		err = strictjson.Errorf("claim %q is not a string", name)
	}
	return s, err
}

func claimDate(r *strictjson.Reader, name string) (NumericDate, error) {
	c := r.Peek()
	if c != '-' && (c < '0' || c > '9') {
		return NumericDate{}, strictjson.Errorf("claim %q is not a number", name)
	}
	return readNumericDate(r)
}

// readNumericDate reads a JSON number, known to start at r, as a
// NumericDate. It rejects values that overflow float64 and values outside
// [0, MaxNumericDate].
func readNumericDate(r *strictjson.Reader) (NumericDate, error) {
	if n, ok := r.SmallInt(); ok {
		// The usual form, a plain integer, read in one step.
		if n > maxNumericDate {
			return NumericDate{}, strictjson.Errorf("NumericDate %d out of range", n)
		}
		return NumericDate{time.Unix(n, 0).UTC()}, nil
	}
	text, err := r.Number()
	if err != nil {
		return NumericDate{}, err
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return NumericDate{}, strictjson.Errorf("NumericDate %s out of range", text)
	}
	if !(f >= 0 && f <= maxNumericDate) {
		return NumericDate{}, strictjson.Errorf("NumericDate %s out of range", text)
	}
	return numericDateFromFloat(f), nil
}

// addName records a member name that is not a registered claim name: no
// name may fold to a registered name or to an earlier name. h is
// strictjson.FoldHash(name). Only a name of three ASCII bytes, or one with
// non-ASCII runes (such as "ſ", which folds to "S"), can fold to a
// registered name.
func (cs *claimSet) addName(name string, h uint32) error {
	if len(name) == 3 || !isASCII(name) {
		for _, reg := range registeredNames {
			if strictjson.FoldEqual(name, reg) {
				return strictjson.Errorf("member %s differs from the registered claim %q only in case", quote(name), reg)
			}
		}
	}
	return cs.names.AddHashed(name, h)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// appendJSON appends c as JSON, with the members encoding/json would write.
func (c *RegisteredClaims) appendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	sep := func(dst []byte, name string) []byte {
		if len(dst) > 1 {
			dst = append(dst, ',')
		}
		dst = append(dst, '"')
		dst = append(dst, name...)
		return append(dst, '"', ':')
	}
	if c.Issuer != "" {
		dst = appendJSONString(sep(dst, "iss"), c.Issuer)
	}
	if c.Subject != "" {
		dst = appendJSONString(sep(dst, "sub"), c.Subject)
	}
	switch {
	case len(c.Audience) == 1:
		dst = appendJSONString(sep(dst, "aud"), c.Audience[0])
	case len(c.Audience) > 1:
		dst = append(sep(dst, "aud"), '[')
		for i, a := range c.Audience {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, a)
		}
		dst = append(dst, ']')
	}
	if !c.ExpiresAt.IsZero() {
		dst = c.ExpiresAt.appendJSON(sep(dst, "exp"))
	}
	if !c.NotBefore.IsZero() {
		dst = c.NotBefore.appendJSON(sep(dst, "nbf"))
	}
	if !c.IssuedAt.IsZero() {
		dst = c.IssuedAt.appendJSON(sep(dst, "iat"))
	}
	if c.ID != "" {
		dst = appendJSONString(sep(dst, "jti"), c.ID)
	}
	return append(dst, '}')
}
