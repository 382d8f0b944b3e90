package jwt

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jwtkit/jwt/internal/jwkset"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testJWKSet is what parseJWKSet reads, for its tests; the set type is
// jwks.Set.
type testJWKSet struct {
	Keys  []*JWK
	Extra map[string]json.RawMessage
}

// readJWKSet reads data with parseJWKSet, whether public or not.
func readJWKSet(data []byte, public bool) (*testJWKSet, []error, error) {
	keys, extra, skipped, err := parseJWKSet(data, public)
	if err != nil {
		return nil, nil, err
	}
	return &testJWKSet{Keys: keys, Extra: extra}, skipped, nil
}

// isPrivateKeyError reports whether err is the error of a public set
// holding a private key.
func isPrivateKeyError(err error) bool {
	var pk *jwkset.PrivateKeyError
	return errors.As(err, &pk)
}

// jwkSetOfEC returns a JWK Set of n EC P-256 public keys, as an identity
// provider publishes them, with keys derived from their index.
func jwkSetOfEC(t *testing.T, n int) []byte {
	t.Helper()
	members := make([]string, n)
	for i := range members {
		d := sha256.Sum256(fmt.Appendf(nil, "jwtkit JWK Set test key %d", i))
		k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d[:])
		require.NoError(t, err)
		p, err := k.PublicKey.Bytes()
		require.NoError(t, err)
		enc := base64.RawURLEncoding.EncodeToString
		members[i] = fmt.Sprintf(`{"kty":"EC","use":"sig","crv":"P-256","kid":"key-%03d","x":%q,"y":%q,"alg":"ES256"}`, i, enc(p[1:33]), enc(p[33:]))
	}
	return []byte(`{"keys":[` + strings.Join(members, ",") + `]}`)
}

// TestJWKSetAllocations pins what parsing JWKs costs: per EC key, the
// *JWK, its kid and what ecdsa.ParseUncompressedPublicKey allocates itself
// (7 in Go 1.26); per set, 8 more at 100 keys (the copy of the text, the
// set, its slice of keys, the member buffer it reuses for every key, the
// map of kids). Members are read as substrings of the text, decoded into
// the reused buffer and interned, so a key's other members cost nothing.
func TestJWKSetAllocations(t *testing.T) {
	if testing.CoverMode() != "" || raceEnabled {
		t.Skip("allocation counts differ under -cover and -race")
	}
	data := jwkSetOfEC(t, 100)
	set, skipped, err := readJWKSet(data, false)
	require.NoError(t, err)
	require.Empty(t, skipped)
	require.Len(t, set.Keys, 100)
	point, err := set.Keys[0].Key.(*ecdsa.PublicKey).Bytes()
	require.NoError(t, err)
	floor := testing.AllocsPerRun(100, func() {
		if _, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("ecdsa.ParseUncompressedPublicKey: %.0f allocs/op", floor)

	allocs := testing.AllocsPerRun(20, func() {
		if _, _, err := readJWKSet(data, false); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("parseJWKSet of 100 EC P-256 keys: %.0f allocs/op", allocs)
	assert.LessOrEqual(t, allocs, 100*(floor+2)+8)

	key, err := set.Keys[0].MarshalJSON()
	require.NoError(t, err)
	allocs = testing.AllocsPerRun(100, func() {
		if _, err := ParseJWK(key); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("ParseJWK of an EC P-256 key: %.0f allocs/op", allocs)
	// The key's own, and the copy of the text and the member buffer.
	assert.LessOrEqual(t, allocs, floor+2+2)
}

// TestJWKSetOnePass checks what reading a set in one pass must keep: an
// error in the JSON anywhere comes before any error about the keys, the
// first error about the keys in their order decides, nesting is bounded
// from the top of the set, and keys keep no part of the text.
func TestJWKSetOnePass(t *testing.T) {
	ec := string(jwkSetOfEC(t, 3))
	ec = ec[len(`{"keys":[`) : len(ec)-len(`]}`)]
	keys := strings.SplitAfterN(ec, "},", 3) // three keys, kids key-000 to key-002
	k0, k1, k2 := strings.TrimSuffix(keys[0], ","), strings.TrimSuffix(keys[1], ","), keys[2]
	priv := `{"kty":"oct","kid":"s","k":"AQ"}`
	dupOf := func(k string) string { return strings.Replace(k, `"use":"sig"`, `"use":"enc"`, 1) }
	for _, c := range []struct {
		name, set string
		public    bool
		want      string // a part of the error message
		private   bool   // the error is a *jwkset.PrivateKeyError
	}{
		{name: "syntax after a private key", set: `{"keys":[` + priv + `,` + k0 + `],"x":[1,]}`, public: true, want: `invalid JSON in member "x"`},
		{name: "syntax in a key after a private key", set: `{"keys":[` + priv + `,{"kty":"EC","x":tru}]}`, public: true, want: `invalid JSON in member "keys"`},
		{name: "syntax after a shared kid", set: `{"keys":[` + k0 + `,` + dupOf(k0) + `]`, want: "invalid JSON"},
		{name: "no keys after a shared kid", set: `{"Keys":[` + k0 + `,` + dupOf(k0) + `]}`, want: `no member "keys"`},
		{name: "shared kid before a private key", set: `{"keys":[` + k0 + `,` + dupOf(k0) + `,` + priv + `]}`, public: true, want: "keys 0 and 1 share kid"},
		{name: "private key before a shared kid", set: `{"keys":[` + k1 + `,` + priv + `,` + k2 + `,` + dupOf(k2) + `]}`, public: true, private: true, want: `key 1 (kid "s") has member "k"`},
		{name: "duplicate in a key after a shared kid", set: `{"keys":[` + k0 + `,` + dupOf(k0) + `,{"a":1,"A":2}]}`, want: `invalid JSON in member "keys"`},
		{name: "nesting 65 deep in a key", set: `{"keys":[{"kty":"oct","k":"AQ","x-deep":` + strings.Repeat("[", 63) + strings.Repeat("]", 63) + `}]}`, want: "nesting deeper than 64"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := readJWKSet([]byte(c.set), c.public)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalidKey)
			assert.ErrorContains(t, err, c.want)
			assert.Equal(t, c.private, isPrivateKeyError(err))
		})
	}

	t.Run("nesting 64 deep in a key", func(t *testing.T) {
		set, skipped, err := readJWKSet([]byte(`{"keys":[{"kty":"oct","k":"AQ","x-deep":`+strings.Repeat("[", 62)+strings.Repeat("]", 62)+`}]}`), false)
		require.NoError(t, err)
		assert.Empty(t, skipped)
		assert.Len(t, set.Keys, 1)
	})

	t.Run("keys keep no part of the text", func(t *testing.T) {
		data := []byte(`{"keys":[` + strings.Replace(k0, `"alg"`, `"key_ops":["verify","x-op"],"x-m":"v","alg"`, 1) + `]}`)
		set, skipped, err := readJWKSet(data, false)
		require.NoError(t, err)
		require.Empty(t, skipped)
		for i := range data {
			data[i] = ' '
		}
		k := set.Keys[0]
		assert.Equal(t, []string{"EC", "key-000", "sig", "ES256"}, []string{k.KeyType, k.KeyID, k.Use, k.Algorithm})
		assert.Equal(t, []string{"verify", "x-op"}, k.KeyOps)
		assert.Equal(t, `"v"`, string(k.Extra["x-m"]))
		assert.Len(t, k.Extra, 1)
	})

	t.Run("no Extra without unknown members", func(t *testing.T) {
		set, _, err := readJWKSet([]byte(`{"keys":[`+k0+`]}`), false)
		require.NoError(t, err)
		assert.Nil(t, set.Keys[0].Extra)
		assert.Nil(t, set.Extra)
	})
}
