package session

import (
	"context"

	"github.com/jwtkit/jwt"
)

// A CheckRedeemer is a [Store] that checks a refresh token's revocation and
// redeems it in one step: one round trip to a remote store for a refresh
// instead of two. A [Manager] uses it when its Store has it, except for a
// refresh with a DPoP proof, which it remembers between the check and the
// redemption (see [Manager.RefreshDPoP]). MemoryStore and the Redis store
// have it.
type CheckRedeemer interface {
	Store

	// CheckRedeem does, atomically, what Check(ctx, t) followed by
	// Redeem(ctx, r) does, returning the error of the first that fails:
	// the token's revocation is checked as Check checks it and, if the
	// token may be used, r is redeemed as Redeem redeems it. Like Redeem,
	// it returns an error wrapping ErrReused again when repeated after it
	// found r.Presented reused (the family it revoked is not reported as
	// merely revoked). t.ID must be r.Presented and t.Family r.Family;
	// otherwise it returns an error wrapping jwt.ErrInvalidOption and
	// changes nothing.
	CheckRedeem(ctx context.Context, t TokenRef, r Redemption) error
}

var _ CheckRedeemer = (*MemoryStore)(nil)

// sameToken returns the error CheckRedeem returns for a t and r that do
// not describe one refresh token, or nil.
func sameToken(t TokenRef, r Redemption) error {
	if t.ID == "" || t.ID != r.Presented || t.Family == "" || t.Family != r.Family {
		return wrap(jwt.ErrInvalidOption, nil, "CheckRedeem of a TokenRef and a Redemption of different tokens")
	}
	return nil
}

// CheckRedeem implements [CheckRedeemer].
func (s *MemoryStore) CheckRedeem(ctx context.Context, t TokenRef, r Redemption) error {
	if err := sameToken(t, r); err != nil {
		return err
	}
	now, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if f := s.family(r.Family, now); f != nil && f.revoked && f.reuse == [2]string{r.Presented, r.Next} {
		return ErrReused // the CheckRedeem that found the reuse, repeated
	}
	if err := s.check(t, now); err != nil {
		return err
	}
	return s.redeem(r, now)
}
