package session_test

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/session"
)

// BenchmarkRefreshHandler measures a refresh through RefreshHandler, each
// with the refresh token the previous one returned, and the answer to a
// refresh token that is not one (invalid_grant).
func BenchmarkRefreshHandler(b *testing.B) {
	secret := make([]byte, 32)
	rand.Read(secret)
	s, err := jwt.HS256.NewSigner(secret)
	require.NoError(b, err)
	v, err := jwt.HS256.NewVerifier(secret)
	require.NoError(b, err)
	m, err := session.New(session.Options{Signer: session.FixedSigner(s), Keys: v, Issuer: "https://auth.example", Audience: []string{"api"}})
	require.NoError(b, err)
	h := m.RefreshHandler(nil)
	refresh := func(token string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(url.Values{"refresh_token": {token}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}

	b.Run("ok", func(b *testing.B) {
		b.ReportAllocs()
		p, err := m.Issue(context.Background(), session.Grant{Subject: "alice"})
		require.NoError(b, err)
		token := p.RefreshToken
		for b.Loop() {
			rec := refresh(token)
			if rec.Code != http.StatusOK {
				b.Fatal(rec.Code, rec.Body)
			}
			body := rec.Body.String()
			i := strings.Index(body, `"refresh_token":"`)
			if i < 0 {
				b.Fatal(body)
			}
			body = body[i+len(`"refresh_token":"`):]
			token = body[:strings.IndexByte(body, '"')]
		}
	})
	b.Run("invalid_grant", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if rec := refresh("garbage"); rec.Code != http.StatusBadRequest {
				b.Fatal(rec.Code, rec.Body)
			}
		}
	})
}
