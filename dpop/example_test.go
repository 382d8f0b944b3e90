package dpop_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	jwt "github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
	"github.com/jwtkit/jwt/jwthttp"
)

// AccessClaims are the claims of an access token that may be bound to a
// DPoP key.
type AccessClaims struct {
	jwt.RegisteredClaims
	Confirmation *dpop.Confirmation `json:"cnf,omitempty"`
}

// A client with a DPoP key calls an API that requires DPoP-bound tokens
// and server nonces. The authorization server binds the token to the
// client's key; the Transport adds a proof to each request, and retries
// once when the API asks for a nonce.
func Example() {
	ctx := context.Background()

	// The client's key: any crypto.Signer. Its public key goes into every
	// proof; the private key never leaves it.
	clientKey := ed25519.NewKeyFromSeed([]byte("an example seed of 32 bytes!!!!!"))
	prover, err := dpop.NewProver(jwt.EdDSA, clientKey)
	if err != nil {
		panic(err)
	}

	// The authorization server issues an access token bound to that key.
	issuerKey := []byte("an example issuer secret, 32 b!!")
	issuer, err := jwt.HS256.NewSigner(issuerKey)
	if err != nil {
		panic(err)
	}
	accessToken, err := jwt.Sign(ctx, issuer, AccessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: "https://auth.example", Audience: jwt.Audience{"https://api.example"}, Subject: "alice",
			ExpiresAt: jwt.NewNumericDate(time.Now().Add(5 * time.Minute)),
		},
		Confirmation: &dpop.Confirmation{JKT: prover.JKT()},
	}, &jwt.SignOptions{Type: "at+jwt"})
	if err != nil {
		panic(err)
	}

	// The API's middleware (package jwthttp) checks the token, then the
	// proof against the request, the token and the token's key, and answers
	// a proof without a fresh server nonce with use_dpop_nonce and a nonce.
	tokenKey, err := jwt.HS256.NewVerifier(issuerKey)
	if err != nil {
		panic(err)
	}
	nonces, err := dpop.NewHMACNonces([]byte("an example nonce secret, 32 b!!!"), nil)
	if err != nil {
		panic(err)
	}
	proofs, err := dpop.NewVerifier(&dpop.Options{Nonces: nonces})
	if err != nil {
		panic(err)
	}
	protect, err := jwthttp.New[AccessClaims](tokenKey, &jwthttp.Options{
		Verify: jwt.VerifyOptions{Type: "at+jwt", Issuer: "https://auth.example", Audience: []string{"https://api.example"}},
		DPoP:   proofs,
		OnResult: func(r *http.Request, status int, code string, err error) {
			if code != "" {
				fmt.Println("API:", status, code)
			}
		},
	})
	if err != nil {
		panic(err)
	}
	api := httptest.NewServer(protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := jwthttp.Claims[AccessClaims](r.Context())
		fmt.Fprintf(w, "hello %s", c.Subject)
	})))
	defer api.Close()

	client := &http.Client{Transport: &dpop.Transport{
		Prover: prover,
		Token:  func(*http.Request) (string, error) { return accessToken, nil },
	}}
	defer client.CloseIdleConnections()
	for range 2 {
		resp, err := client.Get(api.URL + "/me")
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, string(body))
	}
	// Output:
	// API: 401 use_dpop_nonce
	// 200 hello alice
	// 200 hello alice
}

func ExampleNormalizeURI() {
	for _, uri := range []string{
		"HTTPS://API.Example.com:443/a/./b/../%7Ec?page=2#top",
		"http://api.example.com:8080",
		"https://api.example.com/caf%c3%a9",
	} {
		n, err := dpop.NormalizeURI(uri)
		fmt.Println(n, err)
	}
	// Output:
	// https://api.example.com/a/~c <nil>
	// http://api.example.com:8080/ <nil>
	// https://api.example.com/caf%C3%A9 <nil>
}

func ExampleProver_JKT() {
	key := ed25519.NewKeyFromSeed([]byte("an example seed of 32 bytes!!!!!"))
	prover, err := dpop.NewProver(jwt.EdDSA, key)
	if err != nil {
		panic(err)
	}
	// The thumbprint to bind tokens to, as their "cnf" claim.
	fmt.Println(prover.JKT())
	// Output:
	// bAZ1g1EPrPpyvSnltH5f06fULQHupSLxk8awn8A_isU
}

func ExampleAccessTokenHash() {
	fmt.Println(dpop.AccessTokenHash("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"))
	// Output:
	// fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo
}
