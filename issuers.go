package jwt

import (
	"context"
	"fmt"
)

// An IssuerResolver is a KeySource for the tokens of several issuers, such
// as the tenants of a multi-tenant identity provider or the custom domains
// of one service. Whose keys check a token depends on its "iss", so [Verify]
// reads that claim before it checks the signature, as every verifier of
// several issuers must: it reads the payload with the reader that reads the
// claims afterwards, asks KeySourceFor for the issuer's keys, requires the
// source returned to be bound to exactly that issuer (its Issuer() equal to
// "iss", byte for byte), and then checks the token with that source's keys
// and, once the signature is good, the claims as if VerifyOptions.Issuer
// named that issuer. So the "iss" of a token Verify accepts is always the
// issuer whose keys verified it. A token whose "iss" is missing or not a
// string fails with an error wrapping ErrKeyNotFound; VerifyOptions.Issuer
// set as well is an error wrapping ErrInvalidOption.
//
// KeySourceFor must decide from issuer alone, without any I/O, whether it
// serves that issuer, and return an error wrapping ErrKeyNotFound if it does
// not; it may return an error wrapping ErrUnavailable when the issuer's keys
// cannot be had now. It must be safe for concurrent use and must not keep
// issuer beyond the call unless it copies it.
//
// [VerifyJWS] chooses keys the same way, from the "iss" of a JSON payload.
// Lookup, asked without the issuer (by a caller), returns an error wrapping
// ErrKeyNotFound, since no key can be chosen without knowing whose it must
// be.
type IssuerResolver interface {
	KeySource
	KeySourceFor(ctx context.Context, issuer string) (IssuerKeySource, error)
}

// lookupIssuer returns the verifiers r offers for the token whose header p
// has read and whose decoded payload is payload: those of the issuer its
// "iss" names, which it records in p.issuer.
func (p *parsed) lookupIssuer(ctx context.Context, r IssuerResolver, payload string) ([]Verifier, error) {
	var iss string
	found, err := decodeMember(payload, "iss", &iss)
	if err != nil {
		return nil, fmt.Errorf("%w: the key source chooses keys by issuer, and the token's \"iss\" cannot be read: %w", ErrKeyNotFound, err)
	}
	if !found || iss == "" {
		return nil, fmt.Errorf("%w: the key source chooses keys by issuer, and the token has no \"iss\"", ErrKeyNotFound)
	}
	src, err := r.KeySourceFor(ctx, iss)
	if err != nil {
		return nil, err
	}
	if src == nil || src.Issuer() != iss {
		return nil, fmt.Errorf("%w: the key source for the issuer %s is not bound to it", ErrKeyNotFound, quote(iss))
	}
	p.issuer = iss
	return src.Lookup(ctx, p.header)
}
