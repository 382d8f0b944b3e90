package jwt

import (
	"crypto"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestHashInto checks hashInto against the hash.Hash of each hash the
// algorithms use, its appending to dst, and that it does not allocate
// when dst has room.
func TestHashInto(t *testing.T) {
	msg := []byte("eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9")
	for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512} {
		want := h.New()
		want.Write(msg)
		assert.Equal(t, want.Sum(nil), hashInto(nil, h, msg), h.String())
		assert.Equal(t, want.Sum([]byte("pre")), hashInto([]byte("pre"), h, msg), h.String())
		dst := make([]byte, 0, 64)
		allocs := testing.AllocsPerRun(10, func() { dst = hashInto(dst[:0], h, msg) })
		assert.Zero(t, allocs, h.String())
	}
	assert.Panics(t, func() { hashInto(nil, crypto.MD5, msg) })
}
