//go:build go1.27

package jwks

import (
	"context"
	"crypto"
	"encoding/base64"
	"net/http"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A KeyRing rotates ML-DSA keys and publishes them as AKP JWKs, which a
// remote Set fetched over HTTP verifies with, through a rotation.
func TestKeyRingMLDSA(t *testing.T) {
	for _, alg := range []jwt.Algorithm{jwt.MLDSA44, jwt.MLDSA65, jwt.MLDSA87} {
		t.Run(alg.Name(), func(t *testing.T) {
			c := newClock()
			r := newTestRing(t, KeyRingOptions{Algorithm: alg, MaxTokenLifetime: time.Hour, MaxAge: 5 * time.Minute, Now: c.Now})
			set := r.PublicSet()
			require.Len(t, set.Keys, 2)
			for _, k := range set.Keys {
				assert.Equal(t, "AKP", k.KeyType)
				assert.Equal(t, alg.Name(), k.Algorithm)
				assert.False(t, k.IsPrivate())
				tp, err := k.Thumbprint(crypto.SHA256)
				require.NoError(t, err)
				assert.Equal(t, base64.RawURLEncoding.EncodeToString(tp), k.KeyID)
			}
			h := NewHandler(r)
			srv := newServer(t, h.ServeHTTP)
			s := newTestRemote(t, srv.URL, &Options{Now: c.Now})

			old := ringToken(t, r, c, time.Hour)
			require.NoError(t, verify(s, c, old))
			require.NoError(t, r.Rotate())
			hits := srv.hits.Load()
			require.NoError(t, verify(s, c, ringToken(t, r, c, time.Hour)), "the next key was published ahead")
			assert.Equal(t, hits, srv.hits.Load())
			require.NoError(t, verify(s, c, old), "the retired key still verifies")
			require.NoError(t, s.Refresh(context.Background()))
			assert.Equal(t, 3, s.Status().Keys, "current, next and retired")
		})
	}
}

// A remote JWK Set with AKP keys beside others: each verifies its own alg.
func TestRemoteSetMLDSA(t *testing.T) {
	c := newClock()
	pq, err := jwt.GenerateKey(jwt.MLDSA65)
	require.NoError(t, err)
	pq.KeyID = "pq"
	ed, err := jwt.GenerateKey(jwt.EdDSA)
	require.NoError(t, err)
	ed.KeyID = "ed"
	body := &Set{Keys: []*jwt.JWK{pq.Public(), ed.Public()}}
	data, err := body.MarshalJSON()
	require.NoError(t, err)
	srv := newServer(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Write(data)
	})
	s := newTestRemote(t, srv.URL, &Options{Now: c.Now})
	for _, k := range []*jwt.JWK{pq, ed} {
		signer, err := k.Signer(nil)
		require.NoError(t, err)
		tok, err := jwt.Sign(context.Background(), signer, jwt.RegisteredClaims{Subject: "u", ExpiresAt: jwt.NewNumericDate(c.Now().Add(time.Minute))}, nil)
		require.NoError(t, err)
		require.NoError(t, verify(s, c, tok), k.KeyID)
	}
	assert.Equal(t, 2, s.Status().Keys)
}
