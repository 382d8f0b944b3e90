package jwks_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwks"
)

// An identity provider publishes its keys with a KeyRing and a Handler; a
// service verifies its tokens through OpenID Connect discovery.
func ExampleNewOIDC() {
	ctx := context.Background()

	// The provider's side (normally another service): an issuer with a
	// key ring, its JWK Set and its discovery document.
	ring, err := jwks.NewKeyRing(&jwks.KeyRingOptions{Algorithm: jwt.ES256, MaxTokenLifetime: time.Hour})
	if err != nil {
		panic(err)
	}
	defer ring.Close()
	mux := http.NewServeMux()
	idp := httptest.NewServer(mux)
	defer idp.Close()
	issuer := idp.URL + "/realms/main"
	mux.Handle("/realms/main/keys", jwks.NewHandler(ring))
	mux.HandleFunc("/realms/main/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"issuer":%q,"jwks_uri":%q}`, issuer, issuer+"/keys")
	})
	token, err := ring.Sign(ctx, jwt.RegisteredClaims{
		Issuer:    issuer,
		Subject:   "user-1",
		Audience:  jwt.Audience{"orders-api"},
		ExpiresAt: jwt.NewNumericDate(time.Now().Add(5 * time.Minute)),
	}, nil)
	if err != nil {
		panic(err)
	}

	// The service's side: from the issuer URL alone.
	keys, err := jwks.NewOIDC(issuer, nil) // no I/O yet
	if err != nil {
		panic(err)
	}
	defer keys.Close()
	// keys carries the issuer: Verify requires it in "iss".
	opts := &jwt.VerifyOptions{Audience: []string{"orders-api"}}

	tok, err := jwt.Verify[jwt.RegisteredClaims](ctx, token, keys, opts)
	if err != nil {
		panic(err)
	}
	fmt.Println(tok.Claims.Subject, tok.Header.KeyID == ring.KeyID())

	// Tokens from another issuer are rejected, even when signed by its keys.
	forged, _ := ring.Sign(ctx, jwt.RegisteredClaims{
		Issuer:    "https://elsewhere.example",
		Audience:  jwt.Audience{"orders-api"},
		ExpiresAt: jwt.NewNumericDate(time.Now().Add(5 * time.Minute)),
	}, nil)
	_, err = jwt.Verify[jwt.RegisteredClaims](ctx, forged, keys, opts)
	fmt.Println(errors.Is(err, jwt.ErrIssuerMismatch))
	// Output:
	// user-1 true
	// true
}

// A Remote from a jwks_uri, fetched before the service takes traffic, with
// its Status for a health check.
func ExampleNewRemote() {
	ctx := context.Background()
	ring, err := jwks.NewKeyRing(&jwks.KeyRingOptions{Algorithm: jwt.EdDSA, MaxTokenLifetime: time.Hour})
	if err != nil {
		panic(err)
	}
	defer ring.Close()
	srv := httptest.NewServer(jwks.NewHandler(ring))
	defer srv.Close()

	keys, err := jwks.NewRemote(srv.URL, &jwks.Options{
		Timeout:    5 * time.Second,
		Algorithms: []jwt.Algorithm{jwt.EdDSA}, // what this service accepts
	})
	if err != nil {
		panic(err)
	}
	defer keys.Close()
	// Optional: fail fast at startup. Without it, the first token fetches.
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := keys.Prefetch(pctx); err != nil {
		// errors.Is(err, jwks.ErrFetch) or jwks.ErrInvalidSet: the reason
		// is in the message.
		panic(err)
	}
	st := keys.Status()
	fmt.Println(st.Serving, st.Keys, st.LastError)
	// Output: true 2 <nil>
}

// A KeyRing signs with its current key and publishes the next one ahead of
// use; Rotate moves on by one key.
func ExampleKeyRing() {
	ctx := context.Background()
	ring, err := jwks.NewKeyRing(&jwks.KeyRingOptions{
		Algorithm:        jwt.ES256,
		MaxTokenLifetime: 15 * time.Minute, // retired keys stay published this long (plus jwt.MaxLeeway)
		// RotateEvery: 24 * time.Hour,     // or rotate on a schedule, until Close
	})
	if err != nil {
		panic(err)
	}
	defer ring.Close()
	mux := http.NewServeMux()
	mux.Handle("/.well-known/jwks.json", jwks.NewHandler(ring)) // serve mux with your server

	before := ring.KeyID()
	next := ring.PublicSet().Keys[1].KeyID
	token, _ := ring.Sign(ctx, jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(time.Now().Add(10 * time.Minute))}, nil)

	if err := ring.Rotate(); err != nil {
		panic(err)
	}
	fmt.Println(ring.KeyID() == next, len(ring.PublicSet().Keys))

	// The ring verifies what it signed, also with the retired key.
	tok, err := jwt.Verify[jwt.RegisteredClaims](ctx, token, ring, nil)
	fmt.Println(err == nil && tok.Header.KeyID == before)
	// Output:
	// true 3
	// true
}

// A key that leaked is withdrawn at once: the published next key takes
// over, and the tokens the leaked key signed no longer verify.
func ExampleKeyRing_Withdraw() {
	ctx := context.Background()
	ring, err := jwks.NewKeyRing(&jwks.KeyRingOptions{Algorithm: jwt.EdDSA, MaxTokenLifetime: 15 * time.Minute})
	if err != nil {
		panic(err)
	}
	defer ring.Close()
	leaked := ring.KeyID()
	next := ring.PublicSet().Keys[1].KeyID
	token, _ := ring.Sign(ctx, jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(time.Now().Add(10 * time.Minute))}, nil)

	if err := ring.Withdraw(leaked); err != nil {
		panic(err)
	}
	fmt.Println(ring.KeyID() == next, len(ring.PublicSet().Keys))
	_, err = jwt.Verify[jwt.RegisteredClaims](ctx, token, ring, nil)
	fmt.Println(errors.Is(err, jwt.ErrKeyNotFound))
	// Output:
	// true 2
	// true
}

// Verifying a token with the JWK Set an identity provider publishes at its
// jwks_uri. The set here holds an Ed25519 signing key and an X25519
// encryption key, which package jwt does not use: Parse skips it.
func ExampleParse() {
	ctx := context.Background()
	data := []byte(`{"keys":[
		{"kty":"OKP","crv":"Ed25519","kid":"kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k",
		 "use":"sig","alg":"EdDSA","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
		{"kty":"OKP","crv":"X25519","kid":"enc-1","use":"enc",
		 "x":"hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"}
	]}`)
	token := "eyJhbGciOiJFZERTQSIsImtpZCI6ImtQcktfcW14VldhWVZBOXd3QkY2SXVvM3ZWeno3VHhIQ1R3WEJ5Z3JTNGsiLCJ0eXAiOiJKV1QifQ." +
		"eyJpc3MiOiJodHRwczovL2lkLmV4YW1wbGUuY29tLyIsInN1YiI6ImFsaWNlIiwiYXVkIjoiaHR0cHM6Ly9hcGkuZXhhbXBsZS5jb20iLCJleHAiOjQxMDI0NDQ4MDB9." +
		"S42FwMrwOUNz0l_M3IGX5uXKsi2hcBg2QsfgA6PDNcmt43uN7Ym-yJB9o3RnWXz7GIgzhz1Bx1L0JzWXpUR-DA"

	set, skipped, err := jwks.Parse(data, nil)
	if err != nil {
		panic(err)
	}
	for _, err := range skipped {
		fmt.Println("skipped:", err)
	}
	// Accept only EdDSA and RS256; keys without "alg" (common in provider
	// sets) are bound to whichever of them fits their key type.
	keys, _, err := set.KeySet(jwt.EdDSA, jwt.RS256)
	if err != nil {
		panic(err)
	}
	tok, err := jwt.Verify[jwt.RegisteredClaims](ctx, token, keys, &jwt.VerifyOptions{
		Issuer:   "https://id.example.com/",
		Audience: []string{"https://api.example.com"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(tok.Header.KeyID, tok.Claims.Subject)
	// Output:
	// skipped: jwks: JWK Set key 1 (kid "enc-1"): invalid key: unsupported key type: OKP curve "X25519"
	// kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k alice
}

// Logging each request a Remote makes with log/slog, for operations and
// metrics. The event holds no key material.
func ExampleOptions_onFetch() {
	ring, err := jwks.NewKeyRing(&jwks.KeyRingOptions{Algorithm: jwt.EdDSA, MaxTokenLifetime: time.Hour})
	if err != nil {
		panic(err)
	}
	defer ring.Close()
	srv := httptest.NewServer(jwks.NewHandler(ring))
	defer srv.Close()

	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == "time" || a.Key == "url" || a.Key == "duration" {
				return slog.Attr{} // left out to keep the output the same in every run
			}
			return a
		},
	}))
	keys, err := jwks.NewRemote(srv.URL, &jwks.Options{
		OnFetch: func(e jwks.FetchEvent) {
			logger.Info("jwks fetch", "url", e.URL, "status", e.Status, "duration", e.Duration, "keys", e.Keys, "err", e.Err)
		},
	})
	if err != nil {
		panic(err)
	}
	defer keys.Close()
	if err := keys.Prefetch(context.Background()); err != nil {
		panic(err)
	}
	// Output: level=INFO msg="jwks fetch" status=200 keys=2 err=<nil>
}
