package codec

import (
	"fmt"
	"reflect"

	"github.com/jwtkit/jwt/internal/strictjson"
)

// The decoding plan of a struct: its fields, found by folded-name hash,
// and the decoding of an object into them.

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
	if ok, err := d.open(r, v, depth, '{'); !ok {
		return err
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
