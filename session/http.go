package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
	"github.com/jwtkit/jwt/internal/oauth"
)

// maxBody is the largest token request body read, in bytes.
const maxBody = 16 << 10

// HandlerOptions configures the token endpoint handlers of a [Manager]. A
// nil pointer means the defaults.
type HandlerOptions struct {
	// UnauthorizedInvalidGrant answers invalid_grant (wrong credentials; a
	// bad, expired, revoked or reused refresh token) with 401 Unauthorized
	// instead of 400 Bad Request, with the challenges of a request without
	// credentials (WWW-Authenticate: Bearer, and DPoP with DPoP set), which
	// every 401 carries. RFC 6749 §5.2 says 400, which is the default; many
	// clients and some services expect 401.
	UnauthorizedInvalidGrant bool
	// DPoP, if set, accepts DPoP proofs (RFC 9449), verified by DPoP for
	// the request's method (POST) and URI: set its ExternalURL to the URL
	// clients use, and, for several instances, give it the Store as its
	// ReplayCache. A login with a proof starts a session bound to the
	// proof's key ("token_type":"DPoP", and "cnf" in the tokens); a refresh
	// of a bound session needs a proof by the same key (otherwise
	// invalid_grant); the logout handlers accept "Authorization: DPoP" with
	// a proof, and a bound refresh token only with a proof by its key. A
	// request's DPoP header is ignored when DPoP is nil, and the tokens of
	// bound sessions can then be neither refreshed nor used for logout.
	DPoP *dpop.Verifier
	// OnResult, if set, is called once for every request a handler
	// answers, after the answer is written, for logs and metrics: with the
	// status, the error code ("" for a success) and the cause of a refusal
	// (nil for a success, and for a refusal without one, such as a missing
	// parameter). The cause never holds a token, a proof, a key or a
	// password; it may quote claims of a token, escaped.
	OnResult func(r *http.Request, status int, code string, err error)
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
type oauthError = oauth.TokenError

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
// twice, or another content type with invalid_request (400). Every 401 (as
// invalid_grant with HandlerOptions.UnauthorizedInvalidGrant) carries a
// WWW-Authenticate challenge, as RFC 9110 §15.5.2 requires.
//
// With HandlerOptions.DPoP set, a request with a DPoP header must carry a
// valid proof, checked before the credentials: a bad one is answered with
// invalid_dpop_proof (400), and one without the server nonce required with
// use_dpop_nonce (400) and a DPoP-Nonce header (RFC 9449 §8). The proof is
// remembered in the replay cache only once the credentials are accepted,
// so that logins with wrong passwords cannot fill it. The session
// is then bound to the proof's key (Grant.JKT, whatever auth returned), and
// the response's "token_type" is "DPoP". A login without a proof stays
// "Bearer".
func (m *Manager) LoginHandler(auth Authenticator, opts *HandlerOptions) http.Handler {
	o := handlerOptions(opts)
	return o.handler(func(w http.ResponseWriter, r *http.Request) (int, *oauthError) {
		p, e := readParams(w, r, "username", "password", "grant_type")
		if e == nil && p["grant_type"] != "" && p["grant_type"] != "password" {
			e = &oauthError{Status: http.StatusBadRequest, Code: oauth.UnsupportedGrantType}
		}
		if e == nil && (p["username"] == "" || p["password"] == "") {
			e = invalidRequest("username and password are required")
		}
		var proof *dpop.PendingProof
		if e == nil {
			proof, e = o.pendingProof(r)
		}
		if e != nil {
			return 0, e
		}
		g, err := auth(r.Context(), p["username"], p["password"])
		if err != nil {
			return 0, o.classify(err)
		}
		g.JKT = ""
		if proof != nil {
			pr, err := proof.Remember(r.Context())
			if err != nil {
				return 0, o.proofError(r, err, false)
			}
			g.JKT = pr.JKT
		}
		pair, err := m.Issue(r.Context(), g)
		if err != nil {
			return 0, o.classify(err)
		}
		return writeJSON(w, http.StatusOK, pairResponse(pair)), nil
	})
}

// RefreshHandler returns the handler of a refresh endpoint (RFC 6749 §6):
// a POST whose body, a form or a JSON object, holds "refresh_token" (and
// optionally "grant_type", which must then be "refresh_token"). It answers
// with a new pair like LoginHandler. The refresh token is read only from
// the body: one in the URL's query, none in the body (as when a client
// sends it in a header), or a request with an Authorization header, whose
// credentials would be a second one, is invalid_request (400). A bad, expired, revoked
// or reused refresh token, or an access token, is invalid_grant; a store
// that cannot answer is 503 temporarily_unavailable.
//
// With HandlerOptions.DPoP set, a DPoP header is verified as by
// LoginHandler, and the refresh token of a session bound to a key is
// accepted only with a proof by that key (see [Manager.RefreshDPoP]):
// without one, it is invalid_grant, and the session goes on. The proof is
// remembered only once the refresh token has been verified and found
// unrevoked.
func (m *Manager) RefreshHandler(opts *HandlerOptions) http.Handler {
	o := handlerOptions(opts)
	return o.handler(func(w http.ResponseWriter, r *http.Request) (int, *oauthError) {
		p, e := readParams(w, r, "refresh_token", "grant_type")
		if e == nil && len(r.Header.Values("Authorization")) > 0 {
			// Two credentials, or one this endpoint does not read
			// (RFC 6749 §2.3, RFC 6750 §2): never a choice between them.
			e = invalidRequest("the refresh token must be sent in the request body only, without an Authorization header")
		}
		if e == nil && p["grant_type"] != "" && p["grant_type"] != "refresh_token" {
			e = &oauthError{Status: http.StatusBadRequest, Code: oauth.UnsupportedGrantType}
		}
		if e == nil && p["refresh_token"] == "" {
			e = invalidRequest("refresh_token is required in the request body")
		}
		var proof *dpop.PendingProof
		if e == nil {
			proof, e = o.pendingProof(r)
		}
		if e != nil {
			return 0, e
		}
		var jkt string
		var remember func(context.Context) error
		var proofErr *oauthError
		if proof != nil {
			jkt = proof.JKT
			remember = func(ctx context.Context) error {
				_, err := proof.Remember(ctx)
				if err != nil {
					proofErr = o.proofError(r, err, false)
				}
				return err
			}
		}
		pair, err := m.refresh(r.Context(), p["refresh_token"], jkt, remember)
		if proofErr != nil {
			return 0, proofErr
		}
		if err != nil {
			return 0, o.classify(err)
		}
		return writeJSON(w, http.StatusOK, pairResponse(pair)), nil
	})
}

// LogoutHandler returns the handler of a logout endpoint: a POST that
// revokes a session, named by the refresh token in the body (a form or a
// JSON object with "refresh_token") or by the access token in the
// Authorization header (Bearer), or both, and answers 204 No Content. The
// tokens' signatures and types are checked, not their expiry. A bad refresh
// token is invalid_grant; a bad access token 401 with a Bearer challenge;
// no token at all invalid_request.
//
// Every token of a session bound to a DPoP key needs a proof by the key,
// which needs HandlerOptions.DPoP: whoever copied a bound token cannot end
// its session. The access token must come as "Authorization: DPoP" with a
// proof; as a bearer token it is refused (RFC 9449 §7.2), and proof
// failures are answered as a resource server does: 401 with a DPoP
// challenge (see package jwthttp). A bound refresh token in the body needs
// the request's proof (the one of the DPoP access token, if any) to be by
// its key, as [Manager.RefreshDPoP] does; without one, or with one by
// another key, it is invalid_grant. The tokens are verified before any
// proof, so that a request without a valid token never reaches the replay
// cache.
func (m *Manager) LogoutHandler(opts *HandlerOptions) http.Handler {
	o := handlerOptions(opts)
	return o.handler(func(w http.ResponseWriter, r *http.Request) (int, *oauthError) {
		p, e := readParams(w, r, "refresh_token")
		bearer, sch, ok := o.accessToken(r)
		if e == nil && !ok {
			e = invalidRequest("malformed Authorization header")
		}
		if e == nil && p["refresh_token"] == "" && bearer == "" {
			e = invalidRequest("a refresh_token in the body or a bearer access token is required")
		}
		if e != nil {
			return 0, e
		}
		var families []string
		var refresh *Claims
		if rt := p["refresh_token"]; rt != "" {
			c, typ, err := m.verifyIgnoringExpiry(r.Context(), rt)
			if err == nil && typ != RefreshType {
				err = jwt.ErrTypeMismatch
			}
			if err != nil {
				return 0, o.classify(err)
			}
			refresh = c
			families = append(families, c.FamilyID)
		}
		var access *Claims
		if bearer != "" {
			c, typ, err := m.verifyIgnoringExpiry(r.Context(), bearer)
			if err == nil && typ != AccessType {
				err = jwt.ErrTypeMismatch
			}
			if err != nil {
				return 0, o.invalidToken(sch, err)
			}
			access = c
			families = append(families, c.FamilyID)
		}
		// The proofs, once both tokens have passed.
		proven := "" // the thumbprint of the key of the request's verified proof
		if access != nil {
			jkt, e := o.checkHolder(r, bearer, sch, access)
			if e != nil {
				return 0, e
			}
			proven = jkt
		}
		if want := boundTo(refresh); want != "" {
			if access == nil || sch != oauth.DPoP {
				// No proof verified yet: the request's own, as at the
				// refresh endpoint.
				jkt, e := o.tokenProof(r)
				if e != nil {
					return 0, e
				}
				proven = jkt
			}
			if proven != want {
				return 0, o.classify(fmt.Errorf("%w: logout with a refresh token", ErrKeyBinding))
			}
		}
		for _, f := range families {
			if err := m.RevokeFamily(r.Context(), f); err != nil {
				return 0, o.classify(err)
			}
		}
		return noContent(w), nil
	})
}

// LogoutAllHandler returns the handler of a "logout everywhere" endpoint:
// a POST with a valid, unrevoked access token in the Authorization header
// (Bearer), which revokes every token of the token's subject from sessions
// begun before now (see [Manager.RevokeSubject]) and answers 204 No
// Content. A missing or bad access token is 401 with a Bearer challenge.
// The access token of a session bound to a DPoP key must come with the DPoP
// scheme and a proof, as for LogoutHandler.
func (m *Manager) LogoutAllHandler(opts *HandlerOptions) http.Handler {
	o := handlerOptions(opts)
	return o.handler(func(w http.ResponseWriter, r *http.Request) (int, *oauthError) {
		if r.Method != http.MethodPost {
			return 0, methodNotAllowed()
		}
		bearer, sch, ok := o.accessToken(r)
		if !ok {
			return 0, invalidRequest("malformed Authorization header")
		}
		if bearer == "" {
			e := o.invalidToken(sch, nil)
			e.Challenge.Code = "" // the challenges of a request without a token
			return 0, e
		}
		tok, err := m.VerifyAccess(r.Context(), bearer)
		if errors.Is(err, ErrStoreUnavailable) {
			return 0, o.classify(err)
		}
		if err != nil {
			return 0, o.invalidToken(sch, err)
		}
		if _, e := o.checkHolder(r, bearer, sch, &tok.Claims); e != nil {
			return 0, e
		}
		if err := m.RevokeSubject(r.Context(), tok.Claims.Subject, m.now()); err != nil {
			return 0, o.classify(err)
		}
		return noContent(w), nil
	})
}

type handlerOpts struct {
	grantStatus int
	dpop        *dpop.Verifier
	res         *oauth.Resource // the challenges of a refused access token
	onResult    func(r *http.Request, status int, code string, err error)
}

func handlerOptions(opts *HandlerOptions) handlerOpts {
	o := handlerOpts{grantStatus: http.StatusBadRequest, res: &oauth.Resource{Bearer: true}}
	if opts != nil {
		if opts.UnauthorizedInvalidGrant {
			o.grantStatus = http.StatusUnauthorized
		}
		o.dpop = opts.DPoP
		o.onResult = opts.OnResult
	}
	if o.dpop != nil {
		o.res.Algorithms = o.dpop.Algorithms()
	}
	return o
}

// handler returns the handler that calls serve, which writes a success
// and returns its status, or returns the error to answer; then it reports
// the outcome to the OnResult hook, once.
func (o handlerOpts) handler(serve func(w http.ResponseWriter, r *http.Request) (int, *oauthError)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, e := serve(w, r)
		if e != nil {
			if e.Status == http.StatusUnauthorized && e.Challenge == nil {
				// RFC 9110 §15.5.2: a 401 carries a challenge, such as
				// invalid_grant with UnauthorizedInvalidGrant: the
				// challenges of a request without credentials.
				e.Challenge = &oauth.TokenChallenge{Resource: o.res, In: oauth.Bearer}
			}
			e.Write(w)
			status = e.Status
		}
		if o.onResult != nil {
			if e != nil {
				o.onResult(r, status, e.Code, e.Err)
			} else {
				o.onResult(r, status, "", nil)
			}
		}
	})
}

// badGrant are the errors that mean the grant (credentials or token) is
// not acceptable, as opposed to a failure of the server.
var badGrant = []error{
	ErrDenied, ErrRevoked, ErrReused, ErrRecentlyRotated, ErrKeyBinding,
	jwt.ErrMalformed, jwt.ErrTooLarge, jwt.ErrUnsupportedAlgorithm, jwt.ErrAlgorithmMismatch,
	jwt.ErrKeyNotFound, jwt.ErrInvalidSignature, jwt.ErrExpired, jwt.ErrNotYetValid,
	jwt.ErrIssuedInFuture, jwt.ErrIssuerMismatch, jwt.ErrAudienceMismatch, jwt.ErrSubjectMismatch,
	jwt.ErrTypeMismatch, jwt.ErrMissingClaim, jwt.ErrUnsupportedCritical,
}

// classify turns an error of Issue, Refresh or a revocation into the error
// response: the store first (an unanswered question is never a bad grant),
// then the bad grants, and anything else is the server's fault.
func (o handlerOpts) classify(err error) *oauthError {
	// jwt.ErrUnavailable: a key source that cannot answer, such as a
	// jwks.SharedRing out of touch with its registry.
	if errors.Is(err, ErrStoreUnavailable) || errors.Is(err, jwt.ErrUnavailable) {
		return &oauthError{Status: http.StatusServiceUnavailable, Code: oauth.TemporarilyUnavailable, Err: err}
	}
	for _, e := range badGrant {
		if errors.Is(err, e) {
			return &oauthError{Status: o.grantStatus, Code: oauth.InvalidGrant, Err: err}
		}
	}
	return &oauthError{Status: http.StatusInternalServerError, Code: oauth.ServerError, Err: err}
}

func invalidRequest(desc string) *oauthError {
	return &oauthError{Status: http.StatusBadRequest, Code: oauth.InvalidRequest, Description: desc}
}

func pairResponse(p *Pair) tokenResponse {
	typ := "Bearer"
	if p.Grant.JKT != "" {
		typ = "DPoP" // RFC 9449 §5
	}
	return tokenResponse{
		AccessToken:      p.AccessToken,
		TokenType:        typ,
		ExpiresIn:        int64(p.AccessExpires.Sub(p.IssuedAt) / time.Second),
		RefreshToken:     p.RefreshToken,
		RefreshExpiresIn: int64(p.RefreshExpires.Sub(p.IssuedAt) / time.Second),
		Scope:            p.Grant.Scope,
	}
}

// writeJSON writes v as the JSON answer of a token endpoint, and returns
// status.
func writeJSON(w http.ResponseWriter, status int, v any) int {
	oauth.SetJSON(w.Header())
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) // the client may be gone; nothing to do then
	return status
}

func methodNotAllowed() *oauthError {
	return &oauthError{Status: http.StatusMethodNotAllowed, Code: oauth.InvalidRequest, Description: "use POST"}
}

// noContent writes the answer of a logout, and returns its status.
func noContent(w http.ResponseWriter) int {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(http.StatusNoContent)
	return http.StatusNoContent
}
