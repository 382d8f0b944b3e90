package session

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/jwtkit/jwt/internal/oauth"
)

// ClientAssertionType is the "client_assertion_type" of a client that
// authenticates with a signed JWT, its "client_assertion" (RFC 7523 §2.2):
// private_key_jwt in OpenID Connect Core §9.
const ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// ClientCredentials are the credentials a client sent with a token request
// (RFC 6749 §2.3, RFC 7521 §4.2), for a [ClientAuthenticator].
type ClientCredentials struct {
	// ClientID is the "client_id" parameter, or "" if the request had none;
	// when set, it must name the client the assertion authenticates.
	ClientID string
	// AssertionType is the "client_assertion_type" parameter.
	AssertionType string
	// Assertion is the "client_assertion" parameter.
	Assertion string
}

// Client is a client that a [ClientAuthenticator] authenticated.
type Client struct {
	// ID is the client's client_id: the "sub" and "client_id" of the
	// access tokens it gets (RFC 9068 §2.2).
	ID string
	// Scopes are the scopes the client may ask for; a request asking for
	// none gets them all.
	Scopes []string
}

// A ClientAuthenticator authenticates the client of a token request from
// its credentials, for [Manager.ClientCredentialsHandler]. It returns an
// error wrapping ErrDenied for credentials it refuses (an unknown client, a
// bad signature, a wrong audience, an expired or replayed assertion), an
// error wrapping ErrStoreUnavailable when it could not decide (a replay
// cache or a client's key set out of reach), and any other error for a
// failure of its own. Package clientauth's Verifier.AuthenticateClient is
// one.
type ClientAuthenticator func(ctx context.Context, c ClientCredentials) (Client, error)

// AccessToken is an access token issued alone, without a refresh token, by
// [Manager.IssueAccess].
type AccessToken struct {
	// Token is the access token, of type AccessType.
	Token string
	// Expires is its "exp".
	Expires time.Time
	// IssuedAt is its "iat".
	IssuedAt time.Time
	// Grant is the grant it was issued for.
	Grant Grant
}

// IssueAccess issues an access token for g, without a refresh token: for a
// client authenticated on its own (the client credentials grant, RFC 6749
// §4.4), whose access tokens are not refreshed. The token is a session of
// its own, recorded in the store until it expires, so that [Manager.CheckAccess]
// accepts it and RevokeFamily (its "sid"), RevokeID and RevokeSubject
// revoke it as they revoke the tokens of a login. Its errors are those of
// [Manager.Issue].
func (m *Manager) IssueAccess(ctx context.Context, g Grant) (*AccessToken, error) {
	if err := checkGrant(&g); err != nil {
		return nil, err
	}
	t, err := m.begin(ctx, g, true)
	if err != nil {
		return nil, err
	}
	return &AccessToken{Token: t.pair.AccessToken, Expires: t.pair.AccessExpires, IssuedAt: t.pair.IssuedAt, Grant: g}, nil
}

// clientTokenResponse is the successful response of the client
// credentials grant (RFC 6749 §4.4.3): no refresh token.
type clientTokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
}

// ClientCredentialsHandler returns the handler of a token endpoint for the
// client credentials grant (RFC 6749 §4.4) with client authentication by
// a JWT assertion (RFC 7523 §2.2, OpenID Connect Core §9 private_key_jwt):
// a POST whose body, a form or a JSON object, holds
// "grant_type=client_credentials", "client_assertion_type" (which must be
// [ClientAssertionType]), "client_assertion", and optionally "scope" (scopes
// separated by spaces; none asked means all of the client's) and
// "client_id". auth authenticates the client; the handler then issues an
// access token with [Manager.IssueAccess] whose "sub" and "client_id" are
// the client's ID, and answers
//
//	{"access_token":"…","token_type":"Bearer","expires_in":300,"scope":"…"}
//
// with Cache-Control: no-store, and no refresh token (RFC 6749 §4.4.3).
//
// Errors are those of RFC 6749 §5.2: invalid_request (400) for a missing or
// repeated parameter, parameters in the URL, or an Authorization header (a
// second way to authenticate, RFC 6749 §2.3); unsupported_grant_type (400)
// for another grant; invalid_client (401) for an assertion type other than
// ClientAssertionType and for credentials auth refuses; invalid_scope (400)
// for a scope the client lacks; 503 when auth or the store cannot answer.
// HandlerOptions.UnauthorizedInvalidGrant does not apply (invalid_client is
// always 401), and a DPoP header is not read: the tokens are Bearer tokens.
func (m *Manager) ClientCredentialsHandler(auth ClientAuthenticator, opts *HandlerOptions) http.Handler {
	o := handlerOptions(opts)
	return o.handler(func(w http.ResponseWriter, r *http.Request) (int, *oauthError) {
		p, e := readParams(w, r, "grant_type", "client_assertion_type", "client_assertion", "scope", "client_id")
		switch {
		case e != nil:
		case len(r.Header.Values("Authorization")) > 0:
			e = invalidRequest("the client must authenticate with one method only: client_assertion, without an Authorization header")
		case p["grant_type"] == "":
			e = invalidRequest("grant_type is required")
		case p["grant_type"] != "client_credentials":
			e = &oauthError{Status: http.StatusBadRequest, Code: oauth.UnsupportedGrantType}
		case p["client_assertion_type"] == "" || p["client_assertion"] == "":
			e = invalidRequest("client_assertion_type and client_assertion are required")
		case p["client_assertion_type"] != ClientAssertionType:
			e = &oauthError{Status: http.StatusUnauthorized, Code: oauth.InvalidClient, Description: "unsupported client_assertion_type"}
		case p["scope"] != "" && !oauth.IsScopeList(p["scope"]):
			e = &oauthError{Status: http.StatusBadRequest, Code: oauth.InvalidScope, Description: "scope is not a list of scopes separated by single spaces"}
		}
		if e != nil {
			return 0, e
		}
		c, err := auth(r.Context(), ClientCredentials{ClientID: p["client_id"], AssertionType: p["client_assertion_type"], Assertion: p["client_assertion"]})
		if err != nil {
			return 0, clientError(err)
		}
		scope := strings.Join(c.Scopes, " ")
		if p["scope"] != "" {
			for s := range strings.SplitSeq(p["scope"], " ") {
				if !slices.Contains(c.Scopes, s) {
					return 0, &oauthError{Status: http.StatusBadRequest, Code: oauth.InvalidScope, Description: "the client may not ask for scope " + oauth.Printable(s)}
				}
			}
			scope = p["scope"]
		}
		at, err := m.IssueAccess(r.Context(), Grant{Subject: c.ID, ClientID: c.ID, Scope: scope})
		if err != nil {
			return 0, o.classify(err)
		}
		return writeJSON(w, http.StatusOK, clientTokenResponse{
			AccessToken: at.Token,
			TokenType:   "Bearer",
			ExpiresIn:   int64(at.Expires.Sub(at.IssuedAt) / time.Second),
			Scope:       scope,
		}), nil
	})
}

// clientError turns an error of a ClientAuthenticator into the error
// response.
func clientError(err error) *oauthError {
	switch {
	case errors.Is(err, ErrStoreUnavailable):
		return &oauthError{Status: http.StatusServiceUnavailable, Code: oauth.TemporarilyUnavailable, Err: err}
	case errors.Is(err, ErrDenied):
		return &oauthError{Status: http.StatusUnauthorized, Code: oauth.InvalidClient, Err: err}
	}
	return &oauthError{Status: http.StatusInternalServerError, Code: oauth.ServerError, Err: err}
}
