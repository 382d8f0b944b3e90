package interop

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	josejwt "github.com/go-jose/go-jose/v4/jwt"
	gjwt "github.com/golang-jwt/jwt/v5"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	jwxjwt "github.com/lestrrat-go/jwx/v3/jwt"
)

// Each Go peer is used as its documentation shows, with the algorithm
// pinned on verification and the issuer and audience required. All three
// implement the 13 algorithms of RFC 7518 and RFC 8037; jwx also has
// "Ed25519" (RFC 9864), which golang-jwt and go-jose lack.

// github.com/golang-jwt/jwt/v5

type golangJWTClaims struct {
	gjwt.RegisteredClaims
	custom
}

func golangJWTPeer() peer {
	return peer{
		name:  "golang-jwt",
		lacks: map[string]string{"Ed25519": "v5 signs and verifies Ed25519 keys only as alg EdDSA"},
		sign: func(t *testing.T, k *keyPair, c claims) (string, error) {
			method := gjwt.GetSigningMethod(k.alg)
			if method == nil {
				return "", fmt.Errorf("golang-jwt has no method %s", k.alg)
			}
			tok := gjwt.NewWithClaims(method, &golangJWTClaims{
				RegisteredClaims: gjwt.RegisteredClaims{
					Issuer:    c.Issuer,
					Subject:   c.Subject,
					Audience:  gjwt.ClaimStrings(c.Audience),
					ExpiresAt: gjwt.NewNumericDate(time.Unix(c.ExpiresAt, 0)),
					NotBefore: gjwt.NewNumericDate(time.Unix(c.NotBefore, 0)),
					IssuedAt:  gjwt.NewNumericDate(time.Unix(c.IssuedAt, 0)),
					ID:        c.ID,
				},
				custom: c.custom,
			})
			tok.Header["kid"] = k.kid
			return tok.SignedString(k.private)
		},
		verify: func(t *testing.T, k *keyPair, token string, want claims) (claims, error) {
			parser := gjwt.NewParser(
				gjwt.WithValidMethods([]string{k.alg}),
				gjwt.WithIssuer(want.Issuer),
				gjwt.WithAudience(want.Audience[0]),
				gjwt.WithExpirationRequired(),
				gjwt.WithIssuedAt(),
			)
			var c golangJWTClaims
			if _, err := parser.ParseWithClaims(token, &c, func(*gjwt.Token) (any, error) { return k.public, nil }); err != nil {
				return claims{}, err
			}
			rc := c.RegisteredClaims
			return claims{
				Issuer:    rc.Issuer,
				Subject:   rc.Subject,
				Audience:  audience(rc.Audience),
				ExpiresAt: gjwtUnix(rc.ExpiresAt),
				NotBefore: gjwtUnix(rc.NotBefore),
				IssuedAt:  gjwtUnix(rc.IssuedAt),
				ID:        rc.ID,
				custom:    c.custom,
			}, nil
		},
	}
}

func gjwtUnix(d *gjwt.NumericDate) int64 {
	if d == nil {
		return 0
	}
	return d.Unix()
}

// github.com/go-jose/go-jose/v4

func goJosePeer() peer {
	return peer{
		name:  "go-jose",
		lacks: map[string]string{"Ed25519": "v4 signs and verifies Ed25519 keys only as alg EdDSA"},
		sign: func(t *testing.T, k *keyPair, c claims) (string, error) {
			signer, err := jose.NewSigner(
				jose.SigningKey{Algorithm: jose.SignatureAlgorithm(k.alg), Key: k.private},
				(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", k.kid),
			)
			if err != nil {
				return "", err
			}
			return josejwt.Signed(signer).Claims(josejwt.Claims{
				Issuer:    c.Issuer,
				Subject:   c.Subject,
				Audience:  josejwt.Audience(c.Audience),
				Expiry:    josejwt.NewNumericDate(time.Unix(c.ExpiresAt, 0)),
				NotBefore: josejwt.NewNumericDate(time.Unix(c.NotBefore, 0)),
				IssuedAt:  josejwt.NewNumericDate(time.Unix(c.IssuedAt, 0)),
				ID:        c.ID,
			}).Claims(c.custom).Serialize()
		},
		verify: func(t *testing.T, k *keyPair, token string, want claims) (claims, error) {
			tok, err := josejwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(k.alg)})
			if err != nil {
				return claims{}, err
			}
			var rc josejwt.Claims
			var priv custom
			if err := tok.Claims(k.public, &rc, &priv); err != nil {
				return claims{}, err
			}
			if err := rc.ValidateWithLeeway(josejwt.Expected{
				Issuer:      want.Issuer,
				AnyAudience: josejwt.Audience{want.Audience[0]},
				Time:        time.Now(),
			}, 0); err != nil {
				return claims{}, err
			}
			if rc.Expiry == nil {
				return claims{}, fmt.Errorf("go-jose: no exp")
			}
			return claims{
				Issuer:    rc.Issuer,
				Subject:   rc.Subject,
				Audience:  audience(rc.Audience),
				ExpiresAt: joseUnix(rc.Expiry),
				NotBefore: joseUnix(rc.NotBefore),
				IssuedAt:  joseUnix(rc.IssuedAt),
				ID:        rc.ID,
				custom:    priv,
			}, nil
		},
	}
}

func joseUnix(d *josejwt.NumericDate) int64 {
	if d == nil {
		return 0
	}
	return d.Time().Unix()
}

// github.com/lestrrat-go/jwx/v3

func jwxPeer() peer {
	return peer{
		name:  "jwx",
		lacks: map[string]string{},
		sign: func(t *testing.T, k *keyPair, c claims) (string, error) {
			alg, ok := jwa.LookupSignatureAlgorithm(k.alg)
			if !ok {
				return "", fmt.Errorf("jwx has no algorithm %s", k.alg)
			}
			key, err := jwk.Import(k.private)
			if err != nil {
				return "", err
			}
			if err := key.Set(jwk.KeyIDKey, k.kid); err != nil {
				return "", err
			}
			tok, err := jwxjwt.NewBuilder().
				Issuer(c.Issuer).
				Subject(c.Subject).
				Audience(c.Audience).
				Expiration(time.Unix(c.ExpiresAt, 0)).
				NotBefore(time.Unix(c.NotBefore, 0)).
				IssuedAt(time.Unix(c.IssuedAt, 0)).
				JwtID(c.ID).
				Claim("name", c.Name).
				Claim("admin", c.Admin).
				Claim("roles", c.Roles).
				Claim("level", c.Level).
				Claim("org", c.Org).
				Build()
			if err != nil {
				return "", err
			}
			signed, err := jwxjwt.Sign(tok, jwxjwt.WithKey(alg, key))
			return string(signed), err
		},
		verify: func(t *testing.T, k *keyPair, token string, want claims) (claims, error) {
			alg, ok := jwa.LookupSignatureAlgorithm(k.alg)
			if !ok {
				return claims{}, fmt.Errorf("jwx has no algorithm %s", k.alg)
			}
			key, err := jwk.Import(k.public)
			if err != nil {
				return claims{}, err
			}
			tok, err := jwxjwt.Parse([]byte(token),
				jwxjwt.WithKey(alg, key),
				jwxjwt.WithValidate(true),
				jwxjwt.WithIssuer(want.Issuer),
				jwxjwt.WithAudience(want.Audience[0]),
			)
			if err != nil {
				return claims{}, err
			}
			var c claims
			var missing []string
			need := func(name string, ok bool) {
				if !ok {
					missing = append(missing, name)
				}
			}
			var ok1, ok2, ok3, ok4, ok5, ok6, ok7 bool
			var exp, nbf, iat time.Time
			c.Issuer, ok1 = tok.Issuer()
			c.Subject, ok2 = tok.Subject()
			c.ID, ok3 = tok.JwtID()
			c.Audience, ok4 = tok.Audience()
			exp, ok5 = tok.Expiration()
			nbf, ok6 = tok.NotBefore()
			iat, ok7 = tok.IssuedAt()
			need("iss", ok1)
			need("sub", ok2)
			need("jti", ok3)
			need("aud", ok4)
			need("exp", ok5)
			need("nbf", ok6)
			need("iat", ok7)
			c.ExpiresAt, c.NotBefore, c.IssuedAt = exp.Unix(), nbf.Unix(), iat.Unix()
			// Private claims as jwx decoded them, moved into custom.
			priv := map[string]any{}
			for _, name := range []string{"name", "admin", "roles", "level", "org"} {
				var v any
				if err := tok.Get(name, &v); err != nil {
					missing = append(missing, name)
					continue
				}
				priv[name] = v
			}
			if len(missing) > 0 {
				return claims{}, fmt.Errorf("jwx: claims missing: %v", missing)
			}
			b, err := json.Marshal(priv)
			if err != nil {
				return claims{}, err
			}
			if err := json.Unmarshal(b, &c.custom); err != nil {
				return claims{}, err
			}
			return c, nil
		},
	}
}
