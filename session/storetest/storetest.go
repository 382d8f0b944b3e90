// Package storetest tests implementations of session.Store: the behaviour
// every store must have, as one function for a store's own tests to call,
// in the manner of golang.org/x/net/nettest.
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) session.Store { return newTestStore(t) })
//	}
package storetest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
	"github.com/jwtkit/jwt/session"
)

// Concurrency is how many goroutines the concurrency tests start at once,
// all presenting the same refresh token (or replay key).
const Concurrency = 64

// Run runs the behavioural tests on stores made by newStore, which returns
// a new, empty store for each test, whose clock is now, and registers its
// own cleanup with t.Cleanup. The tests run in parallel. Most give time.Now
// as now: tests of expiry and of the reuse grace window wait for real time
// (under a second in all). The tests of how long revocations are kept give
// a clock of their own, which they move, and a Manager on the same clock.
// If the store is also a session.ReplayCache, that is tested too, and as
// the replay cache of DPoP verifiers (package dpop).
func Run(t *testing.T, newStore func(t *testing.T, now func() time.Time) session.Store) {
	tests := []struct {
		name string
		test func(*testing.T, session.Store)
	}{
		{"Create", testCreate},
		{"Redeem", testRedeem},
		{"ReuseRevokesFamily", testReuse},
		{"ReuseRepeated", testReuseRepeated},
		{"ReuseOfOlderTokenWithGrace", testReuseOlder},
		{"GraceRefusesRetryWithoutRevoking", testGrace},
		{"GraceWindowEnds", testGraceEnds},
		{"RevokeFamily", testRevokeFamily},
		{"RevokeToken", testRevokeToken},
		{"RevokeSubject", testRevokeSubject},
		{"RevokeSubjectExactCutoff", testRevokeSubjectExact},
		{"Expiry", testExpiry},
		{"ConcurrentRedeem", testConcurrentRedemption},
		{"ConcurrentRedeemWithGrace", testConcurrentRedemptionGrace},
		{"ContextDone", testContextDone},
		{"ReplayCache", testReplayCache},
		{"ReplayCache/DPoP", testReplayCacheDPoP},
		{"CheckRedeem", testCheckRedeem},
		{"Manager/Lifecycle", testManagerLifecycle},
		{"Manager/Logout", testManagerLogout},
		{"Manager/LogoutEverywhere", testManagerLogoutEverywhere},
		{"Manager/RevokeAccessToken", testManagerRevokeAccess},
		{"Manager/TypesKeptApart", testManagerTypes},
		{"Manager/ConcurrentRefresh", testManagerConcurrentRefresh},
		{"Manager/ConcurrentRefreshWithGrace", testManagerConcurrentRefreshGrace},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.test(t, newStore(t, time.Now))
		})
	}
	t.Run("Manager/RevocationsOutliveTokens", func(t *testing.T) {
		t.Parallel()
		testManagerRevocationsOutlive(t, newStore)
	})
}

func id() string {
	var b [16]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// newFamily creates a family of subject whose first token it returns.
func newFamily(t *testing.T, s session.Store, subject string, created time.Time, ttl time.Duration) (session.Family, string) {
	t.Helper()
	f := session.Family{ID: id(), Subject: subject, Created: created, Token: id(), Expires: time.Now().Add(ttl)}
	if err := s.Create(context.Background(), f); err != nil {
		t.Fatalf("Create: %v", err)
	}
	return f, f.Token
}

func redeem(s session.Store, f session.Family, presented, next string, grace time.Duration) error {
	return s.Redeem(context.Background(), session.Redemption{
		Family: f.ID, Presented: presented, Next: next, Expires: time.Now().Add(time.Hour), Grace: grace,
	})
}

func check(s session.Store, f session.Family, jti string) error {
	return s.Check(context.Background(), session.TokenRef{ID: jti, Family: f.ID, Subject: f.Subject})
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("%s: %v, want nil", what, err)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Fatalf("%s: %v, want an error wrapping %v", what, err, want)
	}
}

func testCreate(t *testing.T, s session.Store) {
	ctx := context.Background()
	f, a := newFamily(t, s, "alice", time.Now(), time.Hour)
	wantErr(t, "Check of a new family's token", check(s, f, a), nil)
	wantErr(t, "repeated Create", s.Create(ctx, f), nil)
	g := f
	g.Token = id()
	if err := s.Create(ctx, g); err == nil {
		t.Fatal("Create of an existing family ID with another token succeeded")
	}
	wantErr(t, "Check after the refused Create", check(s, f, a), nil)
	wantErr(t, "Check of an unknown family", s.Check(ctx, session.TokenRef{ID: a, Family: id(), Subject: "alice"}), session.ErrRevoked)
	wantErr(t, "Check of another subject's family", s.Check(ctx, session.TokenRef{ID: a, Family: f.ID, Subject: "mallory"}), session.ErrRevoked)
	wantErr(t, "Check of a token outside any family", s.Check(ctx, session.TokenRef{ID: id(), Subject: "alice", IssuedAt: time.Now()}), nil)
}

func testRedeem(t *testing.T, s session.Store) {
	f, a := newFamily(t, s, "alice", time.Now(), time.Hour)
	b, c := id(), id()
	wantErr(t, "rotate a→b", redeem(s, f, a, b, 0), nil)
	wantErr(t, "rotate a→b again (a retried request)", redeem(s, f, a, b, 0), nil)
	wantErr(t, "rotate b→c", redeem(s, f, b, c, 0), nil)
	wantErr(t, "Check after rotations", check(s, f, c), nil)
}

func testReuse(t *testing.T, s session.Store) {
	f, a := newFamily(t, s, "alice", time.Now(), time.Hour)
	other, o := newFamily(t, s, "alice", time.Now(), time.Hour)
	b := id()
	wantErr(t, "rotate a→b", redeem(s, f, a, b, 0), nil)
	wantErr(t, "reuse of a", redeem(s, f, a, id(), 0), session.ErrReused)
	wantErr(t, "rotate b after reuse", redeem(s, f, b, id(), 0), session.ErrRevoked)
	wantErr(t, "Check of b after reuse", check(s, f, b), session.ErrRevoked)
	wantErr(t, "Check of another family", check(s, other, o), nil)
}

// testReuseRepeated repeats the Redeem that found a reuse, as a client
// library does when the reply was lost: it must report the reuse again,
// not a revoked family, or the reuse would go unreported (issue 21).
func testReuseRepeated(t *testing.T, s session.Store) {
	f, a := newFamily(t, s, "alice", time.Now(), time.Hour)
	b, x := id(), id()
	wantErr(t, "rotate a→b", redeem(s, f, a, b, 0), nil)
	wantErr(t, "reuse of a", redeem(s, f, a, x, 0), session.ErrReused)
	wantErr(t, "the same reuse, repeated", redeem(s, f, a, x, 0), session.ErrReused)
	wantErr(t, "another reuse of a after the family was revoked", redeem(s, f, a, id(), 0), session.ErrRevoked)
	wantErr(t, "rotate b after reuse", redeem(s, f, b, x, 0), session.ErrRevoked)
	wantErr(t, "the same reuse, repeated once more", redeem(s, f, a, x, 0), session.ErrReused)
}

func testReuseOlder(t *testing.T, s session.Store) {
	f, a := newFamily(t, s, "alice", time.Now(), time.Hour)
	b, c := id(), id()
	wantErr(t, "rotate a→b", redeem(s, f, a, b, time.Minute), nil)
	wantErr(t, "rotate b→c", redeem(s, f, b, c, time.Minute), nil)
	wantErr(t, "reuse of a, two rotations old, within the grace window", redeem(s, f, a, id(), time.Minute), session.ErrReused)
	wantErr(t, "Check of c", check(s, f, c), session.ErrRevoked)
}

func testGrace(t *testing.T, s session.Store) {
	f, a := newFamily(t, s, "alice", time.Now(), time.Hour)
	b := id()
	wantErr(t, "rotate a→b", redeem(s, f, a, b, time.Minute), nil)
	wantErr(t, "a retried within the grace window", redeem(s, f, a, id(), time.Minute), session.ErrRecentlyRotated)
	wantErr(t, "Check of b", check(s, f, b), nil)
	wantErr(t, "rotate b→c", redeem(s, f, b, id(), time.Minute), nil)
}

func testGraceEnds(t *testing.T, s session.Store) {
	f, a := newFamily(t, s, "alice", time.Now(), time.Hour)
	grace := 150 * time.Millisecond
	wantErr(t, "rotate a→b", redeem(s, f, a, id(), grace), nil)
	time.Sleep(grace + 100*time.Millisecond)
	wantErr(t, "a presented after the grace window", redeem(s, f, a, id(), grace), session.ErrReused)
}

func testRevokeFamily(t *testing.T, s session.Store) {
	ctx := context.Background()
	f, a := newFamily(t, s, "alice", time.Now(), time.Hour)
	other, o := newFamily(t, s, "alice", time.Now(), time.Hour)
	wantErr(t, "RevokeFamily", s.RevokeFamily(ctx, f.ID), nil)
	wantErr(t, "RevokeFamily again", s.RevokeFamily(ctx, f.ID), nil)
	wantErr(t, "RevokeFamily of an unknown family", s.RevokeFamily(ctx, id()), nil)
	wantErr(t, "Check of the revoked family", check(s, f, a), session.ErrRevoked)
	wantErr(t, "rotate in the revoked family", redeem(s, f, a, id(), 0), session.ErrRevoked)
	wantErr(t, "Check of another family", check(s, other, o), nil)
}

func testRevokeToken(t *testing.T, s session.Store) {
	ctx := context.Background()
	f, a := newFamily(t, s, "alice", time.Now(), time.Hour)
	access, other := id(), id()
	wantErr(t, "RevokeToken", s.RevokeToken(ctx, access, time.Now().Add(time.Minute)), nil)
	wantErr(t, "RevokeToken with a past until", s.RevokeToken(ctx, other, time.Now().Add(-time.Second)), nil)
	wantErr(t, "Check of the revoked token", check(s, f, access), session.ErrRevoked)
	wantErr(t, "Check of the revoked token outside a family", s.Check(ctx, session.TokenRef{ID: access, Subject: "alice"}), session.ErrRevoked)
	wantErr(t, "Check of a token revoked with a past until", check(s, f, other), nil)
	wantErr(t, "Check of the family's refresh token", check(s, f, a), nil)
}

func testRevokeSubject(t *testing.T, s session.Store) {
	ctx := context.Background()
	cutoff := time.Now().Add(-time.Minute)
	old, a := newFamily(t, s, "alice", cutoff.Add(-time.Second), time.Hour)
	young, b := newFamily(t, s, "alice", cutoff.Add(5*time.Millisecond), time.Hour)
	bob, c := newFamily(t, s, "bob", cutoff.Add(-time.Second), time.Hour)
	wantErr(t, "RevokeSubject", s.RevokeSubject(ctx, "alice", cutoff, time.Now().Add(time.Minute)), nil)
	wantErr(t, "Check of a family begun before", check(s, old, a), session.ErrRevoked)
	wantErr(t, "Check of another token of that family", check(s, old, id()), session.ErrRevoked)
	wantErr(t, "Check of a family begun after", check(s, young, b), nil)
	wantErr(t, "Check of another subject", check(s, bob, c), nil)
	ref := func(iat time.Time) session.TokenRef {
		return session.TokenRef{ID: id(), Subject: "alice", IssuedAt: iat}
	}
	wantErr(t, "Check of a token issued before", s.Check(ctx, ref(cutoff.Add(-time.Second))), session.ErrRevoked)
	wantErr(t, "Check of a token issued after", s.Check(ctx, ref(cutoff.Add(time.Second))), nil)
	wantErr(t, "Check of a token without iat", s.Check(ctx, ref(time.Time{})), session.ErrRevoked)
	wantErr(t, "an earlier RevokeSubject", s.RevokeSubject(ctx, "alice", cutoff.Add(-time.Hour), time.Now().Add(time.Second)), nil)
	wantErr(t, "Check after an earlier revocation", check(s, old, a), session.ErrRevoked)
	wantErr(t, "Check of the young family after an earlier revocation", check(s, young, b), nil)
	wantErr(t, "a later RevokeSubject", s.RevokeSubject(ctx, "alice", cutoff.Add(time.Second), time.Now().Add(time.Minute)), nil)
	wantErr(t, "Check of the young family after a later revocation", check(s, young, b), session.ErrRevoked)
}

// testRevokeSubjectExact checks that a cutoff is compared exactly: a
// family begun in the same millisecond as the cutoff, before it, is revoked
// (issue 21), and one begun at or after it is not, also when a second
// revocation raises the cutoff by less than a microsecond.
func testRevokeSubjectExact(t *testing.T, s session.Store) {
	ctx := context.Background()
	cutoff := time.Now().Add(-time.Minute).Truncate(time.Millisecond).Add(500 * time.Microsecond)
	before, a := newFamily(t, s, "alice", cutoff.Add(-time.Microsecond), time.Hour)
	at, b := newFamily(t, s, "alice", cutoff, time.Hour)
	justAfter, c := newFamily(t, s, "alice", cutoff.Add(100), time.Hour)
	after, d := newFamily(t, s, "alice", cutoff.Add(200), time.Hour)
	wantErr(t, "RevokeSubject", s.RevokeSubject(ctx, "alice", cutoff, time.Now().Add(time.Hour)), nil)
	wantErr(t, "Check of a family begun 1µs before the cutoff, in the same millisecond", check(s, before, a), session.ErrRevoked)
	wantErr(t, "Check of a family begun at the cutoff", check(s, at, b), nil)
	wantErr(t, "Check of a family begun 100ns after the cutoff", check(s, justAfter, c), nil)
	wantErr(t, "RevokeSubject 150ns later", s.RevokeSubject(ctx, "alice", cutoff.Add(150), time.Now().Add(time.Hour)), nil)
	wantErr(t, "Check of a family begun 100ns after the first cutoff, after the second", check(s, justAfter, c), session.ErrRevoked)
	wantErr(t, "Check of a family begun after the second cutoff", check(s, after, d), nil)
}

func testExpiry(t *testing.T, s session.Store) {
	ctx := context.Background()
	ttl := 300 * time.Millisecond
	short, a := newFamily(t, s, "alice", time.Now(), ttl)
	kept, b := newFamily(t, s, "alice", time.Now(), ttl)
	c := id()
	wantErr(t, "rotation extending the expiry", redeem(s, kept, b, c, 0), nil) // Expires in an hour
	access := id()
	wantErr(t, "RevokeToken", s.RevokeToken(ctx, access, time.Now().Add(ttl)), nil)
	wantErr(t, "RevokeSubject", s.RevokeSubject(ctx, "bob", time.Now(), time.Now().Add(ttl)), nil)
	bobRef := session.TokenRef{ID: id(), Subject: "bob", IssuedAt: time.Now().Add(-time.Hour)}
	wantErr(t, "Check before expiry", check(s, short, a), nil)
	wantErr(t, "Check of the revoked token before expiry", check(s, kept, access), session.ErrRevoked)
	wantErr(t, "Check of bob's token before expiry", s.Check(ctx, bobRef), session.ErrRevoked)

	time.Sleep(ttl + 150*time.Millisecond)
	wantErr(t, "Check of an expired family", check(s, short, a), session.ErrRevoked)
	wantErr(t, "rotate in an expired family", redeem(s, short, a, id(), 0), session.ErrRevoked)
	wantErr(t, "Check of the family whose expiry a rotation extended", check(s, kept, c), nil)
	wantErr(t, "Check of a token whose revocation expired", check(s, kept, access), nil)
	wantErr(t, "Check of bob's token after the subject revocation expired", s.Check(ctx, bobRef), nil)
}

func concurrently(n int, f func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = f(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// tally counts errs by outcome: nil, and each of kinds.
func tally(t *testing.T, errs []error, kinds ...error) (ok int, counts []int) {
	t.Helper()
	counts = make([]int, len(kinds))
next:
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		for i, k := range kinds {
			if errors.Is(err, k) {
				counts[i]++
				continue next
			}
		}
		t.Errorf("unexpected error: %v", err)
	}
	return ok, counts
}

func testConcurrentRedemption(t *testing.T, s session.Store) {
	f, a := newFamily(t, s, "alice", time.Now(), time.Hour)
	next := make([]string, Concurrency)
	for i := range next {
		next[i] = id()
	}
	errs := concurrently(Concurrency, func(i int) error { return redeem(s, f, a, next[i], 0) })
	// The first reuse revokes the family; later ones find it revoked.
	ok, n := tally(t, errs, session.ErrReused, session.ErrRevoked)
	if ok != 1 || n[0] == 0 || n[0]+n[1] != Concurrency-1 {
		t.Fatalf("%d concurrent rotations of one token: %d succeeded, %d were reuse, %d found the family revoked; want 1 success and the rest refused, at least one as reuse", Concurrency, ok, n[0], n[1])
	}
	for i, err := range errs {
		if err == nil {
			wantErr(t, "Check of the winner's token after the reuse", check(s, f, next[i]), session.ErrRevoked)
		}
	}
}

func testConcurrentRedemptionGrace(t *testing.T, s session.Store) {
	f, a := newFamily(t, s, "alice", time.Now(), time.Hour)
	next := make([]string, Concurrency)
	for i := range next {
		next[i] = id()
	}
	errs := concurrently(Concurrency, func(i int) error { return redeem(s, f, a, next[i], time.Minute) })
	ok, n := tally(t, errs, session.ErrRecentlyRotated)
	if ok != 1 || n[0] != Concurrency-1 {
		t.Fatalf("%d concurrent rotations of one token with a grace window: %d succeeded and %d were refused as retries, want 1 and %d", Concurrency, ok, n[0], Concurrency-1)
	}
	for i, err := range errs {
		if err == nil {
			wantErr(t, "rotating the winner's token", redeem(s, f, next[i], id(), time.Minute), nil)
		}
	}
}

func testContextDone(t *testing.T, s session.Store) {
	f, a := newFamily(t, s, "alice", time.Now(), time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := map[string]error{
		"Create":        s.Create(ctx, session.Family{ID: id(), Subject: "alice", Created: time.Now(), Token: id(), Expires: time.Now().Add(time.Hour)}),
		"Redeem":        s.Redeem(ctx, session.Redemption{Family: f.ID, Presented: a, Next: id(), Expires: time.Now().Add(time.Hour)}),
		"RevokeFamily":  s.RevokeFamily(ctx, f.ID),
		"RevokeToken":   s.RevokeToken(ctx, id(), time.Now().Add(time.Hour)),
		"RevokeSubject": s.RevokeSubject(ctx, "alice", time.Now(), time.Now().Add(time.Hour)),
		"Check":         s.Check(ctx, session.TokenRef{ID: a, Family: f.ID, Subject: "alice"}),
	}
	for name, err := range calls {
		if !errors.Is(err, session.ErrStoreUnavailable) || !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a canceled context: %v, want an error wrapping ErrStoreUnavailable and context.Canceled", name, err)
		}
	}
	wantErr(t, "Check after the canceled calls", check(s, f, a), nil)
}

func testReplayCache(t *testing.T, s session.Store) {
	rc, ok := s.(session.ReplayCache)
	if !ok {
		t.Skip("the store is not a session.ReplayCache")
	}
	ctx := context.Background()
	key := "proof:" + id()
	fresh, err := rc.Remember(ctx, key, time.Minute)
	if err != nil || !fresh {
		t.Fatalf("first Remember = %v, %v; want true, nil", fresh, err)
	}
	fresh, err = rc.Remember(ctx, key, time.Minute)
	if err != nil || fresh {
		t.Fatalf("second Remember = %v, %v; want false, nil", fresh, err)
	}
	if _, err := rc.Remember(ctx, id(), 0); !errors.Is(err, jwt.ErrInvalidOption) {
		t.Fatalf("Remember with a zero TTL: %v, want an error wrapping jwt.ErrInvalidOption", err)
	}
	key = "proof:" + id()
	var mu sync.Mutex
	freshCount := 0
	errs := concurrently(Concurrency, func(int) error {
		fresh, err := rc.Remember(ctx, key, time.Minute)
		if fresh {
			mu.Lock()
			freshCount++
			mu.Unlock()
		}
		return err
	})
	if ok, _ := tally(t, errs); ok != Concurrency || freshCount != 1 {
		t.Fatalf("%d concurrent Remember of one key: %d fresh, want 1", Concurrency, freshCount)
	}
	short := "proof:" + id()
	if fresh, err := rc.Remember(ctx, short, 200*time.Millisecond); err != nil || !fresh {
		t.Fatalf("Remember with a short TTL = %v, %v; want true, nil", fresh, err)
	}
	// A set-if-absent: a key seen keeps its expiry.
	if fresh, err := rc.Remember(ctx, short, time.Minute); err != nil || fresh {
		t.Fatalf("Remember of a seen key with a longer TTL = %v, %v; want false, nil", fresh, err)
	}
	// Keys are opaque: long ones, and any bytes, each their own.
	for _, k := range []string{strings.Repeat("k", 4096), "\x00\xff é\r\n*{}", "{" + key + "}", key + " "} {
		if fresh, err := rc.Remember(ctx, k, time.Minute); err != nil || !fresh {
			t.Fatalf("Remember of a new key %.20q = %v, %v; want true, nil", k, fresh, err)
		}
		if fresh, err := rc.Remember(ctx, k, time.Minute); err != nil || fresh {
			t.Fatalf("Remember of a seen key %.20q = %v, %v; want false, nil", k, fresh, err)
		}
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := rc.Remember(canceled, id(), time.Minute); !errors.Is(err, session.ErrStoreUnavailable) || !errors.Is(err, context.Canceled) {
		t.Fatalf("Remember with a canceled context: %v, want an error wrapping ErrStoreUnavailable and context.Canceled", err)
	}
	time.Sleep(300 * time.Millisecond)
	if fresh, err := rc.Remember(ctx, short, time.Minute); err != nil || !fresh {
		t.Fatalf("Remember after the TTL = %v, %v; want true, nil", fresh, err)
	}
}

// testReplayCacheDPoP uses the store as the replay cache of two DPoP
// verifiers, as two instances of a service would: a proof accepted by one
// is refused by both.
func testReplayCacheDPoP(t *testing.T, s session.Store) {
	rc, ok := s.(session.ReplayCache)
	if !ok {
		t.Skip("the store is not a session.ReplayCache")
	}
	ctx := context.Background()
	var instances [2]*dpop.Verifier
	for i := range instances {
		v, err := dpop.NewVerifier(&dpop.Options{ReplayCache: rc, ExternalURL: "https://auth.example"})
		if err != nil {
			t.Fatal(err)
		}
		instances[i] = v
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	prover, err := dpop.NewProver(jwt.ES256, key)
	if err != nil {
		t.Fatal(err)
	}
	req := &dpop.Request{Method: "POST", URI: "https://auth.example/token"}
	for first := range instances {
		proof, err := prover.NewProof(ctx, req.Method, req.URI, nil)
		if err != nil {
			t.Fatal(err)
		}
		p, err := instances[first].Verify(ctx, proof, req)
		if err != nil {
			t.Fatalf("a new proof on instance %d: %v", first, err)
		}
		if p.JKT != prover.JKT() {
			t.Fatalf("the proof's JKT is %q, want %q", p.JKT, prover.JKT())
		}
		for i, v := range instances {
			if _, err := v.Verify(ctx, proof, req); !errors.Is(err, dpop.ErrReplay) {
				t.Fatalf("a proof used on instance %d, replayed on instance %d: %v, want ErrReplay", first, i, err)
			}
		}
	}
	// The same proof for another URI is another key: refused for its htu,
	// not remembered.
	proof, err := prover.NewProof(ctx, req.Method, req.URI, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := instances[0].Verify(ctx, proof, &dpop.Request{Method: "POST", URI: "https://auth.example/other"}); !errors.Is(err, dpop.ErrURIMismatch) {
		t.Fatalf("a proof for another URI: %v, want ErrURIMismatch", err)
	}
	if _, err := instances[1].Verify(ctx, proof, req); err != nil {
		t.Fatalf("a proof refused for another URI, then used: %v", err)
	}
	// Concurrent uses of one proof on both instances: one succeeds.
	proof, err = prover.NewProof(ctx, req.Method, req.URI, nil)
	if err != nil {
		t.Fatal(err)
	}
	errs := concurrently(Concurrency, func(i int) error {
		_, err := instances[i%2].Verify(ctx, proof, req)
		return err
	})
	if ok, counts := tally(t, errs, dpop.ErrReplay); ok != 1 || counts[0] != Concurrency-1 {
		t.Fatalf("%d concurrent uses of one proof on two instances: %d accepted, %d replays; want 1 and %d", Concurrency, ok, counts[0], Concurrency-1)
	}
}
