package benchmarks

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"
)

// The key set rows: HS256 tokens carrying a "kid", verified by each
// implementation's mechanism for choosing a key by kid. "one" is a set of
// one key (kid "a") verifying tokens of that key; "alternating" is a set of
// two keys (kids "a" and "b") verifying tokens of each in turn, which is
// what a verifier sees during a key rotation or with several issuers'
// keys. Both loops alternate between two token slots, so that their only
// difference is the kid.

// kidKey is one key of a set and its kid.
type kidKey struct {
	kid string
	*keys
}

// keySetFixture holds the keys and tokens of the key set rows.
type keySetFixture struct {
	a, b kidKey
	// tokA and tokB are signed by a and b with their kids, and come with
	// the tokens a verifier of them must reject.
	tokA, tokB tokenSet
	// wrongKey carries kid "a" but is signed by key b; unknownKid carries
	// kid "c" and is signed by key a.
	wrongKey, unknownKid string
	groups               []keySetGroup
}

// keySetGroup is one group of BenchmarkKeySet: the tokens its loop
// alternates between and its rows.
type keySetGroup struct {
	name string
	toks [2]*tokenSet
	rows []verifyCase
	// absent are tokens of the fixture with a kid the group's set lacks.
	absent []string
}

var (
	keySetOnce sync.Once
	keySetFix  *keySetFixture
)

func keySetFixtures(tb testing.TB) *keySetFixture {
	tb.Helper()
	keySetOnce.Do(func() { keySetFix = newKeySetFixture(tb) })
	if keySetFix == nil {
		tb.Fatal("key set fixtures failed to build in an earlier test")
	}
	return keySetFix
}

// kidHeader is the protected header of a token with a kid.
func kidHeader(alg, kid string) []byte {
	return []byte(`{"alg":"` + alg + `","kid":"` + kid + `","typ":"JWT"}`)
}

func newKeySetFixture(tb testing.TB) *keySetFixture {
	tb.Helper()
	ka, kb := generateKeys(tb, "HS256"), generateKeys(tb, "HS256")
	f := &keySetFixture{a: kidKey{"a", &ka}, b: kidKey{"b", &kb}}
	now := time.Now().Truncate(time.Second)
	signer := func(k *keys, kid string) func(r rawRegistered) string {
		sign := rawSignPayload(k, kidHeader(k.alg, kid))
		return func(r rawRegistered) string {
			tok, err := sign(mustMarshal(rawClaims{
				Issuer: r.Issuer, Subject: r.Subject, Audience: r.Audience,
				ExpiresAt: r.ExpiresAt, IssuedAt: r.IssuedAt, ID: r.ID,
				Name: claimName, Admin: claimAdmin,
			}))
			if err != nil {
				tb.Fatalf("signing: %v", err)
			}
			return string(tok)
		}
	}
	f.tokA = newTokenSet(now, signer(f.a.keys, "a"))
	f.tokB = newTokenSet(now, signer(f.b.keys, "b"))
	f.wrongKey = newTokenSet(now, signer(f.b.keys, "a")).token
	f.unknownKid = newTokenSet(now, signer(f.a.keys, "c")).token

	rows := func(set []kidKey) []verifyCase {
		return []verifyCase{
			rawKeySetVerifier(set),
			jwtkitKeySetVerifier(tb, set),
			golangJWTKeySetVerifier(tb, set),
			goJoseKeySetVerifier(tb, set),
			jwxKeySetVerifier(tb, set),
			cristalKeySetVerifier(tb, set),
			katarasKeySetVerifier(tb, set),
		}
	}
	one := rows([]kidKey{f.a})
	// A jwtkit Verifier carrying its kid is a key source of its own: the
	// single key without a set, for reference.
	one = append(one[:2], append([]verifyCase{jwtkitKidVerifier(tb, f.a)}, one[2:]...)...)
	f.groups = []keySetGroup{
		{name: "one", toks: [2]*tokenSet{&f.tokA, &f.tokA}, rows: one, absent: []string{f.tokB.token}},
		{name: "alternating", toks: [2]*tokenSet{&f.tokA, &f.tokB}, rows: rows([]kidKey{f.a, f.b})},
	}
	return f
}

// BenchmarkKeySet/<one|alternating>/<impl> verifies HS256 tokens that
// carry a kid with a key set of one key, or of two keys whose tokens
// alternate, and validates their claims.
func BenchmarkKeySet(b *testing.B) {
	f := keySetFixtures(b)
	for _, g := range f.groups {
		b.Run(g.name, func(b *testing.B) {
			for _, c := range g.rows {
				b.Run(c.name, func(b *testing.B) {
					toks := [2]string{g.toks[0].token, g.toks[1].token}
					tokbs := [2][]byte{g.toks[0].tokenBytes, g.toks[1].tokenBytes}
					verify, i := c.verify, 0
					measure(b, func() error {
						i ^= 1
						return verify(toks[i], tokbs[i])
					})
				})
			}
		})
	}
}

// TestSanityKeySet is TestSanity for BenchmarkKeySet: each row accepts the
// tokens of its group and rejects their tampered variants, a token whose
// kid names another key than the one that signed it, a token with a kid
// the set lacks, and, in the one-key group, the other key's token.
func TestSanityKeySet(t *testing.T) {
	f := keySetFixtures(t)
	for _, g := range f.groups {
		for _, c := range g.rows {
			t.Run(g.name+"/"+c.name, func(t *testing.T) {
				checkVerifier(t, c, g.toks[0])
				checkVerifier(t, c, g.toks[1])
				for _, tok := range append([]string{f.wrongKey, f.unknownKid}, g.absent...) {
					if err := c.verify(tok, []byte(tok)); err == nil {
						t.Errorf("accepted %s", tok)
					}
				}
			})
		}
	}
}

var errRawUnknownKid = errors.New("raw: unknown kid")

// rawKeySetVerifier is the raw row of a key set: it knows the encoded
// header of each key's tokens, finds the token's among them with
// bytes.Equal, and checks the signature with that key.
func rawKeySetVerifier(set []kidKey) verifyCase {
	headers := make([][]byte, len(set))
	verifiers := make([]func([]byte) ([]byte, error), len(set))
	for i, k := range set {
		headers[i] = b64.AppendEncode(nil, kidHeader(k.alg, k.kid))
		verifiers[i] = rawSigVerifier(k.keys)
	}
	return verifyCase{
		name: "raw",
		verify: func(_ string, tokb []byte) error {
			h, _, ok := bytes.Cut(tokb, []byte{'.'})
			if !ok {
				return errRawMalformed
			}
			for i := range headers {
				if bytes.Equal(h, headers[i]) {
					_, err := verifiers[i](tokb)
					return err
				}
			}
			return errRawUnknownKid
		},
	}
}
