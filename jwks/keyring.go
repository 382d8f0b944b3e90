package jwks

import (
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jwtkit/jwt"
)

// DefaultMaxAge is the Cache-Control max-age a key ring's Handler sends,
// unless KeyRingOptions say otherwise.
const DefaultMaxAge = 15 * time.Minute

// KeyRingOptions configure a [KeyRing].
type KeyRingOptions struct {
	// Algorithm is the signing algorithm, one with public keys: RS256 …
	// PS512, ES256 … ES512, EdDSA or, built with Go 1.27 or later,
	// ML-DSA-44 … ML-DSA-87. Required.
	Algorithm jwt.Algorithm
	// MaxTokenLifetime is the longest time from signing a token to its
	// "exp". KeyRing.Sign refuses tokens that would outlive it, and a
	// retired key stays published, and verifying, for MaxTokenLifetime plus
	// jwt.MaxLeeway after it signed last. Required.
	MaxTokenLifetime time.Duration
	// RotateEvery, if positive, rotates the ring at this interval, from a
	// goroutine that Close stops.
	RotateEvery time.Duration
	// MaxAge is the Cache-Control max-age the ring's Handler sends, and
	// so how long verifiers may keep the set before they see a new next
	// key. Zero means DefaultMaxAge (15 minutes), or half of RotateEvery if
	// that is shorter; more than RotateEvery is an error, because the next
	// key would sign before every verifier has seen it.
	MaxAge time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Current, if set, is the private key the ring starts with as its
	// current key, in place of a generated one: a key loaded from a file
	// (see jwt.ParseJWK and jwt.ParsePrivateKeyPEM), so that the instances
	// of a service given the same key sign with it and publish the same
	// JWK Set. It must be a key of Algorithm, and its "alg", "use" and
	// "key_ops", if present, must allow signing with Algorithm. The ring
	// publishes the public key with "alg", "use":"sig" and Current's kid,
	// or its RFC 7638 thumbprint if it has none; other members (such as
	// "x5c") are left out, and Current itself is not modified.
	//
	// A ring started from Current has no next key, so that rings given
	// the same Current publish identical sets; the first [KeyRing.Rotate]
	// generates one.
	Current *jwt.JWK
}

// KeyRing holds the keys a token issuer signs with and publishes: the
// current key, which signs; the next key, published ahead of use so that
// verifiers holding a cached JWK Set already know it when it starts to
// sign; and retired keys, still published until every token they signed
// has expired. Key IDs are RFC 7638 thumbprints. Keys are generated in
// memory with jwt.GenerateKey and are lost with the KeyRing, except the
// first current key when KeyRingOptions.Current gives it.
//
// A KeyRing is a [jwt.KeySource] of its current and retired keys, for the
// issuer's own verifying, and [NewHandler] serves its public JWK Set. It is
// safe for concurrent use.
type KeyRing struct {
	alg      jwt.Algorithm
	lifetime time.Duration // MaxTokenLifetime
	keep     time.Duration // how long a retired key stays
	maxAge   time.Duration
	now      func() time.Time

	state atomic.Pointer[ringState]
	mu    sync.Mutex // serializes changes of state

	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
}

// ringKey is one key of a ring.
type ringKey struct {
	pub      *jwt.JWK
	signer   jwt.Signer // nil once retired
	verifier jwt.Verifier
	removeAt time.Time // for a retired key
}

// ringState is the keys of a ring at one time; it is never modified.
type ringState struct {
	current ringKey
	next    *ringKey  // nil for a ring started from a given key, until Rotate
	retired []ringKey // newest first
	keys    *jwt.KeySet
	body    []byte // the public JWK Set
	etag    string
	pruneAt time.Time // when the oldest retired key goes; zero if none
}

// NewKeyRing returns a KeyRing with a new current key and a new next key,
// or with the current key opts.Current and no next key, and starts its
// rotation schedule if opts ask for one. Missing or contradictory options,
// and a Current that cannot sign with opts.Algorithm, are an error wrapping
// jwt.ErrInvalidOption.
func NewKeyRing(opts *KeyRingOptions) (*KeyRing, error) {
	if opts == nil || opts.Algorithm == nil {
		return nil, wrap(jwt.ErrInvalidOption, nil, "KeyRingOptions.Algorithm is required")
	}
	if opts.MaxTokenLifetime <= 0 {
		return nil, wrap(jwt.ErrInvalidOption, nil, "KeyRingOptions.MaxTokenLifetime must be positive")
	}
	if opts.RotateEvery < 0 || opts.MaxAge < 0 {
		return nil, wrap(jwt.ErrInvalidOption, nil, "negative RotateEvery or MaxAge")
	}
	maxAge := opts.MaxAge
	if maxAge == 0 {
		maxAge = DefaultMaxAge
		if opts.RotateEvery > 0 {
			maxAge = min(maxAge, opts.RotateEvery/2)
		}
	}
	if opts.RotateEvery > 0 && maxAge > opts.RotateEvery {
		return nil, wrap(jwt.ErrInvalidOption, nil, "MaxAge %v exceeds RotateEvery %v", maxAge, opts.RotateEvery)
	}
	r := &KeyRing{
		alg:      opts.Algorithm,
		lifetime: opts.MaxTokenLifetime,
		keep:     opts.MaxTokenLifetime + jwt.MaxLeeway,
		maxAge:   maxAge,
		now:      opts.Now,
		stop:     make(chan struct{}),
	}
	if r.now == nil {
		r.now = time.Now
	}
	var current ringKey
	var next *ringKey
	var err error
	if opts.Current != nil {
		if current, err = r.givenKey(opts.Current); err != nil {
			return nil, err
		}
	} else {
		if current, err = r.newKey(); err != nil {
			return nil, err
		}
		k, err := r.newKey()
		if err != nil {
			return nil, err
		}
		next = &k
	}
	st, err := newRingState(current, next, nil)
	if err != nil {
		return nil, err
	}
	r.state.Store(st)
	if opts.RotateEvery > 0 {
		r.wg.Add(1)
		go r.rotateEvery(opts.RotateEvery)
	}
	return r, nil
}

// newKey generates a key for the ring's algorithm.
func (r *KeyRing) newKey() (ringKey, error) {
	k, err := jwt.GenerateKey(r.alg)
	if err != nil {
		return ringKey{}, wrap(jwt.ErrInvalidOption, err, "KeyRingOptions.Algorithm")
	}
	if _, ok := k.Key.(crypto.Signer); !ok {
		return ringKey{}, wrap(jwt.ErrInvalidOption, nil, "%s has no public key to publish", r.alg.Name())
	}
	return r.ringKey(k, "")
}

// givenKey checks that given can sign with the ring's algorithm, and makes
// a ring key of a copy of it, with its kid.
func (r *KeyRing) givenKey(given *jwt.JWK) (ringKey, error) {
	if _, ok := given.Key.(crypto.Signer); !ok {
		return ringKey{}, wrap(jwt.ErrInvalidOption, nil, "KeyRingOptions.Current must be a private key with a public key to publish")
	}
	if _, err := given.Signer(r.alg); err != nil {
		return ringKey{}, wrap(jwt.ErrInvalidOption, err, "KeyRingOptions.Current cannot sign with %s", r.alg.Name())
	}
	k, err := jwt.NewJWK(given.Key)
	if err != nil {
		return ringKey{}, wrap(jwt.ErrInvalidOption, err, "KeyRingOptions.Current")
	}
	return r.ringKey(k, given.KeyID)
}

// ringKey makes a ring key of k, a new JWK holding a private key, with the
// ring's algorithm, "use":"sig" and kid, or the thumbprint if kid is "".
func (r *KeyRing) ringKey(k *jwt.JWK, kid string) (ringKey, error) {
	k.Algorithm, k.Use, k.KeyID = r.alg.Name(), "sig", kid
	if kid == "" {
		if err := k.SetThumbprintKeyID(); err != nil {
			return ringKey{}, err
		}
	}
	signer, err := k.Signer(r.alg)
	if err != nil {
		return ringKey{}, err
	}
	pub := k.Public()
	verifier, err := pub.Verifier(r.alg)
	if err != nil {
		return ringKey{}, err
	}
	return ringKey{pub: pub, signer: signer, verifier: verifier}, nil
}

func newRingState(current ringKey, next *ringKey, retired []ringKey) (*ringState, error) {
	st := &ringState{current: current, next: next, retired: retired}
	vs := []jwt.Verifier{current.verifier}
	set := Set{Keys: []*jwt.JWK{current.pub}}
	if next != nil {
		set.Keys = append(set.Keys, next.pub)
	}
	for _, k := range retired {
		vs = append(vs, k.verifier)
		set.Keys = append(set.Keys, k.pub)
		if st.pruneAt.IsZero() || k.removeAt.Before(st.pruneAt) {
			st.pruneAt = k.removeAt
		}
	}
	var err error
	if st.keys, err = jwt.NewKeySet(vs...); err != nil {
		return nil, err
	}
	if st.body, err = set.MarshalJSON(); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(st.body)
	st.etag = `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
	return st, nil
}

// load returns the ring's state, first removing retired keys whose time
// has passed.
func (r *KeyRing) load() *ringState {
	st := r.state.Load()
	if !st.pruneAt.IsZero() && !r.now().Before(st.pruneAt) {
		st = r.prune()
	}
	return st
}

// prune removes the retired keys whose time has passed.
func (r *KeyRing) prune() *ringState {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.state.Load()
	now := r.now()
	if st.pruneAt.IsZero() || now.Before(st.pruneAt) {
		return st
	}
	next, err := newRingState(st.current, st.next, kept(st.retired, now))
	if err != nil {
		return st // cannot happen: a subset of a state that was built
	}
	r.state.Store(next)
	return next
}

// kept returns the retired keys still published at now, in a new slice.
func kept(retired []ringKey, now time.Time) []ringKey {
	var out []ringKey
	for _, k := range retired {
		if now.Before(k.removeAt) {
			out = append(out, k)
		}
	}
	return out
}

// Rotate makes the next key current, retires the current key, and
// generates a new next key. The retired key stays published, and verifies,
// until MaxTokenLifetime plus jwt.MaxLeeway have passed. For verifiers to
// know the new current key before it signs, rotate no more often than
// MaxAge, except to replace a compromised key.
//
// A ring without a next key (started from KeyRingOptions.Current) is given
// one: Rotate then generates and publishes a next key, and the current key
// keeps signing until the following Rotate.
func (r *KeyRing) Rotate() error {
	key, err := r.newKey()
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.state.Load()
	now := r.now()
	if old.next == nil {
		st, err := newRingState(old.current, &key, kept(old.retired, now))
		if err != nil {
			return err
		}
		r.state.Store(st)
		return nil
	}
	retiring := old.current
	retiring.signer = nil
	retiring.removeAt = now.Add(r.keep)
	retired := append([]ringKey{retiring}, kept(old.retired, now)...)
	st, err := newRingState(*old.next, &key, retired)
	if err != nil {
		return err
	}
	r.state.Store(st)
	return nil
}

// Withdraw stops publishing the key whose kid is kid, and verifying with
// it, at once: for a key that leaked. A withdrawn current key is replaced
// first, as by Rotate, by the next key, or by a new key in a ring without
// one (started from KeyRingOptions.Current), and a new next key is
// generated; a withdrawn next key is replaced by a new one. Unlike a
// rotated key, a withdrawn key is not retired: tokens it signed stop
// verifying with the ring now. A kid the ring does not publish is an error
// wrapping jwt.ErrKeyNotFound, and the ring is unchanged.
//
// Verifiers that cache the ring's JWK Set (such as a Remote) drop the key
// when they next fetch it, within MaxAge. A Signer taken from the ring
// before keeps signing with the withdrawn key, and its tokens no longer
// verify. Instances sharing a key must each withdraw it.
func (r *KeyRing) Withdraw(kid string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.state.Load()
	current, next := old.current, old.next
	retired := kept(old.retired, r.now())
	found := false
	if i := len(retired); i > 0 {
		retired = slices.DeleteFunc(retired, func(k ringKey) bool { return k.pub.KeyID == kid })
		found = len(retired) < i
	}
	if current.pub.KeyID == kid {
		found = true
		if next != nil && next.pub.KeyID != kid {
			current = *next
		} else {
			k, err := r.newKey()
			if err != nil {
				return err
			}
			current = k
		}
		next = nil
	}
	if next != nil && next.pub.KeyID == kid {
		found = true
		next = nil
	}
	if !found {
		return wrap(jwt.ErrKeyNotFound, nil, "no key with kid %s in the ring", quote(kid))
	}
	if next == nil && (old.next != nil || current.pub.KeyID != old.current.pub.KeyID) {
		k, err := r.newKey()
		if err != nil {
			return err
		}
		next = &k
	}
	st, err := newRingState(current, next, retired)
	if err != nil {
		return err
	}
	r.state.Store(st)
	return nil
}

// rotateEvery rotates the ring at each tick until Close.
func (r *KeyRing) rotateEvery(d time.Duration) {
	defer r.wg.Done()
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			// Generating a key fails only for an algorithm NewKeyRing
			// has already refused; the current key keeps signing if not.
			_ = r.Rotate()
		case <-r.stop:
			return
		}
	}
}

// Signer returns the Signer of the current key, carrying its kid. Ask for
// it for each token rather than keeping it: after Rotate it is no longer
// current, and once the ring stops publishing its key, tokens it signs no
// longer verify. Give a session.Manager the ring itself (a
// session.SignerSource), not this Signer. Tokens it signs must expire
// within MaxTokenLifetime.
func (r *KeyRing) Signer() jwt.Signer {
	return r.load().current.signer
}

// MaxTokenLifetime returns KeyRingOptions.MaxTokenLifetime: the longest
// time from signing a token to its "exp" for which the ring keeps the
// signing key published.
func (r *KeyRing) MaxTokenLifetime() time.Duration {
	return r.lifetime
}

// KeyID returns the kid of the current key.
func (r *KeyRing) KeyID() string {
	return r.load().current.pub.KeyID
}

// Sign signs claims with the current key as jwt.Sign does, after checking
// that they have an "exp" at most MaxTokenLifetime from now; otherwise the
// error wraps jwt.ErrInvalidClaims, since the key could be unpublished
// before the token expires.
func (r *KeyRing) Sign(ctx context.Context, claims any, opts *jwt.SignOptions) (string, error) {
	exp, payload, err := expiryOf(claims)
	if err != nil {
		return "", err
	}
	now := r.now()
	if exp.IsZero() {
		return "", wrap(jwt.ErrInvalidClaims, nil, `a token signed by a KeyRing needs "exp"`)
	}
	if limit := now.Add(r.lifetime); exp.After(limit) {
		return "", wrap(jwt.ErrInvalidClaims, nil, "exp %s is more than MaxTokenLifetime %v from now", exp.UTC().Format(time.RFC3339), r.lifetime)
	}
	if payload != nil {
		claims = payload
	}
	token, err := jwt.Sign(ctx, r.Signer(), claims, opts)
	return token, relabel(err)
}

// expiryOf returns the "exp" of claims, and claims encoded as JSON unless
// they are RegisteredClaims, which jwt.Sign encodes faster itself.
func expiryOf(claims any) (exp time.Time, payload json.RawMessage, err error) {
	switch c := claims.(type) {
	case jwt.RegisteredClaims:
		return c.ExpiresAt.Time, nil, nil
	case *jwt.RegisteredClaims:
		if c != nil {
			return c.ExpiresAt.Time, nil, nil
		}
		return time.Time{}, nil, wrap(jwt.ErrInvalidClaims, nil, "nil *RegisteredClaims")
	case []byte:
		payload = c
	case json.RawMessage:
		payload = c
	default:
		if payload, err = json.Marshal(claims); err != nil {
			return time.Time{}, nil, wrap(jwt.ErrInvalidClaims, err, "encoding")
		}
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(payload, &m); err != nil {
		return time.Time{}, nil, wrap(jwt.ErrInvalidClaims, err, "not a JSON object")
	}
	raw, ok := m["exp"]
	if !ok {
		return time.Time{}, payload, nil
	}
	var d jwt.NumericDate
	if err := d.UnmarshalJSON(raw); err != nil {
		return time.Time{}, nil, wrap(jwt.ErrInvalidClaims, err, "exp")
	}
	return d.Time, payload, nil
}

var _ jwt.KeySource = (*KeyRing)(nil)

// Lookup implements [jwt.KeySource] over the current and retired keys, as
// a [jwt.KeySet] of them. The next key is not used until it is current.
func (r *KeyRing) Lookup(ctx context.Context, h jwt.Header) ([]jwt.Verifier, error) {
	vs, err := r.load().keys.Lookup(ctx, h)
	return vs, relabel(err)
}

// PublicSet returns the JWK Set the ring publishes: the current, next
// (if any) and retired keys, public parts only, in a new value.
func (r *KeyRing) PublicSet() *Set {
	st := r.load()
	set := &Set{Keys: []*jwt.JWK{st.current.pub.Public()}}
	if st.next != nil {
		set.Keys = append(set.Keys, st.next.pub.Public())
	}
	for _, k := range st.retired {
		set.Keys = append(set.Keys, k.pub.Public())
	}
	return set
}

// Close stops the rotation schedule, if any, and returns when its
// goroutine has ended. The ring keeps signing and verifying with the keys
// it has. Close may be called more than once.
func (r *KeyRing) Close() {
	r.stopOnce.Do(func() { close(r.stop) })
	r.wg.Wait()
}
