package main

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jwtkit/jwt"
)

// quote quotes s for a message, as the library quotes names: in double
// quotes, with Go escapes for control characters and non-ASCII.
func quote(s string) string { return strconv.QuoteToASCII(s) }

// libText returns the message of err, an error of the library, for jwt to
// print after its own "jwt: ": without the "jwt: " (or "jwks: ") with which the library
// starts each message.
func libText(err error) string {
	msg := err.Error()
	if m, ok := strings.CutPrefix(msg, "jwks: "); ok {
		return m
	}
	return strings.TrimPrefix(msg, "jwt: ")
}

// sizeHint says how to read a token that err reports as too large.
func sizeHint(err error) string {
	if errors.Is(err, jwt.ErrTooLarge) {
		return " (--max-size BYTES raises the limit)"
	}
	return ""
}

// oneLine returns s with what a terminal would act on escaped, so that it
// prints as one line of text: C0 controls (newline included), DEL, C1
// controls, the bidirectional formatting characters, U+2028, U+2029 and
// bytes that are not UTF-8. Other text, non-ASCII letters included, is
// kept.
func oneLine(s string) string {
	if !strings.ContainsFunc(s, unsafeRune) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			const hexd = "0123456789abcdef"
			b.WriteString(`\x`)
			b.WriteByte(hexd[s[i]>>4])
			b.WriteByte(hexd[s[i]&0xf])
		case unsafeRune(r):
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// unsafeRune reports whether a terminal could act on r rather than show
// it; utf8.RuneError stands for a byte that is not UTF-8.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, 0x7f <= r && r <= 0x9f:
		return true
	case r == utf8.RuneError, r == 0x2028, r == 0x2029:
		return true
	}
	return isBidiControl(r)
}

// isBidiControl reports whether r is one of the characters that change the
// direction of text (U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069),
// with which text can be made to read other than it is.
func isBidiControl(r rune) bool {
	return r == 0x200e || r == 0x200f || 0x202a <= r && r <= 0x202e || 0x2066 <= r && r <= 0x2069
}

// escapeUnprintable appends the JSON text b with each byte that is not valid
// UTF-8 written as \ufffd, and DEL, the C1 control characters (U+0080 to
// U+009F), U+2028, U+2029 and the bidirectional formatting characters (see
// isBidiControl) as \u escapes; other characters are copied.
// In valid JSON, every byte from 0x7f up is inside a string, where these
// escapes mean what they say, so the result is valid JSON, in UTF-8 and
// without control characters.
func escapeUnprintable(dst, b []byte) []byte {
	const hexd = "0123456789abcdef"
	for i := 0; i < len(b); {
		c := b[i]
		if c < 0x7f {
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, `\ufffd`...)
		case r <= 0x9f, r == 0x2028, r == 0x2029, isBidiControl(r):
			dst = append(dst, '\\', 'u', hexd[r>>12], hexd[r>>8&0xf], hexd[r>>4&0xf], hexd[r&0xf])
		default:
			dst = append(dst, b[i:i+size]...)
		}
		i += size
	}
	return dst
}
