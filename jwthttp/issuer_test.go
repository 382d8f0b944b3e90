package jwthttp_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwthttp"
)

// twoIssuers is a jwt.IssuerResolver over one key set per issuer.
type twoIssuers map[string]*jwt.KeySet

type boundKeys struct {
	*jwt.KeySet
	iss string
}

func (b boundKeys) Issuer() string { return b.iss }

func (r twoIssuers) Lookup(context.Context, jwt.Header) ([]jwt.Verifier, error) {
	return nil, jwt.ErrKeyNotFound
}

func (r twoIssuers) KeySourceFor(_ context.Context, iss string) (jwt.IssuerKeySource, error) {
	ks, ok := r[iss]
	if !ok {
		return nil, jwt.ErrKeyNotFound
	}
	return boundKeys{ks, iss}, nil
}

func TestIssuerInContext(t *testing.T) {
	const a, b = "https://a.example", "https://b.example"
	signers := map[string]jwt.Signer{}
	r := twoIssuers{}
	for _, iss := range []string{a, b} {
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		require.NoError(t, err)
		s, err := jwt.EdDSA.NewSigner(priv)
		require.NoError(t, err)
		v, err := jwt.EdDSA.NewVerifier(pub)
		require.NoError(t, err)
		signers[iss] = s
		r[iss], err = jwt.NewKeySet(v)
		require.NoError(t, err)
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		iss, ok := jwthttp.Issuer(req.Context())
		if !ok {
			iss = "(none)"
		}
		io.WriteString(w, iss)
	})
	serve := func(keys jwt.KeySource, opts jwt.VerifyOptions) *httptest.Server {
		mw, err := jwthttp.New[jwt.RegisteredClaims](keys, &jwthttp.Options{Verify: opts})
		require.NoError(t, err)
		srv := httptest.NewServer(mw(handler))
		t.Cleanup(srv.Close)
		return srv
	}
	get := func(srv *httptest.Server, tok string) (int, string) {
		req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(body)
	}
	mint := func(signer, iss string) string {
		tok, err := jwt.Sign(context.Background(), signers[signer], jwt.RegisteredClaims{
			Issuer: iss, Subject: "u", Audience: []string{testAud}, ExpiresAt: jwt.NewNumericDate(testNow.Add(600e9)),
		}, nil)
		require.NoError(t, err)
		return tok
	}
	srv := serve(r, jwt.VerifyOptions{Audience: []string{testAud}, Now: nowFunc})
	for _, iss := range []string{a, b} {
		status, body := get(srv, mint(iss, iss))
		assert.Equal(t, http.StatusOK, status)
		assert.Equal(t, iss, body)
	}
	status, _ := get(srv, mint(a, b))
	assert.Equal(t, http.StatusUnauthorized, status, "a's key, b's iss")
	status, _ = get(srv, mint(a, "https://c.example"))
	assert.Equal(t, http.StatusUnauthorized, status, "an issuer not served")

	// A key source that binds no issuer: the handler is told so.
	plain := serve(r[a], jwt.VerifyOptions{Audience: []string{testAud}, Now: nowFunc})
	status, body := get(plain, mint(a, a))
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "(none)", body)

	// An RFC 9068 profile may take its issuer from the resolver.
	_, err := jwthttp.New[jwt.RegisteredClaims](r, &jwthttp.Options{Verify: jwthttp.AccessTokenOptions("", testAud)})
	require.NoError(t, err)
	_, err = jwthttp.New[jwt.RegisteredClaims](r, &jwthttp.Options{Verify: jwt.VerifyOptions{Issuer: a}})
	assert.ErrorIs(t, err, jwt.ErrInvalidOption)
}

func TestIDTokenRefused(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	s, err := jwt.EdDSA.NewSigner(priv)
	require.NoError(t, err)
	v, err := jwt.EdDSA.NewVerifier(pub)
	require.NoError(t, err)
	mw, err := jwthttp.New[jwt.RegisteredClaims](v, &jwthttp.Options{Verify: func() jwt.VerifyOptions {
		o := jwthttp.ProviderOptions(testIssuer, testAud)
		o.Now = nowFunc
		return o
	}()})
	require.NoError(t, err)
	srv := httptest.NewServer(mw(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })))
	defer srv.Close()
	status := func(extra map[string]any, typ string) int {
		claims := map[string]any{"iss": testIssuer, "sub": "u", "aud": testAud, "exp": testNow.Add(time.Hour).Unix(), "iat": testNow.Unix()}
		for k, v := range extra {
			claims[k] = v
		}
		tok, err := jwt.Sign(context.Background(), s, claims, &jwt.SignOptions{Type: typ})
		require.NoError(t, err)
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusOK, status(nil, "JWT"))
	assert.Equal(t, http.StatusOK, status(map[string]any{"nonce": "n", "azp": "client"}, "JWT"), "Keycloak's access tokens carry nonce and azp")
	assert.Equal(t, http.StatusUnauthorized, status(map[string]any{"at_hash": "77QmUPtjPfzWtF2AnpK9RQ", "nonce": "n"}, "JWT"), "an ID token")
	assert.Equal(t, http.StatusUnauthorized, status(map[string]any{"c_hash": "LDktKdoQak3Pk0cnXxCltA"}, ""), "an ID token")
}
