package session_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
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

// OnResult reports every answer of the token endpoints, for logs and
// metrics: here with log/slog. The cause of a refusal never holds a token
// or a password.
func ExampleHandlerOptions_onResult() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // a deterministic output
			}
			return a
		},
	}))
	secret := []byte("an example secret of 32 bytes!!!")
	signer, err := jwt.HS256.NewSigner(secret)
	if err != nil {
		log.Fatal(err)
	}
	verifier, err := jwt.HS256.NewVerifier(secret)
	if err != nil {
		log.Fatal(err)
	}
	m, err := session.New(session.Options{Signer: session.FixedSigner(signer), Keys: verifier, Issuer: "https://auth.example", Audience: []string{"https://api.example"}})
	if err != nil {
		log.Fatal(err)
	}
	refresh := m.RefreshHandler(&session.HandlerOptions{
		OnResult: func(r *http.Request, status int, code string, err error) {
			if code == "" {
				logger.Info("answered", "path", r.URL.Path, "status", status)
				return
			}
			logger.Warn("refused", "path", r.URL.Path, "status", status, "code", code, "err", err)
		},
	})
	pair, err := m.Issue(context.Background(), session.Grant{Subject: "alice"})
	if err != nil {
		log.Fatal(err)
	}
	for range 2 {
		r := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(url.Values{"refresh_token": {pair.RefreshToken}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		refresh.ServeHTTP(httptest.NewRecorder(), r)
	}
	// Output:
	// level=INFO msg=answered path=/token status=200
	// level=WARN msg=refused path=/token status=400 code=invalid_grant err="session: refresh token reused; its session is revoked"
}
