package jwks

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newTestRing(t *testing.T, o KeyRingOptions) *KeyRing {
	t.Helper()
	r, err := NewKeyRing(&o)
	require.NoError(t, err)
	t.Cleanup(r.Close)
	return r
}

func ringToken(t *testing.T, r *KeyRing, c *clock, lifetime time.Duration) string {
	t.Helper()
	tok, err := r.Sign(context.Background(), jwt.RegisteredClaims{
		Subject: "user-1", IssuedAt: jwt.NewNumericDate(c.Now()), ExpiresAt: jwt.NewNumericDate(c.Now().Add(lifetime)),
	}, nil)
	require.NoError(t, err)
	return tok
}

func TestKeyRingOptions(t *testing.T) {
	for name, o := range map[string]*KeyRingOptions{
		"nil":                    nil,
		"no algorithm":           {MaxTokenLifetime: time.Hour},
		"no lifetime":            {Algorithm: jwt.ES256},
		"HMAC has no public key": {Algorithm: jwt.HS256, MaxTokenLifetime: time.Hour},
		"MaxAge above rotation":  {Algorithm: jwt.ES256, MaxTokenLifetime: time.Hour, RotateEvery: time.Hour, MaxAge: 2 * time.Hour},
		"negative rotation":      {Algorithm: jwt.ES256, MaxTokenLifetime: time.Hour, RotateEvery: -time.Hour},
	} {
		_, err := NewKeyRing(o)
		assert.ErrorIs(t, err, jwt.ErrInvalidOption, name)
	}
	r := newTestRing(t, KeyRingOptions{Algorithm: jwt.ES256, MaxTokenLifetime: time.Hour, RotateEvery: 10 * time.Minute})
	assert.Equal(t, 5*time.Minute, r.maxAge, "MaxAge defaults to half the rotation interval when that is shorter")
}

func TestKeyRingRotation(t *testing.T) {
	c := newClock()
	const lifetime = time.Hour
	r := newTestRing(t, KeyRingOptions{Algorithm: jwt.EdDSA, MaxTokenLifetime: lifetime, Now: c.Now})

	set := r.PublicSet()
	require.Len(t, set.Keys, 2, "current and next")
	current, next := set.Keys[0], set.Keys[1]
	for _, k := range set.Keys {
		assert.False(t, k.IsPrivate())
		assert.Equal(t, "EdDSA", k.Algorithm)
		assert.Equal(t, "sig", k.Use)
		tp, err := k.Thumbprint(crypto.SHA256)
		require.NoError(t, err)
		assert.Equal(t, base64.RawURLEncoding.EncodeToString(tp), k.KeyID, "kid is the RFC 7638 thumbprint")
	}
	assert.Equal(t, current.KeyID, r.KeyID())

	old := ringToken(t, r, c, lifetime)
	tok, err := jwt.Verify[jwt.RegisteredClaims](context.Background(), old, r, c.verifyOptions())
	require.NoError(t, err)
	assert.Equal(t, current.KeyID, tok.Header.KeyID)

	require.NoError(t, r.Rotate())
	assert.Equal(t, next.KeyID, r.KeyID(), "the published next key becomes current")
	set = r.PublicSet()
	require.Len(t, set.Keys, 3, "current, next and one retired")
	assert.Equal(t, next.KeyID, set.Keys[0].KeyID)
	assert.Equal(t, current.KeyID, set.Keys[2].KeyID)
	tok, err = jwt.Verify[jwt.RegisteredClaims](context.Background(), ringToken(t, r, c, lifetime), r, c.verifyOptions())
	require.NoError(t, err)
	assert.Equal(t, next.KeyID, tok.Header.KeyID, "signing uses the current key")

	// The retired key verifies its tokens until they have all expired.
	c.Add(lifetime + jwt.MaxLeeway - time.Second)
	opts := c.verifyOptions()
	opts.Leeway = jwt.MaxLeeway
	_, err = jwt.Verify[jwt.RegisteredClaims](context.Background(), old, r, opts)
	require.NoError(t, err)
	assert.Len(t, r.PublicSet().Keys, 3)

	// Then it is unpublished and stops verifying at once.
	c.Add(time.Second)
	_, err = jwt.Verify[jwt.RegisteredClaims](context.Background(), old, r, opts)
	assert.ErrorIs(t, err, jwt.ErrKeyNotFound)
	assert.Len(t, r.PublicSet().Keys, 2)
}

func TestKeyRingNextKeyDoesNotVerify(t *testing.T) {
	c := newClock()
	r := newTestRing(t, KeyRingOptions{Algorithm: jwt.EdDSA, MaxTokenLifetime: time.Hour, Now: c.Now})
	next := r.state.Load().next
	tok, err := jwt.Sign(context.Background(), next.signer, jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(c.Now().Add(time.Minute))}, nil)
	require.NoError(t, err)
	_, err = jwt.Verify[jwt.RegisteredClaims](context.Background(), tok, r, c.verifyOptions())
	assert.ErrorIs(t, err, jwt.ErrKeyNotFound)
}

func TestKeyRingSignChecksLifetime(t *testing.T) {
	c := newClock()
	r := newTestRing(t, KeyRingOptions{Algorithm: jwt.ES256, MaxTokenLifetime: time.Hour, Now: c.Now})
	ctx := context.Background()
	exp := func(d time.Duration) jwt.NumericDate { return jwt.NewNumericDate(c.Now().Add(d)) }

	_, err := r.Sign(ctx, jwt.RegisteredClaims{Subject: "a"}, nil)
	assert.ErrorIs(t, err, jwt.ErrInvalidClaims)
	_, err = r.Sign(ctx, &jwt.RegisteredClaims{ExpiresAt: exp(2 * time.Hour)}, nil)
	assert.ErrorIs(t, err, jwt.ErrInvalidClaims)
	_, err = r.Sign(ctx, (*jwt.RegisteredClaims)(nil), nil)
	assert.ErrorIs(t, err, jwt.ErrInvalidClaims)

	type custom struct {
		jwt.RegisteredClaims
		Role string `json:"role"`
	}
	tok, err := r.Sign(ctx, custom{RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: exp(time.Hour)}, Role: "admin"}, nil)
	require.NoError(t, err)
	got, err := jwt.Verify[custom](ctx, tok, r, c.verifyOptions())
	require.NoError(t, err)
	assert.Equal(t, "admin", got.Claims.Role)

	_, err = r.Sign(ctx, custom{RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: exp(61 * time.Minute)}}, nil)
	assert.ErrorIs(t, err, jwt.ErrInvalidClaims)
	_, err = r.Sign(ctx, []byte(`{"sub":"a","EXP":1}`), nil)
	assert.ErrorIs(t, err, jwt.ErrInvalidClaims, `"EXP" is not "exp"`)
	_, err = r.Sign(ctx, json.RawMessage(`{"exp":"soon"}`), nil)
	assert.ErrorIs(t, err, jwt.ErrInvalidClaims)
	_, err = r.Sign(ctx, []byte(`[1]`), nil)
	assert.ErrorIs(t, err, jwt.ErrInvalidClaims)
	_, err = r.Sign(ctx, []byte(`{"exp":`+strconv.FormatInt(c.Now().Add(time.Minute).Unix(), 10)+`}`), nil)
	assert.NoError(t, err)
}

func TestKeyRingScheduledRotation(t *testing.T) {
	r, err := NewKeyRing(&KeyRingOptions{Algorithm: jwt.EdDSA, MaxTokenLifetime: time.Minute, RotateEvery: 10 * time.Millisecond})
	require.NoError(t, err)
	first := r.KeyID()
	require.Eventually(t, func() bool { return r.KeyID() != first }, eventBound, time.Millisecond)
	r.Close()
	requireNoGoroutines(t) // so nothing is left to rotate
	assert.Empty(t, goroutinesOf(r))
	r.Close()
}

func TestHandler(t *testing.T) {
	c := newClock()
	for _, alg := range []jwt.Algorithm{jwt.PS256, jwt.ES384, jwt.EdDSA} {
		t.Run(alg.Name(), func(t *testing.T) {
			r := newTestRing(t, KeyRingOptions{Algorithm: alg, MaxTokenLifetime: time.Hour, MaxAge: 10 * time.Minute, Now: c.Now})
			h := NewHandler(r)
			get := func(method string, header ...string) *httptest.ResponseRecorder {
				req := httptest.NewRequest(method, "/.well-known/jwks.json", nil)
				for i := 0; i+1 < len(header); i += 2 {
					req.Header.Add(header[i], header[i+1])
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				return w
			}
			require.NoError(t, r.Rotate()) // a retired key too

			w := get("GET")
			require.Equal(t, 200, w.Code)
			assert.Equal(t, "application/jwk-set+json", w.Header().Get("Content-Type"))
			assert.Equal(t, "public, max-age=600", w.Header().Get("Cache-Control"))
			etag := w.Header().Get("ETag")
			assert.Regexp(t, `^"[A-Za-z0-9_-]+"$`, etag)

			// Private members are never served: the strict public parser
			// accepts the set, and no key has a private member.
			set, skipped, err := Parse(w.Body.Bytes(), nil)
			require.NoError(t, err)
			assert.Empty(t, skipped)
			assert.Len(t, set.Keys, 3)
			var raw struct{ Keys []map[string]json.RawMessage }
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &raw))
			for _, k := range raw.Keys {
				for _, m := range []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"} {
					assert.NotContains(t, k, m)
				}
			}

			for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
				w = get("GET", "If-None-Match", inm)
				assert.Equal(t, 304, w.Code, inm)
				assert.Empty(t, w.Body.Bytes())
				assert.Equal(t, etag, w.Header().Get("ETag"))
				assert.Equal(t, "public, max-age=600", w.Header().Get("Cache-Control"))
			}
			assert.Equal(t, 200, get("GET", "If-None-Match", `"other"`).Code)
			w = get("HEAD")
			assert.Equal(t, 200, w.Code)
			assert.Empty(t, w.Body.Bytes())
			w = get("POST")
			assert.Equal(t, 405, w.Code)
			assert.Equal(t, "GET, HEAD", w.Header().Get("Allow"))

			require.NoError(t, r.Rotate())
			assert.NotEqual(t, etag, get("GET").Header().Get("ETag"), "a new set has a new ETag")
			assert.Equal(t, 200, get("GET", "If-None-Match", etag).Code)
		})
	}
}

// TestPublishAndFetch runs both sides: a KeyRing behind its Handler on a
// real server, and a Remote that follows its rotations.
func TestPublishAndFetch(t *testing.T) {
	c := newClock()
	r := newTestRing(t, KeyRingOptions{Algorithm: jwt.ES256, MaxTokenLifetime: time.Hour, MaxAge: 5 * time.Minute, Now: c.Now})
	h := NewHandler(r)
	var notModified atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, req *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code == 304 {
			notModified.Add(1)
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	})
	s := newTestRemote(t, srv.URL, &Options{Now: c.Now})
	ctx := context.Background()

	old := ringToken(t, r, c, time.Hour)
	require.NoError(t, verify(s, c, old))
	assert.Equal(t, c.Now().Add(5*time.Minute), s.Status().Expires, "the Handler's max-age sets the lifetime")

	// Unchanged: a 304.
	require.NoError(t, s.Refresh(ctx))
	assert.EqualValues(t, 1, notModified.Load())

	// After a rotation the new current key was already published as next:
	// the remote set verifies its tokens without a fetch.
	require.NoError(t, r.Rotate())
	hits := srv.hits.Load()
	require.NoError(t, verify(s, c, ringToken(t, r, c, time.Hour)))
	assert.Equal(t, hits, srv.hits.Load())
	require.NoError(t, verify(s, c, old))

	// Once the retired key is unpublished, the next refresh drops it.
	c.Add(time.Hour + jwt.MaxLeeway)
	require.NoError(t, s.Refresh(ctx))
	assert.Equal(t, 2, s.Status().Keys)
	err := verify(s, c, old)
	assert.ErrorIs(t, err, jwt.ErrKeyNotFound)
}

// TestKeyRingCurrent starts rings from a given key, as the instances of a
// service sharing a key file do: they sign with it and publish the same set.
func TestKeyRingCurrent(t *testing.T) {
	c := newClock()
	genKey, err := jwt.GenerateKey(jwt.ES256)
	require.NoError(t, err)
	key := genKey.Key
	given, err := jwt.NewJWK(key)
	require.NoError(t, err)
	given.KeyOps = []string{"sign"} // as some tools write a private key
	o := KeyRingOptions{Algorithm: jwt.ES256, MaxTokenLifetime: time.Hour, Now: c.Now, Current: given}
	a, b := newTestRing(t, o), newTestRing(t, o)

	assert.Empty(t, given.KeyID, "Current is not modified")
	assert.Equal(t, []string{"sign"}, given.KeyOps)
	tp, err := given.Thumbprint(crypto.SHA256)
	require.NoError(t, err)
	kid := base64.RawURLEncoding.EncodeToString(tp)
	assert.Equal(t, kid, a.KeyID(), "without a kid, the thumbprint")

	set := a.PublicSet()
	require.Len(t, set.Keys, 1, "no next key")
	k := set.Keys[0]
	assert.False(t, k.IsPrivate())
	assert.Equal(t, "ES256", k.Algorithm)
	assert.Equal(t, "sig", k.Use)
	assert.Nil(t, k.KeyOps, `a published "key_ops" of ["sign"] would stop verifiers`)

	get := func(r *KeyRing) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		NewHandler(r).ServeHTTP(w, httptest.NewRequest("GET", "/.well-known/jwks.json", nil))
		return w
	}
	wa, wb := get(a), get(b)
	assert.Equal(t, wa.Body.String(), wb.Body.String(), "rings given one key publish the same set")
	assert.Equal(t, wa.Header().Get("ETag"), wb.Header().Get("ETag"))

	// A token signed by one ring verifies with the other, and with the
	// published set.
	tok := ringToken(t, a, c, time.Hour)
	got, err := jwt.Verify[jwt.RegisteredClaims](context.Background(), tok, b, c.verifyOptions())
	require.NoError(t, err)
	assert.Equal(t, kid, got.Header.KeyID)
	published, _, err := Parse(wa.Body.Bytes(), nil)
	require.NoError(t, err)
	ks, _, err := published.KeySet()
	require.NoError(t, err)
	_, err = jwt.Verify[jwt.RegisteredClaims](context.Background(), tok, ks, c.verifyOptions())
	require.NoError(t, err)

	// The first Rotate publishes a next key; the given key keeps signing.
	require.NoError(t, a.Rotate())
	assert.Equal(t, kid, a.KeyID())
	set = a.PublicSet()
	require.Len(t, set.Keys, 2)
	next := set.Keys[1].KeyID
	assert.NotEqual(t, kid, next)
	// The second makes it current and retires the given key.
	require.NoError(t, a.Rotate())
	assert.Equal(t, next, a.KeyID())
	assert.Len(t, a.PublicSet().Keys, 3)
	_, err = jwt.Verify[jwt.RegisteredClaims](context.Background(), tok, a, c.verifyOptions())
	assert.NoError(t, err, "the retired given key still verifies")

	// A kid of its own is kept.
	given.KeyID = "2024-01"
	assert.Equal(t, "2024-01", newTestRing(t, o).KeyID())
}

func TestKeyRingCurrentRefused(t *testing.T) {
	jwk := func(alg jwt.Algorithm, edit func(*jwt.JWK)) *jwt.JWK {
		genKey, err := jwt.GenerateKey(alg)
		require.NoError(t, err)
		key := genKey.Key
		k, err := jwt.NewJWK(key)
		require.NoError(t, err)
		if edit != nil {
			edit(k)
		}
		return k
	}
	for name, tc := range map[string]struct {
		alg jwt.Algorithm
		key *jwt.JWK
	}{
		"public key":       {alg: jwt.ES256, key: jwk(jwt.ES256, func(k *jwt.JWK) { *k = *k.Public() })},
		"other curve":      {alg: jwt.ES256, key: jwk(jwt.ES384, nil)},
		"other key type":   {alg: jwt.ES256, key: jwk(jwt.EdDSA, nil)},
		"other alg member": {alg: jwt.ES256, key: jwk(jwt.ES256, func(k *jwt.JWK) { k.Algorithm = "ES384" })},
		"use enc":          {alg: jwt.ES256, key: jwk(jwt.ES256, func(k *jwt.JWK) { k.Use = "enc" })},
		"key_ops verify":   {alg: jwt.ES256, key: jwk(jwt.ES256, func(k *jwt.JWK) { k.KeyOps = []string{"verify"} })},
		"secret":           {alg: jwt.HS256, key: jwk(jwt.HS256, nil)},
	} {
		_, err := NewKeyRing(&KeyRingOptions{Algorithm: tc.alg, MaxTokenLifetime: time.Hour, Current: tc.key})
		assert.ErrorIs(t, err, jwt.ErrInvalidOption, name)
	}
}
