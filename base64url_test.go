package jwt

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// atkNonCanonical sets an unused trailing bit of a base64url segment, if
// it has any: the same bytes to a lenient decoder, another string.
func atkNonCanonical(seg string) (string, bool) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	if len(seg)%4 == 0 {
		return seg, false
	}
	last := strings.IndexByte(alphabet, seg[len(seg)-1])
	return seg[:len(seg)-1] + string(alphabet[last|1]), true
}

func TestAttackNonCanonicalBase64(t *testing.T) {
	t.Parallel()
	s, v := atkHS256(t)
	// A token whose segments all have unused trailing bits and whose
	// signature holds '-' or '_', found by varying "jti".
	var good string
	for i := 0; ; i++ {
		payload := fmt.Sprintf(`{"sub":"alice","exp":%d,"jti":"%d","x":"~~~???>>>"}`, atkNow.Unix()+3600, i)
		good = atkSign(t, s, `{"alg":"HS256","x":12}`, payload)
		h, p, sig := atkSplit(good)
		if len(h)%4 != 0 && len(p)%4 != 0 && strings.ContainsAny(sig, "-_") && strings.ContainsAny(h+p, "-_") {
			break
		}
		require.Less(t, i, 10000)
	}
	atkControl(t, good, v, nil)
	h, p, sig := atkSplit(good)
	// reMAC signs a changed signing input with the victim's key, so that
	// only the encoding is wrong: a lenient decoder would accept.
	reMAC := func(h, p string) string { return atkMACInput(atkHMACKey, h+"."+p) }
	std := strings.NewReplacer("-", "+", "_", "/")
	nh, _ := atkNonCanonical(h)
	np, _ := atkNonCanonical(p)
	ns, _ := atkNonCanonical(sig)
	lenient, err := base64.RawURLEncoding.DecodeString(ns)
	require.NoError(t, err)
	strict, err := decodeSegment(nil, sig)
	require.NoError(t, err)
	require.Equal(t, strict, lenient, "construction proof: same bytes to a lenient decoder")

	for _, tc := range []struct {
		name  string
		token string
	}{
		{name: "non-canonical signature", token: h + "." + p + "." + ns},
		{name: "non-canonical header", token: reMAC(nh, p)},
		{name: "non-canonical payload", token: reMAC(h, np)},
		{name: "padded signature", token: good + strings.Repeat("=", (4-len(sig)%4)%4)},
		{name: "padded signature extra", token: good + "="},
		{name: "padded header", token: reMAC(h+strings.Repeat("=", (4-len(h)%4)%4), p)},
		{name: "padded payload", token: reMAC(h, p+strings.Repeat("=", (4-len(p)%4)%4))},
		{name: "standard alphabet signature", token: h + "." + p + "." + std.Replace(sig)},
		{name: "standard alphabet header and payload", token: reMAC(std.Replace(h), std.Replace(p))},
		{name: "newline in signature", token: h + "." + p + "." + sig[:10] + "\n" + sig[10:]},
		{name: "CRLF in signature", token: h + "." + p + "." + sig[:10] + "\r\n" + sig[10:]},
		{name: "space in header", token: reMAC(h[:5]+" "+h[5:], p)},
		{name: "tab in payload", token: reMAC(h, p[:5]+"\t"+p[5:])},
		{name: "trailing newline", token: good + "\n"},
		{name: "leading space", token: " " + good},
		{name: "Bearer prefix", token: "Bearer " + good},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.NotEqual(t, good, tc.token)
			atkReject(t, tc.token, v, nil, ErrMalformed)
			_, err := ParseUnverified(tc.token, 0)
			assert.ErrorIs(t, err, ErrMalformed)
		})
	}
}

func FuzzBase64URL(f *testing.F) {
	for _, s := range []string{"", "A", "AA", "AB", "AAA", "AAB", "AAAA", "-_-_", "eyJhbGciOiJIUzI1NiJ9", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYh", "Zm9vYmF", "Zm8=", "Zm+v", "Zm/v", "Zm9v\n", "Zm\r9v", " Zm9v", "Zm9v.YmFy", "\xff\xfe"} {
		f.Add(s)
	}
	strict := base64.RawURLEncoding.Strict()
	f.Fuzz(func(t *testing.T, s string) {
		dec, err := decodeSegment([]byte("prefix"), s)
		if !bytes.HasPrefix(dec, []byte("prefix")) {
			t.Fatalf("decodeSegment lost dst: %q", dec)
		}
		dec = dec[len("prefix"):]
		std, stdErr := strict.DecodeString(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("decodeSegment(%q): error %v does not wrap ErrMalformed", s, err)
			}
			// The standard library's strict decoder skips '\r' and '\n';
			// otherwise it agrees on what is canonical.
			if stdErr == nil && !strings.ContainsAny(s, "\r\n") {
				t.Fatalf("decodeSegment rejected %q, a canonical encoding of %x: %v", s, std, err)
			}
			return
		}
		// Accepted: decoding then encoding gives back the input exactly.
		if re := string(appendEncode(nil, dec)); re != s {
			t.Fatalf("decodeSegment accepted %q, which re-encodes to %q", s, re)
		}
		if stdErr != nil || !bytes.Equal(std, dec) {
			t.Fatalf("decodeSegment(%q) = %x; encoding/base64: %x, %v", s, dec, std, stdErr)
		}
		// And the other way: any bytes survive encode then decode.
		enc := appendEncode(nil, []byte(s))
		back, err := decodeSegment(nil, string(enc))
		if err != nil || string(back) != s {
			t.Fatalf("round trip of %q via %q: %q, %v", s, enc, back, err)
		}
	})
}
