package codec

import (
	"reflect"
	"sync"
)

// NumRegistered is the number of registered claim names (RFC 7519 §4.1).
const NumRegistered = 7

// Registered is the hook through which the codec reaches the registered
// claims, whose types and format belong to package jwt: the codec never
// imports it. Package jwt keeps one Registered, never changed, and hands it
// to the codec's entry points; the codec's caches, keyed by Go type, assume
// that it is always the same.
type Registered struct {
	// Type is the struct of the registered claims. A claims struct that
	// embeds it (or a pointer to it) has its registered claims read and
	// written by package jwt, not field by field.
	Type reflect.Type
	// Names are the registered claim names in the order of Type's fields.
	Names [NumRegistered]string
	// Dates reports, per name, whether the claim is a date (a JSON number
	// of seconds) rather than a string (or, for "aud", strings).
	Dates [NumRegistered]bool
	// MaxDate is the largest date, in seconds, the claims reader accepts.
	MaxDate int64
	// Audience and Date are the types of Type's "aud" and date fields,
	// which the encoders write without calling their MarshalJSON methods.
	Audience, Date reflect.Type
	// AppendDate appends d, an addressable value of type Date, as its
	// MarshalJSON method writes it, and reports whether it lies outside the
	// range the claims reader accepts.
	AppendDate func(dst []byte, d reflect.Value) (out []byte, outOfRange bool)
	// AppendClaims appends rc, an addressable value of type Type, as a
	// JSON object holding the members json.Marshal writes for it. ok is
	// false if json.Marshal may write other bytes (for a string of invalid
	// UTF-8); outOfRange reports a date the claims reader would refuse.
	AppendClaims func(dst []byte, rc reflect.Value) (out []byte, ok, outOfRange bool)
}

// registeredIndexes caches, per claims struct type, the index path of its
// embedded registered claims (nil if none). It is a cache with no visible
// state.
var registeredIndexes sync.Map // reflect.Type -> []int

// index returns the index path in struct type t of its embedded
// registered claims, or nil if it embeds none.
func (reg *Registered) index(t reflect.Type) []int {
	if idx, ok := registeredIndexes.Load(t); ok {
		return idx.([]int)
	}
	var idx []int
	if f, ok := t.FieldByName(reg.Type.Name()); ok && f.Anonymous &&
		(f.Type == reg.Type || f.Type == reflect.PointerTo(reg.Type)) {
		idx = f.Index
	}
	registeredIndexes.Store(t, idx)
	return idx
}

// RegisteredField returns the registered claims embedded in *dst, if it has
// any, allocating nil embedded pointers on the way: an addressable value of
// type reg.Type. found is false if dst's type embeds none, or they are
// behind a nil pointer that dst's type holds itself; settable is false if
// they are behind a nil unexported embedded pointer, which cannot be set.
func RegisteredField(dst reflect.Value, reg *Registered) (rc reflect.Value, found, settable bool) {
	p := claimsPlanFor(dst.Type().Elem(), reg)
	if p.rc == nil {
		return rc, false, true
	}
	v := dst.Elem()
	for range p.rcPtrs {
		if v.IsNil() {
			return rc, false, true
		}
		v = v.Elem()
	}
	for i := 0; ; i++ {
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return rc, false, false
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		if i == len(p.rc) {
			break
		}
		v = v.Field(p.rc[i])
	}
	return v, true, true
}
