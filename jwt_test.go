package jwt

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// verifyEvery verifies tok into RegisteredClaims, a struct, a map and
// json.RawMessage, the paths that keep the payload differently, and calls
// check with each Token's Payload and Claim.
func verifyEvery(t *testing.T, tok string, keys KeySource, opts *VerifyOptions, check func(t *testing.T, payload []byte, claim func(string, any) (bool, error))) {
	t.Helper()
	type custom struct {
		RegisteredClaims
		Scope string `json:"scope"`
	}
	t.Run("RegisteredClaims", func(t *testing.T) {
		got, err := Verify[RegisteredClaims](bg, tok, keys, opts)
		require.NoError(t, err)
		check(t, got.Payload(), got.Claim)
	})
	t.Run("*RegisteredClaims", func(t *testing.T) {
		got, err := Verify[*RegisteredClaims](bg, tok, keys, opts)
		require.NoError(t, err)
		check(t, got.Payload(), got.Claim)
	})
	t.Run("struct", func(t *testing.T) {
		got, err := Verify[custom](bg, tok, keys, opts)
		require.NoError(t, err)
		check(t, got.Payload(), got.Claim)
	})
	t.Run("map", func(t *testing.T) {
		got, err := Verify[map[string]any](bg, tok, keys, opts)
		require.NoError(t, err)
		check(t, got.Payload(), got.Claim)
	})
	t.Run("RawMessage", func(t *testing.T) {
		got, err := Verify[json.RawMessage](bg, tok, keys, opts)
		require.NoError(t, err)
		check(t, got.Payload(), got.Claim)
	})
}

func TestTokenCarriesVerifiedPayload(t *testing.T) {
	_, v := hs256(t)
	payload := fmt.Sprintf(`{"iss":"https://issuer.example","aud":"api","exp":%d,`+
		`"sub":"user\u002d1","scope":"a b","cnf":{"jkt":"abc"},"n":7,"list":["x","y"],"null":null}`, testNow.Unix()+60)
	for _, header := range []string{okHeader, `{"alg":"HS256","typ":"JWT","kid":"k"}`} {
		tok := rawToken(t, header, payload)
		verifyEvery(t, tok, v, defaultOpts(), func(t *testing.T, got []byte, claim func(string, any) (bool, error)) {
			assert.Equal(t, payload, string(got), "Payload is the verified claims set, byte for byte")
			got[0] = 'X' // a copy: the Token's own bytes do not change
			var scope string
			ok, err := claim("scope", &scope)
			require.NoError(t, err)
			assert.True(t, ok)
			assert.Equal(t, "a b", scope)

			var sub string
			ok, err = claim("sub", &sub)
			require.NoError(t, err)
			assert.True(t, ok)
			assert.Equal(t, "user-1", sub, "escapes decoded")

			var cnf struct {
				JKT string `json:"jkt"`
			}
			ok, err = claim("cnf", &cnf)
			require.NoError(t, err)
			assert.True(t, ok)
			assert.Equal(t, "abc", cnf.JKT)

			var list []string
			ok, err = claim("list", &list)
			require.NoError(t, err)
			assert.True(t, ok)
			assert.Equal(t, []string{"x", "y"}, list)

			var n int
			ok, err = claim("n", &n)
			require.NoError(t, err)
			assert.True(t, ok)
			assert.Equal(t, 7, n)

			ok, err = claim("null", nil)
			require.NoError(t, err)
			assert.True(t, ok, "nil v reports presence")

			// Absent, and names are exact.
			for _, name := range []string{"missing", "Scope", "SCOPE", "jkt"} {
				var s string
				ok, err = claim(name, &s)
				require.NoError(t, err)
				assert.False(t, ok, name)
				assert.Empty(t, s, name)
			}

			// A value that does not fit v, and a v that is not a pointer.
			var wrong int
			ok, err = claim("scope", &wrong)
			assert.True(t, ok)
			assert.ErrorIs(t, err, ErrMalformed)
			_, err = claim("scope", scope)
			assert.ErrorIs(t, err, ErrInvalidOption)
			var nilPtr *string
			_, err = claim("scope", nilPtr)
			assert.ErrorIs(t, err, ErrInvalidOption)
		})
	}
}

// TestTokenPayloadOutlivesBuffer verifies many tokens of every size in turn,
// so that the pooled buffers are reused, and checks that each Token's
// payload and strings still hold their own bytes (the race detector and
// this check catch a Token left pointing into a reused buffer).
func TestTokenPayloadOutlivesBuffer(t *testing.T) {
	_, v := hs256(t)
	type kept struct {
		tok     *Token[RegisteredClaims]
		payload string
		sub     string
		aud     []string
	}
	var all []kept
	for i, n := range []int{0, 1, 50, 120, 200, 300, 700, 1500, 3000, 5000} {
		sub := strings.Repeat(string(rune('a'+i%26)), n)
		escaped := "x\\u0041" + sub // an escape: a string that is not a substring of the payload
		payload := fmt.Sprintf(`{"iss":"https://issuer.example","aud":["api","%s"],"exp":%d,"sub":"%s","jti":"%s"}`,
			sub, testNow.Unix()+60, sub, escaped)
		opts := defaultOpts()
		opts.MaxSize = 64 << 10
		tok, err := Verify[RegisteredClaims](bg, rawToken(t, okHeader, payload), v, opts)
		require.NoError(t, err)
		require.Equal(t, "xA"+sub, tok.Claims.ID)
		all = append(all, kept{tok, payload, sub, []string{"api", sub}})
	}
	for _, k := range all {
		assert.Equal(t, k.payload, string(k.tok.Payload()))
		assert.Equal(t, k.sub, k.tok.Claims.Subject)
		assert.Equal(t, Audience(k.aud), k.tok.Claims.Audience)
		assert.Equal(t, "xA"+k.sub, k.tok.Claims.ID)
		assert.Equal(t, "https://issuer.example", k.tok.Claims.Issuer)
	}
}

func TestHeaderMember(t *testing.T) {
	_, v := hs256(t)
	for _, header := range []string{
		okHeader, // a common header, read without a JSON parse
		`{"alg":"HS256","typ":"JWT","kid":"k","jwk":{"kty":"oct"},"x":[1,2]}`,
	} {
		tok, err := Verify[RegisteredClaims](bg, rawToken(t, header, okPayload()), v, defaultOpts())
		require.NoError(t, err)
		assert.Equal(t, header, string(tok.Header.JSON()))
		var typ string
		ok, err := tok.Header.Member("typ", &typ)
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, "JWT", typ)
		var jwk map[string]string
		ok, err = tok.Header.Member("jwk", &jwk)
		require.NoError(t, err)
		assert.Equal(t, strings.Contains(header, "jwk"), ok)
		if ok {
			assert.Equal(t, map[string]string{"kty": "oct"}, jwk)
		}
	}
	// A Header made by hand has no JSON.
	assert.Nil(t, Header{Algorithm: "HS256"}.JSON())
	ok, err := Header{Algorithm: "HS256"}.Member("alg", nil)
	require.NoError(t, err)
	assert.False(t, ok)

	// A KeySource sees the members of the header it is asked about.
	var seen string
	keys := keySourceFunc(func(_ context.Context, h Header) ([]Verifier, error) {
		_, err := h.Member("x5t#S256", &seen)
		return []Verifier{v}, err
	})
	tok := rawToken(t, `{"alg":"HS256","x5t#S256":"thumb"}`, okPayload())
	_, err = Verify[RegisteredClaims](bg, tok, keys, defaultOpts())
	require.NoError(t, err)
	assert.Equal(t, "thumb", seen)
}

type keySourceFunc func(context.Context, Header) ([]Verifier, error)

func (f keySourceFunc) Lookup(ctx context.Context, h Header) ([]Verifier, error) { return f(ctx, h) }

// issuerKeys is a key source bound to an issuer.
type issuerKeys struct {
	Verifier
	iss string
}

func (k issuerKeys) Issuer() string { return k.iss }

var _ IssuerKeySource = issuerKeys{}

func TestIssuerKeySource(t *testing.T) {
	_, v := hs256(t)
	tok := rawToken(t, okHeader, okPayload()) // iss https://issuer.example
	opts := &VerifyOptions{Now: fixedClock, Audience: []string{"api"}}

	// The key source's issuer is required without being named in the options.
	_, err := Verify[RegisteredClaims](bg, tok, issuerKeys{v, "https://other.example"}, opts)
	assert.ErrorIs(t, err, ErrIssuerMismatch)
	_, err = Verify[map[string]any](bg, tok, issuerKeys{v, "https://other.example"}, opts)
	assert.ErrorIs(t, err, ErrIssuerMismatch)
	got, err := Verify[RegisteredClaims](bg, tok, issuerKeys{v, "https://issuer.example"}, opts)
	require.NoError(t, err)
	assert.Equal(t, "https://issuer.example", got.Claims.Issuer)
	assert.Empty(t, opts.Issuer, "the caller's options are not changed")

	// The same issuer named twice is fine; another is a contradiction.
	_, err = Verify[RegisteredClaims](bg, tok, issuerKeys{v, "https://issuer.example"}, defaultOpts())
	require.NoError(t, err)
	_, err = Verify[RegisteredClaims](bg, tok, issuerKeys{v, "https://other.example"}, defaultOpts())
	assert.ErrorIs(t, err, ErrInvalidOption)

	// An empty issuer binds nothing.
	_, err = Verify[RegisteredClaims](bg, tok, issuerKeys{v, ""}, opts)
	require.NoError(t, err)
	noIss := rawToken(t, okHeader, fmt.Sprintf(`{"aud":"api","exp":%d}`, testNow.Unix()+60))
	_, err = Verify[RegisteredClaims](bg, noIss, issuerKeys{v, "https://issuer.example"}, opts)
	assert.ErrorIs(t, err, ErrIssuerMismatch, "a token without iss fails an issuer-bound key source")
}

func TestTokenRegistered(t *testing.T) {
	_, v := hs256(t)
	exp := testNow.Unix() + 60
	payload := fmt.Sprintf(`{"iss":"https://issuer.example","sub":"user\u002d1","aud":"api","exp":%d,"nbf":%d,`+
		`"iat":%d,"jti":"id-1","scope":"a b","Issuer":"not iss"}`, exp, testNow.Unix()-10, testNow.Unix()-20)
	tok := rawToken(t, okHeader, payload)
	want := RegisteredClaims{
		Issuer: "https://issuer.example", Subject: "user-1", Audience: Audience{"api"},
		ExpiresAt: NewNumericDate(time.Unix(exp, 0)), NotBefore: NewNumericDate(testNow.Add(-10 * time.Second)),
		IssuedAt: NewNumericDate(testNow.Add(-20 * time.Second)), ID: "id-1",
	}
	check := func(t *testing.T, got RegisteredClaims) {
		t.Helper()
		assert.Equal(t, want.Issuer, got.Issuer)
		assert.Equal(t, want.Subject, got.Subject, "escapes decoded")
		assert.Equal(t, want.Audience, got.Audience)
		assert.Equal(t, want.ID, got.ID)
		for _, d := range [][2]NumericDate{{want.ExpiresAt, got.ExpiresAt}, {want.NotBefore, got.NotBefore}, {want.IssuedAt, got.IssuedAt}} {
			assert.True(t, d[0].Equal(d[1].Time), "%v, want %v", d[1], d[0])
		}
	}
	type plain struct {
		Scope string `json:"scope"`
	}
	type embeds struct {
		RegisteredClaims
		Scope string `json:"scope"`
	}
	t.Run("RegisteredClaims", func(t *testing.T) {
		got, err := Verify[RegisteredClaims](bg, tok, v, defaultOpts())
		require.NoError(t, err)
		check(t, got.Registered())
	})
	t.Run("*RegisteredClaims", func(t *testing.T) {
		got, err := Verify[*RegisteredClaims](bg, tok, v, defaultOpts())
		require.NoError(t, err)
		check(t, got.Registered())
	})
	t.Run("struct embedding RegisteredClaims", func(t *testing.T) {
		got, err := Verify[embeds](bg, tok, v, defaultOpts())
		require.NoError(t, err)
		got.Claims.Issuer = "changed" // Registered reads what was verified
		check(t, got.Registered())
	})
	t.Run("struct without RegisteredClaims", func(t *testing.T) {
		got, err := Verify[plain](bg, tok, v, defaultOpts())
		require.NoError(t, err)
		assert.Equal(t, "a b", got.Claims.Scope)
		check(t, got.Registered())
	})
	t.Run("map", func(t *testing.T) {
		got, err := Verify[map[string]any](bg, tok, v, defaultOpts())
		require.NoError(t, err)
		check(t, got.Registered())
	})
	t.Run("audience array", func(t *testing.T) {
		tok := rawToken(t, okHeader, fmt.Sprintf(`{"aud":["a","b"],"exp":%d}`, exp))
		got, err := Verify[plain](bg, tok, v, &VerifyOptions{Audience: []string{"a"}, Now: defaultOpts().Now})
		require.NoError(t, err)
		assert.Equal(t, Audience{"a", "b"}, got.Registered().Audience)
		assert.Empty(t, got.Registered().Issuer)
	})
	t.Run("not made by Verify", func(t *testing.T) {
		assert.Equal(t, RegisteredClaims{}, (&Token[plain]{}).Registered())
		assert.Equal(t, RegisteredClaims{}, (&Token[*RegisteredClaims]{}).Registered())
		assert.Equal(t, RegisteredClaims{ID: "x"}, (&Token[RegisteredClaims]{Claims: RegisteredClaims{ID: "x"}}).Registered())
	})
}
