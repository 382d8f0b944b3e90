package codec

import (
	"reflect"

	"github.com/jwtkit/jwt/internal/strictjson"
)

// Values decoded into empty interfaces, or only checked: as encoding/json
// decodes them into an any (map[string]any, []any, float64, string, bool,
// nil), and as strictjson's Skip checks them from a given depth.

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
