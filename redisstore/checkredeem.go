package redisstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jwtkit/jwt/session"
	"github.com/redis/go-redis/v9"
)

var _ session.CheckRedeemer = (*Store)(nil)

// checkRedeemScript is Check followed by the rotation of rotateScript, on
// KEYS[1] the family, KEYS[2] the token ID and KEYS[3] the subject. ARGV:
// presented jti, next jti, new TTL (ms), grace (ms), subject digest.
// Returns jti, othersub, subject or malformed for Check's refusals, and
// otherwise the rotation's result.
var checkRedeemScript = redis.NewScript(rotateLua + `
local f = redis.call('HMGET', KEYS[1], 'cur', 'prev', 'rot', 'rev', 'rp', 'rn', 'sub', 'created')
if f[4] and f[5] == ARGV[1] and f[6] == ARGV[2] then return 'reused' end
if redis.call('EXISTS', KEYS[2]) == 1 then return 'jti' end
if not f[7] then return 'unknown' end
if f[4] then return 'revoked' end
if f[7] ~= ARGV[5] then return 'othersub' end
local cut = redis.call('GET', KEYS[3])
if cut then
  local c = f[8]
  if not c or not string.match(c, '^%d+$') or not string.match(cut, '^%d+$') then return 'malformed' end
  if #c < 16 then c = c .. '000000' end
  if #cut < 16 then cut = cut .. '000000' end
  if #c < #cut or (#c == #cut and c < cut) then return 'subject' end
end
return rotate(f)`)

// CheckRedeem implements session.CheckRedeemer: on a *redis.Client, with
// one script, one round trip, reading the token's, the family's and the
// subject's keys; on any other client (a *redis.ClusterClient, on which
// those keys lie in different slots), as Check then Redeem, two round
// trips (three when Check finds the family revoked, to tell a repeated
// reuse). Either way it is atomic with respect to the family, whose
// record alone it changes.
func (s *Store) CheckRedeem(ctx context.Context, t session.TokenRef, r session.Redemption) error {
	if t.ID == "" || t.ID != r.Presented || t.Family == "" || t.Family != r.Family {
		return invalidOption("CheckRedeem of a TokenRef and a Redemption of different tokens")
	}
	if _, single := s.client.(*redis.Client); !single {
		if err := s.Check(ctx, t); err != nil {
			if errors.Is(err, session.ErrRevoked) && s.reusedBy(ctx, r) {
				return session.ErrReused // the CheckRedeem that found the reuse, repeated
			}
			return err
		}
		return s.Redeem(ctx, r)
	}
	res, err := checkRedeemScript.Run(ctx, s.client,
		[]string{s.familyKey(r.Family), s.tokenKey(t.ID), s.subjectKey(t.Subject)},
		r.Presented, r.Next, max(s.ttl(r.Expires), 1), r.Grace.Milliseconds(), digest(t.Subject)).Text()
	if err != nil {
		return s.unavailable(err)
	}
	switch res {
	case "jti":
		return fmt.Errorf("%w: token ID revoked", session.ErrRevoked)
	case "othersub":
		return fmt.Errorf("%w: session of another subject", session.ErrRevoked)
	case "subject":
		return fmt.Errorf("%w: all tokens of the subject revoked", session.ErrRevoked)
	case "malformed":
		return fmt.Errorf("%w: malformed family or subject record", session.ErrStoreUnavailable)
	}
	return rotation(res)
}

// reusedBy reports whether the family of r was revoked by the reuse that a
// Redeem of r found, reading the family's record: an error reads as false.
func (s *Store) reusedBy(ctx context.Context, r session.Redemption) bool {
	f, err := s.client.HMGet(ctx, s.familyKey(r.Family), "rev", "rp", "rn").Result()
	return err == nil && f[0] != nil && f[1] == r.Presented && f[2] == r.Next
}
