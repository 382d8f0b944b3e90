package benchmarks

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sync"
	"testing"
	"time"

	gjwt "github.com/golang-jwt/jwt/v5"
	"github.com/jwtkit/jwt"
	jwxjwt "github.com/lestrrat-go/jwx/v3/jwt"
)

// sizeMaxSize is the token size every implementation is allowed in
// BenchmarkVerifySize: the 7 KiB claims make a token of about 9.7 KB, above
// jwtkit's DefaultMaxSize; the peers have no limit.
const sizeMaxSize = 16 << 10

// decodeFunc verifies a token (given as a string and as bytes, as for
// verifyCase) and returns its decoded claims: a map, a pointer to the
// private claims struct, or the library's own token type.
type decodeFunc func(tok string, tokb []byte) (any, error)

// decodeCase is one row of BenchmarkVerifySize.
type decodeCase struct {
	name   string
	decode decodeFunc
	// checksClaims and checksAudience are as for verifyCase.
	checksClaims, checksAudience bool
}

// sizeSpec is one claims set of BenchmarkVerifySize (see sizes_test.go).
type sizeSpec struct {
	name    string // 200B, 2KiB, 7KiB
	private string // the private members' JSON, without braces
	members int    // how many private members
	bytes   int    // the length of the whole claims set's JSON
	// structVerifiers returns the struct rows, whose types are generated
	// for this size.
	structVerifiers func(tb testing.TB, k *keys) []decodeCase
	// newPrivate returns a new pointer to the generated private claims
	// struct of this size.
	newPrivate func() any
}

// wantPrivate decodes the private claims into the size's struct as
// encoding/json does, refusing unknown members, for the sanity checks.
func (s *sizeSpec) wantPrivate(tb testing.TB) any {
	tb.Helper()
	p := s.newPrivate()
	if err := decodeStrict([]byte("{"+s.private+"}"), p); err != nil {
		tb.Fatalf("%s: %v", s.name, err)
	}
	return p
}

// sizeFixture is the HS256 key, tokens and rows of one claims size.
type sizeFixture struct {
	spec sizeSpec
	keys
	tokenSet
	mapRows, structRows []decodeCase
}

var (
	sizeFixturesOnce sync.Once
	sizeFixturesAll  []*sizeFixture
)

func sizeFixtures(tb testing.TB) []*sizeFixture {
	tb.Helper()
	sizeFixturesOnce.Do(func() {
		k := generateKeys(tb, "HS256")
		now := time.Now().Truncate(time.Second)
		for _, spec := range sizeSpecs {
			sizeFixturesAll = append(sizeFixturesAll, newSizeFixture(tb, spec, k, now))
		}
	})
	if len(sizeFixturesAll) != len(sizeSpecs) {
		tb.Fatal("size fixtures failed to build in an earlier test")
	}
	return sizeFixturesAll
}

func newSizeFixture(tb testing.TB, spec sizeSpec, k keys, now time.Time) *sizeFixture {
	tb.Helper()
	f := &sizeFixture{spec: spec, keys: k}
	sign := rawSignPayload(&f.keys, rawHeader(k.alg))
	f.tokenSet = newTokenSet(now, func(r rawRegistered) string {
		payload := sizePayload(r, spec.private)
		tok, err := sign(payload)
		if err != nil {
			tb.Fatalf("%s: signing: %v", spec.name, err)
		}
		return string(tok)
	})
	f.mapRows = []decodeCase{
		{name: "raw", decode: rawSigDecoder(&f.keys)},
		{name: "raw/decode", decode: rawMapDecoder(&f.keys, sizeMaxSize), checksClaims: true},
		{name: "jwtkit", decode: jwtkitMapDecoder(tb, &f.keys, sizeMaxSize), checksClaims: true, checksAudience: true},
		{name: "golang-jwt", decode: golangJWTMapDecoder(tb, &f.keys), checksClaims: true, checksAudience: true},
		{name: "go-jose", decode: goJoseMapDecoder(tb, &f.keys), checksClaims: true, checksAudience: true},
		{name: "jwx", decode: jwxDecoder(tb, &f.keys), checksClaims: true, checksAudience: true},
		{name: "cristalhq", decode: cristalMapDecoder(tb, &f.keys), checksClaims: true, checksAudience: true},
		{name: "kataras", decode: katarasMapDecoder(tb, &f.keys), checksClaims: true, checksAudience: true},
	}
	f.structRows = spec.structVerifiers(tb, &f.keys)
	return f
}

// sizePayload is the claims set of a size row: the registered claims r
// followed by the private members.
func sizePayload(r rawRegistered, private string) []byte {
	b := mustMarshal(r)
	b = append(b[:len(b)-1], ',')
	b = append(b, private...)
	return append(b, '}')
}

// sizeStructVerifiers returns the struct rows of one size; the type
// parameters are the generated types of that size (see sizes_gen_test.go):
// each implementation's struct embedding its registered claims type and P,
// the private claims. jwx has no struct path: its token type keeps the
// private claims in a map, so it appears among the map rows only.
func sizeStructVerifiers[
	Kit, G, C, K, R, P any,
	PKit interface {
		*Kit
		private() *P
	},
	PG interface {
		*G
		gjwt.Claims
		private() *P
	},
	PC interface {
		*C
		cristalChecks
		private() *P
	},
	PK interface {
		*K
		private() *P
	},
	PR interface {
		*R
		expiry() int64
		private() *P
	},
](tb testing.TB, k *keys) []decodeCase {
	return []decodeCase{
		{name: "raw", decode: rawSigDecoder(k)},
		{name: "raw/decode", decode: rawStructDecoder[R, P, PR](k, sizeMaxSize), checksClaims: true},
		{name: "jwtkit", decode: jwtkitStructDecoder[Kit, P, PKit](tb, k, sizeMaxSize), checksClaims: true, checksAudience: true},
		{name: "golang-jwt", decode: golangJWTStructDecoder[G, P, PG](tb, k), checksClaims: true, checksAudience: true},
		{name: "go-jose", decode: goJoseStructDecoder[P](tb, k), checksClaims: true, checksAudience: true},
		{name: "cristalhq", decode: cristalStructDecoder[C, P, PC](tb, k), checksClaims: true, checksAudience: true},
		{name: "kataras", decode: katarasStructDecoder[K, P, PK](tb, k), checksClaims: true, checksAudience: true},
	}
}

// BenchmarkVerifySize/<size>/<map|struct>/<impl> verifies an HS256 token
// whose claims are about <size> of JSON, into a map[string]any or into a
// struct whose fields match the claims, and validates its claims (except
// the bare "raw" row; "raw/decode" checks exp only).
func BenchmarkVerifySize(b *testing.B) {
	for _, f := range sizeFixtures(b) {
		b.Run(f.spec.name, func(b *testing.B) {
			for _, shape := range []struct {
				name string
				rows []decodeCase
			}{{"map", f.mapRows}, {"struct", f.structRows}} {
				b.Run(shape.name, func(b *testing.B) {
					for _, c := range shape.rows {
						b.Run(c.name, func(b *testing.B) {
							tok, tokb, decode := f.token, f.tokenBytes, c.decode
							measure(b, func() error {
								_, err := decode(tok, tokb)
								return err
							})
						})
					}
				})
			}
		})
	}
}

// TestSanitySizes is TestSanity for BenchmarkVerifySize: every row accepts
// the token and rejects the tampered ones, and what it decodes holds every
// claim: each map row every member, each struct row the private claims
// exactly as encoding/json reads them.
func TestSanitySizes(t *testing.T) {
	for _, f := range sizeFixtures(t) {
		t.Run(f.spec.name, func(t *testing.T) {
			if n := len(f.token); n <= jwt.DefaultMaxSize && f.spec.bytes > 4<<10 {
				t.Errorf("the %s token is only %d bytes", f.spec.name, n)
			}
			want := f.spec.wantPrivate(t)
			for _, c := range f.mapRows {
				t.Run("map/"+c.name, func(t *testing.T) {
					checkDecoder(t, c, &f.tokenSet, func(t *testing.T, got any) {
						if n, ok := memberCount(got); !ok {
							t.Errorf("decoded a %T", got)
						} else if n != f.spec.members+6 {
							t.Errorf("decoded %d members, want %d", n, f.spec.members+6)
						}
					})
				})
			}
			for _, c := range f.structRows {
				t.Run("struct/"+c.name, func(t *testing.T) {
					checkDecoder(t, c, &f.tokenSet, func(t *testing.T, got any) {
						if !reflect.DeepEqual(got, want) {
							t.Errorf("decoded private claims differ from encoding/json's")
						}
					})
				})
			}
		})
	}
}

// checkDecoder checks a row as TestSanity checks a verifier, then gives
// what it decoded from the valid token to check (unless it is the bare
// "raw" row, which decodes nothing).
func checkDecoder(t *testing.T, c decodeCase, ts *tokenSet, check func(*testing.T, any)) {
	t.Helper()
	checkVerifier(t, verifyCase{
		name:           c.name,
		verify:         func(tok string, tokb []byte) error { _, err := c.decode(tok, tokb); return err },
		checksClaims:   c.checksClaims,
		checksAudience: c.checksAudience,
	}, ts)
	got, err := c.decode(ts.token, ts.tokenBytes)
	if err != nil || c.name == "raw" {
		return
	}
	check(t, got)
}

// memberCount returns how many members a map row decoded.
func memberCount(v any) (int, bool) {
	switch m := v.(type) {
	case map[string]any:
		return len(m), true
	case gjwt.MapClaims:
		return len(m), true
	case jwxjwt.Token:
		return len(m.Keys()), true
	}
	return 0, false
}

// decodeStrict decodes data into v as encoding/json does, refusing
// members v has no field for.
func decodeStrict(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	return d.Decode(v)
}
