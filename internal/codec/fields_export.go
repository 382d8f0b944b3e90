package codec

import (
	"reflect"
)

// A Field is a struct field as encoding/json sees it: its member name, the
// path of field indexes from the outer struct, and its type.
type Field struct {
	Name  string
	Index []int
	Type  reflect.Type
}

// Fields returns the fields of struct type t that encoding/json encodes and
// decodes, in index order, as the decoders and encoders choose them. odd
// reports a tag name that encoding/json's implementations read
// differently, which leaves t to encoding/json.
func Fields(t reflect.Type) (fields []Field, odd bool) {
	fs, odd := jsonFields(t)
	for _, f := range fs {
		fields = append(fields, Field{Name: f.name, Index: f.index, Type: f.typ})
	}
	return fields, odd
}

// EncodeValue appends v, of any type, as json.Marshal would, for a test that
// compares the two. It reports false for a value the encoders leave to
// json.Marshal or refuse, as they do inside claims.
func (en Encoder) EncodeValue(v reflect.Value) bool {
	return en.e.encoderFor(v.Type()).encode(en.e, v, 0, false) == nil
}

// encoderFor is encoderFor with e's hook.
func (e *encodeState) encoderFor(t reflect.Type) *encoder { return encoderFor(t, e.reg) }
