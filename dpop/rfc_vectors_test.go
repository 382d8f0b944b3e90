package dpop_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwt/dpop"
)

// TestRFC9449Vectors verifies the examples of RFC 9449 in
// testdata/rfc9449.json, which names their sections.
func TestRFC9449Vectors(t *testing.T) {
	b, err := os.ReadFile("testdata/rfc9449.json")
	require.NoError(t, err)
	var vec struct {
		Proof struct {
			Value, Method, URI, JTI, JKT string
			IAT                          int64
		}
		AccessToken struct{ Value, ATH string } `json:"access_token"`
	}
	require.NoError(t, json.Unmarshal(b, &vec))
	ctx := context.Background()

	t.Run("proof", func(t *testing.T) {
		at := time.Unix(vec.Proof.IAT, 0)
		v, err := dpop.NewVerifier(&dpop.Options{Now: func() time.Time { return at.Add(30 * time.Second) }})
		require.NoError(t, err)
		p, err := v.Verify(ctx, vec.Proof.Value, &dpop.Request{Method: vec.Proof.Method, URI: vec.Proof.URI, JKT: vec.Proof.JKT})
		require.NoError(t, err)
		assert.Equal(t, vec.Proof.JKT, p.JKT)
		assert.Equal(t, vec.Proof.JTI, p.Claims.ID)
		assert.Equal(t, "ES256", p.Algorithm)
		_, err = v.Verify(ctx, vec.Proof.Value, &dpop.Request{Method: vec.Proof.Method, URI: vec.Proof.URI})
		assert.ErrorIs(t, err, dpop.ErrReplay)
	})
	t.Run("proof, a year later", func(t *testing.T) {
		v, err := dpop.NewVerifier(nil)
		require.NoError(t, err)
		_, err = v.Verify(ctx, vec.Proof.Value, &dpop.Request{Method: vec.Proof.Method, URI: vec.Proof.URI})
		assert.ErrorIs(t, err, dpop.ErrStaleProof)
	})
	t.Run("ath", func(t *testing.T) {
		assert.Equal(t, vec.AccessToken.ATH, dpop.AccessTokenHash(vec.AccessToken.Value))
	})
}
