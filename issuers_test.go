package jwt

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testIssuers is an IssuerResolver over fixed key sets, one per issuer;
// bindTo, if set, makes it return a source bound to another issuer, as a
// faulty resolver might.
type testIssuers struct {
	sets   map[string]*KeySet
	bindTo string
	asked  []string
}

type boundSet struct {
	*KeySet
	iss string
}

func (b boundSet) Issuer() string { return b.iss }

func (r *testIssuers) Lookup(context.Context, Header) ([]Verifier, error) {
	return nil, ErrKeyNotFound
}

func (r *testIssuers) KeySourceFor(_ context.Context, iss string) (IssuerKeySource, error) {
	r.asked = append(r.asked, iss)
	ks, ok := r.sets[iss]
	if !ok {
		return nil, ErrKeyNotFound
	}
	if r.bindTo != "" {
		return boundSet{ks, r.bindTo}, nil
	}
	return boundSet{ks, iss}, nil
}

func newTenantKey(t *testing.T) (Signer, *KeySet) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	s, err := EdDSA.NewSigner(priv)
	require.NoError(t, err)
	v, err := EdDSA.NewVerifier(pub)
	require.NoError(t, err)
	ks, err := NewKeySet(v)
	require.NoError(t, err)
	return s, ks
}

func TestIssuerResolver(t *testing.T) {
	const a, b = "https://idp.example/tenant-a", "https://idp.example/tenant-b"
	sa, ksa := newTenantKey(t)
	sb, ksb := newTenantKey(t)
	now := time.Now()
	exp := NewNumericDate(now.Add(time.Hour))
	e := strconv.FormatInt(now.Add(time.Hour).Unix(), 10)
	tok := func(s Signer, claims any) string {
		tk, err := Sign(context.Background(), s, claims, nil)
		require.NoError(t, err)
		return tk
	}
	r := &testIssuers{sets: map[string]*KeySet{a: ksa, b: ksb}}

	t.Run("each issuer with its own keys", func(t *testing.T) {
		for iss, s := range map[string]Signer{a: sa, b: sb} {
			got, err := Verify[RegisteredClaims](context.Background(), tok(s, RegisteredClaims{Issuer: iss, ExpiresAt: exp}), r, nil)
			require.NoError(t, err)
			assert.Equal(t, iss, got.Claims.Issuer)
		}
	})
	t.Run("tenant confusion: a's key, b's iss", func(t *testing.T) {
		_, err := Verify[RegisteredClaims](context.Background(), tok(sa, RegisteredClaims{Issuer: b, ExpiresAt: exp}), r, nil)
		assert.ErrorIs(t, err, ErrInvalidSignature)
	})
	t.Run("source bound to another issuer", func(t *testing.T) {
		bad := &testIssuers{sets: r.sets, bindTo: a}
		_, err := Verify[RegisteredClaims](context.Background(), tok(sb, RegisteredClaims{Issuer: b, ExpiresAt: exp}), bad, nil)
		assert.ErrorIs(t, err, ErrKeyNotFound)
	})
	t.Run("unknown issuer", func(t *testing.T) {
		_, err := Verify[RegisteredClaims](context.Background(), tok(sa, RegisteredClaims{Issuer: a + "/", ExpiresAt: exp}), r, nil)
		assert.ErrorIs(t, err, ErrKeyNotFound)
	})
	t.Run("no iss, or not a string", func(t *testing.T) {
		before := len(r.asked)
		for _, payload := range []string{
			`{"exp":` + e + `}`,
			`{"iss":1,"exp":` + e + `}`,
			`{"iss":["` + a + `"],"exp":` + e + `}`,
			`{"iss":"","exp":` + e + `}`,
			`{"iss":"` + a,
		} {
			tk, err := SignJWS(context.Background(), sa, []byte(payload), &SignOptions{Type: "JWT"})
			require.NoError(t, err)
			_, err = Verify[RegisteredClaims](context.Background(), tk, r, nil)
			assert.ErrorIs(t, err, ErrKeyNotFound, payload)
		}
		assert.Len(t, r.asked, before, "KeySourceFor asked without a usable iss")
	})
	t.Run("duplicate iss", func(t *testing.T) {
		payload := []byte(`{"iss":"` + a + `","iss":"` + b + `","exp":` + e + `}`)
		tk, err := SignJWS(context.Background(), sa, payload, &SignOptions{Type: "JWT"})
		require.NoError(t, err)
		got, err := Verify[RegisteredClaims](context.Background(), tk, r, nil)
		assert.Error(t, err)
		assert.Nil(t, got)
	})
	t.Run("VerifyOptions.Issuer set too", func(t *testing.T) {
		_, err := Verify[RegisteredClaims](context.Background(), tok(sa, RegisteredClaims{Issuer: a, ExpiresAt: exp}), r, &VerifyOptions{Issuer: a})
		assert.ErrorIs(t, err, ErrInvalidOption)
	})
}
