package interop

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwt "github.com/jwtkit/jwt"
)

// keyPair is the key material of one algorithm: private signs, public
// verifies. For HMAC both are the same []byte.
type keyPair struct {
	alg     string
	kid     string
	private any // []byte, *rsa.PrivateKey, *ecdsa.PrivateKey or ed25519.PrivateKey
	public  any // []byte, *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey
}

var (
	keysOnce  sync.Once
	keysByAlg map[string]*keyPair
	keysErr   error
)

// testKeys returns one key pair per algorithm, made once per test run: a
// single RSA-2048 key serves RS* and PS*, since the machine is small.
func testKeys(t *testing.T) map[string]*keyPair {
	t.Helper()
	keysOnce.Do(func() { keysByAlg, keysErr = generateKeys() })
	if keysErr != nil {
		t.Fatalf("generating keys: %v", keysErr)
	}
	return keysByAlg
}

func generateKeys() (map[string]*keyPair, error) {
	keys := make(map[string]*keyPair)
	add := func(alg string, private, public any) {
		keys[alg] = &keyPair{alg: alg, kid: "interop-" + strings.ToLower(alg), private: private, public: public}
	}
	for alg, size := range map[string]int{"HS256": 32, "HS384": 48, "HS512": 64} {
		secret := make([]byte, size) // the shortest secret RFC 7518 §3.2 allows
		if _, err := rand.Read(secret); err != nil {
			return nil, err
		}
		add(alg, secret, secret)
	}
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	for _, alg := range []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"} {
		add(alg, rk, &rk.PublicKey)
	}
	for alg, curve := range map[string]elliptic.Curve{"ES256": elliptic.P256(), "ES384": elliptic.P384(), "ES512": elliptic.P521()} {
		ek, err := ecdsa.GenerateKey(curve, rand.Reader)
		if err != nil {
			return nil, err
		}
		add(alg, ek, &ek.PublicKey)
	}
	// EdDSA and Ed25519 (RFC 9864) are one algorithm under two names; each
	// gets its own key, as a key is bound to one name.
	for _, alg := range []string{"EdDSA", "Ed25519"} {
		epub, epriv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		add(alg, epriv, epub)
	}
	return keys, nil
}

// JWKs for the Node peer, built here rather than with the library's own
// JWK code, so that a bug there cannot hide a bug in the key exchange.

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func b64Int(n *big.Int) string { return b64(n.Bytes()) }

// toJWK returns the JWK (RFC 7517, RFC 7518 §6, RFC 8037) of key: a private
// JWK for a private key, a public one for a public key, an "oct" JWK for an
// HMAC secret.
func toJWK(key any) (map[string]string, error) {
	switch k := key.(type) {
	case []byte:
		return map[string]string{"kty": "oct", "k": b64(k)}, nil
	case *rsa.PublicKey:
		return map[string]string{"kty": "RSA", "n": b64Int(k.N), "e": b64Int(big.NewInt(int64(k.E)))}, nil
	case *rsa.PrivateKey:
		if len(k.Primes) != 2 {
			return nil, fmt.Errorf("RSA key with %d primes", len(k.Primes))
		}
		k.Precompute()
		m, _ := toJWK(&k.PublicKey)
		m["d"] = b64Int(k.D)
		m["p"] = b64Int(k.Primes[0])
		m["q"] = b64Int(k.Primes[1])
		m["dp"] = b64Int(k.Precomputed.Dp)
		m["dq"] = b64Int(k.Precomputed.Dq)
		m["qi"] = b64Int(k.Precomputed.Qinv)
		return m, nil
	case *ecdsa.PublicKey:
		point, err := k.Bytes() // 0x04 || X || Y, each padded to the field size
		if err != nil {
			return nil, err
		}
		size := (len(point) - 1) / 2
		return map[string]string{
			"kty": "EC", "crv": k.Curve.Params().Name,
			"x": b64(point[1 : 1+size]), "y": b64(point[1+size:]),
		}, nil
	case *ecdsa.PrivateKey:
		d, err := k.Bytes() // padded to the order size, as RFC 7518 §6.2.2.1 requires
		if err != nil {
			return nil, err
		}
		m, err := toJWK(&k.PublicKey)
		if err != nil {
			return nil, err
		}
		m["d"] = b64(d)
		return m, nil
	case ed25519.PublicKey:
		return map[string]string{"kty": "OKP", "crv": "Ed25519", "x": b64(k)}, nil
	case ed25519.PrivateKey:
		m, _ := toJWK(k.Public())
		m["d"] = b64(k.Seed())
		return m, nil
	}
	return nil, fmt.Errorf("no JWK for %T", key)
}

// TestJWKExchange checks the JWKs this test hands to the Node peer against
// the library's own JWK code, both ways: jwt.NewJWK writes the same
// members, and jwt.ParseJWK reads them back to the same key.
func TestJWKExchange(t *testing.T) {
	keys := testKeys(t)
	for _, a := range jwt.Algorithms() {
		if _, ok := a.(jwt.MLDSAAlgorithm); ok {
			continue // TestMLDSAInterop exchanges AKP JWKs
		}
		alg, k := a.Name(), keys[a.Name()]
		for _, kind := range []string{"private", "public"} {
			key := k.private
			if kind == "public" {
				if _, ok := key.([]byte); ok {
					continue // a secret has no public form
				}
				key = k.public
			}
			t.Run(alg+"/"+kind, func(t *testing.T) {
				want, err := toJWK(key)
				require.NoError(t, err)

				lib, err := jwt.NewJWK(key)
				require.NoError(t, err)
				b, err := lib.MarshalPrivateJSON()
				require.NoError(t, err)
				var got map[string]string
				require.NoError(t, json.Unmarshal(b, &got), "%s", b)
				assert.Equal(t, want, got, "members written by jwt.NewJWK")

				b, err = json.Marshal(want)
				require.NoError(t, err)
				parsed, err := jwt.ParseJWK(b)
				require.NoError(t, err, "jwt.ParseJWK")
				switch key := key.(type) {
				case []byte:
					assert.Equal(t, key, parsed.Key, "secret read by jwt.ParseJWK")
				case interface{ Equal(crypto.PrivateKey) bool }:
					assert.True(t, key.Equal(parsed.Key), "private key read by jwt.ParseJWK")
				case interface{ Equal(crypto.PublicKey) bool }:
					assert.True(t, key.Equal(parsed.Key), "public key read by jwt.ParseJWK")
				default:
					t.Fatalf("no Equal on %T", key)
				}
			})
		}
	}
}
