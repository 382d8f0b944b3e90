package jwthttp_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwthttp"
)

// providerTokens are access tokens shaped as identity providers issue them
// by default (header "typ" and claims; values made up), for issuer testIssuer
// and audience testAud.
func providerTokens() map[string]struct {
	typ    string // header "typ"; "" writes none
	claims map[string]any
} {
	exp, iat := testNow.Add(5*time.Minute).Unix(), testNow.Add(-time.Minute).Unix()
	type tok = struct {
		typ    string
		claims map[string]any
	}
	return map[string]tok{
		"Auth0": {"JWT", map[string]any{"iss": testIssuer, "sub": "auth0|123", "aud": []string{testAud, "https://tenant.example/userinfo"},
			"iat": iat, "exp": exp, "azp": "client-1", "scope": "openid notes:read"}},
		"Okta": {"", map[string]any{"ver": 1, "jti": "AT.abc", "iss": testIssuer, "aud": testAud, "iat": iat, "exp": exp,
			"cid": "client-1", "uid": "00u1", "scp": []string{"notes:read"}, "sub": "alice@example.com"}},
		"Entra ID": {"JWT", map[string]any{"aud": testAud, "iss": testIssuer, "iat": iat, "nbf": iat, "exp": exp,
			"azp": "client-1", "oid": "o-1", "scp": "notes.read", "sub": "s-1", "tid": "t-1", "uti": "u-1", "ver": "2.0"}},
		"Keycloak": {"JWT", map[string]any{"exp": exp, "iat": iat, "jti": "j-1", "iss": testIssuer, "aud": testAud,
			"sub": "f:1", "typ": "Bearer", "azp": "client-1", "scope": "profile notes:read"}},
		"Cognito": {"", map[string]any{"sub": "c-1", "iss": testIssuer, "client_id": "client-1", "token_use": "access",
			"scope": "notes/read", "auth_time": iat, "exp": exp, "iat": iat, "jti": "j-2", "username": "alice"}},
	}
}

// TestProviderOptions shows that ProviderOptions accepts the default access
// tokens of the providers the README names, where the RFC 9068 profile
// refuses them, and that it still checks what they carry.
func TestProviderOptions(t *testing.T) {
	okHandler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	for name, p := range providerTokens() {
		t.Run(name, func(t *testing.T) {
			aud := testAud
			if name == "Cognito" {
				aud = "" // Cognito access tokens carry no "aud"
			}
			opts := jwthttp.ProviderOptions(testIssuer, aud)
			opts.Now = nowFunc
			protect, err := jwthttp.New[jwt.RegisteredClaims](hsVerifier(t), &jwthttp.Options{Verify: opts})
			require.NoError(t, err)
			strictOpts := jwthttp.AccessTokenOptions(testIssuer, testAud)
			strictOpts.Now = nowFunc
			strict, err := jwthttp.New[jwt.RegisteredClaims](hsVerifier(t), &jwthttp.Options{Verify: strictOpts})
			require.NoError(t, err)
			mux := http.NewServeMux()
			mux.Handle("/provider", protect(okHandler))
			mux.Handle("/strict", strict(okHandler))
			e := newEnv(t, mux)

			tok := providerMint(t, e, p.claims, p.typ)
			e.get("/provider", "Bearer "+tok).ok(t, "ok")
			res := e.get("/strict", "Bearer "+tok)
			require.Equal(t, http.StatusUnauthorized, res.status, "the RFC 9068 profile refuses a provider's default token")

			// Every check the token supports still holds.
			for what, change := range map[string]map[string]any{
				"another issuer": {"iss": "https://evil.example"},
				"expired":        {"exp": testNow.Add(-time.Minute).Unix()},
				"no exp":         {"exp": nil},
				"no sub":         {"sub": nil},
				"no iss":         {"iss": nil},
			} {
				c := map[string]any{}
				for k, v := range p.claims {
					c[k] = v
				}
				for k, v := range change {
					if v == nil {
						delete(c, k)
					} else {
						c[k] = v
					}
				}
				res := e.get("/provider", "Bearer "+providerMint(t, e, c, p.typ))
				require.Equal(t, http.StatusUnauthorized, res.status, what)
			}
			if aud != "" {
				c := map[string]any{}
				for k, v := range p.claims {
					c[k] = v
				}
				c["aud"] = "https://other-api.example"
				require.Equal(t, http.StatusUnauthorized, e.get("/provider", "Bearer "+providerMint(t, e, c, p.typ)).status, "another audience")
				delete(c, "aud")
				require.Equal(t, http.StatusUnauthorized, e.get("/provider", "Bearer "+providerMint(t, e, c, p.typ)).status, "no audience")
			}
			// A refresh token of the same issuer is never an access token.
			require.Equal(t, http.StatusUnauthorized, e.get("/provider", "Bearer "+e.mint(nil, p.claims, "refresh+jwt")).status)
		})
	}
}

// providerMint signs claims with the test secret and the header "typ" typ,
// or no "typ" if it is empty (as Okta and Cognito write), and remembers the
// token so that no response may hold it.
func providerMint(t *testing.T, e *env, claims map[string]any, typ string) string {
	t.Helper()
	if typ != "" {
		return e.mint(nil, claims, typ)
	}
	s, err := jwt.HS256.NewSigner(testSecret)
	require.NoError(t, err)
	payload, err := json.Marshal(claims)
	require.NoError(t, err)
	tok, err := jwt.SignJWS(context.Background(), s, payload, nil)
	require.NoError(t, err)
	e.remember(tok)
	return tok
}

// TestProviderTokensAreAsWritten guards the fixtures: each token's header is
// the one its provider writes.
func TestProviderTokensAreAsWritten(t *testing.T) {
	e := &env{t: t}
	for name, p := range providerTokens() {
		tok := providerMint(t, e, p.claims, p.typ)
		seg, _, _ := strings.Cut(tok, ".")
		h, err := base64.RawURLEncoding.DecodeString(seg)
		require.NoError(t, err)
		var header map[string]any
		require.NoError(t, json.Unmarshal(h, &header))
		if p.typ == "" {
			require.NotContains(t, header, "typ", name)
		} else {
			require.Equal(t, p.typ, header["typ"], name)
		}
	}
}

// TestProfileRefusalSaysWhy shows what a service owner sees when the RFC
// 9068 profile refuses a provider's default token: the cause names the
// missing claim, the type, and the option that accepts such tokens.
func TestProfileRefusalSaysWhy(t *testing.T) {
	var causes []error
	opts := jwthttp.AccessTokenOptions(testIssuer, testAud)
	opts.Now = nowFunc
	protect, err := jwthttp.New[jwt.RegisteredClaims](hsVerifier(t), &jwthttp.Options{
		Verify:   opts,
		OnResult: func(_ *http.Request, _ int, _ string, err error) { causes = append(causes, err) },
	})
	require.NoError(t, err)
	e := newEnv(t, protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
	p := providerTokens()["Auth0"]
	res := e.get("/", "Bearer "+providerMint(t, e, p.claims, p.typ))
	require.Equal(t, http.StatusUnauthorized, res.status)
	require.Len(t, causes, 1)
	msg := causes[0].Error()
	require.ErrorIs(t, causes[0], jwt.ErrMissingClaim)
	require.ErrorIs(t, causes[0], jwt.ErrTypeMismatch)
	require.Contains(t, msg, `"client_id"`)
	require.Contains(t, msg, `"jti"`)
	require.Contains(t, msg, `want "at+jwt"`)
	require.Contains(t, msg, "jwthttp.ProviderOptions")
	require.NotContains(t, res.body, "ProviderOptions", "the hint is for the service's logs, not the client")
}

// issuerKeys is a key source bound to an issuer, as jwks.NewOIDC's is.
type issuerKeys struct {
	jwt.Verifier
	iss string
}

func (k issuerKeys) Issuer() string { return k.iss }

var _ jwt.IssuerKeySource = issuerKeys{}

// TestIssuerBoundKeys: with a key source bound to an issuer, the RFC 9068
// profile needs no issuer in the options, and the key source's issuer is
// the one required.
func TestIssuerBoundKeys(t *testing.T) {
	opts := jwthttp.AccessTokenOptions("", testAud)
	opts.Now = nowFunc
	_, err := jwthttp.New[jwt.RegisteredClaims](hsVerifier(t), &jwthttp.Options{Verify: opts})
	require.ErrorIs(t, err, jwt.ErrInvalidOption, "no issuer anywhere")
	other := jwthttp.AccessTokenOptions("https://other.example", testAud)
	_, err = jwthttp.New[jwt.RegisteredClaims](issuerKeys{hsVerifier(t), testIssuer}, &jwthttp.Options{Verify: other})
	require.ErrorIs(t, err, jwt.ErrInvalidOption, "options that contradict the key source's issuer")
	protect, err := jwthttp.New[jwt.RegisteredClaims](issuerKeys{hsVerifier(t), testIssuer}, &jwthttp.Options{Verify: opts})
	require.NoError(t, err)
	e := newEnv(t, protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })))
	claims := claimsOf(map[string]any{"client_id": "app-1"})
	e.get("/", "Bearer "+e.mint(nil, claims, "at+jwt")).ok(t, "ok")
	claims["iss"] = "https://evil.example"
	require.Equal(t, http.StatusUnauthorized, e.get("/", "Bearer "+e.mint(nil, claims, "at+jwt")).status)
}
