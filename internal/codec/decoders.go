package codec

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"sync"

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
		f, err := parseFloat64(text)
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
	base := len(d.members)
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
			d.members = append(d.members, member{name, v})
		}
	}
	names.Release()
	if err != nil || !keep {
		return nil, err
	}
	return d.makeMap(base), nil
}

func (d *decodeState) anyArray(r *strictjson.Reader, depth int, keep bool) (any, error) {
	if err := r.ArrayStart(); err != nil {
		return nil, err
	}
	base := len(d.elems)
	more, err := r.ArrayNext(true)
	for ; more && err == nil; more, err = r.ArrayNext(false) {
		v, err := d.anyValue(r, depth+1, keep)
		if err != nil {
			return nil, err
		}
		if keep {
			d.elems = append(d.elems, v)
		}
	}
	if err != nil || !keep {
		return nil, err
	}
	top := d.elems[base:]
	a := make([]any, len(top))
	copy(a, top)
	clear(top)
	d.elems = d.elems[:base]
	return a, nil
}

// A decoder stores a JSON value into a Go value of one type. Its decode
// function returns only strict errors; values that do not fit are recorded
// in the decodeState.
type decoder struct {
	decode     func(d *decodeState, r *strictjson.Reader, v reflect.Value, depth int) error
	structPlan *structDecoder // for a struct type
}

// decoders caches a *decoder per type. It is a cache with no visible
// state.
var decoders sync.Map

// decoderFor returns the decoder of type t, building and caching it on
// first use.
func decoderFor(t reflect.Type) *decoder {
	if dec, ok := decoders.Load(t); ok {
		return dec.(*decoder)
	}
	b := decoderBuilder{building: map[reflect.Type]*decoder{}}
	b.build(t)
	// Every decoder built is complete now; publish them all.
	for k, dec := range b.building {
		decoders.LoadOrStore(k, dec)
	}
	dec, _ := decoders.Load(t)
	return dec.(*decoder)
}

// decoderBuilder builds the decoders of a type and of the types it holds;
// building holds those under construction, so that recursive types work.
type decoderBuilder struct {
	building map[reflect.Type]*decoder
}

func (b *decoderBuilder) get(t reflect.Type) *decoder {
	if dec, ok := decoders.Load(t); ok {
		return dec.(*decoder)
	}
	return b.build(t)
}

func (b *decoderBuilder) build(t reflect.Type) *decoder {
	if dec, ok := b.building[t]; ok {
		return dec
	}
	dec := &decoder{}
	b.building[t] = dec
	switch {
	case t == rawMessageType:
		dec.decode = decodeRawMessage
		return dec
	case hasDecodingMethod(t):
		if t.Kind() == reflect.Pointer && t.Name() != "" || t.Kind() != reflect.Pointer && t.Name() == "" {
			// encoding/json's implementations differ on whether they call
			// the element's methods through a named pointer type, or the
			// methods an unnamed type's pointer has from embedded fields.
			dec.decode = newWrapped(t, "").decode
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
		elem := b.get(t.Elem())
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
		if _, odd := jsonFields(t); odd {
			dec.decode = decodeFallback
			break
		}
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

// hasDecodingMethod reports whether encoding/json may decode a value of
// type t with an UnmarshalJSON or UnmarshalText method: one of its pointer
// type (for a pointer, of the pointer type to its element).
func hasDecodingMethod(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	t = reflect.PointerTo(t)
	return t.NumMethod() > 0 && (t.Implements(unmarshalerType) || t.Implements(textUnmarshalerType))
}

// decodeFallback hands the value, alone, to encoding/json, which decodes
// it as in place: the value is addressable, and the pointer to it is what
// encoding/json looks at first.
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

// wrapped hands a value to encoding/json as the field of a struct with the
// same type and tag options, for the cases where decoding depends on them
// and encoding/json's implementations differ: the ",string" option, named
// pointer types, unnamed types with methods from embedded fields.
type wrapped struct {
	t reflect.Type // struct{ V T `json:"v,opts"` }
}

func newWrapped(t reflect.Type, opts string) *wrapped {
	tag := `json:"v"`
	if opts != "" {
		tag = `json:"v,` + opts + `"`
	}
	return &wrapped{reflect.StructOf([]reflect.StructField{{Name: "V", Type: t, Tag: reflect.StructTag(tag)}})}
}

func (w *wrapped) decode(d *decodeState, r *strictjson.Reader, v reflect.Value, depth int) error {
	if depth > strictjson.MaxDepth {
		return errTooDeep
	}
	raw, err := d.rawValue(r, depth)
	if err != nil {
		return err
	}
	if !v.CanSet() {
		d.fail(fmt.Errorf("json: cannot decode into %v reached through an unexported field", v.Type()))
		return nil
	}
	p := reflect.New(w.t)
	if err := json.Unmarshal([]byte(`{"v":`+raw+`}`), p.Interface()); err != nil {
		d.fail(err)
		return nil
	}
	v.Set(p.Elem().Field(0))
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

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// parseFloat64 is strconv.ParseFloat(text, 64) for text, a JSON number.
// A number without exponent and with at most 15 digits is m/10^k for
// integers m < 10^15 and k <= 15, both exact in a float64, so one division
// rounds it correctly, as ParseFloat does (and as it does itself in that
// case, after a more general scan).
func parseFloat64(text string) (float64, error) {
	i, neg := 0, false
	if len(text) > 0 && text[0] == '-' {
		i, neg = 1, true
	}
	var m uint64
	digits, frac := 0, -1
	for ; i < len(text); i++ {
		c := text[i]
		switch {
		case '0' <= c && c <= '9':
			m = m*10 + uint64(c-'0')
			digits++
			continue
		case c == '.' && frac < 0:
			frac = i
			continue
		}
		return strconv.ParseFloat(text, 64) // an exponent
	}
	if digits == 0 || digits > 15 {
		return strconv.ParseFloat(text, 64)
	}
	f := float64(m)
	if frac >= 0 {
		f /= pow10[len(text)-frac-1]
	}
	if neg {
		f = -f // -0 for "-0", as ParseFloat gives
	}
	return f, nil
}

// parseInt64 is strconv.ParseInt(text, 10, 64), without the general scan
// for at most 18 decimal digits, which cannot overflow.
func parseInt64(text string) (int64, error) {
	i, neg := 0, false
	if len(text) > 0 && text[0] == '-' {
		i, neg = 1, true
	}
	if len(text)-i == 0 || len(text)-i > 18 {
		return strconv.ParseInt(text, 10, 64)
	}
	var n int64
	for ; i < len(text); i++ {
		c := text[i]
		if c < '0' || c > '9' {
			return strconv.ParseInt(text, 10, 64)
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, nil
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
	n, perr := parseInt64(text)
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
	var f float64
	var perr error
	if v.Kind() == reflect.Float64 {
		f, perr = parseFloat64(text)
	} else {
		f, perr = strconv.ParseFloat(text, 32)
	}
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
	// table, when there are many fields, is open-addressed by folded-name
	// hash with linear probing: index+1 of each field, inserted in index
	// order, so that the fields of one hash are met in index order; 0 is
	// empty. It is at most half full.
	table []int32
}

type fieldDecoder struct {
	name  string
	hash  uint32 // strictjson.FoldHash(name)
	index []int
	dec   *decoder
}

func (b *decoderBuilder) structDecoder(t reflect.Type) *structDecoder {
	fields, _ := jsonFields(t)
	s := &structDecoder{fields: make([]fieldDecoder, len(fields))}
	for i, f := range fields {
		fd := &s.fields[i]
		fd.name, fd.hash, fd.index = f.name, strictjson.FoldHash(f.name), f.index
		switch {
		case f.ro && f.typ.Kind() == reflect.Struct && !oddFields(f.typ):
			// An unexported embedded struct named by a tag: encoding/json
			// cannot call its methods, and decodes its fields.
			fd.dec = &decoder{decode: b.structDecoder(f.typ).decode}
		case f.ro:
			// A nil pointer that cannot be set, or (an oddity of oddities)
			// a struct that only encoding/json should decode, but cannot be
			// handed to it.
			fd.dec = &decoder{decode: decodeUnsettable}
		case f.quoted:
			fd.dec = &decoder{decode: newWrapped(f.typ, "string").decode}
		default:
			fd.dec = b.get(f.typ)
		}
	}
	if len(s.fields) > 8 {
		size := 16
		for size < 2*len(s.fields) {
			size *= 2
		}
		s.table = make([]int32, size)
		mask := uint32(size - 1)
		for i := range s.fields {
			j := s.fields[i].hash & mask
			for s.table[j] != 0 {
				j = (j + 1) & mask
			}
			s.table[j] = int32(i + 1)
		}
	}
	return s
}

func decodeUnsettable(d *decodeState, r *strictjson.Reader, v reflect.Value, depth int) error {
	if depth > strictjson.MaxDepth {
		return errTooDeep
	}
	d.fail(fmt.Errorf("json: cannot decode into %v reached through an unexported embedded field", v.Type()))
	return d.skip(r, depth)
}

// oddFields reports whether struct type t has a tag name that encoding/json's
// implementations read differently (see jsonFields).
func oddFields(t reflect.Type) bool {
	_, odd := jsonFields(t)
	return odd
}

// lookup returns the index of the field that encoding/json stores member
// name in, or -1: the field of that name, or else the first field in index
// order whose name is equal under folding.
func (s *structDecoder) lookup(name string) int {
	return s.lookupHashed(name, strictjson.FoldHash(name))
}

// lookupHashed is lookup for a caller that has computed h, which must be
// strictjson.FoldHash(name). Names equal under folding have equal hashes,
// so only the fields of hash h are candidates.
func (s *structDecoder) lookupHashed(name string, h uint32) int {
	first := -1 // the first field equal under folding
	if s.table == nil {
		for i := range s.fields {
			if f := &s.fields[i]; f.hash == h {
				if f.name == name {
					return i
				}
				if first < 0 && strictjson.FoldEqual(f.name, name) {
					first = i
				}
			}
		}
		return first
	}
	mask := uint32(len(s.table) - 1)
	for j := h & mask; s.table[j] != 0; j = (j + 1) & mask {
		i := int(s.table[j] - 1)
		if f := &s.fields[i]; f.hash == h {
			if f.name == name {
				return i
			}
			if first < 0 && strictjson.FoldEqual(f.name, name) {
				first = i
			}
		}
	}
	return first
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
	return s.fields[i].dec.decode(d, r, fv, depth)
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
		h := strictjson.FoldHash(name)
		if err = names.AddHashed(name, h); err != nil {
			return err
		}
		if i := s.lookupHashed(name, h); i >= 0 {
			err = s.member(d, r, v, i, depth+1)
		} else {
			err = d.skip(r, depth+1)
		}
		if err != nil {
			return err
		}
	}
	names.Release()
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
	elem := b.get(t.Elem())
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
