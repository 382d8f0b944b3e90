package keyform

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOf(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	pkix, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	require.NoError(t, err)
	sec1, err := x509.MarshalECPrivateKey(k)
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		data string
		want string
	}{
		{name: "PEM", data: "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n", want: "PEM"},
		{name: "PEM after text", data: "key:\n-----BEGIN PUBLIC KEY-----\n", want: "PEM"},
		{name: "PGP armor", data: "-----BEGIN PGP PUBLIC KEY BLOCK-----\n", want: "PEM"},
		{name: "OpenSSH public key", data: "ssh-rsa AAAAB3NzaC1yc2E= bob", want: "an OpenSSH key"},
		{name: "OpenSSH ECDSA public key", data: "ecdsa-sha2-nistp256 AAAAE2Vj", want: "an OpenSSH key"},
		{name: "OpenSSH security key", data: "sk-ssh-ed25519@openssh.com AAAAGnNr", want: "an OpenSSH key"},
		{name: "OpenSSH private key", data: "openssh-key-v1\x00\x00\x00", want: "an OpenSSH key"},
		{name: "DER PKIX", data: string(pkix), want: "DER"},
		{name: "DER SEC 1", data: string(sec1), want: "DER"},
		{name: "JWK", data: `{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}`, want: "a JWK"},
		{name: "JWK Set", data: "\xef\xbb\xbf {\"keys\":[]}", want: "a JWK Set"},
		{name: "DER with a byte after it", data: string(pkix) + "\x00"},
		{name: "DER-shaped SEQUENCE", data: "\x30\x03\x01\x01\xff"},
		{name: "JSON without kty", data: `{"k":"secret"}`},
		{name: "invalid JSON with kty", data: `{"kty":"oct",}`},
		{name: "invalid value after kty", data: `{"kty":"oct","k":[1,],"x":1}`},
		{name: "duplicate members", data: `{"kty":"oct","kty":"RSA"}`},
		{name: "ssh without a key", data: "ssh-rsa is a secret"},
		{name: "empty", data: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Of([]byte(tc.data)))
		})
	}
}
