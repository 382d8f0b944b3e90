package oauth_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/jwtkit/jwt/internal/oauth"
)

func TestB64Token(t *testing.T) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/"
	for c := 0; c < 256; c++ {
		if got, want := oauth.IsB64Token(string([]byte{byte(c)})), strings.IndexByte(alphabet, byte(c)) >= 0; got != want {
			t.Errorf("IsB64Token(%q) = %v", byte(c), got)
		}
	}
	for s, want := range map[string]bool{"": false, "a": true, "a==": true, "=": false, "a=b": false, "a b": false, "a.b~c+/=": true} {
		assert.Equal(t, want, oauth.IsB64Token(s), "%q", s)
	}
}

func TestSyntax(t *testing.T) {
	assert.True(t, oauth.IsQuotable("printable ASCII !#$%&'()*+,-./:;<=>?@[]^_`{|}~"))
	for _, s := range []string{`"`, `\`, "\n", "\x7f", "é"} {
		assert.False(t, oauth.IsQuotable("a"+s), "%q", s)
	}
	assert.Equal(t, "a?b?c??x ??", oauth.Printable("a\"b\\c\r\nx é"))
	assert.Equal(t, "clean", oauth.Printable("clean"))
	assert.True(t, oauth.IsScopeList("a b:c"))
	for _, s := range []string{"", "a  b", " a", "a ", `a"`} {
		assert.False(t, oauth.IsScopeList(s), "%q", s)
	}
	assert.True(t, oauth.IsToken("__Host-at"))
	assert.False(t, oauth.IsToken("a b"))
	assert.False(t, oauth.IsToken(""))
}

func TestParseAuthorization(t *testing.T) {
	for _, tc := range []struct {
		v        string
		withDPoP bool
		token    string
		scheme   oauth.Scheme
		ok       bool
	}{
		{v: "Bearer abc", token: "abc", scheme: oauth.Bearer, ok: true},
		{v: "bEaReR    abc", token: "abc", scheme: oauth.Bearer, ok: true},
		{v: "Bearer abc def", token: "abc def", scheme: oauth.Bearer, ok: true}, // syntax is IsB64Token's
		{v: "Bearer", scheme: oauth.Bearer},
		{v: "Bearer ", scheme: oauth.Bearer},
		{v: "Bearer\tabc", scheme: oauth.Bearer},
		{v: "DPoP abc", withDPoP: true, token: "abc", scheme: oauth.DPoP, ok: true},
		{v: "DPoP abc", scheme: oauth.Other, ok: true},
		{v: "dpop", withDPoP: true, scheme: oauth.DPoP},
		{v: "Basic YWxhZGRpbg==", scheme: oauth.Other, ok: true},
		{v: "", scheme: oauth.Other},
		{v: " Bearer abc", scheme: oauth.Other},
	} {
		token, scheme, ok := oauth.ParseAuthorization(tc.v, tc.withDPoP)
		assert.Equal(t, tc.token, token, "%q", tc.v)
		assert.Equal(t, tc.scheme, scheme, "%q", tc.v)
		assert.Equal(t, tc.ok, ok, "%q", tc.v)
	}
}
