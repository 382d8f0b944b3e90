package redisstore

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwks"
	"github.com/redis/go-redis/v9"
)

// Registry is a jwks.Registry in Redis: the instances of a service, each
// with a jwks.SharedRing, publish their public keys in it and serve one JWK
// Set. Only public keys are ever written; private keys stay in each
// instance's memory.
//
// The registry is two hashes sharing one hash tag, so that each script
// touches one slot and works on Redis Cluster: prefix + "jwks:{reg}"
// holds each published key by kid ("expiry in ms|JWK"), and
// prefix + "jwks:{reg}:w" each withdrawal by kid (its expiry in ms). Every
// Publish and Withdraw drops the entries whose time has passed, and each
// hash expires with its last entry. Expiries are those of Options.Now.
//
// It is safe for concurrent use. Errors from Redis wrap
// jwks.ErrRegistryUnavailable.
type Registry struct {
	client    redis.UniversalClient
	keys      string
	withdrawn string
	now       func() time.Time
}

var _ jwks.Registry = (*Registry)(nil)

// NewRegistry returns a Registry using client; opts (Prefix, Now) may be
// nil. It does no I/O.
func NewRegistry(client redis.UniversalClient, opts *Options) (*Registry, error) {
	s, err := New(client, opts) // the same checks of client and options
	if err != nil {
		return nil, err
	}
	return &Registry{
		client:    client,
		keys:      s.prefix + "jwks:{reg}",
		withdrawn: s.prefix + "jwks:{reg}:w",
		now:       s.now,
	}, nil
}

// The scripts, on KEYS[1] the keys and KEYS[2] the withdrawals. Times are
// Unix milliseconds, which a Lua number holds exactly.
var (
	// prune(h, now): drops the entries of hash h that expire by now, and
	// sets h to expire with its last entry.
	pruneLua = `
local function prune(h, now)
  local all = redis.call('HGETALL', h)
  local last = 0
  for i = 1, #all, 2 do
    local u = tonumber(string.match(all[i+1], '^(%d+)'))
    if u <= now then redis.call('HDEL', h, all[i]) elseif u > last then last = u end
  end
  if last > 0 then redis.call('PEXPIRE', h, last - now) end
end
`
	// ARGV: kid, until, JWK, now. Returns ok or withdrawn.
	publishScript = redis.NewScript(pruneLua + `
local now = tonumber(ARGV[4])
local w = redis.call('HGET', KEYS[2], ARGV[1])
if w and tonumber(w) > now then return 'withdrawn' end
if tonumber(ARGV[2]) <= now then return 'ok' end
local u = ARGV[2]
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old then
  local ou = string.match(old, '^(%d+)')
  if tonumber(ou) > tonumber(u) then u = ou end
end
redis.call('HSET', KEYS[1], ARGV[1], u .. '|' .. ARGV[3])
prune(KEYS[1], now)
return 'ok'`)

	// ARGV: kid, until, now.
	withdrawScript = redis.NewScript(pruneLua + `
local now = tonumber(ARGV[3])
redis.call('HDEL', KEYS[1], ARGV[1])
local w = redis.call('HGET', KEYS[2], ARGV[1])
if tonumber(ARGV[2]) > now and (not w or tonumber(w) < tonumber(ARGV[2])) then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
end
prune(KEYS[2], now)
return 1`)
)

func ms(t time.Time) string { return strconv.FormatInt(max(t.UnixMilli(), 0), 10) }

func registryUnavailable(err error) error {
	return fmt.Errorf("%w: redis: %w", jwks.ErrRegistryUnavailable, err)
}

// Publish implements jwks.Registry with one script.
func (r *Registry) Publish(ctx context.Context, key *jwt.JWK, until time.Time) error {
	if err := jwks.CheckPublishable(key); err != nil {
		return err
	}
	body, err := key.MarshalJSON()
	if err != nil {
		return err
	}
	res, err := publishScript.Run(ctx, r.client, []string{r.keys, r.withdrawn},
		key.KeyID, ms(until), string(body), ms(r.now())).Text()
	if err != nil {
		return r.unavailable(err)
	}
	if res == "withdrawn" {
		return fmt.Errorf("%w: kid %q", jwks.ErrWithdrawn, key.KeyID)
	}
	return nil
}

// Withdraw implements jwks.Registry with one script.
func (r *Registry) Withdraw(ctx context.Context, kid string, until time.Time) error {
	err := withdrawScript.Run(ctx, r.client, []string{r.keys, r.withdrawn}, kid, ms(until), ms(r.now())).Err()
	if err != nil {
		return r.unavailable(err)
	}
	return nil
}

// Keys implements jwks.Registry with one command, HGETALL. An entry that is
// not a public JWK under its own kid, which only a writer other than a
// Registry makes, is skipped: never verified with, and no reason for every
// instance to stop.
func (r *Registry) Keys(ctx context.Context) ([]*jwt.JWK, error) {
	all, err := r.client.HGetAll(ctx, r.keys).Result()
	if err != nil {
		return nil, r.unavailable(err)
	}
	now := r.now().UnixMilli()
	set := jwks.Set{}
	for kid, v := range all {
		i := 0
		for i < len(v) && v[i] != '|' {
			i++
		}
		until, err := strconv.ParseInt(v[:i], 10, 64)
		if err != nil || i == len(v) || until <= now {
			continue
		}
		k, err := jwt.ParseJWK([]byte(v[i+1:]))
		if err != nil || jwks.CheckPublishable(k) != nil || k.KeyID != kid {
			continue
		}
		set.Keys = append(set.Keys, k)
	}
	slices.SortFunc(set.Keys, func(a, b *jwt.JWK) int { return strings.Compare(a.KeyID, b.KeyID) })
	return set.Keys, nil
}
