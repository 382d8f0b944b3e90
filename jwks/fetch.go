package jwks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// checkURL parses raw as the URL of a JWK Set, discovery document or
// issuer that the application configured: https, or http to a loopback
// address (tests, sidecars), with a host and without a fragment. A URL that
// a remote server chose is checked by checkChosenURL instead.
func checkURL(raw string) (*url.URL, error) {
	u, err := parseURL(raw)
	if err != nil {
		return nil, err
	}
	switch u.Scheme {
	case "https":
		return u, nil
	case "http":
		if isLoopback(u.Hostname()) {
			return u, nil
		}
		return nil, fmt.Errorf("URL %s: http is allowed only to a loopback address; use https", quote(u.Redacted()))
	}
	return nil, fmt.Errorf("URL %s: scheme %s, want https", quote(u.Redacted()), quote(u.Scheme))
}

// checkChosenURL parses raw as a URL that a remote server chose, such as a
// discovery document's jwks_uri or a redirect's Location, for a Remote
// whose configured URL is configured. It must be https to a host that is
// not this machine (not a loopback or unspecified address, nor localhost),
// unless it has the same origin (scheme, host and port) as configured: the
// exception for plain http to a loopback address belongs to the URLs the
// application configured, and a server must not point the verifier at
// other services on its machine.
func checkChosenURL(raw string, configured *url.URL) (*url.URL, error) {
	u, err := parseURL(raw)
	if err != nil {
		return nil, err
	}
	switch {
	case sameOrigin(u, configured):
		return u, nil
	case u.Scheme == "http":
		return nil, fmt.Errorf("URL %s: http is allowed only in a configured URL to a loopback address, not in one a server chose; use https",
			quote(u.Redacted()))
	case u.Scheme != "https":
		return nil, fmt.Errorf("URL %s: scheme %s, want https", quote(u.Redacted()), quote(u.Scheme))
	case isLocal(u.Hostname()):
		return nil, fmt.Errorf("URL %s: a server chose an address of this machine (loopback, unspecified or localhost), which only a configured URL may name",
			quote(u.Redacted()))
	case endsInNumber(u.Hostname()):
		return nil, fmt.Errorf("URL %s: a host ending in a number must be an IP address written in the standard form", quote(u.Redacted()))
	}
	return u, nil
}

// parseURL parses raw as an absolute URL with a host name and no fragment.
func parseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("URL %s: %w", quote(raw), err)
	}
	if u.Opaque != "" || u.Host == "" {
		return nil, fmt.Errorf("URL %s is not absolute", quote(u.Redacted()))
	}
	if u.Hostname() == "" { // ":443" would dial this machine
		return nil, fmt.Errorf("URL %s has a port but no host", quote(u.Redacted()))
	}
	if u.Fragment != "" || u.RawFragment != "" {
		return nil, fmt.Errorf("URL %s has a fragment", quote(u.Redacted()))
	}
	return u, nil
}

// sameOrigin reports whether a and b have the same scheme, host and port
// (RFC 6454), a missing port being the scheme's default.
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) &&
		portOf(a) == portOf(b)
}

// portOf returns u's port, or its scheme's default port.
func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "http") {
		return "80"
	}
	return "443"
}

// isLoopback reports whether host is "localhost" or a loopback IP address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// isLocal reports whether host names this machine: a loopback or
// unspecified IP address (a connection to 0.0.0.0 reaches the local host),
// or localhost or a name under it (RFC 6761 §6.3), with or without a
// final dot.
func isLocal(host string) bool {
	name := strings.ToLower(strings.TrimSuffix(host, "."))
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && (a.IsLoopback() || a.Unmap().IsUnspecified())
}

// endsInNumber reports whether host is not an IP address but its last
// label is a number (decimal, or hexadecimal after "0x"), which resolvers
// and browsers read as an IPv4 address in another form: "127.1",
// "2130706433", "0x7f.1" (the WHATWG URL Standard's ends-in-a-number check).
func endsInNumber(host string) bool {
	if _, err := netip.ParseAddr(host); err == nil {
		return false
	}
	labels := strings.Split(strings.TrimSuffix(host, "."), ".")
	last := strings.ToLower(labels[len(labels)-1])
	if hex, ok := strings.CutPrefix(last, "0x"); ok {
		return strings.Trim(hex, "0123456789abcdef") == ""
	}
	return last != "" && strings.Trim(last, "0123456789") == ""
}

// redirectPolicy returns the CheckRedirect of the client a Remote whose
// configured URL is configured uses: no redirects unless follow is set,
// and then only to URLs that checkChosenURL accepts, after which the
// caller's own policy (or the default one) decides.
func redirectPolicy(follow bool, configured *url.URL, user func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if !follow {
			return http.ErrUseLastResponse
		}
		if _, err := checkChosenURL(req.URL.String(), configured); err != nil {
			return fmt.Errorf("redirect refused: %w", err)
		}
		if user != nil {
			return user(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
}

// response is a successful answer: a body with status 200, or a 304 to a
// conditional request.
type response struct {
	notModified bool
	body        []byte
	etag        string
	header      http.Header
}

// maxETag is the longest ETag remembered; a longer one is ignored.
const maxETag = 256

// get fetches u within the Remote's timeout. what names the document in
// errors. etag, if not empty, is sent as If-None-Match. It sets ev.Status
// to the response's status. Every error wraps ErrFetch.
func (s *Remote) get(ctx context.Context, u, etag, what string, ev *FetchEvent) (*response, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, wrap(ErrFetch, err, "%s", what)
	}
	if what == "JWK Set" {
		req.Header.Set("Accept", "application/jwk-set+json, application/json")
	} else {
		req.Header.Set("Accept", "application/json")
	}
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	resp, err := s.cfg.client.Do(req)
	if err != nil {
		return nil, wrap(ErrFetch, err, "%s", what)
	}
	defer resp.Body.Close()
	ev.Status = resp.StatusCode
	where := redact(u)
	switch code := resp.StatusCode; {
	case code == http.StatusOK:
	case code == http.StatusNotModified && etag != "":
		return &response{notModified: true, etag: etagOf(resp.Header), header: resp.Header}, nil
	case code >= 300 && code < 400 && resp.Header.Get("Location") != "":
		return nil, wrap(ErrFetch, nil, "%s %s: status %d, a redirect to %s, which is not followed (see Options.FollowRedirects)",
			what, where, code, quote(resp.Header.Get("Location")))
	default:
		return nil, wrap(ErrFetch, nil, "%s %s: status %d, want 200", what, where, code)
	}
	limit := s.cfg.maxBody
	if resp.ContentLength > limit {
		return nil, wrap(ErrFetch, nil, "%s %s: body of %d bytes, limit %d", what, where, resp.ContentLength, limit)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, wrap(ErrFetch, err, "%s %s: reading the body", what, where)
	}
	if int64(len(body)) > limit {
		return nil, wrap(ErrFetch, nil, "%s %s: body larger than %d bytes", what, where, limit)
	}
	return &response{body: body, etag: etagOf(resp.Header), header: resp.Header}, nil
}

// etagOf returns the response's ETag, or "" if it has none or it is too long.
func etagOf(h http.Header) string {
	e := h.Get("ETag")
	if len(e) > maxETag {
		return ""
	}
	return e
}

// redact returns u for error messages, with any password hidden and quoted.
func redact(u string) string {
	return quote(redactURL(u))
}

// redactURL returns u with any password hidden.
func redactURL(u string) string {
	if p, err := url.Parse(u); err == nil {
		return p.Redacted()
	}
	return u
}

// freshness returns how long a response with header h stays fresh, as its
// Cache-Control max-age or else its Expires say (RFC 9111 §4.2.1), less the
// Age a cache in between reports; ok is false if neither header is present.
// no-store, no-cache, an invalid or repeated max-age, and an invalid Expires
// all mean 0: refresh as soon as allowed.
func freshness(h http.Header, now time.Time) (d time.Duration, ok bool) {
	age := time.Duration(0)
	if a, err := strconv.ParseInt(strings.TrimSpace(h.Get("Age")), 10, 64); err == nil && a > 0 {
		age = seconds(a)
	}
	maxAge, seen, stale := int64(0), false, false
	for _, line := range h.Values("Cache-Control") {
		for dir := range strings.SplitSeq(line, ",") {
			name, value, _ := strings.Cut(strings.TrimSpace(dir), "=")
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "no-store", "no-cache":
				stale = true
			case "max-age":
				n, err := strconv.ParseInt(strings.Trim(strings.TrimSpace(value), `"`), 10, 64)
				if err != nil || n < 0 || seen {
					stale = true
				}
				maxAge, seen = n, true
			}
		}
	}
	switch {
	case stale:
		return 0, true
	case seen:
		return max(seconds(maxAge)-age, 0), true
	}
	exp := h.Get("Expires")
	if exp == "" {
		return 0, false
	}
	t, err := http.ParseTime(exp)
	if err != nil {
		return 0, true
	}
	if date, err := http.ParseTime(h.Get("Date")); err == nil {
		return max(t.Sub(date)-age, 0), true
	}
	return max(t.Sub(now), 0), true
}

// seconds returns n seconds as a Duration, saturating instead of overflowing.
func seconds(n int64) time.Duration {
	const limit = int64(1<<63-1) / int64(time.Second)
	return time.Duration(min(n, limit)) * time.Second
}
