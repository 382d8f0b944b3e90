package jwks

import (
	"context"
	"encoding/base64"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// publishedKIDs returns the kids of the JWK Set the ring's Handler serves,
// and its ETag.
func publishedKIDs(t *testing.T, r *KeyRing) (kids []string, etag string) {
	t.Helper()
	w := httptest.NewRecorder()
	NewHandler(r).ServeHTTP(w, httptest.NewRequest("GET", "/.well-known/jwks.json", nil))
	require.Equal(t, 200, w.Code)
	set, _, err := Parse(w.Body.Bytes(), nil)
	require.NoError(t, err)
	for _, k := range set.Keys {
		kids = append(kids, k.KeyID)
	}
	return kids, w.Header().Get("ETag")
}

// signWith returns a token signed by the ring key k, with or without its
// kid in the header.
func signWith(t *testing.T, k ringKey, c *clock, withKID bool) string {
	t.Helper()
	signer := k.signer
	if !withKID {
		signer = jwt.SignerWithKeyID(signer, "")
	}
	tok, err := jwt.Sign(context.Background(), signer, jwt.RegisteredClaims{
		Subject: "user-1", ExpiresAt: jwt.NewNumericDate(c.Now().Add(time.Minute)),
	}, nil)
	require.NoError(t, err)
	return tok
}

// TestKeyRingWithdraw is the regression test for issue 21, item 13: a
// leaked key can be withdrawn at once, from every place the ring uses it
// (the class: a key that must stop verifying lingers in one of them):
// Lookup by kid and by algorithm alone, PublicSet, the Handler's set and
// ETag, Signer and KeyID, and a Remote that fetches the set.
func TestKeyRingWithdraw(t *testing.T) {
	for _, tt := range []struct {
		name  string
		given bool // a ring started from KeyRingOptions.Current
		which func(st *ringState) ringKey
	}{
		{name: "current", which: func(st *ringState) ringKey { return st.current }},
		{name: "current without next", given: true, which: func(st *ringState) ringKey { return st.current }},
		{name: "next", which: func(st *ringState) ringKey { return *st.next }},
		{name: "retired", which: func(st *ringState) ringKey { return st.retired[0] }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			o := KeyRingOptions{Algorithm: jwt.EdDSA, MaxTokenLifetime: time.Hour, Now: c.Now}
			if tt.given {
				k, err := jwt.GenerateKey(jwt.EdDSA)
				require.NoError(t, err)
				o.Current = k
			}
			r := newTestRing(t, o)
			// Keep every key's signer, to sign as a thief would.
			signers := map[string]jwt.Signer{}
			keep := func() {
				st := r.state.Load()
				signers[st.current.pub.KeyID] = st.current.signer
				if st.next != nil {
					signers[st.next.pub.KeyID] = st.next.signer
				}
			}
			keep()
			if tt.name == "retired" {
				require.NoError(t, r.Rotate())
				keep()
			}
			srv := newServer(t, NewHandler(r).ServeHTTP)
			remote := newTestRemote(t, srv.URL, &Options{Now: c.Now})
			require.NoError(t, remote.Prefetch(context.Background()))

			before := r.state.Load()
			leaked := tt.which(before)
			kid := leaked.pub.KeyID
			leaked.signer = signers[kid]
			require.NotNil(t, leaked.signer)
			withKID, withoutKID := signWith(t, leaked, c, true), signWith(t, leaked, c, false)
			header, err := base64.RawURLEncoding.DecodeString(strings.Split(withoutKID, ".")[0])
			require.NoError(t, err)
			require.NotContains(t, string(header), "kid")
			if tt.name != "next" { // the next key does not verify yet
				require.NoError(t, verify(r, c, withKID))
				require.NoError(t, verify(r, c, withoutKID))
				require.NoError(t, verify(remote, c, withKID))
			}
			kids, etag := publishedKIDs(t, r)
			require.Contains(t, kids, kid)

			require.NoError(t, r.Withdraw(kid))

			assert.ErrorIs(t, verify(r, c, withKID), jwt.ErrKeyNotFound, "Lookup by kid")
			assert.ErrorIs(t, verify(r, c, withoutKID), jwt.ErrInvalidSignature, "Lookup by algorithm: no verifier of the key is left")
			for _, k := range r.PublicSet().Keys {
				assert.NotEqual(t, kid, k.KeyID, "PublicSet")
			}
			kidsAfter, etagAfter := publishedKIDs(t, r)
			assert.NotContains(t, kidsAfter, kid, "the Handler's set")
			assert.NotEqual(t, etag, etagAfter, "a new set has a new ETag")
			assert.NotEqual(t, kid, r.KeyID())
			tok := ringToken(t, r, c, time.Minute)
			require.NoError(t, verify(r, c, tok), "the ring signs and verifies with its new current key")
			require.NoError(t, remote.Refresh(context.Background()))
			assert.Error(t, verify(remote, c, withKID), "a Remote drops it when it refreshes")
			require.NoError(t, verify(remote, c, tok))

			after := r.state.Load()
			switch tt.name {
			case "current":
				assert.Equal(t, before.next.pub.KeyID, r.KeyID(), "the published next key becomes current")
				require.NotNil(t, after.next)
				assert.Len(t, after.retired, 0, "a withdrawn key is not retired")
			case "current without next":
				require.NotNil(t, after.next, "a new next key")
				assert.Len(t, kidsAfter, 2)
			case "next":
				assert.Equal(t, before.current.pub.KeyID, r.KeyID(), "the current key keeps signing")
				require.NotNil(t, after.next)
				assert.NotEqual(t, kid, after.next.pub.KeyID)
			case "retired":
				assert.Equal(t, before.current.pub.KeyID, r.KeyID())
				assert.Equal(t, before.next.pub.KeyID, after.next.pub.KeyID)
				assert.Empty(t, after.retired)
			}

			// Withdrawing it again, or a kid the ring never had, changes nothing.
			for _, unknown := range []string{kid, "", "no-such-kid"} {
				err := r.Withdraw(unknown)
				assert.ErrorIs(t, err, jwt.ErrKeyNotFound, unknown)
				assert.Regexp(t, "^jwks: ", err.Error())
			}
			assert.Same(t, after, r.state.Load())
		})
	}
}

// TestKeyRingWithdrawWhileRotating withdraws keys while a schedule rotates
// the ring and tokens are signed and verified: a withdrawn key never comes
// back, and the ring always has a current key that verifies. Run under
// -race.
func TestKeyRingWithdrawWhileRotating(t *testing.T) {
	c := newClock()
	r := newTestRing(t, KeyRingOptions{Algorithm: jwt.EdDSA, MaxTokenLifetime: time.Hour, Now: c.Now})
	var withdrawn []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 50 {
			assert.NoError(t, r.Rotate())
		}
	}()
	for range 50 {
		kid := r.KeyID()
		if err := r.Withdraw(kid); err == nil {
			withdrawn = append(withdrawn, kid)
		}
		require.NoError(t, verify(r, c, ringToken(t, r, c, time.Minute)))
	}
	<-done
	assert.NotEmpty(t, withdrawn)
	kids, _ := publishedKIDs(t, r)
	for _, kid := range withdrawn {
		assert.False(t, slices.Contains(kids, kid), kid)
	}
}
