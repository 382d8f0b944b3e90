package codec

import (
	"encoding/base64"
	"reflect"
	"strconv"
	"sync"

	"github.com/jwtkit/jwt/internal/strictjson"
)

// The decoders of maps, slices and arrays, with element loops free of
// reflection for the usual slices ([]string, []int, []float64...).

// mapDecoder returns the decoder of a map type.
func (b *decoderBuilder) mapDecoder(t reflect.Type) func(*decodeState, *strictjson.Reader, reflect.Value, int) error {
	kt := t.Key()
	if reflect.PointerTo(kt).Implements(textUnmarshalerType) {
		return decodeFallback // encoding/json converts the keys
	}
	key := mapKeyFunc(kt)
	if key == nil {
		// encoding/json decodes no object into this map: only null fits.
		return decodeNullOnly
	}
	if t == reflect.TypeFor[map[string]any]() {
		return func(d *decodeState, r *strictjson.Reader, v reflect.Value, depth int) error {
			if ok, err := d.open(r, v, depth, '{'); !ok {
				return err
			}
			m, err := d.anyObject(r, depth, true)
			if err != nil {
				return err
			}
			*v.Addr().Interface().(*map[string]any) = m.(map[string]any)
			return nil
		}
	}
	elem := b.get(t.Elem())
	return func(d *decodeState, r *strictjson.Reader, v reflect.Value, depth int) error {
		if ok, err := d.open(r, v, depth, '{'); !ok {
			return err
		}
		if err := r.ObjectStart(); err != nil {
			return err
		}
		if v.IsNil() {
			v.Set(reflect.MakeMap(t))
		}
		ev := reflect.New(t.Elem()).Elem()
		var names strictjson.NameSet
		name, ok, err := r.FirstMember()
		for ; ok && err == nil; name, ok, err = r.NextMember() {
			if err = names.Add(name); err != nil {
				return err
			}
			ev.SetZero()
			if err = elem.decode(d, r, ev, depth+1); err != nil {
				return err
			}
			if kv, ok := key(name); ok {
				v.SetMapIndex(kv, ev)
			} else {
				d.mismatch(r, "number", kt)
			}
		}
		names.Release()
		return err
	}
}

// mapKeyFunc returns how encoding/json converts a member name to a map key
// of type kt, or nil if it does not decode objects into such maps. A key
// type with an UnmarshalText method is decoded by encoding/json (see
// hasOwnDecoding: the map is handed over whole).
func mapKeyFunc(kt reflect.Type) func(string) (reflect.Value, bool) {
	if reflect.PointerTo(kt).Implements(textUnmarshalerType) {
		return nil
	}
	switch kt.Kind() {
	case reflect.String:
		if kt == reflect.TypeFor[string]() {
			return func(s string) (reflect.Value, bool) { return reflect.ValueOf(s), true }
		}
		return func(s string) (reflect.Value, bool) {
			kv := reflect.New(kt).Elem()
			kv.SetString(s)
			return kv, true
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(s string) (reflect.Value, bool) {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || reflect.Zero(kt).OverflowInt(n) {
				return reflect.Value{}, false
			}
			kv := reflect.New(kt).Elem()
			kv.SetInt(n)
			return kv, true
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return func(s string) (reflect.Value, bool) {
			n, err := strconv.ParseUint(s, 10, 64)
			if err != nil || reflect.Zero(kt).OverflowUint(n) {
				return reflect.Value{}, false
			}
			kv := reflect.New(kt).Elem()
			kv.SetUint(n)
			return kv, true
		}
	}
	return nil
}

func (b *decoderBuilder) sliceDecoder(t reflect.Type) func(*decodeState, *strictjson.Reader, reflect.Value, int) error {
	bytes := t.Elem().Kind() == reflect.Uint8
	switch t {
	case reflect.TypeFor[[]string]():
		return decodeStrings
	case reflect.TypeFor[[]int64]():
		return decodeInts[int64]
	case reflect.TypeFor[[]int]():
		return decodeInts[int]
	case reflect.TypeFor[[]int32]():
		return decodeInts[int32]
	case reflect.TypeFor[[]float64]():
		return decodeFloats
	}
	elem := b.get(t.Elem())
	// Scratch slices of type t, with room: a slice with no capacity (a
	// new one, as in every Verify) is decoded into one, element by
	// element into zero values as encoding/json grows a slice, then
	// copied into a slice made at its length. A slice with capacity is
	// decoded in place, as encoding/json does.
	// The pool holds *[]E, E the element type.
	scratch := sync.Pool{New: func() any { return reflect.New(t).Interface() }}
	return func(d *decodeState, r *strictjson.Reader, v reflect.Value, depth int) error {
		if depth > strictjson.MaxDepth {
			return errTooDeep
		}
		switch r.Peek() {
		case '[':
		case 'n':
			return r.Skip()
		case '"':
			if bytes {
				return decodeBase64(d, r, v)
			}
			return d.wrong(r, v.Type(), depth)
		default:
			return d.wrong(r, v.Type(), depth)
		}
		if err := r.ArrayStart(); err != nil {
			return err
		}
		if v.Cap() == 0 {
			sp := scratch.Get()
			s := reflect.ValueOf(sp).Elem()
			more, err := r.ArrayNext(true)
			for ; more && err == nil; more, err = r.ArrayNext(false) {
				i := s.Len()
				if i >= s.Cap() {
					s.Grow(1)
				}
				s.SetLen(i + 1)
				if err = elem.decode(d, r, s.Index(i), depth+1); err != nil {
					return err // an error ends the pass: s is dropped
				}
			}
			if err != nil {
				return err
			}
			if n := s.Len(); n == 0 {
				v.Set(reflect.MakeSlice(t, 0, 0))
			} else {
				v.Grow(n) // v has no capacity: a new array, and no slice header on the heap as from MakeSlice
				v.SetLen(n)
				reflect.Copy(v, s)
			}
			s.Clear() // zero values for the next slice, no references kept
			s.SetLen(0)
			if s.Cap() <= maxScratch {
				scratch.Put(sp)
			}
			return nil
		}
		i := 0
		more, err := r.ArrayNext(true)
		for ; more && err == nil; more, err = r.ArrayNext(false) {
			if i >= v.Cap() {
				v.Grow(1)
			}
			if i >= v.Len() {
				v.SetLen(i + 1)
			}
			if err = elem.decode(d, r, v.Index(i), depth+1); err != nil {
				return err
			}
			i++
		}
		if err != nil {
			return err
		}
		if i == 0 {
			v.Set(reflect.MakeSlice(t, 0, 0))
		}
		return nil
	}
}

// decodeStrings decodes a []string without reflection per element.
func decodeStrings(d *decodeState, r *strictjson.Reader, v reflect.Value, depth int) error {
	if ok, err := d.open(r, v, depth, '['); !ok {
		return err
	}
	if err := r.ArrayStart(); err != nil {
		return err
	}
	// The elements go on d.strs, which no other decoder uses while this
	// one runs, so that the slice is made once, at its length. An error
	// ends the pass, and put clears what it left.
	d.strs = d.strs[:0]
	more, err := r.ArrayNext(true)
	for ; more && err == nil; more, err = r.ArrayNext(false) {
		if depth+1 > strictjson.MaxDepth {
			return errTooDeep
		}
		switch r.Peek() {
		case '"':
			s, err := r.String()
			if err != nil {
				return err
			}
			d.strs = append(d.strs, s)
			continue
		case 'n':
			if err := r.Skip(); err != nil {
				return err
			}
		default:
			if err := d.wrong(r, reflect.TypeFor[string](), depth+1); err != nil {
				return err
			}
		}
		d.strs = append(d.strs, "")
	}
	if err != nil {
		return err
	}
	out := make([]string, len(d.strs))
	copy(out, d.strs)
	clear(d.strs)
	d.strs = d.strs[:0]
	*v.Addr().Interface().(*[]string) = out
	return nil
}

// decodeInts decodes a []E without reflection per element, each element as
// decodeInt does.
func decodeInts[E int | int32 | int64](d *decodeState, r *strictjson.Reader, v reflect.Value, depth int) error {
	return decodeNumbers(d, r, v, depth, func(text string) (E, bool) {
		n, err := parseInt64(text)
		return E(n), err == nil && int64(E(n)) == n
	})
}

// decodeFloats decodes a []float64 without reflection per element, each
// element as decodeFloat does.
func decodeFloats(d *decodeState, r *strictjson.Reader, v reflect.Value, depth int) error {
	return decodeNumbers(d, r, v, depth, func(text string) (float64, bool) {
		f, err := parseFloat64(text)
		return f, err == nil
	})
}

// decodeNumbers decodes a slice of numbers, parsed by parse, which reports
// whether the number fits E. Like decodeStrings, it stores a new slice.
func decodeNumbers[E int | int32 | int64 | float64](d *decodeState, r *strictjson.Reader, v reflect.Value, depth int, parse func(string) (E, bool)) error {
	if ok, err := d.open(r, v, depth, '['); !ok {
		return err
	}
	if err := r.ArrayStart(); err != nil {
		return err
	}
	var buf [32]E // on the stack: the slice is made once, at its length
	out := buf[:0]
	more, err := r.ArrayNext(true)
	for ; more && err == nil; more, err = r.ArrayNext(false) {
		if depth+1 > strictjson.MaxDepth {
			return errTooDeep
		}
		var x E
		text, ok, isNull, err := number(r)
		switch {
		case err != nil:
			return err
		case ok:
			var fits bool
			if x, fits = parse(text); !fits {
				x = 0
				d.mismatch(r, "number", reflect.TypeFor[E]())
			}
		case !isNull:
			if err := d.wrong(r, reflect.TypeFor[E](), depth+1); err != nil {
				return err
			}
		}
		out = append(out, x)
	}
	if err != nil {
		return err
	}
	*v.Addr().Interface().(*[]E) = append(make([]E, 0, len(out)), out...)
	return nil
}

// decodeBase64 decodes a string into a byte slice as encoding/json does,
// with standard base64.
func decodeBase64(d *decodeState, r *strictjson.Reader, v reflect.Value) error {
	s, err := r.String()
	if err != nil {
		return err
	}
	b := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	n, err := base64.StdEncoding.Decode(b, []byte(s))
	if err != nil {
		d.fail(err)
		return nil
	}
	v.SetBytes(b[:n])
	return nil
}

func (b *decoderBuilder) arrayDecoder(t reflect.Type) func(*decodeState, *strictjson.Reader, reflect.Value, int) error {
	elem := b.get(t.Elem())
	return func(d *decodeState, r *strictjson.Reader, v reflect.Value, depth int) error {
		if ok, err := d.open(r, v, depth, '['); !ok {
			return err
		}
		if err := r.ArrayStart(); err != nil {
			return err
		}
		i := 0
		more, err := r.ArrayNext(true)
		for ; more && err == nil; more, err = r.ArrayNext(false) {
			if i < v.Len() {
				err = elem.decode(d, r, v.Index(i), depth+1)
			} else {
				err = d.skip(r, depth+1)
			}
			if err != nil {
				return err
			}
			i++
		}
		return err
	}
}
