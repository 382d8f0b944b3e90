package session_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/session"
)

func Example() {
	ctx := context.Background()
	_, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		log.Fatal(err)
	}
	signer, err := jwt.EdDSA.NewSigner(key)
	if err != nil {
		log.Fatal(err)
	}
	verifier, err := jwt.EdDSA.NewVerifier(key.Public())
	if err != nil {
		log.Fatal(err)
	}
	m, err := session.New(session.Options{
		Signer:   signer,
		Keys:     verifier,
		Issuer:   "https://auth.example",
		Audience: []string{"https://api.example"},
	})
	if err != nil {
		log.Fatal(err)
	}

	// Login: the caller has checked the user's password.
	pair, err := m.Issue(ctx, session.Grant{Subject: "user-1", Scope: "read"})
	if err != nil {
		log.Fatal(err)
	}
	tok, err := m.VerifyAccess(ctx, pair.AccessToken)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.Claims.Subject, tok.Claims.Scope, pair.AccessExpires.Sub(pair.IssuedAt))

	// Refresh: a new pair; the old refresh token is used up.
	next, err := m.Refresh(ctx, pair.RefreshToken)
	if err != nil {
		log.Fatal(err)
	}

	// Someone presents the old refresh token again: the whole session is revoked.
	_, err = m.Refresh(ctx, pair.RefreshToken)
	fmt.Println(errors.Is(err, session.ErrReused))
	_, err = m.VerifyAccess(ctx, next.AccessToken)
	fmt.Println(errors.Is(err, session.ErrRevoked))
	// Output:
	// user-1 read 5m0s
	// true
	// true
}
