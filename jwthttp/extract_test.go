package jwthttp_test

import (
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwt/jwthttp"
)

const realm = "api"

// noTokenChallenge is the challenge to a request without a token.
var noTokenChallenge = map[string]string{"realm": realm}

func invalidRequest(desc string) map[string]string {
	return map[string]string{"realm": realm, "error": "invalid_request", "error_description": desc}
}

func TestNoToken(t *testing.T) {
	e := newEnv(t, protect(t, hsVerifier(t), &jwthttp.Options{Realm: realm}))
	res := e.get("/", "")
	res.refused(t, http.StatusUnauthorized, noTokenChallenge)
	// No error parameter at all (RFC 6750 §3.1), in exactly this form.
	require.Equal(t, `Bearer realm="api"`, res.header.Get("WWW-Authenticate"))
	require.Equal(t, `{"error_description":"the request has no access token"}`, res.body)
}

func TestNoRealm(t *testing.T) {
	e := newEnv(t, protect(t, hsVerifier(t), nil))
	res := e.get("/", "")
	res.refused(t, http.StatusUnauthorized, map[string]string{})
	require.Equal(t, `Bearer`, res.header.Get("WWW-Authenticate"))
}

func TestAuthorizationHeader(t *testing.T) {
	e := newEnv(t, protect(t, hsVerifier(t), &jwthttp.Options{Realm: realm}))
	tok := e.mint(nil, claimsOf(nil), "")
	for _, auth := range []string{
		"Bearer " + tok,
		"bearer " + tok,
		"BEARER " + tok,
		"BeArEr    " + tok,
		"Bearer " + tok + "   ", // trailing whitespace is not part of the field value
	} {
		t.Run("", func(t *testing.T) {
			e.get("/", auth).ok(t, "sub=user-1")
		})
	}
	syntax := invalidRequest("the Authorization header is malformed")
	chars := invalidRequest("the access token has characters a bearer token cannot have")
	for _, c := range []struct {
		name string
		auth string
		want map[string]string
	}{
		{"scheme only", "Bearer", syntax},
		{"tab", "Bearer\t" + tok, syntax},
		{"comma", "Bearer," + tok, syntax},
		{"no scheme", "=" + tok, syntax},
		{"two words", "Bearer " + tok + " " + tok, chars},
		{"bad character", "Bearer " + tok + "$", chars},
		{"padding inside", "Bearer ab=cd", chars},
		{"quoted", `Bearer "` + tok + `"`, chars},
	} {
		t.Run(c.name, func(t *testing.T) {
			e.get("/", c.auth).refused(t, http.StatusBadRequest, c.want)
		})
	}
	// b64token allows trailing '=': the token is then not a JWT.
	e.get("/", "Bearer abc==").refused(t, http.StatusUnauthorized, invalidToken("the access token is malformed"))

	// Another scheme is not a bearer token: no credentials, no error.
	e.get("/", "Basic dXNlcjpwYXNz").refused(t, http.StatusUnauthorized, noTokenChallenge)
	e.get("/", "Bearerx "+tok).refused(t, http.StatusUnauthorized, noTokenChallenge)
	e.get("/", "DPoP "+tok).refused(t, http.StatusUnauthorized, noTokenChallenge)

	// An empty Authorization field is malformed.
	req := e.request(http.MethodGet, "/", nil)
	req.Header["Authorization"] = []string{""}
	e.do(req).refused(t, http.StatusBadRequest, syntax)
}

func TestTwoCredentials(t *testing.T) {
	opts := &jwthttp.Options{Realm: realm, FormBody: true, QueryParameter: "access_token", Cookie: "at"}
	e := newEnv(t, protect(t, hsVerifier(t), opts))
	tok := e.mint(nil, claimsOf(nil), "")
	tok2 := e.mint(nil, claimsOf(map[string]any{"sub": "user-2"}), "")
	two := invalidRequest("the request has more than one access token")

	form := func(v url.Values) *http.Request {
		req := e.request(http.MethodPost, "/", strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return req
	}
	cases := []struct {
		name string
		req  func() *http.Request
		want map[string]string
	}{
		{"two Authorization headers", func() *http.Request {
			req := e.request(http.MethodGet, "/", nil)
			req.Header.Add("Authorization", "Bearer "+tok)
			req.Header.Add("Authorization", "Bearer "+tok2)
			return req
		}, invalidRequest("the request has more than one Authorization header")},
		{"Authorization headers of two schemes", func() *http.Request {
			req := e.request(http.MethodGet, "/", nil)
			req.Header.Add("Authorization", "Basic dXNlcjpwYXNz")
			req.Header.Add("Authorization", "Bearer "+tok)
			return req
		}, invalidRequest("the request has more than one Authorization header")},
		{"header and form", func() *http.Request {
			req := form(url.Values{"access_token": {tok}})
			req.Header.Set("Authorization", "Bearer "+tok)
			return req
		}, two},
		{"header and query", func() *http.Request {
			req := e.request(http.MethodGet, "/?access_token="+tok, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			return req
		}, two},
		{"header and cookie", func() *http.Request {
			req := e.request(http.MethodGet, "/", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			req.AddCookie(&http.Cookie{Name: "at", Value: tok})
			return req
		}, two},
		{"query and form", func() *http.Request {
			req := form(url.Values{"access_token": {tok}})
			req.URL.RawQuery = "access_token=" + tok2
			return req
		}, two},
		{"cookie and form", func() *http.Request {
			req := form(url.Values{"access_token": {tok}})
			req.AddCookie(&http.Cookie{Name: "at", Value: tok2})
			return req
		}, two},
		{"query twice", func() *http.Request {
			return e.request(http.MethodGet, "/?access_token="+tok+"&access_token="+tok, nil)
		}, two},
		{"form twice", func() *http.Request {
			return form(url.Values{"access_token": {tok, tok2}})
		}, two},
		{"cookie twice", func() *http.Request {
			req := e.request(http.MethodGet, "/", nil)
			req.Header.Set("Cookie", "at="+tok+"; at="+tok2)
			return req
		}, two},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.do(c.req()).refused(t, http.StatusBadRequest, c.want)
		})
	}
}

// echoBody answers with the subject and the body it read.
func echoBody(t *testing.T) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := jwthttp.Claims[jwtRC](r.Context())
		require.True(t, ok)
		b, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		io.WriteString(w, "sub="+c.Subject+" body="+string(b))
	})
}

func TestFormBody(t *testing.T) {
	e := newEnv(t, protectT(t, hsVerifier(t), &jwthttp.Options{Realm: realm, FormBody: true, MaxFormBytes: 4096}, echoBody(t)))
	tok := e.mint(nil, claimsOf(nil), "")
	body := url.Values{"access_token": {tok}, "note": {"hello world"}}.Encode()

	post := func(method, contentType, body string) *http.Request { return postTo(e, method, contentType, body) }
	t.Run("read, and the body is still there", func(t *testing.T) {
		// The echo would leak the token: this response is checked by hand.
		res, err := e.client.Do(post(http.MethodPost, "application/x-www-form-urlencoded", body))
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		require.Equal(t, http.StatusOK, res.StatusCode)
		require.Equal(t, "sub=user-1 body="+body, string(b))
	})
	t.Run("parameters in the media type", func(t *testing.T) {
		req := post(http.MethodPut, "Application/X-WWW-Form-Urlencoded; charset=utf-8", body)
		res, err := e.client.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode)
	})
	t.Run("ParseForm downstream", func(t *testing.T) {
		h := protectT(t, hsVerifier(t), &jwthttp.Options{FormBody: true}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			require.NoError(t, r.ParseForm())
			io.WriteString(w, r.PostForm.Get("note"))
		}))
		e2 := newEnv(t, h)
		e2.remember(tok)
		res := e2.do(postTo(e2, http.MethodPost, "application/x-www-form-urlencoded", body))
		res.ok(t, "hello world")
	})
	for _, c := range []struct {
		name, method, contentType string
	}{
		{"GET", http.MethodGet, "application/x-www-form-urlencoded"},
		{"DELETE", http.MethodDelete, "application/x-www-form-urlencoded"},
		{"JSON", http.MethodPost, "application/json"},
		{"no content type", http.MethodPost, ""},
	} {
		t.Run("not read: "+c.name, func(t *testing.T) {
			e.do(post(c.method, c.contentType, body)).refused(t, http.StatusUnauthorized, noTokenChallenge)
		})
	}
	t.Run("not read: multipart", func(t *testing.T) {
		var b strings.Builder
		mw := multipart.NewWriter(&b)
		require.NoError(t, mw.WriteField("access_token", tok))
		require.NoError(t, mw.Close())
		e.do(post(http.MethodPost, mw.FormDataContentType(), b.String())).refused(t, http.StatusUnauthorized, noTokenChallenge)
	})
	t.Run("too large", func(t *testing.T) {
		big := body + "&pad=" + strings.Repeat("x", 5000)
		e.do(post(http.MethodPost, "application/x-www-form-urlencoded", big)).
			refused(t, http.StatusBadRequest, invalidRequest("the form body is too large to search for an access token"))
	})
	t.Run("malformed", func(t *testing.T) {
		e.do(post(http.MethodPost, "application/x-www-form-urlencoded", "access_token=%zz")).
			refused(t, http.StatusBadRequest, invalidRequest("the form body is malformed"))
	})
	t.Run("empty", func(t *testing.T) {
		e.do(post(http.MethodPost, "application/x-www-form-urlencoded", "access_token=")).
			refused(t, http.StatusBadRequest, invalidRequest("the access token has characters a bearer token cannot have"))
	})
	t.Run("header token, form body intact", func(t *testing.T) {
		req := post(http.MethodPost, "application/x-www-form-urlencoded", "note=hi")
		req.Header.Set("Authorization", "Bearer "+tok)
		e.do(req).ok(t, "sub=user-1 body=note=hi")
	})
	t.Run("not opted in", func(t *testing.T) {
		e2 := newEnv(t, protectT(t, hsVerifier(t), &jwthttp.Options{Realm: realm}, echoBody(t)))
		e2.remember(tok)
		e2.do(postTo(e2, http.MethodPost, "application/x-www-form-urlencoded", body)).refused(t, http.StatusUnauthorized, noTokenChallenge)
	})
}

func TestQuery(t *testing.T) {
	t.Run("refused by default", func(t *testing.T) {
		e := newEnv(t, protect(t, hsVerifier(t), &jwthttp.Options{Realm: realm}))
		tok := e.mint(nil, claimsOf(nil), "")
		e.get("/?access_token="+tok, "").refused(t, http.StatusUnauthorized, noTokenChallenge)
	})
	t.Run("opted in by name", func(t *testing.T) {
		e := newEnv(t, protect(t, hsVerifier(t), &jwthttp.Options{Realm: realm, QueryParameter: "access_token"}))
		tok := e.mint(nil, claimsOf(nil), "")
		res := e.get("/?x=1&access_token="+tok, "")
		res.ok(t, "sub=user-1")
		require.Equal(t, "private", res.header.Get("Cache-Control"), "RFC 6750 §2.3")
		// Another name is not read.
		e.get("/?token="+tok, "").refused(t, http.StatusUnauthorized, noTokenChallenge)
		// A header token's answer is not marked.
		require.Empty(t, e.get("/", "Bearer "+tok).header.Get("Cache-Control"))
	})
}

func TestCookie(t *testing.T) {
	e := newEnv(t, protect(t, hsVerifier(t), &jwthttp.Options{Realm: realm, Cookie: "at"}))
	tok := e.mint(nil, claimsOf(nil), "")
	cookie := func(e *env, name, value string) *http.Request {
		req := e.request(http.MethodGet, "/", nil)
		req.AddCookie(&http.Cookie{Name: name, Value: value})
		return req
	}
	e.do(cookie(e, "at", tok)).ok(t, "sub=user-1")
	e.do(cookie(e, "other", tok)).refused(t, http.StatusUnauthorized, noTokenChallenge)
	e.do(cookie(e, "at", "")).refused(t, http.StatusUnauthorized, noTokenChallenge)

	// Without the option, cookies are not read.
	e2 := newEnv(t, protect(t, hsVerifier(t), &jwthttp.Options{Realm: realm}))
	e2.remember(tok)
	e2.do(cookie(e2, "at", tok)).refused(t, http.StatusUnauthorized, noTokenChallenge)
}

func postTo(e *env, method, contentType, body string) *http.Request {
	req := e.request(method, "/", strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	return req
}
