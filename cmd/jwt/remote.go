package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwks"
)

// remoteKeys returns the key source of --jwks URL or --oidc ISSUER: a
// jwks.Remote, fetched within ctx before any token is looked at, so that a set
// that cannot be fetched or used is the operator's error (status 2), and
// the token's kid, the one refresh it may force and the signature only
// accept or reject the token. With --oidc it requires "iss" to be ISSUER,
// by setting f.iss. The returned function closes the Remote.
func (f *verifyFlags) remoteKeys(ctx context.Context) (jwt.KeySource, func(), error) {
	algs, err := remoteAlgorithms(f.alg)
	if err != nil {
		return nil, nil, err
	}
	opts := &jwks.Options{Timeout: f.timeout.d, Algorithms: algs}
	var set *jwks.Remote
	from := "--jwks"
	if f.jwksURL != "" {
		set, err = jwks.NewRemote(f.jwksURL, opts)
	} else {
		from = "--oidc"
		if f.iss != "" && f.iss != f.oidc {
			return nil, nil, usageError("--iss %s disagrees with --oidc %s, whose tokens must have it as \"iss\"", quote(f.iss), quote(f.oidc))
		}
		if set, err = jwks.NewOIDC(f.oidc, opts); err == nil {
			f.iss = set.Issuer()
		}
	}
	if err != nil {
		return nil, nil, keyError(err, "%s", from)
	}
	if err := set.Prefetch(ctx); err != nil {
		set.Close()
		return nil, nil, keyError(err, "%s", from)
	}
	if f.kid != "" {
		return &pinnedKey{keys: set, kid: f.kid}, set.Close, nil
	}
	return set, set.Close, nil
}

// remoteAlgorithms returns the algorithms the keys of a fetched JWK Set are
// bound to (jwks.Options.Algorithms): --alg alone, or every algorithm with
// public keys, so that a key without "alg" is bound to each one that fits
// it and a key with "alg" keeps its own. A JWK Set published at a URL holds
// public keys only, so an HMAC --alg could never verify anything.
func remoteAlgorithms(flagAlg string) ([]jwt.Algorithm, error) {
	if flagAlg != "" {
		a, err := algorithmByName(flagAlg)
		if err != nil {
			return nil, err
		}
		if _, ok := a.(jwt.HMACAlgorithm); ok {
			return nil, usageError("--alg %s uses a secret key, and a JWK Set fetched with --jwks or --oidc holds public keys only", a.Name())
		}
		return []jwt.Algorithm{a}, nil
	}
	var algs []jwt.Algorithm
	for _, a := range jwt.Algorithms() {
		if _, ok := a.(jwt.HMACAlgorithm); !ok {
			algs = append(algs, a)
		}
	}
	return algs, nil
}

// pinnedKey is the key source of --kid with a remote set: the key with kid
// only, for tokens that name it or no kid. The kid is the operator's
// choice, so a set without it exits with status 2, whatever the token.
type pinnedKey struct {
	keys jwt.KeySource
	kid  string
}

func (p *pinnedKey) Lookup(ctx context.Context, h jwt.Header) ([]jwt.Verifier, error) {
	if h.KeyID != "" && h.KeyID != p.kid {
		return nil, fmt.Errorf("%w: the token has kid %s, and --kid is %s", jwt.ErrKeyNotFound, quote(h.KeyID), quote(p.kid))
	}
	h.KeyID = p.kid
	vs, err := p.keys.Lookup(ctx, h)
	if errors.Is(err, jwt.ErrKeyNotFound) {
		return nil, keyError(err, "--kid %s", quote(p.kid))
	}
	return vs, err
}
