package redisstore_test

import (
	"context"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jwtkit/jwt/session"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// roundTrips counts the round trips of a client: each command or pipeline
// sent.
type roundTrips struct{ n atomic.Int64 }

func (h *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}
func (h *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmds)
	}
}

// TestRefreshOneRoundTrip shows that a refresh on a *redis.Client costs one
// round trip: the revocation check and the rotation in one script.
func TestRefreshOneRoundTrip(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	s, _ := newStore(t, c)
	signer, verifier := newTestKeys(t)
	m := newManager(t, s, signer, verifier)
	p, err := m.Issue(ctx, session.Grant{Subject: "alice"})
	require.NoError(t, err)
	p, err = m.Refresh(ctx, p.RefreshToken) // loads the script (NOSCRIPT, then EVAL)
	require.NoError(t, err)
	var h roundTrips
	c.AddHook(&h)
	const n = 20
	for range n {
		p, err = m.Refresh(ctx, p.RefreshToken)
		require.NoError(t, err)
	}
	require.Equal(t, int64(n), h.n.Load(), "round trips for %d refreshes", n)
	t.Logf("%d refreshes, %d round trips", n, h.n.Load())

	// Every check is kept: the rotated token is reuse, and the family is
	// then revoked.
	_, err = m.Refresh(ctx, p.RefreshToken)
	require.NoError(t, err)
	_, err = m.Refresh(ctx, p.RefreshToken)
	require.ErrorIs(t, err, session.ErrReused)
}

// cpuTime returns the CPU time this process has used, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// twoSteps hides a store's CheckRedeem: a Manager then checks and redeems
// in two round trips, as before CheckRedeem.
type twoSteps struct{ session.Store }

// BenchmarkRefreshVsEVALSHA measures one refresh on Redis (verify the
// refresh token, the revocation check and the rotation, sign a pair), from
// one goroutine, and one bare EVALSHA of a script returning 1, in the same
// run: client CPU (cpu-ns/op, this process: redis-server is another) and
// wall time, and each as a ratio to the EVALSHA's. one-script is the
// refresh of session.CheckRedeemer; two-steps, for comparison, the check
// and the rotation apart.
func BenchmarkRefreshVsEVALSHA(b *testing.B) {
	b.Run("one-script", func(b *testing.B) { benchRefreshVsEVALSHA(b, false) })
	b.Run("two-steps", func(b *testing.B) { benchRefreshVsEVALSHA(b, true) })
}

func benchRefreshVsEVALSHA(b *testing.B, split bool) {
	ctx := context.Background()
	c := newClient(b)
	var s session.Store
	s, _ = newStore(b, c)
	if split {
		s = twoSteps{s}
	}
	signer, verifier := newTestKeys(b)
	m := newManager(b, s, signer, verifier)
	bare := redis.NewScript(`return 1`)
	pairs := make([]*session.Pair, b.N+1)
	for i := range pairs {
		p, err := m.Issue(ctx, session.Grant{Subject: "user", Scope: "read"})
		if err != nil {
			b.Fatal(err)
		}
		pairs[i] = p
	}
	if _, err := m.Refresh(ctx, pairs[b.N].RefreshToken); err != nil { // loads the script
		b.Fatal(err)
	}
	if err := bare.Run(ctx, c, nil).Err(); err != nil {
		b.Fatal(err)
	}
	var h roundTrips
	c.AddHook(&h)

	cpu0, wall0 := cpuTime(b), time.Now()
	for range b.N {
		if err := bare.Run(ctx, c, nil).Err(); err != nil {
			b.Fatal(err)
		}
	}
	evalCPU, evalWall := cpuTime(b)-cpu0, time.Since(wall0)
	trips0 := h.n.Load()

	b.ResetTimer()
	cpu0 = cpuTime(b)
	for i := range b.N {
		if _, err := m.Refresh(ctx, pairs[i].RefreshToken); err != nil {
			b.Fatal(err)
		}
	}
	refreshCPU := cpuTime(b) - cpu0
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(refreshCPU.Nanoseconds())/n, "cpu-ns/op")
	b.ReportMetric(float64(evalCPU.Nanoseconds())/n, "evalsha-cpu-ns/op")
	b.ReportMetric(float64(evalWall.Nanoseconds())/n, "evalsha-ns/op")
	b.ReportMetric(float64(refreshCPU)/float64(evalCPU), "cpu-x-evalsha")
	b.ReportMetric(float64(b.Elapsed())/float64(evalWall), "wall-x-evalsha")
	b.ReportMetric(float64(h.n.Load()-trips0)/n, "round-trips/op")
}
