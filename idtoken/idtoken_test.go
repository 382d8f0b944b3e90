package idtoken_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/idtoken"
)

const (
	issuer   = "https://op.example"
	clientID = "rp-1"
	nonce    = "n-0S6_WzA2Mj"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

type provider struct {
	signer jwt.Signer
	keys   *jwt.KeySet
}

func newProvider(t testing.TB) provider {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	s, err := jwt.EdDSA.NewSigner(priv)
	require.NoError(t, err)
	v, err := jwt.EdDSA.NewVerifier(pub)
	require.NoError(t, err)
	ks, err := jwt.NewKeySet(v)
	require.NoError(t, err)
	return provider{s, ks}
}

// idToken signs a valid ID token's claims, changed by edit (a nil value
// removes the claim), with header typ typ.
func (p provider) idToken(t testing.TB, edit map[string]any, typ string) string {
	t.Helper()
	c := map[string]any{
		"iss": issuer, "sub": "user-1", "aud": clientID, "nonce": nonce,
		"iat": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix(), "auth_time": now.Add(-2 * time.Minute).Unix(),
	}
	for k, v := range edit {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	var so *jwt.SignOptions
	if typ != "" {
		so = &jwt.SignOptions{Type: typ}
	}
	tok, err := jwt.Sign(context.Background(), p.signer, c, so)
	require.NoError(t, err)
	return tok
}

func opts(edit func(*idtoken.Options)) *idtoken.Options {
	o := &idtoken.Options{ClientID: clientID, Issuer: issuer, Nonce: nonce, Now: clock}
	if edit != nil {
		edit(o)
	}
	return o
}

func TestHalfHashVectors(t *testing.T) {
	data, err := os.ReadFile("testdata/oidc-core-hashes.json")
	require.NoError(t, err)
	var file struct {
		Vectors []struct{ Name, Alg, Value, Hash string }
	}
	require.NoError(t, json.Unmarshal(data, &file))
	require.NotEmpty(t, file.Vectors)
	for _, v := range file.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			got, err := idtoken.HalfHash(v.Alg, v.Value)
			require.NoError(t, err)
			assert.Equal(t, v.Hash, got)
		})
	}
	t.Logf("%d OpenID Connect Core hash vectors", len(file.Vectors))
	_, err = idtoken.HalfHash("none", "x")
	assert.ErrorIs(t, err, jwt.ErrUnsupportedAlgorithm)
	_, err = idtoken.HalfHash("XS256", "x")
	assert.ErrorIs(t, err, jwt.ErrUnsupportedAlgorithm)
}

func TestVerify(t *testing.T) {
	p := newProvider(t)
	ctx := context.Background()
	tok, err := idtoken.Verify(ctx, p.idToken(t, nil, ""), p.keys, opts(nil))
	require.NoError(t, err)
	assert.Equal(t, "user-1", tok.Claims.Subject)
	assert.Equal(t, nonce, tok.Claims.Nonce)

	at, code := "access-token-value", "authorization-code"
	atHash, err := idtoken.HalfHash("EdDSA", at)
	require.NoError(t, err)
	cHash, err := idtoken.HalfHash("EdDSA", code)
	require.NoError(t, err)
	otherHash, err := idtoken.HalfHash("EdDSA", "another access token")
	require.NoError(t, err)

	for _, tc := range []struct {
		name   string
		claims map[string]any
		typ    string
		opts   func(*idtoken.Options)
		want   error
	}{
		{"accepted: at_hash and c_hash", map[string]any{"at_hash": atHash, "c_hash": cHash}, "JWT",
			func(o *idtoken.Options) {
				o.AccessToken, o.Code, o.RequireAccessTokenHash, o.RequireCodeHash = at, code, true, true
			}, nil},
		{"accepted: several audiences with azp", map[string]any{"aud": []string{clientID, "api"}, "azp": clientID}, "",
			func(o *idtoken.Options) { o.TrustedAudiences = []string{"api"} }, nil},
		{"accepted: max_age", nil, "", func(o *idtoken.Options) { o.MaxAge = 5 * time.Minute }, nil},
		{"accepted: acr", map[string]any{"acr": "urn:mace:incommon:iap:silver"}, "", func(o *idtoken.Options) { o.ACRValues = []string{"urn:mace:incommon:iap:silver"} }, nil},
		{"accepted: no nonce sent, none carried", map[string]any{"nonce": nil}, "", func(o *idtoken.Options) { o.Nonce, o.NoNonce = "", true }, nil},

		{"another issuer", map[string]any{"iss": "https://op.example/"}, "", nil, jwt.ErrIssuerMismatch},
		{"another client", map[string]any{"aud": "rp-2"}, "", nil, jwt.ErrAudienceMismatch},
		{"untrusted extra audience", map[string]any{"aud": []string{clientID, "evil"}, "azp": clientID}, "", nil, jwt.ErrAudienceMismatch},
		{"several audiences without azp", map[string]any{"aud": []string{clientID, "api"}}, "", func(o *idtoken.Options) { o.TrustedAudiences = []string{"api"} }, idtoken.ErrAuthorizedParty},
		{"azp of another client", map[string]any{"azp": "rp-2"}, "", nil, idtoken.ErrAuthorizedParty},
		{"missing nonce", map[string]any{"nonce": nil}, "", nil, idtoken.ErrNonce},
		{"another nonce", map[string]any{"nonce": "n-other"}, "", nil, idtoken.ErrNonce},
		{"nonce when none was sent", nil, "", func(o *idtoken.Options) { o.Nonce, o.NoNonce = "", true }, idtoken.ErrNonce},
		{"expired", map[string]any{"exp": now.Add(-time.Second).Unix()}, "", nil, jwt.ErrExpired},
		{"no iat", map[string]any{"iat": nil}, "", nil, jwt.ErrMissingClaim},
		{"iat in the future", map[string]any{"iat": now.Add(time.Minute).Unix()}, "", nil, jwt.ErrIssuedInFuture},
		{"iat too old", map[string]any{"iat": now.Add(-2 * time.Hour).Unix()}, "", func(o *idtoken.Options) { o.MaxIssuedAtAge = time.Hour }, jwt.ErrExpired},
		{"auth_time past max_age", map[string]any{"auth_time": now.Add(-10 * time.Minute).Unix()}, "", func(o *idtoken.Options) { o.MaxAge = 5 * time.Minute }, idtoken.ErrAuthTime},
		{"no auth_time with max_age", map[string]any{"auth_time": nil}, "", func(o *idtoken.Options) { o.MaxAge = 5 * time.Minute }, idtoken.ErrAuthTime},
		{"acr not accepted", map[string]any{"acr": "0"}, "", func(o *idtoken.Options) { o.ACRValues = []string{"2"} }, idtoken.ErrACR},
		{"no acr when one is required", nil, "", func(o *idtoken.Options) { o.ACRValues = []string{"2"} }, idtoken.ErrACR},
		{"at_hash of another token", map[string]any{"at_hash": otherHash}, "", func(o *idtoken.Options) { o.AccessToken = at }, idtoken.ErrHash},
		{"at_hash required, missing", nil, "", func(o *idtoken.Options) { o.AccessToken, o.RequireAccessTokenHash = at, true }, idtoken.ErrHash},
		{"c_hash of another code", map[string]any{"c_hash": atHash}, "", func(o *idtoken.Options) { o.Code = code }, idtoken.ErrHash},
		{"at_hash with SHA-256 for an EdDSA token", map[string]any{"at_hash": mustHash(t, "ES256", at)}, "", func(o *idtoken.Options) { o.AccessToken = at }, idtoken.ErrHash},
		{"an access token (at+jwt)", map[string]any{"client_id": clientID}, "at+jwt", nil, idtoken.ErrNotIDToken},
		{"a logout token", nil, "logout+jwt", nil, idtoken.ErrNotIDToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := idtoken.Verify(ctx, p.idToken(t, tc.claims, tc.typ), p.keys, opts(tc.opts))
			if tc.want == nil {
				require.NoError(t, err)
				assert.NotNil(t, got)
				return
			}
			assert.ErrorIs(t, err, tc.want)
			assert.Nil(t, got)
		})
	}
	t.Run("signed by another key", func(t *testing.T) {
		_, err := idtoken.Verify(ctx, newProvider(t).idToken(t, nil, ""), p.keys, opts(nil))
		assert.ErrorIs(t, err, jwt.ErrInvalidSignature)
	})
}

func mustHash(t *testing.T, alg, v string) string {
	t.Helper()
	h, err := idtoken.HalfHash(alg, v)
	require.NoError(t, err)
	return h
}

func TestVerifyOptions(t *testing.T) {
	p := newProvider(t)
	tok := p.idToken(t, nil, "")
	for name, o := range map[string]*idtoken.Options{
		"nil":                   nil,
		"no client":             {Issuer: issuer, Nonce: nonce},
		"no nonce decision":     {ClientID: clientID, Issuer: issuer},
		"nonce and NoNonce":     {ClientID: clientID, Issuer: issuer, Nonce: nonce, NoNonce: true},
		"no issuer":             {ClientID: clientID, Nonce: nonce},
		"hash without a token":  {ClientID: clientID, Issuer: issuer, Nonce: nonce, RequireAccessTokenHash: true},
		"negative max_age":      {ClientID: clientID, Issuer: issuer, Nonce: nonce, MaxAge: -1},
		"leeway over the limit": {ClientID: clientID, Issuer: issuer, Nonce: nonce, Leeway: time.Hour},
	} {
		_, err := idtoken.Verify(context.Background(), tok, p.keys, o)
		assert.ErrorIs(t, err, jwt.ErrInvalidOption, name)
	}
}
