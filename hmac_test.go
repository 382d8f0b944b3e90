package jwt

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keyForms returns a key in every form keys are kept in, by name, as a
// deployment might pass one as an HMAC secret by mistake.
func keyForms(t *testing.T) map[string][]byte {
	t.Helper()
	k := keysOnce()
	ec := k.ec[ES256]
	pemOf := func(typ string, der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}) }
	pkixDER, err := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	require.NoError(t, err)
	pkcs8DER, err := x509.MarshalPKCS8PrivateKey(ec)
	require.NoError(t, err)
	sec1DER, err := x509.MarshalECPrivateKey(ec)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "issuer"}, NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<32, 0)}
	certDER, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &ec.PublicKey, ec)
	require.NoError(t, err)
	jwk, err := NewJWK(&ec.PublicKey)
	require.NoError(t, err)
	jwkJSON, err := json.Marshal(jwk)
	require.NoError(t, err)
	oct, err := NewJWK(make([]byte, 64))
	require.NoError(t, err)
	octJSON, err := oct.MarshalPrivateJSON()
	require.NoError(t, err)
	// An OpenSSH public key line: "ssh-ed25519 " and the wire form.
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	wire := binary.BigEndian.AppendUint32(nil, 11)
	wire = append(wire, "ssh-ed25519"...)
	wire = binary.BigEndian.AppendUint32(wire, 32)
	wire = append(wire, edPub...)
	return map[string][]byte{
		"PEM public key":              pemOf("PUBLIC KEY", pkixDER),
		"PEM private key":             pemOf("PRIVATE KEY", pkcs8DER),
		"PEM RSA public key":          pemOf("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&k.rsa.PublicKey)),
		"PEM certificate":             pemOf("CERTIFICATE", certDER),
		"PEM after a UTF-8 BOM":       append([]byte("\xef\xbb\xbf"), pemOf("PUBLIC KEY", pkixDER)...),
		"DER public key":              pkixDER,
		"DER PKCS #8 private key":     pkcs8DER,
		"DER SEC 1 private key":       sec1DER,
		"DER PKCS #1 public key":      x509.MarshalPKCS1PublicKey(&k.rsa.PublicKey),
		"DER PKCS #1 private key":     x509.MarshalPKCS1PrivateKey(k.rsa),
		"DER certificate":             certDER,
		"JWK":                         jwkJSON,
		"JWK of an oct key":           octJSON,
		"JWK after whitespace":        append([]byte("\n  "), jwkJSON...),
		"JWK Set":                     []byte(`{"keys":[` + string(jwkJSON) + `]}`),
		"OpenSSH public key line":     []byte("ssh-ed25519 " + base64.StdEncoding.EncodeToString(wire) + " alice@example\n"),
		"OpenSSH private key, binary": append([]byte("openssh-key-v1\x00"), make([]byte, 64)...),
	}
}

// TestHMACSecretIsKey is the finding of issue 21 item 12: HS256.NewVerifier
// took a PEM public key as a secret, which anybody holding the public key
// shares. Every HMAC algorithm now refuses, for signing and for verifying,
// a secret that is a key in any of the forms keys are kept in, the way the
// jwt command's --secret-file does (one mechanism, internal/keyform).
func TestHMACSecretIsKey(t *testing.T) {
	for name, secret := range keyForms(t) {
		t.Run(name, func(t *testing.T) {
			for _, alg := range []HMACAlgorithm{HS256, HS384, HS512} {
				_, err := alg.NewVerifier(secret)
				assert.ErrorIs(t, err, ErrSecretIsKey, alg.Name())
				assert.ErrorIs(t, err, ErrInvalidKey, alg.Name())
				_, err = alg.NewSigner(secret)
				assert.ErrorIs(t, err, ErrSecretIsKey, alg.Name())
				if err != nil {
					// The message names the form, never bytes of it.
					assert.Contains(t, err.Error(), "jwt: invalid key: HMAC secret is a key of another kind: the "+alg.Name()+" secret is ")
					assert.NotContains(t, err.Error(), string(secret[len(secret)/2:len(secret)/2+8]))
				}
			}
			// The same bytes in an "oct" JWK meet the same check.
			oct, err := NewJWK(secret)
			require.NoError(t, err)
			_, err = oct.Verifier(HS256)
			assert.ErrorIs(t, err, ErrSecretIsKey)
		})
	}
}

// TestHMACSecretsNeverRefused is the other side of the class of issue 21
// item 12: a secret of random bytes is never taken for a key, including
// random bytes that start as the forms do (a DER SEQUENCE with a length
// that spans the secret, a JSON object, an OpenSSH key type) or nearly so.
func TestHMACSecretsNeverRefused(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 2000
	}
	prefixes := [][]byte{nil, {0x30, 30}, {0x30, 62}, {0x30, 0x81, 61}, []byte("{"), []byte(`{"kty":`), []byte("ssh-ed25519 "), []byte("-----BEGIN_"), []byte("openssh-key-v2")}
	for i := range n {
		size := 64 + i%65 // 64 to 128 bytes: every HMAC algorithm's size
		secret := make([]byte, size)
		rand.Read(secret)
		p := prefixes[i%len(prefixes)]
		copy(secret, p)
		if p != nil && p[0] == 0x30 {
			// The SEQUENCE's length spans the secret exactly.
			secret = secret[:len(p)+int(p[len(p)-1])]
		}
		for _, alg := range []HMACAlgorithm{HS256, HS384, HS512} {
			if len(secret) < alg.hash().Size() {
				continue
			}
			if _, err := alg.NewVerifier(secret); err != nil {
				t.Fatalf("%s refused a random secret %x: %v", alg.Name(), secret, err)
			}
		}
	}
	// Text secrets as people write them are not keys either.
	for _, s := range []string{
		strings.Repeat("correct horse battery staple ", 3),
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		`{"secret":"a JSON object, but not a key, of more than 32 bytes"}`,
		"ssh is not a prefix here, this is a secret of 64 bytes and more..",
	} {
		_, err := HS256.NewVerifier([]byte(s))
		assert.NoError(t, err, s)
	}
}
