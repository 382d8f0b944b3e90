package codec

import (
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/jwtkit/jwt/internal/strictjson"
)

// The encoders of structs and maps: members as json.Marshal writes them,
// and the embedded registered claims through the hook.

// structEncoder writes a struct's fields as encoding/json chooses them.
type structEncoder struct {
	fields []fieldEncoder
	// foldedNames: two names are equal under folding, which Verify rejects.
	foldedNames bool
	// rcAt is the index in fields of the first of the seven fields of an
	// embedded RegisteredClaims, written by its own appender; -1 if they
	// are not all there in a row.
	rcAt    int
	rcIndex []int
}

type fieldEncoder struct {
	name      string
	prefix    string // `"name":`, with encoding/json's escapes
	index     []int
	enc       *encoder
	quoted    bool
	omitEmpty bool
	omitZero  bool
	isZero    func(reflect.Value) bool
}

func (b *encoderBuilder) structEncoder(t reflect.Type) func(*encodeState, reflect.Value, int, bool) error {
	fields, odd := jsonFields(t)
	if odd {
		// Tag names encoding/json's implementations read differently.
		return encodeDelegated
	}
	s := &structEncoder{fields: make([]fieldEncoder, len(fields)), rcAt: -1}
	for i, f := range fields {
		if f.ro {
			// encoding/json cannot call the methods of a value reached
			// through an unexported field: leave such types to it.
			return func(*encodeState, reflect.Value, int, bool) error { return errEncode }
		}
		fe := &s.fields[i]
		fe.name, fe.index, fe.quoted = f.name, f.index, f.quoted
		fe.prefix = `"` + htmlEscape(f.name) + `":`
		fe.enc = b.get(f.typ)
		fe.omitEmpty, fe.omitZero = f.omitEmpty, f.omitZero
		if f.omitZero {
			fe.isZero = zeroFunc(f.typ)
		}
		for _, g := range fields[:i] {
			if strictjson.FoldEqual(g.name, f.name) {
				s.foldedNames = true
			}
		}
	}
	if rc := b.reg.index(t); rc != nil {
		for i := range s.fields {
			if i+NumRegistered <= len(s.fields) && slices.Equal(s.fields[i].index, append(slices.Clip(rc), 0)) {
				s.rcAt, s.rcIndex = i, rc
				for k := range NumRegistered {
					if !slices.Equal(s.fields[i+k].index, append(slices.Clip(rc), k)) {
						s.rcAt, s.rcIndex = -1, nil
					}
				}
				break
			}
		}
	}
	return s.encode
}

// zeroFunc returns how omitzero tests a value of type t: with its IsZero
// method, as encoding/json calls it, or reflect's IsZero.
func zeroFunc(t reflect.Type) func(reflect.Value) bool {
	type isZeroer interface{ IsZero() bool }
	switch {
	case t.Kind() == reflect.Interface && t.Implements(isZeroerType):
		return func(v reflect.Value) bool {
			return v.IsNil() || v.Elem().Kind() == reflect.Pointer && v.Elem().IsNil() || v.Interface().(isZeroer).IsZero()
		}
	case t.Kind() == reflect.Pointer && t.Implements(isZeroerType):
		return func(v reflect.Value) bool { return v.IsNil() || v.Interface().(isZeroer).IsZero() }
	case t.Implements(isZeroerType):
		return func(v reflect.Value) bool { return v.Interface().(isZeroer).IsZero() }
	case reflect.PointerTo(t).Implements(isZeroerType):
		return func(v reflect.Value) bool {
			if !v.CanAddr() {
				v2 := reflect.New(v.Type()).Elem()
				v2.Set(v)
				v = v2
			}
			return v.Addr().Interface().(isZeroer).IsZero()
		}
	}
	return reflect.Value.IsZero
}

// htmlEscape escapes a field name as encoding/json does: '<', '>', '&',
// U+2028 and U+2029.
func htmlEscape(s string) string {
	const hex = "0123456789abcdef"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '<' || c == '>' || c == '&':
			b.WriteString(`\u00`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		case c == 0xe2 && i+2 < len(s) && s[i+1] == 0x80 && s[i+2]&^1 == 0xa8:
			b.WriteString(`\u202`)
			b.WriteByte(hex[s[i+2]&0xf])
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// field returns field i of struct v, or false if it is behind a nil
// embedded pointer.
func (s *structEncoder) field(v reflect.Value, index []int) (reflect.Value, bool) {
	if len(index) == 1 {
		return v.Field(index[0]), true
	}
	for _, x := range index {
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return v, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

func (s *structEncoder) encode(e *encodeState, v reflect.Value, depth int, _ bool) error {
	if depth > strictjson.MaxDepth {
		return errEncode
	}
	if s.foldedNames {
		e.check = true
	}
	e.buf = append(e.buf, '{')
	n := 0
	for i := 0; i < len(s.fields); i++ {
		if i == s.rcAt {
			rv, ok := s.field(v, s.rcIndex)
			if ok && rv.Kind() == reflect.Pointer {
				ok = !rv.IsNil()
				if ok {
					rv = rv.Elem()
				}
			}
			if !ok {
				i += NumRegistered - 1
				continue
			}
			if wrote, ok := s.registered(e, rv, depth, n > 0); ok {
				i += NumRegistered - 1
				if wrote {
					n++
				}
				continue
			}
			// Its strings need escapes the appender writes otherwise
			// than json.Marshal: field by field.
		}
		f := &s.fields[i]
		fv, ok := s.field(v, f.index)
		if !ok || f.omitEmpty && isEmptyValue(fv) || f.omitZero && f.isZero(fv) {
			continue
		}
		if n > 0 {
			e.buf = append(e.buf, ',')
		}
		n++
		e.buf = append(e.buf, f.prefix...)
		if err := f.enc.encode(e, fv, depth+1, f.quoted); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

// registered writes the members of the RegisteredClaims rv with its
// appender, after a comma if comma, and reports whether there were any. ok
// is false, with nothing written, if the appender would not write what
// json.Marshal writes.
func (s *structEncoder) registered(e *encodeState, rv reflect.Value, depth int, comma bool) (wrote, ok bool) {
	var outOfRange bool
	e.tmp, ok, outOfRange = e.reg.AppendClaims(e.tmp[:0], addressable(rv, &e.rc))
	if depth == 0 && outOfRange {
		e.check = true
	}
	if !ok {
		return false, false
	}
	members := e.tmp[1 : len(e.tmp)-1]
	if len(members) == 0 {
		return false, true
	}
	if comma {
		e.buf = append(e.buf, ',')
	}
	e.buf = append(e.buf, members...)
	return true, true
}

func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64,
		reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

func (b *encoderBuilder) mapEncoder(t reflect.Type) func(*encodeState, reflect.Value, int, bool) error {
	kt := t.Key()
	var key func(reflect.Value) string
	switch kt.Kind() {
	case reflect.String:
		key = reflect.Value.String
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if !kt.Implements(textMarshalerType) {
			key = func(k reflect.Value) string { return strconv.FormatInt(k.Int(), 10) }
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if !kt.Implements(textMarshalerType) {
			key = func(k reflect.Value) string { return strconv.FormatUint(k.Uint(), 10) }
		}
	}
	if key == nil {
		// Keys written by MarshalText, or none json.Marshal accepts.
		return func(e *encodeState, v reflect.Value, depth int, _ bool) error {
			return encodeMarshaled(e, v, depth)
		}
	}
	elem := b.get(t.Elem())
	type member struct {
		key string
		v   reflect.Value
	}
	return func(e *encodeState, v reflect.Value, depth int, _ bool) error {
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		if depth > strictjson.MaxDepth {
			return errEncode
		}
		e.check = true // keys may be equal under folding
		members := make([]member, 0, v.Len())
		for it := v.MapRange(); it.Next(); {
			members = append(members, member{key(it.Key()), it.Value()})
		}
		slices.SortFunc(members, func(a, b member) int { return strings.Compare(a.key, b.key) })
		e.buf = append(e.buf, '{')
		for i, m := range members {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.buf = appendMarshalString(e.buf, m.key)
			e.buf = append(e.buf, ':')
			if err := elem.encode(e, m.v, depth+1, false); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, '}')
		return nil
	}
}
