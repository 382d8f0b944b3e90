package session_test

import (
	"testing"

	"github.com/jwtkit/jwt/dpop"
	"github.com/jwtkit/jwt/session"
	"github.com/jwtkit/jwt/session/storetest"
)

func TestMemoryStore(t *testing.T) {
	storetest.Run(t, func(*testing.T) session.Store { return session.NewMemoryStore(nil) })
}

// Both are dpop.ReplayCache: a store can be given to dpop.Options.
var (
	_ dpop.ReplayCache = session.ReplayCache(nil)
	_ dpop.ReplayCache = (*session.MemoryStore)(nil)
)
