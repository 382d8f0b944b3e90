package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/clientauth"
	"github.com/jwtkit/jwt/jwks"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// machine is the machine client of the run: its ID, and the key it signs
// assertions with, whose public part is in the clients file.
type machine struct {
	id     string
	signer jwt.Signer
}

// writeClients writes the clients file of --clients, with one client, into
// dir, and returns the client and the file's path.
func writeClients(t *testing.T, dir string) (machine, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	s, err := jwt.ES256.NewSigner(key)
	require.NoError(t, err)
	k, err := jwt.NewJWK(key.Public())
	require.NoError(t, err)
	k.Algorithm, k.KeyID = "ES256", "worker-1"
	set, err := jwks.Set{Keys: []*jwt.JWK{k}}.MarshalJSON()
	require.NoError(t, err)
	path := filepath.Join(dir, "clients.json")
	file := `{"clients":[{"client_id":"worker","jwks":` + string(set) + `,"scopes":["read","reports"]}]}`
	require.NoError(t, os.WriteFile(path, []byte(file), 0o600))
	return machine{id: "worker", signer: jwt.SignerWithKeyID(s, "worker-1")}, path
}

// testClientCredentials runs the client credentials grant through nginx:
// an access token for the machine client that verifies at /api/me, and
// its assertion refused when replayed at either instance (the jti is in
// Redis).
func testClientCredentials(t *testing.T, c *client, base string, instances []string, m machine) {
	t.Helper()
	a, err := clientauth.NewAssertion(context.Background(), m.signer, m.id, issuer, nil)
	require.NoError(t, err)
	c.seen.add(a)
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"reports"}}
	clientauth.SetForm(form, a)
	r := c.form(base+"/token", form)
	require.Equal(t, 200, r.status, string(r.body))
	assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
	tok := r.json(t)
	assert.Equal(t, "reports", tok["scope"])
	assert.NotContains(t, tok, "refresh_token")
	me := c.bearer("GET", base+"/api/me", tok["access_token"].(string))
	require.Equal(t, 200, me.status, string(me.body))
	claims := me.json(t)
	assert.Equal(t, m.id, claims["sub"])
	assert.Equal(t, m.id, claims["client_id"])
	for _, inst := range instances {
		assertError(t, c.form(inst+"/token", form), 401, "invalid_client")
	}
	other, err := clientauth.NewAssertion(context.Background(), m.signer, m.id, "https://elsewhere.test/token", nil)
	require.NoError(t, err)
	c.seen.add(other)
	form = url.Values{"grant_type": {"client_credentials"}}
	clientauth.SetForm(form, other)
	assertError(t, c.form(base+"/token", form), 401, "invalid_client")
}
