package oauth

import (
	"encoding/json"
	"net/http"
	"sync"
)

// AppendError appends to b the JSON error body of RFC 6749 §5.2 and RFC
// 6750 §3: {"error":code,"error_description":description,"scope":scope},
// each member only if its value is not empty. Values are written as
// Printable writes them, so they need no escapes.
func AppendError(b []byte, code, description, scope string) []byte {
	b = append(b, '{')
	sep := ""
	member := func(name, value string) {
		b = append(b, sep...)
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, `":"`...)
		for i := 0; i < len(value); i++ {
			if c := value[i]; isQChar(c) {
				b = append(b, c)
			} else {
				b = append(b, '?')
			}
		}
		b = append(b, '"')
		sep = ","
	}
	if code != "" {
		member("error", code)
	}
	if description != "" {
		member("error_description", description)
	}
	if scope != "" {
		member("scope", scope)
	}
	return append(b, '}')
}

// ErrorCode returns the "error" of body, the JSON error body of a response
// (RFC 6749 §5.2), as a client reads it, or "" if body is not such a body.
func ErrorCode(body []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	return e.Error
}

// TokenError is an error answer of a token endpoint (RFC 6749 §5.2, RFC
// 9449 §5 and §8), or of an endpoint of the authorization server that
// takes an access token and answers like one, with challenges.
type TokenError struct {
	// Status is the HTTP status: 400, or 401 for invalid_grant if the
	// server says so and for a refused access token, 405, 500 or 503.
	Status int
	// Code is the error code, such as InvalidGrant.
	Code string
	// Description is the "error_description", or "".
	Description string
	// Nonce, if not empty, is sent in a DPoP-Nonce header.
	Nonce string
	// Challenge, if not nil, is the answer to a refused access token: its
	// WWW-Authenticate challenges.
	Challenge *TokenChallenge
	// Err is the cause, for logs; it is never sent.
	Err error
}

// TokenChallenge is the challenges of a TokenError, as
// Resource.AddChallenges adds them with In, Code and Description.
type TokenChallenge struct {
	Resource          *Resource
	In                Scheme
	Code, Description string
}

// Write writes e to w: its challenges, its nonce, an Allow header for 405
// and a Retry-After for 503, no caching, and the JSON body, ended by a
// newline.
func (e *TokenError) Write(w http.ResponseWriter) {
	h := w.Header()
	if c := e.Challenge; c != nil {
		c.Resource.AddChallenges(h, c.In, c.Code, c.Description, "")
	}
	if e.Nonce != "" {
		h.Set(NonceHeader, e.Nonce)
	}
	switch e.Status {
	case http.StatusMethodNotAllowed:
		h.Set("Allow", http.MethodPost)
	case http.StatusServiceUnavailable:
		h.Set("Retry-After", "1")
	}
	SetJSON(h)
	w.WriteHeader(e.Status)
	buf := bodies.Get().(*[]byte)
	*buf = append(AppendError((*buf)[:0], e.Code, e.Description, ""), '\n')
	w.Write(*buf) // the client may be gone; nothing to do then
	bodies.Put(buf)
}

// bodies are the buffers of TokenError.Write, so that an error answer
// costs no allocation for its body.
var bodies = sync.Pool{New: func() any {
	b := make([]byte, 0, 256)
	return &b
}}

// SetJSON sets the headers of a JSON answer of a token endpoint (RFC 6749
// §5.1): its type, and no caching.
func SetJSON(h http.Header) {
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
}
