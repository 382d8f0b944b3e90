package jwt

import (
	"fmt"
	"reflect"
	"sync"
)

// Token is a verified token: its signature was valid and its claims passed
// every check that the VerifyOptions asked for.
//
// Besides the claims decoded into T, a Token carries the claims set exactly
// as it was verified, read by [Token.Claim] and [Token.Payload], so that a
// member T has no field for is read from the verified bytes by the same
// strict reader, never by a second parser of the token.
type Token[T any] struct {
	Header  Header
	Claims  T
	payload string    // the verified claims set (JSON), as signed
	aud     [1]string // backing array for a single audience
}

// Payload returns a copy of the verified claims set: the JSON object the
// signature covers, byte for byte.
func (t *Token[T]) Payload() []byte { return []byte(t.payload) }

// Claim decodes the member name of the verified claims set into v, a
// non-nil pointer, as json.Unmarshal would decode that member's value into
// it, and reports whether the member is present. Names are matched exactly
// (case-sensitively). A nil v only reports presence. A value that does not
// fit v is an error wrapping ErrMalformed; a v that is not a non-nil
// pointer is an error wrapping ErrInvalidOption.
//
// The claims set was read strictly when the token was verified (one object,
// unique names at every depth), so there is exactly one member of a name.
func (t *Token[T]) Claim(name string, v any) (bool, error) {
	return decodeMember(t.payload, name, v)
}

// Registered returns the registered claims of the token ("iss", "sub",
// "aud", "exp", "nbf", "iat" and "jti") whatever T is, such as a struct
// without an embedded RegisteredClaims or a map. For T RegisteredClaims (or
// a pointer to it) it returns a copy of Claims; for any other T it reads
// them from the verified claims set with the reader [Verify] checked them
// with, so that no caller decodes them again by another way. It returns the
// zero RegisteredClaims for a Token that Verify did not make.
func (t *Token[T]) Registered() RegisteredClaims {
	switch c := any(&t.Claims).(type) {
	case *RegisteredClaims:
		return *c
	case **RegisteredClaims:
		if *c != nil {
			return **c
		}
		return RegisteredClaims{}
	}
	var cs claimSet
	err := readClaims(t.payload, &cs) // Verify read these bytes: it cannot fail but on ""
	cs.names.Release()
	if err != nil {
		return RegisteredClaims{}
	}
	if cs.rc.Audience == nil && cs.has("aud") {
		cs.rc.Audience = Audience{cs.aud1}
	}
	return cs.rc
}

// JWS is a verified JWS whose payload need not be a claims set.
type JWS struct {
	Header  Header
	Payload []byte
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
	d := getDecodeState(s)
	defer d.put()
	r := &d.r
	if err := r.ObjectStart(); err != nil {
		return false, err
	}
	n, ok, err := r.FirstMember()
	for ; ok && err == nil; n, ok, err = r.NextMember() {
		if n != name {
			if err := r.Skip(); err != nil {
				return false, err
			}
			continue
		}
		if v == nil {
			return true, nil
		}
		d.member = name
		if err := decoderFor(rv.Type().Elem()).decode(d, r, rv.Elem(), 1); err != nil {
			return true, err
		}
		if d.fit != nil {
			return true, fmt.Errorf("%w: claim does not fit %T: %w", ErrMalformed, v, d.fit)
		}
		return true, nil
	}
	return false, err
}

// scratch is a reusable buffer for decoding and signing.
type scratch struct{ b []byte }

// bufPool holds scratch buffers; it is a cache with no visible state.
var bufPool = sync.Pool{New: func() any { return &scratch{b: make([]byte, 0, 2048)} }}

func getBuf() *scratch { return bufPool.Get().(*scratch) }

func putBuf(s *scratch) {
	if cap(s.b) <= 64<<10 {
		bufPool.Put(s)
	}
}
