//go:build linux

package e2e

import (
	"testing"
	"time"

	"github.com/jwtkit/jwt/internal/testkit"
)

// TestMain fails the run if the tests leave goroutines behind: every
// server, client and store they start must be gone once they end.
func TestMain(m *testing.M) {
	testkit.Main(m, 3*time.Second, "net/http", "go-redis", "jwtkit/jwt")
}
