package jwks

import (
	"context"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
)

// benchSetup returns a token, a local KeySet and a warm Remote holding
// the same keys.
func benchSetup(b *testing.B, alg jwt.Algorithm) (string, *jwt.KeySet, *Remote) {
	k := newKey(b, alg, "k1", false)
	other := newKey(b, alg, "k2", false)
	body := setJSON(b, k, other)
	srv := newServer(b, serve(body, "Cache-Control", "max-age=3600"))
	remote := newTestRemote(b, srv.URL, &Options{Client: srv.Client()})
	if err := remote.Prefetch(context.Background()); err != nil {
		b.Fatal(err)
	}
	set, _, err := Parse(body, nil)
	if err != nil {
		b.Fatal(err)
	}
	local, _, err := set.KeySet()
	if err != nil {
		b.Fatal(err)
	}
	return sign(b, k, time.Now()), local, remote
}

// BenchmarkVerify verifies one token through a local *jwt.KeySet and
// through a warm Remote, in the same run.
func BenchmarkVerify(b *testing.B) {
	for _, alg := range []jwt.Algorithm{jwt.EdDSA, jwt.ES256} {
		token, local, remote := benchSetup(b, alg)
		ctx := context.Background()
		for _, src := range []struct {
			name string
			keys jwt.KeySource
		}{{"local", local}, {"remote", remote}} {
			b.Run(alg.Name()+"/"+src.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := jwt.Verify[jwt.RegisteredClaims](ctx, token, src.keys, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkVerifyRatio alternates verifications through the local KeySet
// and the warm Remote, so that both see the same machine load, and
// reports remote time over local time.
func BenchmarkVerifyRatio(b *testing.B) {
	for _, alg := range []jwt.Algorithm{jwt.EdDSA, jwt.ES256} {
		token, local, remote := benchSetup(b, alg)
		ctx := context.Background()
		b.Run(alg.Name(), func(b *testing.B) {
			var tl, tr time.Duration
			for i := 0; b.Loop(); i++ {
				first, second, t1, t2 := jwt.KeySource(local), jwt.KeySource(remote), &tl, &tr
				if i%2 == 1 {
					first, second, t1, t2 = second, first, t2, t1
				}
				start := time.Now()
				_, err1 := jwt.Verify[jwt.RegisteredClaims](ctx, token, first, nil)
				mid := time.Now()
				_, err2 := jwt.Verify[jwt.RegisteredClaims](ctx, token, second, nil)
				*t1 += mid.Sub(start)
				*t2 += time.Since(mid)
				if err1 != nil || err2 != nil {
					b.Fatal(err1, err2)
				}
			}
			b.ReportMetric(float64(tr)/float64(tl), "remote/local")
		})
	}
}

// BenchmarkLookup measures the lookup alone, the cost a Remote adds.
func BenchmarkLookup(b *testing.B) {
	_, local, remote := benchSetup(b, jwt.EdDSA)
	ctx := context.Background()
	h := jwt.Header{Algorithm: "EdDSA", KeyID: "k1"}
	for _, src := range []struct {
		name string
		keys jwt.KeySource
	}{{"local", local}, {"remote", remote}} {
		b.Run(src.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := src.keys.Lookup(ctx, h); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
