package clientauth

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jwtkit/jwt"
)

// maxFormBody is the largest token request body a Transport reads.
const maxFormBody = 64 << 10

// Transport is an http.RoundTripper that authenticates a client at one
// token endpoint with a fresh assertion per request: to each POST to
// TokenURL (scheme, host and path compared exactly) with a form body, it
// adds "client_assertion_type" and "client_assertion", signed by Signer
// for ClientID with the audience Audience. Other requests pass through
// unchanged, so that an assertion never goes anywhere else. A form that
// already carries a client assertion or a "client_secret", or a request
// with an Authorization header (a second way to authenticate), is an
// error. Give it to the HTTP client of an OAuth 2.0 library that sends
// client credentials requests, such as golang.org/x/oauth2/clientcredentials
// with AuthStyleInParams and no secret.
type Transport struct {
	// TokenURL is the token endpoint's URL. Required.
	TokenURL string
	// ClientID is the client's client_id. Required.
	ClientID string
	// Signer signs the assertions with a key whose public part the server
	// has registered for ClientID. Required.
	Signer jwt.Signer
	// Audience is the assertions' "aud": the server's issuer identifier
	// or its token endpoint URL, as the server expects; "" means
	// TokenURL.
	Audience string
	// Options are those of NewAssertion; nil means the defaults.
	Options *AssertionOptions
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
}

var errTransport = errors.New("clientauth: Transport")

// RoundTrip implements http.RoundTripper. It does not modify req: a
// request to the token endpoint is sent as a copy with the new body.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	target, err := url.Parse(t.TokenURL)
	if err != nil || t.TokenURL == "" || t.ClientID == "" || t.Signer == nil {
		closeBody(req)
		return nil, fmt.Errorf("%w needs TokenURL, ClientID and Signer: %w", errTransport, jwt.ErrInvalidOption)
	}
	u := req.URL
	if req.Method != http.MethodPost || u.Scheme != target.Scheme || u.Host != target.Host || u.EscapedPath() != target.EscapedPath() {
		return base.RoundTrip(req)
	}
	form, err := readForm(req)
	if err != nil {
		return nil, err
	}
	if len(req.Header.Values("Authorization")) > 0 || form.Has("client_assertion") || form.Has("client_assertion_type") || form.Has("client_secret") {
		return nil, fmt.Errorf("%w: the request already carries client credentials", errTransport)
	}
	aud := t.Audience
	if aud == "" {
		aud = t.TokenURL
	}
	a, err := NewAssertion(req.Context(), t.Signer, t.ClientID, aud, t.Options)
	if err != nil {
		return nil, err
	}
	SetForm(form, a)
	body := form.Encode()
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(strings.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }
	r.ContentLength = int64(len(body))
	r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return base.RoundTrip(r)
}

// readForm reads and closes the form body of req.
func readForm(req *http.Request) (url.Values, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return url.Values{}, nil
	}
	defer req.Body.Close()
	mt, _, err := mime.ParseMediaType(req.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, fmt.Errorf("%w: a token request's body must be a form", errTransport)
	}
	b, err := io.ReadAll(io.LimitReader(req.Body, maxFormBody+1))
	if err != nil {
		return nil, fmt.Errorf("%w: reading the form: %w", errTransport, err)
	}
	if len(b) > maxFormBody {
		return nil, fmt.Errorf("%w: form body over %d bytes", errTransport, maxFormBody)
	}
	form, err := url.ParseQuery(string(bytes.TrimSpace(b)))
	if err != nil {
		return nil, fmt.Errorf("%w: malformed form: %w", errTransport, err)
	}
	return form, nil
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

var _ http.RoundTripper = (*Transport)(nil)
