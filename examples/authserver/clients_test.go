package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/clientauth"
	"github.com/jwtkit/jwt/jwks"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// machineClient is a client's signing key and its public JWK Set.
type machineClient struct {
	id     string
	signer jwt.Signer
	set    []byte
}

func newMachineClient(t *testing.T, id string) machineClient {
	t.Helper()
	k, err := jwt.GenerateKey(jwt.ES256)
	require.NoError(t, err)
	k.KeyID = id + "-key"
	s, err := k.Signer(jwt.ES256)
	require.NoError(t, err)
	set, err := jwks.Set{Keys: []*jwt.JWK{k.Public()}}.MarshalJSON()
	require.NoError(t, err)
	return machineClient{id: id, signer: jwt.SignerWithKeyID(s, k.KeyID), set: set}
}

// assertion signs claims over a valid assertion's, a nil value removing
// the claim.
func (c machineClient) assertion(t *testing.T, aud any, claims map[string]any) string {
	t.Helper()
	now := time.Now()
	base := map[string]any{"iss": c.id, "sub": c.id, "aud": aud, "jti": rand.Text(), "iat": now.Unix(), "exp": now.Add(time.Minute).Unix()}
	for k, v := range claims {
		if v == nil {
			delete(base, k)
		} else {
			base[k] = v
		}
	}
	tok, err := jwt.Sign(context.Background(), c.signer, base, nil)
	require.NoError(t, err)
	return tok
}

// clientsConfig returns testConfig with a clients file: inline holds its
// JWK Set in the file, remote at a jwks_uri on a real server.
func clientsConfig(t *testing.T) (*config, machineClient, machineClient) {
	t.Helper()
	inline, remote := newMachineClient(t, "inline-svc"), newMachineClient(t, "remote-svc")
	keys := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(remote.set) }))
	t.Cleanup(keys.Close)
	file := fmt.Sprintf(`{"clients":[
		{"client_id":"inline-svc","jwks":%s,"scopes":["read","write"]},
		{"client_id":"remote-svc","jwks_uri":%q,"scopes":["read"]}]}`, inline.set, keys.URL)
	cfg := testConfig(t)
	cfg.clientsFile = filepath.Join(t.TempDir(), "clients.json")
	require.NoError(t, os.WriteFile(cfg.clientsFile, []byte(file), 0o600))
	return cfg, inline, remote
}

func tokenForm(assertion string, extra ...string) url.Values {
	f := url.Values{"grant_type": {"client_credentials"}}
	clientauth.SetForm(f, assertion)
	for i := 0; i+1 < len(extra); i += 2 {
		f.Set(extra[i], extra[i+1])
	}
	return f
}

func TestClientCredentialsContract(t *testing.T) {
	cfg, inline, remote := clientsConfig(t)
	srv := startService(t, cfg)
	c := &client{t: t, base: srv.URL}

	for _, tc := range []struct {
		name   string
		client machineClient
		aud    any
		scope  string
		want   string
	}{
		{"issuer", inline, cfg.issuer, "", "read write"},
		{"issuer in an array of one", inline, []string{cfg.issuer}, "write", "write"},
		{"token URL", remote, cfg.issuer + "/token", "", "read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.form("/token", tokenForm(tc.client.assertion(t, tc.aud, nil), "scope", tc.scope))
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
			var body map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(r.body, &body))
			assert.ElementsMatch(t, []string{"access_token", "token_type", "expires_in", "scope"}, keysOf(body))
			m := r.json(t)
			assert.Equal(t, "Bearer", m["token_type"])
			assert.EqualValues(t, 300, m["expires_in"])
			assert.Equal(t, tc.want, m["scope"])
			me := c.bearer("GET", "/api/me", m["access_token"].(string))
			require.Equal(t, http.StatusOK, me.status, string(me.body))
			claims := me.json(t)
			assert.Equal(t, tc.client.id, claims["sub"])
			assert.Equal(t, tc.client.id, claims["client_id"])
			assert.Equal(t, cfg.audience, claims["aud"])
			assert.Equal(t, tc.want, claims["scope"])
		})
	}

	replayed := inline.assertion(t, cfg.issuer, nil)
	require.Equal(t, http.StatusOK, c.form("/token", tokenForm(replayed)).status)
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		code   string
	}{
		{"replayed", tokenForm(replayed), 401, "invalid_client"},
		{"unknown client", tokenForm(newMachineClient(t, "nobody").assertion(t, cfg.issuer, nil)), 401, "invalid_client"},
		{"another client's key", tokenForm(machineClient{id: remote.id, signer: inline.signer}.assertion(t, cfg.issuer, nil)), 401, "invalid_client"},
		{"another audience", tokenForm(inline.assertion(t, "https://other.test", nil)), 401, "invalid_client"},
		{"the request's Host", tokenForm(inline.assertion(t, srv.URL+"/token", nil)), 401, "invalid_client"},
		{"two audiences", tokenForm(inline.assertion(t, []string{cfg.issuer, cfg.issuer + "/token"}, nil)), 401, "invalid_client"},
		{"no exp", tokenForm(inline.assertion(t, cfg.issuer, map[string]any{"exp": nil})), 401, "invalid_client"},
		{"no jti", tokenForm(inline.assertion(t, cfg.issuer, map[string]any{"jti": nil})), 401, "invalid_client"},
		{"expired", tokenForm(inline.assertion(t, cfg.issuer, map[string]any{"exp": time.Now().Add(-time.Minute).Unix()})), 401, "invalid_client"},
		{"longer than 5 minutes", tokenForm(inline.assertion(t, cfg.issuer, map[string]any{"exp": time.Now().Add(6 * time.Minute).Unix()})), 401, "invalid_client"},
		{"scope the client lacks", tokenForm(remote.assertion(t, cfg.issuer, nil), "scope", "write"), 400, "invalid_scope"},
		{"another grant", tokenForm(inline.assertion(t, cfg.issuer, nil), "grant_type", "authorization_code"), 400, "unsupported_grant_type"},
		{"no assertion", url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}}, 400, "invalid_request"},
		{"no grant_type", url.Values{"client_assertion": {"x"}}, 400, "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.form("/token", tc.form)
			assert.Equal(t, tc.status, r.status, string(r.body))
			assert.Equal(t, tc.code, r.json(t)["error"])
		})
	}
}

func keysOf(m map[string]json.RawMessage) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestClientCredentialsExternalURL(t *testing.T) {
	cfg, inline, _ := clientsConfig(t)
	cfg.externalURL = "https://gateway.test"
	srv := startService(t, cfg)
	c := &client{t: t, base: srv.URL}
	r := c.form("/token", tokenForm(inline.assertion(t, "https://gateway.test/token", nil)))
	assert.Equal(t, http.StatusOK, r.status, string(r.body))
	r = c.form("/token", tokenForm(inline.assertion(t, cfg.issuer+"/token", nil)))
	assert.Equal(t, http.StatusUnauthorized, r.status, "the issuer's /token when --external-url names another")
	r = c.form("/token", tokenForm(inline.assertion(t, cfg.issuer, nil)))
	assert.Equal(t, http.StatusOK, r.status, string(r.body))
}

func TestLoadClients(t *testing.T) {
	inline := newMachineClient(t, "a")
	priv, err := jwt.GenerateKey(jwt.ES256)
	require.NoError(t, err)
	privSet, err := (&jwks.Set{Keys: []*jwt.JWK{priv}}).MarshalPrivateJSON()
	require.NoError(t, err)
	for name, file := range map[string]string{
		"unknown member":    `{"clients":[{"client_id":"a","jwks":` + string(inline.set) + `,"secret":"x"}]}`,
		"no client_id":      `{"clients":[{"jwks":` + string(inline.set) + `}]}`,
		"twice":             `{"clients":[{"client_id":"a","jwks":` + string(inline.set) + `},{"client_id":"a","jwks":` + string(inline.set) + `}]}`,
		"both key kinds":    `{"clients":[{"client_id":"a","jwks":` + string(inline.set) + `,"jwks_uri":"https://a.test/keys"}]}`,
		"no keys":           `{"clients":[{"client_id":"a"}]}`,
		"private keys":      `{"clients":[{"client_id":"a","jwks":` + string(privSet) + `}]}`,
		"plain http":        `{"clients":[{"client_id":"a","jwks_uri":"http://keys.test/a"}]}`,
		"bad scope":         `{"clients":[{"client_id":"a","jwks":` + string(inline.set) + `,"scopes":["a b"]}]}`,
		"not JSON":          `clients`,
		"trailing document": `{"clients":[]} {}`,
	} {
		path := filepath.Join(t.TempDir(), "clients.json")
		require.NoError(t, os.WriteFile(path, []byte(file), 0o600))
		_, _, err := loadClients(path)
		assert.Error(t, err, name)
	}
	assert.True(t, strings.HasSuffix(assertionAudiences(&config{issuer: "https://i.test/"})[1], "i.test/token"))
}
