package jwt

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSignatureCheckedFirst(t *testing.T) {
	// CVE-2024-51744: an expired, forged token reports the signature.
	_, v := hs256(t)
	other, err := HS256.NewSigner([]byte(strings.Repeat("x", 32)))
	require.NoError(t, err)
	expired := RegisteredClaims{ExpiresAt: NewNumericDate(testNow.Add(-time.Hour))}
	tok, err := Sign(bg, other, expired, nil)
	require.NoError(t, err)
	_, err = Verify[RegisteredClaims](bg, tok, v, &VerifyOptions{Now: fixedClock})
	assert.ErrorIs(t, err, ErrInvalidSignature)
	assert.NotErrorIs(t, err, ErrExpired)
	assert.Equal(t, "jwt: invalid signature", err.Error())
}

func TestStrictInput(t *testing.T) {
	_, v := hs256(t)
	good := rawToken(t, okHeader, okPayload())
	d1 := strings.IndexByte(good, '.')
	d2 := strings.LastIndexByte(good, '.')
	enc := base64.RawURLEncoding.EncodeToString
	for _, tc := range []struct {
		name  string
		token string
		want  error
	}{
		{name: "control", token: good},
		{name: "empty", token: "", want: ErrMalformed},
		{name: "two segments", token: good[:d2], want: ErrMalformed},
		{name: "four segments", token: good + ".x", want: ErrMalformed},
		{name: "many dots", token: strings.Repeat(".", 1000), want: ErrMalformed},
		{name: "empty header", token: good[d1:], want: ErrMalformed},
		{name: "stripped signature", token: good[:d2+1], want: ErrInvalidSignature},
		{name: "truncated signature", token: good[:d2+1] + good[d2+1:d2+21], want: ErrInvalidSignature},
		{name: "padded signature", token: good + "=", want: ErrMalformed},
		{name: "newline in token", token: good[:10] + "\n" + good[10:], want: ErrMalformed},
		{name: "carriage return in signature", token: good[:d2+5] + "\r" + good[d2+5:], want: ErrMalformed},
		{name: "space in payload", token: good[:d1+3] + " " + good[d1+3:], want: ErrMalformed},
		{name: "standard alphabet", token: good[:d2+1] + strings.NewReplacer("-", "+", "_", "/").Replace(good[d2+1:]) + "+", want: ErrMalformed},
		{name: "non-canonical trailing bits", token: good[:len(good)-1] + string(rune(good[len(good)-1]+1)), want: ErrMalformed},
		{name: "too large", token: good + strings.Repeat("A", DefaultMaxSize), want: ErrTooLarge},
		{name: "header not object", token: rawToken(t, `["alg","HS256"]`, okPayload()), want: ErrMalformed},
		{name: "header not JSON", token: enc([]byte("{alg")) + good[d1:], want: ErrMalformed},
		{name: "header trailing data", token: rawToken(t, okHeader+"{}", okPayload()), want: ErrMalformed},
		{name: "header no alg", token: rawToken(t, `{"typ":"JWT"}`, okPayload()), want: ErrMalformed},
		{name: "header alg not string", token: rawToken(t, `{"alg":256}`, okPayload()), want: ErrMalformed},
		{name: "header duplicate alg", token: rawToken(t, `{"alg":"none","alg":"HS256"}`, okPayload()), want: ErrMalformed},
		{name: "header duplicate alg reversed", token: rawToken(t, `{"alg":"HS256","alg":"none"}`, okPayload()), want: ErrMalformed},
		{name: "header duplicate by escape", token: rawToken(t, `{"alg":"HS256","\u0061lg":"HS256"}`, okPayload()), want: ErrMalformed},
		{name: "alg none", token: rawToken(t, `{"alg":"none"}`, okPayload()), want: ErrUnsupportedAlgorithm},
		{name: "alg nOnE", token: rawToken(t, `{"alg":"nOnE"}`, okPayload()), want: ErrUnsupportedAlgorithm},
		{name: "alg HS512", token: rawToken(t, `{"alg":"HS512"}`, okPayload()), want: ErrAlgorithmMismatch},
		{name: "alg lower case", token: rawToken(t, `{"alg":"hs256"}`, okPayload()), want: ErrAlgorithmMismatch},
		{name: "b64 false", token: rawToken(t, `{"alg":"HS256","b64":false,"crit":["b64"]}`, okPayload()), want: ErrUnsupportedCritical},
		{name: "crit empty", token: rawToken(t, `{"alg":"HS256","crit":[]}`, okPayload()), want: ErrUnsupportedCritical},
		{name: "crit unknown", token: rawToken(t, `{"alg":"HS256","crit":["exp"],"exp":1}`, okPayload()), want: ErrUnsupportedCritical},
		{name: "crit absent member", token: rawToken(t, `{"alg":"HS256","crit":["x"]}`, okPayload()), want: ErrUnsupportedCritical},
		{name: "crit registered", token: rawToken(t, `{"alg":"HS256","crit":["alg"]}`, okPayload()), want: ErrUnsupportedCritical},
		{name: "crit not array", token: rawToken(t, `{"alg":"HS256","crit":"x","x":1}`, okPayload()), want: ErrMalformed},
		{name: "payload not object", token: rawToken(t, okHeader, `"hello"`), want: ErrMalformed},
		{name: "payload bad JSON", token: rawToken(t, okHeader, `{"exp":1,}`), want: ErrMalformed},
		{name: "payload duplicate claim", token: rawToken(t, okHeader, `{"sub":"alice","sub":"admin","exp":1900000000}`), want: ErrMalformed},
		{name: "payload case-folded duplicate", token: rawToken(t, okHeader, `{"admin":false,"Admin":true,"exp":1900000000}`), want: ErrMalformed},
		{name: "payload case-variant of exp", token: rawToken(t, okHeader, `{"EXP":1900000000}`), want: ErrMalformed},
		{name: "payload Kelvin-sign variant", token: rawToken(t, okHeader, `{"jt\u0131":"x","exp":1900000000,"sub":"a","ſub":"b"}`), want: ErrMalformed},
		{name: "payload invalid UTF-8", token: rawToken(t, okHeader, "{\"sub\":\"\xff\",\"exp\":1900000000}"), want: ErrMalformed},
		{name: "payload lone surrogate", token: rawToken(t, okHeader, `{"sub":"\ud800","exp":1900000000}`), want: ErrMalformed},
		{name: "exp string", token: rawToken(t, okHeader, `{"exp":"1900000000"}`), want: ErrMalformed},
		{name: "exp bool", token: rawToken(t, okHeader, `{"exp":true}`), want: ErrMalformed},
		{name: "exp null", token: rawToken(t, okHeader, `{"exp":null}`), want: ErrMalformed},
		{name: "exp 1e309", token: rawToken(t, okHeader, `{"exp":1e309}`), want: ErrMalformed},
		{name: "exp 2^63", token: rawToken(t, okHeader, `{"exp":9223372036854775808}`), want: ErrMalformed},
		{name: "exp negative", token: rawToken(t, okHeader, `{"exp":-1}`), want: ErrMalformed},
		{name: "aud number", token: rawToken(t, okHeader, `{"exp":1900000000,"aud":1}`), want: ErrMalformed},
		{name: "aud null", token: rawToken(t, okHeader, `{"exp":1900000000,"aud":null}`), want: ErrMalformed},
		{name: "aud array of numbers", token: rawToken(t, okHeader, `{"exp":1900000000,"aud":["a",1]}`), want: ErrMalformed},
		{name: "iss number", token: rawToken(t, okHeader, `{"exp":1900000000,"iss":1}`), want: ErrMalformed},
		{name: "deep nesting", token: rawToken(t, okHeader, `{"exp":1900000000,"x":`+strings.Repeat("[", 100)+strings.Repeat("]", 100)+`}`), want: ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Verify[RegisteredClaims](bg, tc.token, v, &VerifyOptions{Now: fixedClock, IgnoreAudience: true})
			if tc.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tc.want)
		})
	}
}

type appClaims struct {
	RegisteredClaims
	Name  string   `json:"name"`
	Admin bool     `json:"admin"`
	Roles []string `json:"roles,omitempty"`
}

func TestCustomAndMapClaims(t *testing.T) {
	s, v := hs256(t)
	want := appClaims{RegisteredClaims: validClaims(), Name: "John Doe", Admin: true, Roles: []string{"a", "b"}}
	tok, err := Sign(bg, SignerWithKeyID(s, "k1"), want, &SignOptions{Type: "at+jwt"})
	require.NoError(t, err)

	got, err := Verify[appClaims](bg, tok, v, defaultOpts())
	require.NoError(t, err)
	assert.Equal(t, want, got.Claims)
	assert.Equal(t, Header{Algorithm: "HS256", KeyID: "k1", Type: "at+jwt"}, fields(got.Header))

	m, err := Verify[map[string]any](bg, tok, v, defaultOpts())
	require.NoError(t, err)
	assert.Equal(t, "John Doe", m.Claims["name"])
	assert.Equal(t, true, m.Claims["admin"])
	assert.Equal(t, "api", m.Claims["aud"])

	// A struct without RegisteredClaims still gets its claims validated.
	type bare struct {
		Name string `json:"name"`
	}
	b, err := Verify[bare](bg, tok, v, defaultOpts())
	require.NoError(t, err)
	assert.Equal(t, "John Doe", b.Claims.Name)
	_, err = Verify[bare](bg, tok, v, &VerifyOptions{Now: fixedClock})
	assert.ErrorIs(t, err, ErrAudienceMismatch)

	// Claims that do not fit the struct are malformed.
	type wrong struct {
		Name int `json:"name"`
	}
	_, err = Verify[wrong](bg, tok, v, defaultOpts())
	assert.ErrorIs(t, err, ErrMalformed)
}

func TestVerifyJWS(t *testing.T) {
	s, v := signerVerifier(t, EdDSA)
	payload := []byte("It\u2019s a dangerous business, Frodo, going out your door.")
	tok, err := SignJWS(context.Background(), s, payload, &SignOptions{Type: "text"})
	require.NoError(t, err)
	j, err := VerifyJWS(bg, tok, v, &VerifyJWSOptions{Type: "TEXT"})
	require.NoError(t, err)
	assert.Equal(t, payload, j.Payload)
	_, err = VerifyJWS(bg, tok, v, &VerifyJWSOptions{Type: "jwt"})
	assert.ErrorIs(t, err, ErrTypeMismatch)
	_, err = Verify[RegisteredClaims](bg, tok, v, nil)
	assert.ErrorIs(t, err, ErrMalformed)
}

func TestConcurrentSignVerify(t *testing.T) {
	for _, alg := range []Algorithm{HS256, ES256, EdDSA} {
		s, v := signerVerifier(t, alg)
		set, err := NewKeySet(VerifierWithKeyID(v, "k"))
		require.NoError(t, err)
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 20 {
					c := validClaims()
					c.ID = fmt.Sprintf("%d-%d", g, i)
					tok, err := Sign(bg, SignerWithKeyID(s, "k"), c, nil)
					if !assert.NoError(t, err) {
						return
					}
					got, err := Verify[RegisteredClaims](bg, tok, set, defaultOpts())
					if assert.NoError(t, err) {
						assert.Equal(t, c.ID, got.Claims.ID)
					}
				}
			}()
		}
		wg.Wait()
	}
}

func TestAllocations(t *testing.T) {
	if testing.CoverMode() != "" || raceEnabled {
		t.Skip("allocation counts differ under -cover and -race")
	}
	s, v := hs256(t)
	tok, err := Sign(bg, s, validClaims(), nil)
	require.NoError(t, err)
	opts := defaultOpts()
	allocs := testing.AllocsPerRun(200, func() {
		if _, err := Verify[RegisteredClaims](bg, tok, v, opts); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("HS256 Verify into RegisteredClaims: %.0f allocs/op", allocs)
	assert.LessOrEqual(t, allocs, 1.0) // the Token, with its strings' bytes

	// A forged token costs nothing: its header, a common one, is read into
	// constants, and its payload is left where it was decoded.
	forged := tok[:len(tok)-4] + "AAAA"
	allocs = testing.AllocsPerRun(200, func() { Verify[RegisteredClaims](bg, forged, v, opts) })
	t.Logf("HS256 Verify of a forged token: %.0f allocs/op", allocs)
	assert.Zero(t, allocs, "rejecting a forged token")
	allocs = testing.AllocsPerRun(200, func() { Verify[map[string]any](bg, forged, v, opts) })
	assert.Zero(t, allocs, "rejecting a forged token, into a map")
	allocs = testing.AllocsPerRun(200, func() {
		if _, err := VerifyJWS(bg, tok, v, nil); err != nil {
			t.Fatal(err)
		}
	})
	assert.LessOrEqual(t, allocs, 2.0, "VerifyJWS: the JWS and its payload")

	// A header that is not one of the common forms (here "typ":"at+jwt")
	// is read by the strict reader, at no extra allocation.
	atTok, err := Sign(bg, s, validClaims(), &SignOptions{Type: "at+jwt"})
	require.NoError(t, err)
	allocs = testing.AllocsPerRun(200, func() {
		if _, err := Verify[RegisteredClaims](bg, atTok, v, opts); err != nil {
			t.Fatal(err)
		}
	})
	assert.LessOrEqual(t, allocs, 2.0, "an uncommon header")

	dots := strings.Repeat(".", 100_000)
	allocs = testing.AllocsPerRun(20, func() { Verify[RegisteredClaims](bg, dots, v, &VerifyOptions{MaxSize: 200_000}) })
	assert.LessOrEqual(t, allocs, 3.0, "100,000 dots")

	// Custom claims (decode.go, encode.go): a struct embedding
	// RegisteredClaims costs what RegisteredClaims does, the Token and the
	// decoded payload; a map costs the map (2) and one per string or
	// number boxed in it (iss, sub, aud, jti, name, exp, iat); signing
	// costs the token.
	app := benchApp()
	tok, err = Sign(bg, s, &app, nil)
	require.NoError(t, err)
	allocs = testing.AllocsPerRun(200, func() {
		if _, err := Verify[benchAppClaims](bg, tok, v, opts); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("HS256 Verify into a struct embedding RegisteredClaims: %.0f allocs/op", allocs)
	assert.LessOrEqual(t, allocs, 2.0)
	allocs = testing.AllocsPerRun(200, func() {
		if _, err := Verify[map[string]any](bg, tok, v, opts); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("HS256 Verify into map[string]any: %.0f allocs/op", allocs)
	assert.LessOrEqual(t, allocs, 11.0)
	allocs = testing.AllocsPerRun(200, func() {
		if _, err := Sign(bg, s, &app, nil); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("HS256 Sign of a struct embedding RegisteredClaims: %.0f allocs/op", allocs)
	assert.LessOrEqual(t, allocs, 1.0)
	// A plain struct holding the registered claims in fields of its own:
	// no re-read, so no copy of the payload either.
	own := epOwnReg{Iss: "https://issuer.example", Aud: "api", Exp: fixedClock().Add(time.Hour).Unix(), JTI: "j1", Name: "Ada"}
	allocs = testing.AllocsPerRun(200, func() {
		if _, err := Sign(bg, s, &own, nil); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("HS256 Sign of a plain struct: %.0f allocs/op", allocs)
	assert.LessOrEqual(t, allocs, 1.0)

	// A large claims set (largeClaimsPayload) costs no more than its
	// values: the names of its top-level object and the scratch of its
	// maps and slices are reused from one Verify to the next.
	payload, members := largeClaimsPayload()
	tok = rawToken(t, `{"alg":"HS256","typ":"JWT"}`, payload)
	large := &VerifyOptions{Now: fixedClock, Audience: []string{"api"}, MaxSize: 16 << 10}
	allocs = testing.AllocsPerRun(200, func() {
		if _, err := Verify[largeClaims](bg, tok, v, large); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("HS256 Verify of %d bytes of claims into a struct: %.0f allocs/op", len(payload), allocs)
	// The Token, the decoded payload, the []string and the []int64.
	assert.LessOrEqual(t, allocs, 4.0)
	allocs = testing.AllocsPerRun(200, func() {
		if _, err := Verify[map[string]any](bg, tok, v, large); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("HS256 Verify of %d bytes of claims into map[string]any: %.0f allocs/op", len(payload), allocs)
	// Per group of seven members: four boxed strings (s, o.name, a[0],
	// a[1]), five boxed numbers (n, o.id, f, l[0], l[1]), two for the
	// object's map and two for each array (its elements, and its header
	// boxed in an interface); and what the small map above costs: the
	// registered claims, the Token, the payload and the top-level map.
	assert.LessOrEqual(t, allocs, float64(members/7*15+11))
}

// largeClaims is a claims struct for largeClaimsPayload, with fields for a
// few of its members.
type largeClaims struct {
	RegisteredClaims
	S000 string `json:"s000"`
	O002 struct {
		ID   int64
		Name string `json:"name"`
	} `json:"o002"`
	A003 []string `json:"a003"`
	B004 bool     `json:"b004"`
	L006 []int64  `json:"l006"`
}

// largeClaimsPayload returns a claims set of about 6 KiB: the registered
// claims of validClaims and 217 private members in groups of seven (a
// string, an integer, an object, an array of strings, a boolean, a
// fraction, an array of integers), and the number of private members.
func largeClaimsPayload() (string, int) {
	var b strings.Builder
	fmt.Fprintf(&b, `{"iss":"https://issuer.example","sub":"user-1","aud":"api","exp":%d,"iat":%d,"jti":"id-1"`,
		testNow.Add(time.Hour).Unix(), testNow.Unix())
	const members = 217
	for i := 0; i < members; i += 7 {
		fmt.Fprintf(&b, `,"s%03d":"a string value, number %d of the set","n%03d":%d,"o%03d":{"id":%d,"name":"object name %d"},"a%03d":["first element %d","second element"],"b%03d":true,"f%03d":%d.125,"l%03d":[%d,7]`,
			i, i, i+1, i*7919, i+2, i, i, i+3, i, i+4, i+5, i, i+6, i)
	}
	b.WriteByte('}')
	return b.String(), members
}

func TestAPIContracts(t *testing.T) {
	s, v := hs256(t)
	tok, err := Sign(bg, s, validClaims(), nil)
	require.NoError(t, err)

	// Contradictory options are an error, not a silent choice.
	_, err = Verify[RegisteredClaims](bg, tok, v, &VerifyOptions{Now: fixedClock, Audience: []string{"api"}, IgnoreAudience: true})
	assert.ErrorIs(t, err, ErrInvalidOption)

	// Nil signers and key sources are errors, never panics.
	_, err = Sign(bg, nil, validClaims(), nil)
	assert.ErrorIs(t, err, ErrInvalidKey)
	_, err = SignJWS(bg, nil, []byte("x"), nil)
	assert.ErrorIs(t, err, ErrInvalidKey)
	_, err = Verify[RegisteredClaims](bg, tok, nil, nil)
	assert.ErrorIs(t, err, ErrKeyNotFound)
	_, err = VerifyJWS(bg, tok, nil, nil)
	assert.ErrorIs(t, err, ErrKeyNotFound)
	assert.Nil(t, SignerWithKeyID(nil, "k"))
	assert.Nil(t, VerifierWithKeyID(nil, "k"))

	// A token passed with its scheme gets a hint.
	_, err = Verify[RegisteredClaims](bg, "Bearer "+tok, v, defaultOpts())
	assert.ErrorIs(t, err, ErrMalformed)
	assert.ErrorContains(t, err, `starts with "Bearer ": pass the token without the authorization scheme`)

	// SignJWS writes no "typ" unless asked; Sign writes "JWT".
	jws, err := SignJWS(bg, s, []byte("x"), nil)
	require.NoError(t, err)
	u, err := ParseUnverified(jws, 0)
	require.NoError(t, err)
	assert.Equal(t, Header{Algorithm: "HS256"}, fields(u.Header))
	assert.Equal(t, `{"alg":"HS256"}`, string(u.Header.JSON()))

	// ParseUnverified reads a larger token only when asked.
	big, err := SignJWS(bg, s, []byte(strings.Repeat("x", DefaultMaxSize)), nil)
	require.NoError(t, err)
	_, err = ParseUnverified(big, 0)
	assert.ErrorIs(t, err, ErrTooLarge)
	_, err = ParseUnverified(big, 2*DefaultMaxSize)
	assert.NoError(t, err)
	_, err = ParseUnverified(big, -1)
	assert.ErrorIs(t, err, ErrInvalidOption)

	// A keyed HMAC signer writes its kid and still signs without the
	// Signer's own allocation path.
	ks := SignerWithKeyID(s, "k1")
	tok2, err := Sign(bg, ks, validClaims(), nil)
	require.NoError(t, err)
	got, err := Verify[RegisteredClaims](bg, tok2, VerifierWithKeyID(v, "k1"), defaultOpts())
	require.NoError(t, err)
	assert.Equal(t, "k1", got.Header.KeyID)
}

// TestVerifyRegisteredOwnsItsStrings: Verify into RegisteredClaims reads
// the payload where it was decoded, in a pooled buffer, and copies out the
// strings it keeps. A later Verify, which reuses the buffer, must leave an
// earlier Token as it was.
func TestVerifyRegisteredOwnsItsStrings(t *testing.T) {
	s, v := hs256(t)
	opts := &VerifyOptions{Now: fixedClock, IgnoreAudience: true}
	claims := func(i int, aud ...string) RegisteredClaims {
		c := validClaims()
		c.Issuer = fmt.Sprintf("https://issuer-%d.example", i)
		c.Subject = fmt.Sprintf("user-%d", i)
		c.ID = fmt.Sprintf("jti-%d", i)
		c.Audience = aud
		return c
	}
	var got []*Token[RegisteredClaims]
	var want []RegisteredClaims
	for i, aud := range [][]string{{"one"}, {"a", "bb", "ccc"}, nil, {""}, {"x"}} {
		c := claims(i, aud...)
		tok, err := Sign(bg, s, c, nil)
		require.NoError(t, err)
		tk, err := Verify[RegisteredClaims](bg, tok, v, opts)
		require.NoError(t, err)
		got, want = append(got, tk), append(want, c)
		// Failures in between reuse the buffer too.
		_, err = Verify[RegisteredClaims](bg, changeSignature(tok), v, opts)
		require.ErrorIs(t, err, ErrInvalidSignature)
		_, err = Verify[RegisteredClaims](bg, tok, v, &VerifyOptions{Now: fixedClock, Issuer: "other"})
		require.Error(t, err)
	}
	// Strings whose bytes fill each size the Token is allocated with, and
	// one more byte (iss, sub and jti of these lengths, no aud).
	for _, n := range []int{0, 8, 9, 72, 73, 136, 137, 600} {
		c := validClaims()
		c.Audience = nil
		c.Issuer = strings.Repeat("i", n/3)
		c.Subject = strings.Repeat("s", n/3)
		c.ID = strings.Repeat("j", n-2*(n/3))
		tok, err := Sign(bg, s, c, nil)
		require.NoError(t, err)
		tk, err := Verify[RegisteredClaims](bg, tok, v, &VerifyOptions{Now: fixedClock})
		require.NoError(t, err, n)
		got, want = append(got, tk), append(want, c)
	}
	for i := range got {
		assert.Equal(t, want[i], got[i].Claims, "token %d", i)
	}
}
