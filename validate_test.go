package jwt

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVerifyClaims(t *testing.T) {
	now := testNow.Unix()
	_, v := hs256(t)
	for _, tc := range []struct {
		name    string
		header  string
		payload string
		opts    VerifyOptions
		want    []error // nil: valid
	}{
		{name: "valid", payload: okPayload(), opts: VerifyOptions{Issuer: "https://issuer.example", Audience: []string{"api"}}},
		{name: "expired", payload: fmt.Sprintf(`{"exp":%d}`, now-1), want: []error{ErrExpired}},
		{name: "exp equals now is expired", payload: fmt.Sprintf(`{"exp":%d}`, now), want: []error{ErrExpired}},
		{name: "exp within leeway", payload: fmt.Sprintf(`{"exp":%d}`, now-30), opts: VerifyOptions{Leeway: time.Minute}},
		{name: "exp at leeway boundary", payload: fmt.Sprintf(`{"exp":%d}`, now-60), opts: VerifyOptions{Leeway: time.Minute}, want: []error{ErrExpired}},
		{name: "exp fractional future", payload: fmt.Sprintf(`{"exp":%d.5}`, now)},
		{name: "exp missing", payload: `{"sub":"x"}`, want: []error{ErrMissingClaim}},
		{name: "exp missing allowed", payload: `{"sub":"x"}`, opts: VerifyOptions{AllowMissingExpiration: true}},
		{name: "nbf future", payload: fmt.Sprintf(`{"exp":%d,"nbf":%d}`, now+600, now+1), want: []error{ErrNotYetValid}},
		{name: "nbf now", payload: fmt.Sprintf(`{"exp":%d,"nbf":%d}`, now+600, now)},
		{name: "nbf within leeway", payload: fmt.Sprintf(`{"exp":%d,"nbf":%d}`, now+600, now+60), opts: VerifyOptions{Leeway: time.Minute}},
		{name: "nbf beyond leeway", payload: fmt.Sprintf(`{"exp":%d,"nbf":%d}`, now+600, now+61), opts: VerifyOptions{Leeway: time.Minute}, want: []error{ErrNotYetValid}},
		{name: "iat future unchecked", payload: fmt.Sprintf(`{"exp":%d,"iat":%d}`, now+600, now+3600)},
		{name: "iat future checked", payload: fmt.Sprintf(`{"exp":%d,"iat":%d}`, now+600, now+3600), opts: VerifyOptions{CheckIssuedAt: true}, want: []error{ErrIssuedInFuture}},
		{name: "iat past checked", payload: fmt.Sprintf(`{"exp":%d,"iat":%d}`, now+600, now-1), opts: VerifyOptions{CheckIssuedAt: true}},
		{name: "issuer mismatch", payload: okPayload(), opts: VerifyOptions{Issuer: "https://evil.example", Audience: []string{"api"}}, want: []error{ErrIssuerMismatch}},
		{name: "issuer missing", payload: fmt.Sprintf(`{"exp":%d}`, now+60), opts: VerifyOptions{Issuer: "x"}, want: []error{ErrIssuerMismatch}},
		{name: "subject", payload: fmt.Sprintf(`{"exp":%d,"sub":"alice"}`, now+60), opts: VerifyOptions{Subject: "alice"}},
		{name: "subject mismatch", payload: fmt.Sprintf(`{"exp":%d,"sub":"alice"}`, now+60), opts: VerifyOptions{Subject: "bob"}, want: []error{ErrSubjectMismatch}},
		{name: "aud array contains", payload: fmt.Sprintf(`{"exp":%d,"aud":["a","api"]}`, now+60), opts: VerifyOptions{Audience: []string{"api"}}},
		{name: "aud one of expected", payload: fmt.Sprintf(`{"exp":%d,"aud":"b"}`, now+60), opts: VerifyOptions{Audience: []string{"a", "b"}}},
		{name: "aud mismatch", payload: okPayload(), opts: VerifyOptions{Audience: []string{"other"}}, want: []error{ErrAudienceMismatch}},
		{name: "aud case differs", payload: okPayload(), opts: VerifyOptions{Audience: []string{"API"}}, want: []error{ErrAudienceMismatch}},
		{name: "aud empty array", payload: fmt.Sprintf(`{"exp":%d,"aud":[]}`, now+60), opts: VerifyOptions{Audience: []string{"api"}}, want: []error{ErrAudienceMismatch}},
		{name: "aud missing", payload: fmt.Sprintf(`{"exp":%d}`, now+60), opts: VerifyOptions{Audience: []string{"api"}}, want: []error{ErrAudienceMismatch}},
		{name: "aud unexpected", payload: okPayload(), want: []error{ErrAudienceMismatch}},
		{name: "aud empty array unexpected", payload: fmt.Sprintf(`{"exp":%d,"aud":[]}`, now+60), want: []error{ErrAudienceMismatch}},
		{name: "aud ignored by name", payload: okPayload(), opts: VerifyOptions{IgnoreAudience: true}},
		{name: "typ matches", header: `{"alg":"HS256","typ":"at+jwt"}`, payload: fmt.Sprintf(`{"exp":%d}`, now+60), opts: VerifyOptions{Type: "application/at+jwt"}},
		{name: "typ matches case", header: `{"alg":"HS256","typ":"Application/AT+JWT"}`, payload: fmt.Sprintf(`{"exp":%d}`, now+60), opts: VerifyOptions{Type: "at+jwt"}},
		{name: "typ mismatch", header: `{"alg":"HS256","typ":"refresh+jwt"}`, payload: fmt.Sprintf(`{"exp":%d}`, now+60), opts: VerifyOptions{Type: "at+jwt"}, want: []error{ErrTypeMismatch}},
		{name: "typ missing", header: `{"alg":"HS256"}`, payload: fmt.Sprintf(`{"exp":%d}`, now+60), opts: VerifyOptions{Type: "at+jwt"}, want: []error{ErrTypeMismatch}},
		{name: "required present", payload: fmt.Sprintf(`{"exp":%d,"jti":"x","role":null}`, now+60), opts: VerifyOptions{Required: []string{"jti", "role"}}},
		{name: "required missing", payload: fmt.Sprintf(`{"exp":%d}`, now+60), opts: VerifyOptions{Required: []string{"jti"}}, want: []error{ErrMissingClaim}},
		{name: "every failure reported", payload: fmt.Sprintf(`{"exp":%d,"nbf":%d,"iss":"x","aud":"y"}`, now-1, now+1), opts: VerifyOptions{Issuer: "z", Audience: []string{"w"}, Required: []string{"jti"}},
			want: []error{ErrExpired, ErrNotYetValid, ErrIssuerMismatch, ErrAudienceMismatch, ErrMissingClaim}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			header := tc.header
			if header == "" {
				header = okHeader
			}
			opts := tc.opts
			opts.Now = fixedClock
			tok, err := Verify[RegisteredClaims](bg, rawToken(t, header, tc.payload), v, &opts)
			if tc.want == nil {
				require.NoError(t, err)
				require.NotNil(t, tok)
				return
			}
			assert.Nil(t, tok)
			var verr *ValidationError
			require.ErrorAs(t, err, &verr)
			assert.Len(t, verr.Errors, len(tc.want))
			for _, w := range tc.want {
				assert.ErrorIs(t, err, w)
			}
		})
	}
}

func TestVerifyOptionsRejected(t *testing.T) {
	_, v := hs256(t)
	tok := rawToken(t, okHeader, okPayload())
	for _, o := range []VerifyOptions{{Leeway: MaxLeeway + time.Second}, {Leeway: -time.Second}, {MaxSize: -1}} {
		_, err := Verify[RegisteredClaims](bg, tok, v, &o)
		assert.ErrorIs(t, err, ErrInvalidOption)
	}
	_, err := Verify[RegisteredClaims](bg, tok, nil, nil)
	assert.ErrorIs(t, err, ErrKeyNotFound)
}

func TestErrorMessages(t *testing.T) {
	s, v := hs256(t)
	now := fixedClock()
	c := validClaims()
	c.ExpiresAt = NewNumericDate(now.Add(-90 * time.Second))
	c.Audience = Audience{"other", "x"}
	tok, err := Sign(bg, s, c, nil)
	require.NoError(t, err)
	_, err = Verify[RegisteredClaims](bg, tok, v, &VerifyOptions{Now: fixedClock, Audience: []string{"api"}})
	require.Error(t, err)
	msg := err.Error()
	assert.Equal(t, 1, strings.Count(msg, "jwt:"), msg)
	assert.Contains(t, msg, "1m30s before now")
	assert.Contains(t, msg, `token has aud ["other", "x"], want one of ["api"]`)

	// A kid-less token rejected by a key set says it had no kid.
	ksV, err := NewKeySet(VerifierWithKeyID(v, "k1"))
	require.NoError(t, err)
	s384 := mustSigner(t, HS384)
	tok, err = Sign(bg, s384, validClaims(), nil)
	require.NoError(t, err)
	_, err = Verify[RegisteredClaims](bg, tok, ksV, defaultOpts())
	assert.ErrorIs(t, err, ErrKeyNotFound)
	assert.ErrorContains(t, err, "the token has no kid")

	// A Sign error wraps one sentinel and says "jwt:" once.
	_, err = Sign(bg, s, map[string]any{"f": func() {}}, nil)
	assert.ErrorIs(t, err, ErrInvalidClaims)
	assert.Equal(t, 1, strings.Count(err.Error(), "jwt:"), err.Error())
	_, err = Sign(bg, failSigner{}, validClaims(), nil)
	assert.ErrorIs(t, err, ErrSigning)
	assert.ErrorContains(t, err, "kms down")
}
