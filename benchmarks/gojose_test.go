package benchmarks

import (
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	josejwt "github.com/go-jose/go-jose/v4/jwt"
)

// github.com/go-jose/go-jose/v4, as its jwt package examples use it:
// ParseSigned with the algorithm pinned, Claims into jwt.Claims plus a
// struct of private claims, then Claims.Validate against Expected. To sign,
// a jose.Signer built once and jwt.Signed(...).Claims(...).Serialize().

type joseClaims struct {
	Name  string `json:"name"`
	Admin bool   `json:"admin"`
}

func goJoseVerifier(tb testing.TB, f *fixture) verifyCase {
	key := f.verifyingKey()
	algs := []jose.SignatureAlgorithm{jose.SignatureAlgorithm(f.alg)}
	expected := josejwt.Expected{Issuer: claimIss, AnyAudience: josejwt.Audience{claimAud}}
	return verifyCase{
		name: "go-jose", checksClaims: true, checksAudience: true,
		verify: func(tok string, _ []byte) error {
			t, err := josejwt.ParseSigned(tok, algs)
			if err != nil {
				return err
			}
			var registered josejwt.Claims
			var private joseClaims
			if err := t.Claims(key, &registered, &private); err != nil {
				return err
			}
			return registered.Validate(expected) // zero Expected.Time: now
		},
	}
}

func goJoseSigner(tb testing.TB, f *fixture) signCase {
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.SignatureAlgorithm(f.alg), Key: f.signingKey()},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		tb.Fatalf("go-jose %s: %v", f.alg, err)
	}
	registered := josejwt.Claims{
		Issuer:   claimIss,
		Subject:  claimSub,
		Audience: josejwt.Audience{claimAud},
		Expiry:   josejwt.NewNumericDate(f.now.exp),
		IssuedAt: josejwt.NewNumericDate(f.now.iat),
		ID:       claimJTI,
	}
	private := joseClaims{Name: claimName, Admin: claimAdmin}
	var last string
	return signCase{
		name: "go-jose",
		sign: func() error {
			var err error
			last, err = josejwt.Signed(signer).Claims(registered).Claims(private).Serialize()
			return err
		},
		last: func() string { return last },
	}
}
