package dpop_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	jwt "github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
)

// alwaysFresh is a ReplayCache that remembers nothing, so that a benchmark
// can verify one proof many times.
type alwaysFresh struct{}

func (alwaysFresh) Remember(context.Context, string, time.Duration) (bool, error) { return true, nil }

func BenchmarkVerify(b *testing.B) {
	ctx := context.Background()
	for _, tc := range []struct {
		alg jwt.Algorithm
		key string
	}{{jwt.ES256, "P-256"}, {jwt.EdDSA, "Ed25519"}, {jwt.PS256, "RSA"}} {
		b.Run(tc.alg.Name(), func(b *testing.B) {
			p, err := dpop.NewProver(tc.alg, key(tc.key))
			if err != nil {
				b.Fatal(err)
			}
			proof, err := p.NewProof(ctx, "GET", testURI, &dpop.ProofOptions{AccessToken: testToken, IssuedAt: t0})
			if err != nil {
				b.Fatal(err)
			}
			v, err := dpop.NewVerifier(&dpop.Options{ReplayCache: alwaysFresh{}, Now: func() time.Time { return t0 }})
			if err != nil {
				b.Fatal(err)
			}
			req := &dpop.Request{Method: "GET", URI: testURI, AccessToken: testToken, JKT: p.JKT()}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(ctx, proof, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkNewProof(b *testing.B) {
	ctx := context.Background()
	p, err := dpop.NewProver(jwt.ES256, key("P-256"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.NewProof(ctx, "GET", testURI, &dpop.ProofOptions{AccessToken: testToken}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMemoryReplayCache(b *testing.B) {
	ctx := context.Background()
	c := dpop.NewMemoryReplayCache(&dpop.MemoryReplayCacheOptions{MaxEntries: 1 << 20})
	keys := make([]string, 1<<16)
	for i := range keys {
		keys[i] = fmt.Sprintf("dpop-jti:%043d", i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.Remember(ctx, keys[i%len(keys)], time.Minute)
		i++
	}
}
