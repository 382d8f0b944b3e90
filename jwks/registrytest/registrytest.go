// Package registrytest tests implementations of jwks.Registry: the
// behaviour every registry must have, as one function for a registry's own
// tests to call, as package session/storetest does for session stores.
//
//	func TestRegistry(t *testing.T) {
//		registrytest.Run(t, func(t *testing.T, now func() time.Time) jwks.Registry { return newTestRegistry(t, now) })
//	}
package registrytest

import (
	"context"
	"crypto"
	_ "crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwks"
)

// Concurrency is how many goroutines the concurrency test starts at once.
const Concurrency = 32

// Run runs the behavioural tests on registries made by newRegistry, which
// returns a new, empty registry for each test, whose clock is now, and
// registers its own cleanup with t.Cleanup. Each test moves its own clock,
// so nothing waits for real time. The tests run in parallel. The last ones
// run SharedRings on the registry: tokens of one ring verify on another,
// both serve the same set, rotation, a crashed ring, a withdrawal.
func Run(t *testing.T, newRegistry func(t *testing.T, now func() time.Time) jwks.Registry) {
	tests := []struct {
		name string
		test func(*testing.T, jwks.Registry, *Clock)
	}{
		{"PublishAndKeys", testPublish},
		{"PublicKeysOnly", testPublicOnly},
		{"Expiry", testExpiry},
		{"PublishNeverShortens", testNeverShortens},
		{"Withdraw", testWithdraw},
		{"WithdrawBeforePublish", testWithdrawFirst},
		{"Concurrent", testConcurrent},
		{"ContextDone", testContextDone},
		{"SharedRings", testSharedRings},
		{"SharedRings/Withdraw", testSharedWithdraw},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := NewClock(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
			tt.test(t, newRegistry(t, c.Now), c)
		})
	}
}

// Clock is a clock that moves only when told; it is safe for concurrent
// use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a Clock showing t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newKey(t *testing.T) *jwt.JWK {
	t.Helper()
	k, err := jwt.GenerateKey(jwt.ES256)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.SetThumbprintKeyID(); err != nil {
		t.Fatal(err)
	}
	k.Algorithm, k.Use = "ES256", "sig"
	return k.Public()
}

func kids(t *testing.T, r jwks.Registry) []string {
	t.Helper()
	keys, err := r.Keys(context.Background())
	if err != nil {
		t.Fatalf("Keys: %v", err)
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		if k.IsPrivate() {
			t.Fatalf("Keys returned private key material for kid %q", k.KeyID)
		}
		out[i] = k.KeyID
	}
	return out
}

func wantKids(t *testing.T, r jwks.Registry, want ...string) {
	t.Helper()
	got := kids(t, r)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Keys: kids %q, want %q", got, want)
	}
}

func publish(t *testing.T, r jwks.Registry, k *jwt.JWK, until time.Time) {
	t.Helper()
	if err := r.Publish(context.Background(), k, until); err != nil {
		t.Fatalf("Publish(%s): %v", k.KeyID, err)
	}
}

func sorted(a, b string) []string {
	if b < a {
		return []string{b, a}
	}
	return []string{a, b}
}

func testPublish(t *testing.T, r jwks.Registry, c *Clock) {
	wantKids(t, r)
	a, b := newKey(t), newKey(t)
	publish(t, r, a, c.Now().Add(time.Hour))
	publish(t, r, b, c.Now().Add(time.Hour))
	publish(t, r, a, c.Now().Add(time.Hour)) // again: no duplicate
	wantKids(t, r, sorted(a.KeyID, b.KeyID)...)
	keys, err := r.Keys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		want := a
		if k.KeyID == b.KeyID {
			want = b
		}
		got, err := k.Thumbprint(crypto.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		exp, _ := want.Thumbprint(crypto.SHA256)
		if string(got) != string(exp) || k.Algorithm != "ES256" || k.Use != "sig" {
			t.Errorf("key %s came back changed: %v", k.KeyID, k)
		}
	}
}

func testPublicOnly(t *testing.T, r jwks.Registry, c *Clock) {
	priv, err := jwt.GenerateKey(jwt.ES256)
	if err != nil {
		t.Fatal(err)
	}
	priv.KeyID = "private"
	if err := r.Publish(context.Background(), priv, c.Now().Add(time.Hour)); !errors.Is(err, jwks.ErrPrivateKey) {
		t.Errorf("Publish of a private key: %v, want ErrPrivateKey", err)
	}
	noKid := newKey(t)
	noKid.KeyID = ""
	if err := r.Publish(context.Background(), noKid, c.Now().Add(time.Hour)); !errors.Is(err, jwt.ErrInvalidKey) {
		t.Errorf("Publish of a key without kid: %v, want jwt.ErrInvalidKey", err)
	}
	wantKids(t, r)
}

func testExpiry(t *testing.T, r jwks.Registry, c *Clock) {
	a, b := newKey(t), newKey(t)
	publish(t, r, a, c.Now().Add(time.Minute))
	publish(t, r, b, c.Now().Add(2*time.Minute))
	publish(t, r, newKey(t), c.Now()) // expired at once: not published
	wantKids(t, r, sorted(a.KeyID, b.KeyID)...)
	c.Advance(time.Minute - time.Millisecond)
	wantKids(t, r, sorted(a.KeyID, b.KeyID)...)
	c.Advance(time.Millisecond)
	wantKids(t, r, b.KeyID)
	c.Advance(time.Minute)
	wantKids(t, r)
}

func testNeverShortens(t *testing.T, r jwks.Registry, c *Clock) {
	a := newKey(t)
	publish(t, r, a, c.Now().Add(10*time.Minute))
	publish(t, r, a, c.Now().Add(time.Minute))
	c.Advance(5 * time.Minute)
	wantKids(t, r, a.KeyID)
	publish(t, r, a, c.Now().Add(20*time.Minute)) // lengthens
	c.Advance(10 * time.Minute)
	wantKids(t, r, a.KeyID)
	c.Advance(10 * time.Minute)
	wantKids(t, r)
}

func testWithdraw(t *testing.T, r jwks.Registry, c *Clock) {
	ctx := context.Background()
	a, b := newKey(t), newKey(t)
	publish(t, r, a, c.Now().Add(time.Hour))
	publish(t, r, b, c.Now().Add(time.Hour))
	if err := r.Withdraw(ctx, a.KeyID, c.Now().Add(2*time.Hour)); err != nil {
		t.Fatalf("Withdraw: %v", err)
	}
	wantKids(t, r, b.KeyID)
	if err := r.Publish(ctx, a, c.Now().Add(3*time.Hour)); !errors.Is(err, jwks.ErrWithdrawn) {
		t.Fatalf("Publish of a withdrawn key: %v, want ErrWithdrawn", err)
	}
	wantKids(t, r, b.KeyID)
	// A shorter withdrawal does not shorten it.
	if err := r.Withdraw(ctx, a.KeyID, c.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Hour)
	if err := r.Publish(ctx, a, c.Now().Add(3*time.Hour)); !errors.Is(err, jwks.ErrWithdrawn) {
		t.Fatalf("Publish within the withdrawal: %v, want ErrWithdrawn", err)
	}
	c.Advance(time.Hour)
	publish(t, r, a, c.Now().Add(time.Hour)) // the withdrawal has expired
	wantKids(t, r, a.KeyID)
}

func testWithdrawFirst(t *testing.T, r jwks.Registry, c *Clock) {
	a := newKey(t)
	if err := r.Withdraw(context.Background(), a.KeyID, c.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := r.Publish(context.Background(), a, c.Now().Add(time.Hour)); !errors.Is(err, jwks.ErrWithdrawn) {
		t.Fatalf("Publish after Withdraw of an unpublished kid: %v, want ErrWithdrawn", err)
	}
	wantKids(t, r)
}

func testConcurrent(t *testing.T, r jwks.Registry, c *Clock) {
	keys := make([]*jwt.JWK, Concurrency)
	for i := range keys {
		keys[i] = newKey(t)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*Concurrency)
	for _, k := range keys {
		wg.Go(func() {
			errs <- r.Publish(context.Background(), k, c.Now().Add(time.Hour))
			_, err := r.Keys(context.Background())
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := kids(t, r); len(got) != Concurrency {
		t.Fatalf("%d keys published concurrently, %d in the registry", Concurrency, len(got))
	}
}

func testContextDone(t *testing.T, r jwks.Registry, c *Clock) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	k := newKey(t)
	if err := r.Publish(ctx, k, c.Now().Add(time.Hour)); !errors.Is(err, jwks.ErrRegistryUnavailable) {
		t.Errorf("Publish with a done context: %v, want ErrRegistryUnavailable", err)
	}
	if err := r.Withdraw(ctx, k.KeyID, c.Now().Add(time.Hour)); !errors.Is(err, jwks.ErrRegistryUnavailable) {
		t.Errorf("Withdraw with a done context: %v, want ErrRegistryUnavailable", err)
	}
	if _, err := r.Keys(ctx); !errors.Is(err, jwks.ErrRegistryUnavailable) {
		t.Errorf("Keys with a done context: %v, want ErrRegistryUnavailable", err)
	}
}

const lifetime = 10 * time.Minute

// newRing returns a SharedRing on r whose goroutine never ticks in the
// test's time: the test syncs and rotates it itself.
func newRing(t *testing.T, r jwks.Registry, c *Clock) *jwks.SharedRing {
	t.Helper()
	ring, err := jwks.NewSharedRing(&jwks.SharedRingOptions{
		Algorithm:        jwt.ES256,
		MaxTokenLifetime: lifetime,
		Registry:         r,
		SyncEvery:        time.Minute, // longer than any test runs
		MaxStale:         5 * time.Hour,
		Now:              c.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ring.Close)
	if err := ring.Sync(context.Background()); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	return ring
}

func sign(t *testing.T, ring *jwks.SharedRing, c *Clock) string {
	t.Helper()
	tok, err := jwt.Sign(context.Background(), ring.Signer(), jwt.RegisteredClaims{
		Subject:   "alice",
		ExpiresAt: jwt.NewNumericDate(c.Now().Add(lifetime)),
	}, nil)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	return tok
}

func verifies(ring *jwks.SharedRing, tok string, c *Clock) error {
	_, err := jwt.Verify[jwt.RegisteredClaims](context.Background(), tok, ring, &jwt.VerifyOptions{Now: c.Now})
	return err
}

func sameSet(t *testing.T, rings ...*jwks.SharedRing) {
	t.Helper()
	want, err := rings[0].PublicSet().MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rings[1:] {
		got, _ := r.PublicSet().MarshalJSON()
		if string(got) != string(want) {
			t.Errorf("ring %d serves %s, ring 0 %s", i+1, got, want)
		}
	}
}

func syncAll(t *testing.T, rings ...*jwks.SharedRing) {
	t.Helper()
	for _, r := range rings {
		if err := r.Sync(context.Background()); err != nil {
			t.Fatalf("Sync: %v", err)
		}
	}
}

func testSharedRings(t *testing.T, r jwks.Registry, c *Clock) {
	a, b := newRing(t, r, c), newRing(t, r, c)
	// b started after a's sync: a learns b's key when a token needs it.
	tokA, tokB := sign(t, a, c), sign(t, b, c)
	c.Advance(time.Minute / 4) // a syncs for an unknown kid at most this often
	for _, ring := range []*jwks.SharedRing{a, b} {
		for _, tok := range []string{tokA, tokB} {
			if err := verifies(ring, tok, c); err != nil {
				t.Fatalf("a token of one ring on another: %v", err)
			}
		}
	}
	syncAll(t, a, b)
	sameSet(t, a, b)
	if n := len(a.PublicSet().Keys); n != 4 {
		t.Errorf("two rings publish %d keys, want 4 (a current and a next key each)", n)
	}
	// Both rotate at once: harmless.
	oldKid := a.KeyID()
	if err := a.Rotate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := b.Rotate(context.Background()); err != nil {
		t.Fatal(err)
	}
	syncAll(t, a, b)
	sameSet(t, a, b)
	if a.KeyID() == oldKid {
		t.Fatal("Rotate kept the current key")
	}
	newA := sign(t, a, c)
	u, err := jwt.ParseUnverified(newA, 0)
	if err != nil {
		t.Fatal(err)
	}
	if u.Header.KeyID != a.KeyID() {
		t.Errorf("a new token carries kid %q, want the new current %q", u.Header.KeyID, a.KeyID())
	}
	// a crashes; its tokens, old and new, verify on b until they expire.
	a.Close()
	c.Advance(lifetime - time.Minute/4 - time.Second)
	syncAll(t, b)
	for _, tok := range []string{tokA, newA} {
		if err := verifies(b, tok, c); err != nil {
			t.Errorf("a token of a crashed ring, before its exp: %v", err)
		}
	}
	// Long after, a's keys are gone from the set.
	c.Advance(3 * (lifetime + jwt.MaxLeeway + 5*time.Hour))
	syncAll(t, b)
	if n := len(b.PublicSet().Keys); n != 2 {
		t.Errorf("after every token of a crashed ring expired, %d keys published, want b's 2", n)
	}
}

func testSharedWithdraw(t *testing.T, r jwks.Registry, c *Clock) {
	a, b := newRing(t, r, c), newRing(t, r, c)
	syncAll(t, a, b)
	tok := sign(t, a, c)
	leaked := a.KeyID()
	if err := verifies(b, tok, c); err != nil {
		t.Fatal(err)
	}
	if err := b.Withdraw(context.Background(), leaked); err != nil {
		t.Fatalf("Withdraw: %v", err)
	}
	if err := verifies(b, tok, c); !errors.Is(err, jwt.ErrKeyNotFound) {
		t.Errorf("the withdrawing ring verifies a withdrawn key's token: %v", err)
	}
	// a stops verifying it, and signing with it, at its next sync.
	syncAll(t, a)
	if err := verifies(a, tok, c); !errors.Is(err, jwt.ErrKeyNotFound) {
		t.Errorf("another ring, after one sync, verifies a withdrawn key's token: %v", err)
	}
	if a.KeyID() == leaked {
		t.Fatal("a ring signs with its withdrawn key after a sync")
	}
	fresh := sign(t, a, c)
	syncAll(t, b)
	if err := verifies(b, fresh, c); err != nil {
		t.Errorf("the replacement key: %v", err)
	}
	sameSet(t, a, b)
	for _, k := range a.PublicSet().Keys {
		if k.KeyID == leaked {
			t.Error("a withdrawn key is still published")
		}
	}
}
