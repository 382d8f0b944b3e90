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

// katarasMapDecoder verifies as the kataras row does, then decodes the
// claims into a map[string]any.
func katarasMapDecoder(tb testing.TB, k *keys) decodeFunc {
	alg := katarasAlgorithm(tb, k.alg)
	key := k.verifyingKey()
	expected := kjwt.Expected{Issuer: claimIss, Audience: kjwt.Audience{claimAud}}
	return func(_ string, tokb []byte) (any, error) {
		t, err := kjwt.Verify(alg, key, tokb, expected)
		if err != nil {
			return nil, err
		}
		var m map[string]any
		if err := t.Claims(&m); err != nil {
			return nil, err
		}
		return m, nil
	}
}

// katarasStructDecoder verifies as the kataras row does, then decodes the
// claims into K, a struct embedding kataras' Claims and the private claims
// P.
func katarasStructDecoder[K, P any, PK interface {
	*K
	private() *P
}](tb testing.TB, k *keys) decodeFunc {
	alg := katarasAlgorithm(tb, k.alg)
	key := k.verifyingKey()
	expected := kjwt.Expected{Issuer: claimIss, Audience: kjwt.Audience{claimAud}}
	return func(_ string, tokb []byte) (any, error) {
		t, err := kjwt.Verify(alg, key, tokb, expected)
		if err != nil {
			return nil, err
		}
		c := PK(new(K))
		if err := t.Claims(c); err != nil {
			return nil, err
		}
		return c.private(), nil
	}
}

// katarasPlainSigner signs rawClaims, a plain struct.
func katarasPlainSigner(tb testing.TB, f *fixture) signCase {
	alg := katarasAlgorithm(tb, f.alg)
	key := f.signingKey()
	claims := f.rawClaims()
	var last []byte
	return signCase{
		name: "kataras/plain",
		sign: func() error {
			var err error
			last, err = kjwt.Sign(alg, key, &claims)
			return err
		},
		last: func() string { return string(last) },
	}
}

// katarasKeySetVerifier verifies with kataras' Keys, which picks the key by
// the header's kid.
func katarasKeySetVerifier(tb testing.TB, set []kidKey) verifyCase {
	keys := make(kjwt.Keys, len(set))
	for _, k := range set {
		keys.Register(katarasAlgorithm(tb, k.alg), k.kid, k.verifyingKey(), k.signingKey())
	}
	expected := kjwt.Expected{Issuer: claimIss, Audience: kjwt.Audience{claimAud}}
	return verifyCase{
		name: "kataras", checksClaims: true, checksAudience: true,
		verify: func(_ string, tokb []byte) error {
			var c katarasClaims
			return keys.VerifyToken(tokb, &c, expected)
		},
	}
}
