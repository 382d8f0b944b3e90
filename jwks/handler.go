package jwks

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// NewHandler returns an http.Handler that serves the public JWK Set of
// ring, as an issuer publishes it at its jwks_uri (often
// /.well-known/jwks.json). It answers GET and HEAD with the set as
// application/jwk-set+json, Cache-Control "public, max-age" from
// KeyRingOptions.MaxAge, and an ETag; a request whose If-None-Match holds
// that ETag gets 304 Not Modified. Other methods get 405. Only public keys
// are ever written: the set is built from the keys' public parts.
func NewHandler(ring *KeyRing) http.Handler {
	return &handler{src: ring}
}

// publisher is a ring whose JWK Set a handler serves.
type publisher interface {
	// published returns the set, its ETag and the max-age to send.
	published() (body []byte, etag string, maxAge time.Duration)
}

func (r *KeyRing) published() ([]byte, string, time.Duration) {
	st := r.load()
	return st.body, st.etag, r.maxAge
}

type handler struct{ src publisher }

var _ http.Handler = (*handler)(nil)

func (h *handler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	hd := w.Header()
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		hd.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, etag, maxAge := h.src.published()
	hd.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(maxAge.Seconds())))
	hd.Set("ETag", etag)
	if etagMatches(req.Header.Values("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hd.Set("Content-Type", "application/jwk-set+json")
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	hd.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if req.Method == http.MethodGet {
		w.Write(body)
	}
}

// etagMatches reports whether the If-None-Match lines hold "*" or etag,
// compared weakly (RFC 9110 §13.1.2).
func etagMatches(lines []string, etag string) bool {
	for _, line := range lines {
		for tag := range strings.SplitSeq(line, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" || strings.TrimPrefix(tag, "W/") == strings.TrimPrefix(etag, "W/") {
				return true
			}
		}
	}
	return false
}
