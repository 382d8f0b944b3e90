package dpop_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwt "github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
)

var nonceSecret = []byte(strings.Repeat("n", 32))

func TestHMACNonces(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	src, err := dpop.NewHMACNonces(nonceSecret, &dpop.HMACNonceOptions{Period: time.Minute, Now: c.Now})
	require.NoError(t, err)

	n1, err := src.Nonce(ctx)
	require.NoError(t, err)
	n2, err := src.Nonce(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, n1, n2, "unpredictable: random per nonce")
	assert.Len(t, n1, 43)
	for _, ch := range []byte(n1) {
		assert.True(t, ch > 0x20 && ch < 0x7f && ch != '"' && ch != '\\', "NQCHAR")
	}
	assert.NoError(t, src.CheckNonce(ctx, n1))

	t.Run("another instance with the same secret accepts it", func(t *testing.T) {
		other, err := dpop.NewHMACNonces(nonceSecret, &dpop.HMACNonceOptions{Period: time.Minute, Now: c.Now})
		require.NoError(t, err)
		assert.NoError(t, other.CheckNonce(ctx, n1))
	})
	t.Run("a source with another secret refuses it", func(t *testing.T) {
		other, err := dpop.NewHMACNonces([]byte(strings.Repeat("x", 32)), &dpop.HMACNonceOptions{Period: time.Minute, Now: c.Now})
		require.NoError(t, err)
		assert.ErrorIs(t, other.CheckNonce(ctx, n1), dpop.ErrInvalidNonce)
	})
	t.Run("malformed", func(t *testing.T) {
		for _, bad := range []string{"", "x", n1[:42], n1 + "A", strings.Repeat("A", 43), n1[:20] + "\n" + n1[21:], n1[:20] + "+" + n1[21:]} {
			assert.ErrorIs(t, src.CheckNonce(ctx, bad), dpop.ErrInvalidNonce, "%q", bad)
		}
	})
	t.Run("rotation", func(t *testing.T) {
		c := newClock() // t0 is a whole minute: periods start at t0
		src, err := dpop.NewHMACNonces(nonceSecret, &dpop.HMACNonceOptions{Period: time.Minute, Now: c.Now})
		require.NoError(t, err)
		n, err := src.Nonce(ctx)
		require.NoError(t, err)
		c.Add(119 * time.Second) // the end of the next period
		assert.NoError(t, src.CheckNonce(ctx, n))
		c.Add(time.Second) // two periods on
		assert.ErrorIs(t, src.CheckNonce(ctx, n), dpop.ErrInvalidNonce)
	})
	t.Run("an instance slightly ahead", func(t *testing.T) {
		ahead := newClock()
		ahead.Add(time.Minute)
		fast, err := dpop.NewHMACNonces(nonceSecret, &dpop.HMACNonceOptions{Period: time.Minute, Now: ahead.Now})
		require.NoError(t, err)
		n, err := fast.Nonce(ctx)
		require.NoError(t, err)
		assert.NoError(t, src.CheckNonce(ctx, n), "one period ahead")
		ahead.Add(time.Minute)
		n, err = fast.Nonce(ctx)
		require.NoError(t, err)
		assert.ErrorIs(t, src.CheckNonce(ctx, n), dpop.ErrInvalidNonce, "two periods ahead")
	})
}

func TestNewHMACNoncesErrors(t *testing.T) {
	_, err := dpop.NewHMACNonces(make([]byte, 31), nil)
	assert.ErrorIs(t, err, jwt.ErrInvalidKey)
	_, err = dpop.NewHMACNonces(nonceSecret, &dpop.HMACNonceOptions{Period: time.Millisecond})
	assert.ErrorIs(t, err, jwt.ErrInvalidOption)
	_, err = dpop.NewHMACNonces(nonceSecret, &dpop.HMACNonceOptions{Period: -time.Minute})
	assert.ErrorIs(t, err, jwt.ErrInvalidOption)
	src, err := dpop.NewHMACNonces(nonceSecret, nil)
	require.NoError(t, err)
	n, err := src.Nonce(context.Background())
	require.NoError(t, err)
	assert.NoError(t, src.CheckNonce(context.Background(), n))
}

func TestSetNonce(t *testing.T) {
	w := httptest.NewRecorder()
	w.Header().Add("DPoP-Nonce", "old")
	w.Header().Set(dpop.NonceHeader, "new")
	assert.Equal(t, []string{"new"}, w.Header().Values("DPoP-Nonce"), "exactly one DPoP-Nonce")
}
