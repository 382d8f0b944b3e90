package jwks

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jwtkit/jwt"
)

// DefaultSyncEvery is how often a SharedRing publishes its keys and reads
// its Registry, unless SharedRingOptions say otherwise.
const DefaultSyncEvery = time.Second

// SharedRingOptions configure a [SharedRing].
type SharedRingOptions struct {
	// Algorithm is the signing algorithm, one with public keys: RS256 …
	// PS512, ES256 … ES512 or EdDSA. Required; every ring sharing the
	// Registry must use the same one.
	Algorithm jwt.Algorithm
	// MaxTokenLifetime is the longest time from signing a token to its
	// "exp"; a key stays published for it, plus jwt.MaxLeeway and
	// MaxStale, after it last signed. Required.
	MaxTokenLifetime time.Duration
	// Registry is where the rings of all instances publish their public
	// keys. Required.
	Registry Registry
	// RotateEvery, if positive, rotates the ring's own keys at this
	// interval. Any positive duration, also shorter than MaxTokenLifetime:
	// retired keys stay published until their tokens have expired.
	RotateEvery time.Duration
	// SyncEvery is how often the ring publishes its keys and reads the
	// Registry; 0 means DefaultSyncEvery. A key withdrawn in the Registry
	// stops verifying on every ring within SyncEvery (plus one round trip
	// to the Registry), and a new key of another instance is known within
	// SyncEvery, or at once when a token signed by it is verified.
	SyncEvery time.Duration
	// MaxStale is how long the ring goes on without a successful sync
	// before it refuses to sign and to verify (failing closed, with
	// errors wrapping ErrRegistryUnavailable): a ring that cannot read the
	// Registry would not see a withdrawal. 0 means five times SyncEvery;
	// it must be at least SyncEvery.
	MaxStale time.Duration
	// MaxAge is the Cache-Control max-age of the ring's handler (see
	// [NewSharedHandler]); 0 means DefaultMaxAge, or half of RotateEvery
	// if that is shorter. More than RotateEvery is an error.
	MaxAge time.Duration
	// Now returns the current time; nil means time.Now. It must agree
	// with the Registry's clock.
	Now func() time.Time
}

// SharedRing is a key ring for one instance of a service run as several:
// it signs with keys of its own, generated in memory and never leaving it,
// publishes their public parts in a [Registry] shared by every instance,
// and verifies, and serves as the service's JWK Set, every key published
// there. Tokens signed by any instance therefore verify on every instance,
// and every instance serves the same set.
//
// Each ring has a current key, which signs, and a next key, published
// ahead of its use; Rotate (or the schedule of RotateEvery) retires the
// current key, which stays published until every token it signed has
// expired. A ring republishes its current and next keys at every sync with
// an expiry MaxTokenLifetime + jwt.MaxLeeway + MaxStale ahead, so that the
// keys of an instance that has crashed stay published, by the Registry's
// expiry, until its last tokens have expired, and then disappear. Rings
// that rotate at the same time change only their own keys: that is
// harmless.
//
// A SharedRing is a [jwt.KeySource] and a session.SignerSource. It is safe
// for concurrent use; Close stops its goroutine.
type SharedRing struct {
	alg       jwt.Algorithm
	reg       Registry
	lifetime  time.Duration
	keep      time.Duration // MaxTokenLifetime + jwt.MaxLeeway
	syncEvery time.Duration
	maxStale  time.Duration
	maxAge    time.Duration
	now       func() time.Time

	mu      sync.Mutex // serializes syncs and changes of own keys
	current ringKey
	next    ringKey
	retired []ringKey
	state   atomic.Pointer[sharedState]

	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
}

// sharedState is what a ring read from its Registry at one sync; it is
// never modified.
type sharedState struct {
	syncedAt time.Time // zero before the first successful sync
	signer   jwt.Signer
	kid      string
	keys     *jwt.KeySet
	set      []*jwt.JWK
	body     []byte
	etag     string
}

// NewSharedRing returns a SharedRing with a new current and next key, and
// starts its goroutine, which syncs with the Registry every SyncEvery and
// rotates every RotateEvery. It does no I/O itself: the ring signs and
// verifies once its first sync has succeeded (call Sync to wait for it).
// Missing or contradictory options are an error wrapping
// jwt.ErrInvalidOption.
func NewSharedRing(opts *SharedRingOptions) (*SharedRing, error) {
	switch {
	case opts == nil || opts.Algorithm == nil:
		return nil, wrap(jwt.ErrInvalidOption, nil, "SharedRingOptions.Algorithm is required")
	case opts.Registry == nil:
		return nil, wrap(jwt.ErrInvalidOption, nil, "SharedRingOptions.Registry is required")
	case opts.MaxTokenLifetime <= 0:
		return nil, wrap(jwt.ErrInvalidOption, nil, "SharedRingOptions.MaxTokenLifetime must be positive")
	case opts.RotateEvery < 0 || opts.SyncEvery < 0 || opts.MaxStale < 0 || opts.MaxAge < 0:
		return nil, wrap(jwt.ErrInvalidOption, nil, "negative RotateEvery, SyncEvery, MaxStale or MaxAge")
	}
	r := &SharedRing{
		alg:       opts.Algorithm,
		reg:       opts.Registry,
		lifetime:  opts.MaxTokenLifetime,
		keep:      opts.MaxTokenLifetime + jwt.MaxLeeway,
		syncEvery: orDefault(opts.SyncEvery, DefaultSyncEvery),
		now:       opts.Now,
		stop:      make(chan struct{}),
	}
	r.maxStale = orDefault(opts.MaxStale, 5*r.syncEvery)
	if r.maxStale < r.syncEvery {
		return nil, wrap(jwt.ErrInvalidOption, nil, "MaxStale %v is shorter than SyncEvery %v", r.maxStale, r.syncEvery)
	}
	r.maxAge = opts.MaxAge
	if r.maxAge == 0 {
		r.maxAge = DefaultMaxAge
		if opts.RotateEvery > 0 {
			r.maxAge = min(r.maxAge, opts.RotateEvery/2)
		}
	}
	if opts.RotateEvery > 0 && r.maxAge > opts.RotateEvery {
		return nil, wrap(jwt.ErrInvalidOption, nil, "MaxAge %v exceeds RotateEvery %v", r.maxAge, opts.RotateEvery)
	}
	if r.now == nil {
		r.now = time.Now
	}
	var err error
	if r.current, err = r.newKey(); err != nil {
		return nil, err
	}
	if r.next, err = r.newKey(); err != nil {
		return nil, err
	}
	r.state.Store(&sharedState{signer: unavailableSigner{r.alg}, kid: r.current.pub.KeyID})
	r.wg.Add(1)
	go r.run(opts.RotateEvery)
	return r, nil
}

// newKey generates a key for the ring's algorithm, as a KeyRing does.
func (r *SharedRing) newKey() (ringKey, error) {
	return (&KeyRing{alg: r.alg}).newKey()
}

// run syncs every syncEvery and rotates every rotateEvery, until Close.
func (r *SharedRing) run(rotateEvery time.Duration) {
	defer r.wg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-r.stop
		cancel()
	}()
	sync := time.NewTicker(r.syncEvery)
	defer sync.Stop()
	var rotate <-chan time.Time
	if rotateEvery > 0 {
		t := time.NewTicker(rotateEvery)
		defer t.Stop()
		rotate = t.C
	}
	_ = r.syncTimeout(ctx)
	for {
		select {
		case <-sync.C:
			// A failed sync leaves the ring's view as it was; after
			// MaxStale the ring refuses to sign and verify.
			_ = r.syncTimeout(ctx)
		case <-rotate:
			tctx, cancel := context.WithTimeout(ctx, r.syncEvery)
			_ = r.Rotate(tctx)
			cancel()
		case <-r.stop:
			return
		}
	}
}

func (r *SharedRing) syncTimeout(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, r.syncEvery)
	defer cancel()
	return r.Sync(ctx)
}

// Sync publishes the ring's own keys in the Registry and reads every key
// published there, which the ring then verifies with and serves. The
// ring's goroutine calls it every SyncEvery; call it to wait for a first
// sync. A key of the ring's own that the Registry reports withdrawn is
// dropped: a withdrawn current key is replaced by the next key, and a new
// next key is generated. A ring whose last successful sync is older than
// MaxStale replaces its current and next keys with new ones first, so that
// a withdrawal it missed cannot be undone by its publishing them again. Errors of the Registry are returned as they are,
// and leave the ring's view unchanged.
func (r *SharedRing) Sync(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sync(ctx)
}

func (r *SharedRing) sync(ctx context.Context) error {
	now := r.now()
	until := now.Add(r.keep + r.maxStale)
	if last := r.state.Load().syncedAt; !last.IsZero() && now.Sub(last) > r.maxStale {
		// Out of touch for longer than MaxStale: the ring has stopped
		// signing, and a withdrawal of its keys may have come and gone
		// unseen. It starts again with new keys; the old ones stay
		// published, as they were, until their tokens have expired.
		if err := r.replaceCurrent(); err != nil {
			return err
		}
		if err := r.replaceCurrent(); err != nil {
			return err
		}
	}
	for range 3 { // a withdrawn current key, then a withdrawn next key
		err := r.reg.Publish(ctx, r.current.pub, until)
		if errors.Is(err, ErrWithdrawn) {
			if err := r.replaceCurrent(); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		break
	}
	for range 3 {
		err := r.reg.Publish(ctx, r.next.pub, until)
		if errors.Is(err, ErrWithdrawn) {
			k, err := r.newKey()
			if err != nil {
				return err
			}
			r.next = k
			continue
		}
		if err != nil {
			return err
		}
		break
	}
	kept := r.retired[:0:0]
	for _, k := range r.retired {
		if !now.Before(k.removeAt) {
			continue
		}
		err := r.reg.Publish(ctx, k.pub, k.removeAt)
		if errors.Is(err, ErrWithdrawn) {
			continue
		}
		if err != nil {
			return err
		}
		kept = append(kept, k)
	}
	r.retired = kept
	keys, err := r.reg.Keys(ctx)
	if err != nil {
		return err
	}
	st, err := r.newState(now, keys)
	if err != nil {
		return err
	}
	r.state.Store(st)
	return nil
}

// replaceCurrent drops the current key, which was withdrawn: the next key
// becomes current, and a new next key is generated.
func (r *SharedRing) replaceCurrent() error {
	k, err := r.newKey()
	if err != nil {
		return err
	}
	r.current, r.next = r.next, k
	return nil
}

// newState builds the ring's view of keys, read at now.
func (r *SharedRing) newState(now time.Time, keys []*jwt.JWK) (*sharedState, error) {
	st := &sharedState{
		syncedAt: now,
		signer:   r.current.signer,
		kid:      r.current.pub.KeyID,
		set:      make([]*jwt.JWK, 0, len(keys)),
	}
	vs := make([]jwt.Verifier, 0, len(keys))
	for _, k := range keys {
		if k.IsPrivate() || k.KeyID == "" {
			continue // a Registry that broke its contract: never verify with it
		}
		st.set = append(st.set, k.Public())
		if v, err := k.Verifier(r.alg); err == nil {
			vs = append(vs, v)
		}
	}
	var err error
	if st.keys, err = jwt.NewKeySet(vs...); err != nil {
		return nil, relabel(err)
	}
	if st.body, err = (Set{Keys: st.set}).MarshalJSON(); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(st.body)
	st.etag = `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
	return st, nil
}

// Rotate retires the ring's current key, which stays published until every
// token it signed has expired, makes the next key current and generates a
// new next key; then it syncs. Only this ring's keys change. The error is
// that of the sync; the rotation has happened all the same, and the next
// sync publishes it.
func (r *SharedRing) Rotate(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	k, err := r.newKey()
	if err != nil {
		return err
	}
	retiring := r.current
	retiring.signer = nil
	retiring.removeAt = r.now().Add(r.keep + r.maxStale)
	r.retired = append([]ringKey{retiring}, r.retired...)
	r.current, r.next = r.next, k
	return r.sync(ctx)
}

// Withdraw withdraws the key kid from the Registry, so that it stops
// verifying on every ring sharing it within SyncEvery (this ring at once),
// and its ring, at its next sync, stops signing with it. Unlike a rotated
// key, tokens it signed stop verifying: it is for a key that leaked. The
// withdrawal is kept for twice MaxTokenLifetime + jwt.MaxLeeway + MaxStale,
// longer than any publication of the key.
func (r *SharedRing) Withdraw(ctx context.Context, kid string) error {
	if err := r.reg.Withdraw(ctx, kid, r.now().Add(2*(r.keep+r.maxStale))); err != nil {
		return err
	}
	return r.Sync(ctx)
}

// load returns the ring's view, or an error if it is older than MaxStale.
func (r *SharedRing) load() (*sharedState, error) {
	st := r.state.Load()
	if st.syncedAt.IsZero() {
		return st, wrap(jwt.ErrUnavailable, ErrRegistryUnavailable, "no sync with the key registry yet")
	}
	if age := r.now().Sub(st.syncedAt); age > r.maxStale {
		return st, wrap(jwt.ErrUnavailable, ErrRegistryUnavailable, "last sync with the key registry %v ago", age.Round(time.Millisecond))
	}
	return st, nil
}

// Signer returns the Signer of the ring's current key, carrying its kid.
// Before the first successful sync, and once the last one is older than
// MaxStale, it returns a Signer whose Sign fails with an error wrapping
// ErrRegistryUnavailable: a key is used only while the ring can keep it
// published. The error wraps jwt.ErrUnavailable too.
func (r *SharedRing) Signer() jwt.Signer {
	st, err := r.load()
	if err != nil {
		return unavailableSigner{r.alg}
	}
	return st.signer
}

// KeyID returns the kid of the ring's current key.
func (r *SharedRing) KeyID() string { return r.state.Load().kid }

// MaxTokenLifetime returns SharedRingOptions.MaxTokenLifetime.
func (r *SharedRing) MaxTokenLifetime() time.Duration { return r.lifetime }

var _ jwt.KeySource = (*SharedRing)(nil)

// Lookup implements [jwt.KeySource] over every key published in the
// Registry at the last sync. A kid it does not know makes it sync first, at
// most once every quarter of SyncEvery, so that a token of an instance that
// has just started verifies at once. A view older than MaxStale is an error
// wrapping jwt.ErrUnavailable and ErrRegistryUnavailable.
func (r *SharedRing) Lookup(ctx context.Context, h jwt.Header) ([]jwt.Verifier, error) {
	st, err := r.load()
	if err != nil {
		return nil, err
	}
	vs, err := st.keys.Lookup(ctx, h)
	if err == nil || !errors.Is(err, jwt.ErrKeyNotFound) || h.KeyID == "" {
		return vs, relabel(err)
	}
	if r.now().Sub(st.syncedAt) < r.syncEvery/4 {
		return nil, relabel(err)
	}
	r.mu.Lock()
	if r.state.Load() == st { // no one synced while we waited
		_ = r.sync(ctx)
	}
	r.mu.Unlock()
	if st, err = r.load(); err != nil {
		return nil, err
	}
	vs, err = st.keys.Lookup(ctx, h)
	return vs, relabel(err)
}

// PublicSet returns the JWK Set read from the Registry at the last sync,
// in a new value.
func (r *SharedRing) PublicSet() *Set {
	st := r.state.Load()
	set := &Set{Keys: make([]*jwt.JWK, len(st.set))}
	for i, k := range st.set {
		set.Keys[i] = k.Public()
	}
	return set
}

func (r *SharedRing) published() ([]byte, string, time.Duration) {
	st := r.state.Load()
	if st.body == nil {
		return []byte(`{"keys":[]}`), `"empty"`, 0
	}
	return st.body, st.etag, r.maxAge
}

// NewSharedHandler returns an http.Handler that serves the JWK Set of ring,
// every key published in its Registry, as [NewHandler] serves a KeyRing's,
// with Cache-Control max-age from SharedRingOptions.MaxAge. Before the
// ring's first sync it serves an empty set, with max-age 0.
func NewSharedHandler(ring *SharedRing) http.Handler {
	return &handler{src: ring}
}

// Close stops the ring's goroutine and returns when it has ended. The ring
// keeps its keys, and their publications expire by themselves. Close may be
// called more than once.
func (r *SharedRing) Close() {
	r.stopOnce.Do(func() { close(r.stop) })
	r.wg.Wait()
}

// unavailableSigner is the Signer of a SharedRing that cannot keep its key
// published.
type unavailableSigner struct{ alg jwt.Algorithm }

func (s unavailableSigner) Algorithm() string { return s.alg.Name() }

func (unavailableSigner) Sign(context.Context, []byte) ([]byte, error) {
	return nil, wrap(jwt.ErrUnavailable, ErrRegistryUnavailable, "the signing key is not known to be published")
}

// Ready returns nil if the ring signs and verifies: its last successful
// sync is at most MaxStale old. Otherwise the error wraps
// jwt.ErrUnavailable and ErrRegistryUnavailable. A health check reports it.
func (r *SharedRing) Ready() error {
	_, err := r.load()
	return err
}
