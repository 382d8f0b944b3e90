package codec

import (
	"strconv"

	"github.com/jwtkit/jwt/internal/strictjson"
)

// Number parsing: JSON number texts read into Go numbers with the results
// of strconv, and fast paths for the usual short ones.

// number reads the number at r; ok is false, with nothing read, if the
// value is not a number, and null has been read if isNull.
func number(r *strictjson.Reader) (text string, ok, isNull bool, err error) {
	switch c := r.Peek(); {
	case c == '-' || '0' <= c && c <= '9':
		text, err = r.Number()
		return text, true, false, err
	case c == 'n':
		return "", false, true, r.Skip()
	}
	return "", false, false, nil
}

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// parseFloat64 is strconv.ParseFloat(text, 64) for text, a JSON number.
// A number without exponent and with at most 15 digits is m/10^k for
// integers m < 10^15 and k <= 15, both exact in a float64, so one division
// rounds it correctly, as ParseFloat does (and as it does itself in that
// case, after a more general scan).
func parseFloat64(text string) (float64, error) {
	i, neg := 0, false
	if len(text) > 0 && text[0] == '-' {
		i, neg = 1, true
	}
	var m uint64
	digits, frac := 0, -1
	for ; i < len(text); i++ {
		c := text[i]
		switch {
		case '0' <= c && c <= '9':
			m = m*10 + uint64(c-'0')
			digits++
			continue
		case c == '.' && frac < 0:
			frac = i
			continue
		}
		return strconv.ParseFloat(text, 64) // an exponent
	}
	if digits == 0 || digits > 15 {
		return strconv.ParseFloat(text, 64)
	}
	f := float64(m)
	if frac >= 0 {
		f /= pow10[len(text)-frac-1]
	}
	if neg {
		f = -f // -0 for "-0", as ParseFloat gives
	}
	return f, nil
}

// parseInt64 is strconv.ParseInt(text, 10, 64), without the general scan
// for at most 18 decimal digits, which cannot overflow.
func parseInt64(text string) (int64, error) {
	i, neg := 0, false
	if len(text) > 0 && text[0] == '-' {
		i, neg = 1, true
	}
	if len(text)-i == 0 || len(text)-i > 18 {
		return strconv.ParseInt(text, 10, 64)
	}
	var n int64
	for ; i < len(text); i++ {
		c := text[i]
		if c < '0' || c > '9' {
			return strconv.ParseInt(text, 10, 64)
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, nil
}

// isValidNumber reports whether s is a JSON number and nothing else.
func isValidNumber(s string) bool {
	r := strictjson.NewReader(s)
	text, err := r.Number()
	return err == nil && len(text) == len(s)
}
