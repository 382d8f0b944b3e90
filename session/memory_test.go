package session_test

import (
	"testing"

	"github.com/jwtkit/jwt/session"
	"github.com/jwtkit/jwt/session/storetest"
)

func TestMemoryStore(t *testing.T) {
	storetest.Run(t, func(*testing.T) session.Store { return session.NewMemoryStore(nil) })
}
