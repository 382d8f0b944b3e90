package benchmarks

import (
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/session"
)

// The session rows (issue 25) measure a session.Manager signing with a
// fixed HS256 key and keeping its families in a MemoryStore:
//
//   - Session/HS256/jwtkit/issue: Manager.Issue of a grant with a subject,
//     a client ID and a scope (a pair signed, a family created).
//   - Session/HS256/jwtkit/refresh: Manager.Refresh, each with the refresh
//     token of the one before (verified, checked in the store, a new pair
//     signed, the old token redeemed).
//   - Session/HS256/jwtkit/parts: the work a refresh cannot avoid, done
//     directly: jwt.Sign of the access token's claims, jwt.Sign of the
//     refresh token's, and jwt.Verify of a refresh token into a struct of
//     its claims, with the same claims and options as the Manager's.
//
// The goals divide issue and refresh by parts.

const (
	sessionIssuer   = "https://auth.example"
	sessionAudience = "api"
)

// sessionClaims are the claims of a Manager's tokens, in a struct that the
// claims codec encodes and decodes without encoding/json.
type sessionClaims struct {
	jwt.RegisteredClaims
	FamilyID string `json:"sid,omitempty"`
	ClientID string `json:"client_id,omitempty"`
	Scope    string `json:"scope,omitempty"`
	AuthTime int64  `json:"auth_time"`
}

// sessionFixture is a Manager and the inputs of the parts row.
type sessionFixture struct {
	m      *session.Manager
	grant  session.Grant
	signer jwt.Signer
	keys   jwt.KeySource
	// access and refresh are the claims the parts row signs; refreshToken
	// is a refresh token it verifies.
	access, refresh sessionClaims
	refreshToken    string
	verifyOpts      jwt.VerifyOptions
}

func newSessionFixture(tb testing.TB) *sessionFixture {
	tb.Helper()
	secret := make([]byte, 32)
	rand.Read(secret)
	s, err := jwt.HS256.NewSigner(secret)
	if err != nil {
		tb.Fatal(err)
	}
	v, err := jwt.HS256.NewVerifier(secret)
	if err != nil {
		tb.Fatal(err)
	}
	f := &sessionFixture{
		signer: jwt.SignerWithKeyID(s, "k1"),
		keys:   jwt.VerifierWithKeyID(v, "k1"),
		grant:  session.Grant{Subject: "user", ClientID: "web", Scope: "read"},
	}
	f.m, err = session.New(session.Options{
		Signer: session.FixedSigner(f.signer), Keys: f.keys,
		Issuer: sessionIssuer, Audience: []string{sessionAudience},
	})
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Unix(time.Now().Unix(), 0)
	const family = "AAAAAAAAAAAAAAAAAAAAAA"
	f.access = sessionClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: sessionIssuer, Subject: "user", Audience: jwt.Audience{sessionAudience},
			ExpiresAt: jwt.NewNumericDate(now.Add(session.DefaultAccessTTL)), IssuedAt: jwt.NewNumericDate(now),
			ID: family + ".BBBBBBBBBBBBBBBBBBBBBB",
		},
		FamilyID: family, ClientID: "web", Scope: "read", AuthTime: now.Unix(),
	}
	f.refresh = f.access
	f.refresh.Audience = jwt.Audience{sessionIssuer}
	f.refresh.ExpiresAt = jwt.NewNumericDate(now.Add(session.DefaultRefreshTTL))
	f.refresh.ID = family + ".CCCCCCCCCCCCCCCCCCCCCC"
	f.refreshToken, err = jwt.Sign(context.Background(), f.signer, &f.refresh, &jwt.SignOptions{Type: session.RefreshType})
	if err != nil {
		tb.Fatal(err)
	}
	f.verifyOpts = jwt.VerifyOptions{
		Type: session.RefreshType, Issuer: sessionIssuer, Audience: []string{sessionIssuer},
		Required: []string{"sub", "iat", "jti", "sid", "auth_time"},
	}
	return f
}

// parts signs an access and a refresh token and verifies a refresh token,
// as a refresh must.
func (f *sessionFixture) parts(ctx context.Context) error {
	if _, err := jwt.Sign(ctx, f.signer, &f.access, &jwt.SignOptions{Type: session.AccessType}); err != nil {
		return err
	}
	if _, err := jwt.Sign(ctx, f.signer, &f.refresh, &jwt.SignOptions{Type: session.RefreshType}); err != nil {
		return err
	}
	tok, err := jwt.Verify[sessionClaims](ctx, f.refreshToken, f.keys, &f.verifyOpts)
	if err == nil && tok.Claims.FamilyID == "" {
		err = errors.New("parts: no sid")
	}
	return err
}

// BenchmarkSession/HS256/jwtkit/<issue|refresh|parts>: see above.
func BenchmarkSession(b *testing.B) {
	f := newSessionFixture(b)
	ctx := context.Background()
	b.Run("HS256/jwtkit/issue", func(b *testing.B) {
		measure(b, func() error {
			_, err := f.m.Issue(ctx, f.grant)
			return err
		})
	})
	b.Run("HS256/jwtkit/refresh", func(b *testing.B) {
		p, err := f.m.Issue(ctx, f.grant)
		if err != nil {
			b.Fatal(err)
		}
		measure(b, func() error {
			p, err = f.m.Refresh(ctx, p.RefreshToken)
			return err
		})
	})
	b.Run("HS256/jwtkit/parts", func(b *testing.B) {
		measure(b, func() error { return f.parts(ctx) })
	})
}

// TestSanitySession proves the session rows measure success: Issue and
// Refresh give pairs whose access token VerifyAccess accepts, a redeemed
// refresh token is refused, and the parts row's token verifies while a
// tampered one does not.
func TestSanitySession(t *testing.T) {
	f := newSessionFixture(t)
	ctx := context.Background()
	p, err := f.m.Issue(ctx, f.grant)
	if err != nil {
		t.Fatal(err)
	}
	q, err := f.m.Refresh(ctx, p.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.m.VerifyAccess(ctx, q.AccessToken); err != nil {
		t.Errorf("refreshed access token: %v", err)
	}
	if _, err := f.m.Refresh(ctx, p.RefreshToken); !errors.Is(err, session.ErrReused) {
		t.Errorf("a redeemed refresh token: %v, want ErrReused", err)
	}
	if err := f.parts(ctx); err != nil {
		t.Errorf("parts: %v", err)
	}
	good := f.refreshToken
	f.refreshToken = tamper(good, true)
	if err := f.parts(ctx); err == nil {
		t.Error("parts accepted a tampered refresh token")
	}
	f.refreshToken = good
}
