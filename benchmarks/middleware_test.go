package benchmarks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwthttp"
)

// The middleware rows (issue 25) measure what package jwthttp adds to
// jwt.Verify, on the HS256 fixture token and the Verify rows' options:
//
//   - Middleware/HS256/jwtkit/verify/valid: jwt.Verify[jwt.RegisteredClaims] of
//     the valid token.
//   - Middleware/HS256/jwtkit/middleware/valid: the same token in an
//     "Authorization: Bearer" header, through the middleware to a handler
//     that reads the claims from the context.
//   - Middleware/HS256/jwtkit/verify/<forged|expired> and
//     Middleware/HS256/jwtkit/middleware/<forged|expired>: the token with a
//     changed signature, or the expired one, verified directly (an error)
//     and answered by the middleware (401 with its challenge and body).
//
// The ResponseWriter keeps one header map, emptied between requests, and
// discards the body: what a server's writer costs is the server's, the
// same with or without the middleware.

// discardWriter is an http.ResponseWriter that keeps the status and
// discards the body.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }

// reset makes w ready for the next request, keeping its header map.
func (w *discardWriter) reset() {
	clear(w.h)
	w.code = 0
}

// middlewareFixture is the middleware, its verifier and options, and the
// requests of the rows.
type middlewareFixture struct {
	verifier jwt.Verifier
	opts     jwt.VerifyOptions
	handler  http.Handler
	// tokens and requests, by case: "" is the valid token.
	tokens   map[string]string
	requests map[string]*http.Request
}

var errNoClaims = errors.New("handler: no claims in the context")

func newMiddlewareFixture(tb testing.TB) *middlewareFixture {
	tb.Helper()
	var f0 *fixture
	for _, f := range fixtures(tb) {
		if f.alg == "HS256" {
			f0 = f
		}
	}
	mf := &middlewareFixture{
		verifier: jwtkitVerifier(tb, &f0.keys),
		opts:     jwt.VerifyOptions{Issuer: claimIss, Audience: []string{claimAud}},
		tokens:   map[string]string{"": f0.token, "forged": f0.badSignature, "expired": f0.expired},
		requests: map[string]*http.Request{},
	}
	mw, err := jwthttp.New[jwt.RegisteredClaims](mf.verifier, &jwthttp.Options{
		Verify: mf.opts, Realm: "api", Scope: "notes:read",
	})
	if err != nil {
		tb.Fatal(err)
	}
	mf.handler = mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := jwthttp.Claims[jwt.RegisteredClaims](r.Context()); !ok {
			panic(errNoClaims)
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	for name, tok := range mf.tokens {
		req, err := http.NewRequest(http.MethodGet, "https://api.example/notes", nil)
		if err != nil {
			tb.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		mf.requests[name] = req
	}
	return mf
}

// serve sends the request of case name and checks the answer's status.
func (mf *middlewareFixture) serve(w *discardWriter, name string) error {
	w.reset()
	mf.handler.ServeHTTP(w, mf.requests[name])
	want := http.StatusNoContent
	if name != "" {
		want = http.StatusUnauthorized
	}
	if w.code != want {
		return fmt.Errorf("middleware: status %d, want %d", w.code, want)
	}
	if name != "" && len(w.h["Www-Authenticate"]) == 0 {
		return errors.New("middleware: a 401 without a challenge")
	}
	return nil
}

// verify verifies the token of case name directly and reports whether the
// result is the one expected.
func (mf *middlewareFixture) verify(ctx context.Context, name string) error {
	_, err := jwt.Verify[jwt.RegisteredClaims](ctx, mf.tokens[name], mf.verifier, &mf.opts)
	switch {
	case name == "":
		return err
	case err == nil:
		return fmt.Errorf("verify: accepted the %s token", name)
	}
	return nil
}

// BenchmarkMiddleware/HS256/jwtkit/...: see above.
func BenchmarkMiddleware(b *testing.B) {
	mf := newMiddlewareFixture(b)
	ctx := context.Background()
	for _, c := range []struct{ row, name string }{
		{"/valid", ""}, {"/forged", "forged"}, {"/expired", "expired"},
	} {
		b.Run("HS256/jwtkit/verify"+c.row, func(b *testing.B) {
			measure(b, func() error { return mf.verify(ctx, c.name) })
		})
		b.Run("HS256/jwtkit/middleware"+c.row, func(b *testing.B) {
			w := &discardWriter{h: http.Header{}}
			measure(b, func() error { return mf.serve(w, c.name) })
		})
	}
}

// TestSanityMiddleware proves the middleware rows measure what they say:
// the valid token passes both ways, and the forged and expired ones fail
// both ways, the middleware answering 401 with a challenge.
func TestSanityMiddleware(t *testing.T) {
	mf := newMiddlewareFixture(t)
	w := &discardWriter{h: http.Header{}}
	for _, name := range []string{"", "forged", "expired"} {
		if err := mf.verify(context.Background(), name); err != nil {
			t.Errorf("%q: %v", name, err)
		}
		if err := mf.serve(w, name); err != nil {
			t.Errorf("%q: %v", name, err)
		}
	}
}
