package session_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwt/session"
)

// maxPairAllocs is the most allocations Issue and Refresh may make on an
// HS256 Manager with a MemoryStore (issue 25): the three IDs, the two
// token strings, the verified refresh token, the pair and what the claims
// encoder and the store need.
const maxPairAllocs = 12

// TestPairAllocations holds Issue and Refresh to maxPairAllocs.
func TestPairAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	m := benchManagers(t)["HS256"]
	ctx := context.Background()
	g := session.Grant{Subject: "user", ClientID: "web", Scope: "read"}
	issue := testing.AllocsPerRun(200, func() {
		if _, err := m.Issue(ctx, g); err != nil {
			t.Fatal(err)
		}
	})
	p, err := m.Issue(ctx, g)
	require.NoError(t, err)
	refresh := testing.AllocsPerRun(200, func() {
		if p, err = m.Refresh(ctx, p.RefreshToken); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("allocs/op: Issue %.0f, Refresh %.0f", issue, refresh)
	assert.LessOrEqual(t, issue, float64(maxPairAllocs), "Issue")
	assert.LessOrEqual(t, refresh, float64(maxPairAllocs), "Refresh")
}

// TestPairClaims checks the claims of both tokens of a pair, member by
// member, as the map the access token's claims used to be built from
// wrote them, with and without extra claims and a DPoP binding.
func TestPairClaims(t *testing.T) {
	m := benchManagers(t)["HS256"]
	ctx := context.Background()
	jkt := base64.RawURLEncoding.EncodeToString(make([]byte, 32))
	for _, tc := range []struct {
		name  string
		grant session.Grant
	}{
		{name: "plain", grant: session.Grant{Subject: "user", ClientID: "web", Scope: "read"}},
		{name: "subject only", grant: session.Grant{Subject: "user"}},
		{name: "extra and DPoP", grant: session.Grant{Subject: "user", Scope: "a b", Extra: map[string]any{"role": "admin", "n": 3}, JKT: jkt}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := m.Issue(ctx, tc.grant)
			require.NoError(t, err)
			for i := 0; i < 2; i++ { // the first pair, then a refreshed one
				access := payload(t, p.AccessToken)
				want := map[string]any{
					"iss": "https://auth.example", "aud": "api", "sub": "user",
					"iat": float64(p.IssuedAt.Unix()), "exp": float64(p.AccessExpires.Unix()),
					"sid": p.FamilyID, "auth_time": access["auth_time"],
				}
				assert.NotZero(t, access["auth_time"])
				jti, _ := access["jti"].(string)
				assert.True(t, strings.HasPrefix(jti, p.FamilyID+"."), "jti %q names the session", jti)
				want["jti"] = jti
				if tc.grant.ClientID != "" {
					want["client_id"] = tc.grant.ClientID
				}
				if tc.grant.Scope != "" {
					want["scope"] = tc.grant.Scope
				}
				for k, v := range tc.grant.Extra {
					want[k] = mustJSON(t, v)
				}
				if tc.grant.JKT != "" {
					want["cnf"] = map[string]any{"jkt": jkt}
				}
				assert.Equal(t, want, access)
				refresh := payload(t, p.RefreshToken)
				assert.Equal(t, "https://auth.example", refresh["aud"])
				assert.Equal(t, access["auth_time"], refresh["auth_time"])
				assert.Equal(t, float64(p.RefreshExpires.Unix()), refresh["exp"])
				if tc.grant.JKT != "" {
					p, err = m.RefreshDPoP(ctx, p.RefreshToken, jkt)
				} else {
					p, err = m.Refresh(ctx, p.RefreshToken)
				}
				require.NoError(t, err)
				if len(tc.grant.Extra) > 0 {
					assert.Len(t, p.Grant.Extra, len(tc.grant.Extra), "extra claims survive a refresh")
				}
			}
		})
	}
}

// payload returns the decoded claims of token, unverified.
func payload(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3)
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

// mustJSON returns v as encoding/json decodes its encoding into any.
func mustJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var out any
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}
