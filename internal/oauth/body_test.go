package oauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
	"github.com/jwtkit/jwt/internal/oauth"
)

func TestAppendError(t *testing.T) {
	assert.Equal(t, `{"error":"invalid_token","error_description":"the access token expired"}`,
		string(oauth.AppendError(nil, "invalid_token", "the access token expired", "")))
	assert.Equal(t, `{"error_description":"the request has no access token"}`,
		string(oauth.AppendError(nil, "", "the request has no access token", "")))
	assert.Equal(t, `{"error":"insufficient_scope","error_description":"d","scope":"a b"}`,
		string(oauth.AppendError(nil, "insufficient_scope", "d", "a b")))
	assert.Equal(t, `{}`, string(oauth.AppendError(nil, "", "", "")))
	assert.Equal(t, `{"error":"x","error_description":"bad ?quote??"}`, string(oauth.AppendError(nil, "x", "bad \"quote\"\n", "")))
}

func TestErrorCode(t *testing.T) {
	assert.Equal(t, "use_dpop_nonce", oauth.ErrorCode([]byte(`{"error_description":"x","error":"use_dpop_nonce"}`)))
	assert.Equal(t, "", oauth.ErrorCode([]byte(`{"error":1}`)))
	assert.Equal(t, "", oauth.ErrorCode([]byte(`not json`)))
}

func TestTokenError(t *testing.T) {
	w := httptest.NewRecorder()
	(&oauth.TokenError{Status: http.StatusBadRequest, Code: oauth.UseDPoPNonce, Description: "Authorization server requires nonce in DPoP proof", Nonce: "eyJ7S_zG.eyJH0-Z.HX4w-7v"}).Write(w)
	assert.Equal(t, 400, w.Code)
	assert.Equal(t, "application/json;charset=UTF-8", w.Header().Get("Content-Type"))
	assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
	assert.Equal(t, "no-cache", w.Header().Get("Pragma"))
	assert.Equal(t, []string{"eyJ7S_zG.eyJH0-Z.HX4w-7v"}, w.Header().Values("DPoP-Nonce"))
	assert.Empty(t, w.Header().Values("WWW-Authenticate"))
	var body map[string]string
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
	assert.Equal(t, map[string]string{"error": "use_dpop_nonce", "error_description": "Authorization server requires nonce in DPoP proof"}, body)
	assert.Equal(t, `{"error":"use_dpop_nonce","error_description":"Authorization server requires nonce in DPoP proof"}`+"\n", w.Body.String())

	w = httptest.NewRecorder()
	(&oauth.TokenError{Status: http.StatusBadRequest, Code: oauth.InvalidDPoPProof, Description: "bad \"quote\"\n"}).Write(w)
	assert.Empty(t, w.Header().Values("DPoP-Nonce"))
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
	assert.Equal(t, map[string]string{"error": "invalid_dpop_proof", "error_description": "bad ?quote??"}, body)

	w = httptest.NewRecorder()
	(&oauth.TokenError{Status: http.StatusMethodNotAllowed, Code: oauth.InvalidRequest, Description: "use POST"}).Write(w)
	assert.Equal(t, "POST", w.Header().Get("Allow"))
	w = httptest.NewRecorder()
	(&oauth.TokenError{Status: http.StatusServiceUnavailable, Code: oauth.TemporarilyUnavailable}).Write(w)
	assert.Equal(t, "1", w.Header().Get("Retry-After"))
	assert.Equal(t, `{"error":"temporarily_unavailable"}`+"\n", w.Body.String())

	w = httptest.NewRecorder()
	(&oauth.TokenError{Status: http.StatusUnauthorized, Code: oauth.InvalidToken, Challenge: &oauth.TokenChallenge{
		Resource: &oauth.Resource{Bearer: true, Algorithms: []string{"ES256"}}, In: oauth.Bearer, Code: oauth.InvalidToken,
	}}).Write(w)
	assert.Equal(t, []string{`Bearer error="invalid_token"`, `DPoP algs="ES256"`}, w.Header().Values("WWW-Authenticate"))
}

// TestDescribe checks the mapping of DPoP errors to RFC 9449 error codes.
func TestDescribe(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code string
	}{
		{dpop.ErrUseNonce, oauth.UseDPoPNonce},
		{fmt.Errorf("wrapped: %w", dpop.ErrUseNonce), oauth.UseDPoPNonce},
		{dpop.ErrReplay, oauth.InvalidDPoPProof},
		{dpop.ErrMissingProof, oauth.InvalidDPoPProof},
		{dpop.ErrInvalidProof, oauth.InvalidDPoPProof},
		{dpop.ErrTokenBinding, oauth.InvalidToken},
		{dpop.ErrReplayCache, ""},
		{errors.New("other"), ""},
		{nil, ""},
	} {
		code, _ := oauth.Describe(tc.err)
		assert.Equal(t, tc.code, code, "%v", tc.err)
	}
	description := func(err error) string { _, d := oauth.Describe(err); return d }
	assert.Equal(t, "DPoP proof replayed", description(dpop.ErrReplay))
	assert.Equal(t, "Invalid DPoP key binding", description(dpop.ErrTokenBinding))
	assert.Equal(t, "", description(errors.New("other")))
	// Every sentinel that wraps ErrInvalidProof has its own description.
	for _, err := range []error{dpop.ErrMissingProof, dpop.ErrMultipleProofs, dpop.ErrProofTooLarge, dpop.ErrProofType,
		dpop.ErrProofAlgorithm, dpop.ErrProofKey, dpop.ErrMethodMismatch, dpop.ErrURIMismatch, dpop.ErrStaleProof,
		dpop.ErrReplay, dpop.ErrAccessTokenHash, dpop.ErrUseNonce} {
		assert.NotEqual(t, description(dpop.ErrInvalidProof), description(err), "%v", err)
		assert.ErrorIs(t, err, dpop.ErrInvalidProof)
	}
}

type nonceFunc func(context.Context) (string, error)

func (f nonceFunc) Nonce(ctx context.Context) (string, error) { return f(ctx) }

func TestProofRefusal(t *testing.T) {
	ctx := context.Background()
	fresh := nonceFunc(func(context.Context) (string, error) { return "n1", nil })
	down := errors.New("nonce source down")
	broken := nonceFunc(func(context.Context) (string, error) { return "", down })
	for _, tc := range []struct {
		name   string
		err    error
		nonces oauth.NonceSource
		want   oauth.Refusal
	}{
		{"nonce", dpop.ErrUseNonce, fresh, oauth.Refusal{Status: 401, Code: oauth.UseDPoPNonce, Description: "DPoP proof requires a fresh server nonce", Nonce: "n1", Err: dpop.ErrUseNonce}},
		{"nonce source down", dpop.ErrUseNonce, broken, oauth.Refusal{Status: 503, Code: oauth.TemporarilyUnavailable, Err: down}},
		{"no nonce source", dpop.ErrUseNonce, nil, oauth.Refusal{Status: 401, Code: oauth.InvalidDPoPProof, Description: "DPoP proof requires a fresh server nonce", Err: dpop.ErrUseNonce}},
		{"replay", dpop.ErrReplay, fresh, oauth.Refusal{Status: 401, Code: oauth.InvalidDPoPProof, Description: "DPoP proof replayed", Err: dpop.ErrReplay}},
		{"binding", dpop.ErrTokenBinding, fresh, oauth.Refusal{Status: 401, Code: oauth.InvalidToken, Description: "Invalid DPoP key binding", Err: dpop.ErrTokenBinding}},
		{"configuration", jwt.ErrInvalidOption, fresh, oauth.Refusal{Status: 500, Code: oauth.ServerError, Err: jwt.ErrInvalidOption}},
		{"replay cache", dpop.ErrReplayCache, fresh, oauth.Refusal{Status: 503, Code: oauth.TemporarilyUnavailable, Err: dpop.ErrReplayCache}},
		{"context", context.Canceled, fresh, oauth.Refusal{Status: 503, Code: oauth.TemporarilyUnavailable, Err: context.Canceled}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, oauth.ProofRefusal(ctx, tc.err, tc.nonces, http.StatusUnauthorized))
		})
	}
	assert.Equal(t, 400, oauth.ProofRefusal(ctx, dpop.ErrReplay, nil, http.StatusBadRequest).Status)
}
