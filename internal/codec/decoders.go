package codec

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"

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

// A decoder stores a JSON value into a Go value of one type. Its decode
// function returns only strict errors; values that do not fit are recorded
// in the decodeState.
type decoder struct {
	decode     func(d *decodeState, r *strictjson.Reader, v reflect.Value, depth int) error
	structPlan *structDecoder // for a struct type
}

// decoders caches a *decoder per type. It is a cache with no visible
// state.
var decoders typeCache[decoder]

// decoderFor returns the decoder of type t, building and caching it on
// first use.
func decoderFor(t reflect.Type) *decoder {
	if dec, ok := decoders.load(t); ok {
		return dec
	}
	b := decoderBuilder{building: newBuilding(&decoders)}
	b.get(t)
	return b.publish(t)
}

// decoderBuilder builds the decoders of a type and of the types it holds.
type decoderBuilder struct {
	building[decoder]
}

func (b *decoderBuilder) get(t reflect.Type) *decoder {
	dec, isNew := b.start(t)
	if isNew {
		b.build(t, dec)
	}
	return dec
}

// build fills dec, the decoder of t.
func (b *decoderBuilder) build(t reflect.Type, dec *decoder) {
	switch {
	case t == rawMessageType:
		dec.decode = decodeRawMessage
		return
	case hasDecodingMethod(t):
		if t.Kind() == reflect.Pointer && t.Name() != "" || t.Kind() != reflect.Pointer && t.Name() == "" {
			// encoding/json's implementations differ on whether they call
			// the element's methods through a named pointer type, or the
			// methods an unnamed type's pointer has from embedded fields.
			dec.decode = newWrapped(t, "").decode
		} else {
			dec.decode = decodeFallback
		}
		return
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

// open checks what every decoder of an object or an array checks first:
// the depth, and the value at r, which must start with want (the decoder
// then reads it) or be null (skipped, leaving v as it is); any other value
// is a mismatch, recorded and skipped. ok reports that the decoder reads
// the value.
func (d *decodeState) open(r *strictjson.Reader, v reflect.Value, depth int, want byte) (ok bool, err error) {
	if depth > strictjson.MaxDepth {
		return false, errTooDeep
	}
	switch r.Peek() {
	case want:
		return true, nil
	case 'n':
		return false, r.Skip()
	}
	return false, d.wrong(r, v.Type(), depth)
}

// numberText is what every decoder of a number checks first: the depth,
// and the value at r, which must be a number (its text is returned) or
// null (skipped); any other value is a mismatch, recorded and skipped. ok
// reports that there is a number to store.
func (d *decodeState) numberText(r *strictjson.Reader, v reflect.Value, depth int) (text string, ok bool, err error) {
	if depth > strictjson.MaxDepth {
		return "", false, errTooDeep
	}
	text, ok, isNull, err := number(r)
	if err != nil || isNull {
		return "", false, err
	}
	if !ok {
		return "", false, d.wrong(r, v.Type(), depth)
	}
	return text, true, nil
}

func decodeInt(d *decodeState, r *strictjson.Reader, v reflect.Value, depth int) error {
	text, ok, err := d.numberText(r, v, depth)
	if !ok {
		return err
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
	text, ok, err := d.numberText(r, v, depth)
	if !ok {
		return err
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
	text, ok, err := d.numberText(r, v, depth)
	if !ok {
		return err
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
	if ok, err := d.open(r, v, depth, '"'); !ok {
		return err
	}
	s, err := r.String()
	if err != nil {
		return err
	}
	v.SetString(s)
	return nil
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
	text, ok, err := d.numberText(r, v, depth)
	if !ok {
		return err
	}
	v.SetString(text)
	return nil
}
