package benchmarks

import (
	"errors"
	"testing"

	gjwt "github.com/golang-jwt/jwt/v5"
)

// github.com/golang-jwt/jwt/v5, as its README and package examples use it: a
// Parser built once with the method pinned, ParseWithClaims into a struct
// embedding RegisteredClaims, and NewWithClaims + SignedString to sign.

type golangJWTClaims struct {
	gjwt.RegisteredClaims
	Name  string `json:"name"`
	Admin bool   `json:"admin"`
}

func golangJWTVerifier(tb testing.TB, f *fixture) verifyCase {
	key := f.verifyingKey()
	keyFunc := func(*gjwt.Token) (any, error) { return key, nil }
	parser := gjwt.NewParser(
		gjwt.WithValidMethods([]string{f.alg}),
		gjwt.WithIssuer(claimIss),
		gjwt.WithAudience(claimAud),
	)
	return verifyCase{
		name: "golang-jwt", checksClaims: true, checksAudience: true,
		verify: func(tok string, _ []byte) error {
			_, err := parser.ParseWithClaims(tok, &golangJWTClaims{}, keyFunc)
			return err
		},
	}
}

func golangJWTSigner(tb testing.TB, f *fixture) signCase {
	method := gjwt.GetSigningMethod(f.alg)
	if method == nil {
		tb.Fatalf("golang-jwt: no method %s", f.alg)
	}
	key := f.signingKey()
	claims := &golangJWTClaims{
		RegisteredClaims: gjwt.RegisteredClaims{
			Issuer:    claimIss,
			Subject:   claimSub,
			Audience:  gjwt.ClaimStrings{claimAud},
			ExpiresAt: gjwt.NewNumericDate(f.now.exp),
			IssuedAt:  gjwt.NewNumericDate(f.now.iat),
			ID:        claimJTI,
		},
		Name:  claimName,
		Admin: claimAdmin,
	}
	var last string
	return signCase{
		name: "golang-jwt",
		sign: func() error {
			var err error
			last, err = gjwt.NewWithClaims(method, claims).SignedString(key)
			return err
		},
		last: func() string { return last },
	}
}

// golangJWTParser returns the Parser and Keyfunc of the golang-jwt rows.
func golangJWTParser(k *keys) (*gjwt.Parser, gjwt.Keyfunc) {
	key := k.verifyingKey()
	return gjwt.NewParser(
		gjwt.WithValidMethods([]string{k.alg}),
		gjwt.WithIssuer(claimIss),
		gjwt.WithAudience(claimAud),
	), func(*gjwt.Token) (any, error) { return key, nil }
}

// golangJWTMapDecoder parses into gjwt.MapClaims, golang-jwt's map.
func golangJWTMapDecoder(tb testing.TB, k *keys) decodeFunc {
	parser, keyFunc := golangJWTParser(k)
	return func(tok string, _ []byte) (any, error) {
		c := gjwt.MapClaims{}
		if _, err := parser.ParseWithClaims(tok, c, keyFunc); err != nil {
			return nil, err
		}
		return c, nil
	}
}

// golangJWTStructDecoder parses into G, a struct embedding
// gjwt.RegisteredClaims and the private claims P.
func golangJWTStructDecoder[G, P any, PG interface {
	*G
	gjwt.Claims
	private() *P
}](tb testing.TB, k *keys) decodeFunc {
	parser, keyFunc := golangJWTParser(k)
	return func(tok string, _ []byte) (any, error) {
		c := PG(new(G))
		if _, err := parser.ParseWithClaims(tok, c, keyFunc); err != nil {
			return nil, err
		}
		return c.private(), nil
	}
}

var errGolangJWTKid = errors.New("golang-jwt: unknown kid")

// golangJWTKeySetVerifier parses with a Keyfunc that picks the key by the
// header's kid, golang-jwt's mechanism for several keys.
func golangJWTKeySetVerifier(tb testing.TB, set []kidKey) verifyCase {
	byKid := make(map[string]any, len(set))
	for _, k := range set {
		byKid[k.kid] = k.verifyingKey()
	}
	keyFunc := func(t *gjwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if key, ok := byKid[kid]; ok {
			return key, nil
		}
		return nil, errGolangJWTKid
	}
	parser := gjwt.NewParser(
		gjwt.WithValidMethods([]string{set[0].alg}),
		gjwt.WithIssuer(claimIss),
		gjwt.WithAudience(claimAud),
	)
	return verifyCase{
		name: "golang-jwt", checksClaims: true, checksAudience: true,
		verify: func(tok string, _ []byte) error {
			_, err := parser.ParseWithClaims(tok, &golangJWTClaims{}, keyFunc)
			return err
		},
	}
}
