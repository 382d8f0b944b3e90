package jwthttp_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwthttp"
)

type jwtRC = jwt.RegisteredClaims

func invalidToken(desc string) map[string]string {
	return map[string]string{"realm": realm, "error": "invalid_token", "error_description": desc}
}

// keySourceFunc is a KeySource made of a function.
type keySourceFunc func(ctx context.Context, h jwt.Header) ([]jwt.Verifier, error)

func (f keySourceFunc) Lookup(ctx context.Context, h jwt.Header) ([]jwt.Verifier, error) {
	return f(ctx, h)
}

func TestInvalidToken(t *testing.T) {
	v := hsVerifier(t)
	ks, err := jwt.NewKeySet(jwt.VerifierWithKeyID(v, "k1"))
	require.NoError(t, err)
	opts := &jwthttp.Options{Realm: realm, Verify: jwt.VerifyOptions{
		Issuer: testIssuer, Type: "JWT", Required: []string{"jti"}, MaxSize: 1024,
	}}
	e := newEnv(t, protect(t, ks, opts))
	kid := func(id string) jwt.Signer {
		s, err := jwt.HS256.NewSigner(testSecret)
		require.NoError(t, err)
		return jwt.SignerWithKeyID(s, id)
	}
	otherSecret, err := jwt.HS256.NewSigner([]byte("another secret of at least 32 bytes"))
	require.NoError(t, err)
	hs384, err := jwt.HS384.NewSigner([]byte(strings.Repeat("k", 48)))
	require.NoError(t, err)

	good := e.mint(kid("k1"), claimsOf(nil), "")
	e.get("/", "Bearer "+good).ok(t, "sub=user-1")

	for _, c := range []struct {
		name  string
		token string
		desc  string
	}{
		{"bad signature", e.mint(jwt.SignerWithKeyID(otherSecret, "k1"), claimsOf(nil), ""), "the access token signature is invalid"},
		{"unknown kid", e.mint(kid("k2"), claimsOf(nil), ""), "the access token is signed with an unknown key"},
		{"no kid, other algorithm", e.mint(hs384, claimsOf(nil), ""), "the access token is signed with an unknown key"},
		{"kid of another algorithm", e.mint(jwt.SignerWithKeyID(hs384, "k1"), claimsOf(nil), ""), "the access token algorithm is not the one of its key"},
		{"expired", e.mint(kid("k1"), claimsOf(map[string]any{"exp": testNow.Unix()}), ""), "the access token expired"},
		{"not yet valid", e.mint(kid("k1"), claimsOf(map[string]any{"nbf": testNow.Add(time.Minute).Unix()}), ""), "the access token is not valid yet"},
		{"audience", e.mint(kid("k1"), claimsOf(map[string]any{"aud": "https://other.example"}), ""), "the access token is not meant for this resource"},
		{"issuer", e.mint(kid("k1"), claimsOf(map[string]any{"iss": "https://evil.example"}), ""), "the access token is from another issuer"},
		{"type", e.mint(kid("k1"), claimsOf(nil), "at+jwt"), "the access token is of another type"},
		{"missing claim", e.mint(kid("k1"), claimsOf(map[string]any{"jti": nil}), ""), "the access token lacks a required claim"},
		{"no exp", e.mint(kid("k1"), claimsOf(map[string]any{"exp": nil}), ""), "the access token lacks a required claim"},
		{"several", e.mint(kid("k1"), claimsOf(map[string]any{"exp": testNow.Unix(), "iss": "x"}), ""), "the access token expired; the access token is from another issuer"},
		{"malformed", "abc.def", "the access token is malformed"},
		{"too large", e.mint(kid("k1"), claimsOf(map[string]any{"pad": strings.Repeat("p", 1024)}), ""), "the access token is too large"},
		{"alg none", "eyJhbGciOiJub25lIn0.e30.", "the access token algorithm is not supported"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e.get("/", "Bearer "+c.token).refused(t, http.StatusUnauthorized, invalidToken(c.desc))
		})
	}
}

func TestCheck(t *testing.T) {
	var seen atomic.Pointer[jwt.RegisteredClaims]
	var verdict errBox
	check := func(r *http.Request, h jwt.Header, rc *jwt.RegisteredClaims) error {
		require.Equal(t, "HS256", h.Algorithm)
		c := *rc
		seen.Store(&c)
		rc.Subject = "changed by the hook"
		return verdict.get()
	}
	opts := func() *jwthttp.Options { return &jwthttp.Options{Realm: realm, Check: check} }
	type custom struct {
		jwt.RegisteredClaims
		Name string `json:"name"`
	}
	handlers := map[string]http.Handler{
		"RegisteredClaims": protect(t, hsVerifier(t), opts()),
		"custom": func() http.Handler {
			o := opts()
			o.Verify = jwt.VerifyOptions{Audience: []string{testAud}, Now: nowFunc}
			mw, err := jwthttp.New[custom](hsVerifier(t), o)
			require.NoError(t, err)
			return mw(subHandler(func(c custom) string { return c.Subject + "/" + c.Name }))
		}(),
		"map": func() http.Handler {
			o := opts()
			o.Verify = jwt.VerifyOptions{Audience: []string{testAud}, Now: nowFunc}
			mw, err := jwthttp.New[map[string]any](hsVerifier(t), o)
			require.NoError(t, err)
			return mw(subHandler(func(c map[string]any) string { return c["sub"].(string) }))
		}(),
	}
	want := map[string]string{"RegisteredClaims": "sub=user-1", "custom": "sub=user-1/Ann", "map": "sub=user-1"}
	for name, h := range handlers {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, h)
			tok := e.mint(nil, claimsOf(map[string]any{"name": "Ann", "aud": []string{testAud, "x"}}), "")

			verdict.set(nil)
			e.get("/", "Bearer "+tok).ok(t, want[name])
			rc := seen.Load()
			require.Equal(t, "id-1", rc.ID)
			require.Equal(t, "user-1", rc.Subject)
			require.Equal(t, testIssuer, rc.Issuer)
			require.Equal(t, jwt.Audience{testAud, "x"}, rc.Audience)
			require.Equal(t, testNow.Add(5*time.Minute).Unix(), rc.ExpiresAt.Unix())

			verdict.set(fmt.Errorf("session: revoked %q", tok))
			e.get("/", "Bearer "+tok).refused(t, http.StatusUnauthorized, invalidToken("the access token is revoked or not accepted"))

			verdict.set(fmt.Errorf("session: %w: %w", jwt.ErrUnavailable, errors.New("store down")))
			res := e.get("/", "Bearer "+tok)
			unavailable(t, res)

			verdict.set(fmt.Errorf("session: %w", context.DeadlineExceeded))
			unavailable(t, e.get("/", "Bearer "+tok))

			verdict.set(fmt.Errorf("session: %w: no store configured", jwt.ErrInvalidOption))
			res = e.get("/", "Bearer "+tok)
			require.Equal(t, http.StatusInternalServerError, res.status)
			require.Equal(t, `{"error":"server_error"}`, res.body)
		})
	}
}

// errBox holds an error that tests change while a server runs.
type errBox struct{ p atomic.Pointer[error] }

func (b *errBox) set(err error) { b.p.Store(&err) }

func (b *errBox) get() error {
	if p := b.p.Load(); p != nil {
		return *p
	}
	return nil
}

// unavailable asserts a 503 that fails closed.
func unavailable(t *testing.T, res *response) {
	t.Helper()
	require.Equal(t, http.StatusServiceUnavailable, res.status)
	require.Empty(t, res.header.Values("WWW-Authenticate"))
	res.jsonBody(t, "temporarily_unavailable", "the access token could not be checked, try again later")
}

func TestKeySourceFailures(t *testing.T) {
	var fail errBox
	ks := keySourceFunc(func(ctx context.Context, h jwt.Header) ([]jwt.Verifier, error) {
		return nil, fail.get()
	})
	e := newEnv(t, protect(t, ks, &jwthttp.Options{Realm: realm}))
	tok := e.mint(nil, claimsOf(nil), "")

	fail.set(fmt.Errorf("%w: bad configuration of %q", jwt.ErrInvalidOption, "secret-ish"))
	res := e.get("/", "Bearer "+tok)
	require.Equal(t, http.StatusInternalServerError, res.status)
	require.Empty(t, res.header.Values("WWW-Authenticate"))
	require.Equal(t, `{"error":"server_error"}`, res.body)

	fail.set(errors.New("connection refused"))
	unavailable(t, e.get("/", "Bearer "+tok))
	fail.set(fmt.Errorf("jwks: %w", jwt.ErrUnavailable))
	unavailable(t, e.get("/", "Bearer "+tok))
	// ErrUnavailable wins over a verdict the same error carries.
	fail.set(fmt.Errorf("%w: %w", jwt.ErrKeyNotFound, jwt.ErrUnavailable))
	unavailable(t, e.get("/", "Bearer "+tok))

	fail.set(fmt.Errorf("jwks: %w", jwt.ErrKeyNotFound))
	e.get("/", "Bearer "+tok).refused(t, http.StatusUnauthorized, invalidToken("the access token is signed with an unknown key"))
}

func TestChallengeParameters(t *testing.T) {
	opts := &jwthttp.Options{
		Realm:            "my api",
		Scope:            "notes:read notes:write",
		ResourceMetadata: "https://api.example/.well-known/oauth-protected-resource",
	}
	e := newEnv(t, protect(t, hsVerifier(t), opts))
	md := opts.ResourceMetadata
	e.get("/", "").refused(t, http.StatusUnauthorized, map[string]string{
		"realm": "my api", "scope": "notes:read notes:write", "resource_metadata": md,
	})
	e.get("/", "Bearer x").refused(t, http.StatusUnauthorized, map[string]string{
		"realm": "my api", "scope": "notes:read notes:write", "resource_metadata": md,
		"error": "invalid_token", "error_description": "the access token is malformed",
	})
	// 400 names no scope: the client has to fix its request first.
	e.get("/", "Bearer").refused(t, http.StatusBadRequest, map[string]string{
		"realm": "my api", "resource_metadata": md,
		"error": "invalid_request", "error_description": "the Authorization header is malformed",
	})
}

func TestErrorBody(t *testing.T) {
	var got atomic.Pointer[jwthttp.Error]
	opts := &jwthttp.Options{Realm: realm, ErrorBody: func(r *http.Request, e *jwthttp.Error) (string, []byte) {
		got.Store(e)
		return "application/problem+json", []byte(`{"title":"` + e.Code + `"}`)
	}}
	e := newEnv(t, protect(t, hsVerifier(t), opts))
	tok := e.mint(nil, claimsOf(map[string]any{"exp": testNow.Unix()}), "")
	res := e.get("/", "Bearer "+tok)
	require.Equal(t, http.StatusUnauthorized, res.status)
	require.Equal(t, `Bearer realm="api", error="invalid_token", error_description="the access token expired"`, res.header.Get("WWW-Authenticate"))
	require.Equal(t, "application/problem+json", res.header.Get("Content-Type"))
	require.Equal(t, `{"title":"invalid_token"}`, res.body)
	e2 := got.Load()
	require.ErrorIs(t, e2, jwt.ErrExpired, "the cause is there for logs")
	require.Equal(t, "jwthttp: 401 invalid_token: the access token expired", e2.Error())

	// An empty content type is plain text, never sniffed.
	opts.ErrorBody = func(*http.Request, *jwthttp.Error) (string, []byte) { return "", []byte("<b>no</b>") }
	e = newEnv(t, protect(t, hsVerifier(t), opts))
	res = e.get("/", "")
	require.Equal(t, http.StatusUnauthorized, res.status)
	require.Equal(t, "text/plain; charset=utf-8", res.header.Get("Content-Type"))
	require.Equal(t, "nosniff", res.header.Get("X-Content-Type-Options"))
	require.Equal(t, `Bearer realm="api"`, res.header.Get("WWW-Authenticate"))
}

func TestHead(t *testing.T) {
	e := newEnv(t, protect(t, hsVerifier(t), &jwthttp.Options{Realm: realm}))
	res := e.do(e.request(http.MethodHead, "/", nil))
	require.Equal(t, http.StatusUnauthorized, res.status)
	require.Equal(t, `Bearer realm="api"`, res.header.Get("WWW-Authenticate"))
	require.Empty(t, res.body)
}

func TestNewRejects(t *testing.T) {
	v := hsVerifier(t)
	for _, c := range []struct {
		name string
		keys jwt.KeySource
		opts jwthttp.Options
	}{
		{"nil keys", nil, jwthttp.Options{}},
		{"leeway", v, jwthttp.Options{Verify: jwt.VerifyOptions{Leeway: time.Hour}}},
		{"negative leeway", v, jwthttp.Options{Verify: jwt.VerifyOptions{Leeway: -time.Second}}},
		{"audience and IgnoreAudience", v, jwthttp.Options{Verify: jwt.VerifyOptions{Audience: []string{"a"}, IgnoreAudience: true}}},
		{"negative MaxSize", v, jwthttp.Options{Verify: jwt.VerifyOptions{MaxSize: -1}}},
		{"realm with quote", v, jwthttp.Options{Realm: `a"b`}},
		{"realm with backslash", v, jwthttp.Options{Realm: `a\b`}},
		{"realm with newline", v, jwthttp.Options{Realm: "a\nb"}},
		{"realm not ASCII", v, jwthttp.Options{Realm: "Zürich"}},
		{"scope double space", v, jwthttp.Options{Scope: "a  b"}},
		{"scope quote", v, jwthttp.Options{Scope: `a"`}},
		{"metadata relative", v, jwthttp.Options{ResourceMetadata: "/.well-known/oauth-protected-resource"}},
		{"metadata scheme", v, jwthttp.Options{ResourceMetadata: "ftp://api.example/x"}},
		{"metadata fragment", v, jwthttp.Options{ResourceMetadata: "https://api.example/x#f"}},
		{"metadata quote", v, jwthttp.Options{ResourceMetadata: `https://api.example/"x`}},
		{"negative MaxFormBytes", v, jwthttp.Options{MaxFormBytes: -1}},
		{"cookie name", v, jwthttp.Options{Cookie: "a b"}},
		{"skip path relative", v, jwthttp.Options{SkipPaths: []string{"healthz"}}},
		{"skip path unclean", v, jwthttp.Options{SkipPaths: []string{"/a/../b"}}},
		{"at+jwt without issuer", v, jwthttp.Options{Verify: jwthttp.AccessTokenOptions("", testAud)}},
		{"at+jwt without resource", v, jwthttp.Options{Verify: jwthttp.AccessTokenOptions(testIssuer, "")}},
		{"application/at+jwt without resource", v, jwthttp.Options{Verify: jwt.VerifyOptions{Type: "Application/AT+JWT", Issuer: testIssuer}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			mw, err := jwthttp.New[jwt.RegisteredClaims](c.keys, &c.opts)
			require.ErrorIs(t, err, jwt.ErrInvalidOption)
			require.Nil(t, mw)
		})
	}
	// Good options pass, and nil options are the zero Options.
	_, err := jwthttp.New[jwt.RegisteredClaims](v, nil)
	require.NoError(t, err)
	_, err = jwthttp.New[jwt.RegisteredClaims](v, &jwthttp.Options{
		Verify: jwthttp.AccessTokenOptions(testIssuer, testAud), Realm: "r", Scope: "a b",
		ResourceMetadata: "http://localhost:8080/.well-known/oauth-protected-resource",
		SkipPaths:        []string{"/", "/healthz", "/public/"},
	})
	require.NoError(t, err)
}

// TestOptionsCopied checks that New keeps its own copy of the options.
func TestOptionsCopied(t *testing.T) {
	opts := &jwthttp.Options{Realm: realm, Verify: jwt.VerifyOptions{Audience: []string{testAud}, Now: nowFunc}}
	mw, err := jwthttp.New[jwt.RegisteredClaims](hsVerifier(t), opts)
	require.NoError(t, err)
	opts.Verify.Audience[0] = "https://other.example"
	opts.Realm = "changed"
	e := newEnv(t, mw(subHandler(rcSub)))
	tok := e.mint(nil, claimsOf(nil), "")
	e.get("/", "Bearer "+tok).ok(t, "sub=user-1")
	require.Equal(t, `Bearer realm="api"`, e.get("/", "").header.Get("WWW-Authenticate"))
}
