package codec

import (
	"reflect"

	"github.com/jwtkit/jwt/internal/strictjson"
)

// A Pass decodes the members of one claims set into a claims value while
// package jwt's claims reader reads them: the reader walks the payload
// with [Pass.Reader], checks each member name and registered claim itself,
// and hands each member's value over with [Pass.Member] or
// [Pass.Registered]. The codec so never needs the claims reader, and the
// claims reader never needs the decoding plans.
type Pass struct {
	d    *decodeState
	p    *claimsPlan     // nil for m
	v    reflect.Value   // the struct or map decoded into
	ev   reflect.Value   // planMap: the element being decoded
	m    *map[string]any // the map[string]any decoded into, or nil
	base int             // planAny: the members stack's base
}

// Begin starts a pass over payload into *dst, dst a pointer. It reports
// false, and starts nothing, for a claims type the codec leaves to
// encoding/json (one with its own decoding methods, or that is not a
// struct, a map or an empty interface): the caller then checks the payload
// with its claims reader and hands it to json.Unmarshal.
func Begin(payload string, dst reflect.Value, reg *Registered) (Pass, bool) {
	p := claimsPlanFor(dst.Type().Elem(), reg)
	if p.kind == planJSON {
		return Pass{}, false
	}
	d := getDecodeState(payload)
	v := dst.Elem()
	for range p.ptrs {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	pass := Pass{d: d, p: p, v: v, base: len(d.members)}
	if p.kind == planMap {
		if v.IsNil() {
			v.Set(reflect.MakeMap(p.mt))
		}
		pass.ev = reflect.New(p.mt.Elem()).Elem()
	}
	return pass, true
}

// BeginMap starts a pass over payload into *m, without reflection.
func BeginMap(payload string, m *map[string]any) Pass {
	d := getDecodeState(payload)
	return Pass{d: d, m: m, base: len(d.members)}
}

// Reader returns the reader of the payload.
func (ps *Pass) Reader() *strictjson.Reader { return &ps.d.r }

// Member decodes the value of the member name, which is not a registered
// claim, at the reader; h is strictjson.FoldHash(name).
func (ps *Pass) Member(name string, h uint32) error {
	d, r := ps.d, &ps.d.r
	d.member = name
	if ps.p != nil && ps.p.kind == planStruct {
		if i := ps.p.st.lookupHashed(name, h); i >= 0 {
			return ps.p.st.member(d, r, ps.v, i, 1)
		}
		return r.Skip()
	}
	return ps.value(r, name)
}

// Registered decodes raw, the value of registered claim number k (in
// Registered.Names), which the claims reader has read already, where the
// claims type holds it other than in its embedded registered claims.
func (ps *Pass) Registered(k int, name, raw string) error {
	d := ps.d
	d.member = name
	if ps.p != nil && ps.p.kind == planStruct {
		i := ps.p.reg[k]
		if i < 0 {
			return nil
		}
		// Also decoded into a field of its own.
		d.sub = strictjson.NewReader(raw)
		return ps.p.st.member(d, &d.sub, ps.v, i, 1)
	}
	d.sub = strictjson.NewReader(raw)
	return ps.value(&d.sub, name)
}

// value decodes a member's value into a map.
func (ps *Pass) value(r *strictjson.Reader, name string) error {
	d := ps.d
	if ps.p != nil && ps.p.kind == planMap {
		p := ps.p
		ps.ev.SetZero()
		if err := p.elem.decode(d, r, ps.ev, 1); err != nil {
			return err
		}
		if kv, ok := p.key(name); ok {
			ps.v.SetMapIndex(kv, ps.ev)
		} else {
			d.mismatch(r, "number", p.mt.Key())
		}
		return nil
	}
	x, err := d.anyValue(r, 1, true)
	d.members = append(d.members, member{name, x})
	return err
}

// Finish stores what the pass decoded, once the claims reader has read the
// whole payload, and returns the first member that did not fit the claims
// type, or nil.
func (ps *Pass) Finish() (fit error) {
	switch {
	case ps.m != nil:
		*ps.m = ps.d.makeMap(ps.base)
	case ps.p.kind == planAny:
		ps.v.Set(reflect.ValueOf(ps.d.makeMap(ps.base)))
	}
	return ps.d.fit
}

// Release ends the pass.
func (ps *Pass) Release() { ps.d.put() }

// DecodeMember decodes the member name of the JSON object s, which the
// claims reader has accepted, into *dst; with dst the zero Value it only
// looks the member up. found reports whether s has the member; err is a
// strict error, and fit, when err is nil, a value that did not fit *dst.
func DecodeMember(s, name string, dst reflect.Value) (found bool, fit, err error) {
	d := getDecodeState(s)
	defer d.put()
	r := &d.r
	if s == "" {
		return false, nil, nil
	}
	if err := r.ObjectStart(); err != nil {
		return false, nil, err
	}
	n, ok, err := r.FirstMember()
	for ; ok && err == nil; n, ok, err = r.NextMember() {
		if n != name {
			if err := r.Skip(); err != nil {
				return false, nil, err
			}
			continue
		}
		if !dst.IsValid() {
			return true, nil, nil
		}
		d.member = name
		if err := decoderFor(dst.Type().Elem()).decode(d, r, dst.Elem(), 1); err != nil {
			return true, nil, err
		}
		return true, d.fit, nil
	}
	return false, nil, err
}
