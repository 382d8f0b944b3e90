//lint:file-ignore SA5008 the test types carry tags that encoding/json reads in odd ways, on purpose

package jwt

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtkit/jwt/internal/codec"
	"github.com/jwtkit/jwt/internal/strictjson"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Types for the differential tests of the decoding plan against
// encoding/json: every field kind, tags, embedding, methods.
type (
	dpString string
	dpInt    int
	dpBytes  []byte
	dpAny    any
	// dpText decodes from text, refusing text holding '!'.
	dpText string
	// dpTextKey is a map key decoded from text.
	dpTextKey string
	// dpUnmarshaler keeps the JSON it is given, refusing arrays.
	dpUnmarshaler struct{ Raw string }
	// dpQInt is an int with its own UnmarshalJSON, for ",string".
	dpQInt int
	// dpNamedPtr is a named pointer type: encoding/json does not look for
	// the methods of *dpText through it.
	dpNamedPtr *dpText

	dpInner struct {
		A int    `json:"a"`
		B string `json:"b"`
	}

	dpKinds struct {
		B    bool
		I    int
		I8   int8
		I16  int16
		I32  int32
		I64  int64
		U    uint
		U8   uint8
		U16  uint16
		U32  uint32
		U64  uint64
		UP   uintptr
		F32  float32
		F64  float64
		S    string
		MyS  dpString
		MyI  dpInt
		P    *int
		PP   **string
		PS   *dpInner
		Sl   []int
		SS   []string
		Bs   []byte
		MyBs dpBytes
		SA   []any
		SSl  [][]int
		L64  []int64
		L32  []int32
		LF   []float64
		LF32 []float32
		SP   []*dpInner
		Ar   [2]int
		Ar0  [0]int
		BA   [3]byte
		M    map[string]int
		MI   map[int]string
		MU8  map[uint8]bool
		MyK  map[dpString]any
		MA   map[string]any
		MT   map[dpTextKey]int
		MS   map[string]dpInner
		A    any
		MyA  dpAny
		E    error
		St   fmt.Stringer
		Raw  json.RawMessage
		PRaw *json.RawMessage
		Num  json.Number
		T    time.Time
		PT   *time.Time
		Un   dpUnmarshaler
		PUn  *dpUnmarshaler
		TU   dpText
		PTU  *dpText
		NP   dpNamedPtr
		UT   struct{ time.Time } // methods only through embedding
		PUT  *struct{ time.Time }
		C    complex128
		Ch   chan int
		Fn   func()
		In   dpInner
		Arr  []dpInner
		//lint:ignore U1000 an unexported field, which decoding must leave alone
		unex int
	}

	dpTags struct {
		A      int           `json:"a"`
		B      string        `json:"b,omitempty"`
		C      int           `json:"-"`
		D      int           `json:"-,"`
		E      int           `json:",string"`
		F      *int          `json:"f,string"`
		G      bool          `json:"g,string"`
		H      float32       `json:"h,string"`
		I      string        `json:"i,string"`
		J      json.Number   `json:"j,string"`
		K      dpText        `json:"k,string"`
		L      uint8         `json:"l,string"`
		M      dpUnmarshaler `json:"m,string"`
		N      dpQInt        `json:"n,string"`
		O      *bool         `json:"o,string"`
		P      **int         `json:"p,string"`
		Q      []int         `json:"q,string"`
		Kelvin int           `json:"\u212aelvin"`
		Sharp  int           `json:"\u017fharp"`
		Bad    int           `json:"a\"b"`
		Uni    int           `json:"é"`
		Up     int           `json:"UP"`
		Low    int           `json:"up"`
		X      int
		//lint:ignore U1000 an unexported field, which decoding must leave alone
		x int
	}

	DPBase struct {
		ID     int    `json:"id"`
		Name   string // ambiguous with dpBase2.Name
		Shared string `json:"shared"`
	}
	dpBase2 struct {
		Name  string
		Other int `json:"other"`
	}
	DPShared struct {
		Shared string `json:"shared"`
		Name   int    `json:"Name"` // tagged: wins over DPBase.Name
	}
	DPDeep struct {
		DPBase
		Deep int `json:"deep"`
	}
	DPPtr struct {
		PtrField string `json:"ptr_field"`
		ID       string // "ID" matches it; "Id" folds to DPBase's "id", first in index order
	}
	dpPtr2 struct {
		Hidden string `json:"hidden"`
	}
	dpRO struct {
		X int `json:"x"`
	}
	dpEmbed struct {
		RegisteredClaims
		DPBase
		dpBase2
		*DPPtr
		*dpPtr2
		DPDeep `json:"deep_struct"`
		dpRO   `json:"ro"`
		Scope  string `json:"scope"`
		Sub    string `json:"sub"`
	}
	// dpRegFields has fields of its own for registered claim names.
	dpRegFields struct {
		Iss string      `json:"iss"`
		Exp float64     `json:"exp"`
		Aud any         `json:"aud"`
		Nbf json.Number `json:"NBF"`
		Iat *int64      `json:"iat,string"`
		Jti []byte      `json:"jti"`
		Sub dpText      `json:"sub"`
	}
	dpNode struct {
		V    int
		Next *dpNode
		Kids []dpNode
		M    map[string]*dpNode
	}
	dpEmbedPtrRC struct {
		*RegisteredClaims
		Scope string `json:"scope"`
	}
)

func (t *dpText) UnmarshalText(b []byte) error {
	if strings.Contains(string(b), "!") {
		return errors.New("dpText: '!'")
	}
	*t = dpText("T:" + string(b))
	return nil
}

func (k *dpTextKey) UnmarshalText(b []byte) error {
	*k = dpTextKey("k:" + string(b))
	return nil
}

func (u *dpUnmarshaler) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '[' {
		return errors.New("dpUnmarshaler: array")
	}
	u.Raw = string(b)
	return nil
}

func (q *dpQInt) UnmarshalJSON(b []byte) error {
	var n int
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*q = dpQInt(n * 10)
	return nil
}

// diffDecode decodes payload into a new value of type typ with the
// decoding plan and with encoding/json, and fails unless the plan refuses
// the payload exactly when readClaims does (strictOK), and encoding/json and
// the plan agree on whether the payload fits typ and on the decoded value.
func diffDecode(t testing.TB, typ reflect.Type, payload string, strictOK bool) {
	t.Helper()
	var cs claimSet
	got := reflect.New(typ)
	fit, err := decodeClaimsValue(payload, &cs, got)
	if typ == reflect.TypeFor[map[string]any]() {
		var m map[string]any
		cs = claimSet{}
		fit, err = decodeClaims(payload, &cs, &m)
		got.Elem().Set(reflect.ValueOf(m))
	}
	if (err == nil) != strictOK {
		t.Fatalf("%v: %q: strict error %v, readClaims accepts: %v", typ, payload, err, strictOK)
	}
	if err != nil {
		if !errors.Is(err, ErrMalformed) {
			t.Fatalf("%v: %q: strict error %v does not wrap ErrMalformed", typ, payload, err)
		}
		return
	}
	want := reflect.New(typ)
	jerr := json.Unmarshal([]byte(payload), want.Interface())
	if (fit == nil) != (jerr == nil) {
		t.Fatalf("%v: %q: plan: %v, encoding/json: %v", typ, payload, fit, jerr)
	}
	if fit != nil {
		return
	}
	rc := cs.rc
	if rc.Audience == nil && cs.has("aud") {
		rc.Audience = Audience{cs.aud1}
	}
	if err := fillRegisteredValue(got, &rc); err != nil {
		t.Fatalf("%v: fill: %v", typ, err)
	}
	if err := fillRegisteredValue(want, &rc); err != nil {
		t.Fatalf("%v: fill: %v", typ, err)
	}
	if !reflect.DeepEqual(got.Interface(), want.Interface()) {
		t.Fatalf("%v: %q:\nplan          %#v\nencoding/json %#v", typ, payload, got.Elem(), want.Elem())
	}
}

// dpAmbiguous embeds two structs that both tag a field "shared" at one
// depth, so that encoding/json drops it. It is built at run time: vet
// rightly refuses such a struct in source.
var dpAmbiguous = reflect.StructOf([]reflect.StructField{
	{Name: "DPBase", Type: reflect.TypeFor[DPBase](), Anonymous: true},
	{Name: "DPShared", Type: reflect.TypeFor[DPShared](), Anonymous: true},
	{Name: "Own", Type: reflect.TypeFor[string](), Tag: `json:"own"`},
})

// decodeTypes are the types of the differential tests.
var decodeTypes = []reflect.Type{
	reflect.TypeFor[dpKinds](),
	reflect.TypeFor[dpTags](),
	reflect.TypeFor[dpEmbed](),
	reflect.TypeFor[*dpEmbed](),
	reflect.TypeFor[dpRegFields](),
	reflect.TypeFor[dpNode](),
	reflect.TypeFor[dpEmbedPtrRC](),
	dpAmbiguous,
	reflect.TypeFor[map[string]any](),
	reflect.TypeFor[any](),
	reflect.TypeFor[map[string]string](),
	reflect.TypeFor[map[dpString]json.RawMessage](),
	reflect.TypeFor[map[int]any](),
	reflect.TypeFor[map[dpTextKey]any](),
	reflect.TypeFor[dpUnmarshaler](),
	reflect.TypeFor[**dpTags](),
	reflect.TypeFor[struct{ N int }](),
}

// decodeSeeds are claims sets for the differential tests: every field of
// the types above, in forms that fit and forms that do not.
var decodeSeeds = []string{
	`{}`,
	`{"B":true,"I":-1,"I8":127,"I16":-32768,"I32":2147483647,"I64":-9223372036854775808,"U":1,"U8":255,"U16":65535,"U32":4294967295,"U64":18446744073709551615,"UP":7,"F32":3.4e38,"F64":1e308,"S":"s","MyS":"t","MyI":5}`,
	`{"I8":128}`, `{"U8":-1}`, `{"U":-0}`, `{"I":-0}`, `{"I":1.0}`, `{"I":1e2}`, `{"F32":3.5e38}`, `{"F64":1e400}`, `{"F32":1e-50}`,
	`{"P":3,"PP":"x","PS":{"a":1,"b":"c","A":2}}`, `{"P":null,"PP":null,"PS":null}`, `{"PP":1}`,
	`{"Sl":[1,2,3],"SS":["a","b",null],"Bs":"aGVsbG8=","MyBs":"AA==","SA":[1,"a",null,true,{"x":[]}],"SSl":[[1],[],null],"SP":[{"a":1},null]}`,
	`{"Sl":[],"SS":[],"Bs":"","SA":[]}`,
	`{"L64":[1,-0,null,9223372036854775807,9223372036854775808,1.5,1e2,"x",[1],{"a":1}],"L32":[2147483647,2147483648,-2147483649,1,null],"LF":[1.5,1e400,-0,0.1,123456789012345678,null,"x",true],"LF32":[3.5e38,1.5,null]}`,
	`{"L64":[],"L32":null,"LF":[],"LF32":[]}`, `{"L64":"x","LF":{}}`, `{"L64":[1,2,,3]}`, `{"LF":[1,2,]}`, `{"L32":[1 2]}`,
	`{"L64":[` + strings.TrimSuffix(strings.Repeat("1234567,", 40), ",") + `],"LF":[` + strings.TrimSuffix(strings.Repeat("-0.25,", 40), ",") + `]}`, `{"Bs":"!!"}`, `{"Bs":[1,2,256]}`, `{"Bs":[1,2]}`, `{"SS":[1]}`, `{"Sl":"x"}`,
	`{"Ar":[1],"Ar0":[1,2],"BA":[1,2,3,4]}`, `{"Ar":[1,2,3]}`, `{"BA":"AAA="}`,
	`{"M":{"a":1,"b":2},"MI":{"1":"a","-2":"b"},"MU8":{"255":true},"MyK":{"k":[1]},"MA":{"x":{"y":null}},"MT":{"A":1},"MS":{"s":{"a":1}}}`,
	`{"MI":{"x":"a"}}`, `{"MU8":{"256":true}}`, `{"M":{"a":"b"}}`, `{"M":null,"MA":{}}`, `{"M":[]}`,
	`{"A":{"a":[1,2.5,"x",false,null]},"MyA":1,"E":null,"St":null}`, `{"E":"x"}`, `{"St":{}}`, `{"A":1e999}`,
	`{"Raw":{"a" : [1, 2]},"PRaw":[1],"Num":12.5e3}`, `{"Raw":null,"PRaw":null}`, `{"Num":"12"}`, `{"Num":"x"}`, `{"Num":true}`,
	`{"T":"2025-01-02T03:04:05Z","PT":"2025-01-02T03:04:05.5+01:00"}`, `{"T":"yesterday"}`, `{"T":null,"PT":null}`, `{"T":1}`,
	`{"Un":{"x":1},"PUn":"s"}`, `{"Un":[1]}`, `{"Un":null,"PUn":null}`,
	`{"TU":"text","PTU":"p","NP":"np"}`, `{"TU":"a!"}`, `{"TU":1}`, `{"TU":null}`, `{"NP":1}`,
	`{"UT":"2025-01-02T03:04:05Z","PUT":"2025-01-02T03:04:05Z"}`, `{"UT":{},"PUT":{}}`, `{"UT":null,"PUT":null}`,
	`{"C":null,"Ch":null,"Fn":null}`, `{"C":1}`, `{"Ch":[]}`, `{"Fn":{}}`,
	`{"In":{"a":1,"b":"x","c":[{"d":{}}]},"Arr":[{"a":1},{"b":"x"}]}`, `{"in":{"A":1}}`, `{"unex":1}`,
	`{"a":1,"b":"x","C":1,"-":2,"E":"12","f":"3","g":"true","h":"1.5","i":"\"q\"","j":"12","k":"\"kk\"","l":"255","m":"{}","n":"4","o":"false","p":"5","q":"[1]"}`,
	`{"E":12}`, `{"E":"x"}`, `{"E":""}`, `{"E":"null"}`, `{"E":null}`, `{"E":" 1"}`, `{"E":"0012"}`, `{"f":"null","o":"null"}`,
	`{"g":"tru"}`, `{"g":"1"}`, `{"h":"0x1p4"}`, `{"h":"-Inf"}`, `{"h":"1e39"}`, `{"i":"q"}`, `{"i":"\"\\ud800\""}`, `{"i":"\"\\'\""}`,
	`{"i":"\"a\" "}`, `{"i":"\"\\u00e9\""}`, `{"j":"1x"}`, `{"j":"\"1\""}`, `{"j":"\"x\""}`, `{"k":"\"a!\""}`, `{"k":"x"}`, `{"l":"256"}`,
	`{"i":"\"\\ud83d\\ude00\""}`, `{"i":"\"\\ud800x\""}`, `{"i":"\"\\ud800\\u0041\""}`, `{"i":"\"\\ud800\\u00zz\""}`,
	`{"i":"\"\\u00zz\""}`, `{"i":"\"a\\\""}`, `{"i":"\"\\q\""}`, `{"i":"\"\\b\\f\\n\\r\\t\\/\""}`, `{"i":"\"\u00e9\u0001\""}`, `{"i":"\"\\u12\""}`,
	`{"m":"x"}`, `{"n":"x"}`, `{"n":"\"4\""}`, `{"q":"[1]"}`, `{"kelvin":1,"ſharp":2,"É":3,"x":4}`, `{"up":1}`, `{"UP":1}`, `{"Up":1}`, `{"Bad":1}`,
	`{"iss":"a","sub":"b","aud":["c","d"],"exp":1800000000,"nbf":1,"iat":2,"jti":"aGk=","scope":"s","id":1,"Name":"n","shared":"x","other":2,"ptr_field":"p","hidden":"h","deep_struct":{"deep":1,"id":2,"Name":"m"},"ro":{"x":1}}`,
	`{"hidden":null}`, `{"ID":3,"NAME":"x","Scope":"y","PTR_FIELD":"z"}`, `{"ID":"3","Id":4}`, `{"Id":"4"}`, `{"own":"o","shared":"s","Name":1,"name":2}`, `{"ro":{"x":"a"}}`, `{"ro":1}`, `{"RegisteredClaims":{"sub":"x"}}`,
	`{"iss":"a","exp":1.5,"aud":"x","NBF":1,"iat":"5","jti":"!","sub":"s"}`, `{"iat":5}`, `{"jti":"aGk="}`, `{"sub":"x!"}`, `{"nbf":2}`,
	`{"V":1,"Next":{"V":2,"Next":null,"Kids":[{"V":3}]},"M":{"a":{"V":4},"b":null}}`, `{"next":{"v":1}}`,
	`{"N":1}`, `{"n":1}`, `{"N":"1"}`, `{"1":1,"-1":2}`, `{"x":null}`,
	`{"a":{"b":{"a":1,"A":2}}}`, `{"MA":{"k":1,"K":2}}`, `{"In":{"a":1,"A":2}}`, `{"a":1,"A":2}`, `{"Iss":"x"}`, `{"sub":"a","sub":"b"}`,
	`{"exp":"x"}`, `{"aud":null}`, `{"aud":[1]}`, `[]`, `{"a":1,}`, `{"a":1} x`, " {\"a\" : 1 } ",
	`{"SA":` + strings.Repeat("[", 63) + strings.Repeat("]", 63) + `}`,
	`{"SA":` + strings.Repeat("[", 64) + strings.Repeat("]", 64) + `}`,
	`{"In":{"z":` + strings.Repeat("[", 62) + strings.Repeat("]", 62) + `}}`,
	`{"In":{"z":` + strings.Repeat("[", 63) + strings.Repeat("]", 63) + `}}`,
	`{"In":{"z":` + strings.Repeat("[", 62) + "1" + strings.Repeat("]", 62) + `}}`,
	`{"Arr":[{"a":` + strings.Repeat("[", 61) + strings.Repeat("]", 61) + `}]}`,
	`{"Arr":[{"a":` + strings.Repeat("[", 62) + strings.Repeat("]", 62) + `}]}`,
	`{"Un":` + strings.Repeat("[", 63) + strings.Repeat("]", 63) + `}`,
	`{"PS":{"a":` + strings.Repeat("[", 62) + strings.Repeat("]", 62) + `}}`,
	`{"MS":{"s":{"q":` + strings.Repeat("{\"a\":", 61) + "1" + strings.Repeat("}", 61) + `}}}`,
	`{"MS":{"s":{"q":` + strings.Repeat("{\"a\":", 62) + "1" + strings.Repeat("}", 62) + `}}}`,
	`{"S":"\u00e9\ud83d\ude00\n\"","MyS":"\ud800"}`, "{\"S\":\"\xff\"}", `{"S":"a` + "\x01" + `"}`,
}

func TestDecodePlanAgainstEncodingJSON(t *testing.T) {
	for _, payload := range decodeSeeds {
		var cs claimSet
		strictOK := readClaims(payload, &cs) == nil
		for _, typ := range decodeTypes {
			diffDecode(t, typ, payload, strictOK)
		}
	}
}

// FuzzDecodePlan decodes fuzzed claims sets into struct types with every
// field kind (tags, ",string", embedded structs and pointers, maps, slices,
// interfaces, types with their own decoding), into maps and into an empty
// interface, with the decoding plan and with encoding/json: the plan must
// refuse exactly what readClaims refuses, and on what it accepts, agree
// with encoding/json on whether the claims fit and on the values decoded.
func FuzzDecodePlan(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// data as it is, and a claims set generated from it with the
		// field names of the types and values of every kind.
		g := claimsGen{b: data}
		for _, payload := range []string{string(data), g.object(0)} {
			var cs claimSet
			strictOK := readClaims(payload, &cs) == nil
			for _, typ := range decodeTypes {
				diffDecode(t, typ, payload, strictOK)
			}
		}
	})
}

// claimsGen generates JSON from fuzz bytes: objects whose member names are
// those of decodeTypes (and case variants), holding values of every kind.
type claimsGen struct {
	b []byte
	i int
}

func (g *claimsGen) next() int {
	if g.i >= len(g.b) {
		return 0
	}
	g.i++
	return int(g.b[g.i-1])
}

var (
	genNames = sync.OnceValue(func() []string {
		seen := map[string]bool{}
		var out []string
		add := func(n string) {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
		visited := map[reflect.Type]bool{}
		var walk func(t reflect.Type)
		walk = func(t reflect.Type) {
			if visited[t] {
				return
			}
			visited[t] = true
			switch t.Kind() {
			case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
				walk(t.Elem())
			case reflect.Struct:
				fields, _ := codec.Fields(t)
				for _, f := range fields {
					add(f.Name)
					add(strings.ToUpper(f.Name))
					walk(f.Type)
				}
			}
		}
		for _, t := range decodeTypes {
			walk(t)
		}
		for _, n := range []string{"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "zz", "1", "-1", "256", "\u212aelvin", "\u017fub"} {
			add(n)
		}
		return out
	})
	genNumbers = []string{"0", "-0", "1", "-1", "127", "128", "255", "256", "-129", "65536", "2147483648", "1e2", "1.5", "3.4e38", "1e39",
		"1e400", "18446744073709551615", "9223372036854775808", "4102444800", "0.000001", "-1.5e-7"}
	genStrings = []string{``, `x`, `aGk=`, `!!`, `2025-01-02T03:04:05Z`, `\"q\"`, `12`, `true`, `null`, `0x1p4`, `-Inf`, `a!`,
		`\u00e9`, `1e2`, ` 1`, `\"\\ud800\"`, `{}`, `[1]`, `\ud83d\ude00`}
)

func (g *claimsGen) value(depth int) string {
	n := g.next()
	if depth > 3 {
		n %= 4
	}
	switch n % 9 {
	case 0:
		return genNumbers[g.next()%len(genNumbers)]
	case 1:
		return `"` + genStrings[g.next()%len(genStrings)] + `"`
	case 2:
		return []string{"true", "false"}[g.next()%2]
	case 3:
		return "null"
	case 4, 5:
		return g.object(depth + 1)
	default:
		var b strings.Builder
		b.WriteByte('[')
		for i := range g.next() % 4 {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(g.value(depth + 1))
		}
		b.WriteByte(']')
		return b.String()
	}
}

func (g *claimsGen) object(depth int) string {
	names := genNames()
	var b strings.Builder
	b.WriteByte('{')
	for i := range g.next() % 6 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + names[g.next()%len(names)] + `":`)
		b.WriteString(g.value(depth))
	}
	b.WriteByte('}')
	return b.String()
}

func TestDecodePlanFields(t *testing.T) {
	names := func(typ reflect.Type) []string {
		var out []string
		fields, _ := codec.Fields(typ)
		for _, f := range fields {
			out = append(out, fmt.Sprint(f.Name, " ", f.Index))
		}
		return out
	}
	// Name is ambiguous at depth 1 and dropped.
	assert.Equal(t, []string{
		"iss [0 0]", "aud [0 2]", "exp [0 3]", "nbf [0 4]", "iat [0 5]", "jti [0 6]", "id [1 0]",
		"shared [1 2]", "other [2 1]", "ptr_field [3 0]", "ID [3 1]", "hidden [4 0]", "deep_struct [5]", "ro [6]", "scope [7]", "sub [8]",
	}, names(reflect.TypeFor[dpEmbed]()))
	// Both tag "shared" at one depth: dropped; the tagged Name wins.
	assert.Equal(t, []string{"id [0 0]", "Name [1 1]", "own [2]"}, names(dpAmbiguous))
	fields, odd := codec.Fields(reflect.TypeFor[dpTags]())
	assert.True(t, odd, `the tag "a\"b"`)
	var got []string
	for _, f := range fields[2:5] {
		got = append(got, f.Name)
	}
	assert.Equal(t, []string{"-", "E", "f"}, got)
	_, odd = codec.Fields(reflect.TypeFor[dpEmbed]())
	assert.False(t, odd)
}

func TestDecodePlanErrors(t *testing.T) {
	s, v := hs256(t)
	o := &VerifyOptions{Now: fixedClock, AllowMissingExpiration: true, IgnoreAudience: true}
	sign := func(payload string) string {
		tok, err := SignJWS(bg, s, []byte(payload), nil)
		require.NoError(t, err)
		return tok
	}
	// A member that does not fit is malformed, names the member, and
	// keeps encoding/json's error for errors.As.
	_, err := Verify[dpKinds](bg, sign(`{"S":"ok","I8":300}`), v, o)
	require.ErrorIs(t, err, ErrMalformed)
	assert.ErrorContains(t, err, `claims do not fit jwt.dpKinds: member "I8": json: cannot unmarshal number into Go value of type int8`)
	var te *json.UnmarshalTypeError
	assert.True(t, errors.As(err, &te))

	// Claims checks come first: an expired token whose claims do not fit
	// T fails as expired, as when encoding/json decoded T.
	_, err = Verify[dpKinds](bg, sign(`{"I8":300,"exp":1}`), v, &VerifyOptions{Now: fixedClock, IgnoreAudience: true})
	assert.ErrorIs(t, err, ErrExpired)

	// A strict error anywhere wins over a member that does not fit.
	_, err = Verify[dpKinds](bg, sign(`{"I8":300,"In":{"a":1,"A":2}}`), v, o)
	assert.ErrorIs(t, err, ErrMalformed)
	assert.ErrorContains(t, err, "duplicate member")

	// An embedded pointer to an unexported struct cannot be allocated.
	_, err = Verify[dpEmbed](bg, sign(`{"hidden":"x"}`), v, o)
	assert.ErrorIs(t, err, ErrMalformed)
	assert.ErrorContains(t, err, "cannot set embedded pointer to unexported struct")

	// encoding/json panics on a tagged embedded pointer to an unexported
	// struct; the plan refuses it.
	type withROPtr struct {
		*dpRO `json:"rop"`
	}
	for _, payload := range []string{`{"rop":{"x":1}}`, `{"rop":null}`} {
		_, err = Verify[withROPtr](bg, sign(payload), v, o)
		assert.ErrorIs(t, err, ErrMalformed, payload)
	}
	_, err = Verify[withROPtr](bg, sign(`{}`), v, o)
	assert.NoError(t, err)

	// Errors never quote values.
	_, err = Verify[dpKinds](bg, sign(`{"I":"SECRETMARKER"}`), v, o)
	assert.ErrorIs(t, err, ErrMalformed)
	assert.NotContains(t, err.Error(), "SECRET")
}

func TestDecodePlanValues(t *testing.T) {
	s, v := hs256(t)
	o := &VerifyOptions{Now: fixedClock, AllowMissingExpiration: true, IgnoreAudience: true}
	tok, err := SignJWS(bg, s, []byte(`{"sub":"alice","aud":"api","exp":4102444800,"scope":"read","Sub":"x","id":7,"ptr_field":"p"}`), nil)
	require.NoError(t, err)
	_, err = Verify[dpEmbed](bg, tok, v, o)
	assert.ErrorIs(t, err, ErrMalformed, `"Sub" folds to the registered "sub"`)

	tok, err = SignJWS(bg, s, []byte(`{"sub":"alice","aud":"api","exp":4102444800,"scope":"read","id":7,"ptr_field":"p"}`), nil)
	require.NoError(t, err)
	got, err := Verify[dpEmbed](bg, tok, v, o)
	require.NoError(t, err)
	assert.Equal(t, "alice", got.Claims.Subject, "the embedded RegisteredClaims")
	assert.Equal(t, "alice", got.Claims.Sub, "the shallower field of the same name")
	assert.Equal(t, Audience{"api"}, got.Claims.Audience)
	assert.Equal(t, "read", got.Claims.Scope)
	assert.Equal(t, 7, got.Claims.DPBase.ID)
	require.NotNil(t, got.Claims.DPPtr)
	assert.Equal(t, "p", got.Claims.PtrField)
	assert.Nil(t, got.Claims.dpPtr2)

	m, err := Verify[map[string]any](bg, tok, v, o)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"sub": "alice", "aud": "api", "exp": 4102444800.0, "scope": "read", "id": 7.0, "ptr_field": "p"}, m.Claims)
	a, err := Verify[any](bg, tok, v, o)
	require.NoError(t, err)
	assert.Equal(t, m.Claims, a.Claims)
}

// TestDecodePlanDepth: the plan counts nesting as strictjson's Skip does
// from a claim's value, whatever Go value it decodes into.
func TestDecodePlanDepth(t *testing.T) {
	for _, tc := range []struct {
		name, payload string
	}{
		{"any", `{"SA":%s}`},
		{"unknown member of a nested struct", `{"In":{"z":[%s]}}`},
		{"struct in a slice", `{"Arr":[{"a":%s}]}`},
		{"fallback", `{"Un":%s}`},
	} {
		for n := strictjson.MaxDepth - 3; n <= strictjson.MaxDepth+1; n++ {
			payload := fmt.Sprintf(tc.payload, strings.Repeat("[", n)+strings.Repeat("]", n))
			var cs claimSet
			want := readClaims(payload, &cs)
			var k dpKinds
			_, err := decodeClaims(payload, &claimSet{}, &k)
			assert.Equal(t, want == nil, err == nil, "%s, %d levels: %v, readClaims %v", tc.name, n, err, want)
		}
	}
}

// TestDecodeLargeObjects decodes objects of more than 16 members (where
// NameSet takes pooled storage) at the top level and nested, again and
// again so that the storage is reused: equal to encoding/json without a
// duplicate, and refused with a name that folds to an earlier one in the
// pooled part.
func TestDecodeLargeObjects(t *testing.T) {
	object := func(prefix string, n int, dup string) string {
		var b strings.Builder
		b.WriteByte('{')
		for i := range n {
			fmt.Fprintf(&b, `"%s%d":%d,`, prefix, i, i)
			if i == n-5 && dup != "" {
				fmt.Fprintf(&b, `%q:1,`, dup)
			}
		}
		fmt.Fprintf(&b, `"%slast":[1,"x",{"a":null}]}`, prefix)
		return b.String()
	}
	nested := func(dup string) string {
		return `{"In":` + object("z", 40, dup) + `,` + object("m", 40, "")[1:]
	}
	for range 3 {
		for _, payload := range []string{object("m", 40, ""), nested(""), object("m", 300, "")} {
			var cs claimSet
			require.NoError(t, readClaims(payload, &cs))
			for _, typ := range decodeTypes {
				diffDecode(t, typ, payload, true)
			}
		}
		for _, payload := range []string{object("m", 40, "M3"), object("m", 40, "m20"), nested("Z30"), object("k", 300, "\u212a250")} {
			var cs claimSet
			require.ErrorIs(t, readClaims(payload, &cs), ErrMalformed, payload)
			for _, typ := range decodeTypes {
				diffDecode(t, typ, payload, false)
			}
		}
	}
}
