package benchmarks

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"sync"
	"testing"
	"time"
)

// The claims every implementation signs and every verifier reads. Each
// library has its own Go type for them (see the *_test.go file of each), all
// of which encode to the same JSON members.
const (
	claimIss   = "https://issuer.example"
	claimSub   = "user-1234"
	claimAud   = "api"
	claimJTI   = "4f1c2a9e-7b3d-4c8e-9a61-2d5f0e8b7c13"
	claimName  = "Ada Lovelace"
	claimAdmin = true
)

// algNames lists the algorithms benchmarked, in table order: ML-DSA
// (mldsaAlgNames) only under Go 1.27 or later.
var algNames = append([]string{"HS256", "RS256", "PS256", "ES256", "ES384", "ES512", "EdDSA"}, mldsaAlgNames...)

// keys holds the key material of one algorithm, generated once per process.
type keys struct {
	alg  string
	hash crypto.Hash // digest used by RS/PS/ES; 0 for EdDSA
	// Exactly one group is set.
	secret  []byte
	rsaPriv *rsa.PrivateKey
	ecPriv  *ecdsa.PrivateKey
	edPriv  ed25519.PrivateKey
	pq      crypto.Signer // an *mldsa.PrivateKey (Go 1.27)
}

func (k *keys) rsaPub() *rsa.PublicKey   { return &k.rsaPriv.PublicKey }
func (k *keys) ecPub() *ecdsa.PublicKey  { return &k.ecPriv.PublicKey }
func (k *keys) edPub() ed25519.PublicKey { return k.edPriv.Public().(ed25519.PublicKey) }

// ecSize is the byte length of r and s in an ES* signature.
func (k *keys) ecSize() int { return (k.ecPriv.Curve.Params().BitSize + 7) / 8 }

// times are the iat and exp of the valid token; exp is an hour ahead so that
// a long -count run stays well inside it.
type times struct{ iat, exp time.Time }

// fixture is everything one algorithm's benchmarks need, built before any
// timer starts.
type fixture struct {
	keys
	now times
	tokenSet
	verifiers []verifyCase
	signers   []signCase
}

// tokenSet is a valid token and the tokens a verifier of it must reject.
type tokenSet struct {
	// token is the valid token (signed by the raw signer); tokenBytes is the
	// same bytes for the APIs that take a []byte.
	token      string
	tokenBytes []byte
	// Tokens that every verifier must reject.
	badPayload, badSignature string // one base64url character changed
	expired                  string // validly signed, exp an hour ago
	wrongAudience            string // validly signed, aud "other"
}

// newTokenSet signs the valid token and its expired and wrong-audience
// variants with sign, which is given the registered claims to use.
func newTokenSet(now time.Time, sign func(r rawRegistered) string) tokenSet {
	var ts tokenSet
	valid := rawRegistered{
		Issuer: claimIss, Subject: claimSub, Audience: claimAud,
		ExpiresAt: now.Add(time.Hour).Unix(), IssuedAt: now.Unix(), ID: claimJTI,
	}
	ts.token = sign(valid)
	ts.tokenBytes = []byte(ts.token)
	ts.badPayload = tamper(ts.token, false)
	ts.badSignature = tamper(ts.token, true)
	expired := valid
	expired.IssuedAt = now.Add(-2 * time.Hour).Unix()
	expired.ExpiresAt = now.Add(-time.Hour).Unix()
	ts.expired = sign(expired)
	other := valid
	other.Audience = "other"
	ts.wrongAudience = sign(other)
	return ts
}

// verifyCase is one row of BenchmarkVerify.
type verifyCase struct {
	name string
	// verify checks tok (given both as a string and as bytes, so that no
	// implementation pays for a conversion the others do not) and returns
	// nil only if the signature and claims are valid.
	verify func(tok string, tokb []byte) error
	// checksClaims is false for the bare "raw" row, which checks only the
	// signature; checksAudience is false for "raw/decode", which checks exp.
	checksClaims, checksAudience bool
}

// signCase is one row of BenchmarkSign. sign signs the claims and keeps the
// token, which last returns.
type signCase struct {
	name string
	sign func() error
	last func() string
}

func generateKeys(tb testing.TB, alg string) keys {
	tb.Helper()
	k := keys{alg: alg}
	var err error
	switch alg {
	case "HS256":
		k.secret = make([]byte, 32)
		_, err = rand.Read(k.secret)
	case "RS256", "PS256":
		k.hash = crypto.SHA256
		k.rsaPriv, err = rsa.GenerateKey(rand.Reader, 2048)
	case "ES256":
		k.hash = crypto.SHA256
		k.ecPriv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ES384":
		k.hash = crypto.SHA384
		k.ecPriv, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "ES512":
		k.hash = crypto.SHA512
		k.ecPriv, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case "EdDSA":
		_, k.edPriv, err = ed25519.GenerateKey(rand.Reader)
	default:
		if k.pq, err = generateMLDSA(alg); k.pq == nil && err == nil {
			tb.Fatalf("unknown algorithm %q", alg)
		}
	}
	if err != nil {
		tb.Fatalf("%s: generating key: %v", alg, err)
	}
	return k
}

var (
	fixturesOnce sync.Once
	fixturesAll  []*fixture
)

// fixtures returns the fixtures of all algorithms, building them on first
// use. Keys are generated once per test binary, so every benchmark and the
// sanity test of one run see the same keys and token bytes.
func fixtures(tb testing.TB) []*fixture {
	tb.Helper()
	fixturesOnce.Do(func() {
		now := time.Now().Truncate(time.Second)
		for _, alg := range algNames {
			fixturesAll = append(fixturesAll, newFixture(tb, alg, now))
		}
	})
	if len(fixturesAll) != len(algNames) {
		tb.Fatal("fixtures failed to build in an earlier test")
	}
	return fixturesAll
}

func newFixture(tb testing.TB, alg string, now time.Time) *fixture {
	tb.Helper()
	f := &fixture{keys: generateKeys(tb, alg), now: times{iat: now, exp: now.Add(time.Hour)}}
	f.tokenSet = newTokenSet(now, func(r rawRegistered) string {
		c := rawClaims{
			Issuer: r.Issuer, Subject: r.Subject, Audience: r.Audience,
			ExpiresAt: r.ExpiresAt, IssuedAt: r.IssuedAt, ID: r.ID,
			Name: claimName, Admin: claimAdmin,
		}
		tok, err := rawSignOnce(&f.keys, &c)
		if err != nil {
			tb.Fatalf("%s: signing fixture token: %v", alg, err)
		}
		return tok
	})

	f.verifiers = append(f.verifiers, rawVerifiers(tb, f)...)
	f.verifiers = append(f.verifiers, jwtkitVerifiers(tb, f)...)
	f.verifiers = append(f.verifiers, peerVerifiers(tb, f)...)
	f.signers = append(f.signers, rawSigner(tb, f))
	f.signers = append(f.signers, jwtkitSigner(tb, f))
	if alg == "HS256" {
		f.signers = append(f.signers, jwtkitPlainSigner(tb, f))
	}
	f.signers = append(f.signers, peerSigners(tb, f)...)
	return f
}

func (f *fixture) rawClaims() rawClaims {
	return rawClaims{
		Issuer:    claimIss,
		Subject:   claimSub,
		Audience:  claimAud,
		ExpiresAt: f.now.exp.Unix(),
		IssuedAt:  f.now.iat.Unix(),
		ID:        claimJTI,
		Name:      claimName,
		Admin:     claimAdmin,
	}
}

// tamper changes one base64url character in the middle of the payload (or,
// if sig, of the signature) to another that keeps the segment canonical, so
// that the token still parses and only the signature check can reject it.
func tamper(tok string, sig bool) string {
	first := 0
	for i := range len(tok) {
		if tok[i] == '.' {
			first = i
			break
		}
	}
	last := len(tok) - 1
	for tok[last] != '.' {
		last--
	}
	i := (first + last) / 2
	if sig {
		i = (last + len(tok)) / 2
	}
	b := []byte(tok)
	flipBase64url(b, i)
	return string(b)
}

// flipBase64url changes the base64url character b[i] to another by
// flipping the lowest bit of its 6-bit value, which keeps the alphabet and,
// away from the encoding's end, the canonical trailing bits.
func flipBase64url(b []byte, i int) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for j := range len(alphabet) {
		if alphabet[j] == b[i] {
			b[i] = alphabet[j^1]
			return
		}
	}
}
