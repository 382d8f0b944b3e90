package redisstore_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/jwtkit/jwt/redisstore"
	"github.com/jwtkit/jwt/session"
)

// benchManagers returns the managers of a benchmark: one on a MemoryStore,
// or two (two app instances, each with its own client) sharing one Redis.
func benchManagers(b *testing.B, store string) []*session.Manager {
	signer, verifier := newTestKeys(b)
	if store == "memory" {
		return []*session.Manager{newManager(b, session.NewMemoryStore(nil), signer, verifier)}
	}
	s1, prefix := newStore(b, newClient(b))
	s2, err := redisstore.New(newClient(b), &redisstore.Options{Prefix: prefix})
	if err != nil {
		b.Fatal(err)
	}
	return []*session.Manager{newManager(b, s1, signer, verifier), newManager(b, s2, signer, verifier)}
}

// BenchmarkRefresh measures refreshes of distinct families per second: a
// whole refresh (verify, revocation check, sign a pair, rotate), with the
// requests spread over the instances.
func BenchmarkRefresh(b *testing.B) {
	for _, store := range []string{"memory", "redis-2-instances"} {
		b.Run(store, func(b *testing.B) {
			ctx := context.Background()
			ms := benchManagers(b, store)
			pairs := make([]*session.Pair, b.N)
			for i := range pairs {
				p, err := ms[i%len(ms)].Issue(ctx, session.Grant{Subject: "user", Scope: "read"})
				if err != nil {
					b.Fatal(err)
				}
				pairs[i] = p
			}
			var next atomic.Int64
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := next.Add(1) - 1
					if _, err := ms[i%int64(len(ms))].Refresh(ctx, pairs[i].RefreshToken); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "refreshes/s")
		})
	}
}

// BenchmarkCheckAccess measures the revocation check of an access token
// (CheckAccess, after the token is verified): its latency from one
// goroutine, and its throughput from many.
func BenchmarkCheckAccess(b *testing.B) {
	for _, store := range []string{"memory", "redis"} {
		for _, parallel := range []bool{false, true} {
			name := store
			if parallel {
				name += "-parallel"
			}
			b.Run(name, func(b *testing.B) {
				ctx := context.Background()
				m := benchManagers(b, store)[0]
				p, err := m.Issue(ctx, session.Grant{Subject: "user"})
				if err != nil {
					b.Fatal(err)
				}
				tok, err := m.VerifyAccess(ctx, p.AccessToken)
				if err != nil {
					b.Fatal(err)
				}
				rc := &tok.Claims.RegisteredClaims
				b.ResetTimer()
				if !parallel {
					for b.Loop() {
						if err := m.CheckAccess(ctx, rc); err != nil {
							b.Fatal(err)
						}
					}
				} else {
					b.SetParallelism(8)
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							if err := m.CheckAccess(ctx, rc); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checks/s")
			})
		}
	}
}
