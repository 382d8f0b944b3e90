package jwt

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwt/internal/codec"
)

// Types with methods for encoding/json, for the encoder tests.
type (
	epValMarshaler struct{ A int }
	epPtrMarshaler struct{ A int }
	epText         int
	epPtrText      string
	// epBoth has MarshalJSON on its pointer and MarshalText on its value:
	// encoding/json calls the first for an addressable value only.
	epBoth    struct{ A int }
	epZero    struct{ N int }
	epPtrZero struct{ N int }
	epTextKey int

	epEnc struct {
		RegisteredClaims
		Name  string `json:"name"`
		F32   float32
		F64   float64
		I     int
		U     uint64
		B     bool
		S     string         `json:"s,omitempty"`
		Q1    int            `json:",string"`
		Q2    *float64       `json:"q2,string"`
		Q3    string         `json:"q3,string"`
		Q4    bool           `json:"q4,string"`
		Q5    json.Number    `json:"q5,string"`
		Num   json.Number    `json:"num"`
		Bs    []byte         `json:"bs"`
		Arr   [2]byte        `json:"arr"`
		M     map[string]any `json:"m"`
		MI    map[int]string `json:"mi"`
		MK    map[epTextKey]int
		MS    map[dpString]int
		A     any
		E     error
		V     epValMarshaler
		PV    *epValMarshaler
		P     epPtrMarshaler
		PP    *epPtrMarshaler
		T     epText
		PT    epPtrText
		Both  epBoth
		PBoth *epBoth
		Z     epZero         `json:",omitzero"`
		PZ    epPtrZero      `json:",omitzero"`
		TZ    time.Time      `json:",omitzero"`
		IZ    any            `json:",omitzero"`
		OE    []int          `json:",omitempty"`
		OM    map[string]int `json:",omitempty"`
		OP    *int           `json:",omitempty"`
		Aud   Audience       `json:"audience"`
		D     NumericDate    `json:"date"`
		Tag   string         `json:"a<b&c"`
		Next  *epEnc         `json:"next,omitempty"`
		In    []dpInner      `json:"in"`
		UT    struct{ time.Time }
	}
	// epPlain is a claims struct the encoders write whole, without
	// the re-read.
	epPlain struct {
		RegisteredClaims
		Name  string    `json:"name"`
		Admin bool      `json:"admin"`
		Roles []string  `json:"roles,omitempty"`
		Level int       `json:"level,string"`
		Score float64   `json:"score"`
		Inner *dpInner  `json:"inner,omitempty"`
		List  []dpInner `json:"list"`
		Raw   []byte    `json:"raw"`
	}
	// epFolded has two field names equal under folding.
	epFolded struct {
		A int `json:"a"`
		B int `json:"A"`
	}
	// epRegName has a field of its own with a registered claim's name.
	epRegName struct {
		RegisteredClaims
		Exp string `json:"exp"`
	}
	// epOwnReg holds the registered claims in plain fields of kinds that
	// write them validly, dates when in range: Sign need not re-read it.
	epOwnReg struct {
		Iss  string `json:"iss"`
		Aud  string `json:"aud,omitempty"`
		Exp  int64  `json:"exp"`
		Nbf  uint32 `json:"nbf"`
		Iat  int    `json:"iat,omitempty"`
		JTI  string `json:"jti"`
		Name string `json:"name"`
	}
	// epOwnRegOdd: plain registered fields Sign must re-read.
	epOwnRegFloat struct {
		Exp float64 `json:"exp"`
	}
	epOwnRegQuoted struct {
		Exp int64 `json:"exp,string"`
	}
	epOwnRegSlice struct {
		Aud []string `json:"aud"`
	}
	epOwnRegFolded struct {
		Exp int64 `json:"EXP"`
	}
	epOwnRegNested struct {
		In epOwnReg `json:"in"`
		epOwnReg
	}
)

func (v epValMarshaler) MarshalJSON() ([]byte, error) {
	return []byte(`{ "v" : ` + strconv.Itoa(v.A) + ` , "s":"<&>" }`), nil
}

func (p *epPtrMarshaler) MarshalJSON() ([]byte, error) {
	if p.A < 0 {
		return nil, errors.New("epPtrMarshaler: negative")
	}
	return []byte(`"p` + strconv.Itoa(p.A) + `\u2028"`), nil
}

func (t epText) MarshalText() ([]byte, error) { return []byte("t" + strconv.Itoa(int(t)) + "<"), nil }

func (p *epPtrText) MarshalText() ([]byte, error) { return []byte("pt:" + string(*p)), nil }

func (b *epBoth) MarshalJSON() ([]byte, error) {
	return []byte(`{"json":` + strconv.Itoa(b.A) + `}`), nil
}

func (b epBoth) MarshalText() ([]byte, error) { return []byte("text" + strconv.Itoa(b.A)), nil }

func (z epZero) IsZero() bool { return z.N == 1 }

func (z *epPtrZero) IsZero() bool { return z.N == 2 }

func (k epTextKey) MarshalText() ([]byte, error) { return []byte("key" + strconv.Itoa(int(k))), nil }

// diffEncode encodes v (addressable or not) with its encoder and with
// json.Marshal and fails unless, where the encoder writes, it writes the
// same bytes. It reports whether the encoder wrote.
func diffEncode(t testing.TB, v reflect.Value) bool {
	t.Helper()
	e := codec.NewEncoder(&registered)
	defer e.Release()
	encoded := e.EncodeValue(v)
	var x any
	if v.CanAddr() {
		x = v.Addr().Interface()
	} else {
		x = v.Interface()
	}
	want, jerr := json.Marshal(x)
	if !encoded {
		return false
	}
	if jerr != nil {
		t.Fatalf("%v: encoded %s, json.Marshal: %v", v.Type(), e.Bytes(), jerr)
	}
	if string(e.Bytes()) != string(want) {
		t.Fatalf("%v (addressable: %v):\nencoder       %s\njson.Marshal  %s", v.Type(), v.CanAddr(), e.Bytes(), want)
	}
	return true
}

// diffEncodeClaims checks what Sign relies on: claims that the encoders
// write without asking for the check are a claims set readClaims accepts,
// and are what json.Marshal writes.
func diffEncodeClaims(t testing.TB, claims any) (encoded, checked bool) {
	t.Helper()
	e := codec.NewEncoder(&registered)
	defer e.Release()
	if !e.Encode(claims) {
		return false, false
	}
	want, err := json.Marshal(claims)
	require.NoError(t, err)
	if string(e.Bytes()) != string(want) {
		t.Fatalf("%T:\nencoder       %s\njson.Marshal  %s", claims, e.Bytes(), want)
	}
	if !e.Check() {
		var cs claimSet
		if err := readClaims(string(e.Bytes()), &cs); err != nil {
			t.Fatalf("%T: %s skips the check, readClaims: %v", claims, e.Bytes(), err)
		}
	}
	return true, e.Check()
}

func encodeValues() []any {
	f := 2.5
	n := 3
	next := &epEnc{Name: "next", F64: math.Copysign(0, -1), Q2: nil, PP: &epPtrMarshaler{A: 1}}
	cyclic := &epEnc{Name: "cycle"}
	cyclic.Next = cyclic
	date := NumericDate{time.Unix(1_800_000_000, 123_456_000).UTC()}
	return []any{
		epEnc{},
		epEnc{
			RegisteredClaims: RegisteredClaims{Issuer: "iss<", Subject: "s", Audience: Audience{"a", "b"}, ExpiresAt: date, ID: "j"},
			Name:             "n\u2028\xff\"\\\b\f\n\r\t\x01", F32: 3.4e38, F64: 1e21, I: -5, U: math.MaxUint64, B: true, S: "s",
			Q1: 7, Q2: &f, Q3: "q<\"3\">", Q4: true, Q5: "1e3", Num: "-0.5", Bs: []byte{}, Arr: [2]byte{1, 2},
			M: map[string]any{"b": 1, "a": []any{nil, "x", 2.5, map[string]any{}}, "A": true}, MI: map[int]string{-1: "m", 10: "n", 2: "o"},
			MK: map[epTextKey]int{2: 1, 1: 2}, MS: map[dpString]int{"z": 1, "y": 2}, A: next,
			V: epValMarshaler{A: 1}, PV: &epValMarshaler{A: 2}, P: epPtrMarshaler{A: 3}, PP: &epPtrMarshaler{A: 4},
			T: 5, PT: "pt", Both: epBoth{A: 6}, PBoth: &epBoth{A: 7}, Z: epZero{N: 1}, PZ: epPtrZero{N: 2}, IZ: epZero{N: 1},
			OE: []int{}, OM: map[string]int{}, OP: &n, Aud: Audience{"x"}, D: date, Tag: "<>", Next: next,
			In: []dpInner{{A: 1, B: "b"}},
		},
		epEnc{F32: 1e-7, F64: 1e-7, Z: epZero{N: 3}, PZ: epPtrZero{N: 3}, TZ: time.Unix(0, 0).UTC(), IZ: (*epPtrZero)(nil), Aud: Audience{}, Q5: ""},
		epEnc{F32: 123456789, F64: 0.000001, A: []byte("x"), Both: epBoth{A: -1}},
		epEnc{F64: math.Inf(1)},
		epEnc{F32: float32(math.NaN())},
		epEnc{Num: "x"},
		epEnc{P: epPtrMarshaler{A: -1}},
		*cyclic,
		epPlain{RegisteredClaims: validClaims(), Name: "<Ada>", Admin: true, Roles: []string{"a"}, Level: 3, Score: 1.5, Inner: &dpInner{A: 1}, List: []dpInner{{B: "x"}}},
		epPlain{},
		epPlain{RegisteredClaims: RegisteredClaims{Issuer: "a\nb", Audience: Audience{"x\ty"}}, Name: "\r"},
		epPlain{RegisteredClaims: RegisteredClaims{ExpiresAt: NewNumericDate(time.Unix(-5, 0))}},
		epFolded{},
		epRegName{Exp: "x"},
		dpEmbed{DPPtr: &DPPtr{PtrField: "p"}, Scope: "s", Sub: "sub"},
		dpNode{V: 1, Next: &dpNode{V: 2}, Kids: []dpNode{{V: 3}}, M: map[string]*dpNode{"a": nil}},
		dpTags{A: 1, E: 2, F: &n, G: true, H: 1.5, I: "i", J: "5", K: "k", L: 3, N: 4, Kelvin: 5},
	}
}

func TestEncodeMatchesJSONMarshal(t *testing.T) {
	wrote, values := 0, encodeValues()
	for _, x := range values {
		v := reflect.ValueOf(x)
		p := reflect.New(v.Type())
		p.Elem().Set(v)
		for _, v := range []reflect.Value{v, p.Elem(), p} {
			if diffEncode(t, v) {
				wrote++
			}
		}
		diffEncodeClaims(t, x)
		diffEncodeClaims(t, p.Interface())
	}
	// Left to json.Marshal: infinity, NaN, an invalid json.Number, a
	// cycle, dpEmbed, and a MarshalJSON error but where the value is not
	// addressable (then json.Marshal does not call the pointer method).
	assert.Equal(t, 3*(len(values)-6)+1, wrote)
}

func TestEncodeNeedsCheck(t *testing.T) {
	for _, tc := range []struct {
		claims any
		check  bool
	}{
		{&epPlain{RegisteredClaims: validClaims(), Name: "x", Roles: []string{"r"}}, false},
		{epPlain{}, false},
		{&appClaims{RegisteredClaims: validClaims(), Name: "x"}, false},
		{&epPlain{RegisteredClaims: RegisteredClaims{ExpiresAt: NewNumericDate(time.Unix(-5, 0))}}, true},
		{&epFolded{}, true},
		{&epRegName{}, true},
		{&struct{ M map[string]int }{}, false}, // null
		{&struct{ M map[string]int }{M: map[string]int{}}, true},
		{&struct{ V epValMarshaler }{}, true},
		{&struct{ A any }{A: 1}, false},
		{&struct{ A any }{A: map[string]int{}}, true},
		{&epOwnReg{Iss: "i", Exp: maxNumericDate, Nbf: 1, JTI: "j"}, false},
		{epOwnReg{Exp: 0}, false},
		{&epOwnReg{Exp: -1}, true},
		{&epOwnReg{Exp: maxNumericDate + 1}, true},
		{&epOwnReg{Iat: -1}, true},
		{&epOwnRegFloat{}, true},
		{&epOwnRegQuoted{}, true},
		{&epOwnRegSlice{}, true},
		{&epOwnRegFolded{}, true},
		{&epOwnRegNested{}, true},
	} {
		encoded, checked := diffEncodeClaims(t, tc.claims)
		assert.True(t, encoded, "%T", tc.claims)
		assert.Equal(t, tc.check, checked, "%T", tc.claims)
	}
	// Left to json.Marshal: no struct, methods of its own, an unexported
	// embedded struct named by a tag (dpEmbed's dpRO).
	for _, claims := range []any{(*epPlain)(nil), map[string]any{}, "x", 1, nil, json.RawMessage(`{}`), &epValMarshaler{}, &dpEmbed{}} {
		encoded, _ := diffEncodeClaims(t, claims)
		assert.False(t, encoded, "%T", claims)
	}
}

// TestSignEncodes: Sign's tokens carry what json.Marshal writes, and Sign
// still refuses what Verify would.
func TestSignEncodes(t *testing.T) {
	s, v := hs256(t)
	o := &VerifyOptions{Now: fixedClock, AllowMissingExpiration: true, IgnoreAudience: true}
	for _, x := range encodeValues() {
		want, jerr := json.Marshal(x)
		tok, err := Sign(bg, s, x, nil)
		var cs claimSet
		if jerr != nil || readClaims(string(want), &cs) != nil {
			assert.ErrorIs(t, err, ErrInvalidClaims, "%T", x)
			continue
		}
		require.NoError(t, err, "%T", x)
		j, err := VerifyJWS(bg, tok, v, nil)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(j.Payload))
	}
	_, err := Sign(bg, s, &epFolded{}, nil)
	assert.ErrorIs(t, err, ErrInvalidClaims)
	assert.ErrorContains(t, err, "duplicate member")
	_, err = Sign(bg, s, &epRegName{Exp: "x"}, nil)
	assert.ErrorIs(t, err, ErrInvalidClaims)
	_, err = Sign(bg, s, &epPlain{RegisteredClaims: RegisteredClaims{ExpiresAt: NewNumericDate(time.Unix(-5, 0))}}, nil)
	assert.ErrorIs(t, err, ErrInvalidClaims)
	for _, c := range []any{&epOwnReg{Exp: -1}, &epOwnReg{Exp: maxNumericDate + 1}, &epOwnRegQuoted{}, &epOwnRegSlice{}, &epOwnRegFolded{}} {
		_, err = Sign(bg, s, c, nil)
		assert.ErrorIs(t, err, ErrInvalidClaims, "%T", c)
	}
	_, err = Sign(bg, s, epEnc{F64: math.NaN()}, nil)
	assert.ErrorIs(t, err, ErrInvalidClaims)
	assert.ErrorContains(t, err, "json: unsupported value: NaN")

	c := &epPlain{RegisteredClaims: validClaims(), Name: "Ada", Roles: []string{"a", "b"}, Level: 2}
	tok, err := Sign(bg, s, c, nil)
	require.NoError(t, err)
	got, err := Verify[epPlain](bg, tok, v, o)
	require.NoError(t, err)
	assert.Equal(t, *c, got.Claims)
}

// encodeTypes are the types FuzzEncodePlan fills from fuzzed JSON.
var encodeTypes = append([]reflect.Type{reflect.TypeFor[epEnc](), reflect.TypeFor[epPlain](), reflect.TypeFor[epOwnReg](), reflect.TypeFor[epOwnRegNested]()}, decodeTypes...)

// FuzzEncodePlan fills values of many types from fuzzed JSON with
// encoding/json and encodes them with the encoders and with json.Marshal:
// the bytes must be the same, and claims that skip Sign's re-read must be
// a claims set readClaims accepts.
func FuzzEncodePlan(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"name":"<&>","F32":1e-7,"F64":1e21,"q2":"2.5","q3":"\"x\"","q5":"12","num":1,"bs":"AAE=","m":{"b":1,"B":2},"A":{"x":[1]},"audience":["a"],"date":1.5,"next":{"name":"x"},"in":[{"a":1}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		g := claimsGen{b: data}
		for _, payload := range []string{string(data), g.object(0)} {
			for _, typ := range encodeTypes {
				p := reflect.New(typ)
				if json.Unmarshal([]byte(payload), p.Interface()) != nil {
					continue
				}
				diffEncode(t, p.Elem())
				diffEncode(t, p)
				if typ.Kind() != reflect.Interface {
					diffEncode(t, p.Elem().Addr().Elem())
				}
				diffEncodeClaims(t, p.Interface())
				diffEncodeClaims(t, p.Elem().Interface())
			}
		}
	})
}
