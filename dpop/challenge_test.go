package dpop_test

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwt/dpop"
)

func TestChallenge(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    dpop.Challenge
		want string
	}{
		{name: "no credentials", c: dpop.Challenge{Algorithms: []string{"ES256", "EdDSA"}}, want: `DPoP algs="ES256 EdDSA"`},
		{name: "bare", c: dpop.Challenge{}, want: `DPoP`},
		{
			name: "invalid proof",
			c:    dpop.Challenge{Error: dpop.CodeInvalidProof, Description: "DPoP proof replayed", Algorithms: []string{"ES256"}},
			want: `DPoP error="invalid_dpop_proof", error_description="DPoP proof replayed", algs="ES256"`,
		},
		{
			name: "RFC 9449 §7.1 example",
			c:    dpop.Challenge{Error: dpop.CodeInvalidToken, Description: "Invalid DPoP key binding", Algorithms: []string{"ES256"}},
			want: `DPoP error="invalid_token", error_description="Invalid DPoP key binding", algs="ES256"`,
		},
		{
			name: "realm and scope",
			c:    dpop.Challenge{Realm: "api", Scope: "read write", Error: "insufficient_scope"},
			want: `DPoP realm="api", scope="read write", error="insufficient_scope"`,
		},
		{
			name: "resource metadata (RFC 9728 §5.1)",
			c:    dpop.Challenge{Error: dpop.CodeInvalidToken, Algorithms: []string{"ES256"}, ResourceMetadata: "https://api.example/.well-known/oauth-protected-resource"},
			want: `DPoP error="invalid_token", algs="ES256", resource_metadata="https://api.example/.well-known/oauth-protected-resource"`,
		},
		{
			name: "quotes, backslashes, non-ASCII and line breaks cannot escape",
			c:    dpop.Challenge{Error: dpop.CodeInvalidProof, Description: "a\"b\\c\r\nSet-Cookie: x=1 é"},
			want: `DPoP error="invalid_dpop_proof", error_description="a?b?c??Set-Cookie: x=1 ??"`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.c.String())
		})
	}
}

func TestChallengeFor(t *testing.T) {
	algs := []string{"ES256"}
	assert.Equal(t, `DPoP error="use_dpop_nonce", error_description="DPoP proof requires a fresh server nonce", algs="ES256"`,
		dpop.ChallengeFor(dpop.ErrUseNonce, algs).String())
	assert.Equal(t, `DPoP error="invalid_dpop_proof", error_description="DPoP proof htu does not match the request", algs="ES256"`,
		dpop.ChallengeFor(dpop.ErrURIMismatch, algs).String())
	assert.Equal(t, `DPoP error="invalid_token", error_description="Invalid DPoP key binding", algs="ES256"`,
		dpop.ChallengeFor(dpop.ErrTokenBinding, algs).String())
	assert.Equal(t, `DPoP algs="ES256"`, dpop.ChallengeFor(nil, algs).String())
}

func TestWriteTokenError(t *testing.T) {
	w := httptest.NewRecorder()
	dpop.WriteTokenError(w, dpop.CodeUseNonce, "Authorization server requires nonce in DPoP proof", "eyJ7S_zG.eyJH0-Z.HX4w-7v")
	assert.Equal(t, 400, w.Code)
	assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
	assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
	assert.Equal(t, []string{"eyJ7S_zG.eyJH0-Z.HX4w-7v"}, w.Header().Values("DPoP-Nonce"))
	var body map[string]string
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
	assert.Equal(t, map[string]string{"error": "use_dpop_nonce", "error_description": "Authorization server requires nonce in DPoP proof"}, body)

	w = httptest.NewRecorder()
	dpop.WriteTokenError(w, dpop.CodeInvalidProof, "bad \"quote\"\n", "")
	assert.Empty(t, w.Header().Values("DPoP-Nonce"))
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
	assert.Equal(t, map[string]string{"error": "invalid_dpop_proof", "error_description": "bad ?quote??"}, body)
}
