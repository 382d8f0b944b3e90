package jwt_test

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/fips140"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwt "github.com/jwtkit/jwt"
)

type keysEqualer interface{ Equal(crypto.PrivateKey) bool }

// keysPrivateKeys returns one fresh private key of each supported kind.
func keysPrivateKeys(t *testing.T) map[string]crypto.Signer {
	t.Helper()
	out := make(map[string]crypto.Signer)
	for name, alg := range map[string]jwt.Algorithm{"RSA": jwt.RS256, "P-256": jwt.ES256, "P-384": jwt.ES384, "P-521": jwt.ES512, "Ed25519": jwt.EdDSA} {
		k, err := jwt.GenerateKey(alg)
		require.NoError(t, err)
		out[name] = k.Key.(crypto.Signer)
	}
	return out
}

func keysPEM(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// PEM -> key -> PEM round trips for every key type, private and public.
func TestPEMRoundTrip(t *testing.T) {
	for name, key := range keysPrivateKeys(t) {
		t.Run(name, func(t *testing.T) {
			privPEM, err := jwt.EncodePrivateKeyPEM(key)
			require.NoError(t, err)
			loaded, err := jwt.ParsePrivateKeyPEM(privPEM)
			require.NoError(t, err)
			assert.True(t, loaded.(keysEqualer).Equal(key))
			again, err := jwt.EncodePrivateKeyPEM(loaded)
			require.NoError(t, err)
			assert.Equal(t, string(privPEM), string(again))

			pubPEM, err := jwt.EncodePublicKeyPEM(key.Public())
			require.NoError(t, err)
			fromPriv, err := jwt.EncodePublicKeyPEM(key)
			require.NoError(t, err)
			assert.Equal(t, string(pubPEM), string(fromPriv), "a private key encodes its public half")
			pub, err := jwt.ParsePublicKeyPEM(pubPEM)
			require.NoError(t, err)
			assert.True(t, key.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(pub))
			pubAgain, err := jwt.EncodePublicKeyPEM(pub)
			require.NoError(t, err)
			assert.Equal(t, string(pubPEM), string(pubAgain))

			// A loaded key works with the JWK and algorithm machinery.
			k, err := jwt.NewJWK(loaded)
			require.NoError(t, err)
			assert.True(t, k.IsPrivate())
		})
	}
}

// Keys in the older openssl formats: PKCS #1 and SEC 1.
func TestPEMLegacyFormats(t *testing.T) {
	keys := keysPrivateKeys(t)
	rsaKey := keys["RSA"].(*rsa.PrivateKey)
	ecKey := keys["P-256"].(*ecdsa.PrivateKey)

	t.Run("PKCS1 private", func(t *testing.T) {
		k, err := jwt.ParsePrivateKeyPEM(keysPEM("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey)))
		require.NoError(t, err)
		assert.True(t, rsaKey.Equal(k))
	})
	t.Run("PKCS1 public", func(t *testing.T) {
		k, err := jwt.ParsePublicKeyPEM(keysPEM("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&rsaKey.PublicKey)))
		require.NoError(t, err)
		assert.True(t, rsaKey.PublicKey.Equal(k))
	})
	t.Run("SEC1", func(t *testing.T) {
		der, err := x509.MarshalECPrivateKey(ecKey)
		require.NoError(t, err)
		k, err := jwt.ParsePrivateKeyPEM(keysPEM("EC PRIVATE KEY", der))
		require.NoError(t, err)
		assert.True(t, ecKey.Equal(k))
	})
	t.Run("SEC1 after EC PARAMETERS", func(t *testing.T) {
		// openssl ecparam -genkey -name prime256v1 writes this.
		der, err := x509.MarshalECPrivateKey(ecKey)
		require.NoError(t, err)
		params := []byte{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}
		data := append(keysPEM("EC PARAMETERS", params), keysPEM("EC PRIVATE KEY", der)...)
		k, err := jwt.ParsePrivateKeyPEM(data)
		require.NoError(t, err)
		assert.True(t, ecKey.Equal(k))
	})
	t.Run("text before the block", func(t *testing.T) {
		data := append([]byte("Subject: test\n"), keysPEM("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey))...)
		_, err := jwt.ParsePrivateKeyPEM(data)
		require.NoError(t, err)
	})
}

func keysSelfSigned(t *testing.T, key crypto.Signer) []byte {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "jwtkit test"},
		NotBefore:    time.Unix(1700000000, 0),
		NotAfter:     time.Unix(1800000000, 0),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	require.NoError(t, err)
	return der
}

// The public key of an X.509 certificate, or of the first of a chain.
func TestPEMCertificate(t *testing.T) {
	keys := keysPrivateKeys(t)
	for name, key := range keys {
		t.Run(name, func(t *testing.T) {
			der := keysSelfSigned(t, key)
			pub, err := jwt.ParsePublicKeyPEM(keysPEM("CERTIFICATE", der))
			require.NoError(t, err)
			assert.True(t, key.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(pub))
			// A chain: the first certificate holds the key.
			chain := append(keysPEM("CERTIFICATE", der), keysPEM("CERTIFICATE", keysSelfSigned(t, keys["P-256"]))...)
			pub, err = jwt.ParsePublicKeyPEM(chain)
			require.NoError(t, err)
			assert.True(t, key.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(pub))
			// A certificate after a public key is not a chain.
			pkix, err := jwt.EncodePublicKeyPEM(key)
			require.NoError(t, err)
			_, err = jwt.ParsePublicKeyPEM(append(pkix, keysPEM("CERTIFICATE", der)...))
			assert.ErrorContains(t, err, "several PEM blocks")
			_, err = jwt.ParsePrivateKeyPEM(keysPEM("CERTIFICATE", der))
			assert.ErrorContains(t, err, "no private key")
		})
	}

	key, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	require.NoError(t, err)
	_, err = jwt.ParsePublicKeyPEM(keysPEM("CERTIFICATE", keysSelfSigned(t, key)))
	assert.ErrorIs(t, err, jwt.ErrUnsupportedKeyType)

	_, err = jwt.ParsePublicKeyPEM(keysPEM("CERTIFICATE", []byte{0x30, 0x03, 0x02, 0x01, 0x01}))
	assert.ErrorIs(t, err, jwt.ErrInvalidKey)
}

// Bad PEM input gives clear errors.
func TestPEMErrors(t *testing.T) {
	keys := keysPrivateKeys(t)
	pkcs8, err := jwt.EncodePrivateKeyPEM(keys["P-256"])
	require.NoError(t, err)
	pub, err := jwt.EncodePublicKeyPEM(keys["P-256"])
	require.NoError(t, err)
	block, _ := pem.Decode(pkcs8)

	// A key FIPS 140-only mode does not generate; that it is refused is
	// tested in the mode the test runs in.
	var small *rsa.PrivateKey
	fips140.WithoutEnforcement(func() { small, err = rsa.GenerateKey(rand.Reader, 1024) })
	require.NoError(t, err)
	smallDER, err := x509.MarshalPKCS8PrivateKey(small)
	require.NoError(t, err)
	p224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	require.NoError(t, err)
	p224DER, err := x509.MarshalPKCS8PrivateKey(p224)
	require.NoError(t, err)
	var x25519 *ecdh.PrivateKey
	fips140.WithoutEnforcement(func() { x25519, err = ecdh.X25519().GenerateKey(rand.Reader) })
	require.NoError(t, err)
	x25519DER, err := x509.MarshalPKCS8PrivateKey(x25519)
	require.NoError(t, err)

	for _, tc := range []struct {
		name    string
		private bool
		data    []byte
		is      error
		message string
	}{
		{name: "empty", private: true, data: nil, message: "no PEM block"},
		{name: "DER, not PEM", private: true, data: block.Bytes, message: "no PEM block"},
		{name: "encrypted PKCS8", private: true, data: keysPEM("ENCRYPTED PRIVATE KEY", block.Bytes), is: jwt.ErrEncryptedPEM},
		{name: "legacy encrypted", private: true, data: pem.EncodeToMemory(&pem.Block{
			Type: "RSA PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00"}, Bytes: []byte{1}}), is: jwt.ErrEncryptedPEM},
		{name: "two keys", private: true, data: append(append([]byte(nil), pkcs8...), pkcs8...), message: "several PEM blocks"},
		{name: "key then certificate", private: true, data: append(append([]byte(nil), pkcs8...), keysPEM("CERTIFICATE", []byte{1})...), message: "several PEM blocks"},
		{name: "trailing junk", private: true, data: append(append([]byte(nil), pkcs8...), "junk"...), message: "data after"},
		{name: "public key as private", private: true, data: pub, message: "no private key"},
		{name: "unknown type", private: true, data: keysPEM("OPENSSH PRIVATE KEY", []byte{1}), message: `"OPENSSH PRIVATE KEY" is not a private key`},
		{name: "garbage DER", private: true, data: keysPEM("PRIVATE KEY", []byte{1, 2, 3}), message: "PEM \"PRIVATE KEY\""},
		{name: "PKCS1 label on PKCS8", private: true, data: keysPEM("RSA PRIVATE KEY", block.Bytes), message: "RSA PRIVATE KEY"},
		{name: "small RSA", private: true, data: keysPEM("PRIVATE KEY", smallDER), message: "1024 bits"},
		{name: "P-224", private: true, data: keysPEM("PRIVATE KEY", p224DER), is: jwt.ErrUnsupportedKeyType},
		{name: "X25519", private: true, data: keysPEM("PRIVATE KEY", x25519DER), is: jwt.ErrUnsupportedKeyType},
		{name: "EC PARAMETERS alone", private: true, data: keysPEM("EC PARAMETERS", []byte{1}), message: "without a key"},
		{name: "private key as public", data: pkcs8, message: "is a private key"},
		{name: "two public keys", data: append(append([]byte(nil), pub...), pub...), message: "several PEM blocks"},
		{name: "unknown public type", data: keysPEM("SSH2 PUBLIC KEY", []byte{1}), message: "is not a public key"},
		{name: "no block", data: []byte("ssh-ed25519 AAAA"), message: "no PEM block"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.private {
				var k crypto.Signer
				k, err = jwt.ParsePrivateKeyPEM(tc.data)
				assert.Nil(t, k)
			} else {
				var k crypto.PublicKey
				k, err = jwt.ParsePublicKeyPEM(tc.data)
				assert.Nil(t, k)
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, jwt.ErrInvalidKey)
			if tc.is != nil && !(tc.name == "X25519" && fips140.Enforced()) {
				// In FIPS 140-only mode crypto/x509 refuses X25519
				// first: ErrInvalidKey, with its cause.
				assert.ErrorIs(t, err, tc.is)
			}
			if tc.message != "" {
				assert.ErrorContains(t, err, tc.message)
			}
		})
	}

	_, err = jwt.ParsePublicKeyPEM(pkcs8)
	assert.ErrorContains(t, err, "is a private key")
	_, err = jwt.EncodePrivateKeyPEM([]byte("secret"))
	assert.ErrorIs(t, err, jwt.ErrInvalidKey)
	_, err = jwt.EncodePrivateKeyPEM(keys["RSA"].Public())
	assert.ErrorIs(t, err, jwt.ErrInvalidKey)
	_, err = jwt.EncodePublicKeyPEM([]byte("secret"))
	assert.ErrorIs(t, err, jwt.ErrInvalidKey)
	_, err = jwt.EncodePublicKeyPEM(ed25519.PublicKey{1, 2})
	assert.ErrorIs(t, err, jwt.ErrInvalidKey)
	_, err = jwt.EncodePublicKeyPEM(&p224.PublicKey)
	assert.ErrorIs(t, err, jwt.ErrUnsupportedKeyType)
}
