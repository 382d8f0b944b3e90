package oauth_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/jwtkit/jwt/dpop"
	"github.com/jwtkit/jwt/internal/oauth"
)

func TestChallenge(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    oauth.Challenge
		want string
	}{
		{name: "no credentials", c: oauth.Challenge{Scheme: oauth.DPoP, Algorithms: []string{"ES256", "EdDSA"}}, want: `DPoP algs="ES256 EdDSA"`},
		{name: "bare", c: oauth.Challenge{Scheme: oauth.DPoP}, want: `DPoP`},
		{
			name: "invalid proof",
			c:    oauth.Challenge{Scheme: oauth.DPoP, Error: oauth.InvalidDPoPProof, Description: "DPoP proof replayed", Algorithms: []string{"ES256"}},
			want: `DPoP error="invalid_dpop_proof", error_description="DPoP proof replayed", algs="ES256"`,
		},
		{
			name: "RFC 9449 §7.1 example",
			c:    oauth.Challenge{Scheme: oauth.DPoP, Error: oauth.InvalidToken, Description: "Invalid DPoP key binding", Algorithms: []string{"ES256"}},
			want: `DPoP error="invalid_token", error_description="Invalid DPoP key binding", algs="ES256"`,
		},
		{
			name: "realm and scope",
			c:    oauth.Challenge{Scheme: oauth.DPoP, Realm: "api", Scope: "read write", Error: "insufficient_scope"},
			want: `DPoP realm="api", scope="read write", error="insufficient_scope"`,
		},
		{
			name: "resource metadata (RFC 9728 §5.1)",
			c:    oauth.Challenge{Scheme: oauth.DPoP, Error: oauth.InvalidToken, Algorithms: []string{"ES256"}, ResourceMetadata: "https://api.example/.well-known/oauth-protected-resource"},
			want: `DPoP error="invalid_token", algs="ES256", resource_metadata="https://api.example/.well-known/oauth-protected-resource"`,
		},
		{
			name: "quotes, backslashes, non-ASCII and line breaks cannot escape",
			c:    oauth.Challenge{Scheme: oauth.DPoP, Error: oauth.InvalidDPoPProof, Description: "a\"b\\c\r\nSet-Cookie: x=1 é"},
			want: `DPoP error="invalid_dpop_proof", error_description="a?b?c??Set-Cookie: x=1 ??"`,
		},
		{name: "Bearer, no credentials", c: oauth.Challenge{Realm: "api"}, want: `Bearer realm="api"`},
		{name: "Bearer bare", c: oauth.Challenge{}, want: `Bearer`},
		{
			name: "Bearer, RFC 6750 §3 order",
			c: oauth.Challenge{Realm: "api", Scope: "a b", Error: oauth.InsufficientScope, Description: "the access token lacks a required scope",
				ResourceMetadata: "https://api.example/md", Algorithms: []string{"ES256"}},
			want: `Bearer realm="api", error="insufficient_scope", error_description="the access token lacks a required scope", scope="a b", resource_metadata="https://api.example/md"`,
		},
		{name: "a description needs an error", c: oauth.Challenge{Description: "x"}, want: `Bearer`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.c.String())
		})
	}
}

// challengeFor is the DPoP challenge a resource answers err with.
func challengeFor(err error, algs []string) string {
	code, desc := oauth.Describe(err)
	return (&oauth.Challenge{Scheme: oauth.DPoP, Error: code, Description: desc, Algorithms: algs}).String()
}

func TestChallengeForDPoPErrors(t *testing.T) {
	algs := []string{"ES256"}
	assert.Equal(t, `DPoP error="use_dpop_nonce", error_description="DPoP proof requires a fresh server nonce", algs="ES256"`,
		challengeFor(dpop.ErrUseNonce, algs))
	assert.Equal(t, `DPoP error="invalid_dpop_proof", error_description="DPoP proof htu does not match the request", algs="ES256"`,
		challengeFor(dpop.ErrURIMismatch, algs))
	assert.Equal(t, `DPoP error="invalid_token", error_description="Invalid DPoP key binding", algs="ES256"`,
		challengeFor(dpop.ErrTokenBinding, algs))
	assert.Equal(t, `DPoP algs="ES256"`, challengeFor(nil, algs))
}

func TestAddChallenges(t *testing.T) {
	both := &oauth.Resource{Realm: "api", Scope: "read", Bearer: true, Algorithms: []string{"ES256"}}
	for _, tc := range []struct {
		name              string
		res               *oauth.Resource
		in                oauth.Scheme
		code, desc, scope string
		want              []string
	}{
		{name: "no token", res: both, scope: "read", want: []string{`Bearer realm="api", scope="read"`, `DPoP realm="api", scope="read", algs="ES256"`}},
		{name: "no token, scope needed", res: both, scope: "write", want: []string{`Bearer realm="api", scope="write"`, `DPoP realm="api", scope="write", algs="ES256"`}},
		{
			name: "bearer refused", res: both, in: oauth.Bearer, code: "invalid_token", desc: "d", scope: "read",
			want: []string{`Bearer realm="api", error="invalid_token", error_description="d", scope="read"`, `DPoP realm="api", scope="read", algs="ES256"`},
		},
		{
			name: "DPoP refused", res: both, in: oauth.DPoP, code: "invalid_dpop_proof", desc: "d",
			want: []string{`Bearer realm="api", scope="read"`, `DPoP realm="api", error="invalid_dpop_proof", error_description="d", algs="ES256"`},
		},
		{
			name: "a bearer token at a DPoP-only resource", res: &oauth.Resource{Algorithms: []string{"ES256"}}, in: oauth.Bearer, code: "invalid_token", desc: "d",
			want: []string{`DPoP error="invalid_token", error_description="d", algs="ES256"`},
		},
		{name: "bearer only", res: &oauth.Resource{Bearer: true}, in: oauth.Bearer, code: "invalid_token", want: []string{`Bearer error="invalid_token"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			tc.res.AddChallenges(h, tc.in, tc.code, tc.desc, tc.scope)
			assert.Equal(t, tc.want, h.Values("WWW-Authenticate"))
		})
	}
}

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
			assert.Equal(t, tc.want, oauth.ChallengeParams(tc.values, "DPoP"))
		})
	}
}

// TestChallengeRoundTrip checks that what Challenge writes, the client
// reads back.
func TestChallengeRoundTrip(t *testing.T) {
	c := oauth.Challenge{Scheme: oauth.DPoP, Realm: "r", Error: oauth.UseDPoPNonce, Description: "a, b", Algorithms: []string{"ES256", "EdDSA"}}
	assert.Equal(t, map[string]string{"realm": "r", "error": oauth.UseDPoPNonce, "error_description": "a, b", "algs": "ES256 EdDSA"},
		oauth.ChallengeParams([]string{`Bearer realm="r"`, c.String()}, "DPoP"))
}
