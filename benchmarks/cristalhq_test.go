package benchmarks

import (
	"errors"
	"testing"
	"time"

	cjwt "github.com/cristalhq/jwt/v4"
)

// github.com/cristalhq/jwt/v4, as its README uses it: a Verifier built once
// for the algorithm, ParseClaims into a struct embedding RegisteredClaims,
// then the IsValidAt, IsForAudience and IsIssuer checks the caller must make
// itself; a Builder built once to sign.

type cristalClaims struct {
	cjwt.RegisteredClaims
	Name  string `json:"name"`
	Admin bool   `json:"admin"`
}

var errCristalClaims = errors.New("cristalhq: claims rejected")

func cristalVerifier(tb testing.TB, f *fixture) verifyCase {
	alg := cjwt.Algorithm(f.alg)
	var v cjwt.Verifier
	var err error
	switch f.alg {
	case "HS256":
		v, err = cjwt.NewVerifierHS(alg, f.secret)
	case "RS256":
		v, err = cjwt.NewVerifierRS(alg, f.rsaPub())
	case "PS256":
		v, err = cjwt.NewVerifierPS(alg, f.rsaPub())
	case "ES256", "ES384", "ES512":
		v, err = cjwt.NewVerifierES(alg, f.ecPub())
	case "EdDSA":
		v, err = cjwt.NewVerifierEdDSA(f.edPub())
	}
	if err != nil || v == nil {
		tb.Fatalf("cristalhq %s: %v", f.alg, err)
	}
	return verifyCase{
		name: "cristalhq", checksClaims: true, checksAudience: true,
		verify: func(_ string, tokb []byte) error {
			var c cristalClaims
			if err := cjwt.ParseClaims(tokb, v, &c); err != nil {
				return err
			}
			if !c.IsValidAt(time.Now()) || !c.IsForAudience(claimAud) || !c.IsIssuer(claimIss) {
				return errCristalClaims
			}
			return nil
		},
	}
}

func cristalSigner(tb testing.TB, f *fixture) signCase {
	alg := cjwt.Algorithm(f.alg)
	var s cjwt.Signer
	var err error
	switch f.alg {
	case "HS256":
		s, err = cjwt.NewSignerHS(alg, f.secret)
	case "RS256":
		s, err = cjwt.NewSignerRS(alg, f.rsaPriv)
	case "PS256":
		s, err = cjwt.NewSignerPS(alg, f.rsaPriv)
	case "ES256", "ES384", "ES512":
		s, err = cjwt.NewSignerES(alg, f.ecPriv)
	case "EdDSA":
		s, err = cjwt.NewSignerEdDSA(f.edPriv)
	}
	if err != nil || s == nil {
		tb.Fatalf("cristalhq %s: %v", f.alg, err)
	}
	builder := cjwt.NewBuilder(s)
	claims := &cristalClaims{
		RegisteredClaims: cjwt.RegisteredClaims{
			Issuer:    claimIss,
			Subject:   claimSub,
			Audience:  cjwt.Audience{claimAud},
			ExpiresAt: cjwt.NewNumericDate(f.now.exp),
			IssuedAt:  cjwt.NewNumericDate(f.now.iat),
			ID:        claimJTI,
		},
		Name:  claimName,
		Admin: claimAdmin,
	}
	var last *cjwt.Token
	return signCase{
		name: "cristalhq",
		sign: func() error {
			var err error
			last, err = builder.Build(claims)
			return err
		},
		last: func() string { return last.String() },
	}
}
