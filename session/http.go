package session

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jwtkit/jwt"
)

// maxBody is the largest token request body read, in bytes.
const maxBody = 16 << 10

// HandlerOptions configures the token endpoint handlers of a [Manager]. A
// nil pointer means the defaults.
type HandlerOptions struct {
	// UnauthorizedInvalidGrant answers invalid_grant (wrong credentials; a
	// bad, expired, revoked or reused refresh token) with 401 Unauthorized
	// instead of 400 Bad Request. RFC 6749 §5.2 says 400, which is the
	// default; many clients and some services expect 401.
	UnauthorizedInvalidGrant bool
}

// An Authenticator checks a user's credentials for [Manager.LoginHandler]
// and returns the grant to issue tokens for. It returns an error wrapping
// ErrDenied for wrong credentials (whether or not the user exists; take the
// same time either way) and any other error when it could not decide (an
// error wrapping ErrStoreUnavailable is answered with 503, any other with
// 500).
type Authenticator func(ctx context.Context, username, password string) (Grant, error)

// tokenResponse is the successful response of RFC 6749 §5.1.
type tokenResponse struct {
	AccessToken      string `json:"access_token"`
	TokenType        string `json:"token_type"`
	ExpiresIn        int64  `json:"expires_in"`
	RefreshToken     string `json:"refresh_token"`
	RefreshExpiresIn int64  `json:"refresh_expires_in"`
	Scope            string `json:"scope,omitempty"`
}

// oauthError is an error response of RFC 6749 §5.2.
type oauthError struct {
	status      int
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// LoginHandler returns the handler of a login endpoint: a POST whose body,
// a form (application/x-www-form-urlencoded) or a JSON object, holds
// "username" and "password" (and optionally "grant_type", which must then
// be "password"). It checks them with auth and answers with a new pair as
// RFC 6749 §5.1 says:
//
//	{"access_token":"…","token_type":"Bearer","expires_in":300,
//	 "refresh_token":"…","refresh_expires_in":86400}
//
// with Cache-Control: no-store. Refused credentials are answered with the
// error invalid_grant; credentials in the URL's query, a parameter given
// twice, or another content type with invalid_request (400).
func (m *Manager) LoginHandler(auth Authenticator, opts *HandlerOptions) http.Handler {
	o := handlerOptions(opts)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, e := readParams(w, r, "username", "password", "grant_type")
		if e == nil && p["grant_type"] != "" && p["grant_type"] != "password" {
			e = &oauthError{status: http.StatusBadRequest, Code: "unsupported_grant_type"}
		}
		if e == nil && (p["username"] == "" || p["password"] == "") {
			e = invalidRequest("username and password are required")
		}
		if e != nil {
			writeError(w, e)
			return
		}
		g, err := auth(r.Context(), p["username"], p["password"])
		if err != nil {
			writeError(w, o.classify(err))
			return
		}
		pair, err := m.Issue(r.Context(), g)
		if err != nil {
			writeError(w, o.classify(err))
			return
		}
		writeJSON(w, http.StatusOK, pairResponse(pair))
	})
}

// RefreshHandler returns the handler of a refresh endpoint (RFC 6749 §6):
// a POST whose body, a form or a JSON object, holds "refresh_token" (and
// optionally "grant_type", which must then be "refresh_token"). It answers
// with a new pair like LoginHandler. The refresh token is read only from
// the body: one in the URL's query, or none in the body (as when a client
// sends it in a header), is invalid_request (400). A bad, expired, revoked
// or reused refresh token, or an access token, is invalid_grant; a store
// that cannot answer is 503 temporarily_unavailable.
func (m *Manager) RefreshHandler(opts *HandlerOptions) http.Handler {
	o := handlerOptions(opts)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, e := readParams(w, r, "refresh_token", "grant_type")
		if e == nil && p["grant_type"] != "" && p["grant_type"] != "refresh_token" {
			e = &oauthError{status: http.StatusBadRequest, Code: "unsupported_grant_type"}
		}
		if e == nil && p["refresh_token"] == "" {
			e = invalidRequest("refresh_token is required in the request body")
		}
		if e != nil {
			writeError(w, e)
			return
		}
		pair, err := m.Refresh(r.Context(), p["refresh_token"])
		if err != nil {
			writeError(w, o.classify(err))
			return
		}
		writeJSON(w, http.StatusOK, pairResponse(pair))
	})
}

// LogoutHandler returns the handler of a logout endpoint: a POST that
// revokes a session, named by the refresh token in the body (a form or a
// JSON object with "refresh_token") or by the access token in the
// Authorization header (Bearer), or both, and answers 204 No Content. The
// tokens' signatures and types are checked, not their expiry. A bad refresh
// token is invalid_grant; a bad access token 401 with a Bearer challenge;
// no token at all invalid_request.
func (m *Manager) LogoutHandler(opts *HandlerOptions) http.Handler {
	o := handlerOptions(opts)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, e := readParams(w, r, "refresh_token")
		bearer, ok := bearerToken(r)
		if e == nil && !ok {
			e = invalidRequest("malformed Authorization header")
		}
		if e == nil && p["refresh_token"] == "" && bearer == "" {
			e = invalidRequest("a refresh_token in the body or a bearer access token is required")
		}
		if e != nil {
			writeError(w, e)
			return
		}
		var families []string
		if rt := p["refresh_token"]; rt != "" {
			c, typ, err := m.verifyIgnoringExpiry(r.Context(), rt)
			if err == nil && typ != RefreshType {
				err = ErrWrongType
			}
			if err != nil {
				writeError(w, o.classify(err))
				return
			}
			families = append(families, c.FamilyID)
		}
		if bearer != "" {
			c, typ, err := m.verifyIgnoringExpiry(r.Context(), bearer)
			if err == nil && typ != AccessType {
				err = ErrWrongType
			}
			if err != nil {
				writeInvalidToken(w)
				return
			}
			families = append(families, c.FamilyID)
		}
		for _, f := range families {
			if err := m.RevokeFamily(r.Context(), f); err != nil {
				writeError(w, o.classify(err))
				return
			}
		}
		noContent(w)
	})
}

// LogoutAllHandler returns the handler of a "logout everywhere" endpoint:
// a POST with a valid, unrevoked access token in the Authorization header
// (Bearer), which revokes every token of the token's subject from sessions
// begun before now (see [Manager.RevokeSubject]) and answers 204 No
// Content. A missing or bad access token is 401 with a Bearer challenge.
func (m *Manager) LogoutAllHandler(opts *HandlerOptions) http.Handler {
	o := handlerOptions(opts)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			methodNotAllowed(w)
			return
		}
		bearer, ok := bearerToken(r)
		if !ok {
			writeError(w, invalidRequest("malformed Authorization header"))
			return
		}
		if bearer == "" {
			w.Header().Set("WWW-Authenticate", "Bearer")
			writeError(w, &oauthError{status: http.StatusUnauthorized, Code: "invalid_token"})
			return
		}
		tok, err := m.VerifyAccess(r.Context(), bearer)
		if errors.Is(err, ErrStoreUnavailable) {
			writeError(w, o.classify(err))
			return
		}
		if err != nil {
			writeInvalidToken(w)
			return
		}
		if err := m.RevokeSubject(r.Context(), tok.Claims.Subject, m.now()); err != nil {
			writeError(w, o.classify(err))
			return
		}
		noContent(w)
	})
}

type handlerOpts struct{ grantStatus int }

func handlerOptions(opts *HandlerOptions) handlerOpts {
	if opts != nil && opts.UnauthorizedInvalidGrant {
		return handlerOpts{grantStatus: http.StatusUnauthorized}
	}
	return handlerOpts{grantStatus: http.StatusBadRequest}
}

// badGrant are the errors that mean the grant (credentials or token) is
// not acceptable, as opposed to a failure of the server.
var badGrant = []error{
	ErrDenied, ErrRevoked, ErrReused, ErrRecentlyRotated,
	jwt.ErrMalformed, jwt.ErrTooLarge, jwt.ErrUnsupportedAlgorithm, jwt.ErrAlgorithmMismatch,
	jwt.ErrKeyNotFound, jwt.ErrInvalidSignature, jwt.ErrExpired, jwt.ErrNotYetValid,
	jwt.ErrIssuedInFuture, jwt.ErrIssuerMismatch, jwt.ErrAudienceMismatch, jwt.ErrSubjectMismatch,
	jwt.ErrTypeMismatch, jwt.ErrMissingClaim, jwt.ErrUnsupportedCritical,
}

// classify turns an error of Issue, Refresh or a revocation into the error
// response: the store first (an unanswered question is never a bad grant),
// then the bad grants, and anything else is the server's fault.
func (o handlerOpts) classify(err error) *oauthError {
	if errors.Is(err, ErrStoreUnavailable) {
		return &oauthError{status: http.StatusServiceUnavailable, Code: "temporarily_unavailable"}
	}
	for _, e := range badGrant {
		if errors.Is(err, e) {
			return &oauthError{status: o.grantStatus, Code: "invalid_grant"}
		}
	}
	return &oauthError{status: http.StatusInternalServerError, Code: "server_error"}
}

func invalidRequest(desc string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, Code: "invalid_request", Description: desc}
}

func pairResponse(p *Pair) tokenResponse {
	return tokenResponse{
		AccessToken:      p.AccessToken,
		TokenType:        "Bearer",
		ExpiresIn:        int64(p.AccessExpires.Sub(p.IssuedAt) / time.Second),
		RefreshToken:     p.RefreshToken,
		RefreshExpiresIn: int64(p.RefreshExpires.Sub(p.IssuedAt) / time.Second),
		Scope:            p.Grant.Scope,
	}
}

// readParams reads the parameters names of a token request from its body,
// a form or a JSON object, as strings; absent ones are "". It refuses a
// method other than POST, any of names in the URL's query (RFC 6749 §3.2
// and RFC 6750 §5.3: credentials in URLs end up in logs), a parameter
// given twice, a JSON member of names that is not a string, and a body of
// another type or over maxBody bytes.
func readParams(w http.ResponseWriter, r *http.Request, names ...string) (map[string]string, *oauthError) {
	if r.Method != http.MethodPost {
		return nil, &oauthError{status: http.StatusMethodNotAllowed, Code: "invalid_request", Description: "use POST"}
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

// bearerToken returns the token of an "Authorization: Bearer" header, ""
// if there is no Authorization header, and false if the header is there
// but is not one bearer token.
func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Values("Authorization")
	switch {
	case len(h) == 0:
		return "", true
	case len(h) > 1:
		return "", false
	}
	scheme, tok, found := strings.Cut(h[0], " ")
	if !found || !strings.EqualFold(scheme, "Bearer") || tok == "" || strings.ContainsAny(tok, " \t") {
		return "", false
	}
	return tok, true
}

func setNoStore(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	setNoStore(h)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) // the client may be gone; nothing to do then
}

func writeError(w http.ResponseWriter, e *oauthError) {
	switch e.status {
	case http.StatusMethodNotAllowed:
		w.Header().Set("Allow", http.MethodPost)
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "1")
	}
	writeJSON(w, e.status, e)
}

func writeInvalidToken(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	writeError(w, &oauthError{status: http.StatusUnauthorized, Code: "invalid_token"})
}

func methodNotAllowed(w http.ResponseWriter) {
	writeError(w, &oauthError{status: http.StatusMethodNotAllowed, Code: "invalid_request", Description: "use POST"})
}

func noContent(w http.ResponseWriter) {
	setNoStore(w.Header())
	w.WriteHeader(http.StatusNoContent)
}
