package jwthttp_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
	"github.com/jwtkit/jwt/jwthttp"
)

// confirmationMembers is one value of each member of the IANA "JWT
// Confirmation Methods" registry (RFC 7800 §6.2, RFC 8705 §3.1, RFC 9203
// §3.2.1, RFC 9449 §6.1), as a token's "cnf" carries it.
var confirmationMembers = map[string]any{
	"jwk":      map[string]any{"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
	"jwe":      "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkExMjhDQkMtSFMyNTYifQ.a.b.c.d",
	"kid":      "client-key-1",
	"jku":      "https://client.example/jwks.json",
	"x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2",
	"osc":      map[string]any{"ms": "f9af838368e353e78888e1426bd94e6f", "id": "AQ=="},
	"jkt":      "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I",
}

// TestUnsupportedConfirmation is the regression test of issue 21 item 5:
// a token bound by mutual TLS ("x5t#S256") or by a key ("jwk") was
// accepted as a bearer token.
func TestUnsupportedConfirmation(t *testing.T) {
	rs := newResults()
	e := newEnv(t, rs.wrap(protect(t, hsVerifier(t), &jwthttp.Options{Realm: realm, OnResult: rs.hook})))
	for _, m := range []string{"x5t#S256", "jwk"} {
		tok := e.mint(nil, claimsOf(map[string]any{"cnf": map[string]any{m: confirmationMembers[m]}}), "")
		e.get("/", "Bearer "+tok).refused(t, http.StatusUnauthorized,
			invalidToken("the access token is bound to a key by a confirmation method this resource cannot check"))
		calls := rs.take()
		require.Len(t, calls, 1)
		require.ErrorIs(t, calls[0].err, jwthttp.ErrUnsupportedConfirmation)
		require.Contains(t, calls[0].err.Error(), fmt.Sprintf("%q", m))
	}
}

// TestConfirmationMethods covers the class of item 5: a binding the
// middleware does not check taken for no binding. Every member of the IANA
// registry, one not registered, and a case variant of "jkt" are refused
// without Options.Confirmation; with it, the hook decides for every one
// but "jkt", which only a DPoP proof satisfies.
func TestConfirmationMethods(t *testing.T) {
	members := map[string]any{"future-method": "x", "JKT": confirmationMembers["jkt"]}
	for m, v := range confirmationMembers {
		members[m] = v
	}
	var (
		mu      sync.Mutex
		seen    map[string]json.RawMessage
		verdict error
	)
	hook := func(r *http.Request, cnf map[string]json.RawMessage) error {
		mu.Lock()
		defer mu.Unlock()
		seen = cnf
		return verdict
	}
	rs := newResults()
	plain := newEnv(t, rs.wrap(protect(t, hsVerifier(t), &jwthttp.Options{Realm: realm, OnResult: rs.hook})))
	checked := newEnv(t, rs.wrap(protect(t, hsVerifier(t), &jwthttp.Options{Realm: realm, OnResult: rs.hook, Confirmation: hook})))

	for m, v := range members {
		t.Run(m, func(t *testing.T) {
			tok := plain.mint(nil, claimsOf(map[string]any{"cnf": map[string]any{m: v}}), "")
			checked.remember(tok)
			r := plain.get("/", "Bearer "+tok)
			require.Equal(t, http.StatusUnauthorized, r.status, "accepted as a bearer token: %s", r.body)
			calls := rs.take()
			require.Len(t, calls, 1)
			if m == "jkt" {
				require.ErrorIs(t, calls[0].err, dpop.ErrTokenBinding)
			} else {
				require.ErrorIs(t, calls[0].err, jwthttp.ErrUnsupportedConfirmation)
			}

			mu.Lock()
			seen, verdict = nil, nil
			mu.Unlock()
			r = checked.get("/", "Bearer "+tok)
			rs.take()
			mu.Lock()
			got := seen
			mu.Unlock()
			if m == "jkt" {
				require.Equal(t, http.StatusUnauthorized, r.status, "a DPoP-bound token accepted as a bearer token")
				require.Nil(t, got, "the hook was asked about jkt")
				return
			}
			r.ok(t, "sub=user-1")
			want, err := json.Marshal(v)
			require.NoError(t, err)
			require.JSONEq(t, string(want), string(got[m]), "the hook did not receive the member")
			require.Len(t, got, 1)

			// The hook's errors are answered as Check's.
			for _, c := range []struct {
				err    error
				status int
			}{
				{errors.New("wrong certificate"), http.StatusUnauthorized},
				{fmt.Errorf("certificate store: %w", jwt.ErrUnavailable), http.StatusServiceUnavailable},
				{fmt.Errorf("misconfigured: %w", jwt.ErrInvalidOption), http.StatusInternalServerError},
			} {
				mu.Lock()
				verdict = c.err
				mu.Unlock()
				r := checked.get("/", "Bearer "+tok)
				require.Equal(t, c.status, r.status, "%v: %s", c.err, r.body)
				calls := rs.take()
				require.Len(t, calls, 1)
				require.ErrorIs(t, calls[0].err, c.err)
				if c.status == http.StatusUnauthorized {
					r.refused(t, c.status, invalidToken("the request does not prove possession of the key the access token is bound to"))
				}
			}
		})
	}

	t.Run("jkt and another method", func(t *testing.T) {
		tok := plain.mint(nil, claimsOf(map[string]any{"cnf": map[string]any{"jkt": members["jkt"], "x5t#S256": members["x5t#S256"]}}), "")
		plain.get("/", "Bearer "+tok).refused(t, http.StatusUnauthorized,
			invalidToken("the access token is bound to a key by a confirmation method this resource cannot check"))
		rs.take()
	})
	t.Run("empty cnf", func(t *testing.T) {
		tok := plain.mint(nil, claimsOf(map[string]any{"cnf": map[string]any{}}), "")
		plain.get("/", "Bearer "+tok).refused(t, http.StatusUnauthorized, invalidToken("the access token has a malformed cnf claim"))
		rs.take()
	})
}

// TestConfirmationMutualTLS checks the documented use of
// Options.Confirmation: a token bound to a client certificate (RFC 8705
// §3) is served over mutual TLS only to the holder of that certificate.
func TestConfirmationMutualTLS(t *testing.T) {
	alice, bob := clientCertificate(t), clientCertificate(t)
	thumbprint := func(c *x509.Certificate) string {
		sum := sha256.Sum256(c.Raw)
		return base64.RawURLEncoding.EncodeToString(sum[:])
	}
	// The hook of RFC 8705 §3.1: "x5t#S256" is the thumbprint of the
	// certificate the client authenticated the TLS connection with.
	confirm := func(r *http.Request, cnf map[string]json.RawMessage) error {
		var x5t string
		if err := json.Unmarshal(cnf["x5t#S256"], &x5t); err != nil || len(cnf) != 1 {
			return errors.New("not bound by x5t#S256 alone")
		}
		if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 || thumbprint(r.TLS.PeerCertificates[0]) != x5t {
			return errors.New("not the certificate the token is bound to")
		}
		return nil
	}
	mw, err := jwthttp.New[jwt.RegisteredClaims](hsVerifier(t), &jwthttp.Options{
		Confirmation: confirm, Verify: jwt.VerifyOptions{Audience: []string{testAud}, Now: nowFunc},
	})
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(mw(subHandler(rcSub)))
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAnyClientCert}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv}
	tok := e.mint(nil, claimsOf(map[string]any{"cnf": map[string]any{"x5t#S256": thumbprint(alice.Leaf)}}), "")

	for _, c := range []struct {
		name   string
		cert   tls.Certificate
		status int
	}{{"holder", alice, http.StatusOK}, {"another certificate", bob, http.StatusUnauthorized}} {
		t.Run(c.name, func(t *testing.T) {
			client := srv.Client()
			tr := client.Transport.(*http.Transport).Clone()
			tr.TLSClientConfig.Certificates = []tls.Certificate{c.cert}
			tr.DisableKeepAlives = true
			e.client = &http.Client{Transport: tr, Timeout: 10 * time.Second}
			r := e.get("/", "Bearer "+tok)
			require.Equal(t, c.status, r.status, "body: %s", r.body)
		})
	}
}

// clientCertificate returns a self-signed client certificate with a new
// P-256 key.
func clientCertificate(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<33, 0),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}
