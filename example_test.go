package jwt_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jwtkit/jwt"
)

// A fixed secret and clock make these examples' output deterministic.
// Real secrets come from crypto/rand: see the keys section of the README.
var (
	secret = []byte("an example secret of 32 bytes!!!")
	now    = func() time.Time { return time.Unix(1_800_000_000, 0) }
)

func Example() {
	ctx := context.Background()
	signer, err := jwt.HS256.NewSigner(secret)
	if err != nil {
		panic(err)
	}
	token, err := jwt.Sign(ctx, signer, jwt.RegisteredClaims{
		Issuer:    "https://issuer.example",
		Subject:   "user-1",
		Audience:  jwt.Audience{"api"},
		ExpiresAt: jwt.NewNumericDate(now().Add(5 * time.Minute)),
	}, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(token)

	verifier, err := jwt.HS256.NewVerifier(secret)
	if err != nil {
		panic(err)
	}
	tok, err := jwt.Verify[jwt.RegisteredClaims](ctx, token, verifier, &jwt.VerifyOptions{
		Issuer:   "https://issuer.example",
		Audience: []string{"api"},
		Now:      now,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(tok.Claims.Subject, tok.Claims.ExpiresAt.Unix())
	// Output:
	// eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIiwic3ViIjoidXNlci0xIiwiYXVkIjoiYXBpIiwiZXhwIjoxODAwMDAwMzAwfQ.tXkhFutf-y6l2SrQigNdqRqnYKxQltIAjFc5SXTawKU
	// user-1 1800000300
}

// MyClaims is an application's claims: RegisteredClaims embedded, plus its own.
type MyClaims struct {
	jwt.RegisteredClaims
	Name  string `json:"name"`
	Admin bool   `json:"admin"`
}

func ExampleVerify_customClaims() {
	ctx := context.Background()
	signer, _ := jwt.HS256.NewSigner(secret)
	verifier, _ := jwt.HS256.NewVerifier(secret)
	token, _ := jwt.Sign(ctx, signer, MyClaims{
		RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(now().Add(time.Minute))},
		Name:             "John Doe",
		Admin:            true,
	}, &jwt.SignOptions{Type: "at+jwt"})

	tok, err := jwt.Verify[MyClaims](ctx, token, verifier, &jwt.VerifyOptions{Type: "at+jwt", Now: now})
	if err != nil {
		panic(err)
	}
	fmt.Println(tok.Claims.Name, tok.Claims.Admin, tok.Header.Type)
	// Output: John Doe true at+jwt
}

func ExampleVerify_errors() {
	ctx := context.Background()
	signer, _ := jwt.HS256.NewSigner(secret)
	verifier, _ := jwt.HS256.NewVerifier(secret)
	token, _ := jwt.Sign(ctx, signer, jwt.RegisteredClaims{
		Audience:  jwt.Audience{"billing"},
		ExpiresAt: jwt.NewNumericDate(now().Add(-time.Minute)),
	}, nil)

	_, err := jwt.Verify[jwt.RegisteredClaims](ctx, token, verifier, &jwt.VerifyOptions{Audience: []string{"api"}, Now: now})
	fmt.Println(errors.Is(err, jwt.ErrExpired), errors.Is(err, jwt.ErrAudienceMismatch))
	var verr *jwt.ValidationError
	fmt.Println(errors.As(err, &verr), len(verr.Errors))
	// Output:
	// true true
	// true 2
}

func ExampleNewKeySet() {
	ctx := context.Background()
	oldSigner, _ := jwt.HS256.NewSigner([]byte("the old secret, 32 bytes long!!!"))
	oldVerifier, _ := jwt.HS256.NewVerifier([]byte("the old secret, 32 bytes long!!!"))
	newVerifier, _ := jwt.HS256.NewVerifier(secret)
	set, err := jwt.NewKeySet(
		jwt.VerifierWithKeyID(newVerifier, "2026-11"),
		jwt.VerifierWithKeyID(oldVerifier, "2026-10"),
	)
	if err != nil {
		panic(err)
	}
	token, _ := jwt.Sign(ctx, jwt.SignerWithKeyID(oldSigner, "2026-10"),
		jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(now().Add(time.Hour))}, nil)
	tok, err := jwt.Verify[jwt.RegisteredClaims](ctx, token, set, &jwt.VerifyOptions{Now: now})
	fmt.Println(tok.Header.KeyID, err)
	// Output: 2026-10 <nil>
}

func ExampleParseUnverified() {
	// Only for display: nothing here is verified.
	u, err := jwt.ParseUnverified("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln", 0)
	if err != nil {
		panic(err)
	}
	fmt.Println(u.Header.Algorithm, string(u.Payload))
	// Output: HS256 {"sub":"alice"}
}
