package codec

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sync"

	"github.com/jwtkit/jwt/internal/strictjson"
)

// One pass from the payload into the caller's claims type.
//
// Verify reads a claims set with the strict reader (package jwt's claims
// reader: one object, unique names under encoding/json's folding at every
// depth, registered claims of the right types). For a claims type T other
// than RegisteredClaims, the same pass also stores every member into T: the
// claims reader walks the members and hands each to a [Pass], following
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
		d.fit = fmt.Errorf("member %s: %w", strictjson.Quote(d.member), err)
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
	reg [NumRegistered]int
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

func claimsPlanFor(t reflect.Type, reg *Registered) *claimsPlan {
	if p, ok := claimsPlans.Load(t); ok {
		return p.(*claimsPlan)
	}
	p, _ := claimsPlans.LoadOrStore(t, newClaimsPlan(t, reg))
	return p.(*claimsPlan)
}

func newClaimsPlan(t reflect.Type, reg *Registered) *claimsPlan {
	p := &claimsPlan{}
	st := t
	for st.Kind() == reflect.Pointer {
		st = st.Elem()
		p.rcPtrs++
	}
	if st.Kind() == reflect.Struct {
		p.rc = reg.index(st)
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
		for b, name := range reg.Names {
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
