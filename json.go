package jwt

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// This file holds a small, strict JSON reader for the header and the claims.
// It reads without reflection and without allocating for strings that have
// no escapes (they are substrings of the input). It is stricter than
// encoding/json: it rejects invalid UTF-8, lone surrogates and nesting
// deeper than maxDepth, and its callers reject duplicate member names.

// maxDepth bounds the nesting of arrays and objects in a header or claims set.
const maxDepth = 64

type jsonReader struct {
	s string
	i int
}

func errJSON(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

func (r *jsonReader) ws() {
	for r.i < len(r.s) && r.s[r.i] <= ' ' {
		switch r.s[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (r *jsonReader) peek() byte {
	r.ws()
	if r.i < len(r.s) {
		return r.s[r.i]
	}
	return 0
}

// end reports an error unless only whitespace remains.
func (r *jsonReader) end() error {
	if r.peek() != 0 || r.i != len(r.s) {
		return errJSON("data after the top-level value")
	}
	return nil
}

// objectStart consumes '{'.
func (r *jsonReader) objectStart() error {
	if r.peek() != '{' {
		return errJSON("not a JSON object")
	}
	r.i++
	return nil
}

// member reads the next member name of an object and the ':' after it. It
// returns ok == false, having consumed '}', when the object ends. first says
// whether this is the first call for the object.
func (r *jsonReader) member(first bool) (name string, ok bool, err error) {
	c := r.peek()
	if c == '}' {
		if !first {
			return "", false, errJSON("trailing comma in object")
		}
		r.i++
		return "", false, nil
	}
	if !first {
		return "", false, errJSON("expected ',' or '}' in object")
	}
	return r.memberName()
}

// next consumes ',' before a further member, or '}' ending the object.
func (r *jsonReader) next() (more bool, err error) {
	switch r.peek() {
	case ',':
		r.i++
		if r.peek() == '}' {
			return false, errJSON("trailing comma in object")
		}
		return true, nil
	case '}':
		r.i++
		return false, nil
	}
	return false, errJSON("expected ',' or '}' in object")
}

func (r *jsonReader) memberName() (string, bool, error) {
	if r.peek() != '"' {
		return "", false, errJSON("object member name is not a string")
	}
	name, err := r.str()
	if err != nil {
		return "", false, err
	}
	if r.peek() != ':' {
		return "", false, errJSON("expected ':' after member name")
	}
	r.i++
	return name, true, nil
}

// str reads a string value; r.s[r.i] is known to be '"'.
func (r *jsonReader) str() (string, error) {
	start := r.i + 1
	i := start
	for i < len(r.s) && plainASCII[r.s[i]] != 0 {
		i++
	}
	if i < len(r.s) && r.s[i] == '"' {
		r.i = i + 1
		return r.s[start:i], nil
	}
	// Escapes, control characters or non-ASCII bytes: the careful path.
	for ; i < len(r.s); i++ {
		c := r.s[i]
		switch {
		case c == '"':
			v := r.s[start:i]
			r.i = i + 1
			if !utf8.ValidString(v) {
				return "", errJSON("invalid UTF-8 in string")
			}
			return v, nil
		case c == '\\':
			return r.strEscaped(start)
		case c < 0x20:
			return "", errJSON("control character in string")
		}
	}
	return "", errJSON("unterminated string")
}

// plainASCII is 1 for the bytes a JSON string may hold as they are without
// further checks: printable ASCII other than '"' and '\\'.
const plainASCII = "" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x01\x01\x00\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" +
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" +
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" +
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x00\x01\x01\x01" +
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" +
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"

// strEscaped reads a string with escapes from start, just after the quote.
func (r *jsonReader) strEscaped(start int) (string, error) {
	var b strings.Builder
	i := start
	for i < len(r.s) {
		c := r.s[i]
		switch {
		case c == '"':
			r.i = i + 1
			return b.String(), nil
		case c < 0x20:
			return "", errJSON("control character in string")
		case c < utf8.RuneSelf:
			if c != '\\' {
				b.WriteByte(c)
				i++
				continue
			}
			if i+1 >= len(r.s) {
				return "", errJSON("unterminated string")
			}
			e := r.s[i+1]
			i += 2
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r1, ok := hex4(r.s, i)
				if !ok {
					return "", errJSON("bad \\u escape")
				}
				i += 4
				if utf16.IsSurrogate(r1) {
					r2, ok := rune(-1), false
					if i+6 <= len(r.s) && r.s[i] == '\\' && r.s[i+1] == 'u' {
						r2, ok = hex4(r.s, i+2)
					}
					dec := utf16.DecodeRune(r1, r2)
					if !ok || dec == unicode.ReplacementChar {
						return "", errJSON("lone surrogate in string")
					}
					i += 6
					r1 = dec
				}
				b.WriteRune(r1)
			default:
				return "", errJSON("bad escape in string")
			}
		default:
			ru, size := utf8.DecodeRuneInString(r.s[i:])
			if ru == utf8.RuneError && size == 1 {
				return "", errJSON("invalid UTF-8 in string")
			}
			b.WriteString(r.s[i : i+size])
			i += size
		}
	}
	return "", errJSON("unterminated string")
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var v rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		v = v<<4 | rune(c)
	}
	return v, true
}

// number reads a JSON number and returns its text.
func (r *jsonReader) number() (string, error) {
	s, start := r.s, r.i
	i := start
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
	default:
		return "", errJSON("bad number")
	}
	if i < len(s) && s[i] == '.' {
		i++
		d := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		if i == d {
			return "", errJSON("bad number")
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		d := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		if i == d {
			return "", errJSON("bad number")
		}
	}
	r.i = i
	return s[start:i], nil
}

// skip reads and discards any JSON value, checking its grammar.
func (r *jsonReader) skip(depth int) error {
	if depth > maxDepth {
		return errJSON("nesting deeper than %d", maxDepth)
	}
	switch c := r.peek(); {
	case c == '"':
		_, err := r.str()
		return err
	case c == '-' || ('0' <= c && c <= '9'):
		_, err := r.number()
		return err
	case c == '{':
		r.i++
		for first := true; ; first = false {
			var ok bool
			var err error
			if first {
				_, ok, err = r.member(true)
			} else {
				ok, err = r.next()
				if ok {
					_, ok, err = r.memberName()
				}
			}
			if err != nil || !ok {
				return err
			}
			if err := r.skip(depth + 1); err != nil {
				return err
			}
		}
	case c == '[':
		r.i++
		if r.peek() == ']' {
			r.i++
			return nil
		}
		for {
			if err := r.skip(depth + 1); err != nil {
				return err
			}
			switch r.peek() {
			case ',':
				r.i++
			case ']':
				r.i++
				return nil
			default:
				return errJSON("expected ',' or ']' in array")
			}
		}
	case c == 't':
		return r.literal("true")
	case c == 'f':
		return r.literal("false")
	case c == 'n':
		return r.literal("null")
	}
	return errJSON("unexpected byte at offset %d", r.i)
}

func (r *jsonReader) literal(lit string) error {
	if !strings.HasPrefix(r.s[r.i:], lit) {
		return errJSON("bad literal")
	}
	r.i += len(lit)
	return nil
}

// stringArray reads an array of strings.
func (r *jsonReader) stringArray() ([]string, error) {
	if r.peek() != '[' {
		return nil, errJSON("not an array")
	}
	r.i++
	out := []string{}
	if r.peek() == ']' {
		r.i++
		return out, nil
	}
	for {
		if r.peek() != '"' {
			return nil, errJSON("array element is not a string")
		}
		v, err := r.str()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		switch r.peek() {
		case ',':
			r.i++
		case ']':
			r.i++
			return out, nil
		default:
			return nil, errJSON("expected ',' or ']' in array")
		}
	}
}

// nameSet records the member names of one object and rejects duplicates,
// including names equal under Unicode case folding: encoding/json matches
// struct fields case-insensitively, so {"admin":false,"Admin":true} would
// otherwise read differently here and there.
type nameSet struct {
	small [16]string
	wide  uint16 // bit i set: small[i] is not ASCII
	reg   uint16 // bit i set: small[i] is a registered claim name
	seen  uint8  // registered claims seen, by regBit
	n     int
	more  map[string]string // folded name -> name
}

// add records name, or reports a duplicate. reg is regBit(name) for a
// claims set, and 0 for a header. A registered
// claim name is checked against the registered names seen so far only: any
// other name that folds to it is rejected by the claims reader itself.
func (ns *nameSet) add(name string, reg uint8) error {
	if reg != 0 {
		if ns.seen&reg != 0 {
			return errJSON("duplicate member %q", name)
		}
		ns.seen |= reg
		if ns.n < len(ns.small) {
			ns.small[ns.n] = name
			ns.reg |= 1 << ns.n
			ns.n++
			return nil
		}
	}
	ascii := isASCII(name)
	for i, prev := range ns.small[:min(ns.n, len(ns.small))] {
		if ns.reg&(1<<i) != 0 {
			continue
		}
		// ASCII strings of different lengths never fold together.
		if ascii && ns.wide&(1<<i) == 0 {
			if len(prev) == len(name) && asciiEqualFold(prev, name) {
				return errJSON("duplicate member %q", name)
			}
			continue
		}
		if strings.EqualFold(prev, name) {
			return errJSON("duplicate member %q", name)
		}
	}
	if ns.n >= len(ns.small) {
		if ns.more == nil {
			ns.more = make(map[string]string)
		}
		k := foldKey(name)
		if _, dup := ns.more[k]; dup {
			return errJSON("duplicate member %q", name)
		}
		ns.more[k] = name
	} else {
		ns.small[ns.n] = name
		if !ascii {
			ns.wide |= 1 << ns.n
		}
	}
	ns.n++
	return nil
}

// has reports whether name, exactly, was added.
func (ns *nameSet) has(name string) bool {
	for _, prev := range ns.small[:min(ns.n, len(ns.small))] {
		if prev == name {
			return true
		}
	}
	if ns.more == nil {
		return false
	}
	return ns.more[foldKey(name)] == name
}

// foldKey maps s to a canonical member of its case-folding class: every rune
// becomes the smallest rune of its unicode.SimpleFold orbit.
func foldKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			m = min(m, f)
		}
		b.WriteRune(m)
	}
	return b.String()
}

// parseNumericDate converts a JSON number's text to a NumericDate. It
// rejects values that overflow float64 and values outside
// [0, MaxNumericDate].
func parseNumericDate(text string) (NumericDate, error) {
	if len(text) <= 12 && text[0] != '-' && (len(text) == 1 || text[0] != '0') {
		// Fast path for plain integers, the usual form.
		var n int64
		for i := 0; i < len(text); i++ {
			c := text[i]
			if c < '0' || c > '9' {
				goto general
			}
			n = n*10 + int64(c-'0')
		}
		if n > maxNumericDate {
			return NumericDate{}, errJSON("NumericDate %s out of range", text)
		}
		return NumericDate{time.Unix(n, 0).UTC()}, nil
	}
general:
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return NumericDate{}, errJSON("NumericDate %s out of range", text)
	}
	if !(f >= 0 && f <= maxNumericDate) {
		return NumericDate{}, errJSON("NumericDate %s out of range", text)
	}
	return numericDateFromFloat(f), nil
}

func decodeRune(s string) (rune, int) { return utf8.DecodeRuneInString(s) }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// asciiEqualFold reports whether ASCII strings a and b, of equal length,
// are equal under case folding.
func asciiEqualFold(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if x|0x20 != y|0x20 || x|0x20 < 'a' || x|0x20 > 'z' {
			return false
		}
	}
	return true
}
