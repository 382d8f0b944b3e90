package benchmarks

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"
)

// The JWK Set rows parse a set of jwkSetSize EC P-256 public keys, as an
// identity provider publishes at its jwks_uri, into each implementation's
// key set. The keys are derived from their index (the private scalar is
// SHA-256 of a fixed label and the index), so the set's bytes are the same
// in every run.

const jwkSetSize = 100

// jwkSetSigner is the index of the key that signs the sanity test's token.
const jwkSetSigner = 57

// parseCase is one row of BenchmarkParseJWKSet.
type parseCase struct {
	name  string
	parse func(data []byte) (any, error)
	// keys returns how many usable keys a parsed set holds; verify checks
	// an ES256 token with the key of the token's kid in the set and
	// validates its claims. Only the sanity test calls them.
	keys   func(set any) int
	verify func(set any, tok string) error
}

type jwkSetFixture struct {
	data     []byte // the set
	tampered []byte // the set with one character of the signer's "x" changed
	token    string // an ES256 token with the signer's kid, signed by it
	rows     []parseCase
}

var (
	jwkSetOnce sync.Once
	jwkSetFix  *jwkSetFixture
)

func jwkSetFixtures(tb testing.TB) *jwkSetFixture {
	tb.Helper()
	jwkSetOnce.Do(func() { jwkSetFix = newJWKSetFixture(tb) })
	if jwkSetFix == nil {
		tb.Fatal("JWK Set fixtures failed to build in an earlier test")
	}
	return jwkSetFix
}

func jwkSetKid(i int) string { return fmt.Sprintf("key-%03d", i) }

// jwkSetKey derives the i-th key of the set.
func jwkSetKey(tb testing.TB, i int) *ecdsa.PrivateKey {
	tb.Helper()
	d := sha256.Sum256([]byte(fmt.Sprintf("jwtkit benchmarks JWK Set key %d", i)))
	if _, err := ecdh.P256().NewPrivateKey(d[:]); err != nil {
		tb.Fatalf("key %d: %v", i, err) // a scalar >= n: p < 2^-32
	}
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d[:])
	if err != nil {
		tb.Fatalf("key %d: %v", i, err)
	}
	return k
}

func newJWKSetFixture(tb testing.TB) *jwkSetFixture {
	tb.Helper()
	f := &jwkSetFixture{}
	var members []string
	var signer *ecdsa.PrivateKey
	var signerX string
	for i := range jwkSetSize {
		k := jwkSetKey(tb, i)
		pub, err := k.PublicKey.Bytes() // 0x04 || x || y
		if err != nil {
			tb.Fatal(err)
		}
		x, y := b64.EncodeToString(pub[1:33]), b64.EncodeToString(pub[33:])
		members = append(members, fmt.Sprintf(`{"kty":"EC","use":"sig","crv":"P-256","kid":%q,"x":%q,"y":%q,"alg":"ES256"}`, jwkSetKid(i), x, y))
		if i == jwkSetSigner {
			signer, signerX = k, x
		}
	}
	f.data = []byte(`{"keys":[` + strings.Join(members, ",") + `]}`)
	// Change a middle character of the signer's x: still canonical
	// base64url of 32 bytes, but (x', y) is not on the curve.
	x := []byte(signerX)
	flipBase64url(x, len(x)/2)
	f.tampered = []byte(strings.Replace(string(f.data), signerX, string(x), 1))

	k := keys{alg: "ES256", hash: crypto.SHA256, ecPriv: signer}
	sign := rawSignPayload(&k, kidHeader("ES256", jwkSetKid(jwkSetSigner)))
	now := time.Now().Truncate(time.Second)
	tok, err := sign(mustMarshal(rawRegistered{
		Issuer: claimIss, Subject: claimSub, Audience: claimAud,
		ExpiresAt: now.Add(time.Hour).Unix(), IssuedAt: now.Unix(), ID: claimJTI,
	}))
	if err != nil {
		tb.Fatal(err)
	}
	f.token = string(tok)
	f.rows = []parseCase{
		rawJWKSetParser(),
		jwtkitJWKSetParser(),
		jwtkitJWKSetKeySetParser(),
		goJoseJWKSetParser(tb),
		jwxJWKSetParser(tb),
	}
	return f
}

// BenchmarkParseJWKSet/<impl> parses a JWK Set of 100 EC P-256 public keys.
func BenchmarkParseJWKSet(b *testing.B) {
	f := jwkSetFixtures(b)
	for _, c := range f.rows {
		b.Run(c.name, func(b *testing.B) {
			data, parse := f.data, c.parse
			measure(b, func() error {
				_, err := parse(data)
				return err
			})
		})
	}
}

// TestSanityJWKSet is TestSanity for BenchmarkParseJWKSet: each row parses
// all the keys, the parsed set verifies a token signed by one of them, and
// the set with that key's "x" changed, so that the key is no longer a point
// on the curve, is rejected.
func TestSanityJWKSet(t *testing.T) {
	f := jwkSetFixtures(t)
	for _, c := range f.rows {
		t.Run(c.name, func(t *testing.T) {
			set, err := c.parse(f.data)
			if err != nil {
				t.Fatalf("rejected the set: %v", err)
			}
			if n := c.keys(set); n != jwkSetSize {
				t.Errorf("parsed %d keys, want %d", n, jwkSetSize)
			}
			if err := c.verify(set, f.token); err != nil {
				t.Errorf("the parsed set rejected the token: %v", err)
			}
			if _, err := c.parse(f.tampered); err == nil {
				t.Errorf("accepted a set with a key off the curve")
			}
		})
	}
}

// rawJWKSet is the raw row's set: the keys by kid.
type rawJWKSet map[string]*ecdsa.PublicKey

var errRawJWK = errors.New("raw: invalid JWK")

// rawJWKSetParser is the standard library doing the work: json.Unmarshal
// into flat structs, strict base64url of x and y, and
// ecdsa.ParseUncompressedPublicKey, which checks that the point is on the
// curve.
func rawJWKSetParser() parseCase {
	type jwk struct {
		Kty string `json:"kty"`
		Use string `json:"use"`
		Crv string `json:"crv"`
		Kid string `json:"kid"`
		X   string `json:"x"`
		Y   string `json:"y"`
		Alg string `json:"alg"`
	}
	return parseCase{
		name: "raw/decode",
		parse: func(data []byte) (any, error) {
			var set struct {
				Keys []jwk `json:"keys"`
			}
			if err := json.Unmarshal(data, &set); err != nil {
				return nil, err
			}
			out := make(rawJWKSet, len(set.Keys))
			var point [65]byte
			point[0] = 4
			for _, k := range set.Keys {
				if k.Kty != "EC" || k.Crv != "P-256" || b64.DecodedLen(len(k.X)) != 32 || b64.DecodedLen(len(k.Y)) != 32 {
					return nil, errRawJWK
				}
				if _, err := b64.Decode(point[1:33], []byte(k.X)); err != nil {
					return nil, errRawJWK
				}
				if _, err := b64.Decode(point[33:], []byte(k.Y)); err != nil {
					return nil, errRawJWK
				}
				pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point[:])
				if err != nil {
					return nil, errRawJWK
				}
				out[k.Kid] = pub
			}
			return out, nil
		},
		keys: func(set any) int { return len(set.(rawJWKSet)) },
		verify: func(set any, tok string) error {
			var h struct {
				Kid string `json:"kid"`
			}
			in, _, sig, err := split([]byte(tok))
			if err != nil {
				return err
			}
			hdr, _, _ := strings.Cut(tok, ".")
			raw, err := b64.DecodeString(hdr)
			if err != nil {
				return err
			}
			if err := json.Unmarshal(raw, &h); err != nil {
				return err
			}
			pub := set.(rawJWKSet)[h.Kid]
			s, err := b64.DecodeString(string(sig))
			if pub == nil || err != nil || len(s) != 64 {
				return errRawSignature
			}
			d := sha256.Sum256(in)
			if !ecdsa.Verify(pub, d[:], new(big.Int).SetBytes(s[:32]), new(big.Int).SetBytes(s[32:])) {
				return errRawSignature
			}
			return nil
		},
	}
}
