package idtoken_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"log"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/idtoken"
)

// A relying party checks the ID token of a code flow: the nonce it sent,
// and the at_hash of the access token that came with it.
func ExampleVerify() {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	provider, _ := jwt.EdDSA.NewSigner(priv)
	keys, _ := jwt.EdDSA.NewVerifier(pub) // in practice jwks.NewOIDC(issuer, nil)

	const accessToken = "SlAV32hkKG"
	atHash, _ := idtoken.HalfHash("EdDSA", accessToken)
	now := time.Now()
	raw, _ := jwt.Sign(context.Background(), provider, map[string]any{
		"iss": "https://op.example.com", "sub": "24400320", "aud": "s6BhdRkqt3",
		"nonce": "n-0S6_WzA2Mj", "at_hash": atHash, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}, nil)

	opts := &idtoken.Options{
		ClientID:    "s6BhdRkqt3",
		Issuer:      "https://op.example.com",
		Nonce:       "n-0S6_WzA2Mj",
		AccessToken: accessToken,
	}
	tok, err := idtoken.Verify(context.Background(), raw, keys, opts)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.Claims.Subject)

	opts.Nonce = "another nonce"
	_, err = idtoken.Verify(context.Background(), raw, keys, opts)
	fmt.Println(err != nil)
	// Output:
	// 24400320
	// true
}
