package session_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwks"
	"github.com/jwtkit/jwt/session"
)

func Example() {
	ctx := context.Background()
	// The ring's current key signs each new pair, also after ring.Rotate().
	ring, err := jwks.NewKeyRing(&jwks.KeyRingOptions{Algorithm: jwt.EdDSA, MaxTokenLifetime: 24 * time.Hour})
	if err != nil {
		log.Fatal(err)
	}
	m, err := session.New(session.Options{
		Signer:   ring,
		Keys:     ring,
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
