package redisstore_test

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwks"
	"github.com/jwtkit/jwt/jwks/registrytest"
	"github.com/jwtkit/jwt/redisstore"
	"github.com/jwtkit/jwt/session"
	"github.com/jwtkit/jwt/session/storetest"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
	"github.com/stretchr/testify/require"
)

// clusterEnv names the environment variable giving the nodes of a Redis
// Cluster the tests may use (cluster.sh starts a throw-away one).
const clusterEnv = "JWTKIT_REDIS_CLUSTER_ADDRS"

// newClusterClient returns a client of the cluster at $JWTKIT_REDIS_CLUSTER_ADDRS,
// closed when the test ends, and skips the test if the variable is not set.
func newClusterClient(t testing.TB) *redis.ClusterClient {
	t.Helper()
	addrs := os.Getenv(clusterEnv)
	if addrs == "" {
		t.Skipf("%s is not set: no Redis Cluster to test against (redisstore/cluster.sh starts one)", clusterEnv)
	}
	c := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs:                    strings.Split(addrs, ","),
		DialTimeout:              500 * time.Millisecond,
		ReadTimeout:              500 * time.Millisecond,
		WriteTimeout:             500 * time.Millisecond,
		MaxRetries:               1,
		DialerRetries:            2,
		DialerRetryTimeout:       20 * time.Millisecond,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	})
	t.Cleanup(func() { c.Close() })
	return c
}

// clusterPrefix returns a key prefix of its own, whose keys are deleted
// from every master when the test ends.
func clusterPrefix(t testing.TB, c *redis.ClusterClient) string {
	t.Helper()
	prefix := "jwtkit-test:" + randomHex() + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
			iter := m.Scan(ctx, 0, prefix+"*", 1000).Iterator()
			for iter.Next(ctx) {
				m.Del(ctx, iter.Val())
			}
			return nil
		})
	})
	return prefix
}

// TestClusterStore runs the store's behavioural tests, the replay cache's
// included, on a Redis Cluster.
func TestClusterStore(t *testing.T) {
	c := newClusterClient(t)
	storetest.Run(t, func(t *testing.T, now func() time.Time) session.Store {
		s, err := redisstore.New(c, &redisstore.Options{Prefix: clusterPrefix(t, c), Now: now})
		require.NoError(t, err)
		return s
	})
}

// TestClusterRegistry runs the key registry's behavioural tests on a Redis
// Cluster: its two hashes share a hash tag, so each script has one slot.
func TestClusterRegistry(t *testing.T) {
	c := newClusterClient(t)
	registrytest.Run(t, func(t *testing.T, now func() time.Time) jwks.Registry {
		r, err := redisstore.NewRegistry(c, &redisstore.Options{Prefix: clusterPrefix(t, c), Now: now})
		require.NoError(t, err)
		return r
	})
}

// TestClusterFailover kills the master holding a session's keys mid-run:
// every operation fails closed, with session.ErrStoreUnavailable, until a
// replica is promoted; nothing revoked is accepted at any time; and the
// same client then works again. It logs the recovery time.
func TestClusterFailover(t *testing.T) {
	ctx := context.Background()
	c := newClusterClient(t)
	prefix := clusterPrefix(t, c)
	s, err := redisstore.New(c, &redisstore.Options{Prefix: prefix})
	require.NoError(t, err)
	signer, verifier := newTestKeys(t)
	m := newManager(t, s, signer, verifier)

	live, err := m.Issue(ctx, session.Grant{Subject: "alice"})
	require.NoError(t, err)
	revoked, err := m.Issue(ctx, session.Grant{Subject: "alice"})
	require.NoError(t, err)
	require.NoError(t, m.RevokeFamily(ctx, revoked.FamilyID))
	opts := m.AccessOptions() // verify the signature and claims, not the revocation
	revokedAccess, err := jwt.Verify[jwt.RegisteredClaims](ctx, revoked.AccessToken, m.Keys(), &opts)
	require.NoError(t, err)
	liveAccess, err := m.VerifyAccess(ctx, live.AccessToken)
	require.NoError(t, err)

	// The master of the revoked family's slot; its writes reach its
	// replica before the kill (replication is asynchronous: see the
	// package documentation).
	famKey := prefix + "fam:{" + revoked.FamilyID + "}"
	master, err := c.MasterForKey(ctx, famKey)
	require.NoError(t, err)
	// A cluster that has just been created may still be connecting or
	// syncing the replica (cluster_state:ok does not wait for it): ask
	// again until the replica acknowledges, within a bound far above a
	// sync's duration.
	require.NoError(t, master.Set(ctx, "{"+revoked.FamilyID+"}sync", "1", time.Minute).Err())
	var n int64
	for deadline := time.Now().Add(60 * time.Second); n < 1 && time.Now().Before(deadline); {
		n, err = master.Wait(ctx, 1, time.Second).Result()
		require.NoError(t, err)
	}
	require.Equal(t, int64(1), n, "the replica acknowledged the revocation")
	info, err := master.Info(ctx, "server").Result()
	require.NoError(t, err)
	pid := infoField(info, "process_id")
	require.NotZero(t, pid)

	require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))
	killed := time.Now()
	var ops, failures int
	var recovered time.Duration
	for deadline := killed.Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "no recovery within 30 s")
		failed := func(err error) bool {
			ops++
			if errors.Is(err, session.ErrStoreUnavailable) {
				failures++
				return true
			}
			return false
		}
		// Nothing revoked is ever accepted: it is refused as revoked, or
		// the store is unavailable.
		errRevoked := m.CheckAccess(ctx, &revokedAccess.Claims)
		if !failed(errRevoked) {
			require.ErrorIs(t, errRevoked, session.ErrRevoked, "a revoked family's token during failover")
		}
		_, err := m.Refresh(ctx, revoked.RefreshToken)
		if !failed(err) {
			require.ErrorIs(t, err, session.ErrRevoked, "a revoked family's refresh during failover")
		}
		errLive := m.CheckAccess(ctx, &liveAccess.Claims.RegisteredClaims)
		if !failed(errLive) {
			require.NoError(t, errLive, "a live token during failover")
		}
		if errLive == nil && errRevoked != nil && !errors.Is(errRevoked, session.ErrStoreUnavailable) {
			recovered = time.Since(killed)
			break
		}
	}
	t.Logf("master killed: %d of %d operations failed closed (ErrStoreUnavailable), none accepted anything revoked; the same client recovered after %v",
		failures, ops, recovered.Round(time.Millisecond))
	require.Positive(t, failures, "the failover went unnoticed: the test killed the wrong node?")
	// And the session goes on: a refresh works on the promoted replica.
	_, err = m.Refresh(ctx, live.RefreshToken)
	require.NoError(t, err)
}

// infoField returns the integer field name of an INFO reply, or 0.
func infoField(info, name string) int {
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+":"); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return 0
}
