package session_test

import (
	"testing"
	"time"

	"github.com/jwtkit/jwt/dpop"
	"github.com/jwtkit/jwt/session"
	"github.com/jwtkit/jwt/session/storetest"
)

func TestMemoryStore(t *testing.T) {
	storetest.Run(t, func(_ *testing.T, now func() time.Time) session.Store {
		return session.NewMemoryStore(&session.MemoryStoreOptions{Now: now})
	})
}

// Both are dpop.ReplayCache: a store can be given to dpop.Options.
var (
	_ dpop.ReplayCache = session.ReplayCache(nil)
	_ dpop.ReplayCache = (*session.MemoryStore)(nil)
)
