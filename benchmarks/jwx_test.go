package benchmarks

import (
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	jwxjwt "github.com/lestrrat-go/jwx/v3/jwt"
)

// github.com/lestrrat-go/jwx/v3, as its README uses it: jwt.Parse with
// jwt.WithKey pinning the algorithm (validation of exp, iat, nbf is on by
// default) plus issuer and audience options; jwt.Sign of a jwt.Token built
// with jwt.NewBuilder. Keys are imported into jwk.Key once.

func jwxAlgorithm(tb testing.TB, alg string) jwa.SignatureAlgorithm {
	switch alg {
	case "HS256":
		return jwa.HS256()
	case "RS256":
		return jwa.RS256()
	case "PS256":
		return jwa.PS256()
	case "ES256":
		return jwa.ES256()
	case "ES384":
		return jwa.ES384()
	case "ES512":
		return jwa.ES512()
	case "EdDSA":
		return jwa.EdDSA()
	}
	tb.Fatalf("jwx: no algorithm %s", alg)
	panic("unreachable")
}

func jwxKey(tb testing.TB, raw any) jwk.Key {
	k, err := jwk.Import(raw)
	if err != nil {
		tb.Fatalf("jwx: importing %T: %v", raw, err)
	}
	return k
}

func jwxVerifier(tb testing.TB, f *fixture) verifyCase {
	opts := []jwxjwt.ParseOption{
		jwxjwt.WithKey(jwxAlgorithm(tb, f.alg), jwxKey(tb, f.verifyingKey())),
		jwxjwt.WithIssuer(claimIss),
		jwxjwt.WithAudience(claimAud),
	}
	return verifyCase{
		name: "jwx", checksClaims: true, checksAudience: true,
		verify: func(_ string, tokb []byte) error {
			_, err := jwxjwt.Parse(tokb, opts...)
			return err
		},
	}
}

func jwxSigner(tb testing.TB, f *fixture) signCase {
	opt := jwxjwt.WithKey(jwxAlgorithm(tb, f.alg), jwxKey(tb, f.signingKey()))
	tok, err := jwxjwt.NewBuilder().
		Issuer(claimIss).
		Subject(claimSub).
		Audience([]string{claimAud}).
		Expiration(f.now.exp).
		IssuedAt(f.now.iat).
		JwtID(claimJTI).
		Claim("name", claimName).
		Claim("admin", claimAdmin).
		Build()
	if err != nil {
		tb.Fatalf("jwx: building token: %v", err)
	}
	var last []byte
	return signCase{
		name: "jwx",
		sign: func() error {
			var err error
			last, err = jwxjwt.Sign(tok, opt)
			return err
		},
		last: func() string { return string(last) },
	}
}

// jwxDecoder parses as the jwx row does and returns jwx's token, which
// holds the private claims in a map: jwx's one path, counted among the map
// rows.
func jwxDecoder(tb testing.TB, k *keys) decodeFunc {
	opts := []jwxjwt.ParseOption{
		jwxjwt.WithKey(jwxAlgorithm(tb, k.alg), jwxKey(tb, k.verifyingKey())),
		jwxjwt.WithIssuer(claimIss),
		jwxjwt.WithAudience(claimAud),
	}
	return func(_ string, tokb []byte) (any, error) {
		t, err := jwxjwt.Parse(tokb, opts...)
		if err != nil {
			return nil, err
		}
		return t, nil
	}
}

// jwxKeySetVerifier parses with jwt.WithKeySet of a jwk.Set whose keys
// carry their kid and alg.
func jwxKeySetVerifier(tb testing.TB, set []kidKey) verifyCase {
	s := jwk.NewSet()
	for _, k := range set {
		key := jwxKey(tb, k.verifyingKey())
		if err := key.Set(jwk.KeyIDKey, k.kid); err != nil {
			tb.Fatal(err)
		}
		if err := key.Set(jwk.AlgorithmKey, jwxAlgorithm(tb, k.alg)); err != nil {
			tb.Fatal(err)
		}
		if err := s.AddKey(key); err != nil {
			tb.Fatal(err)
		}
	}
	opts := []jwxjwt.ParseOption{
		jwxjwt.WithKeySet(s),
		jwxjwt.WithIssuer(claimIss),
		jwxjwt.WithAudience(claimAud),
	}
	return verifyCase{
		name: "jwx", checksClaims: true, checksAudience: true,
		verify: func(_ string, tokb []byte) error {
			_, err := jwxjwt.Parse(tokb, opts...)
			return err
		},
	}
}

// jwxJWKSetParser parses with jwk.Parse.
func jwxJWKSetParser(tb testing.TB) parseCase {
	return parseCase{
		name: "jwx",
		parse: func(data []byte) (any, error) {
			set, err := jwk.Parse(data)
			if err != nil {
				return nil, err
			}
			return set, nil
		},
		keys: func(set any) int { return set.(jwk.Set).Len() },
		verify: func(set any, tok string) error {
			_, err := jwxjwt.Parse([]byte(tok),
				jwxjwt.WithKeySet(set.(jwk.Set)),
				jwxjwt.WithIssuer(claimIss),
				jwxjwt.WithAudience(claimAud))
			return err
		},
	}
}
