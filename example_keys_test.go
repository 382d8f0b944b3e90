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

// Generating a new signing key, published with an RFC 7638 thumbprint as
// its kid. The private JWK is written only on request.
func ExampleGenerateKey() {
	k, err := jwt.GenerateKey(jwt.EdDSA) // a private JWK bound to EdDSA
	if err != nil {
		log.Fatal(err)
	}
	k.Use = "sig"
	if err := k.SetThumbprintKeyID(); err != nil {
		log.Fatal(err)
	}
	published, err := json.Marshal(k.Public()) // serve in a JWK Set
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
	fmt.Println(signer.Algorithm(), len(k.Key.(ed25519.PrivateKey)))
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
