// Package strictjson is the one strict JSON reader and string writer of
// jwtkit, used for token headers, claims sets and JWKs. It reads without
// reflection and without allocating for strings that have no escapes (they
// are substrings of the input). It is stricter than encoding/json: it
// rejects invalid UTF-8, lone surrogates, nesting deeper than MaxDepth, and,
// in every object at every depth that it reads or skips, member names that
// are equal under encoding/json's case folding (see [NameSet]).
//
// Its errors wrap [ErrMalformed] and name what is wrong (a member name, an
// offset) but never quote a value, which may be a secret.
package strictjson

import (
	"errors"
	"fmt"
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrMalformed is the error every reader error wraps. The root package
// exports it as jwt.ErrMalformed.
var ErrMalformed = errors.New("jwt: malformed token")

// MaxDepth bounds the nesting of arrays and objects.
const MaxDepth = 64

// Error is a reader error: Detail says what is wrong without quoting any
// value, so callers reading key material can reword it.
type Error struct {
	Detail string
}

func (e *Error) Error() string { return ErrMalformed.Error() + ": " + e.Detail }

// Unwrap returns ErrMalformed.
func (e *Error) Unwrap() error { return ErrMalformed }

// Errorf returns an *Error with a formatted detail.
func Errorf(format string, args ...any) error {
	return &Error{Detail: fmt.Sprintf(format, args...)}
}

// Reader reads one JSON text held in a string.
type Reader struct {
	s string
	i int
}

// NewReader returns a Reader of s.
func NewReader(s string) Reader { return Reader{s: s} }

// Offset returns the offset of the next unread byte.
func (r *Reader) Offset() int { return r.i }

// Slice returns the input from start to the next unread byte.
func (r *Reader) Slice(start int) string { return r.s[start:r.i] }

func (r *Reader) ws() {
	for r.i < len(r.s) && r.s[r.i] <= ' ' {
		switch r.s[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// Peek skips whitespace and returns the next byte, or 0 at the end.
func (r *Reader) Peek() byte {
	// Small enough to inline: tokens' JSON seldom has whitespace.
	if r.i < len(r.s) && r.s[r.i] > ' ' {
		return r.s[r.i]
	}
	return r.peekSpace()
}

func (r *Reader) peekSpace() byte {
	r.ws()
	if r.i < len(r.s) {
		return r.s[r.i]
	}
	return 0
}

// End reports an error unless only whitespace remains.
func (r *Reader) End() error {
	if r.Peek() != 0 || r.i != len(r.s) {
		return Errorf("data after the top-level value")
	}
	return nil
}

// ObjectStart consumes '{'.
func (r *Reader) ObjectStart() error {
	if r.Peek() != '{' {
		return Errorf("not a JSON object")
	}
	r.i++
	return nil
}

// FirstMember reads the first member name of an object just opened by
// ObjectStart and the ':' after it. It returns ok == false, having consumed
// '}', for an empty object.
func (r *Reader) FirstMember() (name string, ok bool, err error) {
	if r.Peek() == '}' {
		r.i++
		return "", false, nil
	}
	return r.memberName()
}

// NextMember reads past the ',' after a member's value to the next member
// name and its ':'. It returns ok == false, having consumed '}', when the
// object ends.
func (r *Reader) NextMember() (name string, ok bool, err error) {
	switch r.Peek() {
	case ',':
		r.i++
		if r.Peek() == '}' {
			return "", false, Errorf("trailing comma in object")
		}
		return r.memberName()
	case '}':
		r.i++
		return "", false, nil
	}
	return "", false, Errorf("expected ',' or '}' in object")
}

func (r *Reader) memberName() (string, bool, error) {
	if r.Peek() != '"' {
		return "", false, Errorf("object member name is not a string")
	}
	name, err := r.str()
	if err != nil {
		return "", false, err
	}
	if r.Peek() != ':' {
		return "", false, Errorf("expected ':' after member name")
	}
	r.i++
	return name, true, nil
}

// String reads a string value.
func (r *Reader) String() (string, error) {
	if r.Peek() != '"' {
		return "", Errorf("not a string")
	}
	return r.str()
}

// StringIf reads a string value if the next value is a string, and
// reports ok == false, having read nothing, if it is not.
func (r *Reader) StringIf() (s string, ok bool, err error) {
	if r.Peek() != '"' {
		return "", false, nil
	}
	s, err = r.str()
	return s, err == nil, err
}

// SmallInt reads the next value if it is a JSON integer of at most 15
// digits without sign, fraction or exponent ("0", or a digit 1 to 9 and
// more digits), and returns it. Otherwise it reads nothing and returns
// ok == false: the value is for Number or another method to read.
func (r *Reader) SmallInt() (n int64, ok bool) {
	s, i := r.s, r.i
	if i >= len(s) || s[i] < '0' || s[i] > '9' {
		r.ws()
		if s, i = r.s, r.i; i >= len(s) || s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	start := i
	for ; i < len(s) && i-start < 16; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int64(c-'0')
	}
	d := i - start
	if d > 15 || d > 1 && s[start] == '0' {
		return 0, false
	}
	if i < len(s) && (s[i] == '.' || s[i] == 'e' || s[i] == 'E') {
		return 0, false
	}
	r.i = i
	return n, true
}

// str reads a string; r.s[r.i] is known to be '"'.
func (r *Reader) str() (string, error) {
	start := r.i + 1
	i := start
	// Eight bytes at a time while none of them needs a look, then byte by
	// byte.
	for i+8 <= len(r.s) {
		t := r.s[i : i+8]
		x := uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
			uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
		if m := notPlain(x); m != 0 {
			// The lowest flagged byte is the first one that is not
			// plain (see notPlain): usually the closing quote.
			i += bits.TrailingZeros64(m) >> 3
			goto scanned
		}
		i += 8
	}
	for i < len(r.s) && plainASCII[r.s[i]] != 0 {
		i++
	}
scanned:
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
				return "", Errorf("invalid UTF-8 in string")
			}
			return v, nil
		case c == '\\':
			return r.strEscaped(start)
		case c < 0x20:
			return "", Errorf("control character in string")
		}
	}
	return "", Errorf("unterminated string")
}

// notPlain returns a non-zero value if any of the eight bytes of x is not
// plainASCII: a control character, '"', '\\' or a byte of 0x80 or more. It
// may also flag a plain byte above one that is not (a borrow), never a plain
// word, and never a plain byte below the first one that is not: a borrow
// starts only at a byte that is not plain and moves up. So the lowest
// flagged byte is exactly the first byte that is not plain.
func notPlain(x uint64) uint64 {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	ctl := x - 0x20*ones             // borrows into the high bit of bytes < 0x20
	quote := (x ^ '"'*ones) - ones   // ... of bytes equal to '"'
	bslash := (x ^ '\\'*ones) - ones // ... of bytes equal to '\\'
	return (ctl | quote | bslash | x) & highs
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
func (r *Reader) strEscaped(start int) (string, error) {
	var b strings.Builder
	i := start
	for i < len(r.s) {
		c := r.s[i]
		switch {
		case c == '"':
			r.i = i + 1
			return b.String(), nil
		case c < 0x20:
			return "", Errorf("control character in string")
		case c < utf8.RuneSelf:
			if c != '\\' {
				b.WriteByte(c)
				i++
				continue
			}
			if i+1 >= len(r.s) {
				return "", Errorf("unterminated string")
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
					return "", Errorf("bad \\u escape in string")
				}
				i += 4
				if utf16.IsSurrogate(r1) {
					r2, ok := rune(-1), false
					if i+6 <= len(r.s) && r.s[i] == '\\' && r.s[i+1] == 'u' {
						r2, ok = hex4(r.s, i+2)
					}
					dec := utf16.DecodeRune(r1, r2)
					if !ok || dec == unicode.ReplacementChar {
						return "", Errorf("lone surrogate in string")
					}
					i += 6
					r1 = dec
				}
				b.WriteRune(r1)
			default:
				return "", Errorf("bad escape in string")
			}
		default:
			ru, size := utf8.DecodeRuneInString(r.s[i:])
			if ru == utf8.RuneError && size == 1 {
				return "", Errorf("invalid UTF-8 in string")
			}
			b.WriteString(r.s[i : i+size])
			i += size
		}
	}
	return "", Errorf("unterminated string")
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

// Number reads a JSON number and returns its text.
func (r *Reader) Number() (string, error) {
	r.ws()
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
		return "", Errorf("bad number")
	}
	if i < len(s) && s[i] == '.' {
		i++
		d := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		if i == d {
			return "", Errorf("bad number")
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
			return "", Errorf("bad number")
		}
	}
	r.i = i
	return s[start:i], nil
}

// Skip reads and discards any JSON value, checking its grammar and, in
// every object it holds at any depth, that no two member names are equal
// under encoding/json's case folding.
func (r *Reader) Skip() error { return r.skip(1) }

// SkipNested is Skip for a value nested depth levels inside the top-level
// value: Skip is SkipNested(1), for a member of the top-level object. The
// MaxDepth bound counts from the top-level value, as it would if the
// enclosing values were skipped together.
func (r *Reader) SkipNested(depth int) error { return r.skip(depth) }

func (r *Reader) skip(depth int) error {
	if depth > MaxDepth {
		return Errorf("nesting deeper than %d", MaxDepth)
	}
	switch c := r.Peek(); {
	case c == '"':
		_, err := r.str()
		return err
	case c == '-' || ('0' <= c && c <= '9'):
		_, err := r.Number()
		return err
	case c == '{':
		r.i++
		var names NameSet
		name, ok, err := r.FirstMember()
		for ; ok && err == nil; name, ok, err = r.NextMember() {
			if err = names.Add(name); err != nil {
				return err
			}
			if err = r.skip(depth + 1); err != nil {
				return err
			}
		}
		names.Release()
		return err
	case c == '[':
		r.i++
		if r.Peek() == ']' {
			r.i++
			return nil
		}
		for {
			if err := r.skip(depth + 1); err != nil {
				return err
			}
			switch r.Peek() {
			case ',':
				r.i++
			case ']':
				r.i++
				return nil
			default:
				return Errorf("expected ',' or ']' in array")
			}
		}
	case c == 't':
		return r.literal("true")
	case c == 'f':
		return r.literal("false")
	case c == 'n':
		return r.literal("null")
	}
	return Errorf("unexpected byte at offset %d", r.i)
}

func (r *Reader) literal(lit string) error {
	if !strings.HasPrefix(r.s[r.i:], lit) {
		return Errorf("bad literal at offset %d", r.i)
	}
	r.i += len(lit)
	return nil
}

// StringArray reads an array of strings; an empty array gives an empty,
// non-nil slice.
func (r *Reader) StringArray() ([]string, error) {
	if r.Peek() != '[' {
		return nil, Errorf("not an array")
	}
	r.i++
	out := []string{}
	if r.Peek() == ']' {
		r.i++
		return out, nil
	}
	for {
		if r.Peek() != '"' {
			return nil, Errorf("array element is not a string")
		}
		v, err := r.str()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		switch r.Peek() {
		case ',':
			r.i++
		case ']':
			r.i++
			return out, nil
		default:
			return nil, Errorf("expected ',' or ']' in array")
		}
	}
}

// ArrayStart consumes '['.
func (r *Reader) ArrayStart() error {
	if r.Peek() != '[' {
		return Errorf("not an array")
	}
	r.i++
	return nil
}

// ArrayNext moves to the next element of an array opened by ArrayStart:
// first says whether no element has been read yet. It returns false, having
// consumed ']', when the array ends.
func (r *Reader) ArrayNext(first bool) (bool, error) {
	switch c := r.Peek(); {
	case c == ']' && first:
		r.i++
		return false, nil
	case first:
		return true, nil
	case c == ',':
		r.i++
		if r.Peek() == ']' {
			return false, Errorf("trailing comma in array")
		}
		return true, nil
	case c == ']':
		r.i++
		return false, nil
	}
	return false, Errorf("expected ',' or ']' in array")
}
