package session_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jwtkit/jwt/dpop"
	"github.com/jwtkit/jwt/session"
	"github.com/jwtkit/jwt/session/storetest"
	"github.com/stretchr/testify/require"
)

func TestMemoryStore(t *testing.T) {
	storetest.Run(t, func(_ *testing.T, now func() time.Time) session.Store {
		return session.NewMemoryStore(&session.MemoryStoreOptions{Now: now})
	})
}

// Both are dpop.ReplayCache: a store can be given to dpop.Options.
var (
	_ dpop.ReplayCache = session.ReplayCache(nil)
	_ dpop.ReplayCache = (*session.MemoryStore)(nil)
)

// TestMemoryStoreReplayBoundIsSeparate shows that a MemoryStore whose
// replay cache is full, as a flood of DPoP proofs would leave it, still
// records and checks sessions and revocations: the bound on replay keys
// is their own, and revocations share no failure with them (issue 21).
func TestMemoryStoreReplayBoundIsSeparate(t *testing.T) {
	ctx := context.Background()
	const bound = 100
	s := session.NewMemoryStore(&session.MemoryStoreOptions{MaxReplayKeys: bound})
	for i := range bound {
		fresh, err := s.Remember(ctx, fmt.Sprint("proof-", i), time.Minute)
		require.NoError(t, err)
		require.True(t, fresh)
	}
	_, err := s.Remember(ctx, "one more", time.Minute)
	require.ErrorIs(t, err, session.ErrStoreUnavailable, "the replay cache is full")

	now := time.Now()
	for i := range 10 * bound { // sessions and revocations, beyond the replay bound
		f := session.Family{ID: fmt.Sprint("fam-", i), Subject: "alice", Created: now, Token: "t0", Expires: now.Add(time.Hour)}
		require.NoError(t, s.Create(ctx, f))
		require.NoError(t, s.Redeem(ctx, session.Redemption{Family: f.ID, Presented: "t0", Next: "t1", Expires: now.Add(time.Hour)}))
		require.NoError(t, s.RevokeToken(ctx, fmt.Sprint("jti-", i), now.Add(time.Hour)))
		require.NoError(t, s.RevokeFamily(ctx, f.ID))
		require.NoError(t, s.RevokeSubject(ctx, fmt.Sprint("user-", i), now, now.Add(time.Hour)))
		require.ErrorIs(t, s.Check(ctx, session.TokenRef{ID: "t1", Family: f.ID, Subject: "alice"}), session.ErrRevoked)
	}
	_, err = s.Remember(ctx, "one more", time.Minute)
	require.ErrorIs(t, err, session.ErrStoreUnavailable, "sessions and revocations took no room from the replay cache, nor gave it any")
}
