package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

var serveCommand = &command{
	name:     "serve",
	synopsis: "serve [--addr ADDR] [--time UNIX] [--expose-tokens-to-network]",
	summary:  "serve a local token debugger page, which keeps tokens on this machine",
	about: `
Serve serves a web page at http://ADDR/ on which a token pasted is shown
decoded, with its times in words and lints from RFC 8725 (JSON Web Token
Best Current Practices) and its update, and verified with a pasted key (a
JWK, JWK Set, PEM key or certificate, or a raw HMAC secret), the JWK Set at
a URL or an OpenID Connect issuer's. The verdict is jwt verify's, with its
defaults, and when the token is rejected its reason is the one jwt verify
prints for the same token and key. The page verifies nothing in
JavaScript: it asks this server, which uses the library. With no key, URL
or issuer, the token is decoded and linted, and "not verified".

Lints, each with a stable code for the page's data-code: alg-none,
no-typ (RFC 8725 §3.11), kid, jku, x5u, jwk and x5c in the header (§3.10),
crit, no-exp, long-lifetime (over 24 hours from "iat", or from now),
secret-in-claims (claim names such as "password", private keys), and
weak-secret (an HMAC secret shorter than its hash, or text with too little
entropy to be random: §3.5).

The page loads nothing from elsewhere (its Content-Security-Policy allows
connections to this server only), keeps nothing once its tab is closed,
and works offline; the server logs no token and no key. Only a JWK Set URL
or an issuer given on the page is fetched, by the server, as jwt verify
--jwks and --oidc fetch them.

ADDR must be a loopback address, such as 127.0.0.1:7519, [::1]:7519 or
localhost:7519, with port 0 for any free port; the URL is printed on
standard output. Any other address is refused unless
--expose-tokens-to-network is given: every token and key pasted would then
cross the network in the clear. Requests naming another host (DNS
rebinding) or coming from another origin are refused.

It runs until interrupted, and exits with status 0 then, or 2 if it cannot
listen.`,
	examples: []string{
		`jwt serve`,
		`jwt serve --addr 127.0.0.1:0`,
	},
	run: runServe,
}

// defaultServeAddr is where jwt serve listens unless told otherwise: port
// 7519, after RFC 7519.
const defaultServeAddr = "127.0.0.1:7519"

//go:embed serve
var servePage embed.FS

// runServe runs jwt serve.
func runServe(e *env, args []string) error {
	fs := newFlagSet("serve")
	addr := fs.String("addr", defaultServeAddr, "listen on `ADDR`, a loopback address and port")
	var now unixTime
	fs.Var(&now, "time", "use the Unix time `UNIX` as the current time, such as 1300819000")
	expose := fs.Bool("expose-tokens-to-network", false, "allow an ADDR that is not a loopback address: DANGEROUS, tokens and keys then cross the network in the clear")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError("serve takes no argument, not %s", quote(pos[0]))
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return usageError("--addr %s: %v", quote(*addr), err)
	}
	if !*expose && !isLoopbackHost(host) {
		return usageError("--addr %s is not a loopback address: tokens and keys pasted on the page would cross the network in the clear (--expose-tokens-to-network allows it)", quote(*addr))
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return usageError("serve: %v", err)
	}
	h := newServeHandler(&serveOptions{now: now.now, anyHost: *expose})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: discardLog()}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	fmt.Fprintf(e.stdout, "jwt serve: http://%s/ (tokens stay on this machine; interrupt to stop)\n", l.Addr())
	select {
	case err := <-done:
		return usageError("serve: %v", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(shutdown)
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return usageError("serve: %v", err)
	}
	return nil
}

// isLoopbackHost reports whether host, from an address, names the loopback
// interface only: "localhost" or a loopback IP address. An empty host, all
// interfaces, is not.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// serveOptions configure the handler of jwt serve.
type serveOptions struct {
	now     func() time.Time // the current time
	anyHost bool             // accept requests for any Host, as with --expose-tokens-to-network
}

// pageHeaders are the headers of every answer of jwt serve: nothing loaded
// from elsewhere, no inline script, no framing, no referrer, nothing kept.
var pageHeaders = map[string]string{
	"Content-Security-Policy":      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
	"Referrer-Policy":              "no-referrer",
	"X-Content-Type-Options":       "nosniff",
	"X-Frame-Options":              "DENY",
	"Cache-Control":                "no-store",
	"Cross-Origin-Opener-Policy":   "same-origin",
	"Cross-Origin-Resource-Policy": "same-origin",
	"Permissions-Policy":           "camera=(), microphone=(), geolocation=()",
}

// pageTypes are the media types of the page's files, by extension.
var pageTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
}

// newServeHandler returns the handler of jwt serve: the page's files, and
// POST /api/check, which answers a check request (see serveCheck).
func newServeHandler(o *serveOptions) http.Handler {
	files, err := fs.Sub(servePage, "serve")
	if err != nil {
		panic(err) // cannot happen: the directory is embedded
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/check", func(w http.ResponseWriter, r *http.Request) { serveCheck(w, r, o) })
	mux.HandleFunc("GET /{file...}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("file")
		if name == "" {
			name = "index.html"
		}
		ext := name[strings.LastIndexByte(name, '.')+1:]
		typ, known := pageTypes["."+ext]
		data, err := fs.ReadFile(files, name)
		if !known || err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", typ)
		w.Write(data)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range pageHeaders {
			w.Header().Set(k, v)
		}
		if !o.anyHost && !isLoopbackHost(hostOnly(r.Host)) {
			// A page elsewhere whose name resolves to 127.0.0.1 (DNS
			// rebinding) is refused.
			http.Error(w, "jwt serve answers requests for a loopback host only", http.StatusMisdirectedRequest)
			return
		}
		if origin := r.Header.Get("Origin"); origin != "" && origin != "http://"+r.Host {
			http.Error(w, "jwt serve answers its own page only", http.StatusForbidden)
			return
		}
		if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
			http.Error(w, "jwt serve answers its own page only", http.StatusForbidden)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// hostOnly returns the host of hostport, a Host header, without its port.
func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.Trim(hostport, "[]")
}

// discardLog returns a logger that writes nothing: the server's own
// messages could quote a request, and so a token.
func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }
