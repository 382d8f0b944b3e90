package oauth_test

import (
	"strings"
	"testing"

	"github.com/jwtkit/jwt/internal/oauth"
)

// TestB64TokenLong checks IsB64Token on tokens longer than the eight
// characters it reads at a time: every byte at every position of a
// 27-character token, and '=' padding after runs of each length.
func TestB64TokenLong(t *testing.T) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/"
	base := []byte(alphabet[:27])
	checked := 0
	for pos := range base {
		for c := 0; c < 256; c++ {
			s := append([]byte(nil), base...)
			s[pos] = byte(c)
			want := strings.IndexByte(alphabet, byte(c)) >= 0 || (c == '=' && pos == len(s)-1)
			if got := oauth.IsB64Token(string(s)); got != want {
				t.Errorf("IsB64Token(%q) = %v, want %v", s, got, want)
			}
			checked++
		}
	}
	for n := 1; n < 20; n++ {
		for pad := 0; pad < 3; pad++ {
			s := alphabet[:n] + strings.Repeat("=", pad)
			if !oauth.IsB64Token(s) {
				t.Errorf("IsB64Token(%q) = false", s)
			}
			if oauth.IsB64Token(s+"a") && pad > 0 {
				t.Errorf("IsB64Token(%q) = true", s+"a")
			}
			checked++
		}
	}
	t.Logf("%d strings checked", checked)
}
