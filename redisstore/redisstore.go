// Package redisstore is a session.Store (and session.ReplayCache) kept in
// Redis, so that the instances of a service share one view of refresh-token
// families and revocations: a refresh token rotated on one instance is used
// up on all of them, and a revocation is seen by every instance at once.
//
//	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
//	store, err := redisstore.New(client, nil)
//	m, err := session.New(session.Options{Signer: ring, Keys: ring, Store: store})
//
// # Atomicity and keys
//
// Every change is one Lua script or one command, so it is atomic: rotation
// (compare-and-set of the current refresh token), reuse detection (which
// revokes the family in the same step), and each revocation. Each script
// touches exactly one key, and the key of a family carries the family ID as
// its hash tag ("jwtkit:fam:{ID}"): any further key of a family must carry
// the same tag, so the store works on Redis Cluster. A revocation check
// reads up to three keys (the token, its family, its subject) in one
// pipelined round trip.
//
// Every key has a TTL: a family lives until its last token expires, a
// revoked token ID until the token's expiry, a subject revocation until the
// last token it could revoke has expired (see session.Options.ClockSkew), a
// replay-cache key (a DPoP proof seen, under "seen:") for the TTL asked;
// nothing grows without bound. Subjects, token IDs and replay-cache keys
// appear in keys as SHA-256 digests, not as given.
//
// # Memory, and the replay cache
//
// Give Redis a maxmemory with the noeviction policy: a full Redis then
// refuses writes rather than evicting a revocation. No other policy is
// safe, since every key has a TTL: volatile-ttl, for one, evicts by a
// sample, and can drop a revocation before the replay keys. Redis has no
// memory quota per key prefix either, so a full instance refuses every
// write, whatever filled it: revocations fail (with
// session.ErrStoreUnavailable) as much as proofs.
//
// The replay cache is what requests can fill: one key per accepted DPoP
// proof, and anyone can make valid proofs with keys of their own. The
// session handlers and package jwthttp remember a proof only once the
// request is otherwise authenticated (a password or a token accepted; see
// dpop.Verifier.VerifyRequestPending), so anonymous requests add no key; each key
// lives at most twice the proof window and a second. For revocations never
// to share a failure with the replay cache, give the DPoP verifiers a
// Store of their own on another Redis (another database of the same server
// shares its maxmemory), as dpop.Options.ReplayCache: when that one fills,
// proofs are refused, closed, and revocations go on.
//
// A Store is a replay cache for DPoP proofs (dpop.Options.ReplayCache), so
// that a proof used on one instance is refused on all (see Store.Remember
// for what a lost reply does).
//
// Reads never go through a client-side cache: New refuses a client with one
// enabled, since a cached answer could let a revoked token through.
//
// # Failures and persistence
//
// Any error from Redis (unreachable, timed out, a finished context) is
// returned wrapping session.ErrStoreUnavailable, so the session package
// fails closed. The client reconnects by itself once Redis is back (go-redis
// probes a failed server once a second, so for up to about a second some
// calls still fail, closed), and the scripts are reloaded if Redis lost
// them. For revocations to survive a
// restart of Redis, run it with append-only persistence (appendonly yes);
// with appendfsync always, nothing acknowledged is lost even if Redis
// crashes, and with the default everysec, up to a second of writes may be.
//
// # Redis Cluster
//
// A Store (and a Registry) works on Redis Cluster with a
// *redis.ClusterClient: every script touches keys of one hash tag, so of
// one slot. A refresh then costs two round trips, the revocation check and
// the rotation, whose keys lie in different slots; on a *redis.Client it
// costs one (see Store.CheckRedeem). After any failure the Store asks a
// cluster client to reload the cluster's slots, so that, once a replica has
// taken the place of a master that died, the same client finds it within
// moments rather than at go-redis's next scheduled reload (a minute unless
// ClusterStateReloadInterval says otherwise). Until then every call on the
// dead master's slots fails closed, with session.ErrStoreUnavailable.
// Replication is asynchronous: a write the master acknowledged but had not
// passed on when it died is lost with it, a revocation too. To bound that,
// run the masters with min-replicas-to-write 1 (and min-replicas-max-lag),
// and use append-only persistence on every node.
//
// The times in the store are those of the service's clock (family start,
// subject revocations) and of the Redis server's clock (the reuse grace
// window, so that it is measured by one clock for all instances); keep the
// clocks synchronized.
package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
	"github.com/jwtkit/jwt/session"
	"github.com/redis/go-redis/v9"
)

// DefaultPrefix begins every key unless Options.Prefix is set.
const DefaultPrefix = "jwtkit:"

// Options configures a Store. A nil pointer means the defaults.
type Options struct {
	// Prefix begins every key; "" means DefaultPrefix. Stores with
	// different prefixes share nothing.
	Prefix string
	// Now returns the current time, from which expiry times become TTLs;
	// nil means time.Now. It must agree with the Manager's clock.
	Now func() time.Time
}

// Store is a session.Store and session.ReplayCache in Redis. It is safe for
// concurrent use.
type Store struct {
	client redis.UniversalClient
	prefix string
	now    func() time.Time
}

var (
	_ session.Store       = (*Store)(nil)
	_ session.ReplayCache = (*Store)(nil)
	_ dpop.ReplayCache    = (*Store)(nil)
)

// New returns a Store using client, a *redis.Client, *redis.ClusterClient
// or any other UniversalClient. It does no I/O. A *redis.Client with
// client-side caching enabled is an error wrapping jwt.ErrInvalidOption.
func New(client redis.UniversalClient, opts *Options) (*Store, error) {
	if client == nil {
		return nil, invalidOption("nil client")
	}
	if c, ok := client.(*redis.Client); ok {
		if o := c.Options(); o.ClientSideCache != nil || o.ClientSideCacheConfig != nil {
			return nil, invalidOption("the client has client-side caching enabled; a cached read could miss a revocation")
		}
	}
	s := &Store{client: client, prefix: DefaultPrefix, now: time.Now}
	if opts != nil {
		if opts.Prefix != "" {
			s.prefix = opts.Prefix
		}
		if opts.Now != nil {
			s.now = opts.Now
		}
	}
	return s, nil
}

func digest(s string) string {
	h := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

func (s *Store) familyKey(id string) string   { return s.prefix + "fam:{" + id + "}" }
func (s *Store) tokenKey(id string) string    { return s.prefix + "jti:{" + digest(id) + "}" }
func (s *Store) subjectKey(sub string) string { return s.prefix + "sub:{" + digest(sub) + "}" }
func (s *Store) replayKey(key string) string  { return s.prefix + "seen:{" + digest(key) + "}" }

// nanos formats t for the store: nanoseconds since 1970, in decimal without
// leading zeros, so that a script compares two of them exactly as strings
// (longer is later; of equal lengths, the greater string); a time before
// 1970 is written as 0.
func nanos(t time.Time) string { return strconv.FormatInt(max(t.UnixNano(), 0), 10) }

// legacyMillis bounds the times that earlier versions of this package wrote
// in milliseconds: below it a stored time is in milliseconds (up to the
// year 5138), at or above it in nanoseconds (from 1970-01-12 on).
const legacyMillis = 1_000_000_000_000_000

// parseNanos reads a time written by nanos, or in milliseconds by an
// earlier version of this package.
func parseNanos(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad time %q", s)
	}
	if n < legacyMillis {
		n *= int64(time.Millisecond)
	}
	return n, nil
}
func unavailable(err error) error {
	return fmt.Errorf("%w: redis: %w", session.ErrStoreUnavailable, err)
}

// invalidOption returns an error reading "redisstore: invalid option: " +
// detail, wrapping jwt.ErrInvalidOption.
func invalidOption(detail string) error {
	return &optionError{detail}
}

// optionError is an error wrapping jwt.ErrInvalidOption under this
// package's name.
type optionError struct{ detail string }

func (e *optionError) Error() string { return "redisstore: invalid option: " + e.detail }
func (e *optionError) Unwrap() error { return jwt.ErrInvalidOption }

// ttl returns the milliseconds from now to until, rounded up, or 0 if
// until has passed.
func (s *Store) ttl(until time.Time) int64 {
	d := until.Sub(s.now())
	if d <= 0 {
		return 0
	}
	return int64((d + time.Millisecond - 1) / time.Millisecond)
}

// The scripts. Each touches only KEYS[1]. Numbers are passed and stored as
// decimal strings, never formatted by Lua.
var (
	// ARGV: subject digest, created (ns), current jti, TTL (ms).
	// Returns 1 if created (or created before, identically), 0 if the ID is taken.
	createScript = redis.NewScript(`
local f = redis.call('HMGET', KEYS[1], 'sub', 'created', 'cur', 'prev')
if f[1] then
  if f[1] == ARGV[1] and f[2] == ARGV[2] and f[3] == ARGV[3] and not f[4] then return 1 end
  return 0
end
redis.call('HSET', KEYS[1], 'sub', ARGV[1], 'created', ARGV[2], 'cur', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1`)

	// ARGV: presented jti, next jti, new TTL (ms), grace (ms).
	// Returns ok, unknown, revoked, retry or reused. The rotation that
	// finds reuse records itself ('rp', 'rn'), so that, run again (a
	// client retrying after a lost reply), it returns reused again.
	rotateScript = redis.NewScript(rotateLua + `
return rotate(redis.call('HMGET', KEYS[1], 'cur', 'prev', 'rot', 'rev', 'rp', 'rn'))`)

	// rotateLua is the function rotate(f) of rotateScript, shared with
	// checkRedeemScript: f is the family's fields cur, prev, rot, rev, rp
	// and rn (and maybe more).
	rotateLua = `
local function rotate(f)
if not f[1] then return 'unknown' end
if f[4] then
  if f[5] == ARGV[1] and f[6] == ARGV[2] then return 'reused' end
  return 'revoked'
end
local t = redis.call('TIME')
local now = t[1] .. string.format('%03d', math.floor(tonumber(t[2]) / 1000))
if f[1] == ARGV[1] then
  redis.call('HSET', KEYS[1], 'cur', ARGV[2], 'prev', ARGV[1], 'rot', now)
  if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) then
    redis.call('PEXPIRE', KEYS[1], ARGV[3])
  end
  return 'ok'
end
if f[1] == ARGV[2] and f[2] == ARGV[1] then return 'ok' end
if f[2] == ARGV[1] and tonumber(now) - tonumber(f[3]) < tonumber(ARGV[4]) then return 'retry' end
redis.call('HSET', KEYS[1], 'rev', '1', 'rp', ARGV[1], 'rn', ARGV[2])
return 'reused'
end
`

	// Marks an existing family revoked, keeping its TTL.
	revokeFamilyScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'rev', '1') end
return 1`)

	// ARGV: TTL (ms). Sets the key, never shortening its TTL.
	revokeTokenScript = redis.NewScript(`
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 1`)

	// ARGV: cutoff (ns), TTL (ms). Raises the cutoff and the TTL, never
	// lowering either. Cutoffs are compared as decimal strings (a Lua
	// number holds nanoseconds only to 256 of them); one of 15 digits or
	// fewer is in milliseconds, written by an earlier version.
	revokeSubjectScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur and #cur < 16 then cur = cur .. '000000' end
if not cur or #cur < #ARGV[1] or (#cur == #ARGV[1] and cur < ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
end
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1`)
)

// Create implements session.Store.
func (s *Store) Create(ctx context.Context, f session.Family) error {
	ttl := s.ttl(f.Expires)
	if ttl == 0 {
		return nil // expired at birth: nothing to keep
	}
	n, err := createScript.Run(ctx, s.client, []string{s.familyKey(f.ID)},
		digest(f.Subject), nanos(f.Created), f.Token, ttl).Int()
	if err != nil {
		return s.unavailable(err)
	}
	if n != 1 {
		return fmt.Errorf("%w: family ID already in use", session.ErrStoreUnavailable)
	}
	return nil
}

// Redeem implements session.Store.
func (s *Store) Redeem(ctx context.Context, r session.Redemption) error {
	res, err := rotateScript.Run(ctx, s.client, []string{s.familyKey(r.Family)},
		r.Presented, r.Next, max(s.ttl(r.Expires), 1), r.Grace.Milliseconds()).Text()
	if err != nil {
		return s.unavailable(err)
	}
	return rotation(res)
}

// rotation returns the error of a rotation's result.
func rotation(res string) error {
	switch res {
	case "ok":
		return nil
	case "unknown":
		return fmt.Errorf("%w: unknown or expired session", session.ErrRevoked)
	case "revoked":
		return fmt.Errorf("%w: session revoked", session.ErrRevoked)
	case "retry":
		return session.ErrRecentlyRotated
	case "reused":
		return session.ErrReused
	}
	return fmt.Errorf("%w: unexpected rotation result %q", session.ErrStoreUnavailable, res)
}

// RevokeFamily implements session.Store.
func (s *Store) RevokeFamily(ctx context.Context, id string) error {
	if err := revokeFamilyScript.Run(ctx, s.client, []string{s.familyKey(id)}).Err(); err != nil {
		return s.unavailable(err)
	}
	return nil
}

// RevokeToken implements session.Store.
func (s *Store) RevokeToken(ctx context.Context, id string, until time.Time) error {
	ttl := s.ttl(until)
	if ttl == 0 {
		return nil
	}
	if err := revokeTokenScript.Run(ctx, s.client, []string{s.tokenKey(id)}, ttl).Err(); err != nil {
		return s.unavailable(err)
	}
	return nil
}

// RevokeSubject implements session.Store.
func (s *Store) RevokeSubject(ctx context.Context, subject string, before, until time.Time) error {
	ttl := s.ttl(until)
	if ttl == 0 {
		return nil
	}
	if err := revokeSubjectScript.Run(ctx, s.client, []string{s.subjectKey(subject)}, nanos(before), ttl).Err(); err != nil {
		return s.unavailable(err)
	}
	return nil
}

// Check implements session.Store, with one pipelined round trip.
func (s *Store) Check(ctx context.Context, t session.TokenRef) error {
	var (
		revoked *redis.IntCmd
		family  *redis.SliceCmd
	)
	pipe := s.client.Pipeline()
	if t.ID != "" {
		revoked = pipe.Exists(ctx, s.tokenKey(t.ID))
	}
	if t.Family != "" {
		family = pipe.HMGet(ctx, s.familyKey(t.Family), "rev", "created", "sub")
	}
	cutoff := pipe.Get(ctx, s.subjectKey(t.Subject))
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return s.unavailable(err)
	}
	if revoked != nil && revoked.Val() > 0 {
		return fmt.Errorf("%w: token ID revoked", session.ErrRevoked)
	}
	began := int64(-1)
	if !t.IssuedAt.IsZero() {
		began = max(t.IssuedAt.UnixNano(), 0)
	}
	if family != nil {
		f := family.Val()
		created, _ := f[1].(string)
		switch {
		case f[2] == nil:
			return fmt.Errorf("%w: unknown or expired session", session.ErrRevoked)
		case f[0] != nil:
			return fmt.Errorf("%w: session revoked", session.ErrRevoked)
		case f[2] != digest(t.Subject):
			return fmt.Errorf("%w: session of another subject", session.ErrRevoked)
		}
		n, err := parseNanos(created)
		if err != nil {
			return fmt.Errorf("%w: malformed family record", session.ErrStoreUnavailable)
		}
		began = n
	}
	if c, err := cutoff.Result(); err == nil {
		n, err := parseNanos(c)
		if err != nil {
			return fmt.Errorf("%w: malformed subject record", session.ErrStoreUnavailable)
		}
		if began < n {
			return fmt.Errorf("%w: all tokens of the subject revoked", session.ErrRevoked)
		}
	}
	return nil
}

// Remember implements session.ReplayCache (and dpop.ReplayCache) with one
// command, SET key 1 NX PX ttl, the ttl rounded up to a millisecond: the
// key is set, with its expiry, only if it is absent, atomically for every
// instance.
//
// If the reply to the SET is lost (a connection reset after Redis ran
// it), go-redis sends the command again, up to the client's MaxRetries
// times (3 unless set), and the repeated SET finds the key the first one
// set: Remember then reports the key as seen, and the proof is refused as a
// replay although it was not. This fails closed: the client makes a new
// proof, and no replay is ever accepted. A client with MaxRetries -1 never
// retries, and reports the lost reply as an error instead, which refuses
// the proof too.
func (s *Store) Remember(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if ttl < time.Millisecond {
		return false, invalidOption(fmt.Sprintf("replay cache TTL %v below 1ms", ttl))
	}
	ms := int64((ttl + time.Millisecond - 1) / time.Millisecond)
	err := s.client.Do(ctx, "set", s.replayKey(key), "1", "nx", "px", ms).Err()
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, redis.Nil):
		return false, nil // NX: the key was there
	}
	return false, s.unavailable(err)
}
