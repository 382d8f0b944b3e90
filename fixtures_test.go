package jwt

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtkit/jwt/internal/testkit"
	"github.com/stretchr/testify/require"
)

// testKeys holds one key per algorithm family, made once per test binary
// (the asymmetric ones by internal/testkit).
type testKeys struct {
	hmac  map[HMACAlgorithm][]byte
	rsa   *rsa.PrivateKey
	ec    map[ECDSAAlgorithm]*ecdsa.PrivateKey
	ed    ed25519.PrivateKey
	other *rsa.PrivateKey // a second RSA key, for wrong-key tests
}

var keysOnce = sync.OnceValue(func() *testKeys {
	k := &testKeys{hmac: map[HMACAlgorithm][]byte{}, ec: map[ECDSAAlgorithm]*ecdsa.PrivateKey{}}
	for _, a := range []HMACAlgorithm{HS256, HS384, HS512} {
		k.hmac[a] = make([]byte, a.hash().Size())
		rand.Read(k.hmac[a])
	}
	k.rsa, k.other = testkit.RSAKey(0), testkit.RSAKey(1)
	for _, a := range []ECDSAAlgorithm{ES256, ES384, ES512} {
		k.ec[a] = testkit.ECKey(a.curve())
	}
	k.ed = testkit.Ed25519Key()
	return k
})

// keyPair returns the signing and verifying keys for alg.
func keyPair(t testing.TB, alg Algorithm) (priv, pub any) {
	t.Helper()
	k := keysOnce()
	switch a := alg.(type) {
	case HMACAlgorithm:
		return k.hmac[a], k.hmac[a]
	case RSAAlgorithm, RSAPSSAlgorithm:
		return k.rsa, &k.rsa.PublicKey
	case ECDSAAlgorithm:
		return k.ec[a], &k.ec[a].PublicKey
	case EdDSAAlgorithm:
		return k.ed, k.ed.Public()
	}
	if priv, pub, ok := mldsaKeyPair(alg); ok {
		return priv, pub
	}
	t.Fatalf("no key for %v", alg)
	return nil, nil
}

func signerVerifier(t testing.TB, alg Algorithm) (Signer, Verifier) {
	t.Helper()
	priv, pub := keyPair(t, alg)
	s, err := alg.NewSigner(priv)
	require.NoError(t, err)
	v, err := alg.NewVerifier(pub)
	require.NoError(t, err)
	return s, v
}

var testNow = time.Unix(1_800_000_000, 0)

func fixedClock() time.Time { return testNow }

func validClaims() RegisteredClaims {
	return RegisteredClaims{
		Issuer:    "https://issuer.example",
		Subject:   "user-1",
		Audience:  Audience{"api"},
		ExpiresAt: NewNumericDate(testNow.Add(time.Hour)),
		IssuedAt:  NewNumericDate(testNow),
		ID:        "id-1",
	}
}

func defaultOpts() *VerifyOptions {
	return &VerifyOptions{Now: fixedClock, Audience: []string{"api"}, Issuer: "https://issuer.example"}
}

// hs256 returns an HS256 signer and verifier over a fixed secret.
func hs256(t testing.TB) (Signer, Verifier) {
	t.Helper()
	return signerVerifier(t, HS256)
}

// rawToken builds an HS256-signed token from literal header and payload
// JSON, for inputs Sign would never write.
func rawToken(t testing.TB, header, payload string) string {
	t.Helper()
	s, _ := hs256(t)
	input := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString([]byte(payload))
	sig, err := s.Sign(context.Background(), []byte(input))
	require.NoError(t, err)
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

const okHeader = `{"alg":"HS256","typ":"JWT"}`

func okPayload() string {
	return fmt.Sprintf(`{"iss":"https://issuer.example","aud":"api","exp":%d}`, testNow.Unix()+60)
}

func (noneSigner) Algorithm() string { return "none" }
func (noneSigner) Sign(context.Context, []byte) ([]byte, error) {
	return nil, nil
}

type failSigner struct{}

func (failSigner) Algorithm() string { return "XS1" }
func (failSigner) Sign(context.Context, []byte) ([]byte, error) {
	return nil, errors.New("kms down")
}

func mustSigner(t testing.TB, alg Algorithm, key ...any) Signer {
	t.Helper()
	var k any
	if len(key) > 0 {
		k = key[0]
	} else {
		k, _ = keyPair(t, alg)
		if alg == HS384 {
			k = []byte(strings.Repeat("q", 48))
		}
	}
	s, err := alg.NewSigner(k)
	require.NoError(t, err)
	return s
}

// offCurveKey is a key that callers can still build by hand: the point
// (1, 1) is not on P-256.
func offCurveKey() *ecdsa.PublicKey {
	//lint:ignore SA1019 building an invalid key the old way is the point of the test
	return &ecdsa.PublicKey{Curve: elliptic.P256(), X: big.NewInt(1), Y: big.NewInt(1)}
}

// bg is the context of calls whose context does not matter to the test.
var bg = context.Background()

// jwsOpts returns the options of o that VerifyJWS has.
func jwsOpts(o *VerifyOptions) *VerifyJWSOptions {
	if o == nil {
		return nil
	}
	return &VerifyJWSOptions{Type: o.Type, Critical: o.Critical, MaxSize: o.MaxSize}
}

// changeSignature returns tok with the last two characters of its signature
// changed: to "AA", or to "BA" if they were "AA" already, so that the
// result always differs from tok (a random key's signature ends in "AA"
// about once in a thousand).
func changeSignature(tok string) string {
	if strings.HasSuffix(tok, "AA") {
		return tok[:len(tok)-2] + "BA"
	}
	return tok[:len(tok)-2] + "AA"
}
