package jwthttp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/internal/oauth"
)

// The error codes of RFC 6750 §3.1, two of RFC 6749 §4.1.2.1 for the
// answers that are the server's fault, and two of RFC 9449 §7.1 for DPoP.
const (
	InvalidRequest         = oauth.InvalidRequest
	InvalidToken           = oauth.InvalidToken
	InsufficientScope      = oauth.InsufficientScope
	ServerError            = oauth.ServerError
	TemporarilyUnavailable = oauth.TemporarilyUnavailable
	InvalidDPoPProof       = oauth.InvalidDPoPProof
	UseDPoPNonce           = oauth.UseDPoPNonce
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

	scheme oauth.Scheme // the scheme of the credentials refused: its challenge carries Code
	nonce  string       // a DPoP-Nonce to send, for UseDPoPNonce
}

// Error returns the status, code and description of e, without its cause.
func (e *Error) Error() string {
	code := e.Code
	if code == "" {
		code = "no token"
	}
	if e.Description == "" {
		return "jwthttp: " + strconv.Itoa(e.Status) + " " + code
	}
	return "jwthttp: " + strconv.Itoa(e.Status) + " " + code + ": " + e.Description
}

// Unwrap returns the cause of e.
func (e *Error) Unwrap() error { return e.Err }

// The error descriptions. Each is printable ASCII without '"' or '\'.
const (
	descNoToken                 = "the request has no access token"
	descTwoAuthorization        = "the request has more than one Authorization header"
	descAuthorizationSyntax     = "the Authorization header is malformed"
	descTwoTokens               = "the request has more than one access token"
	descTokenSyntax             = "the access token has characters a bearer token cannot have"
	descFormRead                = "the request body could not be read"
	descFormTooLarge            = "the form body is too large to search for an access token"
	descFormSyntax              = "the form body is malformed"
	descMalformed               = "the access token is malformed"
	descRejected                = "the access token is revoked or not accepted"
	descUnavailable             = "the access token could not be checked, try again later"
	descScopeAll                = "the access token lacks a required scope"
	descScopeAny                = "the access token has none of the accepted scopes"
	descScopeClaim              = "the access token has a malformed scope claim"
	descConfirmation            = "the access token has a malformed cnf claim"
	descUnsupportedConfirmation = "the access token is bound to a key by a confirmation method this resource cannot check"
	descNotConfirmed            = "the request does not prove possession of the key the access token is bound to"
	descBoundAsBearer           = "the access token is bound to a DPoP key and must be sent with the DPoP scheme"
	descDPoPOnly                = "the access token must be sent with the DPoP scheme and a DPoP proof"
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
	res      oauth.Resource // realm, scope, metadata, and the schemes accepted
	body     func(*http.Request, *Error) (string, []byte)
	onResult func(r *http.Request, status int, code string, err error)
	bound    bool                  // the key source binds the issuer (see Issuer)
	answers  map[answerKey]*answer // made by precompute; read-only after
}

func (c *config) noToken() *Error {
	return &Error{Status: http.StatusUnauthorized, Description: descNoToken, Scope: c.res.Scope}
}

func (c *config) invalidRequest(desc string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: InvalidRequest, Description: desc}
}

func (c *config) invalidToken(desc string, err error) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: InvalidToken, Description: desc, Scope: c.res.Scope, Err: err}
}

// verdict turns an error of jwt.Verify, or of the Check hook if check is
// set, into a refusal. It fails closed: an error that is no verdict on the
// token is never a reason to accept it.
func (c *config) verdict(ctx context.Context, err error, check bool) *Error {
	t := flatten(err) // errors.Is and errors.As of t, for many targets in one walk
	switch {
	case t.is(jwt.ErrInvalidOption):
		return &Error{Status: http.StatusInternalServerError, Code: ServerError, Err: err}
	case t.is(jwt.ErrUnavailable), t.is(context.Canceled),
		t.is(context.DeadlineExceeded), ctx.Err() != nil:
		return &Error{Status: http.StatusServiceUnavailable, Code: TemporarilyUnavailable, Description: descUnavailable, Err: err}
	}
	if !check && (t.is(jwt.ErrMissingClaim) || t.is(jwt.ErrTypeMismatch)) {
		// The cause names the claim or type the profile required, and
		// how to accept what identity providers issue by default.
		err = fmt.Errorf("%w (required by Options.Verify, its Type and Required; jwthttp.ProviderOptions accepts "+
			"identity providers' default access tokens)", err)
	}
	if ve := t.validationError(); ve != nil && len(ve.Errors) > 1 {
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
	if d := t.describe(); d != "" {
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

// refuse writes the answer e: its status, its challenges, and its body;
// then it reports e to the OnResult hook.
func (c *config) refuse(w http.ResponseWriter, r *http.Request, e *Error) {
	a := c.answerTo(e)
	h := w.Header()
	delete(h, "Www-Authenticate") // h.Del("WWW-Authenticate"), without canonicalizing the name
	contentType, body, length := "application/json", a.body, a.length
	if c.body != nil {
		contentType, body = c.body(r, e)
		if contentType == "" {
			contentType = "text/plain; charset=utf-8"
		}
		length = strconv.Itoa(len(body))
	}
	// One allocation holds every value set, each its own full slice, so
	// that an append by a later writer copies it.
	n := len(a.challenges)
	v := make([]string, n+3)
	copy(v, a.challenges)
	if n > 0 {
		h["Www-Authenticate"] = v[:n:n]
		if e.nonce != "" {
			h.Set(oauth.NonceHeader, e.nonce)
		}
	}
	v[n], v[n+1], v[n+2] = contentType, length, "nosniff"
	h["Content-Type"] = v[n : n+1 : n+1]
	h["Content-Length"] = v[n+1 : n+2 : n+2]
	h["X-Content-Type-Options"] = v[n+2 : n+3 : n+3]
	w.WriteHeader(e.Status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
	c.report(r, e.Status, e.Code, e.Err)
}

// report calls the OnResult hook, if any.
func (c *config) report(r *http.Request, status int, code string, err error) {
	if c.onResult != nil {
		c.onResult(r, status, code, err)
	}
}
