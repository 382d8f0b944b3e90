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

// cristalChecks are the checks cristalhq's RegisteredClaims offers the
// caller, who must make them.
type cristalChecks interface {
	IsValidAt(time.Time) bool
	IsForAudience(string) bool
	IsIssuer(string) bool
}

// cristalVerifierOf returns the cristalhq Verifier of k's algorithm and key.
func cristalVerifierOf(tb testing.TB, k *keys) cjwt.Verifier {
	alg := cjwt.Algorithm(k.alg)
	var v cjwt.Verifier
	var err error
	switch k.alg {
	case "HS256":
		v, err = cjwt.NewVerifierHS(alg, k.secret)
	case "RS256":
		v, err = cjwt.NewVerifierRS(alg, k.rsaPub())
	case "PS256":
		v, err = cjwt.NewVerifierPS(alg, k.rsaPub())
	case "ES256", "ES384", "ES512":
		v, err = cjwt.NewVerifierES(alg, k.ecPub())
	case "EdDSA":
		v, err = cjwt.NewVerifierEdDSA(k.edPub())
	}
	if err != nil || v == nil {
		tb.Fatalf("cristalhq %s: %v", k.alg, err)
	}
	return v
}

func cristalVerifier(tb testing.TB, f *fixture) verifyCase {
	v := cristalVerifierOf(tb, &f.keys)
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

// cristalMapDecoder decodes the claims into a map[string]any and checks
// exp, iss and aud in it, as a caller of cristalhq must.
func cristalMapDecoder(tb testing.TB, k *keys) decodeFunc {
	v := cristalVerifierOf(tb, k)
	return func(_ string, tokb []byte) (any, error) {
		var m map[string]any
		if err := cjwt.ParseClaims(tokb, v, &m); err != nil {
			return nil, err
		}
		if err := validateMapClaims(m); err != nil {
			return nil, err
		}
		return m, nil
	}
}

// cristalStructDecoder decodes into C, a struct embedding cristalhq's
// RegisteredClaims and the private claims P, and makes its checks.
func cristalStructDecoder[C, P any, PC interface {
	*C
	cristalChecks
	private() *P
}](tb testing.TB, k *keys) decodeFunc {
	v := cristalVerifierOf(tb, k)
	return func(_ string, tokb []byte) (any, error) {
		c := PC(new(C))
		if err := cjwt.ParseClaims(tokb, v, c); err != nil {
			return nil, err
		}
		if !c.IsValidAt(time.Now()) || !c.IsForAudience(claimAud) || !c.IsIssuer(claimIss) {
			return nil, errCristalClaims
		}
		return c.private(), nil
	}
}

// cristalSignerOf returns the cristalhq Signer of k's algorithm and key.
func cristalSignerOf(tb testing.TB, k *keys) cjwt.Signer {
	alg := cjwt.Algorithm(k.alg)
	var s cjwt.Signer
	var err error
	switch k.alg {
	case "HS256":
		s, err = cjwt.NewSignerHS(alg, k.secret)
	case "RS256":
		s, err = cjwt.NewSignerRS(alg, k.rsaPriv)
	case "PS256":
		s, err = cjwt.NewSignerPS(alg, k.rsaPriv)
	case "ES256", "ES384", "ES512":
		s, err = cjwt.NewSignerES(alg, k.ecPriv)
	case "EdDSA":
		s, err = cjwt.NewSignerEdDSA(k.edPriv)
	}
	if err != nil || s == nil {
		tb.Fatalf("cristalhq %s: %v", k.alg, err)
	}
	return s
}

// cristalPlainSigner builds a token of rawClaims, a plain struct.
func cristalPlainSigner(tb testing.TB, f *fixture) signCase {
	builder := cjwt.NewBuilder(cristalSignerOf(tb, &f.keys))
	claims := f.rawClaims()
	var last *cjwt.Token
	return signCase{
		name: "cristalhq/plain",
		sign: func() error {
			var err error
			last, err = builder.Build(&claims)
			return err
		},
		last: func() string { return last.String() },
	}
}

func cristalSigner(tb testing.TB, f *fixture) signCase {
	s := cristalSignerOf(tb, &f.keys)
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

var errCristalKid = errors.New("cristalhq: unknown kid")

// cristalKeySetVerifier picks a Verifier by the header's kid: cristalhq
// has no key set, and Parse is ParseNoVerify followed by Verify, so a
// caller with several keys writes this.
func cristalKeySetVerifier(tb testing.TB, set []kidKey) verifyCase {
	byKid := make(map[string]cjwt.Verifier, len(set))
	for _, k := range set {
		byKid[k.kid] = cristalVerifierOf(tb, k.keys)
	}
	return verifyCase{
		name: "cristalhq", checksClaims: true, checksAudience: true,
		verify: func(_ string, tokb []byte) error {
			t, err := cjwt.ParseNoVerify(tokb)
			if err != nil {
				return err
			}
			v, ok := byKid[t.Header().KeyID]
			if !ok {
				return errCristalKid
			}
			if err := v.Verify(t); err != nil {
				return err
			}
			var c cristalClaims
			if err := t.DecodeClaims(&c); err != nil {
				return err
			}
			if !c.IsValidAt(time.Now()) || !c.IsForAudience(claimAud) || !c.IsIssuer(claimIss) {
				return errCristalClaims
			}
			return nil
		},
	}
}
