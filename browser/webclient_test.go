package browser

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// accessTTL is the lifetime of access tokens in the web client's test:
// short, so that the test waits past it.
const accessTTL = 3 * time.Second

// waitJS waits until the JavaScript expression js is true in the tab of ctx.
func waitJS(t *testing.T, ctx context.Context, js string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(20*time.Second)))
	require.NoError(t, err, "waiting for %s", js)
}

// waitStatus waits until #status reads status.
func waitStatus(t *testing.T, ctx context.Context, status string) {
	t.Helper()
	waitJS(t, ctx, `document.getElementById("status").textContent === "`+status+`"`)
}

// login signs in on the page as user.
func login(t *testing.T, ctx context.Context, st *stack, user string) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("username"), user),
		chromedp.SetValue(chromedp.ID("password"), st.password[user]),
		chromedp.Click(chromedp.CSS(`#login button[type="submit"]`)),
	))
	waitStatus(t, ctx, "signed-in")
}

// callAPI presses #call-api and returns the claims #me shows; #error must
// be empty then.
func callAPI(t *testing.T, ctx context.Context) map[string]any {
	t.Helper()
	eval[string](t, ctx, `document.getElementById("me").textContent = ""`)
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.ID("call-api"))))
	waitJS(t, ctx, `document.getElementById("me").textContent !== "" || document.getElementById("error").textContent !== ""`)
	assert.Empty(t, text(t, ctx, "#error"))
	var me map[string]any
	require.NoError(t, json.Unmarshal([]byte(text(t, ctx, "#me")), &me), "#me")
	return me
}

// pageRefresh returns the refresh token the page keeps, and a DPoP proof
// for POST /token/refresh made by the page's key: what script running in
// the page could take.
func pageRefresh(t *testing.T, ctx context.Context, st *stack) (rt, proof string) {
	t.Helper()
	v := eval[[]string](t, ctx, `(async () => {
		const ks = await import("/keystore.js"), d = await import("/dpop.js");
		return [await ks.get("refresh"), await d.proof(await ks.get("keys"), "POST", "`+st.base+`/token/refresh")];
	})()`)
	require.Len(t, v, 2)
	return v[0], v[1]
}

// refreshFromOutside posts a refresh request from outside the browser, with
// proof as its DPoP header if not empty, and returns the status and the
// answer's "error" and refresh token.
func refreshFromOutside(t *testing.T, st *stack, rt, proof string) (status int, code, newRT string) {
	t.Helper()
	body, err := json.Marshal(map[string]string{"refresh_token": rt})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, st.base+"/token/refresh", strings.NewReader(string(body)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if proof != "" {
		req.Header.Set("DPoP", proof)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	var answer struct {
		Error        string `json:"error"`
		RefreshToken string `json:"refresh_token"`
	}
	json.Unmarshal(b, &answer)
	return res.StatusCode, answer.Error, answer.RefreshToken
}

// loginFromOutside logs user in from outside the browser, without DPoP,
// and returns the access token.
func loginFromOutside(t *testing.T, st *stack, user string) string {
	t.Helper()
	body, err := json.Marshal(map[string]string{"username": user, "password": st.password[user]})
	require.NoError(t, err)
	res, err := http.Post(st.base+"/login", "application/json", strings.NewReader(string(body)))
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	var answer struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&answer))
	return answer.AccessToken
}

// expiry returns the "exp" of token, read without verifying it.
func expiry(t *testing.T, token string) time.Time {
	t.Helper()
	u, err := jwt.ParseUnverified(token, 0)
	require.NoError(t, err)
	var c struct {
		Exp int64 `json:"exp"`
	}
	require.NoError(t, json.Unmarshal(u.Payload, &c))
	return time.Unix(c.Exp, 0)
}

// TestWebClient runs the reference web client in Chromium against the
// reference stack (nginx, two instances, Redis).
func TestWebClient(t *testing.T) {
	chromium := findChromium(t)
	st := startStack(t, "--access-ttl", accessTTL.String(), "--refresh-ttl", "10m")
	ctx := newBrowser(t, chromium)
	rec := newRecorder()
	rec.listen(t, ctx)
	checks := 0
	check := func(name string) { checks++; t.Logf("checked: %s", name) }

	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(st.base+"/"), chromedp.WaitVisible(chromedp.ID("login"))))
	waitStatus(t, ctx, "signed-out")
	doc := rec.Document(st.base + "/")
	csp := header(doc, "Content-Security-Policy")
	assert.Contains(t, csp, "connect-src 'self'")
	assert.Contains(t, csp, "script-src 'self'")
	assert.Contains(t, csp, "frame-ancestors 'none'")
	assert.NotContains(t, csp, "unsafe-inline")
	assert.Equal(t, "no-referrer", header(doc, "Referrer-Policy"))
	for _, f := range []string{"/app.js", "/auth.js", "/dpop.js", "/keystore.js"} {
		res, err := http.Get(st.base + f)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, http.StatusOK, res.StatusCode, f)
		assert.Equal(t, "text/javascript", res.Header.Get("Content-Type"), f)
	}
	check("strict headers on the page, JavaScript modules typed text/javascript")

	// Log in: #me holds the user, fetched with a DPoP-bound token.
	login(t, ctx, st, "alice")
	me := callAPI(t, ctx)
	assert.Equal(t, "alice", me["sub"])
	cnf, _ := me["cnf"].(map[string]any)
	firstJKT, _ := cnf["jkt"].(string)
	assert.NotEmpty(t, firstJKT, "the access token is bound to the page's key")
	h := rec.RequestHeaders("GET", st.base+"/api/me")
	authz := header(h, "Authorization")
	assert.True(t, strings.HasPrefix(authz, "DPoP "), "Authorization: %.12s…", authz)
	assert.NotEmpty(t, header(h, "DPoP"))
	check("login; #me holds the user; Authorization: DPoP and a DPoP proof")
	saveScreenshot(t, ctx, "web-client.png")

	// Past the access token's lifetime, the API still answers: the client
	// refreshed silently.
	first := strings.TrimPrefix(authz, "DPoP ")
	time.Sleep(time.Until(expiry(t, first)) + 250*time.Millisecond)
	assert.Equal(t, "alice", callAPI(t, ctx)["sub"])
	again := strings.TrimPrefix(header(rec.RequestHeaders("GET", st.base+"/api/me"), "Authorization"), "DPoP ")
	assert.NotEqual(t, first, again, "a new access token after a silent refresh")
	assert.Contains(t, rec.Requests(), st.base+"/token/refresh")
	check("silent refresh past the access token's lifetime")

	// Nothing in storage a script or an extension reads as text; the key
	// cannot be exported.
	assert.True(t, eval[bool](t, ctx, `localStorage.length === 0 && sessionStorage.length === 0 && document.cookie === ""`))
	refused := eval[string](t, ctx, `(async () => {
		const keys = await (await import("/keystore.js")).get("keys");
		if (keys.privateKey.extractable) return "extractable";
		try { await crypto.subtle.exportKey("jwk", keys.privateKey); return "exported"; } catch (e) { return e.name; }
	})()`)
	assert.Equal(t, "InvalidAccessError", refused)
	check("no token in localStorage, sessionStorage or cookies; exportKey refuses the key")

	// A reload keeps the session.
	require.NoError(t, chromedp.Do(ctx, chromedp.Reload()))
	waitStatus(t, ctx, "signed-in")
	assert.Equal(t, "alice", callAPI(t, ctx)["sub"])
	check("a reload keeps the session")

	// Two tabs call the API at the same instant after expiry: both
	// succeed, and the session survives (no reuse detected).
	tab2, cancelTab2 := chromedp.NewContext(ctx)
	defer cancelTab2()
	rec.listen(t, tab2)
	require.NoError(t, chromedp.Do(tab2, chromedp.Navigate(st.base+"/")))
	waitStatus(t, tab2, "signed-in")
	latest := strings.TrimPrefix(header(rec.RequestHeaders("GET", st.base+"/api/me"), "Authorization"), "DPoP ")
	time.Sleep(time.Until(expiry(t, latest).Add(accessTTL)) + 250*time.Millisecond)
	for _, tab := range []context.Context{ctx, tab2} {
		eval[string](t, tab, `document.getElementById("me").textContent = ""`)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, tab := range []context.Context{ctx, tab2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = chromedp.Do(tab, chromedp.Click(chromedp.ID("call-api")))
		}()
	}
	wg.Wait()
	for i, tab := range []context.Context{ctx, tab2} {
		require.NoError(t, errs[i])
		waitJS(t, tab, `document.getElementById("me").textContent !== "" || document.getElementById("error").textContent !== ""`)
		assert.Empty(t, text(t, tab, "#error"), "tab %d", i+1)
		assert.Contains(t, text(t, tab, "#me"), `"sub": "alice"`, "tab %d", i+1)
	}
	assert.Equal(t, "alice", callAPI(t, tab2)["sub"])
	assert.Equal(t, "alice", callAPI(t, ctx)["sub"])
	check("two tabs at once after expiry; the session survives")

	// A refresh token copied out of the page is refused from outside the
	// browser, without a proof or with another key's; the session goes on.
	rt, proof := pageRefresh(t, ctx, st)
	status, code, _ := refreshFromOutside(t, st, rt, "")
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, "invalid_grant", code)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	prover, err := dpop.NewProver(jwt.ES256, key)
	require.NoError(t, err)
	foreign, err := prover.NewProof(context.Background(), http.MethodPost, st.base+"/token/refresh", nil)
	require.NoError(t, err)
	status, code, _ = refreshFromOutside(t, st, rt, foreign)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, "invalid_grant", code)
	assert.Equal(t, "alice", callAPI(t, ctx)["sub"])
	check("a copied refresh token replayed from outside is refused; the session goes on")

	// The control: with a proof made by the page's own key, the same
	// request succeeds (the page is given the new refresh token back), so
	// the refusal after logout below is the revocation's.
	status, _, newRT := refreshFromOutside(t, st, rt, proof)
	require.Equal(t, http.StatusOK, status)
	eval[bool](t, ctx, `(async () => { await (await import("/keystore.js")).put({ refresh: `+jsString(newRT)+` }); return true; })()`)

	// Logout: signed out in both tabs, the key gone, the refresh token revoked.
	rt, proof = pageRefresh(t, ctx, st)
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.ID("logout"))))
	waitStatus(t, ctx, "signed-out")
	waitStatus(t, tab2, "signed-out")
	assert.Empty(t, text(t, ctx, "#error"))
	assert.True(t, eval[bool](t, ctx, `(async () => (await (await import("/keystore.js")).get("keys")) === undefined)()`), "the key is gone")
	status, code, _ = refreshFromOutside(t, st, rt, proof)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, "invalid_grant", code)
	check("logout: signed-out in both tabs, key deleted, refresh token revoked")

	// Logout everywhere, after a new login with a new key.
	login(t, ctx, st, "alice")
	me = callAPI(t, ctx)
	cnf, _ = me["cnf"].(map[string]any)
	assert.NotEqual(t, firstJKT, cnf["jkt"], "a new key at the next login")
	rt, proof = pageRefresh(t, ctx, st)
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.ID("logout-all"))))
	waitStatus(t, ctx, "signed-out")
	assert.Empty(t, text(t, ctx, "#error"))
	assert.True(t, eval[bool](t, ctx, `(async () => (await (await import("/keystore.js")).get("keys")) === undefined)()`), "the key is gone")
	status, code, _ = refreshFromOutside(t, st, rt, proof)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, "invalid_grant", code)
	check("logout everywhere: a new key at login, then signed-out, key deleted, refresh token revoked")

	// Revoked elsewhere: alice logs out everywhere from another client.
	// The page's next API call is refused (invalid_token), its refresh too
	// (invalid_grant): it ends the session and shows the code.
	login(t, ctx, st, "alice")
	assert.Equal(t, "alice", callAPI(t, ctx)["sub"])
	outside := loginFromOutside(t, st, "alice")
	req, err := http.NewRequest(http.MethodPost, st.base+"/logout/all", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+outside)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusNoContent, res.StatusCode)
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.ID("call-api"))))
	waitStatus(t, ctx, "signed-out")
	waitJS(t, ctx, `document.getElementById("error").textContent === "invalid_grant"`)
	assert.True(t, eval[bool](t, ctx, `(async () => (await (await import("/keystore.js")).get("keys")) === undefined)()`), "the key is gone")
	check("revoked elsewhere: the page's refresh is refused, it signs out and shows invalid_grant")

	// A wrong password shows its OAuth error code.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("username"), "bob"),
		chromedp.SetValue(chromedp.ID("password"), "wrong"),
		chromedp.Click(chromedp.CSS(`#login button[type="submit"]`)),
	))
	waitJS(t, ctx, `document.getElementById("error").textContent === "invalid_grant"`)
	waitStatus(t, ctx, "signed-out")
	check("#error shows invalid_grant for a wrong password")

	console := rec.Console()
	for _, m := range console {
		assert.NotContains(t, m, "exception: ", "console: %s", m)
		assert.NotContains(t, m, "Content Security Policy", "console: %s", m)
		assert.NotContains(t, m, "Content-Security-Policy", "console: %s", m)
	}
	check("no CSP violation in the console")
	t.Logf("%d checks in the browser; %d requests; console: %q", checks, len(rec.Requests()), console)
}

// jsString returns s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
