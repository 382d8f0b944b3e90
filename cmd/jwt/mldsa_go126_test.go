//go:build !go1.27

package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Built with Go 1.26, jwt says that ML-DSA needs Go 1.27, and a JWK Set
// with AKP keys still verifies with its other keys.
func TestMLDSAGo126(t *testing.T) {
	fails(t, jwtRun(t, "keygen", "--alg", "ML-DSA-65"), 2, "ML-DSA-65 needs a jwt built with Go 1.27 or later")
	dir := t.TempDir()
	akp := `{"kty":"AKP","kid":"pq","alg":"ML-DSA-44","pub":"AAAA"}`
	key := write(t, dir, "pq.jwk", []byte(akp))
	fails(t, jwtRun(t, "verify", "--key", key, "a.b.c"), 2, `kty "AKP" (ML-DSA-44) needs crypto/mldsa: build with Go 1.27 or later`)

	keys := makeRemoteFixture(t)
	srv := newServer(t)
	srv.set("/jwks", strings.TrimSuffix(keys.set, "]}")+","+akp+"]}")
	out := ok(t, jwtRun(t, "verify", "--jwks", srv.URL+"/jwks", signed(t, `{"sub":"alice"}`, keys.es)))
	assert.Contains(t, out, `"sub":"alice"`)
	help := ok(t, jwtRun(t, "help"))
	assert.Contains(t, help, "Go 1.27")
}
