package jwthttp_test

import (
	"testing"
	"time"

	"github.com/jwtkit/jwt/internal/testkit"
)

// TestMain fails the run if the tests leave goroutines behind: every
// server and client they start must be gone once they end. Under load
// closing idle connections can take seconds: the bound is generous.
func TestMain(m *testing.M) {
	testkit.Main(m, 30*time.Second, "net/http", "jwthttp")
}
