package jwt

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNumericDateJSON(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
		err  bool
	}{
		{in: "0", want: time.Unix(0, 0)},
		{in: "1300819380", want: time.Unix(1300819380, 0)},
		{in: "1300819380.25", want: time.Unix(1300819380, 250_000_000)},
		{in: "1.3008193805e9", want: time.Unix(1300819380, 500_000_000)},
		{in: "253402300799", want: time.Unix(253402300799, 0)},
		{in: "253402300800", err: true},
		{in: "-1", err: true},
		{in: "1e309", err: true},
		{in: `"1300819380"`, err: true},
		{in: "true", err: true},
		{in: "null", err: true},
		{in: "NaN", err: true},
		{in: "01", err: true},
		{in: "1 2", err: true},
	} {
		var d NumericDate
		err := json.Unmarshal([]byte(tc.in), &d)
		if tc.err {
			assert.Error(t, err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.True(t, tc.want.Equal(d.Time), "%s: got %v", tc.in, d.Time)
	}
	for _, tc := range []struct {
		d    NumericDate
		want string
	}{
		{d: NumericDate{time.Unix(1300819380, 0)}, want: "1300819380"},
		{d: NumericDate{time.Unix(1300819380, 250_000_000)}, want: "1300819380.25"},
		{d: NewNumericDate(time.Unix(5, 999_999_999)), want: "5"},
	} {
		b, err := json.Marshal(tc.d)
		require.NoError(t, err)
		assert.Equal(t, tc.want, string(b))
	}
}

func TestAudienceJSON(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Audience
		err  bool
	}{
		{in: `"a"`, want: Audience{"a"}},
		{in: `["a","b"]`, want: Audience{"a", "b"}},
		{in: `[]`, want: Audience{}},
		{in: `null`, err: true},
		{in: `1`, err: true},
		{in: `["a",null]`, err: true},
		{in: `{"a":1}`, err: true},
		{in: `["a" "b"]`, err: true},
	} {
		var a Audience
		err := json.Unmarshal([]byte(tc.in), &a)
		if tc.err {
			assert.Error(t, err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, a)
	}
	b, _ := json.Marshal(Audience{"a"})
	assert.Equal(t, `"a"`, string(b))
	b, _ = json.Marshal(Audience{"a", "b"})
	assert.Equal(t, `["a","b"]`, string(b))
	assert.True(t, Audience{"a", "b"}.Contains("b"))
	assert.False(t, Audience{"a", "b"}.Contains("B"))
}

func TestJSONReaderGrammar(t *testing.T) {
	// Every value must parse exactly when encoding/json says it is valid.
	for _, in := range []string{
		`{}`, `{"a":1}`, `{"a":[1,2,{"b":null}],"c":"\u00e9\n"}`, ` {"a" : -0.5e+3 } `,
		`{"a":1,}`, `{"a"}`, `{"a":}`, `{,}`, `{"a":1 "b":2}`, `{"a":[1,]}`, `{"a":[,1]}`, `{"a":tru}`,
		`{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":1e}`, `{"a":-}`, `{"a":"\x"}`, `{"a":"\u12"}`, "{\"a\":\"\t\"}",
		`{"a":"x`, `{"a":[`, `{"a":{`, `{"a":{"b":1,}}`, `{"a":{"b" 1}}`, `{"a":[1 2]}`, `{"a":nul}`, `{"a":false}`, `{"a":"\ud83d\ude00"}`,
		`{"a":x}`, `{1:2}`,
	} {
		var cs claimSet
		err := readClaims(in, &cs)
		assert.Equal(t, json.Valid([]byte(in)), err == nil, "%q: %v", in, err)
	}
}

func TestNameSetLarge(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"exp":1900000000`)
	for i := range 40 {
		fmt.Fprintf(&b, `,"c%d":%d`, i, i)
	}
	var cs claimSet
	require.NoError(t, readClaims(b.String()+`}`, &cs))
	assert.True(t, cs.has("c39"))
	assert.False(t, cs.has("C39"))
	assert.False(t, cs.has("c40"))
	var cs2 claimSet
	assert.ErrorIs(t, readClaims(b.String()+`,"C39":1}`, &cs2), ErrMalformed)
	var cs3 claimSet
	assert.ErrorIs(t, readClaims(b.String()+`,"\u212a":1,"k":2}`, &cs3), ErrMalformed)
}
