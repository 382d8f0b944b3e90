package redisstore_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/clientauth"
	"github.com/jwtkit/jwt/redisstore"
	"github.com/jwtkit/jwt/session"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTwoInstancesClientAssertion runs two instances of a token endpoint
// for the client credentials grant, each with its own connection to Redis
// and the store as the replay cache of its assertion verifier: an assertion
// accepted by one is refused by both.
func TestTwoInstancesClientAssertion(t *testing.T) {
	signer, verifier := newTestKeys(t)
	sa, prefix := newStore(t, newClient(t))
	sb, err := redisstore.New(newClient(t), &redisstore.Options{Prefix: prefix})
	require.NoError(t, err)
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	cs, err := jwt.EdDSA.NewSigner(priv)
	require.NoError(t, err)
	cv, err := jwt.EdDSA.NewVerifier(pub)
	require.NoError(t, err)
	const issuer = "https://auth.example"
	var instances [2]*httptest.Server
	for i, s := range []*redisstore.Store{sa, sb} {
		m := newManager(t, s, signer, verifier)
		v, err := clientauth.NewVerifier(&clientauth.Options{
			Audience: []string{issuer}, ReplayCache: s,
			Clients: []clientauth.Client{{ID: "svc", Keys: cv, Scopes: []string{"read"}}},
		})
		require.NoError(t, err)
		instances[i] = httptest.NewServer(m.ClientCredentialsHandler(v.AuthenticateClient, nil))
		t.Cleanup(instances[i].Close)
	}
	a, err := clientauth.NewAssertion(context.Background(), cs, "svc", issuer, nil)
	require.NoError(t, err)
	form := url.Values{"grant_type": {"client_credentials"}}
	clientauth.SetForm(form, a)
	resp, err := http.PostForm(instances[0].URL, form)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	for _, srv := range instances {
		resp, err := http.PostForm(srv.URL, form)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "an assertion replayed at another instance")
	}
	var _ session.ReplayCache = sa
}
