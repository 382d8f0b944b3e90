//go:build !go1.27

package jwt_test

import (
	"testing"

	jwt "github.com/jwtkit/jwt"
)

// checkGeneratedMLDSAKey fails: this build makes no ML-DSA keys.
func checkGeneratedMLDSAKey(t *testing.T, _ jwt.Algorithm, key any) {
	t.Helper()
	t.Fatalf("unexpected key type %T", key)
}
