package main

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAPINoStore checks that every answer of the API, success or refusal,
// is marked Cache-Control: no-store, as the web client's browser needs.
func TestAPINoStore(t *testing.T) {
	srv := startService(t, testConfig(t))
	c := &client{t: t, base: srv.URL}
	r := c.form("/login", url.Values{"username": {"bob"}, "password": {"bob-pw"}})
	require.Equal(t, 200, r.status)
	access := r.json(t)["access_token"].(string)
	for _, tc := range []struct {
		name   string
		r      *response
		status int
	}{
		{"me", c.bearer("GET", "/api/me", access), 200},
		{"no token", c.do("GET", "/api/me", "", ""), 401},
		{"bad token", c.bearer("GET", "/api/me", access+"x"), 401},
		{"no scope", c.bearer("GET", "/api/admin", access), 403},
	} {
		assert.Equal(t, tc.status, tc.r.status, tc.name)
		assert.Equal(t, []string{"no-store"}, tc.r.header.Values("Cache-Control"), tc.name)
	}
}
