package jwt

import (
	"crypto"
	"crypto/fips140"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The FIPS 140-only tests (issue 21 item 11). Each runs in FIPS 140-only
// mode whatever mode the suite runs in: run as usual, it runs again in a
// child process of the test binary with GODEBUG=fips140=only. .ci/run also
// runs the whole suite in that mode.

// inFIPS140Only reports whether the test runs in FIPS 140-only mode. If it
// does not, it first runs the test again in a child process in that mode
// and checks that it ran and passed there without a panic.
func inFIPS140Only(t *testing.T) bool {
	t.Helper()
	if fips140.Enforced() {
		return true
	}
	runInFIPS140Only(t, t.Name())
	return false
}

// runInFIPS140Only runs the named top-level tests in a child process of the
// test binary with GODEBUG=fips140=only, and checks that each of them ran
// and passed there (or skipped, as one that measures allocations does
// under -race and -cover), and that nothing panicked.
func runInFIPS140Only(t *testing.T, names ...string) {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	args := []string{"-test.run=^(" + strings.Join(names, "|") + ")$", "-test.count=1", "-test.v"}
	if testing.Short() {
		args = append(args, "-test.short")
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "GODEBUG=fips140=only")
	b, err := cmd.CombinedOutput()
	out := string(b)
	if i := strings.Index(out, "panic: "); i >= 0 {
		t.Fatalf("a panic in FIPS 140-only mode:\n%s", out[i:min(len(out), i+3000)])
	}
	require.NoError(t, err, "with GODEBUG=fips140=only:\n%s", out[max(0, len(out)-4000):])
	for _, name := range names {
		if !strings.Contains(out, "--- PASS: "+name+" ") && !strings.Contains(out, "--- SKIP: "+name+" ") {
			t.Errorf("%s did not run and pass in FIPS 140-only mode", name)
		}
	}
}

// unapprovedRSAKey generates an RSA key of a size FIPS 140-only mode does
// not generate (under 2048 bits), for the tests that check it is refused.
// Only its generation goes around the mode: what the package does with it
// is tested in the mode the test runs in.
func unapprovedRSAKey(t *testing.T, bits int) *rsa.PrivateKey {
	t.Helper()
	var k *rsa.PrivateKey
	var err error
	fips140.WithoutEnforcement(func() { k, err = rsa.GenerateKey(rand.Reader, bits) })
	require.NoError(t, err)
	return k
}

// withMembers returns the JSON object jwk with members added at its end.
func withMembers(jwk []byte, members string) []byte {
	s := strings.TrimRight(string(jwk), " \t\r\n")
	return []byte(strings.TrimSuffix(s, "}") + "," + members + "}")
}

// TestFIPS140OnlyX5C is the finding of issue 21 item 11: in FIPS 140-only
// mode, ParseJWK of a key with "x5c", as Keycloak and Entra ID publish,
// panicked: it computed the SHA-1 digest of the certificate even without
// an "x5t" to compare it with, and crypto/sha1 panics in that mode.
func TestFIPS140OnlyX5C(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "rfc7517_B_x5c.json"))
	require.NoError(t, err)
	k, err := ParseJWK(data)
	require.NoError(t, err)
	require.Len(t, k.X5C, 1)
	cert := k.X5C[0]
	var s1 [sha1.Size]byte
	fips140.WithoutEnforcement(func() { s1 = sha1.Sum(cert) })
	s256 := sha256.Sum256(cert)
	b64 := base64.RawURLEncoding.EncodeToString
	// As Keycloak publishes it: both digests.
	both := withMembers(data, `"x5t":"`+b64(s1[:])+`","x5t#S256":"`+b64(s256[:])+`"`)
	wrongX5T := withMembers(data, `"x5t":"`+b64(make([]byte, sha1.Size))+`"`)
	wrongS256 := withMembers(data, `"x5t#S256":"`+b64(make([]byte, sha256.Size))+`"`)
	shortX5T := withMembers(data, `"x5t":"`+b64(make([]byte, 19))+`"`)

	if !inFIPS140Only(t) {
		// Outside the mode, "x5t" is kept and checked.
		k, err := ParseJWK(both)
		require.NoError(t, err)
		assert.Equal(t, s1[:], k.X5T)
		_, err = ParseJWK(wrongX5T)
		assert.ErrorContains(t, err, `"x5t" is not the digest`)
	} else {
		// In the mode, it cannot be checked, so it is not kept.
		k, err := ParseJWK(both)
		require.NoError(t, err)
		assert.Nil(t, k.X5T)
		assert.Equal(t, s256[:], k.X5TS256)
		k, err = ParseJWK(wrongX5T)
		require.NoError(t, err)
		assert.Nil(t, k.X5T)
		// A JWK Set of such keys is read, as a FIPS service fetches one.
		set := []byte(`{"keys":[` + string(both) + `]}`)
		keys, _, skipped, err := parseJWKSet(set, true)
		require.NoError(t, err)
		assert.Empty(t, skipped)
		assert.Len(t, keys, 1)
	}
	// In both modes: "x5t#S256" is checked, and "x5t" has its form.
	k, err = ParseJWK(both)
	require.NoError(t, err)
	assert.Equal(t, s256[:], k.X5TS256)
	_, err = ParseJWK(wrongS256)
	assert.ErrorContains(t, err, `"x5t#S256" is not the digest`)
	_, err = ParseJWK(shortX5T)
	assert.ErrorIs(t, err, ErrInvalidKey)
}

// TestFIPS140OnlyKeys: in FIPS 140-only mode, a key the Go Cryptographic
// Module does not use is refused when a Verifier, Signer or key is made,
// with ErrNotFIPSApproved, not at every token with ErrInvalidSignature
// (issue 21 item 11); the keys it uses work for every algorithm.
func TestFIPS140OnlyKeys(t *testing.T) {
	if !inFIPS140Only(t) {
		return
	}
	k := keysOnce()
	odd := rsaModulus(t, 2049)
	for _, tc := range []struct {
		name string
		key  any
		sign bool
	}{
		{name: "e=3", key: &rsa.PublicKey{N: k.rsa.N, E: 3}},
		{name: "e=65535", key: &rsa.PublicKey{N: k.rsa.N, E: 65535}},
		{name: "odd size", key: &rsa.PublicKey{N: odd, E: 65537}},
		{name: "primes of different sizes", sign: true, key: &rsa.PrivateKey{
			PublicKey: k.rsa.PublicKey, D: k.rsa.D,
			Primes: []*big.Int{k.rsa.Primes[0], new(big.Int).Rsh(k.rsa.Primes[1], 8)},
		}},
		{name: "three primes", sign: true, key: &rsa.PrivateKey{
			PublicKey: k.rsa.PublicKey, D: k.rsa.D,
			Primes: []*big.Int{k.rsa.Primes[0], k.rsa.Primes[1], big.NewInt(3)},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, alg := range []Algorithm{RS256, PS384, RS512} {
				var err error
				if tc.sign {
					_, err = alg.NewSigner(tc.key)
				} else {
					_, err = alg.NewVerifier(tc.key)
				}
				assert.ErrorIs(t, err, ErrNotFIPSApproved, alg.Name())
				assert.ErrorIs(t, err, ErrInvalidKey, alg.Name())
			}
		})
	}
	// The parsers refuse such a key the same way; a JWK Set skips it.
	b64 := base64.RawURLEncoding.EncodeToString
	e3 := `{"kty":"RSA","kid":"e3","n":"` + b64(k.rsa.N.Bytes()) + `","e":"Aw"}`
	_, err := ParseJWK([]byte(e3))
	assert.ErrorIs(t, err, ErrNotFIPSApproved)
	good, err := NewJWK(&k.rsa.PublicKey)
	require.NoError(t, err)
	good.KeyID = "good"
	goodJSON, err := good.MarshalJSON()
	require.NoError(t, err)
	keys, _, skipped, err := parseJWKSet([]byte(`{"keys":[`+e3+`,`+string(goodJSON)+`]}`), true)
	require.NoError(t, err)
	require.Len(t, keys, 1)
	assert.Equal(t, "good", keys[0].KeyID)
	require.Len(t, skipped, 1)
	assert.ErrorIs(t, skipped[0], ErrNotFIPSApproved)

	// A thumbprint under SHA-1, which would panic, is an error; under
	// SHA-256 it is what it always is.
	_, err = good.Thumbprint(crypto.SHA1)
	assert.ErrorIs(t, err, ErrUnsupportedAlgorithm)
	tp, err := good.Thumbprint(crypto.SHA256)
	require.NoError(t, err)
	assert.Len(t, tp, sha256.Size)

	// Every algorithm of the package is approved and works.
	for _, alg := range Algorithms() {
		s, v := signerVerifier(t, alg)
		tok, err := Sign(bg, s, validClaims(), nil)
		require.NoError(t, err, alg.Name())
		_, err = Verify[RegisteredClaims](bg, tok, v, defaultOpts())
		assert.NoError(t, err, alg.Name())
	}
}

// TestFIPS140OnlyNoPanic is the class of issue 21 item 11: no input makes
// the package panic in FIPS 140-only mode. It runs every parse and verify
// path that external input reaches, in that mode: the Wycheproof and RFC
// vectors, the JWK, PEM and attack tests, and the seed corpora of every fuzz
// target; each either works or returns an error, and the tests' own
// expectations hold there too.
func TestFIPS140OnlyNoPanic(t *testing.T) {
	if fips140.Enforced() {
		t.Skip("the whole suite runs in FIPS 140-only mode")
	}
	names := []string{
		"TestWycheproof", "TestRFCVectors", "TestRFCVectorsAll",
		"TestJWKRFC7517Examples", "TestJWKRFCVectors", "TestJWKParseErrors", "TestJWKSet",
		"TestPEMErrors", "TestPEMCertificate", "TestPEMLegacyFormats",
		"TestRSAPublicKeyBounds", "TestAlgorithms", "TestKeyConstructorsRefuse",
	}
	names = append(names, mldsaFIPSTests...)
	// Every fuzz target, listed by the test binary so that a new one is
	// not left out; run with -test.run, each runs its seed corpus.
	exe, err := os.Executable()
	require.NoError(t, err)
	list, err := exec.Command(exe, "-test.list=^(Fuzz|TestAttack)").Output()
	require.NoError(t, err)
	listed := strings.Fields(string(list))
	assert.Contains(t, listed, "FuzzJWK")
	assert.Contains(t, listed, "TestAttackAlgNone")
	runInFIPS140Only(t, append(names, listed...)...)
}
