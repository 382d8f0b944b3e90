package benchmarks

import (
	"context"
	"testing"

	"github.com/jwtkit/jwt"
)

// The parallel rows verify the HS256 fixture token on b.RunParallel's
// goroutines, one per GOMAXPROCS, to show how verification scales with
// cores. Run them with -cpu 1,2 (run.sh does): the throughput scaling is
// ns/op at -cpu 1 divided by ns/op at -cpu 2, and cpu-ns/op, the CPU time of
// all goroutines per op, should stay flat from one to the other.

// parallelCase is one row of BenchmarkVerifyParallel. Each goroutine calls
// newVerify once, for the state it may not share (the raw row's keyed HMAC
// and buffers); what it returns is as verifyCase.verify.
type parallelCase struct {
	name                         string
	newVerify                    func() func(tok string, tokb []byte) error
	checksClaims, checksAudience bool
}

func parallelRows(tb testing.TB, f *fixture) []parallelCase {
	v := jwtkitVerifier(tb, &f.keys)
	opts := &jwt.VerifyOptions{Issuer: claimIss, Audience: []string{claimAud}}
	return []parallelCase{
		{
			name: "raw",
			newVerify: func() func(string, []byte) error {
				verifySig := rawSigVerifier(&f.keys)
				return func(_ string, tokb []byte) error {
					_, err := verifySig(tokb)
					return err
				}
			},
		},
		{
			name: "jwtkit/registered", checksClaims: true, checksAudience: true,
			newVerify: func() func(string, []byte) error {
				return func(tok string, _ []byte) error {
					_, err := jwt.Verify[jwt.RegisteredClaims](context.Background(), tok, v, opts)
					return err
				}
			},
		},
	}
}

// hs256Fixture returns the HS256 fixture of fixtures.
func hs256Fixture(tb testing.TB) *fixture {
	tb.Helper()
	for _, f := range fixtures(tb) {
		if f.alg == "HS256" {
			return f
		}
	}
	tb.Fatal("no HS256 fixture")
	return nil
}

// BenchmarkVerifyParallel/HS256/<impl> verifies the HS256 fixture token on
// every GOMAXPROCS; see above for how to read it.
func BenchmarkVerifyParallel(b *testing.B) {
	f := hs256Fixture(b)
	b.Run(f.alg, func(b *testing.B) {
		for _, c := range parallelRows(b, f) {
			b.Run(c.name, func(b *testing.B) {
				tok, tokb := f.token, f.tokenBytes
				measureParallel(b, func() func() error {
					verify := c.newVerify()
					return func() error { return verify(tok, tokb) }
				})
			})
		}
	})
}

// TestSanityParallel is TestSanity for BenchmarkVerifyParallel, with one
// goroutine's verifier.
func TestSanityParallel(t *testing.T) {
	f := hs256Fixture(t)
	for _, c := range parallelRows(t, f) {
		t.Run(c.name, func(t *testing.T) {
			checkVerifier(t, verifyCase{
				name: c.name, verify: c.newVerify(),
				checksClaims: c.checksClaims, checksAudience: c.checksAudience,
			}, &f.tokenSet)
		})
	}
}
