package dpop

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"

	jwt "github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/internal/oauth"
)

// Transport is an http.RoundTripper that adds a DPoP proof to each request
// (RFC 9449 §7): it sets the DPoP header to a new proof made by Prover for
// the request's method and URL, and, for a request with an access token,
// the header "Authorization: DPoP <token>" and the token's hash as "ath".
//
// It remembers the last DPoP-Nonce each origin sent and puts it in the
// proofs to that origin. When a response is a use_dpop_nonce error (a
// 401 with a DPoP challenge, from a resource server, or a 400 with a JSON
// body, from a token endpoint) that brings a new nonce, it sends the
// request once more with that nonce, if its body can be sent again: a
// request without a body, or one whose GetBody is set, as
// http.NewRequest sets it for in-memory bodies. Otherwise the response is
// returned as it is.
//
// Only the public key leaves the Prover. A Transport must not be copied
// after first use; it is safe for concurrent use.
type Transport struct {
	// Prover makes the proofs. It is required.
	Prover *Prover
	// Token returns the access token to send with req, or "" for none,
	// such as for a token request. Since a client follows redirects to
	// other hosts through the same Transport, it should return a token only
	// for the hosts it is meant for. If Token is nil, the access token is
	// the one of the request's own "Authorization: DPoP" header, if any,
	// which http.Client drops on redirects to other hosts.
	Token func(req *http.Request) (string, error)
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper

	mu     sync.Mutex
	nonces map[string]string // origin -> the last nonce it sent
}

// maxOrigins bounds the nonces a Transport remembers.
const maxOrigins = 256

// maxErrorBody bounds how much of a 400 response a Transport reads to find
// a use_dpop_nonce error.
const maxErrorBody = 16 << 10

var _ http.RoundTripper = (*Transport)(nil)

// RoundTrip implements http.RoundTripper. It does not modify req.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	// Until the base transport has it, the body is ours to close.
	fail := func(err error) (*http.Response, error) {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	if t.Prover == nil {
		return fail(errorf(jwt.ErrInvalidOption, "dpop.Transport has no Prover"))
	}
	if req.URL == nil {
		return fail(errorf(ErrInvalidURI, "request without URL"))
	}
	token, err := t.accessToken(req)
	if err != nil {
		return fail(err)
	}
	origin, err := originOf(req)
	if err != nil {
		return fail(err)
	}
	nonce := t.nonce(origin)
	first, err := t.prepare(req, req.Body, token, nonce)
	if err != nil {
		return fail(err)
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(first)
	if err != nil {
		return nil, err // the base transport closed the body
	}
	fresh := t.remember(origin, resp)
	if fresh == "" || fresh == nonce || !replayable(req) || !askedForNonce(resp) {
		return resp, nil
	}
	var body io.ReadCloser
	if req.Body != nil && req.Body != http.NoBody {
		if body, err = req.GetBody(); err != nil {
			return resp, nil // keep the server's answer
		}
	}
	second, err := t.prepare(req, body, token, fresh)
	if err != nil {
		if body != nil {
			body.Close()
		}
		return resp, nil
	}
	discard(resp)
	resp, err = base.RoundTrip(second)
	if err != nil {
		return nil, err
	}
	t.remember(origin, resp)
	return resp, nil
}

// prepare returns a copy of req with body, a new proof and the access
// token.
func (t *Transport) prepare(req *http.Request, body io.ReadCloser, token, nonce string) (*http.Request, error) {
	r := req.Clone(req.Context())
	r.Body = body
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	uri := r.URL.Scheme + "://" + host + r.URL.EscapedPath()
	proof, err := t.Prover.NewProof(r.Context(), method, uri, &ProofOptions{AccessToken: token, Nonce: nonce})
	if err != nil {
		return nil, err
	}
	r.Header.Set("DPoP", proof)
	if token != "" {
		r.Header.Set("Authorization", "DPoP "+token)
	}
	return r, nil
}

func (t *Transport) accessToken(req *http.Request) (string, error) {
	if t.Token != nil {
		return t.Token(req)
	}
	scheme, token, ok := strings.Cut(req.Header.Get("Authorization"), " ")
	if ok && strings.EqualFold(scheme, "DPoP") {
		return strings.TrimSpace(token), nil
	}
	return "", nil
}

func (t *Transport) nonce(origin string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.nonces[origin]
}

// remember records the DPoP-Nonce of resp, if it has exactly one valid
// one, and returns it.
func (t *Transport) remember(origin string, resp *http.Response) string {
	values := resp.Header.Values(NonceHeader)
	if len(values) != 1 || !isNonce(values[0]) {
		return ""
	}
	nonce := values[0]
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.nonces == nil {
		t.nonces = make(map[string]string)
	}
	if _, ok := t.nonces[origin]; !ok && len(t.nonces) >= maxOrigins {
		for k := range t.nonces { // forget one origin, any
			delete(t.nonces, k)
			break
		}
	}
	t.nonces[origin] = nonce
	return nonce
}

// askedForNonce reports whether resp is a use_dpop_nonce error. For a 400,
// it reads the start of the body and puts it back.
func askedForNonce(resp *http.Response) bool {
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		p := oauth.ChallengeParams(resp.Header.Values("WWW-Authenticate"), "DPoP")
		return p != nil && p["error"] == oauth.UseDPoPNonce
	case http.StatusBadRequest:
		if resp.Body == nil {
			return false
		}
		buf, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		rest := resp.Body
		resp.Body = readCloser{io.MultiReader(bytes.NewReader(buf), rest), rest}
		if err != nil {
			return false
		}
		return oauth.ErrorCode(buf) == oauth.UseDPoPNonce
	}
	return false
}

type readCloser struct {
	io.Reader
	io.Closer
}

// replayable reports whether req's body can be sent again.
func replayable(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// discard reads a little of resp's body, so that its connection may be
// reused, and closes it.
func discard(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
}

// originOf returns the origin of req's URL: its scheme, host and port,
// normalized.
func originOf(req *http.Request) (string, error) {
	u, err := NormalizeURI(req.URL.Scheme + "://" + req.URL.Host + "/")
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(u, "/"), nil
}
