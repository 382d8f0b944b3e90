package dpop_test

import (
	"crypto/tls"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwt/dpop"
)

// TestNormalizeURI is the table of RFC 3986 §6.2.2 and §6.2.3
// normalization as "htu" is compared.
func TestNormalizeURI(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{name: "already normal", in: "https://api.example.com/a/b", want: "https://api.example.com/a/b"},
		// Case of scheme and host (§6.2.2.1); the path keeps its case.
		{name: "scheme case", in: "HTTPS://api.example.com/a", want: "https://api.example.com/a"},
		{name: "host case", in: "https://API.Example.COM/a", want: "https://api.example.com/a"},
		{name: "path case kept", in: "https://api.example.com/A/b", want: "https://api.example.com/A/b"},
		// Default and empty ports (§6.2.3).
		{name: "https :443", in: "https://api.example.com:443/a", want: "https://api.example.com/a"},
		{name: "http :80", in: "http://api.example.com:80/a", want: "http://api.example.com/a"},
		{name: "http :443 kept", in: "http://api.example.com:443/a", want: "http://api.example.com:443/a"},
		{name: "https :80 kept", in: "https://api.example.com:80/a", want: "https://api.example.com:80/a"},
		{name: "other port", in: "https://api.example.com:8443/a", want: "https://api.example.com:8443/a"},
		{name: "empty port", in: "https://api.example.com:/a", want: "https://api.example.com/a"},
		{name: "port with leading zeros", in: "https://api.example.com:0443/a", want: "https://api.example.com/a"},
		// Empty path (§6.2.3).
		{name: "empty path", in: "https://api.example.com", want: "https://api.example.com/"},
		{name: "empty path with port", in: "https://api.example.com:443", want: "https://api.example.com/"},
		// Percent-encoding (§6.2.2.2).
		{name: "encoded unreserved decoded", in: "https://api.example.com/%7Euser/%61%2D%5F%2E", want: "https://api.example.com/~user/a-_."},
		{name: "hex digits uppercased", in: "https://api.example.com/a%2fb%3a", want: "https://api.example.com/a%2Fb%3A"},
		{name: "encoded slash kept apart", in: "https://api.example.com/a%2Fb", want: "https://api.example.com/a%2Fb"},
		{name: "encoded space", in: "https://api.example.com/a%20b", want: "https://api.example.com/a%20b"},
		{name: "non-ASCII encoded", in: "https://api.example.com/caf\u00e9", want: "https://api.example.com/caf%C3%A9"},
		{name: "non-ASCII already encoded", in: "https://api.example.com/caf%c3%a9", want: "https://api.example.com/caf%C3%A9"},
		{name: "reserved characters kept", in: "https://api.example.com/a:b@c!$&'()*+,;=", want: "https://api.example.com/a:b@c!$&'()*+,;="},
		{name: "encoded host", in: "https://%61pi.example.com/", want: "https://api.example.com/"},
		// Dot segments (§6.2.2.3, §5.2.4).
		{name: "dot", in: "https://api.example.com/a/./b", want: "https://api.example.com/a/b"},
		{name: "dot dot", in: "https://api.example.com/a/b/../c", want: "https://api.example.com/a/c"},
		{name: "dot dot at the end", in: "https://api.example.com/a/b/..", want: "https://api.example.com/a/"},
		{name: "dot at the end", in: "https://api.example.com/a/b/.", want: "https://api.example.com/a/b/"},
		{name: "above the root", in: "https://api.example.com/../../a", want: "https://api.example.com/a"},
		{name: "encoded dots", in: "https://api.example.com/a/%2E%2e/b", want: "https://api.example.com/b"},
		{name: "dots in names kept", in: "https://api.example.com/a/..b/.c/", want: "https://api.example.com/a/..b/.c/"},
		{name: "only dot dot", in: "https://api.example.com/..", want: "https://api.example.com/"},
		{name: "trailing slash kept", in: "https://api.example.com/a/", want: "https://api.example.com/a/"},
		{name: "double slash kept", in: "https://api.example.com//a", want: "https://api.example.com//a"},
		// Query and fragment.
		{name: "query dropped", in: "https://api.example.com/a?b=c", want: "https://api.example.com/a"},
		{name: "fragment dropped", in: "https://api.example.com/a#frag", want: "https://api.example.com/a"},
		{name: "both dropped", in: "https://api.example.com/a?b#c", want: "https://api.example.com/a"},
		{name: "empty query", in: "https://api.example.com/a?", want: "https://api.example.com/a"},
		{name: "query without path", in: "https://api.example.com?x", want: "https://api.example.com/"},
		{name: "fragment with a question mark", in: "https://api.example.com/a#b?c", want: "https://api.example.com/a"},
		// IP hosts.
		{name: "IPv4", in: "http://127.0.0.1:80/a", want: "http://127.0.0.1/a"},
		{name: "IPv6", in: "https://[::1]:443/a", want: "https://[::1]/a"},
		{name: "IPv6 canonical", in: "https://[0:0:0:0:0:0:0:1]:8443/", want: "https://[::1]:8443/"},
		{name: "IPv6 case", in: "https://[2001:DB8::A]/", want: "https://[2001:db8::a]/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := dpop.NormalizeURI(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			again, err := dpop.NormalizeURI(got)
			require.NoError(t, err)
			assert.Equal(t, got, again, "normalizing twice changes nothing")
		})
	}
}

func TestNormalizeURIErrors(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{name: "empty", in: ""},
		{name: "relative", in: "/a/b"},
		{name: "no scheme", in: "//api.example.com/a"},
		{name: "other scheme", in: "ftp://api.example.com/a"},
		{name: "javascript", in: "javascript://api.example.com/a"},
		{name: "user information", in: "https://user:pass@api.example.com/a"},
		{name: "no host", in: "https:///a"},
		{name: "port not a number", in: "https://api.example.com:https/a"},
		{name: "port too large", in: "https://api.example.com:65536/a"},
		{name: "signed port", in: "https://api.example.com:+443/a"},
		{name: "two colons", in: "https://api.example.com:443:443/a"},
		{name: "truncated percent", in: "https://api.example.com/a%2"},
		{name: "bad percent", in: "https://api.example.com/a%zz"},
		{name: "space", in: "https://api.example.com/a b"},
		{name: "tab", in: "https://api.example.com/a\tb"},
		{name: "newline", in: "https://api.example.com/a\nb"},
		{name: "NUL", in: "https://api.example.com/a\x00"},
		{name: "DEL", in: "https://api.example.com/a\x7f"},
		{name: "unterminated IPv6", in: "https://[::1/a"},
		{name: "IPv4 in brackets", in: "https://[127.0.0.1]/a"},
		{name: "IPv6 zone", in: "https://[fe80::1%25eth0]/a"},
		{name: "garbage after IPv6", in: "https://[::1]x/a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := dpop.NormalizeURI(tc.in)
			assert.ErrorIs(t, err, dpop.ErrInvalidURI)
		})
	}
}

// TestRequestURI checks the URI VerifyRequest compares "htu" with.
func TestRequestURI(t *testing.T) {
	c := newClock()
	plain := newVerifier(t, c, nil)
	behind := newVerifier(t, c, &dpop.Options{ExternalURL: "https://api.example.com/base/"})
	req := func(target, host string, tlsConn bool) *http.Request {
		r, err := http.NewRequest("GET", "http://placeholder"+target, nil)
		require.NoError(t, err)
		r.RequestURI = target
		r.Host = host
		if tlsConn {
			r.TLS = &tls.ConnectionState{}
		}
		return r
	}
	for _, tc := range []struct {
		name string
		v    *dpop.Verifier
		r    *http.Request
		want string
	}{
		{name: "plain", v: plain, r: req("/a?x=1", "api.example.com", false), want: "http://api.example.com/a"},
		{name: "TLS", v: plain, r: req("/a", "API.example.com:443", true), want: "https://api.example.com/a"},
		{name: "ExternalURL", v: behind, r: req("/a/../b?x", "backend:8080", false), want: "https://api.example.com/base/b"},
		{name: "absolute-form", v: plain, r: func() *http.Request {
			r := req("", "api.example.com", false)
			r.RequestURI = "http://api.example.com/abs?q"
			r.URL.Path = "/abs"
			return r
		}(), want: "http://api.example.com/abs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := dpop.RequestURI(tc.v, tc.r)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
