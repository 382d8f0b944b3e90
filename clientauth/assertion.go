package clientauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"
	"time"

	"github.com/jwtkit/jwt"
)

// Limits and defaults of assertions.
const (
	// MaxLifetime is the longest an assertion may live: the most
	// Options.MaxLifetime and AssertionOptions.Lifetime allow.
	MaxLifetime = 5 * time.Minute
	// DefaultLifetime is the lifetime of assertions NewAssertion makes
	// unless told otherwise.
	DefaultLifetime = time.Minute
	// AssertionType is the header "typ" of assertions of
	// draft-ietf-oauth-rfc7523bis; a Verifier accepts it, "JWT", or none.
	AssertionType = "client-authentication+jwt"
)

// AssertionOptions configure [NewAssertion]. The zero value, or a nil
// pointer, means the defaults.
type AssertionOptions struct {
	// Lifetime is how long the assertion is valid, from 1 second to
	// MaxLifetime; zero means DefaultLifetime (1 minute).
	Lifetime time.Duration
	// Type is the header "typ"; "" means "JWT", which every server
	// accepts. AssertionType marks the token explicitly as an assertion,
	// for servers that know it.
	Type string
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// assertionClaims are the claims of an assertion (RFC 7523 §3).
type assertionClaims struct {
	jwt.RegisteredClaims
}

// NewAssertion returns a client assertion signed by s for the client
// clientID to present to the server that knows it as audience: the
// server's issuer identifier or its token endpoint URL, whichever it
// expects. The assertion has "iss" and "sub" equal to clientID, "aud" the
// string audience, a random "jti" (128 bits), "iat" now and "exp" after
// the lifetime of opts. An empty clientID or audience, or a lifetime out of
// range, is an error wrapping jwt.ErrInvalidOption.
func NewAssertion(ctx context.Context, s jwt.Signer, clientID, audience string, opts *AssertionOptions) (string, error) {
	var o AssertionOptions
	if opts != nil {
		o = *opts
	}
	switch {
	case clientID == "":
		return "", fmt.Errorf("clientauth: empty client ID: %w", jwt.ErrInvalidOption)
	case audience == "":
		return "", fmt.Errorf("clientauth: empty audience: %w", jwt.ErrInvalidOption)
	case o.Lifetime < 0 || o.Lifetime > 0 && o.Lifetime < time.Second || o.Lifetime > MaxLifetime:
		return "", fmt.Errorf("clientauth: lifetime %v outside [1s, %v]: %w", o.Lifetime, MaxLifetime, jwt.ErrInvalidOption)
	}
	if o.Lifetime == 0 {
		o.Lifetime = DefaultLifetime
	}
	if o.Type == "" {
		o.Type = "JWT"
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	t := now()
	var id [16]byte
	rand.Read(id[:])
	c := assertionClaims{jwt.RegisteredClaims{
		Issuer:    clientID,
		Subject:   clientID,
		Audience:  jwt.Audience{audience},
		ID:        base64.RawURLEncoding.EncodeToString(id[:]),
		IssuedAt:  jwt.NewNumericDate(t),
		ExpiresAt: jwt.NewNumericDate(t.Add(o.Lifetime)),
	}}
	tok, err := jwt.Sign(ctx, s, c.RegisteredClaims, &jwt.SignOptions{Type: o.Type})
	if err != nil {
		return "", fmt.Errorf("clientauth: signing the assertion: %w", err)
	}
	return tok, nil
}

// assertionTypeURN is session.ClientAssertionType, which this file does
// not import package session for.
const assertionTypeURN = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// SetForm sets the parameters of a token request's form that carry
// assertion (RFC 7521 §4.2): "client_assertion_type", to
// urn:ietf:params:oauth:client-assertion-type:jwt-bearer, and
// "client_assertion".
func SetForm(form url.Values, assertion string) {
	form.Set("client_assertion_type", assertionTypeURN)
	form.Set("client_assertion", assertion)
}
