package jwks_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwks"
	"github.com/jwtkit/jwt/jwks/registrytest"
	"github.com/stretchr/testify/require"
)

// snapshotProvider is an identity provider whose JWK Set a test changes,
// and which it can take down.
type snapshotProvider struct {
	srv  *httptest.Server
	body atomic.Pointer[[]byte]
	down atomic.Bool
}

func newSnapshotProvider(t *testing.T) *snapshotProvider {
	p := &snapshotProvider{}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Write(*p.body.Load())
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *snapshotProvider) publish(t *testing.T, keys ...*jwt.JWK) {
	body, err := jwks.Set{Keys: keys}.MarshalJSON()
	require.NoError(t, err)
	p.body.Store(&body)
}

func snapshotKey(t *testing.T, kid string) (*jwt.JWK, string) {
	k, err := jwt.GenerateKey(jwt.ES256)
	require.NoError(t, err)
	k.KeyID, k.Algorithm = kid, "ES256"
	s, err := k.Signer(jwt.ES256)
	require.NoError(t, err)
	tok, err := jwt.Sign(context.Background(), s, jwt.RegisteredClaims{Subject: "alice", ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour))}, nil)
	require.NoError(t, err)
	return k.Public(), tok
}

func verifyWith(r *jwks.Remote, tok string) error {
	_, err := jwt.Verify[jwt.RegisteredClaims](context.Background(), tok, r, nil)
	return err
}

func TestRemoteSnapshot(t *testing.T) {
	ctx := context.Background()
	p := newSnapshotProvider(t)
	old, oldTok := snapshotKey(t, "old")
	p.publish(t, old)

	first, err := jwks.NewRemote(p.srv.URL, &jwks.Options{Cooldown: time.Millisecond})
	require.NoError(t, err)
	require.Nil(t, first.Snapshot(), "no snapshot before a fetch")
	require.NoError(t, first.Prefetch(ctx))
	saved := first.Snapshot()
	require.NotEmpty(t, saved)
	first.Close()

	// The provider is down: a new Remote verifies with the snapshot.
	p.down.Store(true)
	r, err := jwks.NewRemote(p.srv.URL, &jwks.Options{Snapshot: saved, Cooldown: time.Millisecond})
	require.NoError(t, err)
	defer r.Close()
	require.True(t, r.Status().FromSnapshot)
	require.True(t, r.Status().Serving)
	require.NoError(t, verifyWith(r, oldTok))
	require.Nil(t, r.Snapshot(), "a snapshot given is not handed back as fetched")
	require.Error(t, r.Refresh(ctx))
	require.True(t, r.Status().FromSnapshot, "still the snapshot after a failed fetch")
	require.NoError(t, verifyWith(r, oldTok))

	// The provider is back with another key: the first fetch replaces the
	// snapshot entirely.
	fresh, freshTok := snapshotKey(t, "new")
	p.publish(t, fresh)
	p.down.Store(false)
	require.NoError(t, r.Refresh(ctx))
	require.False(t, r.Status().FromSnapshot)
	require.NoError(t, verifyWith(r, freshTok))
	require.ErrorIs(t, verifyWith(r, oldTok), jwt.ErrKeyNotFound)
	require.NotEmpty(t, r.Snapshot())
}

func TestRemoteSnapshotStaleness(t *testing.T) {
	p := newSnapshotProvider(t)
	p.down.Store(true)
	k, _ := snapshotKey(t, "k")
	saved, err := jwks.Set{Keys: []*jwt.JWK{k}}.MarshalJSON()
	require.NoError(t, err)
	clock := registrytest.NewClock(time.Now())
	r, err := jwks.NewRemote(p.srv.URL, &jwks.Options{Snapshot: saved, MaxStaleness: time.Hour, Cooldown: time.Millisecond, Now: clock.Now})
	require.NoError(t, err)
	defer r.Close()
	_, err = r.Lookup(context.Background(), jwt.Header{KeyID: "k", Algorithm: "ES256"})
	require.NoError(t, err)
	clock.Advance(time.Hour)
	_, err = r.Lookup(context.Background(), jwt.Header{KeyID: "k", Algorithm: "ES256"})
	require.ErrorIs(t, err, jwt.ErrUnavailable, "a snapshot is served for MaxStaleness at most")
}

func TestRemoteSnapshotInvalid(t *testing.T) {
	priv, err := jwt.GenerateKey(jwt.ES256)
	require.NoError(t, err)
	priv.KeyID = "p"
	private, err := (&jwks.Set{Keys: []*jwt.JWK{priv}}).MarshalPrivateJSON()
	require.NoError(t, err)
	for name, data := range map[string][]byte{
		"not JSON":    []byte("{"),
		"no keys":     []byte(`{"keys":[]}`),
		"private key": private,
	} {
		_, err := jwks.NewRemote("https://idp.example/jwks", &jwks.Options{Snapshot: data})
		require.ErrorIs(t, err, jwt.ErrInvalidOption, name)
		require.ErrorIs(t, err, jwks.ErrInvalidSet, name)
	}
}

func ExampleRemote_Snapshot() {
	k, err := jwt.GenerateKey(jwt.EdDSA)
	if err != nil {
		panic(err)
	}
	k.KeyID = "k1"
	set, _ := jwks.Set{Keys: []*jwt.JWK{k.Public()}}.MarshalJSON()
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(set) }))

	// A first run fetches the set and saves it (os.WriteFile, say).
	remote, _ := jwks.NewRemote(idp.URL, nil)
	if err := remote.Prefetch(context.Background()); err != nil {
		panic(err)
	}
	saved := remote.Snapshot()
	remote.Close()

	// A later run starts while the provider is down, from the snapshot.
	idp.Close()
	remote, err = jwks.NewRemote(idp.URL, &jwks.Options{Snapshot: saved})
	if err != nil {
		panic(err)
	}
	defer remote.Close()
	st := remote.Status()
	fmt.Println("serving:", st.Serving, "keys:", st.Keys, "from snapshot:", st.FromSnapshot)
	// Output: serving: true keys: 1 from snapshot: true
}
