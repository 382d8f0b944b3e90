// Package browser holds the tests that run in a real headless Chromium,
// driven with github.com/chromedp/chromedp: the page of jwt serve, and the
// reference web client of examples/authserver behind the reference nginx.
// It is a module of its own, so that neither the library nor the reference
// service depends on chromedp.
//
// The tests find Chromium in JWTKIT_CHROMIUM, or as chromium,
// chromium-browser or google-chrome on PATH, and skip with a message when
// there is none; JWTKIT_BROWSER_REQUIRED=1 makes a missing Chromium a
// failure (CI sets it). The web client's test starts the reference stack
// itself, as the service's end-to-end test does: a throw-away redis-server,
// two instances of the service built from examples/authserver, and nginx
// through examples/authserver/nginx/run.sh (JWTKIT_REDIS_SERVER and
// JWTKIT_NGINX name them if they are not on PATH);
// examples/authserver/e2e/run.sh runs it after the service's tests.
//
// Each test saves a screenshot of its page into the repository's docs
// directory: docs/jwt-serve.png and docs/web-client.png (when missing, or with
// JWTKIT_UPDATE_SCREENSHOTS=1).
package browser
