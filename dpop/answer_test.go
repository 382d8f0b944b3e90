package dpop_test

import (
	"github.com/jwtkit/jwt/internal/oauth"
)

// errorCode returns the OAuth error code a server answers err with.
func errorCode(err error) string {
	code, _ := oauth.Describe(err)
	return code
}

// challengeFor returns the DPoP challenge a resource server answers err
// with, with algs; nil is a request without credentials.
func challengeFor(err error, algs []string) string {
	code, desc := oauth.Describe(err)
	return (&oauth.Challenge{Scheme: oauth.DPoP, Error: code, Description: desc, Algorithms: algs}).String()
}
