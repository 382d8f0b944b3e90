package jwthttp_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwthttp"
)

// The test keys and clock. Every response of every test is searched for
// the keys and for every token the test made: none may appear.
var (
	testSecret = []byte("jwthttp test secret, 32+ bytes!!")
	testEdSeed = []byte("jwthttp ed25519 test seed, 32 b!")
	testNow    = time.Unix(1_800_000_000, 0)
	testIssuer = "https://issuer.example"
	testAud    = "https://api.example"
)

func nowFunc() time.Time { return testNow }

// keyMaterial is every encoding of the test keys a leak could take.
func keyMaterial() []string {
	priv := ed25519.NewKeyFromSeed(testEdSeed)
	var out []string
	for _, k := range [][]byte{testSecret, testEdSeed, priv, priv.Public().(ed25519.PublicKey)} {
		out = append(out,
			hex.EncodeToString(k),
			base64.StdEncoding.EncodeToString(k),
			base64.RawURLEncoding.EncodeToString(k),
		)
	}
	return append(out, string(testSecret), string(testEdSeed))
}

func hsVerifier(t testing.TB) jwt.Verifier {
	t.Helper()
	v, err := jwt.HS256.NewVerifier(testSecret)
	require.NoError(t, err)
	return v
}

func edKeys(t testing.TB) (jwt.Signer, jwt.Verifier) {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(testEdSeed)
	s, err := jwt.EdDSA.NewSigner(priv)
	require.NoError(t, err)
	v, err := jwt.EdDSA.NewVerifier(priv.Public())
	require.NoError(t, err)
	return s, v
}

// env is a protected handler behind a real server, and a real client.
type env struct {
	t      *testing.T
	srv    *httptest.Server
	client *http.Client
	tokens []string // every token made in this test
}

// newEnv serves h, and makes sure no response leaks a token or a key.
func newEnv(t *testing.T, h http.Handler) *env {
	t.Helper()
	srv := httptest.NewServer(h)
	e := &env{t: t, srv: srv, client: srv.Client()}
	e.client.Timeout = 10 * time.Second
	t.Cleanup(func() {
		e.client.CloseIdleConnections()
		srv.Close()
	})
	return e
}

// claimsOf is the claims of a well-formed token for the default options.
func claimsOf(extra map[string]any) map[string]any {
	c := map[string]any{
		"iss": testIssuer,
		"sub": "user-1",
		"aud": testAud,
		"exp": testNow.Add(5 * time.Minute).Unix(),
		"iat": testNow.Add(-time.Minute).Unix(),
		"jti": "id-1",
	}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

// mint signs claims with s (HS256 with testSecret if nil) and remembers
// the token, so that every response can be searched for it.
func (e *env) mint(s jwt.Signer, claims any, typ string) string {
	e.t.Helper()
	if s == nil {
		var err error
		s, err = jwt.HS256.NewSigner(testSecret)
		require.NoError(e.t, err)
	}
	tok, err := jwt.Sign(context.Background(), s, claims, &jwt.SignOptions{Type: typ})
	require.NoError(e.t, err)
	e.remember(tok)
	return tok
}

// remember adds a token (or anything secret) to what responses must not
// contain.
func (e *env) remember(tok string) {
	e.tokens = append(e.tokens, tok)
	if parts := strings.Split(tok, "."); len(parts) == 3 {
		e.tokens = append(e.tokens, parts[1]+"."+parts[2])
		if len(parts[2]) >= 16 {
			e.tokens = append(e.tokens, parts[2])
		}
	}
}

// response is a response read to the end.
type response struct {
	status int
	header http.Header
	body   string
}

func (e *env) request(method, path string, body io.Reader) *http.Request {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	require.NoError(e.t, err)
	return req
}

// get sends a GET with the Authorization header auth, if not empty.
func (e *env) get(path, auth string) *response {
	e.t.Helper()
	req := e.request(http.MethodGet, path, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return e.do(req)
}

// do sends req and checks that the response holds neither a token of this
// test nor a key, in its header or its body.
func (e *env) do(req *http.Request) *response {
	e.t.Helper()
	return e.doWith(e.client, req)
}

// doWith is do with another client, such as one with a dpop.Transport.
func (e *env) doWith(client *http.Client, req *http.Request) *response {
	e.t.Helper()
	res, err := client.Do(req)
	require.NoError(e.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(e.t, err)
	r := &response{status: res.StatusCode, header: res.Header, body: string(b)}
	var dump strings.Builder
	require.NoError(e.t, res.Header.Write(&dump))
	dump.WriteString(r.body)
	for _, s := range append(keyMaterial(), e.tokens...) {
		require.NotContains(e.t, dump.String(), s, "the response leaks a token or a key")
	}
	return r
}

// ok asserts a response of the test handler.
func (r *response) ok(t *testing.T, body string) {
	t.Helper()
	require.Equal(t, http.StatusOK, r.status, "body: %s", r.body)
	require.Equal(t, body, r.body)
	require.Empty(t, r.header.Values("WWW-Authenticate"))
}

// refused asserts a refusal: its status, exactly one challenge with the
// parameters want (in any order; nothing else), and a JSON body that agrees.
func (r *response) refused(t *testing.T, status int, want map[string]string) {
	t.Helper()
	require.Equal(t, status, r.status, "body: %s", r.body)
	vals := r.header.Values("WWW-Authenticate")
	require.Len(t, vals, 1, "exactly one WWW-Authenticate field")
	ch, err := parseChallenge(vals[0])
	require.NoError(t, err, "challenge %q", vals[0])
	require.Equal(t, "Bearer", ch.scheme)
	require.Equal(t, want, ch.params, "challenge %q", vals[0])
	desc := want["error_description"]
	if want["error"] == "" {
		desc = "the request has no access token" // in the body only
	}
	r.jsonBody(t, want["error"], desc)
}

// jsonBody asserts the default body: a JSON object whose "error" and
// "error_description" are code and desc ("" for absent).
func (r *response) jsonBody(t *testing.T, code, desc string) {
	t.Helper()
	require.Equal(t, "application/json", r.header.Get("Content-Type"))
	var body map[string]string
	require.NoError(t, json.Unmarshal([]byte(r.body), &body), "body %q", r.body)
	require.Equal(t, code, body["error"])
	require.Equal(t, desc, body["error_description"])
	_, hasErr := body["error"]
	require.Equal(t, code != "", hasErr)
}

// challenge is a parsed WWW-Authenticate challenge.
type challenge struct {
	scheme string
	params map[string]string
}

// parseChallenge parses exactly one challenge (RFC 9110 §11.2, §11.6.1)
// strictly, and checks the parameters RFC 6750 §3 and RFC 9728 §5.1 define:
//
//	challenge   = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//	auth-param  = token BWS "=" BWS ( token / quoted-string )
//
// Parameter names are case-insensitive and must be unique; realm, scope,
// error, error_description and resource_metadata must be quoted-strings;
// error, error_description and scope values must use only the characters
// RFC 6750 allows; error must be one of its codes. A token68 is refused:
// RFC 6750 uses parameters only.
func parseChallenge(s string) (challenge, error) {
	ch := challenge{params: map[string]string{}}
	i := 0
	for i < len(s) && isTchar(s[i]) {
		i++
	}
	if i == 0 {
		return ch, fmt.Errorf("no auth-scheme")
	}
	ch.scheme = s[:i]
	if i == len(s) {
		return ch, nil
	}
	if s[i] != ' ' {
		return ch, fmt.Errorf("no SP after the auth-scheme")
	}
	for i < len(s) && s[i] == ' ' {
		i++
	}
	seen := map[string]bool{}
	quotedOnly := map[string]bool{"realm": true, "scope": true, "error": true, "error_description": true, "resource_metadata": true}
	for {
		start := i
		for i < len(s) && isTchar(s[i]) {
			i++
		}
		if i == start {
			return ch, fmt.Errorf("no parameter name at %d", i)
		}
		name := strings.ToLower(s[start:i])
		i = skipOWS(s, i)
		if i == len(s) || s[i] != '=' {
			return ch, fmt.Errorf("no '=' after %q (a token68 or a second challenge)", name)
		}
		i = skipOWS(s, i+1)
		var value string
		quoted := i < len(s) && s[i] == '"'
		if quoted {
			var b strings.Builder
			i++
			for {
				if i == len(s) {
					return ch, fmt.Errorf("unterminated quoted-string")
				}
				c := s[i]
				if c == '"' {
					i++
					break
				}
				if c == '\\' {
					if i+1 == len(s) {
						return ch, fmt.Errorf("dangling quoted-pair")
					}
					i++
					c = s[i]
				} else if c != '\t' && (c < 0x20 || c == 0x7f) {
					return ch, fmt.Errorf("control character in quoted-string")
				}
				b.WriteByte(c)
				i++
			}
			value = b.String()
		} else {
			start := i
			for i < len(s) && isTchar(s[i]) {
				i++
			}
			if i == start {
				return ch, fmt.Errorf("no value for %q", name)
			}
			value = s[start:i]
		}
		if seen[name] {
			return ch, fmt.Errorf("parameter %q twice", name)
		}
		seen[name] = true
		if quotedOnly[name] && !quoted {
			return ch, fmt.Errorf("%q is not a quoted-string", name)
		}
		if err := checkParam(name, value); err != nil {
			return ch, err
		}
		ch.params[name] = value
		i = skipOWS(s, i)
		if i == len(s) {
			return ch, nil
		}
		if s[i] != ',' {
			return ch, fmt.Errorf("junk after %q", name)
		}
		i = skipOWS(s, i+1)
		if i == len(s) {
			return ch, fmt.Errorf("trailing comma")
		}
	}
}

// checkParam applies the value syntax of RFC 6750 §3.
func checkParam(name, v string) error {
	// error, error_description: %x20-21 / %x23-5B / %x5D-7E;
	// scope tokens: %x21 / %x23-5B / %x5D-7E, separated by single SP.
	allowed := func(c byte, space bool) bool {
		return (c == 0x20 && space) || c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e)
	}
	switch name {
	case "error":
		switch v {
		case "invalid_request", "invalid_token", "insufficient_scope",
			"invalid_dpop_proof", "use_dpop_nonce": // RFC 9449 §7.1

		default:
			return fmt.Errorf("unknown error code %q", v)
		}
	case "error_description":
		for i := 0; i < len(v); i++ {
			if !allowed(v[i], true) {
				return fmt.Errorf("error_description has byte %#x", v[i])
			}
		}
	case "scope":
		for _, tok := range strings.Split(v, " ") {
			if tok == "" {
				return fmt.Errorf("scope %q has an empty scope-token", v)
			}
			for i := 0; i < len(tok); i++ {
				if !allowed(tok[i], false) {
					return fmt.Errorf("scope has byte %#x", tok[i])
				}
			}
		}
	}
	return nil
}

func skipOWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

func isTchar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// TestParseChallenge checks the test's own parser, so that the other tests
// can trust it.
func TestParseChallenge(t *testing.T) {
	good := map[string]map[string]string{
		`Bearer`:           {},
		`Bearer realm="a"`: {"realm": "a"},
		`Bearer realm="a", error="invalid_token", error_description="x y"`: {"realm": "a", "error": "invalid_token", "error_description": "x y"},
		`Bearer  realm = "a\"b" ,scope="s t"`:                              {"realm": `a"b`, "scope": "s t"},
		`Bearer foo=bar`:                                                   {"foo": "bar"},
	}
	for s, want := range good {
		ch, err := parseChallenge(s)
		require.NoError(t, err, s)
		require.Equal(t, want, ch.params, s)
	}
	for _, s := range []string{
		``, ` Bearer`, `Bearer,`, `Bearer realm="a", realm="b"`, `Bearer realm="a", REALM="b"`,
		`Bearer realm=a`, `Bearer error="nope"`, `Bearer error_description="a\"b"`,
		`Bearer scope="a  b"`, `Bearer scope="a\\b"`, `Bearer abc==`, `Bearer realm="a", Basic`,
		`Bearer realm="a",`, `Bearer realm="a`, `Bearer realm="a" x`, "Bearer realm=\"a\x01\"",
		`Bearer	realm="a"`,
	} {
		_, err := parseChallenge(s)
		require.Error(t, err, "%q", s)
	}
}

// subHandler answers 200 with the subject of the token in the context.
func subHandler[T any](sub func(T) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := jwthttp.Claims[T](r.Context())
		if !ok {
			io.WriteString(w, "anonymous")
			return
		}
		io.WriteString(w, "sub="+sub(c))
	})
}

func rcSub(c jwt.RegisteredClaims) string { return c.Subject }

// protect returns New[jwt.RegisteredClaims] over keys with opts, wrapped
// around the subHandler; opts.Verify.Now is the test clock unless set.
func protect(t *testing.T, keys jwt.KeySource, opts *jwthttp.Options) http.Handler {
	t.Helper()
	return protectT(t, keys, opts, subHandler(rcSub))
}

func protectT(t *testing.T, keys jwt.KeySource, opts *jwthttp.Options, h http.Handler) http.Handler {
	t.Helper()
	if opts == nil {
		opts = &jwthttp.Options{}
	}
	if opts.Verify.Now == nil {
		opts.Verify.Now = nowFunc
	}
	if len(opts.Verify.Audience) == 0 && !opts.Verify.IgnoreAudience {
		opts.Verify.Audience = []string{testAud}
	}
	mw, err := jwthttp.New[jwt.RegisteredClaims](keys, opts)
	require.NoError(t, err)
	return mw(h)
}
