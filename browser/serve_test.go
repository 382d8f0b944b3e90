package browser

import (
	"bufio"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jwtkit/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exampleKey is an example key of RFC 7515 (testdata/rfc7515_keys.json).
type exampleKey struct {
	Name      string          `json:"name"`
	Source    string          `json:"source"`
	Alg       string          `json:"alg"`
	Key       json.RawMessage `json:"key"`
	PublicKey json.RawMessage `json:"public_key"`
}

func loadExampleKeys(t *testing.T) []exampleKey {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "rfc7515_keys.json"))
	require.NoError(t, err)
	var file struct {
		Source string       `json:"source"`
		Keys   []exampleKey `json:"keys"`
	}
	require.NoError(t, json.Unmarshal(b, &file))
	require.NotEmpty(t, file.Source)
	require.Len(t, file.Keys, 3)
	return file.Keys
}

// buildJWT builds the jwt command into a temporary directory.
func buildJWT(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "jwt")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/jwt")
	cmd.Dir = ".."
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build ./cmd/jwt: %s", out)
	return bin
}

// startServe starts jwt serve on a free loopback port at the Unix time now,
// and returns the URL it prints.
func startServe(t *testing.T, bin string, now time.Time) string {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--time", strconv.FormatInt(now.Unix(), 10))
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	fields := strings.Fields(line)
	require.GreaterOrEqual(t, len(fields), 3, "jwt serve printed %q", line)
	return fields[2]
}

// sign signs claims with the private example key k.
func sign(t *testing.T, k exampleKey, claims map[string]any) string {
	t.Helper()
	jwk, err := jwt.ParseJWK(k.Key)
	require.NoError(t, err)
	alg, err := jwt.AlgorithmByName(k.Alg)
	require.NoError(t, err)
	s, err := jwk.Signer(alg)
	require.NoError(t, err)
	token, err := jwt.Sign(context.Background(), s, claims, nil)
	require.NoError(t, err)
	return token
}

// verifyCLI returns what jwt verify prints on standard error for token with
// the public example key k at now, without "jwt: ", the key file's name
// replaced by "#key" as the page names it; "" if the token is valid.
func verifyCLI(t *testing.T, bin string, k exampleKey, token string, now time.Time) string {
	t.Helper()
	keyFile := filepath.Join(t.TempDir(), "key.jwk")
	require.NoError(t, os.WriteFile(keyFile, k.PublicKey, 0o600))
	cmd := exec.Command(bin, "verify", "--key", keyFile, "--alg", k.Alg, "--time", strconv.FormatInt(now.Unix(), 10), token)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if cmd.Run() == nil {
		return ""
	}
	msg := strings.TrimPrefix(strings.TrimSuffix(stderr.String(), "\n"), "jwt: ")
	return strings.ReplaceAll(msg, strconv.QuoteToASCII(keyFile), `"#key"`)
}

// checkOnPage fills the page's fields, presses #verify and returns the
// verdict once the answer is shown.
func checkOnPage(t *testing.T, ctx context.Context, token, key, alg string) string {
	t.Helper()
	eval[string](t, ctx, `document.getElementById("verdict").textContent = ""`)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("token"), token),
		chromedp.SetValue(chromedp.ID("key"), key),
		chromedp.SetValue(chromedp.ID("alg"), alg),
		chromedp.Click(chromedp.ID("verify")),
	))
	verdict, err := chromedp.Run(ctx, chromedp.Poll[string](`document.getElementById("verdict").textContent`, chromedp.WithPollingTimeout(20*time.Second)))
	require.NoError(t, err)
	return verdict
}

// TestServePage runs jwt serve's page in Chromium: RFC 7515's example keys
// with tokens re-signed to expire in the future are valid; a tampered one
// gets jwt verify's reason; an expired one says how long ago; one without
// "exp" shows the lint; the page asks no host but the local server, under
// a Content-Security-Policy that allows no other.
func TestServePage(t *testing.T) {
	chromium := findChromium(t)
	bin := buildJWT(t)
	now := time.Now().Truncate(time.Second)
	page := startServe(t, bin, now)
	keys := loadExampleKeys(t)
	ctx := newBrowser(t, chromium)
	rec := newRecorder()
	rec.listen(t, ctx)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.ID("verify"))))

	checks := 0
	for _, k := range keys {
		valid := sign(t, k, map[string]any{"iss": "https://issuer.example", "sub": "alice", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
		// The example keys name no algorithm: #alg gives it, as the page says.
		assert.Equal(t, "valid", checkOnPage(t, ctx, valid, string(k.PublicKey), k.Alg), k.Name)
		assert.Empty(t, verifyCLI(t, bin, k, valid, now), "jwt verify agrees")

		tampered := valid[:len(valid)-2] + flip(valid[len(valid)-2:])
		want := verifyCLI(t, bin, k, tampered, now)
		require.NotEmpty(t, want)
		assert.Equal(t, "invalid: "+want, checkOnPage(t, ctx, tampered, string(k.PublicKey), k.Alg), k.Name+" tampered")
		checks += 2
	}

	k := keys[2] // ES256
	expired := sign(t, k, map[string]any{"sub": "alice", "exp": now.Add(-3 * time.Minute).Unix()})
	verdict := checkOnPage(t, ctx, expired, string(k.PublicKey), k.Alg)
	assert.Equal(t, "invalid: "+verifyCLI(t, bin, k, expired, now), verdict)
	assert.True(t, strings.HasPrefix(verdict, "invalid: token rejected: token is expired"), verdict)
	assert.Contains(t, text(t, ctx, `#times li[data-claim="exp"]`), "expired 3 minutes ago")
	checks++

	noExp := sign(t, k, map[string]any{"sub": "alice", "iat": now.Unix()})
	checkOnPage(t, ctx, noExp, string(k.PublicKey), "")
	assert.Contains(t, text(t, ctx, `#lints li[data-code="no-exp"]`), `no "exp"`)
	checks++

	// A key without "alg" and no #alg: the page says to choose one.
	rsa := keys[1]
	verdict = checkOnPage(t, ctx, sign(t, rsa, map[string]any{"sub": "alice", "exp": now.Add(time.Hour).Unix()}), string(rsa.PublicKey), "")
	assert.True(t, strings.HasPrefix(verdict, "invalid: "), verdict)
	assert.Contains(t, text(t, ctx, "#note"), "#alg")
	checks++

	// The screenshot: a valid ES256 token with its lints.
	checkOnPage(t, ctx, sign(t, k, map[string]any{"iss": "https://issuer.example", "sub": "alice", "kid": "2026-01", "iat": now.Unix(), "exp": now.Add(48 * time.Hour).Unix()}), string(k.PublicKey), "ES256")
	saveScreenshot(t, ctx, "jwt-serve.png")

	base, err := url.Parse(page)
	require.NoError(t, err)
	requests := rec.Requests()
	require.NotEmpty(t, requests)
	for _, r := range requests {
		u, err := url.Parse(r)
		require.NoError(t, err)
		assert.Equal(t, base.Host, u.Host, "the page requested %s", r)
	}
	csp := header(rec.Document(page), "Content-Security-Policy")
	assert.Contains(t, csp, "connect-src 'self'")
	assert.NotContains(t, csp, "unsafe-inline")
	console := rec.Console()
	for _, m := range console {
		assert.NotContains(t, m, "Content Security Policy", "console: %s", m)
	}
	// The control: the browser enforces the policy, and the recorder sees
	// a violation when there is one. (CSP refuses before any request.)
	assert.Equal(t, "blocked", eval[string](t, ctx, `fetch("http://jwtkit.invalid/").then(() => "sent", () => "blocked")`))
	require.Eventually(t, func() bool {
		for _, m := range rec.Console() {
			if strings.Contains(m, "Content Security Policy") && strings.Contains(m, "jwtkit.invalid") {
				return true
			}
		}
		return false
	}, 10*time.Second, 20*time.Millisecond, "the CSP violation in the console")
	t.Logf("%d checks on the page, %d requests, all to %s, %d console messages, none about CSP; CSP: %s", checks, len(requests), base.Host, len(console), csp)
}

// flip changes the two last characters of a signature to others of the
// base64url alphabet.
func flip(s string) string {
	out := []byte(s)
	for i, c := range out {
		if c == 'A' {
			out[i] = 'B'
		} else {
			out[i] = 'A'
		}
	}
	return string(out)
}
