package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bin is the jwt binary that TestMain builds; the tests run it as a user would.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "jwt-cmd-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	bin = filepath.Join(dir, "jwt")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one run of the binary did.
type result struct {
	code           int
	stdout, stderr string
}

// jwtIn runs the binary with stdin and args.
func jwtIn(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		require.True(t, ok, "running jwt: %v", err)
		r.code = ee.ExitCode()
	}
	return r
}

// jwtRun runs the binary with args and empty standard input.
func jwtRun(t *testing.T, args ...string) result {
	t.Helper()
	return jwtIn(t, "", args...)
}

// ok asserts that r succeeded and returns its standard output.
func ok(t *testing.T, r result) string {
	t.Helper()
	require.Equal(t, 0, r.code, "exit status; stderr: %s", r.stderr)
	return r.stdout
}

// fails asserts that r exited with code and said why in one line on
// standard error, starting with "jwt: " and containing each of want.
func fails(t *testing.T, r result, code int, want ...string) {
	t.Helper()
	require.Equal(t, code, r.code, "exit status; stdout: %q stderr: %q", r.stdout, r.stderr)
	assert.Empty(t, r.stdout, "standard output")
	assert.True(t, strings.HasPrefix(r.stderr, "jwt: "), "stderr %q should start with \"jwt: \"", r.stderr)
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "stderr %q should be one line", r.stderr)
	assert.NotContains(t, r.stderr, "goroutine")
	assert.NotContains(t, r.stderr, "panic")
	assert.Equal(t, 1, strings.Count(r.stderr, "jwt:"), "stderr %q should say \"jwt:\" once", r.stderr)
	assert.NotRegexp(t, goTypeName, r.stderr, "no Go type names")
	assertTerminalSafe(t, "standard error", strings.TrimSuffix(r.stderr, "\n"))
	for _, w := range want {
		assert.Contains(t, r.stderr, w)
	}
}

// goTypeName matches the Go type names of keys, which messages must not show.
var goTypeName = regexp.MustCompile(`\b(rsa|ecdsa|ed25519|ecdh|dsa|crypto|x509)\.[A-Z]|\[\](byte|uint8)`)

// write writes data to name in dir and returns the path.
func write(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, data, 0o600))
	return p
}

func readFileT(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

// keygen makes a key with jwt keygen in dir and returns the private key
// path; the public key is path + ".pub".
func keygen(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	r := jwtRun(t, append([]string{"keygen", "--out", p}, args...)...)
	ok(t, r)
	return p
}

// rsaArgs keeps test RSA keys at 2048 bits, the fastest to make.
func rsaArgs(alg string) []string {
	if alg[0] == 'R' || alg[0] == 'P' {
		return []string{"--bits", "2048"}
	}
	return nil
}

const exampleClaims = `{"sub":"1234567890","name":"John Doe","admin":true}`

var allAlgorithms = []string{"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// T is a fixed "now" for tokens signed and verified with --time.
const T = 1700000000

var tFlag = strconv.Itoa(T)

func at(offset int) string { return strconv.Itoa(T + offset) }

func TestHelp(t *testing.T) {
	flagsOf := map[string][]string{
		"sign":       {"alg", "key", "secret-file", "kid", "typ", "cty", "iat", "exp", "nbf", "time", "max-size", "jws"},
		"verify":     {"key", "secret-file", "jwks", "oidc", "timeout", "alg", "kid", "iss", "aud", "sub", "typ", "leeway", "require", "no-exp", "ignore-aud", "check-iat", "time", "max-size", "jws"},
		"decode":     {"indent", "max-size"},
		"keygen":     {"alg", "kid", "format", "out", "bits", "force"},
		"thumbprint": {"key", "secret-file", "kid"},
		"version":    {},
	}
	full := ok(t, jwtRun(t, "--help"))
	assert.Equal(t, full, ok(t, jwtRun(t, "-h")))
	assert.Equal(t, full, ok(t, jwtRun(t, "help")))
	for _, want := range []string{"Exit status", "Key files", "raw secret", "JWK Set", "CERTIFICATE"} {
		assert.Contains(t, full, want)
	}
	for name, flags := range flagsOf {
		t.Run(name, func(t *testing.T) {
			help := ok(t, jwtRun(t, name, "--help"))
			assert.Equal(t, help, ok(t, jwtRun(t, "help", name)))
			assert.Equal(t, help, ok(t, jwtRun(t, name, "-h")))
			assert.True(t, strings.HasPrefix(help, "Usage: jwt "+name), help)
			assert.Contains(t, help, "\nExamples:\n  jwt "+name)
			assert.Contains(t, full, help, "jwt --help holds the help of every command")
			examples := help[strings.Index(help, "\nExamples:\n"):]
			for _, f := range flags {
				assert.Contains(t, help, "\n  --"+f, "flag --%s", f)
				assert.Regexp(t, `--`+f+`(\s|$)`, examples, "an example uses --%s", f)
			}
			assert.Equal(t, len(flags), strings.Count(help, "\n  --"), "every flag is in the test's list")
		})
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	secret := write(t, dir, "secret", bytes.Repeat([]byte("s"), 32))
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{name: "no command", args: nil, want: "no command"},
		{name: "unknown command", args: []string{"frobnicate"}, want: `unknown command "frobnicate"`},
		{name: "help for unknown command", args: []string{"help", "frobnicate"}, want: "unknown command"},
		{name: "unknown flag", args: []string{"verify", "--bogus"}, want: "verify: flag provided but not defined"},
		{name: "bad duration", args: []string{"sign", "--alg", "HS256", "--key", secret, "--exp", "soon", "{}"}, want: "invalid value"},
		{name: "bad time", args: []string{"verify", "--key", secret, "--time", "yesterday", "x.y.z"}, want: "seconds since"},
		{name: "unknown alg", args: []string{"sign", "--alg", "HS999", "--key", secret, "{}"}, want: `unknown algorithm "HS999"`},
		{name: "alg none", args: []string{"verify", "--alg", "none", "--key", secret, "x.y.z"}, want: `unknown algorithm "none"`},
		{name: "no key", args: []string{"sign", "--alg", "HS256", "{}"}, want: "no key file given"},
		{name: "missing key file", args: []string{"verify", "--key", filepath.Join(dir, "nope"), "x.y.z"}, want: "reading key"},
		{name: "leeway too large", args: []string{"verify", "--key", secret, "--leeway", "10m", "x.y.z"}, want: "--leeway 10m0s is outside"},
		{name: "negative leeway", args: []string{"verify", "--key", secret, "--leeway", "-1s", "x.y.z"}, want: "--leeway"},
		{name: "two tokens", args: []string{"verify", "--alg", "HS256", "--key", secret, "a.b.c", "d.e.f"}, want: "too many arguments"},
		{name: "claims not an object", args: []string{"sign", "--alg", "HS256", "--key", secret, "[1]"}, want: "claims: not a JSON object"},
		{name: "claims invalid", args: []string{"sign", "--alg", "HS256", "--key", secret, `{"a":}`}, want: "claims: invalid JSON"},
		{name: "claims trailing data", args: []string{"sign", "--alg", "HS256", "--key", secret, `{"a":1} {}`}, want: "data after"},
		{name: "duplicate claim", args: []string{"sign", "--alg", "HS256", "--key", secret, `{"a":1,"a":2}`}, want: `member "a" appears twice`},
		{name: "invalid exp claim", args: []string{"sign", "--alg", "HS256", "--key", secret, `{"exp":"tomorrow"}`}, want: "signing:"},
		{name: "sign jws with claims flags", args: []string{"sign", "--jws", "--alg", "HS256", "--key", secret, "--exp", "5m", "x"}, want: "--jws"},
		{name: "verify jws with claims flags", args: []string{"verify", "--jws", "--alg", "HS256", "--key", secret, "--iss", "a", "x.y.z"}, want: "--iss checks claims"},
		{name: "keygen without alg", args: []string{"keygen"}, want: "--alg is required"},
		{name: "keygen bad format", args: []string{"keygen", "--alg", "ES256", "--format", "der"}, want: "--format"},
		{name: "keygen HS as PEM", args: []string{"keygen", "--alg", "HS256", "--format", "pem"}, want: "no PEM form"},
		{name: "keygen PEM with kid", args: []string{"keygen", "--alg", "ES256", "--format", "pem", "--kid", "k"}, want: "--kid"},
		{name: "keygen small RSA", args: []string{"keygen", "--alg", "RS256", "--bits", "1024"}, want: "--bits 1024 is outside"},
		{name: "keygen bits for EC", args: []string{"keygen", "--alg", "ES256", "--bits", "2048"}, want: "--bits is for RS"},
		{name: "thumbprint argument", args: []string{"thumbprint", "--key", secret, "extra"}, want: "unexpected argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fails(t, jwtRun(t, tc.args...), 2, tc.want)
		})
	}
	t.Run("empty stdin", func(t *testing.T) {
		fails(t, jwtIn(t, " \n", "verify", "--alg", "HS256", "--key", secret), 2, "no token given")
		fails(t, jwtIn(t, "", "decode"), 2, "no token given")
		fails(t, jwtIn(t, "", "sign", "--alg", "HS256", "--key", secret), 2, "claims: none given")
	})
	t.Run("stdin is a device", func(t *testing.T) {
		// As on a terminal, jwt does not wait for input from /dev/null.
		for _, args := range [][]string{
			{"sign", "--alg", "HS256", "--key", secret},
			{"sign", "--jws", "--alg", "HS256", "--key", secret},
			{"verify", "--alg", "HS256", "--key", secret},
			{"decode"},
		} {
			cmd := exec.Command(bin, args...) // Stdin nil: /dev/null
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			require.Error(t, err)
			assert.Equal(t, 2, cmd.ProcessState.ExitCode())
			assert.Regexp(t, `^jwt: no (claims|token) given, as an argument or on standard input\n$`, stderr.String())
		}
	})
}

// TestRoundTrip signs the example claims with every algorithm, with a key
// made by keygen, and verifies the token with the public key.
func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, alg := range allAlgorithms {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			key := keygen(t, dir, alg+".jwk", append([]string{"--alg", alg}, rsaArgs(alg)...)...)
			pub := key + ".pub"
			if alg[0] == 'H' {
				assert.NoFileExists(t, pub, "a secret has no public form")
				pub = key
			}
			token := strings.TrimSuffix(ok(t, jwtIn(t, exampleClaims, "sign", "--key", key, "--iat", "--exp", "5m")), "\n")
			require.Equal(t, 2, strings.Count(token, "."), token)

			var header map[string]any
			seg, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[0])
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(seg, &header))
			assert.Equal(t, alg, header["alg"])
			assert.Equal(t, "JWT", header["typ"])

			out := ok(t, jwtRun(t, "verify", "--key", pub, token))
			var claims map[string]any
			require.NoError(t, json.Unmarshal([]byte(out), &claims), out)
			assert.Equal(t, "John Doe", claims["name"])
			assert.Equal(t, true, claims["admin"])
			assert.InDelta(t, float64(time.Now().Unix()+300), claims["exp"], 60)
			assert.True(t, strings.HasPrefix(out, exampleClaims[:len(exampleClaims)-1]+`,"iat":`), "claims keep their order: %s", out)

			// The same key with --alg given explicitly, and the private key.
			ok(t, jwtRun(t, "verify", "--alg", alg, "--key", key, token))
			// A changed signature is rejected.
			dot := strings.LastIndexByte(token, '.')
			c := byte('A')
			if token[dot+1] == 'A' {
				c = 'B'
			}
			bad := token[:dot+1] + string(c) + token[dot+2:]
			fails(t, jwtRun(t, "verify", "--key", pub, bad), 1, "jwt: token rejected: ")
		})
	}
}

func TestKeygen(t *testing.T) {
	dir := t.TempDir()
	t.Run("JWK files", func(t *testing.T) {
		key := filepath.Join(dir, "es.jwk")
		r := jwtRun(t, "keygen", "--alg", "ES384", "--out", key)
		ok(t, r)
		assert.Contains(t, r.stderr, "es.jwk.pub")
		st, err := os.Stat(key)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "a private key is readable by its owner only")
		var priv, pub map[string]any
		require.NoError(t, json.Unmarshal(readFileT(t, key), &priv))
		require.NoError(t, json.Unmarshal(readFileT(t, key+".pub"), &pub))
		assert.Equal(t, "ES384", priv["alg"])
		assert.Equal(t, "sig", priv["use"])
		assert.Equal(t, "P-384", priv["crv"])
		assert.NotEmpty(t, priv["d"])
		assert.NotContains(t, pub, "d", "the public key has no private member")
		assert.Equal(t, priv["kid"], pub["kid"])
		// The default kid is the RFC 7638 thumbprint.
		assert.Equal(t, priv["kid"].(string)+"\n", ok(t, jwtRun(t, "thumbprint", "--key", key)))
		assert.Equal(t, priv["kid"].(string)+"\n", ok(t, jwtRun(t, "thumbprint", "--key", key+".pub")))

		// Files are not replaced without --force.
		fails(t, jwtRun(t, "keygen", "--alg", "ES384", "--out", key), 2, "exists", "--force")
		require.NoError(t, os.Chmod(key, 0o644))
		ok(t, jwtRun(t, "keygen", "--alg", "ES384", "--out", key, "--force"))
		st, err = os.Stat(key)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
		var priv2 map[string]any
		require.NoError(t, json.Unmarshal(readFileT(t, key), &priv2))
		assert.NotEqual(t, priv["d"], priv2["d"], "--force made a new key")
	})
	t.Run("stdout", func(t *testing.T) {
		out := ok(t, jwtRun(t, "keygen", "--alg", "HS384", "--kid", "k-1"))
		var k map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &k))
		assert.Equal(t, map[string]any{"kty": "oct", "kid": "k-1", "use": "sig", "alg": "HS384", "k": k["k"]}, k)
		secret, err := base64.RawURLEncoding.DecodeString(k["k"].(string))
		require.NoError(t, err)
		assert.Len(t, secret, 48)
		// HS keys get no thumbprint kid by default.
		out = ok(t, jwtRun(t, "keygen", "--alg", "HS256"))
		assert.NotContains(t, out, `"kid"`)
		// --kid "" leaves the kid out.
		out = ok(t, jwtRun(t, "keygen", "--alg", "EdDSA", "--kid", ""))
		assert.NotContains(t, out, `"kid"`)
	})
	t.Run("PEM", func(t *testing.T) {
		key := keygen(t, dir, "ed.pem", "--alg", "EdDSA", "--format", "pem")
		assert.True(t, bytes.HasPrefix(readFileT(t, key), []byte("-----BEGIN PRIVATE KEY-----\n")))
		assert.True(t, bytes.HasPrefix(readFileT(t, key+".pub"), []byte("-----BEGIN PUBLIC KEY-----\n")))
		out := ok(t, jwtRun(t, "keygen", "--alg", "ES256", "--format", "pem"))
		assert.True(t, strings.HasPrefix(out, "-----BEGIN PRIVATE KEY-----\n"), out)
	})
}

func TestKeyFormats(t *testing.T) {
	dir := t.TempDir()
	claims := `{"sub":"x"}`
	sign := func(t *testing.T, args ...string) string {
		t.Helper()
		args = append([]string{"sign", "--exp", "5m"}, args...)
		return strings.TrimSpace(ok(t, jwtRun(t, append(args, claims)...)))
	}
	verifies := func(t *testing.T, token string, args ...string) {
		t.Helper()
		out := ok(t, jwtRun(t, append(append([]string{"verify"}, args...), token)...))
		assert.True(t, strings.HasPrefix(out, `{"sub":"x","exp":`), out)
	}

	t.Run("PEM PKCS8 and PKIX", func(t *testing.T) {
		key := keygen(t, dir, "p8.pem", "--alg", "EdDSA", "--format", "pem")
		// An Ed25519 key fits EdDSA only, so --alg may be left out.
		verifies(t, sign(t, "--key", key), "--key", key+".pub")
		token := sign(t, "--alg", "EdDSA", "--key", key, "--kid", "ed-1")
		verifies(t, token, "--alg", "EdDSA", "--key", key+".pub")
		verifies(t, token, "--alg", "EdDSA", "--key", key) // the public part of a private key
		verifies(t, token, "--alg", "EdDSA", "--key", key+".pub", "--kid", "ed-1")
		fails(t, jwtRun(t, "verify", "--alg", "EdDSA", "--key", key+".pub", "--kid", "other", token), 1, "key not found")
		fails(t, jwtRun(t, "sign", "--alg", "EdDSA", "--key", key+".pub", claims), 2, "PEM public key", "cannot sign")
	})

	t.Run("PEM PKCS1", func(t *testing.T) {
		p8 := keygen(t, dir, "rsa.pem", "--alg", "PS256", "--format", "pem", "--bits", "2048")
		block, _ := pem.Decode(readFileT(t, p8))
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		require.NoError(t, err)
		rk := k.(*rsa.PrivateKey)
		priv := write(t, dir, "rsa1.pem", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rk)}))
		pub := write(t, dir, "rsa1.pub.pem", pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&rk.PublicKey)}))
		for _, alg := range []string{"RS256", "PS256"} {
			token := sign(t, "--alg", alg, "--key", priv)
			verifies(t, token, "--alg", alg, "--key", pub)
			verifies(t, token, "--alg", alg, "--key", p8+".pub")
		}
		// An RSA key fits six algorithms: --alg is needed.
		fails(t, jwtRun(t, "sign", "--key", priv, claims), 2, "no algorithm", "--alg", "RS256, RS384, RS512, PS256, PS384, PS512")
		fails(t, jwtRun(t, "verify", "--key", pub, "x.y.z"), 2, "no algorithm", "--alg")
		// An RSA key cannot be used for ES256: exit 2, before any token is read.
		fails(t, jwtRun(t, "sign", "--alg", "ES256", "--key", priv, claims), 2, "PEM private key", "cannot be used with ES256")
		fails(t, jwtRun(t, "verify", "--alg", "ES256", "--key", pub, "x.y.z"), 2, "cannot be used with ES256")
	})

	var ecKey *ecdsa.PrivateKey
	t.Run("PEM SEC1 with EC PARAMETERS", func(t *testing.T) {
		p8 := keygen(t, dir, "ec.pem", "--alg", "ES256", "--format", "pem")
		block, _ := pem.Decode(readFileT(t, p8))
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		require.NoError(t, err)
		ecKey = k.(*ecdsa.PrivateKey)
		der, err := x509.MarshalECPrivateKey(ecKey)
		require.NoError(t, err)
		params := pem.EncodeToMemory(&pem.Block{Type: "EC PARAMETERS", Bytes: []byte{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}}) // prime256v1, as openssl ecparam writes it
		sec1 := write(t, dir, "sec1.pem", append(params, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})...))
		token := sign(t, "--alg", "ES256", "--key", sec1)
		verifies(t, token, "--alg", "ES256", "--key", p8+".pub")
		fails(t, jwtRun(t, "verify", "--alg", "ES384", "--key", p8+".pub", token), 2, "cannot be used with ES384")
	})

	t.Run("X.509 certificate", func(t *testing.T) {
		require.NotNil(t, ecKey)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1),
			Subject:      pkix.Name{CommonName: "jwt test"},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(time.Hour),
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &ecKey.PublicKey, ecKey)
		require.NoError(t, err)
		certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
		cert := write(t, dir, "cert.pem", certPEM)
		chain := write(t, dir, "chain.pem", append(append([]byte(nil), certPEM...), certPEM...))
		token := sign(t, "--alg", "ES256", "--key", filepath.Join(dir, "sec1.pem"))
		verifies(t, token, "--alg", "ES256", "--key", cert)
		verifies(t, token, "--alg", "ES256", "--key", chain) // the first certificate's key
		fails(t, jwtRun(t, "sign", "--alg", "ES256", "--key", cert, claims), 2, "X.509 certificate", "cannot sign")
		tp := ok(t, jwtRun(t, "thumbprint", "--key", cert))
		assert.Equal(t, tp, ok(t, jwtRun(t, "thumbprint", "--key", filepath.Join(dir, "ec.pem.pub"))))
	})

	t.Run("raw secret", func(t *testing.T) {
		raw := make([]byte, 64)
		rand.Read(raw)
		raw[0], raw[1] = 0xff, 0x01 // not a byte-order mark, JSON or DER: unambiguously raw
		secret := write(t, dir, "secret.bin", raw)
		for _, alg := range []string{"HS256", "HS384", "HS512"} {
			token := sign(t, "--alg", alg, "--key", secret)
			verifies(t, token, "--alg", alg, "--key", secret)
		}
		// The bytes are used exactly as they are: a trailing newline counts.
		text := write(t, dir, "text.secret", []byte("correct horse battery staple, 32+\n"))
		token := sign(t, "--alg", "HS256", "--key", text)
		trimmed := write(t, dir, "trimmed.secret", []byte("correct horse battery staple, 32+"))
		fails(t, jwtRun(t, "verify", "--alg", "HS256", "--key", trimmed, token), 1, "invalid signature")
		verifies(t, token, "--alg", "HS256", "--key", text)
		// The token's alg must be the key's: never the other way round.
		hs256 := sign(t, "--alg", "HS256", "--key", secret)
		fails(t, jwtRun(t, "verify", "--alg", "HS512", "--key", secret, hs256), 1,
			`jwt: token rejected: algorithm mismatch: token has alg "HS256", key is bound to "HS512"`)
		fails(t, jwtRun(t, "sign", "--alg", "RS256", "--key", secret, claims), 2, "raw secret", "not RS256")
		fails(t, jwtRun(t, "verify", "--key", secret, token), 2, "no algorithm", "--alg")
	})

	t.Run("JWK Set", func(t *testing.T) {
		k1 := keygen(t, dir, "set1.jwk", "--alg", "ES256")
		k2 := keygen(t, dir, "set2.jwk", "--alg", "ES256")
		k3 := keygen(t, dir, "set3.jwk", "--alg", "EdDSA")
		other := keygen(t, dir, "other.jwk", "--alg", "ES256")
		set := func(name string, files ...string) string {
			var keys []json.RawMessage
			for _, f := range files {
				keys = append(keys, bytes.TrimSpace(readFileT(t, f)))
			}
			b, err := json.Marshal(map[string]any{"keys": keys})
			require.NoError(t, err)
			return write(t, dir, name, b)
		}
		pubs := set("jwks.json", k1+".pub", k2+".pub", k3+".pub")
		privs := set("private-jwks.json", k1, k2, k3)
		kid := func(f string) string {
			var k struct{ Kid string }
			require.NoError(t, json.Unmarshal(readFileT(t, f), &k))
			return k.Kid
		}

		// The token's kid chooses the key.
		for _, k := range []string{k1, k2, k3} {
			verifies(t, sign(t, "--key", k), "--key", pubs)
		}
		// --kid chooses the key; a token naming another kid is rejected.
		t1 := sign(t, "--key", k1)
		verifies(t, t1, "--key", pubs, "--kid", kid(k1))
		fails(t, jwtRun(t, "verify", "--key", pubs, "--kid", kid(k2), t1), 1, "token rejected", "key not found")
		fails(t, jwtRun(t, "verify", "--key", pubs, "--kid", "nope", t1), 2, `no key with kid "nope"`)
		// A kid the set does not hold.
		fails(t, jwtRun(t, "verify", "--key", pubs, sign(t, "--key", other)), 1, "token rejected", "key not found", kid(other))
		// --alg leaves out the keys bound to other algorithms: a token
		// naming one is rejected (the token chose the key: issue 10 item 5),
		// a set with no key for --alg is the operator's error.
		fails(t, jwtRun(t, "verify", "--key", pubs, "--alg", "EdDSA", t1), 1, "key not found", `alg "ES256"`)
		fails(t, jwtRun(t, "verify", "--key", pubs, "--alg", "RS256", t1), 2, "no key of the JWK Set", "--alg RS256")
		// --kid chooses a key, and then --alg that disagrees with its alg is the operator's error.
		fails(t, jwtRun(t, "verify", "--key", pubs, "--kid", kid(k1), "--alg", "EdDSA", t1), 2, "disagrees")

		// A token without kid: every key bound to its algorithm is tried.
		pemKey := keygen(t, dir, "nokid.pem", "--alg", "ES256", "--format", "pem")
		noKID := sign(t, "--alg", "ES256", "--key", pemKey)
		fails(t, jwtRun(t, "verify", "--key", pubs, noKID), 1, "invalid signature")
		withPEM := strings.Replace(string(readFileT(t, pubs)), `{"keys":[`, `{"keys":[`+jwkOf(t, pemKey+".pub")+`,`, 1)
		verifies(t, noKID, "--key", write(t, dir, "jwks-with-pem.json", []byte(withPEM)))

		// Signing with a set needs --kid unless it has one key.
		fails(t, jwtRun(t, "sign", "--key", privs, claims), 2, "holds 3 keys", "--kid")
		token := sign(t, "--key", privs, "--kid", kid(k2))
		verifies(t, token, "--key", k2+".pub")
		fails(t, jwtRun(t, "sign", "--key", pubs, "--kid", kid(k2), claims), 2, "public key", "cannot sign")
		one := set("one.json", k3)
		verifies(t, sign(t, "--key", one), "--key", k3+".pub")
		assert.Equal(t, kid(k3)+"\n", ok(t, jwtRun(t, "thumbprint", "--key", one)))
		fails(t, jwtRun(t, "thumbprint", "--key", pubs), 2, "--kid")
		assert.Equal(t, kid(k2)+"\n", ok(t, jwtRun(t, "thumbprint", "--key", pubs, "--kid", kid(k2))))
	})

	t.Run("JWK kid and alg", func(t *testing.T) {
		key := keygen(t, dir, "named.jwk", "--alg", "ES256", "--kid", "mine")
		token := sign(t, "--key", key)
		verifies(t, token, "--key", key+".pub", "--kid", "mine")
		// --kid on sign sets the header kid, in place of the key's own.
		yours := sign(t, "--key", key, "--kid", "yours")
		assert.Contains(t, ok(t, jwtRun(t, "decode", yours)), `"kid":"yours"`)
		fails(t, jwtRun(t, "verify", "--key", key+".pub", yours), 1, "key not found", `token has kid "yours"`)
		noKid := sign(t, "--key", key, "--kid", "")
		assert.NotContains(t, ok(t, jwtRun(t, "decode", noKid)), `"kid"`)
		verifies(t, noKid, "--key", key+".pub")
		// On verify, a --kid that disagrees with the key's own is an error.
		fails(t, jwtRun(t, "verify", "--key", key+".pub", "--kid", "yours", token), 2, "disagrees")
		fails(t, jwtRun(t, "sign", "--alg", "ES384", "--key", key, claims), 2, `--alg ES384 disagrees with the "alg" "ES256"`)
		fails(t, jwtRun(t, "verify", "--alg", "ES384", "--key", key+".pub", token), 2, "disagrees")
	})

	t.Run("unusable keys", func(t *testing.T) {
		short := write(t, dir, "short.secret", []byte("sixteen byte key"))
		r := jwtRun(t, "sign", "--alg", "HS256", "--key", short, claims)
		fails(t, r, 2, "cannot be used with HS256", "16 bytes")
		assert.NotContains(t, r.stderr, "sixteen")
		fails(t, jwtRun(t, "verify", "--alg", "HS256", "--key", short, "x.y.z"), 2, "16 bytes")

		jsonSecret := write(t, dir, "bad.jwk", []byte(`{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA",}`))
		r = jwtRun(t, "sign", "--alg", "HS256", "--key", jsonSecret, claims)
		fails(t, r, 2, "not valid JSON")
		assert.NotContains(t, r.stderr, "c2Vj")

		encrypted := write(t, dir, "enc.pem", pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{0x30, 0}}))
		fails(t, jwtRun(t, "sign", "--alg", "ES256", "--key", encrypted, claims), 2, "encrypted", "decrypt it first")
		other := write(t, dir, "csr.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: []byte{0x30, 0}}))
		fails(t, jwtRun(t, "verify", "--alg", "ES256", "--key", other, "x.y.z"), 2, `"CERTIFICATE REQUEST"`)
		encJWK := write(t, dir, "enc.jwk", []byte(`{"kty":"oct","use":"enc","alg":"HS256","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"}`))
		fails(t, jwtRun(t, "sign", "--key", encJWK, claims), 2, `use "enc"`)
		fails(t, jwtRun(t, "sign", "--key", dir, claims), 2, "reading key")
	})
}

// jwkOf returns the public JWK of a PEM public key, bound to ES256, made
// with the standard library.
func jwkOf(t *testing.T, pemFile string) string {
	block, _ := pem.Decode(readFileT(t, pemFile))
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	require.NoError(t, err)
	pub := k.(*ecdsa.PublicKey)
	point, err := pub.Bytes()
	require.NoError(t, err)
	enc := base64.RawURLEncoding.EncodeToString
	return fmt.Sprintf(`{"kty":"EC","crv":"P-256","alg":"ES256","x":%q,"y":%q}`, enc(point[1:33]), enc(point[33:]))
}

func TestVerifyClaims(t *testing.T) {
	dir := t.TempDir()
	key := keygen(t, dir, "hs.jwk", "--alg", "HS256")
	sign := func(claims string, args ...string) string {
		t.Helper()
		args = append([]string{"sign", "--key", key, "--time", tFlag}, args...)
		return strings.TrimSpace(ok(t, jwtRun(t, append(args, claims)...)))
	}
	full := sign(`{"iss":"https://issuer.example","sub":"alice","aud":["api","web"],"jti":"1"}`, "--iat", "--exp", "5m", "--nbf", "-1m")
	noExp := sign(`{"sub":"alice"}`)
	later := sign(`{"sub":"alice"}`, "--nbf", "1m", "--exp", "5m")
	futureIat := sign(`{"sub":"alice","iat":`+at(3600)+`}`, "--exp", "2h")
	atJWT := sign(`{"sub":"alice"}`, "--typ", "at+jwt", "--exp", "5m")

	for _, tc := range []struct {
		name  string
		token string
		args  []string
		want  string // "" for valid, else the start of the rejection reason
	}{
		{name: "valid", token: full, args: []string{"--aud", "api", "--iss", "https://issuer.example", "--sub", "alice", "--require", "jti,iat"}},
		{name: "any of several audiences", token: full, args: []string{"--aud", "other", "--aud", "web"}},
		{name: "ignore aud", token: full, args: []string{"--ignore-aud"}},
		{name: "aud not expected", token: full, args: nil, want: `audience mismatch: token has aud ["api", "web"] and no audience is expected`},
		{name: "wrong aud", token: full, args: []string{"--aud", "other"}, want: "audience mismatch"},
		{name: "wrong iss", token: full, args: []string{"--ignore-aud", "--iss", "https://evil.example"}, want: "issuer mismatch"},
		{name: "wrong sub", token: full, args: []string{"--ignore-aud", "--sub", "bob"}, want: "subject mismatch"},
		{name: "missing claim", token: full, args: []string{"--ignore-aud", "--require", "nonce"}, want: `missing required claim: "nonce"`},
		{name: "expired", token: full, args: []string{"--ignore-aud", "--time", at(300)}, want: "token is expired: exp 2023-11-14T22:18:20Z"},
		{name: "expired within leeway", token: full, args: []string{"--ignore-aud", "--time", at(310), "--leeway", "30s"}},
		{name: "exp required", token: noExp, args: nil, want: "missing required claim: \"exp\""},
		{name: "no exp allowed", token: noExp, args: []string{"--no-exp"}},
		{name: "not yet valid", token: later, args: nil, want: "token is not valid yet"},
		{name: "nbf within leeway", token: later, args: []string{"--leeway", "1m"}},
		{name: "iat in the future", token: futureIat, args: []string{"--check-iat"}, want: "token used before issued"},
		{name: "iat not checked", token: futureIat},
		{name: "typ", token: atJWT, args: []string{"--typ", "application/at+jwt"}},
		{name: "wrong typ", token: full, args: []string{"--ignore-aud", "--typ", "at+jwt"}, want: `type mismatch: token has typ "JWT", want "at+jwt"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"verify", "--key", key, "--time", tFlag}, tc.args...)
			r := jwtRun(t, append(args, tc.token)...)
			if tc.want == "" {
				out := ok(t, r)
				assert.True(t, json.Valid([]byte(out)), out)
				assert.Empty(t, r.stderr)
				return
			}
			fails(t, r, 1, "jwt: token rejected: "+tc.want)
		})
	}
	t.Run("current time", func(t *testing.T) {
		// Without --time the real clock applies, and the token of 2023 is expired.
		fails(t, jwtRun(t, "verify", "--key", key, "--ignore-aud", full), 1, "jwt: token rejected: token is expired")
	})
	t.Run("every failure on one line", func(t *testing.T) {
		r := jwtRun(t, "verify", "--key", key, "--time", at(1000), "--iss", "x", "--sub", "y", full)
		fails(t, r, 1, "token is expired", "issuer mismatch", "subject mismatch", "audience mismatch", "; ")
		assert.Equal(t, 1, strings.Count(r.stderr, "jwt:"), r.stderr)
	})
	t.Run("claims of sign", func(t *testing.T) {
		out := ok(t, jwtRun(t, "verify", "--key", key, "--time", tFlag, "--ignore-aud", full))
		assert.Equal(t, `{"iss":"https://issuer.example","sub":"alice","aud":["api","web"],"jti":"1","iat":`+tFlag+`,"nbf":`+at(-60)+`,"exp":`+at(300)+"}\n", out)
		// --iat, --exp and --nbf replace members that are there, in place.
		tok := sign(`{"exp":1,"a":{"b" : [1, 2]},"iat":2}`, "--iat", "--exp", "1m")
		out = ok(t, jwtRun(t, "verify", "--key", key, "--time", tFlag, tok))
		assert.Equal(t, `{"exp":`+at(60)+`,"a":{"b":[1,2]},"iat":`+tFlag+"}\n", out)
	})
}

func TestInput(t *testing.T) {
	dir := t.TempDir()
	key := keygen(t, dir, "ed.jwk", "--alg", "EdDSA")
	pub := key + ".pub"
	fromArg := ok(t, jwtRun(t, "sign", "--key", key, "--time", tFlag, "--exp", "1h", exampleClaims))
	fromStdin := ok(t, jwtIn(t, exampleClaims, "sign", "--key", key, "--time", tFlag, "--exp", "1h"))
	fromDash := ok(t, jwtIn(t, "\n  "+exampleClaims+"\n", "sign", "--key", key, "--time", tFlag, "--exp", "1h", "-"))
	flagsAfter := ok(t, jwtRun(t, "sign", exampleClaims, "--key", key, "--time", tFlag, "--exp", "1h"))
	// Ed25519 is deterministic, so the same input gives the same token.
	assert.Equal(t, fromArg, fromStdin)
	assert.Equal(t, fromArg, fromDash)
	assert.Equal(t, fromArg, flagsAfter)
	assert.True(t, strings.HasSuffix(fromArg, "\n"))
	assert.Equal(t, 1, strings.Count(fromArg, "\n"))
	token := strings.TrimSpace(fromArg)

	want := `{"sub":"1234567890","name":"John Doe","admin":true,"exp":` + at(3600) + "}\n"
	assert.Equal(t, want, ok(t, jwtRun(t, "verify", "--key", pub, "--time", tFlag, token)))
	assert.Equal(t, want, ok(t, jwtIn(t, "\r\n\t"+token+"\n\n", "verify", "--key", pub, "--time", tFlag)))
	assert.Equal(t, want, ok(t, jwtIn(t, token, "verify", "--key", pub, "--time", tFlag, "-")))
	assert.Equal(t, want, ok(t, jwtRun(t, "verify", token, "--key", pub, "--time", tFlag)))
	assert.Equal(t, want, ok(t, jwtRun(t, "verify", "--key", pub, "--time", tFlag, "--", token)))
	decoded := ok(t, jwtIn(t, token+"\n", "decode"))
	assert.Equal(t, decoded, ok(t, jwtRun(t, "decode", token)))
	assert.Equal(t, decoded, ok(t, jwtIn(t, token, "decode", "-")))
	// Whitespace inside a token is not trimmed.
	fails(t, jwtRun(t, "verify", "--key", pub, "--time", tFlag, token[:10]+" "+token[10:]), 1, "token rejected", "malformed")
}

func TestSignJWS(t *testing.T) {
	dir := t.TempDir()
	key := keygen(t, dir, "es.jwk", "--alg", "ES256")
	for _, payload := range []string{"Payload", "line 1\nline 2\n", `{"not":"checked"}`, ""} {
		token := strings.TrimSpace(ok(t, jwtIn(t, payload, "sign", "--jws", "--key", key, "--typ", "example")))
		assert.Equal(t, payload, ok(t, jwtRun(t, "verify", "--jws", "--key", key+".pub", "--typ", "example", token)))
		if payload == "Payload" {
			fails(t, jwtRun(t, "verify", "--key", key+".pub", token), 1, "token rejected", "malformed")
			fails(t, jwtRun(t, "verify", "--jws", "--key", key+".pub", "--typ", "JWT", token), 1, "type mismatch")
		}
	}
}

// vector is an entry of testdata/rfc_vectors.json.
type vector struct {
	Name               string          `json:"name"`
	Type               string          `json:"type"`
	Alg                string          `json:"alg"`
	Token              string          `json:"token"`
	Key                json.RawMessage `json:"key"`
	PublicKey          json.RawMessage `json:"public_key"`
	ExpectedPayload    string          `json:"expected_payload"`
	ExpectedThumbprint string          `json:"expected_thumbprint"`
	Expect             string          `json:"expect"`
}

func loadVectors(t *testing.T) map[string]vector {
	t.Helper()
	var file struct {
		Source  string   `json:"source"`
		Vectors []vector `json:"vectors"`
	}
	require.NoError(t, json.Unmarshal(readFileT(t, filepath.Join("testdata", "rfc_vectors.json")), &file))
	require.NotEmpty(t, file.Source)
	m := make(map[string]vector)
	for _, v := range file.Vectors {
		m[v.Name] = v
	}
	return m
}

// TestRFCVectors verifies the tokens of RFC 7515 Appendix A, RFC 7520 §4 and
// RFC 8037 through jwt verify, with their published keys.
func TestRFCVectors(t *testing.T) {
	vs := loadVectors(t)
	dir := t.TempDir()
	const before = "1300819000" // before the exp of RFC 7515 A.1-A.3, 1300819380
	for _, tc := range []struct {
		name string
		key  string // the vector whose key to use, if not name's
		args []string
		want string // the output, or for a rejection the reason
		code int
	}{
		{name: "rfc7515-A.1-HS256", args: []string{"--alg", "HS256", "--time", before}, want: `{"iss":"joe","exp":1300819380,"http://example.com/is_root":true}` + "\n"},
		{name: "rfc7515-A.2-RS256", args: []string{"--alg", "RS256", "--time", before}, want: `{"iss":"joe","exp":1300819380,"http://example.com/is_root":true}` + "\n"},
		{name: "rfc7515-A.3-ES256", args: []string{"--alg", "ES256", "--time", before}, want: `{"iss":"joe","exp":1300819380,"http://example.com/is_root":true}` + "\n"},
		{name: "rfc7515-A.4-ES512", args: []string{"--alg", "ES512", "--jws"}, want: "Payload"},
		{name: "rfc7520-4.1-RS256", args: []string{"--alg", "RS256", "--jws"}},
		{name: "rfc7520-4.2-PS384", args: []string{"--alg", "PS384", "--jws"}},
		{name: "rfc7520-4.3-ES512", args: []string{"--alg", "ES512", "--jws"}},
		{name: "rfc7520-4.4-HS256", args: []string{"--jws"}}, // the key's "alg" is HS256
		{name: "rfc8037-A.4-EdDSA-Ed25519", args: []string{"--alg", "EdDSA", "--jws"}},
		// The A.1 token is expired by now, and A.1 at exp itself.
		{name: "rfc7515-A.1-HS256", args: []string{"--alg", "HS256"}, code: 1, want: "jwt: token rejected: token is expired: exp 2011-03-22T18:43:00Z"},
		{name: "rfc7515-A.1-HS256", args: []string{"--alg", "HS256", "--time", "1300819380"}, code: 1, want: "token is expired"},
		{name: "rfc7515-A.3-ES256", args: []string{"--alg", "ES384", "--time", before}, code: 2, want: "cannot be used with ES384"},
		{name: "rfc7515-A.2-RS256", args: []string{"--time", before}, code: 2, want: "no algorithm"},
		// Unsecured and unknown-critical tokens are rejected whatever the key.
		{name: "rfc7515-A.5-unsecured-none", key: "rfc7515-A.1-HS256", args: []string{"--alg", "HS256", "--time", before}, code: 1, want: `unsupported algorithm: "none"`},
		{name: "rfc7515-E-crit-negative", key: "rfc7515-A.1-HS256", args: []string{"--alg", "HS256", "--jws"}, code: 1, want: "unsupported critical header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, found := vs[tc.name]
			require.True(t, found)
			key := v.PublicKey
			if v.Alg[0] == 'H' {
				key = v.Key // a secret has no public form
			}
			if tc.key != "" {
				key = vs[tc.key].Key
			}
			keyFile := write(t, dir, strings.ReplaceAll(t.Name(), "/", "_")+".jwk", key)
			args := append([]string{"verify", "--key", keyFile}, tc.args...)
			r := jwtRun(t, append(args, v.Token)...)
			switch {
			case tc.code != 0:
				fails(t, r, tc.code, tc.want)
			case tc.want != "":
				assert.Equal(t, tc.want, ok(t, r))
			default:
				assert.Equal(t, v.ExpectedPayload, ok(t, r))
			}
		})
	}
	t.Run("A.1 with the key as a raw secret", func(t *testing.T) {
		var k struct{ K string }
		v := vs["rfc7515-A.1-HS256"]
		require.NoError(t, json.Unmarshal(v.Key, &k))
		secret, err := base64.RawURLEncoding.DecodeString(k.K)
		require.NoError(t, err)
		raw := write(t, dir, "a1.secret", secret)
		r := jwtRun(t, "verify", "--alg", "HS256", "--key", raw, "--time", before, v.Token)
		assert.Equal(t, `{"iss":"joe","exp":1300819380,"http://example.com/is_root":true}`+"\n", ok(t, r))
	})
	t.Run("A.1 and A.4 decoded", func(t *testing.T) {
		r := jwtRun(t, "decode", vs["rfc7515-A.1-HS256"].Token)
		assert.Equal(t, `{"header":{"typ":"JWT","alg":"HS256"},"payload":{"iss":"joe","exp":1300819380,"http://example.com/is_root":true}}`+"\n", ok(t, r))
		r = jwtRun(t, "decode", vs["rfc7515-A.4-ES512"].Token)
		assert.Equal(t, `{"header":{"alg":"ES512"},"payload":"Payload"}`+"\n", ok(t, r))
	})
}

func TestDecode(t *testing.T) {
	dir := t.TempDir()
	key := keygen(t, dir, "ed.jwk", "--alg", "EdDSA", "--kid", "k<1>")
	token := strings.TrimSpace(ok(t, jwtRun(t, "sign", "--key", key, "--typ", "at+jwt", `{"sub":"a","n":1.50}`)))
	r := jwtRun(t, "decode", token)
	out := ok(t, r)
	assert.Equal(t, `{"header":{"alg":"EdDSA","kid":"k\u003c1\u003e","typ":"at+jwt"},"payload":{"sub":"a","n":1.50}}`+"\n", out)
	assert.Contains(t, r.stderr, "NOTHING was verified")
	var v struct {
		Header  map[string]any
		Payload map[string]any
	}
	require.NoError(t, json.Unmarshal([]byte(out), &v))
	assert.Equal(t, "k<1>", v.Header["kid"])

	indented := ok(t, jwtRun(t, "decode", "--indent", token))
	assert.Contains(t, indented, "\n  \"header\": {\n")

	// A payload that is not JSON is embedded as a string. The output is
	// jwt's own, the same with every Go release: bytes that are not UTF-8
	// become the escape \ufffd (a real U+FFFD stays a character), and
	// control characters, U+2028 and U+2029 are escaped.
	enc := base64.RawURLEncoding.EncodeToString
	for _, tc := range []struct {
		name, payload, want string
	}{
		{name: "invalid UTF-8", payload: "a\xffb\"", want: `"a\ufffdb\""`},
		{name: "surrogate bytes", payload: "\xed\xa0\x80", want: `"\ufffd\ufffd\ufffd"`},
		{name: "truncated rune", payload: "x\xe2\x82", want: `"x\ufffd\ufffd"`},
		{name: "U+FFFD itself", payload: "a\uFFFDb", want: "\"a\uFFFDb\""},
		{name: "controls", payload: "\x00\b\f\n\r\t\x1b[31m\x7f\u009b\u2028", want: `"\u0000\b\f\n\r\t\u001b[31m\u007f\u009b\u2028"`},
		{name: "html", payload: `<a href="x">&`, want: `"\u003ca href=\"x\"\u003e\u0026"`},
		{name: "text", payload: "Grüße ☃ 😀 \\", want: `"Grüße ☃ 😀 \\"`},
		{name: "JSON with invalid UTF-8", payload: "{\"s\": \"a\xffb\xc3\"}", want: `{"s":"a\ufffdb\ufffd"}`},
		{name: "JSON with controls", payload: "{\"s\":\"\x7f\u0085\u2029\", \"t\":\"\\u001b\"}", want: `{"s":"\u007f\u0085\u2029","t":"\u001b"}`},
		{name: "JSON kept as written", payload: `[1.50e+3, "<\u00e9>", null]`, want: `[1.50e+3,"<\u00e9>",null]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			odd := enc([]byte(`{"alg":"HS256"}`)) + "." + enc([]byte(tc.payload)) + "." + enc([]byte("sig"))
			out := ok(t, jwtRun(t, "decode", odd))
			assert.Equal(t, `{"header":{"alg":"HS256"},"payload":`+tc.want+"}\n", out)
			assert.True(t, json.Valid([]byte(out)), out)
			assert.True(t, utf8.ValidString(out), out)
			indented := ok(t, jwtRun(t, "decode", "--indent", odd))
			assert.True(t, json.Valid([]byte(indented)), indented)
			assert.Contains(t, indented, "\"payload\": "+tc.want[:1])
			var compact bytes.Buffer
			require.NoError(t, json.Compact(&compact, []byte(indented)))
			assert.Equal(t, strings.TrimSuffix(out, "\n"), compact.String())
		})
	}

	// A tampered token still decodes: nothing is checked.
	ok(t, jwtRun(t, "decode", token[:len(token)-4]+"AAAA"))

	for _, bad := range []string{"abc", "a.b", "a.b.c.d", "!!.e30.", enc([]byte("[1]")) + ".e30.", enc([]byte(`{"alg":"HS256","alg":"none"}`)) + ".e30.", "eyJhbGciOiJIUzI1NiJ9=.e30."} {
		fails(t, jwtRun(t, "decode", bad), 1, "malformed token")
	}
	fails(t, jwtRun(t, "decode", strings.Repeat("a", 9000)+".b.c"), 1, "too large")
}

func TestVersion(t *testing.T) {
	out := ok(t, jwtRun(t, "--version"))
	for _, args := range [][]string{{"version"}, {"-version"}} {
		r := jwtRun(t, args...)
		assert.Equal(t, out, ok(t, r), "jwt %v", args)
		assert.Empty(t, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	// TestMain builds from this checkout: no module version, and the Go
	// release is the one running the test (go test puts its go first in PATH).
	assert.Equal(t, "jwt (devel)", lines[0])
	assert.Equal(t, "go: "+runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH, lines[len(lines)-1])
	for _, l := range lines[1 : len(lines)-1] {
		assert.Regexp(t, `^(revision: [0-9a-f]{40}( \(modified\))?|time: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$`, l)
	}
	fails(t, jwtRun(t, "version", "extra"), 2, "version takes no arguments")
	assert.True(t, strings.HasPrefix(ok(t, jwtRun(t, "version", "--help")), "Usage: jwt version\n"))
}

func TestVersionText(t *testing.T) {
	platform := " " + runtime.GOOS + "/" + runtime.GOARCH + "\n"
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{name: "no build info", bi: nil, want: "jwt (unknown)\ngo: " + runtime.Version() + platform},
		{name: "checkout without VCS", bi: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/jwtkit/jwt", Version: "(devel)"}},
			want: "jwt (devel)\ngo: go1.26.8" + platform},
		{name: "checkout with VCS", bi: &debug.BuildInfo{GoVersion: "go1.27.3", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "-buildmode", Value: "exe"},
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
			{Key: "vcs.time", Value: "2026-11-30T12:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		}}, want: "jwt (devel)\nrevision: 0123456789abcdef0123456789abcdef01234567 (modified)\ntime: 2026-11-30T12:00:00Z\ngo: go1.27.3" + platform},
		{name: "clean checkout", bi: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.1.1-0.20261130120000-0123456789ab"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
			{Key: "vcs.modified", Value: "false"},
		}}, want: "jwt v0.1.1-0.20261130120000-0123456789ab\nrevision: 0123456789abcdef0123456789abcdef01234567\ngo: go1.26.8" + platform},
		{name: "go install", bi: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/jwtkit/jwt", Version: "v0.1.0", Sum: "h1:x"}},
			want: "jwt v0.1.0\ngo: go1.26.8" + platform},
		{name: "control characters", bi: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1\n\x1b[2J"}},
			want: "jwt v1\\n\\x1b[2J\ngo: go1.26.8" + platform},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, versionText(tc.bi))
		})
	}
}

func TestThumbprint(t *testing.T) {
	vs := loadVectors(t)
	dir := t.TempDir()
	for _, name := range []string{"rfc7638-3.1-RSA-thumbprint", "rfc8037-A.3-Ed25519-thumbprint"} {
		t.Run(name, func(t *testing.T) {
			v := vs[name]
			key := write(t, dir, name+".jwk", v.Key)
			assert.Equal(t, v.ExpectedThumbprint+"\n", ok(t, jwtRun(t, "thumbprint", "--key", key)))
		})
	}
	t.Run("RFC 8037 private key", func(t *testing.T) {
		// The private key of RFC 8037 A.1 has the thumbprint of its public key (A.3).
		key := write(t, dir, "8037.jwk", vs["rfc8037-A.4-EdDSA-Ed25519"].Key)
		assert.Equal(t, vs["rfc8037-A.3-Ed25519-thumbprint"].ExpectedThumbprint+"\n", ok(t, jwtRun(t, "thumbprint", "--key", key)))
	})
	t.Run("PEM and JWK agree", func(t *testing.T) {
		pemKey := keygen(t, dir, "es.pem", "--alg", "ES512", "--format", "pem")
		tp := ok(t, jwtRun(t, "thumbprint", "--key", pemKey))
		assert.Equal(t, tp, ok(t, jwtRun(t, "thumbprint", "--key", pemKey+".pub")))
		assert.Len(t, strings.TrimSpace(tp), 43)
	})
	t.Run("raw secret", func(t *testing.T) {
		secret := write(t, dir, "s.bin", []byte("0123456789abcdef0123456789abcdef"))
		// {"k":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY","kty":"oct"}
		tp := ok(t, jwtRun(t, "thumbprint", "--key", secret))
		assert.Len(t, strings.TrimSpace(tp), 43)
		assert.NotContains(t, tp, "MDEy")
	})
}

// quickstart is the first command of the README, run from the module root.
const quickstart = `d=$(mktemp -d) && go build -o "$d/jwt" ./cmd/jwt && "$d/jwt" keygen --alg EdDSA --out "$d/key.jwk" && echo '{"sub":"1234567890","name":"John Doe","admin":true}' | "$d/jwt" sign --key "$d/key.jwk" --exp 5m | "$d/jwt" verify --key "$d/key.jwk.pub"`

func TestQuickstart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command again")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	require.Contains(t, string(readme), "\n"+quickstart+"\n", "the README's quickstart must be the line tested here")
	cmd := exec.Command(sh, "-c", quickstart)
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(os.Environ(), "TMPDIR="+t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), stderr.String())
	assert.Regexp(t, `^\{"sub":"1234567890","name":"John Doe","admin":true,"exp":\d{10}\}\n$`, stdout.String())
	assert.Regexp(t, `^jwt: wrote the EdDSA private key to .*key\.jwk and its public key to .*key\.jwk\.pub\n$`, stderr.String())
}

// TestOneLineErrors feeds odd input everywhere: every failure is one line
// starting with "jwt:", and never a stack trace.
func TestOneLineErrors(t *testing.T) {
	dir := t.TempDir()
	key := keygen(t, dir, "hs.jwk", "--alg", "HS512")
	enc := base64.RawURLEncoding.EncodeToString
	for i, token := range []string{
		".", "..", "...", "a.b.", enc([]byte(`{"alg":"HS512"}`)) + "..",
		enc([]byte(`{"alg":"HS512","kid":"a\nb"}`)) + ".e30.AAAA",
		enc([]byte(`{"alg":"HS512","crit":["x"],"x":1}`)) + ".e30.AAAA",
		enc([]byte(`{"alg":"HS512","b64":false}`)) + ".e30.AAAA",
		enc([]byte(`{"alg":"HS256"}`)) + ".e30.AAAA",
		enc([]byte(`{"alg":"HS512"}`)) + "." + enc([]byte("\x00\x01")) + ".AAAA",
		"\x01.\x02.\x03", strings.Repeat(".", 100), "a\xff.b.c",
	} {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			fails(t, jwtRun(t, "verify", "--key", key, token), 1, "jwt: token rejected: ")
			fails(t, jwtIn(t, token+"\x00", "verify", "--key", key), 1, "jwt: token rejected: ")
		})
	}
	// A kid with a newline in a JWK Set lookup is escaped in the message.
	set := write(t, dir, "set.json", []byte(`{"keys":[`+strings.TrimSpace(string(readFileT(t, key)))+`]}`))
	ss := write(t, dir, "set2.json", []byte(strings.Replace(string(readFileT(t, set)), `"kty"`, `"kid":"x","kty"`, 1)))
	tok := enc([]byte(`{"alg":"HS512","kid":"a\nb"}`)) + ".e30.AAAA"
	fails(t, jwtRun(t, "verify", "--key", ss, tok), 1, `a\nb`)
}
