package benchmarks

import (
	"encoding/json"
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

// goJoseParse returns go-jose's verification of the registered claims into
// registered and of all claims into out, as the go-jose rows do.
func goJoseParse(k *keys) func(tok string, out any) error {
	key := k.verifyingKey()
	algs := []jose.SignatureAlgorithm{jose.SignatureAlgorithm(k.alg)}
	expected := josejwt.Expected{Issuer: claimIss, AnyAudience: josejwt.Audience{claimAud}}
	return func(tok string, out any) error {
		t, err := josejwt.ParseSigned(tok, algs)
		if err != nil {
			return err
		}
		var registered josejwt.Claims
		if err := t.Claims(key, &registered, out); err != nil {
			return err
		}
		return registered.Validate(expected)
	}
}

// goJoseMapDecoder decodes the claims into a map[string]any beside
// jwt.Claims, which Validate needs.
func goJoseMapDecoder(tb testing.TB, k *keys) decodeFunc {
	parse := goJoseParse(k)
	return func(tok string, _ []byte) (any, error) {
		var m map[string]any
		if err := parse(tok, &m); err != nil {
			return nil, err
		}
		return m, nil
	}
}

// goJoseStructDecoder decodes the claims into the private claims P beside
// jwt.Claims, as the go-jose row does with its private struct.
func goJoseStructDecoder[P any](tb testing.TB, k *keys) decodeFunc {
	parse := goJoseParse(k)
	return func(tok string, _ []byte) (any, error) {
		p := new(P)
		if err := parse(tok, p); err != nil {
			return nil, err
		}
		return p, nil
	}
}

// goJosePlainSigner signs rawClaims, a plain struct, as the one claims
// value of jwt.Signed.
func goJosePlainSigner(tb testing.TB, f *fixture) signCase {
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.SignatureAlgorithm(f.alg), Key: f.signingKey()},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		tb.Fatalf("go-jose %s: %v", f.alg, err)
	}
	claims := f.rawClaims()
	var last string
	return signCase{
		name: "go-jose/plain",
		sign: func() error {
			var err error
			last, err = josejwt.Signed(signer).Claims(&claims).Serialize()
			return err
		},
		last: func() string { return last },
	}
}

// goJoseKeySetVerifier verifies with a jose.JSONWebKeySet of the keys,
// which go-jose searches by the header's kid.
func goJoseKeySetVerifier(tb testing.TB, set []kidKey) verifyCase {
	var jwks jose.JSONWebKeySet
	for _, k := range set {
		jwks.Keys = append(jwks.Keys, jose.JSONWebKey{Key: k.verifyingKey(), KeyID: k.kid, Algorithm: k.alg, Use: "sig"})
	}
	algs := []jose.SignatureAlgorithm{jose.SignatureAlgorithm(set[0].alg)}
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
			if err := t.Claims(&jwks, &registered, &private); err != nil {
				return err
			}
			return registered.Validate(expected)
		},
	}
}

// goJoseJWKSetParser parses with json.Unmarshal into jose.JSONWebKeySet,
// go-jose's way.
func goJoseJWKSetParser(tb testing.TB) parseCase {
	expected := josejwt.Expected{Issuer: claimIss, AnyAudience: josejwt.Audience{claimAud}}
	return parseCase{
		name: "go-jose",
		parse: func(data []byte) (any, error) {
			var set jose.JSONWebKeySet
			if err := json.Unmarshal(data, &set); err != nil {
				return nil, err
			}
			return &set, nil
		},
		keys: func(set any) int { return len(set.(*jose.JSONWebKeySet).Keys) },
		verify: func(set any, tok string) error {
			t, err := josejwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.ES256})
			if err != nil {
				return err
			}
			var registered josejwt.Claims
			if err := t.Claims(set.(*jose.JSONWebKeySet), &registered); err != nil {
				return err
			}
			return registered.Validate(expected)
		},
	}
}
