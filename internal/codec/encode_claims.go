package codec

import (
	"reflect"
	"slices"
	"sync"

	"github.com/jwtkit/jwt/internal/strictjson"
)

// The encoding of a claims value on Sign: which claims types the encoders
// write, when the output needs the claims reader's check, and the
// exported Encoder.

// claimsEncoder is how Sign encodes a claims type: a struct, or pointers
// to one, without methods of its own for encoding/json.
type claimsEncoder struct {
	ptrs int
	st   *encoder
	// check: a field other than those of the embedded RegisteredClaims
	// has a name that folds to a registered claim name, and its type does
	// not by itself write what Verify reads for that claim.
	check bool
	// dates are the top-level integer fields named "exp", "nbf" or "iat":
	// their values ask for the check when outside what Verify reads.
	dates []dateField
}

// dateField is a top-level integer field of a claims struct that holds a
// registered date claim in seconds.
type dateField struct {
	index    int
	unsigned bool
}

// claimsEncoders caches a *claimsEncoder per claims type (nil for types
// encoded the old way). It is a cache with no visible state.
var claimsEncoders sync.Map

func claimsEncoderFor(t reflect.Type, reg *Registered) *claimsEncoder {
	if ce, ok := claimsEncoders.Load(t); ok {
		return ce.(*claimsEncoder)
	}
	ce, _ := claimsEncoders.LoadOrStore(t, newClaimsEncoder(t, reg))
	return ce.(*claimsEncoder)
}

func newClaimsEncoder(t reflect.Type, reg *Registered) *claimsEncoder {
	ce := &claimsEncoder{}
	for ; t.Kind() == reflect.Pointer; t = t.Elem() {
		if t.Implements(marshalerType) || t.Implements(textMarshalerType) {
			return nil
		}
		ce.ptrs++
	}
	if t.Kind() != reflect.Struct || reflect.PointerTo(t).Implements(marshalerType) || reflect.PointerTo(t).Implements(textMarshalerType) {
		return nil
	}
	fields, odd := jsonFields(t)
	if odd {
		return nil
	}
	ce.st = encoderFor(t, reg)
	rc := reg.index(t)
	for _, f := range fields {
		own := rc != nil && len(f.index) == len(rc)+1 && slices.Equal(f.index[:len(rc)], rc)
		if own {
			continue
		}
		for _, name := range reg.Names {
			if !strictjson.FoldEqual(f.name, name) {
				continue
			}
			switch reg.plainRegistered(f, rc == nil) {
			case plainString:
			case plainDate:
				ce.dates = append(ce.dates, dateField{index: f.index[0], unsigned: f.typ.Kind() >= reflect.Uint})
			default:
				ce.check = true
			}
		}
	}
	return ce
}

const (
	plainOther  = iota // the claims reader must check what the field writes
	plainString        // the field always writes a valid string claim
	plainDate          // the field writes a valid date claim when in range
)

// plainRegistered tells whether field f of a claims struct that does not
// embed RegisteredClaims (alone says so) writes, by its type alone, what
// the claims reader accepts for the registered claim it is named: a
// top-level field named exactly "iss", "sub", "aud" or "jti" of a string
// kind, or "exp", "nbf" or "iat" of an integer kind (whose value is
// checked after encoding), without ",string" and without methods of its
// own for encoding/json. Anything else (a name equal only under folding,
// another kind, a field inside an embedded struct) is re-read.
func (reg *Registered) plainRegistered(f jsonField, alone bool) int {
	k := slices.Index(reg.Names[:], f.name)
	if !alone || len(f.index) != 1 || f.quoted || k < 0 {
		return plainOther
	}
	t := f.typ
	if t.Implements(marshalerType) || t.Implements(textMarshalerType) ||
		reflect.PointerTo(t).Implements(marshalerType) || reflect.PointerTo(t).Implements(textMarshalerType) {
		return plainOther
	}
	switch kind := t.Kind(); {
	case kind == reflect.String && !reg.Dates[k]:
		return plainString
	case kind >= reflect.Int && kind <= reflect.Uint64 && reg.Dates[k]:
		return plainDate
	}
	return plainOther
}

// encodeClaims appends claims, a struct or a pointer to one, to e.buf as
// json.Marshal would, and sets e.check if the output needs the claims
// reader's check. It reports false, with e.buf in any state, for claims to
// encode the old way.
func (e *encodeState) encodeClaims(claims any) bool {
	v := reflect.ValueOf(claims)
	if !v.IsValid() {
		return false
	}
	ce := claimsEncoderFor(v.Type(), e.reg)
	if ce == nil {
		return false
	}
	for range ce.ptrs {
		if v.IsNil() {
			return false
		}
		v = v.Elem()
	}
	e.check = ce.check
	if ce.st.encode(e, v, 0, false) != nil {
		return false
	}
	for _, d := range ce.dates {
		f := v.Field(d.index)
		if d.unsigned && f.Uint() > uint64(e.reg.MaxDate) || !d.unsigned && (f.Int() < 0 || f.Int() > e.reg.MaxDate) {
			e.check = true
		}
	}
	return true
}

// An Encoder encodes a claims value on Sign, as json.Marshal would, without
// encoding/json. Get one with NewEncoder and give it back with Release.
type Encoder struct{ e *encodeState }

// NewEncoder returns an Encoder from a pool.
func NewEncoder(reg *Registered) Encoder { return Encoder{getEncodeState(reg)} }

// Encode appends claims, a struct or a pointer to one, as json.Marshal
// would. It reports false, with the bytes in any state, for claims the
// caller must encode with json.Marshal.
func (en Encoder) Encode(claims any) bool { return en.e.encodeClaims(claims) }

// Bytes returns what Encode wrote, valid until Release.
func (en Encoder) Bytes() []byte { return en.e.buf }

// Check reports whether the bytes need the claims reader's check before
// they are signed: they may hold what Verify rejects.
func (en Encoder) Check() bool { return en.e.check }

// Release gives the Encoder back to the pool.
func (en Encoder) Release() { en.e.put() }
