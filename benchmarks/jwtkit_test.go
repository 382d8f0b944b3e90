package benchmarks

import (
	"context"
	"errors"
	"testing"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwks"
)

// jwtkitClaims is the custom claims struct of the jwtkit/struct row.
type jwtkitClaims struct {
	jwt.RegisteredClaims
	Name  string `json:"name"`
	Admin bool   `json:"admin"`
}

// signingKey and verifyingKey return the keys in the form every library
// here takes: the secret, or the private or public key of crypto/*.
func (k *keys) signingKey() any {
	switch {
	case k.secret != nil:
		return k.secret
	case k.rsaPriv != nil:
		return k.rsaPriv
	case k.ecPriv != nil:
		return k.ecPriv
	case k.pq != nil:
		return k.pq
	default:
		return k.edPriv
	}
}

func (k *keys) verifyingKey() any {
	switch {
	case k.secret != nil:
		return k.secret
	case k.rsaPriv != nil:
		return k.rsaPub()
	case k.ecPriv != nil:
		return k.ecPub()
	case k.pq != nil:
		return k.pq.Public()
	default:
		return k.edPub()
	}
}

func jwtkitAlgorithm(tb testing.TB, name string) jwt.Algorithm {
	tb.Helper()
	a, err := jwt.AlgorithmByName(name)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

func jwtkitVerifiers(tb testing.TB, f *fixture) []verifyCase {
	v, err := jwtkitAlgorithm(tb, f.alg).NewVerifier(f.verifyingKey())
	if err != nil {
		tb.Fatalf("jwtkit %s: %v", f.alg, err)
	}
	opts := &jwt.VerifyOptions{Issuer: claimIss, Audience: []string{claimAud}}
	return []verifyCase{
		{
			name: "jwtkit/registered", checksClaims: true, checksAudience: true,
			verify: func(tok string, _ []byte) error {
				_, err := jwt.Verify[jwt.RegisteredClaims](context.Background(), tok, v, opts)
				return err
			},
		},
		{
			name: "jwtkit/struct", checksClaims: true, checksAudience: true,
			verify: func(tok string, _ []byte) error {
				_, err := jwt.Verify[jwtkitClaims](context.Background(), tok, v, opts)
				return err
			},
		},
		{
			name: "jwtkit/map", checksClaims: true, checksAudience: true,
			verify: func(tok string, _ []byte) error {
				_, err := jwt.Verify[map[string]any](context.Background(), tok, v, opts)
				return err
			},
		},
	}
}

func jwtkitSigner(tb testing.TB, f *fixture) signCase {
	s, err := jwtkitAlgorithm(tb, f.alg).NewSigner(f.signingKey())
	if err != nil {
		tb.Fatalf("jwtkit %s: %v", f.alg, err)
	}
	claims := &jwtkitClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    claimIss,
			Subject:   claimSub,
			Audience:  jwt.Audience{claimAud},
			ExpiresAt: jwt.NewNumericDate(f.now.exp),
			IssuedAt:  jwt.NewNumericDate(f.now.iat),
			ID:        claimJTI,
		},
		Name:  claimName,
		Admin: claimAdmin,
	}
	var last string
	return signCase{
		name: "jwtkit",
		sign: func() error {
			var err error
			last, err = jwt.Sign(context.Background(), s, claims, nil)
			return err
		},
		last: func() string { return last },
	}
}

// jwtkitVerifier returns the jwtkit Verifier of k's algorithm and key.
func jwtkitVerifier(tb testing.TB, k *keys) jwt.Verifier {
	tb.Helper()
	v, err := jwtkitAlgorithm(tb, k.alg).NewVerifier(k.verifyingKey())
	if err != nil {
		tb.Fatalf("jwtkit %s: %v", k.alg, err)
	}
	return v
}

// jwtkitMapDecoder verifies into map[string]any, with tokens of up to
// maxSize bytes.
func jwtkitMapDecoder(tb testing.TB, k *keys, maxSize int) decodeFunc {
	v := jwtkitVerifier(tb, k)
	opts := &jwt.VerifyOptions{Issuer: claimIss, Audience: []string{claimAud}, MaxSize: maxSize}
	return func(tok string, _ []byte) (any, error) {
		t, err := jwt.Verify[map[string]any](context.Background(), tok, v, opts)
		if err != nil {
			return nil, err
		}
		return t.Claims, nil
	}
}

// jwtkitStructDecoder verifies into Kit, a struct embedding
// jwt.RegisteredClaims and the private claims P, with tokens of up to
// maxSize bytes.
func jwtkitStructDecoder[Kit, P any, PKit interface {
	*Kit
	private() *P
}](tb testing.TB, k *keys, maxSize int) decodeFunc {
	v := jwtkitVerifier(tb, k)
	opts := &jwt.VerifyOptions{Issuer: claimIss, Audience: []string{claimAud}, MaxSize: maxSize}
	return func(tok string, _ []byte) (any, error) {
		t, err := jwt.Verify[Kit](context.Background(), tok, v, opts)
		if err != nil {
			return nil, err
		}
		return PKit(&t.Claims).private(), nil
	}
}

// jwtkitPlainSigner signs rawClaims, a plain struct that does not embed
// jwt.RegisteredClaims, as the raw row does.
func jwtkitPlainSigner(tb testing.TB, f *fixture) signCase {
	s, err := jwtkitAlgorithm(tb, f.alg).NewSigner(f.signingKey())
	if err != nil {
		tb.Fatalf("jwtkit %s: %v", f.alg, err)
	}
	claims := f.rawClaims()
	var last string
	return signCase{
		name: "jwtkit/plain",
		sign: func() error {
			var err error
			last, err = jwt.Sign(context.Background(), s, &claims, nil)
			return err
		},
		last: func() string { return last },
	}
}

// jwtkitKeySetVerifier verifies with jwt.NewKeySet of the keys, each
// carrying its kid, into jwt.RegisteredClaims.
func jwtkitKeySetVerifier(tb testing.TB, set []kidKey) verifyCase {
	vs := make([]jwt.Verifier, len(set))
	for i, k := range set {
		vs[i] = jwt.VerifierWithKeyID(jwtkitVerifier(tb, k.keys), k.kid)
	}
	ks, err := jwt.NewKeySet(vs...)
	if err != nil {
		tb.Fatalf("jwtkit key set: %v", err)
	}
	return jwtkitRegisteredVerifier("jwtkit", ks)
}

// jwtkitKidVerifier verifies with the Verifier of k carrying its kid, used
// as the key source on its own.
func jwtkitKidVerifier(tb testing.TB, k kidKey) verifyCase {
	return jwtkitRegisteredVerifier("jwtkit/verifier", jwt.VerifierWithKeyID(jwtkitVerifier(tb, k.keys), k.kid))
}

func jwtkitRegisteredVerifier(name string, keys jwt.KeySource) verifyCase {
	opts := &jwt.VerifyOptions{Issuer: claimIss, Audience: []string{claimAud}}
	return verifyCase{
		name: name, checksClaims: true, checksAudience: true,
		verify: func(tok string, _ []byte) error {
			_, err := jwt.Verify[jwt.RegisteredClaims](context.Background(), tok, keys, opts)
			return err
		},
	}
}

// jwtkitJWKSetParser parses with jwks.Parse; a skipped key is
// an error here, since every key of the benchmark's set is usable.
func jwtkitJWKSetParser() parseCase {
	return parseCase{
		name: "jwtkit",
		parse: func(data []byte) (any, error) {
			set, skipped, err := jwks.Parse(data, nil)
			if err != nil {
				return nil, err
			}
			if len(skipped) > 0 {
				return nil, skipped[0]
			}
			return set, nil
		},
		keys:   func(set any) int { return len(set.(*jwks.Set).Keys) },
		verify: jwtkitVerifyWithJWKSet,
	}
}

// jwtkitJWKSetKeySetParser parses with jwks.Parse and makes the
// jwt.KeySet that Verify takes: the whole way from the set's bytes to keys
// ready to verify.
func jwtkitJWKSetKeySetParser() parseCase {
	return parseCase{
		name: "jwtkit/keyset",
		parse: func(data []byte) (any, error) {
			set, skipped, err := jwks.Parse(data, nil)
			if err != nil {
				return nil, err
			}
			ks, skippedKeys, err := set.KeySet()
			if err != nil {
				return nil, err
			}
			if len(skipped) > 0 || len(skippedKeys) > 0 {
				return nil, errors.Join(append(skipped, skippedKeys...)...)
			}
			return jwtkitParsedKeySet{set, ks}, nil
		},
		keys: func(set any) int { return len(set.(jwtkitParsedKeySet).set.Keys) },
		verify: func(set any, tok string) error {
			opts := &jwt.VerifyOptions{Issuer: claimIss, Audience: []string{claimAud}}
			_, err := jwt.Verify[jwt.RegisteredClaims](context.Background(), tok, set.(jwtkitParsedKeySet).ks, opts)
			return err
		},
	}
}

type jwtkitParsedKeySet struct {
	set *jwks.Set
	ks  *jwt.KeySet
}

func jwtkitVerifyWithJWKSet(set any, tok string) error {
	ks, _, err := set.(*jwks.Set).KeySet()
	if err != nil {
		return err
	}
	opts := &jwt.VerifyOptions{Issuer: claimIss, Audience: []string{claimAud}}
	_, err = jwt.Verify[jwt.RegisteredClaims](context.Background(), tok, ks, opts)
	return err
}
