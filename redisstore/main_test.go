package redisstore_test

import (
	"context"
	"flag"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
)

// quietLogger drops go-redis's log lines, which the fault tests cause by the
// hundred ("failed to dial"); go test -v keeps them.
type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

func TestMain(m *testing.M) {
	flag.Parse()
	if !testing.Verbose() {
		redis.SetLogger(quietLogger{})
	}
	os.Exit(m.Run())
}
