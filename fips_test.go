package jwt

import (
	"crypto/fips140"
	"crypto/rand"
	"crypto/rsa"
	"testing"

	"github.com/stretchr/testify/require"
)

// unapprovedRSAKey generates an RSA key of a size FIPS 140-only mode does
// not generate (under 2048 bits), for the tests that check it is refused.
// Only its generation goes around the mode: what the package does with it
// is tested in the mode the test runs in.
func unapprovedRSAKey(t *testing.T, bits int) *rsa.PrivateKey {
	t.Helper()
	var k *rsa.PrivateKey
	var err error
	fips140.WithoutEnforcement(func() { k, err = rsa.GenerateKey(rand.Reader, bits) })
	require.NoError(t, err)
	return k
}
