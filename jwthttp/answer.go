package jwthttp

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
)

// The error codes of RFC 6750 §3.1, two of RFC 6749 §4.1.2.1 for the
// answers that are the server's fault, and two of RFC 9449 §7.1 for DPoP.
const (
	InvalidRequest         = "invalid_request"
	InvalidToken           = "invalid_token"
	InsufficientScope      = "insufficient_scope"
	ServerError            = "server_error"
	TemporarilyUnavailable = "temporarily_unavailable"
	InvalidDPoPProof       = dpop.CodeInvalidProof
	UseDPoPNonce           = dpop.CodeUseNonce
)

// scheme is an authentication scheme of the Authorization header.
type scheme uint8

const (
	schemeBearer scheme = iota // RFC 6750, and the form, query and cookie
	schemeDPoP                 // RFC 9449 §7.1
)

// Error is a refusal: what the middleware answers instead of calling the
// next handler. [Options.ErrorBody] receives it.
type Error struct {
	// Status is the HTTP status code: 400, 401, 403, 500 or 503.
	Status int
	// Code is the "error" of the challenge and the body: one of the
	// constants InvalidRequest … UseDPoPNonce, or "" for a request that
	// carried no token.
	Code string
	// Description is the "error_description": a fixed sentence in
	// printable ASCII without '"' or '\', which never quotes the request.
	Description string
	// Scope is the "scope" of the challenge: the scopes a request needs,
	// separated by single spaces, or "".
	Scope string
	// Err is the cause, if any, for logs. It is never sent to the client;
	// its message may quote values from the token, escaped.
	Err error

	scheme scheme // the scheme of the credentials refused: its challenge carries Code
	nonce  string // a DPoP-Nonce to send, for UseDPoPNonce
}

// Error returns the status, code and description of e, without its cause.
func (e *Error) Error() string {
	code := e.Code
	if code == "" {
		code = "no token"
	}
	if e.Description == "" {
		return "jwt: " + strconv.Itoa(e.Status) + " " + code
	}
	return "jwt: " + strconv.Itoa(e.Status) + " " + code + ": " + e.Description
}

// Unwrap returns the cause of e.
func (e *Error) Unwrap() error { return e.Err }

// The error descriptions. Each is printable ASCII without '"' or '\'.
const (
	descNoToken             = "the request has no access token"
	descTwoAuthorization    = "the request has more than one Authorization header"
	descAuthorizationSyntax = "the Authorization header is malformed"
	descTwoTokens           = "the request has more than one access token"
	descTokenSyntax         = "the access token has characters a bearer token cannot have"
	descFormRead            = "the request body could not be read"
	descFormTooLarge        = "the form body is too large to search for an access token"
	descFormSyntax          = "the form body is malformed"
	descMalformed           = "the access token is malformed"
	descRejected            = "the access token is revoked or not accepted"
	descUnavailable         = "the access token could not be checked, try again later"
	descScopeAll            = "the access token lacks a required scope"
	descScopeAny            = "the access token has none of the accepted scopes"
	descScopeClaim          = "the access token has a malformed scope claim"
	descConfirmation        = "the access token has a malformed cnf claim"
	descBoundAsBearer       = "the access token is bound to a DPoP key and must be sent with the DPoP scheme"
	descDPoPOnly            = "the access token must be sent with the DPoP scheme and a DPoP proof"
)

// tokenErrors gives the description of each verdict of jwt.Verify on a
// token, in the order a single error is matched.
var tokenErrors = [...]struct {
	err  error
	desc string
}{
	{jwt.ErrTooLarge, "the access token is too large"},
	{jwt.ErrMalformed, descMalformed},
	{jwt.ErrUnsupportedCritical, "the access token has an unsupported critical header"},
	{jwt.ErrUnsupportedAlgorithm, "the access token algorithm is not supported"},
	{jwt.ErrAlgorithmMismatch, "the access token algorithm is not the one of its key"},
	{jwt.ErrKeyNotFound, "the access token is signed with an unknown key"},
	{jwt.ErrInvalidSignature, "the access token signature is invalid"},
	{jwt.ErrExpired, "the access token expired"},
	{jwt.ErrNotYetValid, "the access token is not valid yet"},
	{jwt.ErrIssuedInFuture, "the access token was issued in the future"},
	{jwt.ErrIssuerMismatch, "the access token is from another issuer"},
	{jwt.ErrAudienceMismatch, "the access token is not meant for this resource"},
	{jwt.ErrSubjectMismatch, "the access token is about another subject"},
	{jwt.ErrTypeMismatch, "the access token is of another type"},
	{jwt.ErrMissingClaim, "the access token lacks a required claim"},
}

// describe returns the description of a verdict on a token, or "" if err
// is none of them.
func describe(err error) string {
	for _, t := range tokenErrors {
		if errors.Is(err, t.err) {
			return t.desc
		}
	}
	return ""
}

// config is what the answers of one middleware need; RequireScopes finds it
// in the request's context.
type config struct {
	realm            string
	scope            string
	resourceMetadata string
	body             func(*http.Request, *Error) (string, []byte)
	bearer           bool     // Bearer tokens are accepted
	dpopAlgs         []string // the algorithms of DPoP proofs, if DPoP tokens are accepted
}

func (c *config) noToken() *Error {
	return &Error{Status: http.StatusUnauthorized, Description: descNoToken, Scope: c.scope}
}

func (c *config) invalidRequest(desc string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: InvalidRequest, Description: desc}
}

func (c *config) invalidToken(desc string, err error) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: InvalidToken, Description: desc, Scope: c.scope, Err: err}
}

// verdict turns an error of jwt.Verify, or of the Check hook if check is
// set, into a refusal. It fails closed: an error that is no verdict on the
// token is never a reason to accept it.
func (c *config) verdict(ctx context.Context, err error, check bool) *Error {
	switch {
	case errors.Is(err, jwt.ErrInvalidOption):
		return &Error{Status: http.StatusInternalServerError, Code: ServerError, Err: err}
	case errors.Is(err, ErrUnavailable), errors.Is(err, context.Canceled),
		errors.Is(err, context.DeadlineExceeded), ctx.Err() != nil:
		return &Error{Status: http.StatusServiceUnavailable, Code: TemporarilyUnavailable, Description: descUnavailable, Err: err}
	}
	var ve *jwt.ValidationError
	if errors.As(err, &ve) && len(ve.Errors) > 1 {
		// Every failed check, each described once, in the order of ve.
		var descs []string
		for _, e := range ve.Errors {
			if d := describe(e); d != "" && !containsString(descs, d) {
				descs = append(descs, d)
			}
		}
		if len(descs) > 0 {
			return c.invalidToken(strings.Join(descs, "; "), err)
		}
	}
	if d := describe(err); d != "" {
		return c.invalidToken(d, err)
	}
	if check {
		return c.invalidToken(descRejected, err)
	}
	// The key source failed without a verdict on the token.
	return &Error{Status: http.StatusServiceUnavailable, Code: TemporarilyUnavailable, Description: descUnavailable, Err: err}
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// refuse writes the answer e: its status, its challenge, and its body.
func (c *config) refuse(w http.ResponseWriter, r *http.Request, e *Error) {
	h := w.Header()
	h.Del("WWW-Authenticate")
	if e.Status == http.StatusBadRequest || e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden {
		// One field per scheme (RFC 9110 §11.6.1), Bearer first; only the
		// challenge of the scheme the request used says what went wrong.
		in := c.errorScheme(e)
		if c.bearer {
			h.Add("WWW-Authenticate", c.challenge(e, in == schemeBearer || e.Code == ""))
		}
		if c.dpopAlgs != nil {
			h.Add("WWW-Authenticate", c.dpopChallenge(e, in == schemeDPoP || e.Code == ""))
		}
		if e.nonce != "" {
			dpop.SetNonce(h, e.nonce)
		}
	}
	contentType, body := "application/json", e.json()
	if c.body != nil {
		contentType, body = c.body(r, e)
		if contentType == "" {
			contentType = "text/plain; charset=utf-8"
		}
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(e.Status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// errorScheme returns the scheme whose challenge carries the error of e:
// the scheme of the credentials refused, if the resource accepts it, and
// otherwise DPoP, the only other.
func (c *config) errorScheme(e *Error) scheme {
	if e.scheme == schemeBearer && c.bearer {
		return schemeBearer
	}
	return schemeDPoP
}

// dpopChallenge returns the DPoP challenge (RFC 9449 §7.1): with e's
// error if withError, and otherwise only what a request without a token is
// told.
func (c *config) dpopChallenge(e *Error, withError bool) string {
	ch := dpop.Challenge{Realm: c.realm, Scope: c.scope, Algorithms: c.dpopAlgs, ResourceMetadata: c.resourceMetadata}
	if withError {
		ch.Scope = e.Scope
		ch.Error, ch.Description = e.Code, e.Description
		if e.Code == "" {
			ch.Description = ""
		}
	}
	return ch.String()
}

// challenge returns the Bearer challenge for e (RFC 6750 §3, RFC 9728
// §5.1): with e's error if withError, and otherwise only what a request
// without a token is told. Every value was checked to need no escaping.
func (c *config) challenge(e *Error, withError bool) string {
	if !withError {
		e = &Error{Scope: c.scope}
	}
	var b strings.Builder
	b.Grow(128)
	b.WriteString("Bearer")
	sep := " "
	param := func(name, value string) {
		b.WriteString(sep)
		b.WriteString(name)
		b.WriteString(`="`)
		b.WriteString(value)
		b.WriteByte('"')
		sep = ", "
	}
	if c.realm != "" {
		param("realm", c.realm)
	}
	if e.Code != "" {
		param("error", e.Code)
		if e.Description != "" {
			param("error_description", e.Description)
		}
	}
	if e.Scope != "" {
		param("scope", e.Scope)
	}
	if c.resourceMetadata != "" {
		param("resource_metadata", c.resourceMetadata)
	}
	return b.String()
}

// json returns the default body of e. Its strings need no escaping.
func (e *Error) json() []byte {
	b := make([]byte, 0, 128)
	b = append(b, '{')
	sep := ""
	member := func(name, value string) {
		b = append(b, sep...)
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, `":"`...)
		b = append(b, value...)
		b = append(b, '"')
		sep = ","
	}
	if e.Code != "" {
		member("error", e.Code)
	}
	if e.Description != "" {
		member("error_description", e.Description)
	}
	if e.Code == InsufficientScope && e.Scope != "" {
		member("scope", e.Scope)
	}
	b = append(b, '}')
	return b
}

// isQuotable reports whether s may be sent in a quoted-string without
// escapes, and as a JSON string without escapes: printable ASCII (RFC 6750
// §3: %x20-21 / %x23-5B / %x5D-7E).
func isQuotable(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// isScopeToken reports whether s is a scope-token (RFC 6749 §3.3):
// 1*( %x21 / %x23-5B / %x5D-7E ).
func isScopeToken(s string) bool {
	return s != "" && isQuotable(s) && strings.IndexByte(s, ' ') < 0
}

// isScopeList reports whether s is scope-tokens separated by single spaces.
func isScopeList(s string) bool {
	for t := range strings.SplitSeq(s, " ") {
		if !isScopeToken(t) {
			return false
		}
	}
	return true
}
