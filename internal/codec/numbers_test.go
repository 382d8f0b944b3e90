package codec

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/jwtkit/jwt/internal/strictjson"
)

// TestParseNumbers checks the fast paths of parseFloat64 and parseInt64
// bit for bit against strconv, on JSON numbers of every shape near their
// limits: digits up to and past 15 or 18, fractions, signs, zeros,
// exponents.
func TestParseNumbers(t *testing.T) {
	texts := []string{"0", "-0", "0.0", "-0.0", "1", "-1", "0.5", "6.75", "0.1", "0.3", "123456789012345",
		"1234567890123456", "999999999999999", "9999999999999999", "0.000000000000001", "0.0000000000000001",
		"1e5", "1E-5", "-2.5e+3", "9007199254740993", "123456789012345678", "1234567890123456789",
		"-9223372036854775808", "9223372036854775807", "9223372036854775808", "99999999999999999999",
		"1.7976931348623157e308", "1e400", "4.9e-324", "12345.678901234", "0.123456789012345"}
	rng := uint64(1)
	next := func(n int) int {
		rng ^= rng << 13
		rng ^= rng >> 7
		rng ^= rng << 17
		return int(rng % uint64(n))
	}
	for range 100_000 {
		var b strings.Builder
		if next(2) == 0 {
			b.WriteByte('-')
		}
		if n := next(20); n == 0 {
			b.WriteByte('0')
		} else {
			b.WriteByte(byte('1' + next(9)))
			for range n - 1 {
				b.WriteByte(byte('0' + next(10)))
			}
		}
		if next(2) == 0 {
			b.WriteByte('.')
			for range 1 + next(17) {
				b.WriteByte(byte('0' + next(10)))
			}
		}
		if next(8) == 0 {
			fmt.Fprintf(&b, "e%d", next(40)-20)
		}
		texts = append(texts, b.String())
	}
	for _, s := range texts {
		r := strictjson.NewReader(s)
		if text, err := r.Number(); err != nil || text != s {
			t.Fatalf("%q is not a JSON number", s)
		}
		f, err := parseFloat64(s)
		want, wantErr := strconv.ParseFloat(s, 64)
		if math.Float64bits(f) != math.Float64bits(want) || (err == nil) != (wantErr == nil) {
			t.Fatalf("parseFloat64(%q) = %v, %v; strconv: %v, %v", s, f, err, want, wantErr)
		}
		n, err := parseInt64(s)
		wantN, wantErr := strconv.ParseInt(s, 10, 64)
		if n != wantN || (err == nil) != (wantErr == nil) {
			t.Fatalf("parseInt64(%q) = %v, %v; strconv: %v, %v", s, n, err, wantN, wantErr)
		}
	}
}
