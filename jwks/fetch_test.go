package jwks

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jwtkit/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// victim is a local service a remote server would like the verifier to
// reach: a TCP listener on 127.0.0.1 that counts the connections it
// accepts, before closing them.
type victim struct {
	net.Listener
	accepts atomic.Int64
}

func newVictim(t *testing.T) *victim {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	v := &victim{Listener: l}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			v.accepts.Add(1) // before Close, so before the client sees an answer
			c.Close()
		}
	}()
	t.Cleanup(func() { l.Close() })
	return v
}

func (v *victim) port() string {
	_, p, _ := net.SplitHostPort(v.Addr().String())
	return p
}

// exampleClient returns a client that trusts srv's certificate and reaches
// srv for example.com and keys.example.com (names the certificate holds),
// and every other address as usual: a provider on the Internet, in a test.
func exampleClient(srv *server) *http.Client {
	tr := srv.Client().Transport.(*http.Transport).Clone()
	var d net.Dialer
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr == "example.com:443" || addr == "keys.example.com:443" {
			addr = srv.Listener.Addr().String()
		}
		return d.DialContext(ctx, network, addr)
	}
	return &http.Client{Transport: tr}
}

// chosenURLs are URLs a remote server may choose (in a discovery document's
// jwks_uri, in a redirect's Location) to make the verifier reach a service
// on its own machine, listening at port, or go over plain http.
func chosenURLs(port string) map[string]string {
	return map[string]string{
		"http loopback":           "http://127.0.0.1:" + port + "/keys",
		"http localhost":          "http://localhost:" + port + "/keys",
		"http IPv6 loopback":      "http://[::1]:" + port + "/keys",
		"http IPv4-mapped":        "http://[::ffff:127.0.0.1]:" + port + "/keys",
		"http unspecified":        "http://0.0.0.0:" + port + "/keys",
		"http elsewhere":          "http://192.0.2.1/keys",
		"https loopback":          "https://127.0.0.1:" + port + "/keys",
		"https localhost":         "https://LocalHost.:" + port + "/keys",
		"https under localhost":   "https://keys.localhost:" + port + "/keys",
		"https unspecified":       "https://0.0.0.0:" + port + "/keys",
		"https IPv6 unspecified":  "https://[::]:" + port + "/keys",
		"https short loopback":    "https://127.1:" + port + "/keys",
		"https decimal loopback":  "https://2130706433:" + port + "/keys",
		"https hex loopback":      "https://0x7f.1:" + port + "/keys",
		"https hex last label":    "https://keys.0x7f:" + port + "/keys",
		"https port without host": "https://:" + port + "/keys",
		"another scheme":          "ftp://example.com/keys",
		"http on another port":    "http://127.0.0.1:1/keys",
		"scheme-relative to http": "//127.0.0.1:" + port + "/keys",
	}
}

// TestChosenURLs is the class test for remote-chosen URLs (issue 21, item
// 6): every way a remote server can choose a URL the Remote fetches (a
// discovery document's jwks_uri, a redirect of the discovery request, of
// the JWK Set request at the configured URL or at a discovered jwks_uri,
// after a first redirect on the same origin) is refused when it names this
// machine or plain http, and no connection reaches the local service. Only
// the configured URL's own origin keeps the loopback exception.
func TestChosenURLs(t *testing.T) {
	k := newKey(t, jwt.EdDSA, "k", false)
	body := setJSON(t, k)
	v := newVictim(t)

	// target is where the remote server points the Remote, set per case.
	var target atomic.Pointer[string]
	point := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", *target.Load()) // http.Redirect would clean it
		w.WriteHeader(http.StatusFound)
	}
	// An https provider on the Internet (example.com): its discovery
	// document names the target, or its requests redirect to it.
	site := newTLSServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/chosen/.well-known/openid-configuration":
			fmt.Fprintf(w, `{"issuer":"https://example.com/chosen","jwks_uri":%q}`, *target.Load())
		case "/moved/.well-known/openid-configuration", "/keys", "/hop2":
			point(w, r)
		case "/hop1":
			http.Redirect(w, r, "/hop2", http.StatusFound)
		case "/discovered/.well-known/openid-configuration":
			fmt.Fprint(w, `{"issuer":"https://example.com/discovered","jwks_uri":"https://keys.example.com/keys"}`)
		default:
			http.NotFound(w, r)
		}
	})
	client := exampleClient(site)
	// A provider on a loopback address, as in a test or a sidecar: its
	// own origin may use http, no other loopback port may.
	local := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/chosen/.well-known/openid-configuration":
			fmt.Fprintf(w, `{"issuer":"http://%s/chosen","jwks_uri":%q}`, r.Host, *target.Load())
		case "/keys":
			point(w, r)
		default:
			http.NotFound(w, r)
		}
	})
	opts := func() *Options { return &Options{Client: client, FollowRedirects: true} }
	sources := []struct {
		name string
		new  func() (*Remote, error)
		want error
	}{
		{"jwks_uri of an https issuer", func() (*Remote, error) { return NewOIDC("https://example.com/chosen", opts()) }, ErrDiscovery},
		{"jwks_uri of a loopback issuer", func() (*Remote, error) { return NewOIDC(local.URL+"/chosen", opts()) }, ErrDiscovery},
		{"redirect of the discovery request", func() (*Remote, error) { return NewOIDC("https://example.com/moved", opts()) }, ErrFetch},
		{"redirect of the JWK Set request", func() (*Remote, error) { return NewRemote("https://example.com/keys", opts()) }, ErrFetch},
		{"redirect of a discovered jwks_uri", func() (*Remote, error) { return NewOIDC("https://example.com/discovered", opts()) }, ErrFetch},
		{"second redirect", func() (*Remote, error) { return NewRemote("https://example.com/hop1", opts()) }, ErrFetch},
		{"redirect from a loopback URL", func() (*Remote, error) { return NewRemote(local.URL+"/keys", opts()) }, ErrFetch},
	}
	for _, src := range sources {
		for name, u := range chosenURLs(v.port()) {
			t.Run(src.name+"/"+name, func(t *testing.T) {
				target.Store(&u)
				s, err := src.new()
				require.NoError(t, err)
				defer s.Close()
				err = s.Prefetch(context.Background())
				require.Error(t, err)
				assert.ErrorIs(t, err, src.want)
				_, err = s.Lookup(context.Background(), jwt.Header{Algorithm: "EdDSA", KeyID: "k"})
				assert.ErrorIs(t, err, jwt.ErrUnavailable)
				assert.True(t, strings.HasPrefix(err.Error(), "jwks: "), err.Error())
			})
		}
	}
	assert.Zero(t, v.accepts.Load(), "no connection may reach the local service")

	// What stays allowed: an https URL elsewhere, and the configured
	// URL's own origin, also over http to a loopback address.
	keys := newServer(t, serve(body))
	site.set(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok/.well-known/openid-configuration":
			fmt.Fprint(w, `{"issuer":"https://example.com/ok","jwks_uri":"https://keys.example.com/set"}`)
		case "/set":
			w.Write(body)
		default:
			http.Redirect(w, r, "/set", http.StatusFound)
		}
	})
	local.set(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok/.well-known/openid-configuration":
			fmt.Fprintf(w, `{"issuer":"http://%s/ok","jwks_uri":"http://%s/set"}`, r.Host, r.Host)
		case "/set":
			w.Write(body)
		case "/away":
			http.Redirect(w, r, "https://example.com/set", http.StatusFound)
		default:
			http.Redirect(w, r, "/set", http.StatusFound)
		}
	})
	for name, new := range map[string]func() (*Remote, error){
		"https jwks_uri on another host":  func() (*Remote, error) { return NewOIDC("https://example.com/ok", opts()) },
		"https redirect on the same host": func() (*Remote, error) { return NewRemote("https://example.com/old", opts()) },
		"loopback jwks_uri on its origin": func() (*Remote, error) { return NewOIDC(local.URL+"/ok", opts()) },
		"loopback redirect on its origin": func() (*Remote, error) { return NewRemote(local.URL+"/old", opts()) },
		"loopback redirect to https":      func() (*Remote, error) { return NewRemote(local.URL+"/away", opts()) },
		"configured loopback URL":         func() (*Remote, error) { return NewRemote(keys.URL, opts()) },
	} {
		t.Run("allowed/"+name, func(t *testing.T) {
			s, err := new()
			require.NoError(t, err)
			defer s.Close()
			require.NoError(t, s.Prefetch(context.Background()))
			assert.Equal(t, 1, s.Status().Keys)
		})
	}
}

// TestChosenURLRules checks the rule on its own, against the configured
// URL's origin.
func TestChosenURLRules(t *testing.T) {
	https, err := checkURL("https://id.example/realms/a")
	require.NoError(t, err)
	loop, err := checkURL("http://127.0.0.1:8080/realms/a")
	require.NoError(t, err)
	for name, u := range chosenURLs("8081") {
		_, err := checkChosenURL(u, https)
		assert.Error(t, err, name)
		_, err = checkChosenURL(u, loop)
		assert.Error(t, err, name)
	}
	for _, tt := range []struct {
		url string
		ok  bool
	}{
		{"https://keys.example/a", true},
		{"https://id.example:443/keys", true},
		{"https://192.0.2.1/keys", true},
		{"https://keys.example.10x/keys", true}, // not a number
		{"http://127.0.0.1:8080/keys", true},    // the configured origin
		{"HTTP://127.0.0.1:8080/keys", true},
		{"http://127.0.0.1:8081/keys", false},
		{"http://localhost:8080/keys", false}, // another spelling is another origin
		{"https://127.0.0.1:8080/keys", false},
		{"http://127.0.0.1:8080/keys#f", false},
	} {
		_, err := checkChosenURL(tt.url, loop)
		assert.Equal(t, tt.ok, err == nil, "%s: %v", tt.url, err)
	}
}
