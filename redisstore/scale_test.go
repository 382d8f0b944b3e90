package redisstore_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwt/session"
)

// scaleEnv names the environment variable listing the numbers of live
// sessions TestScale measures at, such as "1000,100000,1000000"; unset,
// TestScale is skipped.
const scaleEnv = "JWTKIT_SCALE"

// keyMemory is what Redis holds for one key: MEMORY USAGE (the key, its
// value and Redis's overhead, SAMPLES 0: every field) and the raw bytes of
// the key's name and data.
type keyMemory struct {
	kind       string
	usage, raw int64
}

// measureKey reads the memory of key, a string or a hash.
func measureKey(ctx context.Context, t *testing.T, c *redis.Client, kind, key string) keyMemory {
	t.Helper()
	usage, err := c.MemoryUsage(ctx, key, 0).Result()
	require.NoError(t, err, key)
	raw := int64(len(key))
	switch typ := c.Type(ctx, key).Val(); typ {
	case "hash":
		for f, v := range c.HGetAll(ctx, key).Val() {
			raw += int64(len(f) + len(v))
		}
	case "string":
		raw += int64(len(c.Get(ctx, key).Val()))
	default:
		t.Fatalf("key %s is a %s", key, typ)
	}
	return keyMemory{kind: kind, usage: usage, raw: raw}
}

// TestMemoryPerSession measures the Redis memory of what one session
// creates (its family, after the login and after a refresh) and of each
// kind of revocation record, beside the raw bytes each holds, and checks
// that the store keeps to one key per session.
func TestMemoryPerSession(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	s, prefix := newStore(t, c)
	signer, verifier := newTestKeys(t)
	m := newManager(t, s, signer, verifier)

	keysOf := func() []string {
		keys, err := c.Keys(ctx, prefix+"*").Result()
		require.NoError(t, err)
		return keys
	}
	p, err := m.Issue(ctx, session.Grant{Subject: "alice@example.com", ClientID: "web", Scope: "read"})
	require.NoError(t, err)
	fam := prefix + "fam:{" + p.FamilyID + "}"
	require.Equal(t, []string{fam}, keysOf(), "a session is one key")
	rows := []keyMemory{measureKey(ctx, t, c, "session, after login (family hash)", fam)}
	_, err = m.Refresh(ctx, p.RefreshToken)
	require.NoError(t, err)
	require.Equal(t, []string{fam}, keysOf(), "a refreshed session is still one key")
	rows = append(rows, measureKey(ctx, t, c, "session, after a refresh (family hash)", fam))

	before := keysOf()
	require.NoError(t, m.RevokeToken(ctx, p.AccessToken))
	jti := newKey(t, before, keysOf())
	rows = append(rows, measureKey(ctx, t, c, "revoked access token (jti)", jti))
	before = keysOf()
	require.NoError(t, m.RevokeSubject(ctx, "alice@example.com", time.Now()))
	sub := newKey(t, before, keysOf())
	rows = append(rows, measureKey(ctx, t, c, "revoked subject (sub)", sub))

	var b strings.Builder
	b.WriteString("\n| record | MEMORY USAGE (bytes) | raw key + data (bytes) |\n|---|--:|--:|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %d | %d |\n", r.kind, r.usage, r.raw)
		require.Positive(t, r.usage)
		require.Greater(t, r.usage, r.raw, "Redis keeps at least the data")
	}
	t.Log(b.String())
}

// newKey returns the one key of after that is not in before.
func newKey(t *testing.T, before, after []string) string {
	t.Helper()
	var added []string
	for _, k := range after {
		if !contains(before, k) {
			added = append(added, k)
		}
	}
	require.Len(t, added, 1, "one new key")
	return added[0]
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestScale measures a refresh and a revocation check against the number
// of live sessions and revocation records in Redis: at each count of
// JWTKIT_SCALE, Redis is filled with that many families and as many
// revoked token IDs (copies, by DUMP and RESTORE, of a real family and a
// real revocation of the store, under new keys, with their TTLs), then a
// sample of sessions issued by a Manager is refreshed once each and their
// access tokens checked, one at a time: the time per operation is one
// round trip's (two for a refresh) and what Redis does. Redis's used_memory
// per live session is reported beside.
func TestScale(t *testing.T) {
	spec := os.Getenv(scaleEnv)
	if spec == "" {
		t.Skipf("%s is not set: no counts of live sessions to measure at (such as 1000,100000,1000000)", scaleEnv)
	}
	ctx := context.Background()
	c := newClient(t)
	s, prefix := newStore(t, c)
	signer, verifier := newTestKeys(t)
	m := newManager(t, s, signer, verifier)

	// A real family and a real revocation record, to copy.
	p, err := m.Issue(ctx, session.Grant{Subject: "model", ClientID: "web", Scope: "read"})
	require.NoError(t, err)
	famDump, err := c.Dump(ctx, prefix+"fam:{"+p.FamilyID+"}").Result()
	require.NoError(t, err)
	require.NoError(t, m.RevokeToken(ctx, p.AccessToken))
	jtis, err := c.Keys(ctx, prefix+"jti:*").Result()
	require.NoError(t, err)
	require.Len(t, jtis, 1)
	jtiDump, err := c.Dump(ctx, jtis[0]).Result()
	require.NoError(t, err)
	require.NoError(t, c.Del(ctx, jtis[0]).Err())

	// Filling is bulk work: a client of its own, with long timeouts.
	fo := clientOptions(os.Getenv(addrEnv))
	fo.ReadTimeout, fo.WriteTimeout = time.Minute, time.Minute
	filler := redis.NewClient(fo)
	// Remove the copies in batches before the store's own cleanup, which
	// deletes key by key (runs after this one: cleanups run last first).
	t.Cleanup(func() {
		iter := filler.Scan(ctx, 0, prefix+"*", 5000).Iterator()
		var batch []string
		for iter.Next(ctx) {
			if batch = append(batch, iter.Val()); len(batch) == 5000 {
				filler.Unlink(ctx, batch...)
				batch = batch[:0]
			}
		}
		if len(batch) > 0 {
			filler.Unlink(ctx, batch...)
		}
		filler.Close()
	})

	const sample = 2000
	base := usedMemory(ctx, t, c)
	var b strings.Builder
	b.WriteString("\n| live sessions | revoked token IDs | used_memory per session + record (bytes) | refresh (µs/op) | revocation check (µs/op) | forks while timed (AOF rewrite, snapshot) |\n|--:|--:|--:|--:|--:|--:|\n")
	filled := 0
	for _, f := range strings.Split(spec, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		require.NoError(t, err, "%s: %q", scaleEnv, spec)
		require.GreaterOrEqual(t, n, filled, "%s must grow", scaleEnv)
		fill(ctx, t, filler, prefix, famDump, jtiDump, filled, n)
		filled = n
		perKey := float64(usedMemory(ctx, t, c)-base) / float64(n)

		pairs := make([]*session.Pair, sample)
		for i := range pairs {
			pairs[i], err = m.Issue(ctx, session.Grant{Subject: "user" + strconv.Itoa(i), Scope: "read"})
			require.NoError(t, err)
		}
		forks := infoInt(ctx, t, c, "stats", "total_forks")
		start := time.Now()
		for _, p := range pairs {
			_, err := m.Refresh(ctx, p.RefreshToken)
			require.NoError(t, err)
		}
		refresh := time.Since(start) / sample
		start = time.Now()
		for _, p := range pairs {
			_, err := m.VerifyAccess(ctx, p.AccessToken) // verify, then CheckAccess: one round trip
			require.NoError(t, err)
		}
		check := time.Since(start) / sample
		fmt.Fprintf(&b, "| %d | %d | %.0f | %.1f | %.1f | %d |\n", n, n, perKey,
			float64(refresh)/float64(time.Microsecond), float64(check)/float64(time.Microsecond),
			infoInt(ctx, t, c, "stats", "total_forks")-forks)
	}
	t.Log(b.String())
}

// fill adds families and revoked token IDs from..to-1 under prefix, as
// copies of the dumped ones, with a day's TTL, in pipelines.
func fill(ctx context.Context, t *testing.T, c *redis.Client, prefix, famDump, jtiDump string, from, to int) {
	t.Helper()
	const batch = 1000
	var id [16]byte
	for i := from; i < to; i += batch {
		pipe := c.Pipeline()
		for j := i; j < min(i+batch, to); j++ {
			rand.Read(id[:])
			fam := base64.RawURLEncoding.EncodeToString(id[:])
			pipe.RestoreReplace(ctx, prefix+"fam:{"+fam+"}", 24*time.Hour, famDump)
			rand.Read(id[:])
			jti := base64.RawURLEncoding.EncodeToString(append(id[:], id[:]...)) // 43 characters, as a digest
			pipe.RestoreReplace(ctx, prefix+"jti:{"+jti[:43]+"}", time.Hour, jtiDump)
		}
		_, err := pipe.Exec(ctx)
		require.NoError(t, err)
	}
}

// usedMemory returns Redis's used_memory.
func usedMemory(ctx context.Context, t *testing.T, c *redis.Client) int64 {
	return infoInt(ctx, t, c, "memory", "used_memory")
}

// infoInt returns the integer field name of section of Redis's INFO.
func infoInt(ctx context.Context, t *testing.T, c *redis.Client, section, name string) int64 {
	t.Helper()
	info, err := c.Info(ctx, section).Result()
	require.NoError(t, err)
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			require.NoError(t, err)
			return n
		}
	}
	t.Fatalf("no %s in INFO %s", name, section)
	return 0
}
