package jwt_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwt "github.com/jwtkit/jwt"
)

// GenerateKey makes a key of the right kind and size for every algorithm.
func TestGenerateKey(t *testing.T) {
	for _, alg := range jwt.Algorithms() {
		t.Run(alg.Name(), func(t *testing.T) {
			switch alg {
			case jwt.RS384, jwt.RS512, jwt.PS384, jwt.PS512:
				if testing.Short() {
					t.Skip("large RSA keys are slow to generate")
				}
			}
			gen, err := jwt.GenerateKey(alg)
			require.NoError(t, err)
			assert.Equal(t, alg.Name(), gen.Algorithm, "the key is bound to alg")
			assert.Empty(t, gen.KeyID)
			key := gen.Key
			switch k := key.(type) {
			case []byte:
				want := map[string]int{"HS256": 32, "HS384": 48, "HS512": 64}[alg.Name()]
				assert.Len(t, k, want)
				other, err := jwt.GenerateKey(alg)
				require.NoError(t, err)
				assert.NotEqual(t, k, other.Key)
			case *rsa.PrivateKey:
				want := map[string]int{"256": 2048, "384": 3072, "512": 4096}[alg.Name()[2:]]
				assert.Equal(t, want, k.N.BitLen())
			case *ecdsa.PrivateKey:
				want := map[string]string{"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}[alg.Name()]
				assert.Equal(t, want, k.Curve.Params().Name)
			case ed25519.PrivateKey:
				assert.Contains(t, []jwt.Algorithm{jwt.EdDSA, jwt.Ed25519}, alg)
			default:
				checkGeneratedMLDSAKey(t, alg, key)
			}
			s, err := alg.NewSigner(key)
			require.NoError(t, err)
			input := []byte("e30.e30")
			sig, err := s.Sign(context.Background(), input)
			require.NoError(t, err)
			v, err := gen.Verifier(nil)
			require.NoError(t, err)
			require.NoError(t, v.Verify(input, sig))
		})
	}
}

type keysCustomAlg struct{ jwt.Algorithm }

func (keysCustomAlg) Name() string { return "custom" }

func TestGenerateKeyUnsupported(t *testing.T) {
	for _, alg := range []jwt.Algorithm{nil, keysCustomAlg{}, jwt.HMACAlgorithm(1), jwt.ECDSAAlgorithm(7), jwt.RSAAlgorithm(1), jwt.EdDSAAlgorithm(448)} {
		key, err := jwt.GenerateKey(alg)
		assert.Nil(t, key)
		assert.ErrorIs(t, err, jwt.ErrUnsupportedAlgorithm)
	}
}
