package jwt

import (
	"fmt"

	"github.com/jwtkit/jwt/internal/strictjson"
	"github.com/jwtkit/jwt/internal/typ"
)

// Header is the JOSE header of a token (RFC 7515 §4), as far as this
// package reads it. Members other than these are checked for syntax and,
// when a token's "crit" names them, for presence, but are not returned.
//
// The header is never used to choose a key type or algorithm: "alg" must
// equal the verifier's algorithm, "kid" is only a lookup key into the
// caller's [KeySource], and "jwk", "jku", "x5u" and "x5c" are ignored.
type Header struct {
	Algorithm   string   // "alg"
	KeyID       string   // "kid"
	Type        string   // "typ"
	ContentType string   // "cty"
	Critical    []string // "crit"

	// The header as read: its JSON, or, when that was not kept, its
	// base64url segment (a common header read without a JSON parse). Both
	// are empty for a Header made by hand.
	json, segment string
}

// JSON returns a copy of the header's JSON, as it was read from the token,
// or nil for a Header that was not read from a token.
func (h Header) JSON() []byte {
	s, err := h.text()
	if err != nil || s == "" {
		return nil
	}
	return []byte(s)
}

// Member decodes the header member name into v, a non-nil pointer, as
// json.Unmarshal would decode that member's value into it, and reports
// whether the member is present, as [Token.Claim] does for claims. A
// [KeySource] may read a header extension this way (DPoP's "jwk", say);
// what it reads is the header that will be verified, by the reader that
// read the rest of it.
func (h Header) Member(name string, v any) (bool, error) {
	s, err := h.text()
	if err != nil {
		return false, err
	}
	return decodeMember(s, name, v)
}

// text returns the header's JSON.
func (h *Header) text() (string, error) {
	if h.json != "" || h.segment == "" {
		return h.json, nil
	}
	b, err := decodeSegment(nil, h.segment)
	return string(b), err
}

// readHeader reads a JOSE header and applies the rules that do not depend
// on the key: a JSON object with unique member names; "alg" present and a
// string; "kid", "typ" and "cty" strings; no "b64"; and "crit", if present,
// a non-empty array of unique names of members present in the header, none
// of them registered, each one in understood.
func readHeader(s string, h *Header, understood []string) error {
	h.json = s
	r := strictjson.NewReader(s)
	if err := r.ObjectStart(); err != nil {
		return err
	}
	var names strictjson.NameSet
	hasAlg, hasCrit := false, false
	name, ok, err := r.FirstMember()
	for ; ok && err == nil; name, ok, err = r.NextMember() {
		if err = names.Add(name); err != nil {
			return err
		}
		switch name {
		case "alg":
			h.Algorithm, err = headerString(&r, name)
			hasAlg = true
		case "kid":
			h.KeyID, err = headerString(&r, name)
		case "typ":
			h.Type, err = headerString(&r, name)
		case "cty":
			h.ContentType, err = headerString(&r, name)
		case "crit":
			h.Critical, err = r.StringArray()
			hasCrit = true
		case "b64":
			return fmt.Errorf("%w: \"b64\" (RFC 7797) is not supported", ErrUnsupportedCritical)
		default:
			err = r.Skip()
		}
		if err != nil {
			return err
		}
	}
	if err != nil {
		return err
	}
	if err := r.End(); err != nil {
		return err
	}
	if !hasAlg {
		return fmt.Errorf("%w: header has no \"alg\"", ErrMalformed)
	}
	if hasCrit {
		return checkCritical(h.Critical, &names, understood)
	}
	return nil
}

// readCommonHeader reads the headers that most tokens carry, byte for byte:
// {"alg":A}, {"alg":A,"typ":"JWT"} and {"typ":"JWT","alg":A}, with A the
// name of an algorithm of this package. It reports whether b was one of
// them; if so, h holds what readHeader would have stored, as constant
// strings that keep no reference to b. Any other header, including these
// with whitespace, escapes or another algorithm name, is left to readHeader,
// so the two accept and return the same.
func readCommonHeader(b []byte, h *Header) bool {
	const (
		alg    = `{"alg":"`
		typAlg = `{"typ":"JWT","alg":"`
		typ    = `","typ":"JWT"}`
		end    = `"}`
	)
	var name []byte
	hasTyp := false
	switch {
	case len(b) > len(typAlg)+len(end) && string(b[:len(typAlg)]) == typAlg &&
		string(b[len(b)-len(end):]) == end:
		name, hasTyp = b[len(typAlg):len(b)-len(end)], true
	case len(b) > len(alg)+len(typ) && string(b[:len(alg)]) == alg &&
		string(b[len(b)-len(typ):]) == typ:
		name, hasTyp = b[len(alg):len(b)-len(typ)], true
	case len(b) > len(alg)+len(end) && string(b[:len(alg)]) == alg &&
		string(b[len(b)-len(end):]) == end:
		name = b[len(alg) : len(b)-len(end)]
	default:
		return false
	}
	a := algorithmName(name)
	if a == "" {
		return false
	}
	*h = Header{Algorithm: a}
	if hasTyp {
		h.Type = "JWT"
	}
	return true
}

// algorithmName returns the constant equal to name if name is the name of
// an algorithm of this package, and "" otherwise.
func algorithmName(name []byte) string {
	switch string(name) {
	case "HS256":
		return "HS256"
	case "HS384":
		return "HS384"
	case "HS512":
		return "HS512"
	case "RS256":
		return "RS256"
	case "RS384":
		return "RS384"
	case "RS512":
		return "RS512"
	case "PS256":
		return "PS256"
	case "PS384":
		return "PS384"
	case "PS512":
		return "PS512"
	case "ES256":
		return "ES256"
	case "ES384":
		return "ES384"
	case "ES512":
		return "ES512"
	case "EdDSA":
		return "EdDSA"
	case "Ed25519":
		return "Ed25519"
	}
	return ""
}

func headerString(r *strictjson.Reader, name string) (string, error) {
	if r.Peek() != '"' {
		return "", strictjson.Errorf("header %q is not a string", name)
	}
	return r.String()
}

// isRegisteredHeader reports whether name is a header parameter registered
// by RFC 7515 §4.1 (or RFC 7797), which "crit" must not list.
func isRegisteredHeader(name string) bool {
	switch name {
	case "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit", "b64":
		return true
	}
	return false
}

// checkCritical applies RFC 7515 §4.1.11 to a "crit" list.
func checkCritical(crit []string, names *strictjson.NameSet, understood []string) error {
	if len(crit) == 0 {
		return fmt.Errorf("%w: \"crit\" is empty", ErrUnsupportedCritical)
	}
	for i, c := range crit {
		switch {
		case isRegisteredHeader(c):
			return fmt.Errorf("%w: \"crit\" lists the registered parameter %q", ErrUnsupportedCritical, c)
		case !names.Has(c):
			return fmt.Errorf("%w: \"crit\" lists %q, which the header does not carry", ErrUnsupportedCritical, c)
		case !contains(understood, c):
			return fmt.Errorf("%w: extension %q is not understood", ErrUnsupportedCritical, c)
		case contains(crit[:i], c):
			return fmt.Errorf("%w: \"crit\" lists %q twice", ErrUnsupportedCritical, c)
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// typeMatches compares header "typ" values as RFC 7515 §4.1.9 says: case
// insensitively, with an omitted "application/" prefix.
func typeMatches(got, want string) bool { return typ.Matches(got, want) }

// appendHeader appends the JSON of a header with these members, escaped.
func appendHeader(dst []byte, alg, kid, typ, cty string) []byte {
	dst = append(dst, `{"alg":`...)
	dst = appendJSONString(dst, alg)
	if kid != "" {
		dst = append(dst, `,"kid":`...)
		dst = appendJSONString(dst, kid)
	}
	if typ != "" {
		dst = append(dst, `,"typ":`...)
		dst = appendJSONString(dst, typ)
	}
	if cty != "" {
		dst = append(dst, `,"cty":`...)
		dst = appendJSONString(dst, cty)
	}
	return append(dst, '}')
}

// appendJSONString appends s as a JSON string; see
// [strictjson.AppendString].
func appendJSONString(dst []byte, s string) []byte { return strictjson.AppendString(dst, s) }
