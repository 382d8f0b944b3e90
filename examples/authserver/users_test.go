package main

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
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

// countWork makes u count the bcrypt work of its comparisons, 2^cost each,
// in *work. Comparisons above cost 6, with the dummy and padding hashes
// alone, are counted but not run, to keep the tests fast: they never match.
func countWork(t *testing.T, u *users, work *atomic.Int64) {
	u.compare = func(hash, password []byte) error {
		cost, err := bcrypt.Cost(hash)
		require.NoError(t, err)
		work.Add(1 << cost)
		if cost > 6 {
			return bcrypt.ErrMismatchedHashAndPassword
		}
		return bcrypt.CompareHashAndPassword(hash, password)
	}
}

// hashAt returns a bcrypt hash of password at cost.
func hashAt(t *testing.T, password string, cost int) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	require.NoError(t, err)
	return string(h)
}

// TestAuthenticateSameWork is the regression test of login enumeration
// by timing with mixed costs: a user hashed at cost 4 was compared at
// cost 4 (16 units of work) and an unknown one at the dummy's cost 10
// (1024 units), a hundred times slower. The work is counted, not timed.
func TestAuthenticateSameWork(t *testing.T) {
	u, err := parseUsers(strings.NewReader("alice:" + testHash(t, "alice-pw") + ":admin\n"))
	require.NoError(t, err)
	require.Equal(t, bcrypt.DefaultCost, u.cost)
	var work atomic.Int64
	countWork(t, u, &work)
	ctx := context.Background()

	g, err := u.authenticate(ctx, "alice", "alice-pw")
	require.NoError(t, err)
	assert.Equal(t, session.Grant{Subject: "alice", Scope: "admin"}, g)
	assert.Equal(t, int64(1)<<bcrypt.DefaultCost, work.Swap(0), "a success")

	for _, tc := range []struct{ name, user, password string }{
		{"wrong password", "alice", "wrong"},
		{"unknown user", "mallory", "alice-pw"},
		{"too long", "alice", "alice-pw" + strings.Repeat("x", 72)},
	} {
		_, err := u.authenticate(ctx, tc.user, tc.password)
		assert.ErrorIs(t, err, session.ErrDenied, tc.name)
		assert.Equal(t, int64(1)<<bcrypt.DefaultCost, work.Swap(0), tc.name)
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

// TestAuthenticateWorkClass checks the class of the bug, a login whose
// work depends on who logs in: for a file of users at every cost from 4
// to 11 (above the default, so that it sets the work), every outcome (the
// right password, a wrong one, one over 72 bytes, an unknown user, a name
// that differs in case) does the work of one comparison at cost 11.
func TestAuthenticateWorkClass(t *testing.T) {
	var file strings.Builder
	names := []string{}
	for cost := bcrypt.MinCost; cost <= 11; cost++ {
		name := "user" + strconv.Itoa(cost)
		names = append(names, name)
		fmt.Fprintf(&file, "%s:%s\n", name, hashAt(t, name+"-pw", cost))
	}
	u, err := parseUsers(strings.NewReader(file.String()))
	require.NoError(t, err)
	require.Equal(t, 11, u.cost, "the file's highest cost")
	assert.Equal(t, 7, u.belowCost())
	var work atomic.Int64
	countWork(t, u, &work)
	ctx := context.Background()
	for _, name := range names {
		for _, tc := range []struct {
			user, password string
			ok             bool
		}{
			{name, name + "-pw", u.byName[name].cost <= 6}, // the fake compare runs costs up to 6
			{name, "wrong", false},
			{name, name + "-pw" + strings.Repeat("x", 72), false},
			{"no-" + name, name + "-pw", false},
			{strings.ToUpper(name), name + "-pw", false},
		} {
			_, err := u.authenticate(ctx, tc.user, tc.password)
			assert.Equal(t, tc.ok, err == nil, "%s %q", tc.user, tc.password)
			assert.Equal(t, int64(1)<<11, work.Swap(0), "%s: the work of one comparison at cost 11", tc.user)
		}
	}
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
