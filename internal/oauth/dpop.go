package oauth

import (
	"context"
	"errors"
	"net/http"

	"github.com/jwtkit/jwt"
)

// Coded is an error that knows how a server answers it: the sentinels of
// package dpop implement it. OAuthError returns the error code, such as
// InvalidDPoPProof, and a fixed description that quotes nothing of the
// request.
type Coded interface {
	error
	OAuthError() (code, description string)
}

// Describe returns the code and description of the first error in err's
// tree that implements Coded (see errors.As), or "" and "" if there is
// none.
func Describe(err error) (code, description string) {
	var c Coded
	if errors.As(err, &c) {
		return c.OAuthError()
	}
	return "", ""
}

// NonceSource issues DPoP server nonces, as dpop.NonceSource does.
type NonceSource interface {
	Nonce(ctx context.Context) (string, error)
}

// Refusal is the answer to a failed DPoP check.
type Refusal struct {
	// Status is the HTTP status: the status given to ProofRefusal for an
	// error of the client, 500 for a configuration error, 503 for a check
	// that could not be made.
	Status int
	// Code is the error code; Description its fixed description, "" for
	// a 500 or 503.
	Code, Description string
	// Nonce is a fresh server nonce to send with use_dpop_nonce.
	Nonce string
	// Err is the cause: err, or the nonce source's error.
	Err error
}

// ProofRefusal returns the answer to err, an error of dpop.Verifier's
// VerifyRequest (RFC 9449 §7.1 at a resource, with status 401; §5 and §8
// at a token endpoint, with status 400). A proof without the server's nonce
// gets use_dpop_nonce and a fresh nonce from nonces. It fails closed: a
// nonce source, replay cache or context that cannot answer is 503, never a
// reason to accept the proof; an error wrapping jwt.ErrInvalidOption is a
// 500.
func ProofRefusal(ctx context.Context, err error, nonces NonceSource, status int) Refusal {
	code, desc := Describe(err)
	switch {
	case code == UseDPoPNonce && nonces != nil:
		nonce, nerr := nonces.Nonce(ctx)
		if nerr != nil {
			return Refusal{Status: http.StatusServiceUnavailable, Code: TemporarilyUnavailable, Err: nerr}
		}
		return Refusal{Status: status, Code: code, Description: desc, Nonce: nonce, Err: err}
	case code == UseDPoPNonce:
		// No nonce to give: the proof is simply invalid.
		return Refusal{Status: status, Code: InvalidDPoPProof, Description: desc, Err: err}
	case code != "":
		return Refusal{Status: status, Code: code, Description: desc, Err: err}
	case errors.Is(err, jwt.ErrInvalidOption):
		return Refusal{Status: http.StatusInternalServerError, Code: ServerError, Err: err}
	}
	// The replay cache failed, or the request's context ended.
	return Refusal{Status: http.StatusServiceUnavailable, Code: TemporarilyUnavailable, Err: err}
}
