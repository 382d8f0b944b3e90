package jwt

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"slices"
)

// b64Decode maps a base64url alphabet byte to its 6-bit value, and every
// other byte to 0xff. A string constant, so no one can change it.
const b64Decode = "" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x3e\xff\xff" +
	"\x34\x35\x36\x37\x38\x39\x3a\x3b\x3c\x3d\xff\xff\xff\xff\xff\xff" +
	"\xff\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e" +
	"\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\xff\xff\xff\xff\x3f" +
	"\xff\x1a\x1b\x1c\x1d\x1e\x1f\x20\x21\x22\x23\x24\x25\x26\x27\x28" +
	"\x29\x2a\x2b\x2c\x2d\x2e\x2f\x30\x31\x32\x33\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"

// decodedLen returns the decoded length of n base64url characters without
// padding, or -1 if no canonical encoding has that length.
func decodedLen(n int) int {
	if n%4 == 1 {
		return -1
	}
	return n/4*3 + (n%4*6)/8
}

// decodeSegment appends the strict base64url decoding of s to dst. It
// accepts only the URL alphabet without padding, and only the canonical
// encoding: unused trailing bits must be zero. Whitespace, '=', '+' and '/'
// are rejected. Errors wrap ErrMalformed.
func decodeSegment(dst []byte, s string) ([]byte, error) {
	if decodedLen(len(s)) < 0 {
		return dst, fmt.Errorf("%w: base64url length %d is impossible", ErrMalformed, len(s))
	}
	n := len(s) / 4 * 3
	dst = slices.Grow(dst, n+2)
	out := dst[len(dst) : len(dst)+n+2] // two spare bytes for 8-byte stores
	i, o := 0, 0
	for ; i+8 <= len(s) && o+8 <= len(out); i, o = i+8, o+6 {
		t := s[i : i+8] // constant indexes below: no bounds checks
		a, b, c, d := b64Decode[t[0]], b64Decode[t[1]], b64Decode[t[2]], b64Decode[t[3]]
		e, f, g, h := b64Decode[t[4]], b64Decode[t[5]], b64Decode[t[6]], b64Decode[t[7]]
		if a|b|c|d|e|f|g|h == 0xff {
			return dst, badByte(s, i)
		}
		v := uint64(a)<<58 | uint64(b)<<52 | uint64(c)<<46 | uint64(d)<<40 |
			uint64(e)<<34 | uint64(f)<<28 | uint64(g)<<22 | uint64(h)<<16
		binary.BigEndian.PutUint64(out[o:o+8], v)
	}
	for ; i+4 <= len(s); i, o = i+4, o+3 {
		a, b, c, d := b64Decode[s[i]], b64Decode[s[i+1]], b64Decode[s[i+2]], b64Decode[s[i+3]]
		if a|b|c|d == 0xff {
			return dst, badByte(s, i)
		}
		v := uint32(a)<<18 | uint32(b)<<12 | uint32(c)<<6 | uint32(d)
		out[o], out[o+1], out[o+2] = byte(v>>16), byte(v>>8), byte(v)
	}
	dst = dst[:len(dst)+n]
	switch len(s) - i {
	case 2:
		a, b := b64Decode[s[i]], b64Decode[s[i+1]]
		if a|b == 0xff {
			return dst, badByte(s, i)
		}
		if b&0x0f != 0 {
			return dst, fmt.Errorf("%w: non-canonical base64url (unused bits set)", ErrMalformed)
		}
		dst = append(dst, a<<2|b>>4)
	case 3:
		a, b, c := b64Decode[s[i]], b64Decode[s[i+1]], b64Decode[s[i+2]]
		if a|b|c == 0xff {
			return dst, badByte(s, i)
		}
		if c&0x03 != 0 {
			return dst, fmt.Errorf("%w: non-canonical base64url (unused bits set)", ErrMalformed)
		}
		dst = append(dst, a<<2|b>>4, b<<4|c>>2)
	}
	return dst, nil
}

func badByte(s string, i int) error {
	for ; i < len(s); i++ {
		if b64Decode[s[i]] == 0xff {
			break
		}
	}
	return fmt.Errorf("%w: the byte at offset %d is not base64url", ErrMalformed, i)
}

// appendEncode appends the base64url encoding of src, without padding, to dst.
func appendEncode(dst, src []byte) []byte {
	return base64.RawURLEncoding.AppendEncode(dst, src)
}
