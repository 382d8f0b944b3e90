package benchmarks

import (
	"testing"

	kjwt "github.com/kataras/jwt"
)

// github.com/kataras/jwt, as its README uses it: Verify with the algorithm
// and key (exp, nbf and iat are checked by default) and an Expected
// validator for issuer and audience, then VerifiedToken.Claims into the
// custom struct; Sign with the algorithm and key.

type katarasClaims struct {
	kjwt.Claims
	Name  string `json:"name"`
	Admin bool   `json:"admin"`
}

func katarasAlgorithm(tb testing.TB, alg string) kjwt.Alg {
	switch alg {
	case "HS256":
		return kjwt.HS256
	case "RS256":
		return kjwt.RS256
	case "PS256":
		return kjwt.PS256
	case "ES256":
		return kjwt.ES256
	case "ES384":
		return kjwt.ES384
	case "ES512":
		return kjwt.ES512
	case "EdDSA":
		return kjwt.EdDSA
	}
	tb.Fatalf("kataras: no algorithm %s", alg)
	panic("unreachable")
}

func katarasVerifier(tb testing.TB, f *fixture) verifyCase {
	alg := katarasAlgorithm(tb, f.alg)
	key := f.verifyingKey()
	expected := kjwt.Expected{Issuer: claimIss, Audience: kjwt.Audience{claimAud}}
	return verifyCase{
		name: "kataras", checksClaims: true, checksAudience: true,
		verify: func(_ string, tokb []byte) error {
			t, err := kjwt.Verify(alg, key, tokb, expected)
			if err != nil {
				return err
			}
			var c katarasClaims
			return t.Claims(&c)
		},
	}
}

func katarasSigner(tb testing.TB, f *fixture) signCase {
	alg := katarasAlgorithm(tb, f.alg)
	key := f.signingKey()
	claims := &katarasClaims{
		Claims: kjwt.Claims{
			Issuer:   claimIss,
			Subject:  claimSub,
			Audience: kjwt.Audience{claimAud},
			Expiry:   f.now.exp.Unix(),
			IssuedAt: f.now.iat.Unix(),
			ID:       claimJTI,
		},
		Name:  claimName,
		Admin: claimAdmin,
	}
	var last []byte
	return signCase{
		name: "kataras",
		sign: func() error {
			var err error
			last, err = kjwt.Sign(alg, key, claims)
			return err
		},
		last: func() string { return string(last) },
	}
}
