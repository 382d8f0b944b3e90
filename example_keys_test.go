package jwt_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"log"
	"time"

	jwt "github.com/jwtkit/jwt"
)

// Verifying a token with the JWK Set an identity provider publishes at its
// jwks_uri. The set here holds an Ed25519 signing key and an X25519
// encryption key, which this package does not use and skips.
func ExampleParsePublicJWKSet() {
	ctx := context.Background()
	jwks := []byte(`{"keys":[
		{"kty":"OKP","crv":"Ed25519","kid":"kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k",
		 "use":"sig","alg":"EdDSA","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
		{"kty":"OKP","crv":"X25519","kid":"enc-1","use":"enc",
		 "x":"hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"}
	]}`)
	token := "eyJhbGciOiJFZERTQSIsImtpZCI6ImtQcktfcW14VldhWVZBOXd3QkY2SXVvM3ZWeno3VHhIQ1R3WEJ5Z3JTNGsiLCJ0eXAiOiJKV1QifQ." +
		"eyJpc3MiOiJodHRwczovL2lkLmV4YW1wbGUuY29tLyIsInN1YiI6ImFsaWNlIiwiYXVkIjoiaHR0cHM6Ly9hcGkuZXhhbXBsZS5jb20iLCJleHAiOjQxMDI0NDQ4MDB9." +
		"S42FwMrwOUNz0l_M3IGX5uXKsi2hcBg2QsfgA6PDNcmt43uN7Ym-yJB9o3RnWXz7GIgzhz1Bx1L0JzWXpUR-DA"

	set, skipped, err := jwks.Parse(jwks, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, err := range skipped {
		fmt.Println("skipped:", err)
	}
	// Accept only EdDSA and RS256; keys without "alg" (common in provider
	// sets) are bound to whichever of them fits their key type.
	keys, _, err := set.KeySet(jwt.EdDSA, jwt.RS256)
	if err != nil {
		log.Fatal(err)
	}
	tok, err := jwt.Verify[jwt.RegisteredClaims](ctx, token, keys, &jwt.VerifyOptions{
		Issuer:   "https://id.example.com/",
		Audience: []string{"https://api.example.com"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.Header.KeyID, tok.Claims.Subject)
	// Output:
	// skipped: jwt: JWK Set key 1 (kid "enc-1"): invalid key: unsupported key type: OKP curve "X25519"
	// kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k alice
}

// Loading a key from a PEM file written by openssl (for example
// openssl genpkey -algorithm ed25519), signing with it, and verifying with
// the public key from openssl pkey -pubout.
func ExampleParsePrivateKeyPEM() {
	ctx := context.Background()
	privPEM := []byte(`-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g
-----END PRIVATE KEY-----
`)
	pubPEM := []byte(`-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=
-----END PUBLIC KEY-----
`)
	key, err := jwt.ParsePrivateKeyPEM(privPEM)
	if err != nil {
		log.Fatal(err)
	}
	signer, err := jwt.EdDSA.NewSigner(key)
	if err != nil {
		log.Fatal(err)
	}
	token, err := jwt.Sign(ctx, signer, jwt.RegisteredClaims{Subject: "alice", ExpiresAt: jwt.NewNumericDate(time.Unix(4102444800, 0))}, nil)
	if err != nil {
		log.Fatal(err)
	}

	pub, err := jwt.ParsePublicKeyPEM(pubPEM)
	if err != nil {
		log.Fatal(err)
	}
	verifier, err := jwt.EdDSA.NewVerifier(pub)
	if err != nil {
		log.Fatal(err)
	}
	tok, err := jwt.Verify[jwt.RegisteredClaims](ctx, token, verifier, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%T %s\n", key, tok.Claims.Subject)
	// Output: ed25519.PrivateKey alice
}

// Publishing a new signing key as a JWK Set, with an RFC 7638 thumbprint as
// its kid. The private JWK is written only on request.
func ExampleGenerateKey() {
	key, err := jwt.GenerateKey(jwt.EdDSA)
	if err != nil {
		log.Fatal(err)
	}
	k, err := jwt.NewJWK(key)
	if err != nil {
		log.Fatal(err)
	}
	k.Algorithm = "EdDSA"
	k.Use = "sig"
	if err := k.SetThumbprintKeyID(); err != nil {
		log.Fatal(err)
	}
	published, err := json.Marshal(jwks.Set{Keys: []*jwt.JWK{k}}) // public form
	if err != nil {
		log.Fatal(err)
	}
	secret, err := k.MarshalPrivateJSON() // store this as a secret
	if err != nil {
		log.Fatal(err)
	}
	_, _ = published, secret

	signer, err := k.Signer(nil) // bound to EdDSA, carries the kid
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(signer.Algorithm(), len(key.(ed25519.PrivateKey)))
	// Output: EdDSA 64
}

// The RFC 8037 Appendix A.3 thumbprint of an Ed25519 key.
func ExampleJWK_SetThumbprintKeyID() {
	k, err := jwt.ParseJWK([]byte(`{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`))
	if err != nil {
		log.Fatal(err)
	}
	if err := k.SetThumbprintKeyID(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(k.KeyID)
	// Output: kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k
}
