package session

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/jwtkit/jwt/dpop"
	"github.com/jwtkit/jwt/internal/oauth"
)

// readParams reads the parameters names of a token request from its body,
// a form or a JSON object, as strings; absent ones are "". It refuses a
// method other than POST, any of names in the URL's query (RFC 6749 §3.2
// and RFC 6750 §5.3: credentials in URLs end up in logs), a parameter
// given twice, a JSON member of names that is not a string, and a body of
// another type or over maxBody bytes.
func readParams(w http.ResponseWriter, r *http.Request, names ...string) (map[string]string, *oauthError) {
	if r.Method != http.MethodPost {
		return nil, methodNotAllowed()
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, invalidRequest("malformed query")
	}
	for _, n := range names {
		if query.Has(n) {
			return nil, invalidRequest("parameters must be sent in the request body, not the URL")
		}
	}
	out := make(map[string]string, len(names))
	if r.Header.Get("Content-Type") == "" && r.ContentLength == 0 {
		return out, nil // no body: every parameter absent
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/x-www-form-urlencoded" && mt != "application/json") {
		return nil, invalidRequest("the body must be application/x-www-form-urlencoded or application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return nil, invalidRequest("unreadable or too large body")
	}
	if mt == "application/json" {
		if !readJSONParams(body, names, out) {
			return nil, invalidRequest("the body must be a JSON object with string parameters, each at most once")
		}
		return out, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, invalidRequest("malformed form body")
	}
	for _, n := range names {
		switch v := form[n]; len(v) {
		case 0:
		case 1:
			out[n] = v[0]
		default:
			return nil, invalidRequest("a parameter was sent more than once")
		}
	}
	return out, nil
}

// readJSONParams reads the members names of the JSON object body into out.
// It reports false for anything but one object, for a duplicated member
// name, and for a member of names whose value is not a string. Other
// members are skipped.
func readJSONParams(body []byte, names []string, out map[string]string) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return false
	}
	seen := make(map[string]bool)
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return false
		}
		name := t.(string) // object keys are strings
		if seen[name] {
			return false
		}
		seen[name] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return false
		}
		for _, n := range names {
			if n == name {
				var s string
				if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
					return false
				}
				out[n] = s
			}
		}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return false
	}
	_, err := dec.Token()
	return err == io.EOF
}

// accessToken returns the token of an "Authorization: Bearer" header, or,
// if o accepts DPoP, of an "Authorization: DPoP" one, and its scheme; ""
// if there is no Authorization header; and false if the header is there
// but is not one such token.
func (o handlerOpts) accessToken(r *http.Request) (string, oauth.Scheme, bool) {
	h := r.Header.Values("Authorization")
	switch {
	case len(h) == 0:
		return "", oauth.Bearer, true
	case len(h) > 1:
		return "", oauth.Bearer, false
	}
	tok, scheme, ok := oauth.ParseAuthorization(h[0], o.dpop != nil)
	if scheme == oauth.Other {
		return "", oauth.Bearer, false
	}
	if !ok || !oauth.IsB64Token(tok) {
		return "", scheme, false
	}
	return tok, scheme, true
}

// tokenProof verifies the DPoP proof of the token request r, if o accepts
// DPoP and r has a DPoP header, and returns its key's thumbprint; "" if
// there is none.
func (o handlerOpts) tokenProof(r *http.Request) (string, *oauthError) {
	if o.dpop == nil || len(r.Header.Values("DPoP")) == 0 {
		return "", nil
	}
	p, err := o.dpop.VerifyRequest(r.Context(), r, "", "")
	if err != nil {
		return "", o.proofError(r, err, false)
	}
	return p.JKT, nil
}

// pendingProof verifies the DPoP proof of the token request r, if o
// accepts DPoP and r has a DPoP header, but for the replay check: the
// caller remembers it once the request is authenticated. It returns nil if
// there is no proof.
func (o handlerOpts) pendingProof(r *http.Request) (*dpop.PendingProof, *oauthError) {
	if o.dpop == nil || len(r.Header.Values("DPoP")) == 0 {
		return nil, nil
	}
	p, err := o.dpop.VerifyRequestPending(r.Context(), r, "", "")
	if err != nil {
		return nil, o.proofError(r, err, false)
	}
	return p, nil
}

// checkHolder checks that the access token tok, with the verified claims
// c and sent with scheme, is used by its holder: a token bound to a DPoP
// key must come with the DPoP scheme and a valid proof by that key. It
// returns the thumbprint of the proof's key, or "" for a bearer token.
func (o handlerOpts) checkHolder(r *http.Request, tok string, scheme oauth.Scheme, c *Claims) (string, *oauthError) {
	jkt := boundTo(c)
	if scheme != oauth.DPoP {
		if jkt != "" {
			e := o.invalidToken(scheme, dpop.ErrTokenBinding)
			e.Description = "the access token is bound to a DPoP key and must be sent with the DPoP scheme"
			return "", e
		}
		return "", nil
	}
	p, err := o.dpop.VerifyRequest(r.Context(), r, tok, jkt)
	if err != nil {
		return "", o.proofError(r, err, true)
	}
	return p.JKT, nil
}

// boundTo returns the "jkt" of the "cnf" claim of c, the thumbprint of the
// DPoP key its session is bound to, or "" for none (or a nil c).
func boundTo(c *Claims) string {
	if c == nil || c.Confirmation == nil {
		return ""
	}
	return c.Confirmation.JKT
}

// proofError is the answer to a DPoP proof that failed with err: at a token
// endpoint, an error of RFC 9449 §5 (400); elsewhere (resource), the 401
// and challenge of RFC 9449 §7.1. Either fails closed: a replay cache that
// cannot answer is 503.
func (o handlerOpts) proofError(r *http.Request, err error, resource bool) *oauthError {
	status := http.StatusBadRequest
	if resource {
		status = http.StatusUnauthorized
	}
	v := oauth.ProofRefusal(r.Context(), err, o.dpop.Nonces(), status)
	e := &oauthError{Status: v.Status, Code: v.Code, Description: v.Description, Nonce: v.Nonce, Err: v.Err}
	if resource && v.Status == http.StatusUnauthorized {
		e.Challenge = &oauth.TokenChallenge{Resource: o.res, In: oauth.DPoP, Code: v.Code, Description: v.Description}
	}
	return e
}

// invalidToken is the answer to a bad access token sent with scheme,
// refused for err.
func (o handlerOpts) invalidToken(scheme oauth.Scheme, err error) *oauthError {
	return &oauthError{
		Status: http.StatusUnauthorized, Code: oauth.InvalidToken, Err: err,
		Challenge: &oauth.TokenChallenge{Resource: o.res, In: scheme, Code: oauth.InvalidToken},
	}
}
