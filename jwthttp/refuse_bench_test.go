package jwthttp_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwthttp"
)

// BenchmarkRefuse measures the answers that refuse a request: a forged
// token (its signature altered) and a request without a token, each a 401
// with a challenge and a JSON body.
func BenchmarkRefuse(b *testing.B) {
	for _, s := range benchSetups(b) {
		mw, err := jwthttp.New[jwt.RegisteredClaims](s.verifier, &jwthttp.Options{Verify: s.opts})
		require.NoError(b, err)
		h := mw(noContent)
		forged := s.token[:len(s.token)-4] + "AAAA"
		for _, c := range []struct{ name, auth string }{{"forged", "Bearer " + forged}, {"none", ""}} {
			b.Run(s.name+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				req := httptest.NewRequest(http.MethodGet, "/notes", nil)
				if c.auth != "" {
					req.Header.Set("Authorization", c.auth)
				}
				for b.Loop() {
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != http.StatusUnauthorized {
						b.Fatal(rec.Code, rec.Body)
					}
				}
			})
		}
	}
}
