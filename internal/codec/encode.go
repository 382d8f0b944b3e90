package codec

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/jwtkit/jwt/internal/strictjson"
)

// Encoding claims on Sign without encoding/json.
//
// Sign encodes a claims struct with per-type encoders built once per type
// and cached without visible state. They write what json.Marshal writes,
// byte for byte: the same fields (see jsonFields), omitempty and omitzero,
// ",string", HTML-safe string escapes, encoding/json's float format,
// base64 byte slices, sorted map keys. The embedded RegisteredClaims is
// written by its own appender. A value with its own MarshalJSON or
// MarshalText is handed, alone, to json.Marshal.
//
// Sign re-reads the payload with the claims reader (to be sure it never
// issues a token Verify would reject) only when the encoders wrote
// something that could fail that check: a struct with two field names equal
// under encoding/json's folding, a claims field other than those of the
// embedded RegisteredClaims whose name folds to a registered claim name
// (except a top-level field named exactly as the claim, of a kind that
// always writes it validly: see plainRegistered), a registered date out of
// range, a map (whose keys may collide under
// folding), or any value written by a MarshalJSON or MarshalText method.
// Values nested deeper than the claims reader reads, kinds json.Marshal
// refuses and encoding errors go the old way, json.Marshal and the re-read,
// so that Sign's errors are unchanged.

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	isZeroerType      = reflect.TypeFor[interface{ IsZero() bool }]()
)

// errEncode sends a claims value the old way: json.Marshal and the re-read.
var errEncode = errors.New("codec: encode with encoding/json")

// encodeState is one encoding of claims.
type encodeState struct {
	reg  *Registered
	buf  []byte
	tmp  []byte        // scratch for the registered claims' appender
	rc   reflect.Value // an addressable copy of unaddressable registered claims
	date reflect.Value // likewise for a date
	// check: the output needs the claims reader's check
	check bool
	// derefs counts the pointers and interfaces being followed, which
	// nest no JSON value: a cycle of them ends encoding here.
	derefs int
}

// encodeStates pools encodeStates; it is a cache with no visible state.
var encodeStates = sync.Pool{New: func() any { return &encodeState{buf: make([]byte, 0, 1024), tmp: make([]byte, 0, 512)} }}

func getEncodeState(reg *Registered) *encodeState {
	e := encodeStates.Get().(*encodeState)
	e.reg, e.buf, e.tmp, e.check, e.derefs = reg, e.buf[:0], e.tmp[:0], false, 0
	return e
}

func (e *encodeState) put() {
	if e.rc.IsValid() {
		e.rc.SetZero()
	}
	if e.date.IsValid() {
		e.date.SetZero()
	}
	if cap(e.buf) <= 64<<10 && cap(e.tmp) <= 64<<10 {
		encodeStates.Put(e)
	}
}

// addressable returns v, or if it is not addressable, a copy of it in
// *scratch, a value of v's type kept with the pooled encodeState.
func addressable(v reflect.Value, scratch *reflect.Value) reflect.Value {
	if v.CanAddr() {
		return v
	}
	if !scratch.IsValid() || scratch.Type() != v.Type() {
		*scratch = reflect.New(v.Type()).Elem()
	}
	scratch.Set(v)
	return *scratch
}

// An encoder appends a Go value of one type to e.buf as json.Marshal would.
// quoted says that the ",string" option applies; depth is the nesting of
// the value in the claims set, 1 for a claim.
type encoder struct {
	encode func(e *encodeState, v reflect.Value, depth int, quoted bool) error
}

// encoders caches an *encoder per type. It is a cache with no visible
// state.
var encoders typeCache[encoder]

func encoderFor(t reflect.Type, reg *Registered) *encoder {
	if enc, ok := encoders.load(t); ok {
		return enc
	}
	b := encoderBuilder{reg: reg, building: newBuilding(&encoders)}
	b.get(t)
	return b.publish(t)
}

// encoderBuilder builds the encoders of a type and of the types it holds.
type encoderBuilder struct {
	reg *Registered
	building[encoder]
}

func (b *encoderBuilder) get(t reflect.Type) *encoder {
	enc, isNew := b.start(t)
	if isNew {
		enc.encode = b.build(t)
	}
	return enc
}

// build follows json.Marshal's choice of encoder for t: its own methods
// first (the pointer methods of an addressable value too), then its kind.
func (b *encoderBuilder) build(t reflect.Type) func(*encodeState, reflect.Value, int, bool) error {
	switch t {
	case b.reg.Audience:
		return encodeAudience
	case b.reg.Date:
		return encodeNumericDate
	}
	own := func(t reflect.Type) bool { return t.Implements(marshalerType) || t.Implements(textMarshalerType) }
	switch {
	case t.Kind() != reflect.Pointer && own(reflect.PointerTo(t)):
		// The pointer methods if the value is addressable, else the value
		// methods, else none: json.Marshal makes the same choice for
		// v.Addr() and for v.
		plain := b.kindEncoder(t)
		return func(e *encodeState, v reflect.Value, depth int, quoted bool) error {
			switch {
			case v.CanAddr():
				return encodeMarshaled(e, v.Addr(), depth)
			case own(v.Type()):
				return encodeMarshaled(e, v, depth)
			}
			return plain(e, v, depth, quoted)
		}
	case own(t):
		return func(e *encodeState, v reflect.Value, depth int, _ bool) error {
			return encodeMarshaled(e, v, depth)
		}
	}
	return b.kindEncoder(t)
}

// encodeMarshaled writes v with json.Marshal, which calls its MarshalJSON or
// MarshalText method, and asks for the check of the whole.
func encodeMarshaled(e *encodeState, v reflect.Value, depth int) error {
	if depth > strictjson.MaxDepth || !v.CanInterface() {
		return errEncode
	}
	out, err := json.Marshal(v.Interface())
	if err != nil {
		return errEncode
	}
	e.buf = append(e.buf, out...)
	e.check = true
	return nil
}

// encodeDelegated writes v with json.Marshal as it would write it in place:
// through its address if it is addressable.
func encodeDelegated(e *encodeState, v reflect.Value, depth int, _ bool) error {
	if v.CanAddr() {
		v = v.Addr()
	}
	return encodeMarshaled(e, v, depth)
}

func (b *encoderBuilder) kindEncoder(t reflect.Type) func(*encodeState, reflect.Value, int, bool) error {
	switch t.Kind() {
	case reflect.Bool:
		return encodeBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return encodeInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return encodeUint
	case reflect.Float32, reflect.Float64:
		return encodeFloat
	case reflect.String:
		if t == numberType {
			return encodeNumber
		}
		return encodeString
	case reflect.Interface:
		return encodeInterface
	case reflect.Struct:
		return b.structEncoder(t)
	case reflect.Map:
		return b.mapEncoder(t)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			p := reflect.PointerTo(t.Elem())
			if !p.Implements(marshalerType) && !p.Implements(textMarshalerType) {
				return encodeBytes
			}
		}
		elem := b.get(t.Elem())
		return func(e *encodeState, v reflect.Value, depth int, _ bool) error {
			if v.IsNil() {
				e.buf = append(e.buf, "null"...)
				return nil
			}
			return encodeElems(e, v, elem, depth)
		}
	case reflect.Array:
		elem := b.get(t.Elem())
		return func(e *encodeState, v reflect.Value, depth int, _ bool) error {
			return encodeElems(e, v, elem, depth)
		}
	case reflect.Pointer:
		elem := b.get(t.Elem())
		return func(e *encodeState, v reflect.Value, depth int, quoted bool) error {
			if v.IsNil() {
				e.buf = append(e.buf, "null"...)
				return nil
			}
			if e.derefs++; e.derefs > maxDerefs {
				return errEncode
			}
			err := elem.encode(e, v.Elem(), depth, quoted)
			e.derefs--
			return err
		}
	}
	return func(*encodeState, reflect.Value, int, bool) error { return errEncode } // json.Marshal refuses these
}

func encodeBool(e *encodeState, v reflect.Value, _ int, quoted bool) error {
	e.buf = mayQuote(e.buf, quoted)
	e.buf = strconv.AppendBool(e.buf, v.Bool())
	e.buf = mayQuote(e.buf, quoted)
	return nil
}

func encodeInt(e *encodeState, v reflect.Value, _ int, quoted bool) error {
	e.buf = mayQuote(e.buf, quoted)
	e.buf = strconv.AppendInt(e.buf, v.Int(), 10)
	e.buf = mayQuote(e.buf, quoted)
	return nil
}

func encodeUint(e *encodeState, v reflect.Value, _ int, quoted bool) error {
	e.buf = mayQuote(e.buf, quoted)
	e.buf = strconv.AppendUint(e.buf, v.Uint(), 10)
	e.buf = mayQuote(e.buf, quoted)
	return nil
}

func mayQuote(b []byte, quoted bool) []byte {
	if quoted {
		return append(b, '"')
	}
	return b
}

// encodeFloat writes a float as encoding/json does: like ES6, the shortest
// decimal that reads back, with an exponent below 1e-6 and from 1e21.
func encodeFloat(e *encodeState, v reflect.Value, _ int, quoted bool) error {
	f := v.Float()
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return errEncode
	}
	bits := v.Type().Bits()
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	b := mayQuote(e.buf, quoted)
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if n := len(b); format == 'e' && n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		b[n-2] = b[n-1] // e-09 is written e-9
		b = b[:n-1]
	}
	e.buf = mayQuote(b, quoted)
	return nil
}

func encodeString(e *encodeState, v reflect.Value, _ int, quoted bool) error {
	if quoted {
		// A JSON string holding the JSON string.
		e.tmp = appendMarshalString(e.tmp[:0], v.String())
		e.buf = appendMarshalString(e.buf, string(e.tmp))
		return nil
	}
	e.buf = appendMarshalString(e.buf, v.String())
	return nil
}

// appendMarshalString appends s as a JSON string exactly as json.Marshal
// writes it. strictjson.AppendString writes json.Marshal's bytes for valid
// UTF-8; for invalid UTF-8 encoding/json's output depends on the Go release
// (the escape \ufffd or the character), and a claims value must read back
// as the caller's encoding/json wrote it.
func appendMarshalString(dst []byte, s string) []byte {
	if !utf8.ValidString(s) {
		out, _ := json.Marshal(s)
		return append(dst, out...)
	}
	return strictjson.AppendString(dst, s)
}

// encodeNumber writes a json.Number: its text, "0" if empty.
func encodeNumber(e *encodeState, v reflect.Value, _ int, quoted bool) error {
	s := v.String()
	if s == "" {
		s = "0"
	}
	if !isValidNumber(s) {
		return errEncode
	}
	e.buf = mayQuote(e.buf, quoted)
	e.buf = append(e.buf, s...)
	e.buf = mayQuote(e.buf, quoted)
	return nil
}

func encodeBytes(e *encodeState, v reflect.Value, _ int, _ bool) error {
	if v.IsNil() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	e.buf = append(e.buf, '"')
	e.buf = base64.StdEncoding.AppendEncode(e.buf, v.Bytes())
	e.buf = append(e.buf, '"')
	return nil
}

func encodeInterface(e *encodeState, v reflect.Value, depth int, _ bool) error {
	if v.IsNil() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	if e.derefs++; e.derefs > maxDerefs {
		return errEncode
	}
	v = v.Elem()
	err := encoderFor(v.Type(), e.reg).encode(e, v, depth, false)
	e.derefs--
	return err
}

// maxDerefs bounds the pointers and interfaces followed in a row.
const maxDerefs = 1000

func encodeElems(e *encodeState, v reflect.Value, elem *encoder, depth int) error {
	if depth > strictjson.MaxDepth {
		return errEncode
	}
	e.buf = append(e.buf, '[')
	for i := range v.Len() {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if err := elem.encode(e, v.Index(i), depth+1, false); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, ']')
	return nil
}

// encodeAudience writes an Audience as its MarshalJSON method does.
func encodeAudience(e *encodeState, v reflect.Value, _ int, _ bool) error {
	switch n := v.Len(); {
	case n == 1:
		e.buf = appendMarshalString(e.buf, v.Index(0).String())
	case v.IsNil():
		e.buf = append(e.buf, "null"...)
	default:
		e.buf = append(e.buf, '[')
		for i := range n {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.buf = appendMarshalString(e.buf, v.Index(i).String())
		}
		e.buf = append(e.buf, ']')
	}
	return nil
}

// encodeNumericDate writes a date of the registered claims as its
// MarshalJSON method does. A claim out of the range Verify reads asks for
// the check.
func encodeNumericDate(e *encodeState, v reflect.Value, depth int, _ bool) error {
	var outOfRange bool
	e.buf, outOfRange = e.reg.AppendDate(e.buf, addressable(v, &e.date))
	if depth == 1 && outOfRange {
		e.check = true
	}
	return nil
}
