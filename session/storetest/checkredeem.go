package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/session"
)

// testCheckRedeem tests session.CheckRedeemer, if the store has it: every
// outcome of Check, then every outcome of Redeem, in one step.
func testCheckRedeem(t *testing.T, s session.Store) {
	cr, ok := s.(session.CheckRedeemer)
	if !ok {
		t.Skip("the store is no session.CheckRedeemer")
	}
	ctx := context.Background()
	cred := func(f session.Family, presented, next string, grace time.Duration) error {
		return cr.CheckRedeem(ctx, session.TokenRef{ID: presented, Family: f.ID, Subject: f.Subject},
			session.Redemption{Family: f.ID, Presented: presented, Next: next, Expires: time.Now().Add(time.Hour), Grace: grace})
	}

	// Redeem's outcomes.
	f, a := newFamily(t, s, "alice", time.Now(), time.Hour)
	b, x := id(), id()
	wantErr(t, "a→b", cred(f, a, b, time.Minute), nil)
	wantErr(t, "a→b repeated", cred(f, a, b, time.Minute), nil)
	wantErr(t, "a again within the grace window", cred(f, a, id(), time.Minute), session.ErrRecentlyRotated)
	wantErr(t, "Check of b", check(s, f, b), nil)
	c := id()
	wantErr(t, "b→c", cred(f, b, c, 0), nil)
	wantErr(t, "reuse of a", cred(f, a, x, 0), session.ErrReused)
	wantErr(t, "the same reuse, repeated", cred(f, a, x, 0), session.ErrReused)
	wantErr(t, "c after the reuse", cred(f, c, id(), 0), session.ErrRevoked)
	wantErr(t, "unknown family", cred(session.Family{ID: id(), Subject: "alice"}, id(), id(), 0), session.ErrRevoked)

	// Check's outcomes: each refuses, and redeems nothing.
	f, a = newFamily(t, s, "alice", time.Now().Add(-time.Minute), time.Hour)
	wantErr(t, "RevokeToken", s.RevokeToken(ctx, a, time.Now().Add(time.Hour)), nil)
	wantErr(t, "a revoked by ID", cred(f, a, id(), 0), session.ErrRevoked)
	f, a = newFamily(t, s, "bob", time.Now().Add(-time.Minute), time.Hour)
	wantErr(t, "another subject's family", cr.CheckRedeem(ctx, session.TokenRef{ID: a, Family: f.ID, Subject: "mallory"},
		session.Redemption{Family: f.ID, Presented: a, Next: id(), Expires: time.Now().Add(time.Hour)}), session.ErrRevoked)
	wantErr(t, "the family's token still current after the refusal", cred(f, a, id(), 0), nil)
	f, a = newFamily(t, s, "carol", time.Now().Add(-time.Minute), time.Hour)
	wantErr(t, "RevokeSubject", s.RevokeSubject(ctx, "carol", time.Now(), time.Now().Add(time.Hour)), nil)
	wantErr(t, "a family begun before the subject's revocation", cred(f, a, id(), 0), session.ErrRevoked)
	g, ga := newFamily(t, s, "carol", time.Now().Add(time.Second), time.Hour)
	wantErr(t, "a family begun after it", cred(g, ga, id(), 0), nil)
	f, a = newFamily(t, s, "dave", time.Now(), time.Hour)
	wantErr(t, "RevokeFamily", s.RevokeFamily(ctx, f.ID), nil)
	wantErr(t, "a revoked family", cred(f, a, id(), 0), session.ErrRevoked)

	// A TokenRef and a Redemption of different tokens.
	f, a = newFamily(t, s, "erin", time.Now(), time.Hour)
	wantErr(t, "mismatched", cr.CheckRedeem(ctx, session.TokenRef{ID: id(), Family: f.ID, Subject: f.Subject},
		session.Redemption{Family: f.ID, Presented: a, Next: id(), Expires: time.Now().Add(time.Hour)}), jwt.ErrInvalidOption)
	wantErr(t, "the token after the mismatch", cred(f, a, id(), 0), nil)
}
