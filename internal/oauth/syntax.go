package oauth

import "strings"

// IsQuotable reports whether s may be sent in a quoted-string without
// escapes, and as a JSON string without escapes: printable ASCII other
// than '"' and '\' (RFC 6750 §3: %x20-21 / %x23-5B / %x5D-7E).
func IsQuotable(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isQChar(s[i]) {
			return false
		}
	}
	return true
}

// isQChar reports whether c is a character of IsQuotable.
func isQChar(c byte) bool { return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' }

// Printable returns s with every character IsQuotable refuses replaced by
// '?', so that no value can break out of its quotes, inject a header, or
// need an escape in JSON. It allocates only if s has such a character.
func Printable(s string) string {
	for i := 0; i < len(s); i++ {
		if !isQChar(s[i]) {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if !isQChar(b[j]) {
					b[j] = '?'
				}
			}
			return string(b)
		}
	}
	return s
}

// IsScopeToken reports whether s is a scope-token (RFC 6749 §3.3):
// 1*( %x21 / %x23-5B / %x5D-7E ).
func IsScopeToken(s string) bool {
	return s != "" && IsQuotable(s) && strings.IndexByte(s, ' ') < 0
}

// IsScopeList reports whether s is scope-tokens separated by single spaces.
func IsScopeList(s string) bool {
	for t := range strings.SplitSeq(s, " ") {
		if !IsScopeToken(t) {
			return false
		}
	}
	return true
}

// IsTchar reports whether c may appear in a token (RFC 9110 §5.6.2).
func IsTchar(c byte) bool {
	if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// IsToken reports whether s is a non-empty token (RFC 9110 §5.6.2).
func IsToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !IsTchar(s[i]) {
			return false
		}
	}
	return true
}

// IsB64Token reports whether s matches b64token (RFC 6750 §2.1), the
// syntax of a bearer token and of a DPoP token (RFC 9449 §7.1, token68):
// 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
func IsB64Token(s string) bool {
	i := 0
	// Eight characters at a time, one branch for all of them: a token is
	// hundreds of bytes, read on every request.
	for ; i+8 <= len(s); i += 8 {
		if b64Table[s[i]]&b64Table[s[i+1]]&b64Table[s[i+2]]&b64Table[s[i+3]]&
			b64Table[s[i+4]]&b64Table[s[i+5]]&b64Table[s[i+6]]&b64Table[s[i+7]] == 0 {
			break
		}
	}
	for i < len(s) && isB64Char(s[i]) {
		i++
	}
	if i == 0 {
		return false
	}
	for i < len(s) && s[i] == '=' {
		i++
	}
	return i == len(s)
}

// The characters of b64token other than '=', as bit masks of the ASCII
// codes 0-63 and 64-127: a token is hundreds of bytes, read on every request.
const (
	b64Lo uint64 = 1<<'+' | 1<<'-' | 1<<'.' | 1<<'/' | (1<<10-1)<<'0'
	b64Hi uint64 = (1<<26-1)<<('A'-64) | 1<<('_'-64) | (1<<26-1)<<('a'-64) | 1<<('~'-64)
)

func isB64Char(c byte) bool {
	switch {
	case c < 64:
		return b64Lo>>c&1 != 0
	case c < 128:
		return b64Hi>>(c-64)&1 != 0
	}
	return false
}

// b64Table is isB64Char as a table: 1 for the characters of b64token
// other than '='.
var b64Table = func() (t [256]uint8) {
	for c := range t {
		if isB64Char(byte(c)) {
			t[c] = 1
		}
	}
	return t
}()
