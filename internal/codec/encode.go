package codec

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
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
var encoders sync.Map

func encoderFor(t reflect.Type, reg *Registered) *encoder {
	if enc, ok := encoders.Load(t); ok {
		return enc.(*encoder)
	}
	b := encoderBuilder{reg: reg, building: map[reflect.Type]*encoder{}}
	b.get(t)
	for k, enc := range b.building {
		encoders.LoadOrStore(k, enc)
	}
	enc, _ := encoders.Load(t)
	return enc.(*encoder)
}

type encoderBuilder struct {
	reg      *Registered
	building map[reflect.Type]*encoder
}

func (b *encoderBuilder) get(t reflect.Type) *encoder {
	if enc, ok := encoders.Load(t); ok {
		return enc.(*encoder)
	}
	if enc, ok := b.building[t]; ok {
		return enc
	}
	enc := &encoder{}
	b.building[t] = enc
	enc.encode = b.build(t)
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
