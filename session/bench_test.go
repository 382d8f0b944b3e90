package session_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwks"
	"github.com/jwtkit/jwt/session"
)

// benchManagers returns the Managers the benchmarks measure, by name: one
// signing with a fixed HS256 key, and one signing with an EdDSA key ring.
func benchManagers(b testing.TB) map[string]*session.Manager {
	b.Helper()
	secret := make([]byte, 32)
	rand.Read(secret)
	s, err := jwt.HS256.NewSigner(secret)
	if err != nil {
		b.Fatal(err)
	}
	v, err := jwt.HS256.NewVerifier(secret)
	if err != nil {
		b.Fatal(err)
	}
	hs, err := session.New(session.Options{
		Signer: session.FixedSigner(jwt.SignerWithKeyID(s, "k1")), Keys: jwt.VerifierWithKeyID(v, "k1"),
		Issuer: "https://auth.example", Audience: []string{"api"},
	})
	if err != nil {
		b.Fatal(err)
	}
	ring, err := jwks.NewKeyRing(&jwks.KeyRingOptions{Algorithm: jwt.EdDSA, MaxTokenLifetime: 48 * time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	ed, err := session.New(session.Options{
		Signer: ring, Keys: ring,
		Issuer: "https://auth.example", Audience: []string{"api"},
	})
	if err != nil {
		b.Fatal(err)
	}
	return map[string]*session.Manager{"HS256": hs, "EdDSA-ring": ed}
}

// BenchmarkIssue measures the start of a session: a pair signed and its
// family created in a MemoryStore.
func BenchmarkIssue(b *testing.B) {
	ms := benchManagers(b)
	for _, name := range []string{"HS256", "EdDSA-ring"} {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			m := ms[name]
			g := session.Grant{Subject: "user", ClientID: "web", Scope: "read"}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Issue(ctx, g); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRefresh measures a whole refresh on a MemoryStore: the refresh
// token verified, the revocation check, a new pair signed, the rotation.
func BenchmarkRefresh(b *testing.B) {
	ms := benchManagers(b)
	for _, name := range []string{"HS256", "EdDSA-ring"} {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			m := ms[name]
			p, err := m.Issue(ctx, session.Grant{Subject: "user", ClientID: "web", Scope: "read"})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if p, err = m.Refresh(ctx, p.RefreshToken); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
