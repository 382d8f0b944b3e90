package jwt

import (
	"encoding/json"
	"fmt"
	"math/bits"
	"reflect"
	"slices"
	"sync"

	"github.com/jwtkit/jwt/internal/strictjson"
)

// One pass from the payload into the caller's claims type.
//
// Verify reads a claims set with the strict reader (readClaims: one object,
// unique names under encoding/json's folding at every depth, registered
// claims of the right types). For a claims type T other than
// RegisteredClaims, the same pass also stores every member into T, following
// a decoding plan built once per type with reflection and kept in a cache
// with no visible state. The plan decodes exactly what encoding/json would
// decode for the same Go type: the same fields (json tags, "-", ",string",
// embedded structs and pointers with Go's depth and ambiguity rules,
// case-insensitive matching with encoding/json's folding), the same values
// and the same errors, on the inputs the strict reader accepts. The
// registered claims are not decoded twice: the embedded RegisteredClaims is
// filled from what the claims reader parsed.
//
// A member whose Go type has its own decoding (json.Unmarshaler,
// encoding.TextUnmarshaler) is handed, alone, to encoding/json. So is a
// claims type that is not a struct, a map or an empty interface (a claims
// type with its own UnmarshalJSON, say): the strict reader checks the payload
// and encoding/json decodes it, as before.
//
// Errors come in two kinds. A strict error (the payload is not a claims set
// Verify accepts) ends the pass. A member that does not fit its Go value is
// a fit error: like encoding/json, the pass records the first and goes on,
// so that the rest of the payload is still checked strictly, and Verify
// reports it after the claims checks, where it reported encoding/json's
// error before.

// decodeState is one decoding pass.
type decodeState struct {
	fit    error  // the first member that did not fit, or nil
	member string // the top-level member being decoded, for fit errors
	// The readers of the payload and of one registered claim's value:
	// here rather than on the stack, which the decoders' function values
	// would make them escape from.
	r, sub strictjson.Reader
	// Scratch stacks, kept with the pooled decodeState: the members of
	// the objects and the elements of the arrays being decoded into empty
	// interfaces, each object's or array's on top of its parent's, so that
	// its map or slice is made once, at its size, when it ends; and the
	// elements of a []string.
	members []member
	elems   []any
	strs    []string
}

// member is a member of an object decoded into a map[string]any.
type member struct {
	name  string
	value any
}

// maxScratch bounds the scratch stacks a pooled decodeState keeps.
const maxScratch = 1 << 12

// decodeStates pools decodeStates; it is a cache with no visible state.
var decodeStates = sync.Pool{New: func() any { return new(decodeState) }}

func getDecodeState(payload string) *decodeState {
	d := decodeStates.Get().(*decodeState)
	d.r = strictjson.NewReader(payload)
	return d
}

// put returns d to the pool, with no reference to the payload or errors.
func (d *decodeState) put() {
	members, elems, strs := resetScratch(d.members), resetScratch(d.elems), resetScratch(d.strs)
	*d = decodeState{members: members, elems: elems, strs: strs}
	decodeStates.Put(d)
}

// resetScratch empties a scratch stack, which an error may have left
// holding values, or drops it if it grew too large to keep.
func resetScratch[E any](s []E) []E {
	if cap(s) > maxScratch {
		return nil
	}
	clear(s)
	return s[:0]
}

// makeMap makes the map of the members on the members stack from base
// up, and pops them.
func (d *decodeState) makeMap(base int) map[string]any {
	top := d.members[base:]
	m := make(map[string]any, len(top))
	for _, e := range top {
		m[e.name] = e.value
	}
	clear(top)
	d.members = d.members[:base]
	return m
}

// fail records err as a fit error unless one was recorded already.
func (d *decodeState) fail(err error) {
	if d.fit == nil {
		d.fit = fmt.Errorf("member %s: %w", quote(d.member), err)
	}
}

// mismatch records that a JSON value of kind what cannot be stored in a Go
// value of type t.
func (d *decodeState) mismatch(r *strictjson.Reader, what string, t reflect.Type) {
	if d.fit == nil {
		d.fail(&json.UnmarshalTypeError{Value: what, Type: t, Offset: int64(r.Offset())})
	}
}

// wrong records a mismatch for the value at r and skips it.
func (d *decodeState) wrong(r *strictjson.Reader, t reflect.Type, depth int) error {
	d.mismatch(r, jsonKind(r.Peek()), t)
	return d.skip(r, depth)
}

// jsonKind names the kind of the JSON value starting with c, as
// json.UnmarshalTypeError does.
func jsonKind(c byte) string {
	switch c {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
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

// planKind says how a claims type is decoded.
type planKind uint8

const (
	planJSON   planKind = iota // the strict reader checks, encoding/json decodes
	planStruct                 // one pass into a struct
	planMap                    // one pass into a map
	planAny                    // one pass into a map[string]any, stored in an empty interface
)

// claimsPlan is how Verify decodes a payload into a claims type.
type claimsPlan struct {
	kind planKind
	ptrs int // pointers from the claims type to the struct or map decoded
	// planStruct: the struct's fields, and per registered claim (by bit
	// number) the field it is also decoded into, or -1 when it has none
	// or its field is in the embedded RegisteredClaims.
	st  *structDecoder
	reg [len(registeredNames)]int
	// planMap: the map type, its key conversion and element decoder.
	mt   reflect.Type
	key  func(string) (reflect.Value, bool)
	elem *decoder
	// The embedded RegisteredClaims: pointers from the claims type to the
	// struct holding it, and its index there (nil if none).
	rcPtrs int
	rc     []int
}

// claimsPlans caches a *claimsPlan per claims type. It is a cache with no
// visible state.
var claimsPlans sync.Map

func claimsPlanFor(t reflect.Type) *claimsPlan {
	if p, ok := claimsPlans.Load(t); ok {
		return p.(*claimsPlan)
	}
	p, _ := claimsPlans.LoadOrStore(t, newClaimsPlan(t))
	return p.(*claimsPlan)
}

func newClaimsPlan(t reflect.Type) *claimsPlan {
	p := &claimsPlan{}
	st := t
	for st.Kind() == reflect.Pointer {
		st = st.Elem()
		p.rcPtrs++
	}
	if st.Kind() == reflect.Struct {
		p.rc = registeredIndex(st)
	}
	// encoding/json looks for methods on the pointer to the claims type,
	// then on every pointer it follows.
	for pt := reflect.PointerTo(t); ; pt = pt.Elem() {
		if hasDecodingMethod(pt) {
			return p
		}
		if pt.Elem().Kind() != reflect.Pointer {
			break
		}
		p.ptrs++
	}
	t = st
	switch t.Kind() {
	case reflect.Struct:
		if _, odd := jsonFields(t); odd {
			return p
		}
		p.kind = planStruct
		p.st = decoderFor(t).structPlan
		for b, name := range registeredNames {
			p.reg[b] = p.st.lookup(name)
			if i := p.reg[b]; i >= 0 && p.rc != nil {
				idx := p.st.fields[i].index
				if len(idx) == len(p.rc)+1 && slices.Equal(idx[:len(p.rc)], p.rc) {
					p.reg[b] = -1 // filled from the claims reader
				}
			}
		}
	case reflect.Map:
		if reflect.PointerTo(t.Key()).Implements(textUnmarshalerType) {
			return p
		}
		if p.key = mapKeyFunc(t.Key()); p.key == nil {
			return p
		}
		p.kind, p.mt, p.elem = planMap, t, decoderFor(t.Elem())
	case reflect.Interface:
		if t.NumMethod() == 0 {
			p.kind = planAny
		}
	}
	return p
}

// decodeClaims reads payload as a claims set into cs, as readClaims does,
// and in the same pass decodes it into *dst. err is a strict error; fit,
// when err is nil, says that a member did not fit T.
func decodeClaims[T any](payload string, cs *claimSet, dst *T) (fit, err error) {
	if m, ok := any(dst).(*map[string]any); ok {
		d := getDecodeState(payload)
		defer d.put()
		*m, err = d.claimsMap(cs)
		return d.fit, err
	}
	return decodeClaimsValue(payload, cs, reflect.ValueOf(dst))
}

// decodeClaimsValue is decodeClaims for dst, a pointer.
func decodeClaimsValue(payload string, cs *claimSet, dst reflect.Value) (fit, err error) {
	p := claimsPlanFor(dst.Type().Elem())
	if p.kind == planJSON {
		if err := readClaims(payload, cs); err != nil {
			return nil, err
		}
		return json.Unmarshal([]byte(payload), dst.Interface()), nil
	}
	d := getDecodeState(payload)
	defer d.put()
	v := dst.Elem()
	for range p.ptrs {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	switch p.kind {
	case planStruct:
		err = p.claimsStruct(d, cs, v)
	case planMap:
		err = p.claimsMap(d, cs, v)
	case planAny:
		var m map[string]any
		if m, err = d.claimsMap(cs); err == nil {
			v.Set(reflect.ValueOf(m))
		}
	}
	return d.fit, err
}

// claimsMembers reads the members of a claims set as readClaims does,
// calling value to read (or, for a registered claim, read again) each
// member's value: r is at the value, and at depth 1.
func (d *decodeState) claimsMembers(cs *claimSet, value func(r *strictjson.Reader, name string) error) error {
	r := &d.r
	if err := r.ObjectStart(); err != nil {
		return err
	}
	name, ok, err := r.FirstMember()
	for ; ok && err == nil; name, ok, err = r.NextMember() {
		d.member = name
		if bit := regBit(name); bit != 0 {
			start := r.Offset()
			if err = cs.readMember(r, name); err != nil {
				return err
			}
			d.sub = strictjson.NewReader(r.Slice(start))
			err = value(&d.sub, name)
		} else if err = cs.addName(name, strictjson.FoldHash(name)); err == nil {
			err = value(r, name)
		}
		if err != nil {
			return err
		}
	}
	if err != nil {
		return err
	}
	return r.End()
}

func (p *claimsPlan) claimsStruct(d *decodeState, cs *claimSet, v reflect.Value) error {
	r := &d.r
	if err := r.ObjectStart(); err != nil {
		return err
	}
	name, ok, err := r.FirstMember()
	for ; ok && err == nil; name, ok, err = r.NextMember() {
		d.member = name
		if bit := regBit(name); bit != 0 {
			start := r.Offset()
			if err = cs.readMember(r, name); err != nil {
				return err
			}
			if i := p.reg[bits.TrailingZeros8(bit)]; i >= 0 {
				// Also decoded into a field of its own.
				d.sub = strictjson.NewReader(r.Slice(start))
				if err = p.st.member(d, &d.sub, v, i, 1); err != nil {
					return err
				}
			}
			continue
		}
		h := strictjson.FoldHash(name)
		if err = cs.addName(name, h); err != nil {
			return err
		}
		if i := p.st.lookupHashed(name, h); i >= 0 {
			err = p.st.member(d, r, v, i, 1)
		} else {
			err = r.Skip()
		}
		if err != nil {
			return err
		}
	}
	if err != nil {
		return err
	}
	return r.End()
}

func (p *claimsPlan) claimsMap(d *decodeState, cs *claimSet, v reflect.Value) error {
	if v.IsNil() {
		v.Set(reflect.MakeMap(p.mt))
	}
	ev := reflect.New(p.mt.Elem()).Elem()
	return d.claimsMembers(cs, func(r *strictjson.Reader, name string) error {
		ev.SetZero()
		if err := p.elem.decode(d, r, ev, 1); err != nil {
			return err
		}
		if kv, ok := p.key(name); ok {
			v.SetMapIndex(kv, ev)
		} else {
			d.mismatch(r, "number", p.mt.Key())
		}
		return nil
	})
}

// claimsMap reads a claims set into a map[string]any.
func (d *decodeState) claimsMap(cs *claimSet) (map[string]any, error) {
	base := len(d.members)
	err := d.claimsMembers(cs, func(r *strictjson.Reader, name string) error {
		x, err := d.anyValue(r, 1, true)
		d.members = append(d.members, member{name, x})
		return err
	})
	if err != nil {
		return nil, err
	}
	return d.makeMap(base), nil
}

// fillRegistered stores rc into the RegisteredClaims embedded in *dst, if
// it has one, allocating nil embedded pointers on the way. It fails if one
// of them cannot be set.
func fillRegistered[T any](dst *T, rc *RegisteredClaims) error {
	return fillRegisteredValue(reflect.ValueOf(dst), rc)
}

// fillRegisteredValue is fillRegistered for dst, a pointer.
func fillRegisteredValue(dst reflect.Value, rc *RegisteredClaims) error {
	p := claimsPlanFor(dst.Type().Elem())
	if p.rc == nil {
		return nil
	}
	v := dst.Elem()
	for range p.rcPtrs {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	for i := 0; ; i++ {
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return fmt.Errorf("%w: claims type %v embeds RegisteredClaims behind an unexported pointer that is nil", ErrInvalidOption, dst.Type().Elem())
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
	*v.Addr().Interface().(*RegisteredClaims) = *rc
	return nil
}
