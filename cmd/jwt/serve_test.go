package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serveT serves the handler of jwt serve, at the Unix time now, on a real
// loopback server.
func serveT(t *testing.T, now int64) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(newServeHandler(&serveOptions{now: func() time.Time { return time.Unix(now, 0) }}))
	t.Cleanup(srv.Close)
	return srv
}

// postCheck posts req to srv's /api/check with a real client and returns
// the answer.
func postCheck(t *testing.T, srv *httptest.Server, req checkRequest) checkAnswer {
	t.Helper()
	body, err := json.Marshal(req)
	require.NoError(t, err)
	res, err := srv.Client().Post(srv.URL+"/api/check", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "no-store", res.Header.Get("Cache-Control"))
	assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
	var a checkAnswer
	dec := json.NewDecoder(res.Body)
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&a))
	return a
}

// lintCodes returns the codes of a's lints.
func lintCodes(a checkAnswer) []string {
	var codes []string
	for _, l := range a.Lints {
		codes = append(codes, l.Code)
	}
	return codes
}

// tamper changes the last character of token's signature.
func tamper(token string) string {
	last := token[len(token)-1]
	repl := byte('A')
	if last == 'A' {
		repl = 'Q'
	}
	return token[:len(token)-1] + string(repl)
}

// TestServeSameVerdictAsVerify checks that the page's verdict is jwt
// verify's, and its reason the line jwt verify prints without "jwt: ", for
// RFC 7515's tokens and keys: valid, tampered, expired, a key error, a
// missing algorithm.
func TestServeSameVerdictAsVerify(t *testing.T) {
	vs := loadVectors(t)
	dir := t.TempDir()
	const before, after = 1300819000, 1300819380 + 180 // the exp of A.1-A.3 is 1300819380
	ran := 0
	for _, tc := range []struct {
		name   string
		vector string
		alg    string
		time   int64
		token  func(string) string
		valid  bool
	}{
		{name: "A.1 HS256 valid", vector: "rfc7515-A.1-HS256", alg: "HS256", time: before, valid: true},
		{name: "A.2 RS256 valid", vector: "rfc7515-A.2-RS256", alg: "RS256", time: before, valid: true},
		{name: "A.3 ES256 valid, alg from the key", vector: "rfc7515-A.3-ES256", time: before, valid: true},
		{name: "A.1 tampered", vector: "rfc7515-A.1-HS256", alg: "HS256", time: before, token: tamper},
		{name: "A.3 tampered", vector: "rfc7515-A.3-ES256", alg: "ES256", time: before, token: tamper},
		{name: "A.2 expired", vector: "rfc7515-A.2-RS256", alg: "RS256", time: after},
		{name: "A.2 without an algorithm", vector: "rfc7515-A.2-RS256", time: before},
		{name: "A.3 with the wrong algorithm", vector: "rfc7515-A.3-ES256", alg: "ES384", time: before},
		{name: "A.5 unsecured", vector: "rfc7515-A.5-unsecured-none", alg: "HS256", time: before},
		{name: "malformed", vector: "rfc7515-A.1-HS256", alg: "HS256", time: before, token: func(s string) string { return s[:10] }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := vs[tc.vector]
			key := v.PublicKey
			if len(key) == 0 || v.Alg[0] == 'H' {
				key = v.Key
			}
			if tc.vector == "rfc7515-A.5-unsecured-none" {
				key = vs["rfc7515-A.1-HS256"].Key
			}
			token := v.Token
			if tc.token != nil {
				token = tc.token(token)
			}
			a := postCheck(t, serveT(t, tc.time), checkRequest{Token: token, Key: string(key), Alg: tc.alg})

			keyFile := write(t, dir, strings.ReplaceAll(t.Name(), "/", "_")+".jwk", key)
			args := []string{"verify", "--key", keyFile, "--time", strconv.FormatInt(tc.time, 10)}
			if tc.alg != "" {
				args = append(args, "--alg", tc.alg)
			}
			r := jwtRun(t, append(args, token)...)
			if tc.valid {
				ok(t, r)
				assert.Equal(t, "valid", a.Verdict)
			} else {
				require.NotEqual(t, 0, r.code)
				// The CLI names the key by its file, the page by its field.
				want := strings.ReplaceAll(strings.TrimPrefix(strings.TrimSuffix(r.stderr, "\n"), "jwt: "), quote(keyFile), quote(pastedKeyName))
				assert.Equal(t, "invalid: "+want, a.Verdict)
			}
			ran++
		})
	}
	t.Logf("%d verdicts compared with jwt verify's", ran)
}

// TestServeCheck checks what the page shows besides the verdict: the
// header and payload, the times in words and the lints.
func TestServeCheck(t *testing.T) {
	vs := loadVectors(t)
	a1 := vs["rfc7515-A.1-HS256"]
	const exp = 1300819380

	t.Run("decoded, times in words", func(t *testing.T) {
		a := postCheck(t, serveT(t, exp+3*60+20), checkRequest{Token: a1.Token})
		assert.Equal(t, "{\n  \"typ\": \"JWT\",\n  \"alg\": \"HS256\"\n}", a.Header)
		assert.Equal(t, "{\n  \"iss\": \"joe\",\n  \"exp\": 1300819380,\n  \"http://example.com/is_root\": true\n}", a.Payload)
		assert.Equal(t, []timeWords{{Claim: "exp", Time: "2011-03-22T18:43:00Z", Words: "expired 3 minutes ago"}}, a.Times)
		assert.Equal(t, "not verified: give a key, a JWK Set URL or an issuer", a.Verdict)
	})
	for _, tc := range []struct {
		now  int64
		want string
	}{
		{exp - 1, "expires in 1 second"},
		{exp - 7200, "expires in 2 hours"},
		{exp - 3*86400, "expires in 3 days"},
		{exp, "expired just now"},
		{exp + 86400 + 5, "expired 24 hours ago"},
		{exp + 3*365*86400, "expired 3 years ago"},
	} {
		a := postCheck(t, serveT(t, tc.now), checkRequest{Token: a1.Token})
		require.Len(t, a.Times, 1)
		assert.Equal(t, tc.want, a.Times[0].Words, "at %d", tc.now)
	}

	t.Run("lints", func(t *testing.T) {
		// Tokens made by jwt sign with a weak secret and a rich header.
		dir := t.TempDir()
		secret := write(t, dir, "weak.secret", []byte("password-password-password-12345"))
		const now = 1700000000
		sign := func(claims string, args ...string) string {
			r := jwtRun(t, append([]string{"sign", "--alg", "HS256", "--secret-file", secret, "--time", strconv.Itoa(now)}, append(args, claims)...)...)
			return strings.TrimSpace(ok(t, r))
		}
		srv := serveT(t, now)
		a := postCheck(t, srv, checkRequest{Token: sign(`{"sub":"alice","password":"hunter2"}`, "--kid", "k1"), Key: "password-password-password-12345", Alg: "HS256"})
		assert.Equal(t, `invalid: token rejected: missing required claim: "exp"`, a.Verdict)
		assert.ElementsMatch(t, []string{"kid", "no-exp", "secret-in-claims", "weak-secret"}, lintCodes(a))

		a = postCheck(t, srv, checkRequest{Token: sign(`{"sub":"alice"}`, "--typ", "at+jwt", "--iat", "--exp", "720h")})
		assert.Equal(t, []string{"long-lifetime"}, lintCodes(a))
		assert.Contains(t, a.Lints[0].Text, "30 days")

		a = postCheck(t, srv, checkRequest{Token: sign(`{"sub":"alice"}`, "--typ", "at+jwt", "--exp", "5m")})
		assert.Empty(t, lintCodes(a), "a short-lived, typed token")
		assert.Equal(t, []timeWords{{Claim: "exp", Time: "2023-11-14T22:18:20Z", Words: "expires in 5 minutes"}}, a.Times)

		// RFC 7515 A.5 (alg none) and E (crit).
		a = postCheck(t, srv, checkRequest{Token: vs["rfc7515-A.5-unsecured-none"].Token})
		assert.Contains(t, lintCodes(a), "alg-none")
	})

	t.Run("a key naming no algorithm", func(t *testing.T) {
		a := postCheck(t, serveT(t, exp-60), checkRequest{Token: vs["rfc7515-A.2-RS256"].Token, Key: string(vs["rfc7515-A.2-RS256"].PublicKey)})
		assert.Contains(t, a.Note, "#alg")
		assert.Contains(t, a.Verdict, "invalid: ")
	})
}

// TestServeRequests checks the headers of every answer and that requests
// from elsewhere are refused.
func TestServeRequests(t *testing.T) {
	srv := serveT(t, 1300819000)
	get := func(path string, header ...string) *http.Response {
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		require.NoError(t, err)
		for i := 0; i < len(header); i += 2 {
			if header[i] == "Host" {
				req.Host = header[i+1]
			} else {
				req.Header.Set(header[i], header[i+1])
			}
		}
		res, err := srv.Client().Do(req)
		require.NoError(t, err)
		res.Body.Close()
		return res
	}
	for path, typ := range map[string]string{"/": "text/html; charset=utf-8", "/serve.js": "text/javascript; charset=utf-8", "/serve.css": "text/css; charset=utf-8"} {
		res := get(path)
		require.Equal(t, http.StatusOK, res.StatusCode, path)
		assert.Equal(t, typ, res.Header.Get("Content-Type"), path)
		csp := res.Header.Get("Content-Security-Policy")
		assert.Contains(t, csp, "connect-src 'self'", path)
		assert.Contains(t, csp, "default-src 'none'", path)
		assert.NotContains(t, csp, "unsafe-inline", path)
		assert.Equal(t, "no-store", res.Header.Get("Cache-Control"), path)
		assert.Equal(t, "no-referrer", res.Header.Get("Referrer-Policy"), path)
	}
	assert.Equal(t, http.StatusNotFound, get("/missing.js").StatusCode)
	assert.Equal(t, http.StatusNotFound, get("/index.go").StatusCode)
	assert.Equal(t, http.StatusMisdirectedRequest, get("/", "Host", "attacker.example").StatusCode, "DNS rebinding")
	assert.Equal(t, http.StatusForbidden, get("/", "Origin", "https://attacker.example").StatusCode)
	assert.Equal(t, http.StatusForbidden, get("/", "Sec-Fetch-Site", "cross-site").StatusCode)

	// A form posted from another page is refused before anything is read.
	res, err := srv.Client().Post(srv.URL+"/api/check", "application/x-www-form-urlencoded", strings.NewReader("token=x"))
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusUnsupportedMediaType, res.StatusCode)
	res, err = srv.Client().Post(srv.URL+"/api/check", "application/json", strings.NewReader(`{"token":"x","extra":1}`))
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
}

// TestServeCommand runs jwt serve as a user would: it refuses a
// non-loopback address, prints its URL, serves the page and stops on an
// interrupt.
func TestServeCommand(t *testing.T) {
	fails(t, jwtRun(t, "serve", "--addr", "0.0.0.0:0"), 2, "not a loopback address", "--expose-tokens-to-network")
	fails(t, jwtRun(t, "serve", "--addr", ":7519"), 2, "not a loopback address")
	fails(t, jwtRun(t, "serve", "extra"), 2, "serve takes no argument")

	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	fields := strings.Fields(line)
	require.GreaterOrEqual(t, len(fields), 3, line)
	url := fields[2]
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+/$`, url)
	res, err := http.Get(url)
	require.NoError(t, err)
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
	for _, id := range []string{"token", "key", "alg", "jwks-url", "issuer", "verify", "header", "payload", "times", "verdict", "lints"} {
		assert.Contains(t, string(page), `id="`+id+`"`)
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	require.NoError(t, cmd.Wait(), "stderr: %s", stderr.String())
	assert.Empty(t, stderr.String())
}

// TestServeRemoteKeys checks the verdicts with a JWK Set URL and an OpenID
// Connect issuer, fetched by the server as jwt verify --jwks and --oidc
// fetch them, against jwt verify's.
func TestServeRemoteKeys(t *testing.T) {
	vs := loadVectors(t)
	a3 := vs["rfc7515-A.3-ES256"]
	const before = 1300819000
	keys := newServer(t)
	var pub map[string]any
	require.NoError(t, json.Unmarshal(a3.PublicKey, &pub))
	pub["kid"], pub["alg"] = "a3", "ES256"
	set, err := json.Marshal(map[string]any{"keys": []any{pub}})
	require.NoError(t, err)
	keys.set("/jwks.json", string(set))
	keys.set("/.well-known/openid-configuration", `{"issuer":"`+keys.URL+`","jwks_uri":"`+keys.URL+`/jwks.json"}`)
	srv := serveT(t, before)

	// A.3's own token, without a kid.
	a := postCheck(t, srv, checkRequest{Token: a3.Token, JWKSURL: keys.URL + "/jwks.json"})
	assert.Equal(t, cliVerdict(jwtRun(t, "verify", "--jwks", keys.URL+"/jwks.json", "--time", strconv.Itoa(before), a3.Token)), a.Verdict)
	assert.Equal(t, "valid", a.Verdict)

	// A token of that key with its kid, made by jwt sign, is valid; with
	// the issuer, its "iss" must be the issuer.
	dir := t.TempDir()
	var priv map[string]any
	require.NoError(t, json.Unmarshal(a3.Key, &priv))
	priv["kid"] = "a3"
	privJSON, err := json.Marshal(priv)
	require.NoError(t, err)
	keyFile := write(t, dir, "a3.jwk", privJSON)
	token := strings.TrimSpace(ok(t, jwtRun(t, "sign", "--alg", "ES256", "--key", keyFile, "--time", strconv.Itoa(before), "--exp", "5m", `{"iss":"`+keys.URL+`","sub":"alice"}`)))
	assert.Equal(t, "valid", postCheck(t, srv, checkRequest{Token: token, JWKSURL: keys.URL + "/jwks.json"}).Verdict)
	assert.Equal(t, "valid", postCheck(t, srv, checkRequest{Token: token, Issuer: keys.URL}).Verdict)
	other := strings.TrimSpace(ok(t, jwtRun(t, "sign", "--alg", "ES256", "--key", keyFile, "--time", strconv.Itoa(before), "--exp", "5m", `{"iss":"https://elsewhere.example","sub":"alice"}`)))
	a = postCheck(t, srv, checkRequest{Token: other, Issuer: keys.URL})
	assert.Equal(t, cliVerdict(jwtRun(t, "verify", "--oidc", keys.URL, "--time", strconv.Itoa(before), other)), a.Verdict)
	assert.Contains(t, a.Verdict, "invalid: token rejected: ")
	assert.Contains(t, a.Verdict, "iss")
}

// cliVerdict returns the page's verdict for r, a run of jwt verify:
// "valid", or "invalid: " and its line without "jwt: ".
func cliVerdict(r result) string {
	if r.code == 0 {
		return "valid"
	}
	return "invalid: " + strings.TrimPrefix(strings.TrimSuffix(r.stderr, "\n"), "jwt: ")
}
