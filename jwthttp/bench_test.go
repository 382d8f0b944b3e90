package jwthttp_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
	"github.com/jwtkit/jwt/jwthttp"
)

// benchSetup is one algorithm's token, verifier and options.
type benchSetup struct {
	name     string
	token    string
	verifier jwt.Verifier
	opts     jwt.VerifyOptions
}

func benchSetups(tb testing.TB) []benchSetup {
	hs, err := jwt.HS256.NewSigner(testSecret)
	require.NoError(tb, err)
	ed, edV := edKeys(tb)
	claims := claimsOf(map[string]any{"scope": "notes:read notes:write", "client_id": "app-1"})
	var out []benchSetup
	for _, c := range []struct {
		name string
		s    jwt.Signer
		v    jwt.Verifier
	}{{"HS256", hs, hsVerifier(tb)}, {"EdDSA", ed, edV}} {
		tok, err := jwt.Sign(context.Background(), c.s, claims, &jwt.SignOptions{Type: "at+jwt"})
		require.NoError(tb, err)
		opts := jwthttp.AccessTokenOptions(testIssuer, testAud)
		opts.Now = nowFunc
		out = append(out, benchSetup{c.name, tok, c.v, opts})
	}
	return out
}

var noContent = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })

// benchHandlers are the handlers compared: the bare one, and the same one
// behind the middleware in several configurations.
func benchHandlers(tb testing.TB, s benchSetup) []struct {
	name string
	h    http.Handler
} {
	mw := func(o jwthttp.Options) func(http.Handler) http.Handler {
		o.Verify = s.opts
		m, err := jwthttp.New[jwt.RegisteredClaims](s.verifier, &o)
		require.NoError(tb, err)
		return m
	}
	mwApp, err := jwthttp.New[appClaims](s.verifier, &jwthttp.Options{Verify: s.opts,
		Check: func(*http.Request, jwt.Header, *jwt.RegisteredClaims) error { return nil }})
	require.NoError(tb, err)
	return []struct {
		name string
		h    http.Handler
	}{
		{"handler", noContent},
		{"middleware", mw(jwthttp.Options{})(noContent)},
		{"middleware+scope", mw(jwthttp.Options{})(jwthttp.RequireScopes("notes:read")(noContent))},
		{"middleware+check", mw(jwthttp.Options{Check: func(*http.Request, jwt.Header, *jwt.RegisteredClaims) error { return nil }})(noContent)},
		{"middleware+check/struct", mwApp(noContent)},
	}
}

// serveBench serves req with h, b.N times, and fails unless every answer
// has status want.
func serveBench(b *testing.B, h http.Handler, req *http.Request, want int) {
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			b.Fatal(rec.Code, rec.Body)
		}
	}
}

// forged returns tok with its signature changed, still strict base64url.
func forged(tok string) string {
	b := []byte(tok)
	i := len(b) - 8
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// alwaysFresh is a dpop.ReplayCache that remembers nothing, so that a
// benchmark can send one proof many times.
type alwaysFresh struct{}

func (alwaysFresh) Remember(context.Context, string, time.Duration) (bool, error) { return true, nil }

// BenchmarkMiddleware compares a request to a bare handler, jwt.Verify on
// its own, and the request through the middleware: the middleware's cost
// beyond verification is middleware - handler - verify. It also measures a
// forged token (refused) and a DPoP-bound token with its ES256 proof.
func BenchmarkMiddleware(b *testing.B) {
	for _, s := range benchSetups(b) {
		b.Run(s.name+"/middleware/forged", func(b *testing.B) {
			o := jwthttp.Options{Verify: s.opts}
			m, err := jwthttp.New[jwt.RegisteredClaims](s.verifier, &o)
			require.NoError(b, err)
			req := httptest.NewRequest(http.MethodGet, "/notes", nil)
			req.Header.Set("Authorization", "Bearer "+forged(s.token))
			serveBench(b, m(noContent), req, http.StatusUnauthorized)
		})
		b.Run(s.name+"/middleware+dpop", func(b *testing.B) {
			key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			require.NoError(b, err)
			prover, err := dpop.NewProver(jwt.ES256, key)
			require.NoError(b, err)
			v, err := dpop.NewVerifier(&dpop.Options{ReplayCache: alwaysFresh{}, Now: nowFunc})
			require.NoError(b, err)
			var signer jwt.Signer
			if s.name == "HS256" {
				signer, err = jwt.HS256.NewSigner(testSecret)
				require.NoError(b, err)
			} else {
				signer, _ = edKeys(b)
			}
			claims := claimsOf(map[string]any{"scope": "notes:read", "client_id": "app-1", "cnf": map[string]any{"jkt": prover.JKT()}})
			tok, err := jwt.Sign(context.Background(), signer, claims, &jwt.SignOptions{Type: "at+jwt"})
			require.NoError(b, err)
			proof, err := prover.NewProof(context.Background(), http.MethodGet, "http://example.com/notes", &dpop.ProofOptions{AccessToken: tok, IssuedAt: testNow})
			require.NoError(b, err)
			m, err := jwthttp.New[jwt.RegisteredClaims](s.verifier, &jwthttp.Options{Verify: s.opts, DPoP: v})
			require.NoError(b, err)
			req := httptest.NewRequest(http.MethodGet, "/notes", nil)
			req.Header.Set("Authorization", "DPoP "+tok)
			req.Header.Set("DPoP", proof)
			serveBench(b, m(noContent), req, http.StatusNoContent)
		})
		b.Run(s.name+"/verify", func(b *testing.B) {
			b.ReportAllocs()
			ctx := context.Background()
			for b.Loop() {
				if _, err := jwt.Verify[jwt.RegisteredClaims](ctx, s.token, s.verifier, &s.opts); err != nil {
					b.Fatal(err)
				}
			}
		})
		for _, h := range benchHandlers(b, s) {
			b.Run(s.name+"/"+h.name, func(b *testing.B) {
				b.ReportAllocs()
				req := httptest.NewRequest(http.MethodGet, "/notes", nil)
				req.Header.Set("Authorization", "Bearer "+s.token)
				for b.Loop() {
					rec := httptest.NewRecorder()
					h.h.ServeHTTP(rec, req)
					if rec.Code != http.StatusNoContent {
						b.Fatal(rec.Code, rec.Body)
					}
				}
			})
		}
	}
}

// TestAllocations bounds what the middleware allocates beyond jwt.Verify
// and the bare handler: one, holding the request copy that carries the
// new context and the credential that is that context (issue 25).
func TestAllocations(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocation counts are not meaningful in -short mode or under the race detector")
	}
	s := benchSetups(t)[0]
	ctx := context.Background()
	verify := testing.AllocsPerRun(100, func() {
		if _, err := jwt.Verify[jwt.RegisteredClaims](ctx, s.token, s.verifier, &s.opts); err != nil {
			t.Fatal(err)
		}
	})
	req := httptest.NewRequest(http.MethodGet, "/notes", nil)
	req.Header.Set("Authorization", "Bearer "+s.token)
	count := func(h http.Handler) float64 {
		return testing.AllocsPerRun(100, func() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusNoContent {
				t.Fatal(rec.Code, rec.Body)
			}
		})
	}
	hs := benchHandlers(t, s)
	bare, through := count(hs[0].h), count(hs[1].h)
	t.Logf("verify %v, handler %v, through the middleware %v allocations", verify, bare, through)
	require.LessOrEqual(t, through-bare-verify, 1.0)
}
