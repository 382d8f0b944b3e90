package jwt

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseUnverified(t *testing.T) {
	s, _ := signerVerifier(t, EdDSA)
	payload := []byte("It\u2019s a dangerous business, Frodo, going out your door.")
	tok, err := SignJWS(context.Background(), s, payload, &SignOptions{Type: "text"})
	require.NoError(t, err)

	u, err := ParseUnverified(tok, 0)
	require.NoError(t, err)
	assert.Equal(t, payload, u.Payload)
	assert.Equal(t, "EdDSA", u.Header.Algorithm)
	assert.Len(t, u.Signature, 64)
	assert.Equal(t, tok[:strings.LastIndexByte(tok, '.')], u.SigningInput)
	for _, bad := range []string{"a.b", "!!.a.b", "e30.!.a", "e30.e30.!", "W10.e30.", strings.Repeat("a", DefaultMaxSize+1)} {
		_, err := ParseUnverified(bad, 0)
		assert.Error(t, err, bad)
	}
}
