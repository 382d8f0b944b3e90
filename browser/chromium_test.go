package browser

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// findChromium returns the path of Chromium: JWTKIT_CHROMIUM, or the first
// of chromium, chromium-browser and google-chrome on PATH. Without one the
// test skips, or fails when JWTKIT_BROWSER_REQUIRED is set.
func findChromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("JWTKIT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("JWTKIT_BROWSER_REQUIRED") != "" {
		t.Fatal("no Chromium found: set JWTKIT_CHROMIUM to its path or put chromium on PATH (Debian: apt-get install chromium)")
	}
	t.Skip("no Chromium found: set JWTKIT_CHROMIUM to its path or put chromium on PATH (Debian: apt-get install chromium); skipping the browser test")
	return ""
}

// newBrowser starts a headless Chromium with a fresh profile, and returns
// the context of its first tab, which the test's end closes. The flags keep
// it from reaching out to the network by itself.
func newBrowser(t *testing.T, chromium string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// The first run starts the browser, and must have no deadline; go
	// test's -timeout bounds the whole test.
	require.NoError(t, chromedp.Do(ctx), "starting Chromium at %s", chromium)
	return ctx
}

// recorder records what the tabs of a browser did: every request they
// sent, with the headers the page set, the headers of each document they
// loaded, and their console and log messages.
type recorder struct {
	mu       sync.Mutex
	requests []string                   // URLs, in order
	headers  map[string]network.Headers // request headers, by method and URL (the last request)
	docs     map[string]network.Headers // response headers of documents, by URL
	console  []string                   // console calls, exceptions and log entries
}

// newRecorder returns an empty recorder.
func newRecorder() *recorder {
	return &recorder{headers: map[string]network.Headers{}, docs: map[string]network.Headers{}}
}

// listen records the tab of ctx into r; call it before navigating.
func (r *recorder) listen(t *testing.T, ctx context.Context) {
	t.Helper()
	require.NoError(t, chromedp.Listen(ctx, func(ev any) {
		r.mu.Lock()
		defer r.mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			r.requests = append(r.requests, ev.Request.URL)
			r.headers[ev.Request.Method+" "+ev.Request.URL] = ev.Request.Headers
		case *network.EventResponseReceived:
			if ev.Type == network.ResourceTypeDocument {
				r.docs[ev.Response.URL] = ev.Response.Headers
			}
		}
	}))
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			r.mu.Lock()
			r.console = append(r.console, m.Source+" "+m.String())
			r.mu.Unlock()
		}
	}()
}

// Requests returns the URLs requested so far.
func (r *recorder) Requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.requests...)
}

// RequestHeaders returns the headers, as the page set them, of the last
// request with method to url.
func (r *recorder) RequestHeaders(method, url string) network.Headers {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.headers[method+" "+url]
}

// Console returns the console and log messages so far.
func (r *recorder) Console() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.console...)
}

// Document returns the response headers of the document at url.
func (r *recorder) Document(url string) network.Headers {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.docs[url]
}

// header returns the value of the header name in h, whatever its case.
func header(h network.Headers, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			s, _ := v.(string)
			return s
		}
	}
	return ""
}

// saveScreenshot takes a screenshot of the tab of ctx and saves it as name
// in the repository's docs directory when that file is missing or
// JWTKIT_UPDATE_SCREENSHOTS=1 is set, so that a CI run leaves the
// committed pictures alone.
func saveScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")), "the screenshot is not a PNG")
	path := filepath.Join("..", "docs", name)
	if _, err := os.Stat(path); err == nil && os.Getenv("JWTKIT_UPDATE_SCREENSHOTS") != "1" {
		t.Logf("screenshot taken (%d bytes); docs/%s kept (JWTKIT_UPDATE_SCREENSHOTS=1 replaces it)", len(png), name)
		return
	}
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, png, 0o644))
	t.Logf("screenshot saved in docs/%s (%d bytes)", name, len(png))
}

// text returns the text content of the first element matching the CSS
// selector sel.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(sel), chromedp.NodeReady))
	require.NoError(t, err, "text of %s", sel)
	return s
}

// eval evaluates the JavaScript expression js in the tab of ctx, awaiting
// it if it is a promise, and returns its value.
func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	require.NoError(t, err, "evaluating %s", js)
	return v
}
