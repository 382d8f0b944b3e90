package jwthttp_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwthttp"
)

// appClaims is an application's claims type.
type appClaims struct {
	jwt.RegisteredClaims
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
}

func TestClaimsInContext(t *testing.T) {
	newMW := func(t *testing.T, mk func(jwt.KeySource, *jwthttp.Options) (func(http.Handler) http.Handler, error), h http.HandlerFunc) http.Handler {
		mw, err := mk(hsVerifier(t), &jwthttp.Options{Verify: jwt.VerifyOptions{Audience: []string{testAud}, Now: nowFunc}})
		require.NoError(t, err)
		return mw(h)
	}
	check := func(t *testing.T, h http.Handler, want string) {
		e := newEnv(t, h)
		tok := e.mint(nil, claimsOf(map[string]any{"name": "Ann", "roles": []string{"a", "b"}}), "")
		e.get("/", "Bearer "+tok).ok(t, want)
	}
	t.Run("RegisteredClaims", func(t *testing.T) {
		check(t, newMW(t, jwthttp.New[jwt.RegisteredClaims], func(w http.ResponseWriter, r *http.Request) {
			c, ok := jwthttp.Claims[jwt.RegisteredClaims](r.Context())
			require.True(t, ok)
			tok, ok := jwthttp.Token[jwt.RegisteredClaims](r.Context())
			require.True(t, ok)
			require.Equal(t, "HS256", tok.Header.Algorithm)
			require.Equal(t, "JWT", tok.Header.Type)
			_, ok = jwthttp.Claims[appClaims](r.Context())
			require.False(t, ok, "another claims type")
			io.WriteString(w, c.Subject+" "+c.ID+" "+c.Audience[0])
		}), "user-1 id-1 "+testAud)
	})
	t.Run("custom struct", func(t *testing.T) {
		check(t, newMW(t, jwthttp.New[appClaims], func(w http.ResponseWriter, r *http.Request) {
			c, ok := jwthttp.Claims[appClaims](r.Context())
			require.True(t, ok)
			_, ok = jwthttp.Claims[jwt.RegisteredClaims](r.Context())
			require.False(t, ok)
			io.WriteString(w, c.Subject+" "+c.Name+" "+strings.Join(c.Roles, ","))
		}), "user-1 Ann a,b")
	})
	t.Run("map", func(t *testing.T) {
		check(t, newMW(t, jwthttp.New[map[string]any], func(w http.ResponseWriter, r *http.Request) {
			c, ok := jwthttp.Claims[map[string]any](r.Context())
			require.True(t, ok)
			io.WriteString(w, c["sub"].(string)+" "+c["name"].(string))
		}), "user-1 Ann")
	})
	t.Run("no middleware", func(t *testing.T) {
		_, ok := jwthttp.Claims[jwt.RegisteredClaims](context.Background())
		require.False(t, ok)
		_, ok = jwthttp.Token[map[string]any](context.Background())
		require.False(t, ok)
		require.Nil(t, jwthttp.Scopes(context.Background()))
	})
}

// scopesHandler answers with the scopes of the token.
var scopesHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	io.WriteString(w, "scopes="+strings.Join(jwthttp.Scopes(r.Context()), ","))
})

func TestScopes(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/all", jwthttp.RequireScopes("notes:read", "notes:write")(scopesHandler))
	mux.Handle("/any", jwthttp.RequireAnyScope("admin", "notes:write")(scopesHandler))
	mux.Handle("/one", jwthttp.RequireScopes("notes:read")(scopesHandler))
	for _, typ := range []string{"RegisteredClaims", "map"} {
		t.Run(typ, func(t *testing.T) {
			opts := &jwthttp.Options{Realm: realm, Verify: jwt.VerifyOptions{Audience: []string{testAud}, Now: nowFunc}}
			var h http.Handler
			if typ == "map" {
				mw, err := jwthttp.New[map[string]any](hsVerifier(t), opts)
				require.NoError(t, err)
				h = mw(mux)
			} else {
				h = protectT(t, hsVerifier(t), opts, mux)
			}
			e := newEnv(t, h)
			bearer := func(claims map[string]any) string { return "Bearer " + e.mint(nil, claimsOf(claims), "") }
			forms := map[string]map[string]any{
				"scope":      {"scope": "notes:read notes:write"},
				"scp array":  {"scp": []string{"notes:read", "notes:write"}},
				"scp string": {"scp": "notes:read notes:write"},
			}
			for name, claims := range forms {
				t.Run(name, func(t *testing.T) {
					auth := bearer(claims)
					e.get("/all", auth).ok(t, "scopes=notes:read,notes:write")
					e.get("/any", auth).ok(t, "scopes=notes:read,notes:write")
				})
			}
			lacking := map[string]map[string]any{
				"scope":      {"scope": "notes:read  other"},
				"scp array":  {"scp": []string{"notes:read", "other"}},
				"scp string": {"scp": "notes:read other"},
				"none":       {},
				"case":       {"scope": "NOTES:READ NOTES:WRITE ADMIN"},
			}
			for name, claims := range lacking {
				t.Run("lacking, "+name, func(t *testing.T) {
					auth := bearer(claims)
					e.get("/all", auth).refused(t, http.StatusForbidden, map[string]string{
						"realm": realm, "error": "insufficient_scope",
						"error_description": "the access token lacks a required scope", "scope": "notes:read notes:write",
					})
					e.get("/any", auth).refused(t, http.StatusForbidden, map[string]string{
						"realm": realm, "error": "insufficient_scope",
						"error_description": "the access token has none of the accepted scopes", "scope": "admin notes:write",
					})
				})
			}
			t.Run("403 body names the scope", func(t *testing.T) {
				res := e.get("/one", bearer(nil))
				require.Equal(t, `{"error":"insufficient_scope","error_description":"the access token lacks a required scope","scope":"notes:read"}`, res.body)
			})
			t.Run("scope wins over scp", func(t *testing.T) {
				auth := bearer(map[string]any{"scope": "notes:read", "scp": []string{"admin"}})
				e.get("/one", auth).ok(t, "scopes=notes:read")
				require.Equal(t, http.StatusForbidden, e.get("/any", auth).status)
			})
			t.Run("scope members matched exactly", func(t *testing.T) {
				auth := bearer(map[string]any{"Scope": "notes:read notes:write", "SCP": []string{"admin"}})
				require.Equal(t, http.StatusForbidden, e.get("/one", auth).status)
				require.Equal(t, http.StatusForbidden, e.get("/any", auth).status)
			})
			for name, claims := range map[string]map[string]any{
				"scope array":   {"scope": []string{"notes:read"}},
				"scope number":  {"scope": 1},
				"scope null":    {"scope": nil},
				"scp number":    {"scp": 1},
				"scp object":    {"scp": map[string]any{"a": 1}},
				"scp with null": {"scp": []any{"notes:read", nil}},
				"scp mixed":     {"scp": []any{"notes:read", 1}},
			} {
				t.Run("malformed, "+name, func(t *testing.T) {
					if name == "scope null" { // claimsOf would drop a nil claim
						tok := e.mint(nil, []byte(`{"aud":"`+testAud+`","exp":1900000000,"scope":null}`), "")
						e.get("/one", "Bearer "+tok).refused(t, http.StatusUnauthorized, invalidToken("the access token has a malformed scope claim"))
						return
					}
					e.get("/one", bearer(claims)).refused(t, http.StatusUnauthorized, invalidToken("the access token has a malformed scope claim"))
				})
			}
		})
	}
}

func TestRequireScopesWiring(t *testing.T) {
	// Without the middleware of New, a scope check cannot pass: 500.
	e := newEnv(t, jwthttp.RequireScopes("a")(scopesHandler))
	res := e.get("/", "Bearer abc")
	require.Equal(t, http.StatusInternalServerError, res.status)
	require.Equal(t, `{"error":"server_error"}`, res.body)
	require.Empty(t, res.header.Values("WWW-Authenticate"))

	for _, bad := range [][]string{nil, {}, {""}, {"a b"}, {`a"`}, {`a\`}, {"é"}, {"a", "\x7f"}} {
		require.Panics(t, func() { jwthttp.RequireScopes(bad...) }, "%q", bad)
		require.Panics(t, func() { jwthttp.RequireAnyScope(bad...) }, "%q", bad)
	}
}

func TestAccessTokenProfile(t *testing.T) {
	signer, verifier := edKeys(t)
	opts := &jwthttp.Options{Realm: realm, Verify: jwthttp.AccessTokenOptions(testIssuer, testAud)}
	opts.Verify.Now = nowFunc
	mw, err := jwthttp.New[appClaims](verifier, opts)
	require.NoError(t, err)
	e := newEnv(t, mw(jwthttp.RequireScopes("notes:read")(subHandler(func(c appClaims) string { return c.Subject }))))
	full := func(extra map[string]any) map[string]any {
		return claimsOf(mergeClaims(map[string]any{"client_id": "app-1", "scope": "notes:read", "aud": []string{"https://other.example", testAud}}, extra))
	}
	e.get("/", "Bearer "+e.mint(signer, full(nil), "at+jwt")).ok(t, "sub=user-1")
	e.get("/", "Bearer "+e.mint(signer, full(nil), "application/at+jwt")).ok(t, "sub=user-1")
	e.get("/", "Bearer "+e.mint(signer, full(nil), "AT+JWT")).ok(t, "sub=user-1")

	for _, claim := range []string{"iss", "exp", "aud", "sub", "client_id", "iat", "jti"} {
		t.Run("without "+claim, func(t *testing.T) {
			res := e.get("/", "Bearer "+e.mint(signer, full(map[string]any{claim: nil}), "at+jwt"))
			require.Equal(t, http.StatusUnauthorized, res.status)
			ch, err := parseChallenge(res.header.Get("WWW-Authenticate"))
			require.NoError(t, err)
			require.Equal(t, "invalid_token", ch.params["error"])
			require.Contains(t, ch.params["error_description"], "the access token lacks a required claim")
		})
	}
	for _, c := range []struct {
		name   string
		claims map[string]any
		typ    string
		desc   string
	}{
		{"typ JWT", full(nil), "JWT", "the access token is of another type"},
		{"no typ", full(nil), "", "the access token is of another type"}, // Sign writes "JWT"
		{"typ at+jwt+x", full(nil), "at+jwt+x", "the access token is of another type"},
		{"other issuer", full(map[string]any{"iss": testIssuer + "/"}), "at+jwt", "the access token is from another issuer"},
		{"other audience", full(map[string]any{"aud": "https://api.example/v2"}), "at+jwt", "the access token is not meant for this resource"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e.get("/", "Bearer "+e.mint(signer, c.claims, c.typ)).refused(t, http.StatusUnauthorized, invalidToken(c.desc))
		})
	}
}

func mergeClaims(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out // nil values stay: claimsOf deletes those claims
}

func TestOptional(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/", subHandler(rcSub))
	mux.Handle("/scoped", jwthttp.RequireScopes("a")(scopesHandler))
	e := newEnv(t, protectT(t, hsVerifier(t), &jwthttp.Options{Realm: realm, Optional: true}, mux))
	e.get("/", "").ok(t, "anonymous")
	e.get("/", "Bearer "+e.mint(nil, claimsOf(nil), "")).ok(t, "sub=user-1")
	e.get("/", "Bearer "+e.mint(nil, claimsOf(map[string]any{"exp": testNow.Unix()}), "")).
		refused(t, http.StatusUnauthorized, invalidToken("the access token expired"))
	e.get("/", "Bearer").refused(t, http.StatusBadRequest, invalidRequest("the Authorization header is malformed"))
	// A scoped handler behind an optional middleware asks for a token.
	e.get("/scoped", "").refused(t, http.StatusUnauthorized, map[string]string{"realm": realm, "scope": "a"})
	e.get("/scoped", "Bearer "+e.mint(nil, claimsOf(map[string]any{"scope": "a"}), "")).ok(t, "scopes=a")
}

func TestSkipPaths(t *testing.T) {
	e := newEnv(t, protect(t, hsVerifier(t), &jwthttp.Options{Realm: realm, SkipPaths: []string{"/healthz", "/public/"}}))
	for _, p := range []string{"/healthz", "/public/", "/public/a/b"} {
		e.get(p, "").ok(t, "anonymous")
	}
	for _, p := range []string{"/", "/healthz/", "/healthzx", "/public", "/publicx", "/public/../admin", "/public/./a", "/public//a", "/public/%2e%2e/admin", "/public/a/.."} {
		t.Run(p, func(t *testing.T) {
			req := e.request(http.MethodGet, "/", nil)
			// Sent as it is: the client does not clean the path.
			req.URL = &url.URL{Scheme: "http", Host: req.URL.Host, Opaque: p}
			e.do(req).refused(t, http.StatusUnauthorized, noTokenChallenge)
		})
	}
}

// blockingKeys is a key source that blocks until its context is done, and
// records why.
type blockingKeys struct {
	entered chan struct{}
	done    chan error
}

func (b *blockingKeys) Lookup(ctx context.Context, h jwt.Header) ([]jwt.Verifier, error) {
	b.entered <- struct{}{}
	select {
	case <-ctx.Done():
		b.done <- ctx.Err()
		return nil, ctx.Err()
	case <-time.After(5 * time.Second):
		b.done <- errors.New("the context never ended")
		return nil, errors.New("timeout")
	}
}

func TestContextReachesKeySource(t *testing.T) {
	keys := &blockingKeys{entered: make(chan struct{}, 1), done: make(chan error, 1)}
	mw, err := jwthttp.New[jwt.RegisteredClaims](keys, &jwthttp.Options{Realm: realm, Verify: jwt.VerifyOptions{Audience: []string{testAud}, Now: nowFunc}})
	require.NoError(t, err)
	var handled atomic.Bool
	h := mw(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { handled.Store(true) }))

	t.Run("client goes away", func(t *testing.T) {
		e := newEnv(t, h)
		tok := e.mint(nil, claimsOf(nil), "")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		req := e.request(http.MethodGet, "/", nil).WithContext(ctx)
		req.Header.Set("Authorization", "Bearer "+tok)
		errc := make(chan error, 1)
		go func() {
			res, err := e.client.Do(req)
			if err == nil {
				res.Body.Close()
			}
			errc <- err
		}()
		<-keys.entered
		cancel()
		require.ErrorIs(t, <-errc, context.Canceled)
		select {
		case err := <-keys.done:
			require.ErrorIs(t, err, context.Canceled, "the key source saw the request's context end")
		case <-time.After(5 * time.Second):
			t.Fatal("the key source never saw the cancellation")
		}
	})
	t.Run("server deadline", func(t *testing.T) {
		deadline := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), 50*time.Millisecond)
			defer cancel()
			h.ServeHTTP(w, r.WithContext(ctx))
		})
		e := newEnv(t, deadline)
		tok := e.mint(nil, claimsOf(nil), "")
		unavailable(t, e.get("/", "Bearer "+tok))
		<-keys.entered
		require.ErrorIs(t, <-keys.done, context.DeadlineExceeded)
	})
	require.False(t, handled.Load(), "no request reached the handler")
}

// TestNothingEchoed sends tokens whose every attacker-chosen field holds a
// marker, and checks that no answer repeats it: descriptions are fixed.
func TestNothingEchoed(t *testing.T) {
	const marker = "ECHOED-MARKER"
	signer, err := jwt.HS256.NewSigner(testSecret)
	require.NoError(t, err)
	ks, err := jwt.NewKeySet(jwt.VerifierWithKeyID(hsVerifier(t), "k1"))
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/", jwthttp.RequireScopes("notes:read")(scopesHandler))
	opts := &jwthttp.Options{Realm: realm, QueryParameter: "access_token", Cookie: "at", Verify: jwt.VerifyOptions{
		Issuer: testIssuer, Type: "at+jwt", Audience: []string{testAud}, Required: []string{"client_id"},
	}}
	e := newEnv(t, protectT(t, ks, opts, mux))
	withKID := jwt.SignerWithKeyID(signer, marker)
	for _, tok := range []string{
		e.mint(withKID, claimsOf(nil), "at+jwt"),
		e.mint(signer, claimsOf(map[string]any{"iss": marker}), marker),
		e.mint(signer, claimsOf(map[string]any{"aud": marker, "sub": marker}), "at+jwt"),
		e.mint(jwt.SignerWithKeyID(signer, "k1"), claimsOf(map[string]any{"client_id": marker, "scope": marker}), "at+jwt"),
		e.mint(jwt.SignerWithKeyID(signer, "k1"), claimsOf(map[string]any{"client_id": "c", "scope": 7, "x": marker}), "at+jwt"),
		marker + ".e30.e30",
	} {
		for _, req := range []*http.Request{
			func() *http.Request {
				r := e.request(http.MethodGet, "/", nil)
				r.Header.Set("Authorization", "Bearer "+tok)
				return r
			}(),
			e.request(http.MethodGet, "/?access_token="+tok, nil),
			e.request(http.MethodGet, "/?access_token="+tok+"&access_token="+marker, nil),
			func() *http.Request {
				r := e.request(http.MethodGet, "/", nil)
				r.Header.Set("Authorization", "Bearer "+tok+marker+"$")
				return r
			}(),
		} {
			res := e.do(req)
			require.NotEqual(t, http.StatusOK, res.status)
			require.NotContains(t, res.body, marker)
			var dump strings.Builder
			require.NoError(t, res.header.Write(&dump))
			require.NotContains(t, dump.String(), marker)
		}
	}
}

// TestEscapedClaims checks that the claims the middleware reads itself, for
// Check and for scopes, are unescaped as JSON says.
func TestEscapedClaims(t *testing.T) {
	var iss atomic.Value
	opts := &jwthttp.Options{Realm: realm, Verify: jwt.VerifyOptions{Audience: []string{testAud}, Now: nowFunc},
		Check: func(r *http.Request, h jwt.Header, rc *jwt.RegisteredClaims) error {
			iss.Store(rc.Issuer + " " + rc.Subject + " " + rc.ID)
			return nil
		}}
	mw, err := jwthttp.New[map[string]any](hsVerifier(t), opts)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/scoped", jwthttp.RequireScopes("notes:read", "a/b")(scopesHandler))
	mux.Handle("/", scopesHandler)
	e := newEnv(t, mw(mux))
	tok := e.mint(nil, []byte(`{"aud":"https:\/\/api.example","exp":1900000000,"iss":"https:\/\/issuer.example",`+
		`"sub":"\u0075ser-1","jti":"id\"1","sc\u006fpe":"notes:read\u0020a\/b"}`), "")
	e.get("/scoped", "Bearer "+tok).ok(t, "scopes=notes:read,a/b")
	require.Equal(t, `https://issuer.example user-1 id"1`, iss.Load())

	// Without a scope check, a malformed scope claim is no scope at all.
	bad := e.mint(nil, claimsOf(map[string]any{"scope": 12}), "")
	e.get("/", "Bearer "+bad).ok(t, "scopes=")
}

// TestFormParsedEarlier checks a form that a handler before the middleware
// has parsed: the body is gone, and the parsed form is used.
func TestFormParsedEarlier(t *testing.T) {
	inner := protectT(t, hsVerifier(t), &jwthttp.Options{Realm: realm, FormBody: true}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := jwthttp.Claims[jwt.RegisteredClaims](r.Context())
		io.WriteString(w, c.Subject+" "+r.PostForm.Get("note"))
	}))
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.NoError(t, r.ParseForm())
		inner.ServeHTTP(w, r)
	}))
	tok := e.mint(nil, claimsOf(nil), "")
	e.do(postTo(e, http.MethodPost, "application/x-www-form-urlencoded", url.Values{"access_token": {tok}, "note": {"hi"}}.Encode())).ok(t, "user-1 hi")
	e.do(postTo(e, http.MethodPost, "application/x-www-form-urlencoded", "note=hi")).refused(t, http.StatusUnauthorized, noTokenChallenge)
}

// TestOtherKindsOfJWT: a token typed as another kind of JWT is refused
// even by a middleware that checks neither "typ" nor an audience.
func TestOtherKindsOfJWT(t *testing.T) {
	signer, verifier := edKeys(t)
	opts := &jwthttp.Options{Realm: realm, Verify: jwt.VerifyOptions{Now: nowFunc, IgnoreAudience: true}}
	mw, err := jwthttp.New[jwt.RegisteredClaims](verifier, opts)
	require.NoError(t, err)
	e := newEnv(t, mw(subHandler(rcSub)))
	e.get("/", "Bearer "+e.mint(signer, claimsOf(nil), "JWT")).ok(t, "sub=user-1")
	e.get("/", "Bearer "+e.mint(signer, claimsOf(nil), "at+jwt")).ok(t, "sub=user-1")
	for _, typ := range []string{"refresh+jwt", "application/refresh+jwt", "REFRESH+JWT", "dpop+jwt", "secevent+jwt", "logout+jwt"} {
		e.get("/", "Bearer "+e.mint(signer, claimsOf(nil), typ)).refused(t, http.StatusUnauthorized, invalidToken("the access token is of another type"))
	}
}
