package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/jwtkit/jwt/session"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

// testHash returns a bcrypt hash of password at the lowest cost.
func testHash(t *testing.T, password string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	require.NoError(t, err)
	return string(h)
}

func TestParseUsers(t *testing.T) {
	alice, bob := testHash(t, "alice-pw"), testHash(t, "bob-pw")
	file := "# users\n\nalice:" + alice + ":read  admin\r\nbob:" + bob + "\n"
	u, err := parseUsers(strings.NewReader(file))
	require.NoError(t, err)
	require.Len(t, u.byName, 2)
	assert.Equal(t, "read admin", u.byName["alice"].scope)
	assert.Equal(t, "", u.byName["bob"].scope)
	cost, err := bcrypt.Cost(u.dummy)
	require.NoError(t, err)
	assert.Equal(t, bcrypt.DefaultCost, cost, "the dummy hash costs at least the default")

	for name, file := range map[string]string{
		"no hash":        "alice\n",
		"not bcrypt":     "alice:plaintext\n",
		"listed twice":   "alice:" + alice + "\nalice:" + bob + "\n",
		"space in name":  "al ice:" + alice + "\n",
		"empty name":     ":" + alice + "\n",
		"quote in scope": "alice:" + alice + ":a\"b\n",
	} {
		_, err := parseUsers(strings.NewReader(file))
		assert.Error(t, err, name)
		assert.NotContains(t, err.Error(), alice, "%s: no hash in the message", name)
	}
}

// TestAuthenticateComparesAlways checks the constant-time-ish login: one
// bcrypt comparison whether the user exists or not, against the dummy hash
// for unknown users and over-long passwords.
func TestAuthenticateComparesAlways(t *testing.T) {
	u, err := parseUsers(strings.NewReader("alice:" + testHash(t, "alice-pw") + ":admin\n"))
	require.NoError(t, err)
	var compared [][]byte
	u.compare = func(hash, password []byte) error {
		compared = append(compared, hash)
		return bcrypt.CompareHashAndPassword(hash, password)
	}
	ctx := context.Background()

	g, err := u.authenticate(ctx, "alice", "alice-pw")
	require.NoError(t, err)
	assert.Equal(t, session.Grant{Subject: "alice", Scope: "admin"}, g)

	for _, tc := range []struct{ name, user, password string }{
		{"wrong password", "alice", "wrong"},
		{"unknown user", "mallory", "alice-pw"},
		{"too long", "alice", "alice-pw" + strings.Repeat("x", 72)},
	} {
		compared = nil
		_, err := u.authenticate(ctx, tc.user, tc.password)
		assert.ErrorIs(t, err, session.ErrDenied, tc.name)
		require.Len(t, compared, 1, "%s: one comparison", tc.name)
		if tc.name != "wrong password" {
			assert.Equal(t, u.dummy, compared[0], "%s: against the dummy hash", tc.name)
		}
	}

	// A caller gone while waiting for a slot gets its context's error.
	for range cap(u.slots) {
		u.slots <- struct{}{}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = u.authenticate(cctx, "alice", "alice-pw")
	assert.ErrorIs(t, err, context.Canceled)
}

func TestHashPassword(t *testing.T) {
	hash := func(stdin string, args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"hash-password"}, args...), strings.NewReader(stdin), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	code, out, _ := hash("s3cret\n", "--cost", "4")
	require.Equal(t, 0, code)
	h := []byte(strings.TrimSuffix(out, "\n"))
	assert.NoError(t, bcrypt.CompareHashAndPassword(h, []byte("s3cret")), "the line break is not part of the password")
	cost, err := bcrypt.Cost(h)
	require.NoError(t, err)
	assert.Equal(t, 4, cost)

	code, out, _ = hash("s3cret\r\n", "--cost", "4")
	require.Equal(t, 0, code)
	assert.NoError(t, bcrypt.CompareHashAndPassword([]byte(strings.TrimSpace(out)), []byte("s3cret")))

	code, _, msg := hash("\n")
	assert.Equal(t, 1, code)
	assert.Contains(t, msg, "no password")
	code, _, msg = hash(strings.Repeat("p", 73), "--cost", "4")
	assert.Equal(t, 1, code, "bcrypt refuses more than 72 bytes")
	assert.NotContains(t, msg, strings.Repeat("p", 73), "the password is not echoed")
	code, _, _ = hash("pw", "--cost", "3")
	assert.Equal(t, 2, code)
	code, _, _ = hash("pw", "extra")
	assert.Equal(t, 2, code)
}
