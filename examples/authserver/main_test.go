package main

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jwtkit/jwt/internal/testkit"
	"github.com/redis/go-redis/v9"
)

// TestMain fails the run if the tests leave goroutines behind: every
// server, client and store they start must be gone once they end.
func TestMain(m *testing.M) {
	// As main does: go-redis's messages go to a log, here one that
	// drops them (TestStoreDown dials a port where nothing listens).
	redis.SetLogger(redisLogger{slog.New(slog.NewTextHandler(io.Discard, nil))})
	testkit.Main(m, 3*time.Second, "net/http", "go-redis", "jwtkit/jwt")
}
