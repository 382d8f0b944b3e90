package dpop

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestChallengeParams checks the client's reading of WWW-Authenticate.
func TestChallengeParams(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values []string
		want   map[string]string
	}{
		{name: "DPoP alone", values: []string{`DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"`},
			want: map[string]string{"error": "use_dpop_nonce", "error_description": "Resource server requires nonce in DPoP proof"}},
		{name: "after Bearer", values: []string{`Bearer realm="api", error="invalid_token", DPoP algs="ES256 PS256", error="use_dpop_nonce"`},
			want: map[string]string{"algs": "ES256 PS256", "error": "use_dpop_nonce"}},
		{name: "second field", values: []string{`Bearer realm="api"`, `dpop ERROR=use_dpop_nonce`},
			want: map[string]string{"error": "use_dpop_nonce"}},
		{name: "escapes and commas in quotes", values: []string{`DPoP error_description="a, \"b\" DPoP x=y", error="use_dpop_nonce"`},
			want: map[string]string{"error_description": `a, "b" DPoP x=y`, "error": "use_dpop_nonce"}},
		{name: "after a token68", values: []string{`Basic YWxhZGRpbjpvcGVuc2VzYW1l==, DPoP error="use_dpop_nonce"`},
			want: map[string]string{"error": "use_dpop_nonce"}},
		{name: "bare DPoP", values: []string{`DPoP`}, want: map[string]string{}},
		{name: "Bearer only", values: []string{`Bearer error="use_dpop_nonce"`}},
		{name: "none", values: nil},
		{name: "garbage", values: []string{`,,, =, "`, `=DPoP`, `"DPoP error=x"`}},
		{name: "unterminated quote", values: []string{`DPoP error="use_dpop_nonce`}, want: map[string]string{"error": "use_dpop_nonce"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, challengeParams(tc.values))
		})
	}
}

// TestChallengeRoundTrip checks that what Challenge writes, the client
// reads back.
func TestChallengeRoundTrip(t *testing.T) {
	c := Challenge{Realm: "r", Error: CodeUseNonce, Description: "a, b", Algorithms: []string{"ES256", "EdDSA"}}
	assert.Equal(t, map[string]string{"realm": "r", "error": CodeUseNonce, "error_description": "a, b", "algs": "ES256 EdDSA"},
		challengeParams([]string{`Bearer realm="r"`, c.String()}))
}
