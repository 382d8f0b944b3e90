package strictjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSkipRejectsDuplicatesAtEveryDepth(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{`{"a":1,"b":{"a":1,"b":[{"a":1},{"a":2}]}}`, true},
		{`{"a":1,"A":2}`, false},
		{`{"x":{"a":1,"a":2}}`, false},
		{`[{"a":1},{"a":1,"a":2}]`, false},
		{`{"x":[[[{"k":1,"\u212a":2}]]]}`, false},
		{`{"x":{"adm\u0131n":1,"ADMIN":2}}`, true}, // encoding/json keeps dotless i apart
		{`{"x":{"\u017f":1,"s":2}}`, false},
		{`{"x":{"é":1,"É":2}}`, false},
		{`{"x":{"é":1,"e":2}}`, true},
		{`{"a":1,}`, false},
		{`[1,]`, false},
		{`{"a" 1}`, false},
		{`"\ud800"`, false},
		{"\"\xff\"", false},
		{strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), false},
		{strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth), true},
	} {
		r := NewReader(tc.in)
		err := r.Skip()
		if err == nil {
			err = r.End()
		}
		if tc.ok {
			assert.NoError(t, err, tc.in)
		} else {
			assert.ErrorIs(t, err, ErrMalformed, tc.in)
		}
	}
}

func TestNameSet(t *testing.T) {
	var ns NameSet
	for i := range 100 {
		require.NoError(t, ns.Add(fmt.Sprintf("n%d", i)))
	}
	assert.Equal(t, 100, ns.Len())
	for i := range 100 {
		assert.True(t, ns.Has(fmt.Sprintf("n%d", i)))
		assert.ErrorIs(t, ns.Add(fmt.Sprintf("N%d", i)), ErrMalformed)
	}
	assert.False(t, ns.Has("N5"))
	assert.False(t, ns.Has("n100"))
	assert.ErrorIs(t, ns.Add("\u212a"), nil) // Kelvin: no "k" yet
	assert.ErrorIs(t, ns.Add("k"), ErrMalformed)

	// No allocation for up to 16 names.
	names := make([]string, 16)
	for i := range names {
		names[i] = fmt.Sprintf("member%d", i)
	}
	allocs := testing.AllocsPerRun(100, func() {
		var ns NameSet
		for _, n := range names {
			if ns.Add(n) != nil {
				t.Fatal("duplicate")
			}
		}
	})
	assert.Zero(t, allocs)

	// Release empties the set and gives its storage back: the next large
	// set starts empty, and a set of 300 names released each time costs no
	// allocation once the pool holds storage.
	ns.Release()
	assert.Zero(t, ns.Len())
	assert.False(t, ns.Has("n5"))
	for i := range 300 {
		require.NoError(t, ns.Add(fmt.Sprintf("m%d", i)))
	}
	assert.False(t, ns.Has("n5"))
	assert.True(t, ns.Has("m299"))
	assert.ErrorIs(t, ns.Add("M150"), ErrMalformed)
	ns.Release()
	many := make([]string, 300)
	for i := range many {
		many[i] = fmt.Sprintf("member%d", i)
	}
	allocs = testing.AllocsPerRun(100, func() {
		var ns NameSet
		for _, n := range many {
			if ns.Add(n) != nil {
				t.Fatal("duplicate")
			}
		}
		if !ns.Has("member0") || !ns.Has("member299") || ns.Has("Member1") {
			t.Fatal("Has")
		}
		ns.Release()
	})
	if !raceEnabled { // the race detector drops pooled items at random
		assert.Zero(t, allocs)
	}
}

func TestErrorsNeverQuoteValues(t *testing.T) {
	const secret = "SECRETMARKER"
	for _, in := range []string{
		`{"k":"` + secret + `\q"}`,
		`{"k":"` + secret + "\x01" + `"}`,
		`{"k":"` + secret + `\ud800"}`,
		`{"k":"` + secret,
		`{"k":` + secret + `}`,
		`{"k":"` + secret + `"} ` + secret,
	} {
		r := NewReader(in)
		err := r.Skip()
		if err == nil {
			err = r.End()
		}
		require.Error(t, err, in)
		assert.NotContains(t, err.Error(), "SECRET", in)
		var e *Error
		assert.True(t, errors.As(err, &e))
	}
}

func TestAppendString(t *testing.T) {
	for _, s := range []string{"", "plain", "q\"b\\", "\x00\x1f<>&", "\u2028\u2029", "é😀", "a\bb\fc\nd\re\tf\x7f", "mixed é \n<x>"} {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(AppendString(nil, s)), "%q", s)
	}
	// Invalid UTF-8 is defined here, not by the Go release: Go 1.26's
	// encoding/json writes the escape, Go 1.27's the character itself.
	assert.Equal(t, `"a\ufffdb"`, string(AppendString(nil, "a\xffb")))
}

// foldedByEncodingJSON reports whether encoding/json decodes member a into
// a struct field named b: the rule NameSet must match.
func foldedByEncodingJSON(a, b string) bool {
	typ := reflect.StructOf([]reflect.StructField{{Name: "F", Type: reflect.TypeFor[int](), Tag: reflect.StructTag(`json:"` + b + `"`)}})
	v := reflect.New(typ)
	in, _ := json.Marshal(map[string]int{a: 1})
	if json.Unmarshal(in, v.Interface()) != nil {
		return false
	}
	return v.Elem().Field(0).Int() == 1
}

// tagSafe reports whether encoding/json takes s as a field's name when it
// is written as the json tag: the rule of its isValidTag (letters, digits
// and the punctuation it lists), with "-" and invalid UTF-8 left out. Any
// other tag makes encoding/json fall back to the Go field name, and the
// comparison above would no longer be about folding.
func tagSafe(s string) bool {
	if s == "" || s == "-" || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", r):
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			return false
		}
	}
	return true
}

func TestFoldAgreesWithEncodingJSON(t *testing.T) {
	for _, p := range [][2]string{
		{"kid", "k\u0131d"}, {"kid", "KID"}, {"k", "\u212a"}, {"s", "\u017f"}, {"ß", "SS"},
		{"é", "É"}, {"Σ", "σ"}, {"Σ", "ς"}, {"i", "İ"}, {"a", "b"},
	} {
		assert.Equal(t, foldedByEncodingJSON(p[0], p[1]), FoldEqual(p[0], p[1]), "%q %q", p[0], p[1])
		assert.Equal(t, FoldEqual(p[0], p[1]), FoldHash(p[0]) == FoldHash(p[1]) && FoldEqual(p[0], p[1]))
	}
}

// FuzzReader: what Skip accepts, encoding/json accepts; names NameSet finds
// equal, encoding/json matches to the same struct field, and the reverse.
func FuzzReader(f *testing.F) {
	for _, s := range []string{`{"a":{"b":[1,{"c":null}]}}`, `{"a":1,"A":2}`, `[{"k":1,"\u212a":1}]`, `"x"`, `{"kid":1,"kıd":2}`} {
		f.Add(s, "kid", "KID")
	}
	for _, s := range []string{"0", "7", "1800000000", " 12,", "0123", "-1", "1.5", "1e3", "123456789012345", "1234567890123456", "0.0", "00"} {
		f.Add(s, "a", "b")
	}
	// A tag encoding/json refuses (a quote is reserved) is not a folding case.
	f.Add(`{"'":1}`, "'", "'")
	f.Fuzz(func(t *testing.T, in, a, b string) {
		r := NewReader(in)
		if err := r.Skip(); err == nil && r.End() == nil {
			if !json.Valid([]byte(in)) {
				t.Fatalf("Skip accepted %q, which encoding/json rejects", in)
			}
		} else if err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("error %v does not wrap ErrMalformed", err)
		}
		// SmallInt reads what Number reads, when it reads anything.
		r1, r2 := NewReader(in), NewReader(in)
		if n, ok := r1.SmallInt(); ok {
			text, err := r2.Number()
			if err != nil || r1.Offset() != r2.Offset() {
				t.Fatalf("%q: SmallInt read %d to offset %d, Number %q to %d (%v)", in, n, r1.Offset(), text, r2.Offset(), err)
			}
			if v, err := strconv.ParseInt(text, 10, 64); err != nil || v != n {
				t.Fatalf("%q: SmallInt %d, the number is %s", in, n, text)
			}
		}
		if !tagSafe(a) || !tagSafe(b) {
			return
		}
		eq := FoldEqual(a, b)
		if eq && FoldHash(a) != FoldHash(b) {
			t.Fatalf("%q and %q fold equal with different hashes", a, b)
		}
		if std := foldedByEncodingJSON(a, b); std != eq {
			t.Fatalf("FoldEqual(%q, %q) = %v, encoding/json matches: %v", a, b, eq, std)
		}
	})
}

// TestNotPlain checks the eight-byte test of Reader.str against the
// byte-by-byte table: for every byte at every position of a word of
// otherwise plain bytes, the word is flagged exactly when the byte is not
// plain.
func TestNotPlain(t *testing.T) {
	for pos := range 8 {
		for c := range 256 {
			var x uint64
			for i := range 8 {
				b := uint64('a')
				if i == pos {
					b = uint64(c)
				}
				x |= b << (8 * i)
			}
			if got, want := notPlain(x) != 0, plainASCII[c] == 0; got != want {
				t.Errorf("byte %#x at %d: flagged %v, want %v", c, pos, got, want)
			}
		}
	}
	// The lowest flagged byte is the first byte that is not plain, which
	// str relies on, for words of bytes drawn from the edges of each class
	// (borrows start at bytes just below a boundary).
	edges := []byte{0, 0x1f, 0x20, 0x21, '"', 0x23, 0x5b, '\\', 0x5d, 0x7e, 0x7f, 0x80, 0xa0, 0xa2, 0xdc, 0xff, 'a'}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200_000 {
		var x uint64
		first := 8
		for i := range 8 {
			c := edges[rng.IntN(len(edges))]
			if first == 8 && plainASCII[c] == 0 {
				first = i
			}
			x |= uint64(c) << (8 * i)
		}
		m := notPlain(x)
		if first == 8 {
			if m != 0 {
				t.Fatalf("%#016x: plain word flagged", x)
			}
			continue
		}
		if got := bits.TrailingZeros64(m) >> 3; got != first {
			t.Fatalf("%#016x: lowest flagged byte %d, first byte that is not plain %d", x, got, first)
		}
	}
}
