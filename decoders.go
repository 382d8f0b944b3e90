package jwt

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/jwtkit/jwt/internal/strictjson"
)

// The decoders of the decoding plan (see decode.go): one per Go type, each
// storing a JSON value as encoding/json would, and checking it as
// strictjson's Skip would from the value's depth.

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	rawMessageType      = reflect.TypeFor[json.RawMessage]()
	numberType          = reflect.TypeFor[json.Number]()
)

var errTooDeep = strictjson.Errorf("nesting deeper than %d", strictjson.MaxDepth)

// skip skips the value at r, at nesting depth depth, with the checks of
// strictjson's Skip counted from that depth.
func (d *decodeState) skip(r *strictjson.Reader, depth int) error {
	if depth <= 1 {
		return r.Skip() // Skip counts from 1
	}
	_, err := d.anyValue(r, depth, false)
	return err
}

// rawValue skips the value at r and returns its text.
func (d *decodeState) rawValue(r *strictjson.Reader, depth int) (string, error) {
	r.Peek()
	start := r.Offset()
	if err := d.skip(r, depth); err != nil {
		return "", err
	}
	return r.Slice(start), nil
}

// anyValue reads a value as encoding/json decodes it into an empty
// interface: map[string]any, []any, float64, string, bool or nil. With keep
// false it only checks the value, as strictjson's Skip does from depth.
func (d *decodeState) anyValue(r *strictjson.Reader, depth int, keep bool) (any, error) {
	if depth > strictjson.MaxDepth {
		return nil, errTooDeep
	}
	switch c := r.Peek(); c {
	case '"':
		s, err := r.String()
		if err != nil || !keep {
			return nil, err
		}
		return s, nil
	case '{':
		return d.anyObject(r, depth, keep)
	case '[':
		return d.anyArray(r, depth, keep)
	case 't', 'f', 'n':
		if err := r.Skip(); err != nil {
			return nil, err
		}
		switch {
		case !keep || c == 'n':
			return nil, nil
		case c == 't':
			return true, nil
		}
		return false, nil
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		text, err := r.Number()
		if err != nil || !keep {
			return nil, err
		}
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			d.mismatch(r, "number", reflect.TypeFor[float64]())
			return nil, nil
		}
		return f, nil
	}
	return nil, r.Skip() // the reader's own error for a byte that starts no value
}

func (d *decodeState) anyObject(r *strictjson.Reader, depth int, keep bool) (any, error) {
	if err := r.ObjectStart(); err != nil {
		return nil, err
	}
	var m map[string]any
	if keep {
		m = make(map[string]any)
	}
	var names strictjson.NameSet
	name, ok, err := r.FirstMember()
	for ; ok && err == nil; name, ok, err = r.NextMember() {
		if err = names.Add(name); err != nil {
			return nil, err
		}
		v, err := d.anyValue(r, depth+1, keep)
		if err != nil {
			return nil, err
		}
		if keep {
			m[name] = v
		}
	}
	if err != nil || !keep {
		return nil, err
	}
	return m, nil
}

func (d *decodeState) anyArray(r *strictjson.Reader, depth int, keep bool) (any, error) {
	if err := r.ArrayStart(); err != nil {
		return nil, err
	}
	var a []any
	if keep {
		a = make([]any, 0)
	}
	more, err := r.ArrayNext(true)
	for ; more && err == nil; more, err = r.ArrayNext(false) {
		v, err := d.anyValue(r, depth+1, keep)
		if err != nil {
			return nil, err
		}
		if keep {
			a = append(a, v)
		}
	}
	if err != nil || !keep {
		return nil, err
	}
	return a, nil
}

// A decoder stores a JSON value into a Go value of one type. Its decode
// function returns only strict errors; values that do not fit are recorded
// in the decodeState.
type decoder struct {
	decode     func(d *decodeState, r *strictjson.Reader, v reflect.Value, depth int) error
	structPlan *structDecoder // for a struct type
}

// decoderKey selects a decoder: noAddr is set for a named non-pointer type
// reached through a pointer, whose pointer methods encoding/json does not
// look for (it looks for them on the pointer itself).
type decoderKey struct {
	t      reflect.Type
	noAddr bool
}

// decoders caches a *decoder per decoderKey. It is a cache with no visible
// state.
var decoders sync.Map

// decoderFor returns the decoder of type t, building and caching it on
// first use.
func decoderFor(t reflect.Type, noAddr bool) *decoder {
	key := decoderKey{t, noAddr && t.Kind() != reflect.Pointer && t.Name() != ""}
	if dec, ok := decoders.Load(key); ok {
		return dec.(*decoder)
	}
	b := decoderBuilder{building: map[decoderKey]*decoder{}}
	b.build(key)
	// Every decoder built is complete now; publish them all.
	for k, dec := range b.building {
		decoders.LoadOrStore(k, dec)
	}
	dec, _ := decoders.Load(key)
	return dec.(*decoder)
}

// decoderBuilder builds the decoders of a type and of the types it holds;
// building holds those under construction, so that recursive types work.
type decoderBuilder struct {
	building map[decoderKey]*decoder
}

func (b *decoderBuilder) get(t reflect.Type, noAddr bool) *decoder {
	key := decoderKey{t, noAddr && t.Kind() != reflect.Pointer && t.Name() != ""}
	if dec, ok := decoders.Load(key); ok {
		return dec.(*decoder)
	}
	return b.build(key)
}

func (b *decoderBuilder) build(key decoderKey) *decoder {
	if dec, ok := b.building[key]; ok {
		return dec
	}
	dec := &decoder{}
	b.building[key] = dec
	t := key.t
	switch {
	case hasOwnDecoding(t, key.noAddr):
		if t == rawMessageType {
			dec.decode = decodeRawMessage
		} else {
			dec.decode = decodeFallback
		}
		return dec
	}
	switch t.Kind() {
	case reflect.Bool:
		dec.decode = decodeBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		dec.decode = decodeInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		dec.decode = decodeUint
	case reflect.Float32, reflect.Float64:
		dec.decode = decodeFloat
	case reflect.String:
		if t == numberType {
			dec.decode = decodeNumber
		} else {
			dec.decode = decodeString
		}
	case reflect.Interface:
		if t.NumMethod() == 0 {
			dec.decode = decodeInterface
		} else {
			dec.decode = decodeNullOnly
		}
	case reflect.Pointer:
		elem := b.get(t.Elem(), true)
		dec.decode = func(d *decodeState, r *strictjson.Reader, v reflect.Value, depth int) error {
			if depth > strictjson.MaxDepth {
				return errTooDeep
			}
			if r.Peek() == 'n' {
				return r.Skip() // v is nil already
			}
			if v.IsNil() {
				if !v.CanSet() {
					d.fail(fmt.Errorf("json: cannot set embedded pointer to unexported struct: %v", v.Type().Elem()))
					return d.skip(r, depth)
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			return elem.decode(d, r, v.Elem(), depth)
		}
	case reflect.Struct:
		dec.structPlan = b.structDecoder(t)
		dec.decode = dec.structPlan.decode
	case reflect.Map:
		dec.decode = b.mapDecoder(t)
	case reflect.Slice:
		dec.decode = b.sliceDecoder(t)
	case reflect.Array:
		dec.decode = b.arrayDecoder(t)
	default: // complex, chan, func, unsafe pointer: only null fits
		dec.decode = decodeNullOnly
	}
	return dec
}

// hasOwnDecoding reports whether encoding/json decodes a value of type t
// with the type's own UnmarshalJSON or UnmarshalText method: for a pointer,
// if the pointer type has one; for a named type other than a pointer, if
// its pointer type has one, unless the value was reached through a pointer
// (noAddr).
func hasOwnDecoding(t reflect.Type, noAddr bool) bool {
	if t.Kind() != reflect.Pointer {
		if noAddr || t.Name() == "" {
			return false
		}
		t = reflect.PointerTo(t)
	}
	return t.NumMethod() > 0 && (t.Implements(unmarshalerType) || t.Implements(textUnmarshalerType))
}

// decodeFallback hands the value, alone, to encoding/json.
func decodeFallback(d *decodeState, r *strictjson.Reader, v reflect.Value, depth int) error {
	if depth > strictjson.MaxDepth {
		return errTooDeep
	}
	raw, err := d.rawValue(r, depth)
	if err != nil {
		return err
	}
	if !v.CanAddr() || !v.Addr().CanInterface() {
		d.fail(fmt.Errorf("json: cannot decode into %v reached through an unexported field", v.Type()))
		return nil
	}
	if err := json.Unmarshal([]byte(raw), v.Addr().Interface()); err != nil {
		d.fail(err)
	}
	return nil
}

// decodeRawMessage stores a copy of the value's text, as
// json.RawMessage.UnmarshalJSON does.
func decodeRawMessage(d *decodeState, r *strictjson.Reader, v reflect.Value, depth int) error {
	if depth > strictjson.MaxDepth {
		return errTooDeep
	}
	raw, err := d.rawValue(r, depth)
	if err != nil {
		return err
	}
	v.SetBytes([]byte(raw))
	return nil
}

// decodeNullOnly is the decoder of types that only null fits: non-empty
// interfaces and kinds encoding/json does not decode.
func decodeNullOnly(d *decodeState, r *strictjson.Reader, v reflect.Value, depth int) error {
	if depth > strictjson.MaxDepth {
		return errTooDeep
	}
	if r.Peek() == 'n' {
		return r.Skip()
	}
	return d.wrong(r, v.Type(), depth)
}

func decodeBool(d *decodeState, r *strictjson.Reader, v reflect.Value, depth int) error {
	if depth > strictjson.MaxDepth {
		return errTooDeep
	}
	switch c := r.Peek(); c {
	case 't', 'f':
		if err := r.Skip(); err != nil {
			return err
		}
		v.SetBool(c == 't')
		return nil
	case 'n':
		return r.Skip()
	}
	return d.wrong(r, v.Type(), depth)
}

// number reads the number at r; ok is false, with nothing read, if the
// value is not a number, and null has been read if isNull.
func number(r *strictjson.Reader) (text string, ok, isNull bool, err error) {
	switch c := r.Peek(); {
	case c == '-' || '0' <= c && c <= '9':
		text, err = r.Number()
		return text, true, false, err
	case c == 'n':
		return "", false, true, r.Skip()
	}
	return "", false, false, nil
}

func decodeInt(d *decodeState, r *strictjson.Reader, v reflect.Value, depth int) error {
	if depth > strictjson.MaxDepth {
		return errTooDeep
	}
	text, ok, isNull, err := number(r)
	if err != nil || isNull {
		return err
	}
	if !ok {
		return d.wrong(r, v.Type(), depth)
	}
	n, perr := strconv.ParseInt(text, 10, 64)
	if perr != nil || v.OverflowInt(n) {
		d.mismatch(r, "number", v.Type())
		return nil
	}
	v.SetInt(n)
	return nil
}

func decodeUint(d *decodeState, r *strictjson.Reader, v reflect.Value, depth int) error {
	if depth > strictjson.MaxDepth {
		return errTooDeep
	}
	text, ok, isNull, err := number(r)
	if err != nil || isNull {
		return err
	}
	if !ok {
		return d.wrong(r, v.Type(), depth)
	}
	n, perr := strconv.ParseUint(text, 10, 64)
	if perr != nil || v.OverflowUint(n) {
		d.mismatch(r, "number", v.Type())
		return nil
	}
	v.SetUint(n)
	return nil
}

func decodeFloat(d *decodeState, r *strictjson.Reader, v reflect.Value, depth int) error {
	if depth > strictjson.MaxDepth {
		return errTooDeep
	}
	text, ok, isNull, err := number(r)
	if err != nil || isNull {
		return err
	}
	if !ok {
		return d.wrong(r, v.Type(), depth)
	}
	f, perr := strconv.ParseFloat(text, v.Type().Bits())
	if perr != nil || v.OverflowFloat(f) {
		d.mismatch(r, "number", v.Type())
		return nil
	}
	v.SetFloat(f)
	return nil
}

func decodeString(d *decodeState, r *strictjson.Reader, v reflect.Value, depth int) error {
	if depth > strictjson.MaxDepth {
		return errTooDeep
	}
	switch r.Peek() {
	case '"':
		s, err := r.String()
		if err != nil {
			return err
		}
		v.SetString(s)
		return nil
	case 'n':
		return r.Skip()
	}
	return d.wrong(r, v.Type(), depth)
}

// decodeNumber decodes a json.Number: a number's text, or a string holding
// a valid number.
func decodeNumber(d *decodeState, r *strictjson.Reader, v reflect.Value, depth int) error {
	if depth > strictjson.MaxDepth {
		return errTooDeep
	}
	if r.Peek() == '"' {
		s, err := r.String()
		if err != nil {
			return err
		}
		if !isValidNumber(s) {
			d.fail(fmt.Errorf("json: invalid number literal, trying to unmarshal a string into Number"))
			return nil
		}
		v.SetString(s)
		return nil
	}
	text, ok, isNull, err := number(r)
	if err != nil || isNull {
		return err
	}
	if !ok {
		return d.wrong(r, v.Type(), depth)
	}
	v.SetString(text)
	return nil
}

// isValidNumber reports whether s is a JSON number and nothing else.
func isValidNumber(s string) bool {
	r := strictjson.NewReader(s)
	text, err := r.Number()
	return err == nil && len(text) == len(s)
}

func decodeInterface(d *decodeState, r *strictjson.Reader, v reflect.Value, depth int) error {
	x, err := d.anyValue(r, depth, true)
	if err != nil || x == nil {
		return err
	}
	if p, ok := v.Addr().Interface().(*any); ok {
		*p = x
	} else {
		v.Set(reflect.ValueOf(x))
	}
	return nil
}

// structDecoder is the decoding plan of a struct type: its fields as
// encoding/json finds them.
type structDecoder struct {
	fields []fieldDecoder // in index order
	byName map[string]int // exact names, when there are many fields
}

type fieldDecoder struct {
	name   string
	hash   uint32 // strictjson.FoldHash(name)
	index  []int
	dec    *decoder
	quoted *quotedDecoder // non-nil for a field with the ",string" option
}

func (b *decoderBuilder) structDecoder(t reflect.Type) *structDecoder {
	fields := jsonFields(t)
	s := &structDecoder{fields: make([]fieldDecoder, len(fields))}
	for i, f := range fields {
		fd := &s.fields[i]
		fd.name, fd.hash, fd.index = f.name, strictjson.FoldHash(f.name), f.index
		if f.ro {
			// An unexported embedded struct named by a tag: encoding/json
			// cannot call its methods, and decodes its fields.
			fd.dec = &decoder{}
			rb := decoderBuilder{building: map[decoderKey]*decoder{}}
			ft := f.typ
			switch {
			case ft.Kind() == reflect.Struct:
				fd.dec.decode = rb.structDecoder(ft).decode
			default: // a pointer that cannot be allocated
				fd.dec.decode = decodeUnsettable
			}
		} else {
			fd.dec = b.get(f.typ, false)
		}
		if f.quoted {
			fd.quoted = newQuotedDecoder(f.typ)
		}
	}
	if len(s.fields) > 16 {
		s.byName = make(map[string]int, len(s.fields))
		for i, f := range s.fields {
			s.byName[f.name] = i
		}
	}
	return s
}

func decodeUnsettable(d *decodeState, r *strictjson.Reader, v reflect.Value, depth int) error {
	if depth > strictjson.MaxDepth {
		return errTooDeep
	}
	if r.Peek() == 'n' && !v.IsNil() {
		return r.Skip()
	}
	d.fail(fmt.Errorf("json: cannot set embedded pointer to unexported struct: %v", v.Type().Elem()))
	return d.skip(r, depth)
}

// lookup returns the index of the field that encoding/json stores member
// name in, or -1: the field of that name, or else the first field in index
// order whose name is equal under folding.
func (s *structDecoder) lookup(name string) int {
	if s.byName != nil {
		if i, ok := s.byName[name]; ok {
			return i
		}
	} else {
		for i := range s.fields {
			if s.fields[i].name == name {
				return i
			}
		}
	}
	h := strictjson.FoldHash(name)
	for i := range s.fields {
		if f := &s.fields[i]; f.hash == h && strictjson.FoldEqual(f.name, name) {
			return i
		}
	}
	return -1
}

// field returns field i of struct v, allocating embedded pointers on the
// way; ok is false if one is nil and cannot be set.
func (s *structDecoder) field(v reflect.Value, i int) (reflect.Value, bool) {
	index := s.fields[i].index
	if len(index) == 1 {
		return v.Field(index[0]), true
	}
	for _, x := range index {
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return v, false
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

// member decodes the value at r into field i of struct v.
func (s *structDecoder) member(d *decodeState, r *strictjson.Reader, v reflect.Value, i, depth int) error {
	fv, ok := s.field(v, i)
	if !ok {
		if depth > strictjson.MaxDepth {
			return errTooDeep
		}
		d.fail(fmt.Errorf("json: cannot set embedded pointer to unexported struct: %v", fv.Type().Elem()))
		return d.skip(r, depth)
	}
	f := &s.fields[i]
	if f.quoted != nil {
		return f.quoted.decode(d, r, fv, f.dec, depth)
	}
	return f.dec.decode(d, r, fv, depth)
}

func (s *structDecoder) decode(d *decodeState, r *strictjson.Reader, v reflect.Value, depth int) error {
	if depth > strictjson.MaxDepth {
		return errTooDeep
	}
	switch r.Peek() {
	case '{':
	case 'n':
		return r.Skip()
	default:
		return d.wrong(r, v.Type(), depth)
	}
	if err := r.ObjectStart(); err != nil {
		return err
	}
	var names strictjson.NameSet
	name, ok, err := r.FirstMember()
	for ; ok && err == nil; name, ok, err = r.NextMember() {
		if err = names.Add(name); err != nil {
			return err
		}
		if i := s.lookup(name); i >= 0 {
			err = s.member(d, r, v, i, depth+1)
		} else {
			err = d.skip(r, depth+1)
		}
		if err != nil {
			return err
		}
	}
	return err
}

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
			if depth > strictjson.MaxDepth {
				return errTooDeep
			}
			switch r.Peek() {
			case '{':
				m, err := d.anyObject(r, depth, true)
				if err != nil {
					return err
				}
				*v.Addr().Interface().(*map[string]any) = m.(map[string]any)
				return nil
			case 'n':
				return r.Skip()
			}
			return d.wrong(r, v.Type(), depth)
		}
	}
	elem := b.get(t.Elem(), false)
	return func(d *decodeState, r *strictjson.Reader, v reflect.Value, depth int) error {
		if depth > strictjson.MaxDepth {
			return errTooDeep
		}
		switch r.Peek() {
		case '{':
		case 'n':
			return r.Skip()
		default:
			return d.wrong(r, v.Type(), depth)
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
	if t == reflect.TypeFor[[]string]() {
		return decodeStrings
	}
	elem := b.get(t.Elem(), false)
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
	if depth > strictjson.MaxDepth {
		return errTooDeep
	}
	switch r.Peek() {
	case '[':
	case 'n':
		return r.Skip()
	default:
		return d.wrong(r, v.Type(), depth)
	}
	if err := r.ArrayStart(); err != nil {
		return err
	}
	out := []string{}
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
			out = append(out, s)
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
		out = append(out, "")
	}
	if err != nil {
		return err
	}
	*v.Addr().Interface().(*[]string) = out
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
	elem := b.get(t.Elem(), false)
	return func(d *decodeState, r *strictjson.Reader, v reflect.Value, depth int) error {
		if depth > strictjson.MaxDepth {
			return errTooDeep
		}
		switch r.Peek() {
		case '[':
		case 'n':
			return r.Skip()
		default:
			return d.wrong(r, v.Type(), depth)
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

// quotedDecoder decodes a field with the ",string" option: a JSON string
// holding the field's value as a JSON literal, or null.
type quotedDecoder struct {
	t       reflect.Type // the field's type
	wrapper reflect.Type // struct{ V t `json:"v,string"` } when t has its own decoding
}

func newQuotedDecoder(t reflect.Type) *quotedDecoder {
	q := &quotedDecoder{t: t}
	if hasOwnDecoding(t, false) || t.Kind() == reflect.Pointer && hasOwnDecoding(t.Elem(), true) {
		q.wrapper = reflect.StructOf([]reflect.StructField{{Name: "V", Type: t, Tag: `json:"v,string"`}})
	}
	return q
}

func (q *quotedDecoder) decode(d *decodeState, r *strictjson.Reader, v reflect.Value, dec *decoder, depth int) error {
	if depth > strictjson.MaxDepth {
		return errTooDeep
	}
	switch r.Peek() {
	case 'n':
		return dec.decode(d, r, v, depth) // as an unquoted null
	case '"':
	default:
		d.fail(fmt.Errorf("json: invalid use of ,string struct tag, trying to unmarshal unquoted value into %v", q.t))
		return d.skip(r, depth)
	}
	if q.wrapper != nil {
		raw, err := d.rawValue(r, depth)
		if err != nil {
			return err
		}
		w := reflect.New(q.wrapper)
		if err := json.Unmarshal([]byte(`{"v":`+raw+`}`), w.Interface()); err != nil {
			d.fail(err)
			return nil
		}
		v.Set(w.Elem().Field(0))
		return nil
	}
	s, err := r.String()
	if err != nil {
		return err
	}
	if !storeQuoted(s, v) {
		d.fail(fmt.Errorf("json: invalid use of ,string struct tag, trying to unmarshal a string into %v", q.t))
	}
	return nil
}

// storeQuoted stores the literal s, from a field with the ",string" option,
// into v as encoding/json does, and reports whether it could.
func storeQuoted(s string, v reflect.Value) bool {
	if s == "" {
		return false
	}
	if s[0] == 'n' {
		return s == "null" // null leaves v as it is
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	switch c := s[0]; {
	case c == 't' || c == 'f':
		if s != "true" && s != "false" || v.Kind() != reflect.Bool {
			return false
		}
		v.SetBool(c == 't')
	case c == '"':
		u, ok := unquoteLenient(s)
		if !ok || v.Kind() != reflect.String || v.Type() == numberType && !isValidNumber(u) {
			return false
		}
		v.SetString(u)
	case c == '-' || '0' <= c && c <= '9':
		switch v.Kind() {
		case reflect.String:
			if v.Type() != numberType {
				return false
			}
			v.SetString(s) // unchecked, as encoding/json does
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || v.OverflowInt(n) {
				return false
			}
			v.SetInt(n)
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			n, err := strconv.ParseUint(s, 10, 64)
			if err != nil || v.OverflowUint(n) {
				return false
			}
			v.SetUint(n)
		case reflect.Float32, reflect.Float64:
			f, err := strconv.ParseFloat(s, v.Type().Bits())
			if err != nil || v.OverflowFloat(f) {
				return false
			}
			v.SetFloat(f)
		default:
			return false
		}
	default:
		return false
	}
	return true
}

// unquoteLenient reads a JSON string literal that is the whole of s, with
// encoding/json's rules for the text inside a ",string" field: invalid UTF-8
// and lone surrogates become U+FFFD, and "\'" is an escape.
func unquoteLenient(s string) (string, bool) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", false
	}
	s = s[1 : len(s)-1]
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c < ' ':
			return "", false
		case c == '\\':
			if i+1 >= len(s) {
				return "", false
			}
			switch e := s[i+1]; e {
			case '"', '\\', '/', '\'':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r1, ok := hexRune(s, i+2)
				if !ok {
					return "", false
				}
				i += 6
				if 0xd800 <= r1 && r1 < 0xdc00 {
					if r2, ok := lowSurrogate(s, i); ok {
						out = utf8.AppendRune(out, 0x10000+(r1-0xd800)<<10+(r2-0xdc00))
						i += 6
						continue
					}
				}
				if 0xd800 <= r1 && r1 < 0xe000 {
					r1 = utf8.RuneError
				}
				out = utf8.AppendRune(out, r1)
				continue
			default:
				return "", false
			}
			i += 2
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			out = utf8.AppendRune(out, r)
			i += size
		}
	}
	return string(out), true
}

// hexRune reads the four hex digits of a \u escape at s[i:].
func hexRune(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	n, err := strconv.ParseUint(s[i:i+4], 16, 32)
	return rune(n), err == nil
}

// lowSurrogate reads a \u escape of a low surrogate at s[i:].
func lowSurrogate(s string, i int) (rune, bool) {
	if i+6 > len(s) || s[i] != '\\' || s[i+1] != 'u' {
		return 0, false
	}
	r, ok := hexRune(s, i+2)
	return r, ok && 0xdc00 <= r && r < 0xe000
}
