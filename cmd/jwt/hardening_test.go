package main

// Tests for the findings of issue 10 that concern jwt: each has a test for
// the finding itself and one for the class of bug behind it.

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/fips140"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var b64 = base64.RawURLEncoding.EncodeToString

// jwtInProcess runs jwt's run function in the test's process, as main
// does, for the tests that run jwt thousands of times; the others run the
// binary.
func jwtInProcess(stdin string, args ...string) result {
	var stdout, stderr bytes.Buffer
	code := run(args, &env{stdin: strings.NewReader(stdin), stdout: &stdout, stderr: &stderr})
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// hmacToken returns a compact JWS of header and payload signed with
// HMAC-SHA-256 under secret, made without jwt.
func hmacToken(secret []byte, header, payload string) string {
	input := b64([]byte(header)) + "." + b64([]byte(payload))
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(input))
	return input + "." + b64(m.Sum(nil))
}

// octThumbprint is the RFC 7638 thumbprint of secret as a JWK of kty "oct".
func octThumbprint(secret []byte) string {
	sum := sha256.Sum256([]byte(`{"k":"` + b64(secret) + `","kty":"oct"}`))
	return b64(sum[:])
}

// TestKeyFileBOM is the finding of issue 10 item 4: a public RSA JWK saved
// with a UTF-8 byte-order mark was read as a raw HMAC secret, so anyone
// holding the public key could sign and verify HS256 tokens with it.
func TestKeyFileBOM(t *testing.T) {
	dir := t.TempDir()
	key := keygen(t, dir, "rs.jwk", "--alg", "RS256", "--bits", "2048")
	// The worst case: a public JWK without "alg", so no "alg" disagrees with --alg HS256.
	public := []byte("\xef\xbb\xbf" + withMembers(t, key+".pub", "", "alg"))
	bom := write(t, dir, "bom.jwk", public)

	forged := hmacToken(public, `{"alg":"HS256"}`, `{"sub":"mallory"}`)
	fails(t, jwtRun(t, "verify", "--alg", "HS256", "--no-exp", "--key", bom, forged), 2, "cannot be used with HS256")
	fails(t, jwtRun(t, "sign", "--alg", "HS256", "--key", bom, `{"sub":"mallory"}`), 2, "public key", "cannot sign")
	fails(t, jwtRun(t, "verify", "--alg", "HS256", "--no-exp", "--secret-file", bom, forged), 2, "JWK", "--key")

	// The file is the JWK it is, byte-order mark or not.
	token := strings.TrimSpace(ok(t, jwtRun(t, "sign", "--key", key, "--exp", "5m", `{"sub":"x"}`)))
	ok(t, jwtRun(t, "verify", "--alg", "RS256", "--key", bom, token))
	assert.Equal(t, ok(t, jwtRun(t, "thumbprint", "--key", key)), ok(t, jwtRun(t, "thumbprint", "--key", bom)))
}

// TestKeyFileTypeConfusion is the class of issue 10 item 4: a file that is
// not unambiguously a raw secret is never used as an HMAC secret through
// --key, and a file that is certainly a key is refused by --secret-file too.
func TestKeyFileTypeConfusion(t *testing.T) {
	dir := t.TempDir()
	ed := keygen(t, dir, "ed.jwk", "--alg", "EdDSA")
	edPEM := keygen(t, dir, "ed.pem", "--alg", "EdDSA", "--format", "pem")
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	pkix, err := x509.MarshalPKIXPublicKey(&ecKey.PublicKey)
	require.NoError(t, err)
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	// An OpenSSH public key line: "ssh-ed25519 " and the wire form.
	wire := binary.BigEndian.AppendUint32(nil, 11)
	wire = append(wire, "ssh-ed25519"...)
	wire = binary.BigEndian.AppendUint32(wire, 32)
	wire = append(wire, edPub...)
	sshPub := "ssh-ed25519 " + base64.StdEncoding.EncodeToString(wire) + " alice@example\n"
	openssh := pem.EncodeToMemory(&pem.Block{Type: "OPENSSH PRIVATE KEY", Bytes: append([]byte("openssh-key-v1\x00"), bytes.Repeat([]byte{7}, 80)...)})
	pgp := "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZQ2zSxYJKwYBBAHaRw8BAQdAbm90IGEgcmVhbCBrZXksIGJ1dCBsb25nIGVub3VnaA==\n=AbCd\n-----END PGP PUBLIC KEY BLOCK-----\n"
	utf16 := func(s string, bigEndian bool) []byte {
		var b []byte
		for _, r := range s {
			if bigEndian {
				b = append(b, 0, byte(r))
			} else {
				b = append(b, byte(r), 0)
			}
		}
		return b
	}
	jwkText := strings.TrimSpace(string(readFileT(t, ed+".pub")))
	random := make([]byte, 64)
	rand.Read(random)
	random[0] = 'r'

	for _, tc := range []struct {
		name string
		data []byte
		// certainlyKey: --secret-file refuses it too. Otherwise it is a
		// raw secret only when given with --secret-file.
		certainlyKey bool
	}{
		{name: "UTF-8 BOM and text", data: append([]byte("\xef\xbb\xbf"), "a secret of more than thirty-two bytes, in a text file"...)},
		{name: "UTF-8 BOM and JWK", data: append([]byte("\xef\xbb\xbf"), jwkText...), certainlyKey: true},
		{name: "UTF-16LE BOM and JWK", data: append([]byte("\xff\xfe"), utf16(jwkText, false)...)},
		{name: "UTF-16BE BOM and JWK", data: append([]byte("\xfe\xff"), utf16(jwkText, true)...)},
		{name: "UTF-16LE JWK without BOM", data: utf16(jwkText, false)},
		{name: "UTF-16BE JWK without BOM", data: utf16(jwkText, true)},
		{name: "UTF-32 BOM", data: append([]byte("\xff\xfe\x00\x00"), random...)},
		{name: "JWK after whitespace", data: []byte("\n\t  " + jwkText), certainlyKey: true},
		{name: "JSON that is not a JWK", data: []byte(`{"secret":"a secret of more than thirty-two bytes"}`)},
		{name: "invalid JSON object", data: []byte(`{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA",}`)},
		{name: "JSON array", data: []byte(`["a secret of more than thirty-two bytes, in an array"]`)},
		{name: "JSON string", data: []byte(`"a secret of more than thirty-two bytes, in a string"`)},
		{name: "PEM public key", data: readFileT(t, edPEM+".pub"), certainlyKey: true},
		{name: "PEM private key", data: readFileT(t, edPEM), certainlyKey: true},
		{name: "PEM after text", data: append([]byte("my key:\n"), readFileT(t, edPEM+".pub")...), certainlyKey: true},
		{name: "broken PEM", data: []byte("-----BEGIN PUBLIC KEY-----\nnot base64 at all, but long enough\n-----END PUBLIC KEY-----\n"), certainlyKey: true},
		{name: "DER public key", data: pkix, certainlyKey: true},
		{name: "DER-like bytes", data: append([]byte{0x30}, random[1:]...)},
		{name: "OpenSSH public key", data: []byte(sshPub), certainlyKey: true},
		{name: "OpenSSH private key", data: openssh, certainlyKey: true},
		{name: "OpenSSH binary", data: append([]byte("openssh-key-v1\x00"), random...), certainlyKey: true},
		{name: "ECDSA OpenSSH public key", data: []byte("ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBA== bob\n"), certainlyKey: true},
		{name: "PGP armor", data: []byte(pgp), certainlyKey: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := write(t, dir, strings.ReplaceAll(tc.name, " ", "_"), tc.data)
			forged := hmacToken(tc.data, `{"alg":"HS256"}`, `{"sub":"mallory"}`)

			// --key never reads it as a secret.
			r := jwtRun(t, "verify", "--alg", "HS256", "--no-exp", "--key", file, forged)
			fails(t, r, 2)
			r = jwtRun(t, "sign", "--alg", "HS256", "--key", file, `{"sub":"x"}`)
			fails(t, r, 2)
			r = jwtRun(t, "thumbprint", "--key", file)
			if r.code == 0 {
				assert.NotEqual(t, octThumbprint(tc.data)+"\n", r.stdout)
			}
			// --secret-file takes it as a secret unless it is certainly a key.
			r = jwtRun(t, "verify", "--alg", "HS256", "--no-exp", "--secret-file", file, forged)
			if tc.certainlyKey {
				fails(t, r, 2, "--key")
				fails(t, jwtRun(t, "thumbprint", "--secret-file", file), 2, "--key")
				return
			}
			assert.Equal(t, `{"sub":"mallory"}`+"\n", ok(t, r))
			assert.Equal(t, octThumbprint(tc.data)+"\n", ok(t, jwtRun(t, "thumbprint", "--secret-file", file)))
			token := strings.TrimSpace(ok(t, jwtRun(t, "sign", "--alg", "HS256", "--secret-file", file, "--exp", "5m", `{"sub":"x"}`)))
			ok(t, jwtRun(t, "verify", "--alg", "HS256", "--secret-file", file, token))
		})
	}

	t.Run("unambiguous raw secrets", func(t *testing.T) {
		for i, data := range [][]byte{
			[]byte("correct horse battery staple, and more than 32 bytes\n"),
			append([]byte{0xff, 0x01}, random[2:]...),
			append([]byte{0x00, 0xff}, random[2:]...),
			[]byte("ssh is not a prefix here, this is a secret........"),
			[]byte("0123456789abcdef0123456789abcdef0123456789abcdef"), // hexadecimal, starting with 0x30
			[]byte("12345678901234567890123456789012"),                 // digits only
		} {
			file := write(t, dir, "raw"+strconv.Itoa(i), data)
			forged := hmacToken(data, `{"alg":"HS256"}`, `{"sub":"x"}`)
			assert.Equal(t, `{"sub":"x"}`+"\n", ok(t, jwtRun(t, "verify", "--alg", "HS256", "--no-exp", "--key", file, forged)), "%q", data)
			assert.Equal(t, `{"sub":"x"}`+"\n", ok(t, jwtRun(t, "verify", "--alg", "HS256", "--no-exp", "--secret-file", file, forged)), "%q", data)
		}
	})
	t.Run("one key flag", func(t *testing.T) {
		secret := write(t, dir, "s", bytes.Repeat([]byte("s"), 32))
		fails(t, jwtRun(t, "verify", "--alg", "HS256", "--key", secret, "--secret-file", secret, "x.y.z"), 2, "--key", "--secret-file")
		fails(t, jwtRun(t, "sign", "--alg", "HS256", "--key", secret, "--secret-file", secret, "{}"), 2, "--key", "--secret-file")
		fails(t, jwtRun(t, "sign", "--alg", "ES256", "--secret-file", secret, "{}"), 2, "raw secret", "HS256")
		fails(t, jwtRun(t, "sign", "--secret-file", secret, "{}"), 2, "no algorithm", "--alg")
	})
}

// jwkSet writes a JWK Set of the given members, each a JWK as JSON.
func jwkSet(t *testing.T, dir, name string, keys ...string) string {
	t.Helper()
	return write(t, dir, name, []byte(`{"keys":[`+strings.Join(keys, ",")+`]}`))
}

// withMembers returns the JWK in file with members (`"name":value,...`)
// added and the members named in drop removed.
func withMembers(t *testing.T, file, members string, drop ...string) string {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(readFileT(t, file), &m))
	for _, d := range drop {
		delete(m, d)
	}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	if members == "" {
		return string(b)
	}
	return "{" + members + "," + string(b[1:])
}

// TestTokenKidIsNotAUsageError is the finding of issue 10 item 5: a token
// whose kid named a key of the set with "use":"enc", or a key without alg,
// made jwt verify exit 2, blaming the operator's key file.
func TestTokenKidIsNotAUsageError(t *testing.T) {
	dir := t.TempDir()
	sig := keygen(t, dir, "sig.jwk", "--alg", "ES256", "--kid", "sig")
	enc := keygen(t, dir, "enc.jwk", "--alg", "HS256", "--kid", "enc")
	rsa := keygen(t, dir, "rsa.jwk", "--alg", "RS256", "--kid", "rsa", "--bits", "2048")
	set := jwkSet(t, dir, "set.json",
		withMembers(t, sig+".pub", ""),
		withMembers(t, enc, `"use":"enc"`, "use"),
		withMembers(t, rsa+".pub", "", "alg"),
	)
	var k struct{ K string }
	require.NoError(t, json.Unmarshal(readFileT(t, enc), &k))
	secret, err := base64.RawURLEncoding.DecodeString(k.K)
	require.NoError(t, err)

	encToken := hmacToken(secret, `{"alg":"HS256","kid":"enc"}`, `{"sub":"x"}`)
	fails(t, jwtRun(t, "verify", "--no-exp", "--key", set, encToken), 1, "token rejected", "key not found", `use "enc"`)
	rsaToken := strings.TrimSpace(ok(t, jwtRun(t, "sign", "--key", rsa, "--exp", "5m", `{"sub":"x"}`)))
	fails(t, jwtRun(t, "verify", "--key", set, rsaToken), 1, "token rejected", "key not found", `"alg"`, "--alg")
	// With --alg the key without alg is bound to it, and verifies.
	ok(t, jwtRun(t, "verify", "--key", set, "--alg", "RS256", rsaToken))
	// The operator choosing such a key with --kid is the operator's error.
	fails(t, jwtRun(t, "verify", "--no-exp", "--key", set, "--kid", "enc", encToken), 2, `"enc"`)
	fails(t, jwtRun(t, "verify", "--key", set, "--kid", "rsa", rsaToken), 2, "no algorithm", "--alg")
}

// TestTokenDecidesOnlyAcceptOrReject is the class of issue 10 item 5:
// whatever a token's header says, jwt verify and jwt decode exit 0 or 1
// once the operator's flags and key file are usable.
func TestTokenDecidesOnlyAcceptOrReject(t *testing.T) {
	dir := t.TempDir()
	hs := keygen(t, dir, "hs.jwk", "--alg", "HS256", "--kid", "hs")
	es := keygen(t, dir, "es.jwk", "--alg", "ES256", "--kid", "es")
	ed := keygen(t, dir, "ed.jwk", "--alg", "EdDSA", "--kid", "ed")
	rsa := keygen(t, dir, "rsa.jwk", "--alg", "PS256", "--kid", "rsa", "--bits", "2048")
	edPEM := keygen(t, dir, "ed.pem", "--alg", "EdDSA", "--format", "pem")
	set := jwkSet(t, dir, "set.json",
		withMembers(t, es+".pub", ""),
		withMembers(t, ed+".pub", `"use":"enc"`, "use", "kid", "alg"),
		withMembers(t, rsa+".pub", "", "alg"),
		withMembers(t, hs, `"key_ops":["sign"]`),
		withMembers(t, ed+".pub", `"kid":"ed2"`, "kid"),
	)
	keyFiles := [][]string{
		{"--key", set},
		{"--key", set, "--alg", "ES256"},
		{"--key", set, "--alg", "PS256"},
		{"--key", hs},
		{"--key", es + ".pub"},
		{"--key", edPEM + ".pub"},
		{"--key", edPEM + ".pub", "--kid", "ed"},
	}
	algs := []string{"HS256", "HS512", "PS256", "RS256", "ES256", "ES384", "EdDSA", "none", "Ed25519", "RSA-OAEP", "", "HS256 "}
	kids := []string{"", "hs", "es", "ed", "ed2", "rsa", "nope", "\x1b[2J", `"`}
	var tokens []string
	for _, alg := range algs {
		for _, kid := range kids {
			h := map[string]any{"alg": alg}
			if kid != "" {
				h["kid"] = kid
			}
			hb, err := json.Marshal(h)
			require.NoError(t, err)
			tokens = append(tokens, b64(hb)+"."+b64([]byte(`{"sub":"x"}`))+"."+b64(bytes.Repeat([]byte{1}, 64)))
		}
	}
	tokens = append(tokens, b64([]byte(`{"alg":"ES256","kid":1}`))+".e30.AAAA", b64([]byte(`{"alg":"ES256","crit":["kid"],"kid":"es"}`))+".e30.AAAA")
	for _, kf := range keyFiles {
		t.Run(strings.Join(kf, " "), func(t *testing.T) {
			for i, token := range tokens {
				args := append([]string{"verify"}, kf...)
				if i%2 == 1 {
					args = append(args, "--jws")
				}
				fails(t, jwtInProcess("", append(args, token)...), 1, "jwt: token rejected: ")
			}
		})
	}
	for _, token := range tokens {
		r := jwtInProcess("", "decode", token)
		assert.Contains(t, []int{0, 1}, r.code, "decode %s: %s", token, r.stderr)
	}
}

// TestKeygenForceSymlink is the finding of issue 10 item 7: jwt keygen
// --force followed a symlink planted at the target, writing the private key
// to wherever it pointed.
func TestKeygenForceSymlink(t *testing.T) {
	dir := t.TempDir()
	elsewhere := filepath.Join(t.TempDir(), "victim")
	require.NoError(t, os.WriteFile(elsewhere, []byte("keep me\n"), 0o644))
	out := filepath.Join(dir, "key.jwk")
	require.NoError(t, os.Symlink(elsewhere, out))
	require.NoError(t, os.Symlink(elsewhere+".pub", out+".pub")) // dangling

	ok(t, jwtRun(t, "keygen", "--alg", "EdDSA", "--out", out, "--force"))
	assert.Equal(t, "keep me\n", string(readFileT(t, elsewhere)), "the symlink's target is untouched")
	assert.NoFileExists(t, elsewhere+".pub", "a dangling symlink is not followed either")
	for _, p := range []string{out, out + ".pub"} {
		st, err := os.Lstat(p)
		require.NoError(t, err)
		assert.True(t, st.Mode().IsRegular(), "%s is a regular file, not a link", p)
	}
	st, _ := os.Lstat(out)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	var k map[string]any
	require.NoError(t, json.Unmarshal(readFileT(t, out), &k))
	assert.NotEmpty(t, k["d"])
}

// TestKeygenFileCreation is the class of issue 10 item 7: a private key file
// is always a new file, created 0600 by jwt, owned by whoever ran it, and
// replaced atomically; nothing of an earlier file at the path carries over,
// and nothing is left behind on failure.
func TestKeygenFileCreation(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "key.pem")

	t.Run("hard link", func(t *testing.T) {
		other := filepath.Join(dir, "other")
		require.NoError(t, os.WriteFile(other, []byte("shared inode\n"), 0o644))
		require.NoError(t, os.Link(other, out))
		ok(t, jwtRun(t, "keygen", "--alg", "ES256", "--format", "pem", "--out", out, "--force"))
		assert.Equal(t, "shared inode\n", string(readFileT(t, other)), "a hard link's other name keeps its content")
		assert.True(t, bytes.HasPrefix(readFileT(t, out), []byte("-----BEGIN PRIVATE KEY-----\n")))
	})
	t.Run("mode and identity", func(t *testing.T) {
		require.NoError(t, os.Chmod(out, 0o666))
		before, err := os.Stat(out)
		require.NoError(t, err)
		ok(t, jwtRun(t, "keygen", "--alg", "ES256", "--format", "pem", "--out", out, "--force"))
		after, err := os.Stat(out)
		require.NoError(t, err)
		assert.False(t, os.SameFile(before, after), "a new file, not the old one rewritten")
		assert.Equal(t, os.FileMode(0o600), after.Mode().Perm())
		pub, err := os.Stat(out + ".pub")
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o644), pub.Mode().Perm())
	})
	t.Run("owner", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("changing a file's owner needs root")
		}
		require.NoError(t, os.Chown(out, 4242, 4242))
		ok(t, jwtRun(t, "keygen", "--alg", "ES256", "--format", "pem", "--out", out, "--force"))
		st, err := os.Stat(out)
		require.NoError(t, err)
		uid, known := fileOwner(st)
		require.True(t, known)
		assert.Equal(t, os.Geteuid(), uid, "owned by who ran jwt, not by the old file's owner")
	})
	t.Run("no force", func(t *testing.T) {
		link := filepath.Join(dir, "dangling")
		require.NoError(t, os.Symlink(filepath.Join(dir, "nowhere"), link))
		fails(t, jwtRun(t, "keygen", "--alg", "ES256", "--out", link), 2, "exists", "--force")
		assert.NoFileExists(t, filepath.Join(dir, "nowhere"))
	})
	t.Run("a directory in the way", func(t *testing.T) {
		sub := filepath.Join(dir, "sub")
		require.NoError(t, os.Mkdir(sub, 0o755))
		require.NoError(t, os.Mkdir(filepath.Join(sub, "k.jwk"), 0o755))
		fails(t, jwtRun(t, "keygen", "--alg", "ES256", "--out", filepath.Join(sub, "k.jwk"), "--force"), 2, "k.jwk")
		entries, err := os.ReadDir(sub)
		require.NoError(t, err)
		assert.Len(t, entries, 1, "no temporary file is left behind")
	})
	t.Run("no temporary files", func(t *testing.T) {
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		for _, e := range entries {
			assert.NotContains(t, e.Name(), ".tmp", "left behind: %s", e.Name())
		}
	})
}

// terminalUnsafe matches what must never reach a terminal from a token:
// C0 controls (but newline, which ends a line), DEL, C1 controls, the bidi
// overrides and isolates, U+2028, U+2029, and bytes that are not UTF-8.
var terminalUnsafe = regexp.MustCompile("[\x00-\x09\x0b-\x1f\x7f\u0080-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")

func assertTerminalSafe(t *testing.T, what, s string) {
	t.Helper()
	assert.True(t, utf8.ValidString(s), "%s is not UTF-8: %q", what, s)
	assert.False(t, terminalUnsafe.MatchString(s), "%s holds a control character: %q", what, s)
}

// TestClaimsOutputEscaped is a finding of issue 10 item 8 for jwt verify:
// the claims of a valid token were printed with their control characters
// (DEL, C1 such as U+009B CSI) as they were.
func TestClaimsOutputEscaped(t *testing.T) {
	dir := t.TempDir()
	key := keygen(t, dir, "ed.jwk", "--alg", "EdDSA")
	claims := "{\"sub\":\"\u009b31m\x7f\u202e\",\"n\":1}"
	token := strings.TrimSpace(ok(t, jwtRun(t, "sign", "--key", key, claims)))
	out := ok(t, jwtRun(t, "verify", "--no-exp", "--key", key+".pub", token))
	assert.Equal(t, `{"sub":"\u009b31m\u007f\u202e","n":1}`+"\n", out)
	var v struct{ Sub string }
	require.NoError(t, json.Unmarshal([]byte(out), &v))
	assert.Equal(t, "\u009b31m\x7f\u202e", v.Sub, "the same claims, escaped")
}

// TestTerminalOutput is the class of issue 10 item 8: text from a token
// reaches a terminal only escaped, in every human-facing output of jwt
// (decode and verify output, and every error message).
func TestTerminalOutput(t *testing.T) {
	dir := t.TempDir()
	key := keygen(t, dir, "hs.jwk", "--alg", "HS256", "--kid", "k")
	var k struct{ K string }
	require.NoError(t, json.Unmarshal(readFileT(t, key), &k))
	secret, err := base64.RawURLEncoding.DecodeString(k.K)
	require.NoError(t, err)
	set := jwkSet(t, dir, "set.json", strings.TrimSpace(string(readFileT(t, key))))

	hostile := []string{"\x1b[2J", "\u009b2J", "\x7f", "\a", "\r", "\u202e", "\u2028", "\xff\xfe", "\xc2\x9b", "\x00"}
	var tokens []string
	for _, h := range hostile {
		raw := func(s string) string { return `"` + s + `"` } // the bytes themselves: invalid JSON for C0
		for _, header := range []string{
			`{"alg":"HS256","kid":` + raw(h) + `}`,
			`{"alg":` + raw(h) + `}`,
			`{"alg":"HS256","kid":"k","typ":` + raw(h) + `}`,
			`{"alg":"HS256","kid":"k","crit":[` + raw(h) + `],` + raw(h) + `:1}`,
			`{"alg":"HS256","kid":"k",` + raw(h) + `:1}`,
		} {
			for _, payload := range []string{
				`{"iss":` + raw(h) + `,"sub":` + raw(h) + `,"aud":` + raw(h) + `,"exp":1}`,
				`{"exp":` + raw(h) + `}`,
				`{"iss":` + raw(h) + `}`,
				raw(h),
				h,
			} {
				tokens = append(tokens, hmacToken(secret, header, payload))
			}
		}
		tokens = append(tokens, "Bearer "+h+".x.y", h+"."+h+"."+h)
	}
	for i, token := range tokens {
		for _, args := range [][]string{
			{"decode"},
			{"decode", "--indent"},
			{"verify", "--key", key, "--iss", "i", "--aud", "a", "--sub", "s", "--typ", "t"},
			{"verify", "--key", key},
			{"verify", "--key", set},
			{"verify", "--key", set, "--no-exp", "--ignore-aud"},
			{"verify", "--jws", "--key", key, "--typ", "t"},
		} {
			r := jwtInProcess(token, args...)
			what := fmt.Sprintf("token %d, jwt %s", i, strings.Join(args, " "))
			assertTerminalSafe(t, what+" standard error", r.stderr)
			if args[0] != "verify" || args[1] != "--jws" {
				assertTerminalSafe(t, what+" standard output", r.stdout)
			}
		}
	}
}

// TestSignedTooLarge is the finding of issue 10 item 9: jwt sign printed a
// 26,912-byte token that jwt verify and jwt decode then refused as too
// large, without saying how to read it.
func TestSignedTooLarge(t *testing.T) {
	dir := t.TempDir()
	key := keygen(t, dir, "ed.jwk", "--alg", "EdDSA")
	claims := `{"sub":"x","pad":"` + strings.Repeat("a", 20000) + `"}`
	r := jwtRun(t, "sign", "--key", key, claims)
	fails(t, r, 2, "26", "bytes", "--max-size")

	token := strings.TrimSpace(ok(t, jwtRun(t, "sign", "--key", key, "--max-size", "30000", claims)))
	assert.Contains(t, r.stderr, "the token is "+strconv.Itoa(len(token))+" bytes")
	fails(t, jwtRun(t, "verify", "--no-exp", "--key", key+".pub", token), 1, "too large", "--max-size")
	fails(t, jwtRun(t, "decode", token), 1, "too large", "--max-size")
	ok(t, jwtRun(t, "verify", "--no-exp", "--key", key+".pub", "--max-size", "30000", token))
	ok(t, jwtRun(t, "verify", "--jws", "--key", key+".pub", "--max-size", "30000", token))
	ok(t, jwtRun(t, "decode", "--max-size", "30000", token))
}

// TestSizeLimitsAgree is the class of issue 10 item 9: at every limit, what
// jwt sign prints, jwt verify and jwt decode read with the same limit, and
// what they refuse, jwt sign refuses to print.
func TestSizeLimitsAgree(t *testing.T) {
	dir := t.TempDir()
	key := keygen(t, dir, "ed.jwk", "--alg", "EdDSA")
	// The length of a token is that of its header and payload in base64url,
	// two dots and the signature: aim at a length by the lengths of "typ"
	// and of a claim, from one token's header and signature.
	probe := strings.Split(strings.TrimSpace(ok(t, jwtRun(t, "sign", "--key", key, "--kid", "", "--typ", "X", `{"p":""}`))), ".")
	header, err := base64.RawURLEncoding.DecodeString(probe[0])
	require.NoError(t, err)
	b64len := func(n int) int { return (4*n + 2) / 3 }
	size := func(typ, pad int) int {
		return b64len(len(header)-1+typ) + 1 + b64len(len(`{"p":""}`)+pad) + 1 + len(probe[2])
	}
	// args returns the sign arguments for a token of exactly n bytes.
	args := func(n int) []string {
		for typ := 1; typ <= 4; typ++ {
			pad := max(0, (n-size(typ, 0))*3/4-3)
			for ; size(typ, pad) <= n; pad++ {
				if size(typ, pad) == n {
					return []string{"sign", "--key", key, "--kid", "", "--typ", strings.Repeat("T", typ), `{"p":"` + strings.Repeat("a", pad) + `"}`}
				}
			}
		}
		t.Fatalf("no token of %d bytes", n)
		return nil
	}
	for _, limit := range []int{8192, 1000, 20000} {
		var limitFlag []string // none: the default
		if limit != 8192 {
			limitFlag = []string{"--max-size", strconv.Itoa(limit)}
		}
		for _, n := range []int{limit - 1, limit, limit + 1} {
			r := jwtRun(t, append(args(n), limitFlag...)...)
			if n > limit {
				fails(t, r, 2, "the token is "+strconv.Itoa(n)+" bytes", "--max-size")
				continue
			}
			token := strings.TrimSpace(ok(t, r))
			require.Len(t, token, n)
			ok(t, jwtRun(t, append([]string{"verify", "--no-exp", "--key", key + ".pub", token}, limitFlag...)...))
			ok(t, jwtRun(t, append([]string{"verify", "--jws", "--key", key + ".pub", token}, limitFlag...)...))
			ok(t, jwtRun(t, append([]string{"decode", token}, limitFlag...)...))
			if n == limit {
				smaller := []string{"--max-size", strconv.Itoa(limit - 1)}
				fails(t, jwtRun(t, append([]string{"verify", "--no-exp", "--key", key + ".pub", token}, smaller...)...), 1, "too large", "--max-size")
				fails(t, jwtRun(t, append([]string{"verify", "--jws", "--key", key + ".pub", token}, smaller...)...), 1, "too large", "--max-size")
				fails(t, jwtRun(t, append([]string{"decode", token}, smaller...)...), 1, "too large", "--max-size")
				fails(t, jwtRun(t, append(args(n), smaller...)...), 2, "--max-size")
			}
		}
	}
	for _, bad := range []string{"0", "-1", "x", "1048577"} {
		fails(t, jwtRun(t, "verify", "--key", key, "--max-size", bad, "x.y.z"), 2, "--max-size")
		fails(t, jwtRun(t, "decode", "--max-size", bad, "x.y.z"), 2, "--max-size")
		fails(t, jwtRun(t, "sign", "--key", key, "--max-size", bad, "{}"), 2, "--max-size")
	}
}

// TestAlgorithmInference: a key that fits one algorithm only needs no
// --alg (issue 9); RSA keys and secrets, which fit several, still do.
func TestAlgorithmInference(t *testing.T) {
	dir := t.TempDir()
	for _, alg := range []string{"ES256", "ES384", "ES512", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			pemKey := keygen(t, dir, alg+".pem", "--alg", alg, "--format", "pem")
			jwk := keygen(t, dir, alg+".jwk", "--alg", alg, "--kid", alg)
			private := write(t, dir, alg+".noalg.jwk", []byte(withMembers(t, jwk, "", "alg")))
			public := write(t, dir, alg+".noalg.jwk.pub", []byte(withMembers(t, jwk+".pub", "", "alg")))
			set := jwkSet(t, dir, alg+".set.json", withMembers(t, jwk+".pub", "", "alg"), withMembers(t, jwk+".pub", `"kid":"other"`, "alg", "kid"))
			for _, key := range []string{pemKey, private} {
				token := strings.TrimSpace(ok(t, jwtRun(t, "sign", "--key", key, "--exp", "5m", `{"sub":"x"}`)))
				var u struct{ Header struct{ Alg string } }
				require.NoError(t, json.Unmarshal([]byte(ok(t, jwtRun(t, "decode", token))), &u))
				assert.Equal(t, alg, u.Header.Alg)
				pub := key + ".pub"
				if key == private {
					pub = public
				}
				ok(t, jwtRun(t, "verify", "--key", pub, token))
			}
			// In a set, a key without "alg" is bound to the one algorithm it fits.
			token := strings.TrimSpace(ok(t, jwtRun(t, "sign", "--key", private, "--exp", "5m", `{"sub":"x"}`)))
			ok(t, jwtRun(t, "verify", "--key", set, token))
			ok(t, jwtRun(t, "verify", "--key", set, "--kid", alg, token))
			// An inferred algorithm is still the key's only one.
			other := "ES256"
			if alg == "ES256" {
				other = "ES384"
			}
			fails(t, jwtRun(t, "sign", "--alg", other, "--key", pemKey, `{}`), 2, "cannot be used with "+other, "which is for "+alg)
		})
	}
	t.Run("RSA and secrets", func(t *testing.T) {
		rsa := keygen(t, dir, "rsa.jwk", "--alg", "PS384", "--bits", "2048")
		noAlg := write(t, dir, "rsa.noalg.jwk", []byte(withMembers(t, rsa, "", "alg")))
		fails(t, jwtRun(t, "sign", "--key", noAlg, `{}`), 2, "no algorithm", "--alg", "RS256, RS384, RS512, PS256, PS384, PS512")
		ok(t, jwtRun(t, "sign", "--alg", "PS384", "--key", noAlg, `{}`))
		secret := write(t, dir, "secret", bytes.Repeat([]byte("k"), 64))
		fails(t, jwtRun(t, "sign", "--secret-file", secret, `{}`), 2, "no algorithm", "--alg", "HS256, HS384, HS512")
		fails(t, jwtRun(t, "verify", "--key", secret, "x.y.z"), 2, "no algorithm", "--alg")
	})
}

// TestDurationUnit: a duration flag given a number without a unit says to
// add one (issue 9).
func TestDurationUnit(t *testing.T) {
	dir := t.TempDir()
	key := keygen(t, dir, "ed.jwk", "--alg", "EdDSA")
	fails(t, jwtRun(t, "sign", "--key", key, "--exp", "300", "{}"), 2, `invalid value "300" for flag -exp: add a unit: 300s, 5m`)
	fails(t, jwtRun(t, "sign", "--key", key, "--nbf", "-90", "{}"), 2, "add a unit: -90s, -1m30s")
	fails(t, jwtRun(t, "sign", "--key", key, "--exp", "3600", "{}"), 2, "add a unit: 3600s, 1h")
	fails(t, jwtRun(t, "verify", "--key", key, "--leeway", "30", "x.y.z"), 2, "add a unit: 30s")
	fails(t, jwtRun(t, "sign", "--key", key, "--exp", "1.5", "{}"), 2, "add a unit: 1.5s")
	fails(t, jwtRun(t, "sign", "--key", key, "--exp", "soon", "{}"), 2, "want a duration such as 90s")
	// With a unit, and 0, which needs none, they work.
	token := strings.TrimSpace(ok(t, jwtRun(t, "sign", "--key", key, "--time", tFlag, "--exp", "300s", "--nbf", "0", "{}")))
	assert.Equal(t, `{"nbf":`+tFlag+`,"exp":`+at(300)+"}\n", ok(t, jwtRun(t, "verify", "--key", key, "--time", tFlag, token)))
}

// TestNoGoTypeNames: whatever key and algorithm meet, jwt's messages say
// what the key is in words, never as a Go type such as *ecdsa.PrivateKey
// (issue 9). fails checks every failure of every test for this; here every
// kind of key meets every algorithm.
func TestNoGoTypeNames(t *testing.T) {
	dir := t.TempDir()
	x := mustX25519PEM(t)
	var files [][]string
	for _, alg := range []string{"RS256", "ES384", "EdDSA"} {
		pemKey := keygen(t, dir, alg+".pem", append([]string{"--alg", alg, "--format", "pem"}, rsaArgs(alg)...)...)
		jwk := keygen(t, dir, alg+".jwk", append([]string{"--alg", alg}, rsaArgs(alg)...)...)
		noAlg := write(t, dir, alg+".noalg.jwk", []byte(withMembers(t, jwk+".pub", "", "alg")))
		set := jwkSet(t, dir, alg+".set.json", withMembers(t, jwk+".pub", "", "alg"))
		files = append(files, []string{"--key", pemKey}, []string{"--key", pemKey + ".pub"}, []string{"--key", jwk}, []string{"--key", noAlg}, []string{"--key", set})
	}
	ed := keygen(t, dir, "ed.jwk", "--alg", "EdDSA")
	files = append(files,
		[]string{"--secret-file", write(t, dir, "secret", bytes.Repeat([]byte("k"), 64))},
		[]string{"--key", write(t, dir, "x25519.pem", x.private)},
		[]string{"--key", write(t, dir, "x25519.pub.pem", x.public)},
		[]string{"--key", write(t, dir, "ed-as-es.jwk", []byte(withMembers(t, ed+".pub", `"alg":"ES256"`, "alg")))},
		[]string{"--key", write(t, dir, "oct-as-rs.jwk", []byte(`{"kty":"oct","alg":"RS256","k":"`+b64(bytes.Repeat([]byte("k"), 64))+`"}`))},
		[]string{"--key", jwkSet(t, dir, "mixed.json", withMembers(t, ed+".pub", `"alg":"ES256"`, "alg"), withMembers(t, ed+".pub", `"kid":"ok"`, "kid"))},
	)
	for _, f := range files {
		for _, alg := range append(append([]string(nil), allAlgorithms...), "") {
			var algArgs []string
			if alg != "" {
				algArgs = []string{"--alg", alg}
			}
			for _, args := range [][]string{
				append(append([]string{"sign"}, f...), append(algArgs, "{}")...),
				append(append([]string{"verify"}, f...), append(algArgs, "x.y.z")...),
				append([]string{"thumbprint"}, f...),
			} {
				r := jwtInProcess("", args...)
				assert.NotRegexp(t, goTypeName, r.stderr, "jwt %s", strings.Join(args, " "))
				if r.code == 2 {
					assert.Equal(t, 1, strings.Count(r.stderr, "jwt:"), "%s", r.stderr)
				}
			}
		}
	}
}

// x25519Key is an X25519 key in PEM, a kind of key jwt does not use.
type x25519Key struct{ private, public []byte }

func mustX25519PEM(t *testing.T) x25519Key {
	// FIPS 140-only mode does not generate X25519 keys; what jwt does with
	// one is tested in the mode the test runs in.
	var k *ecdh.PrivateKey
	var err error
	fips140.WithoutEnforcement(func() { k, err = ecdh.X25519().GenerateKey(rand.Reader) })
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(t, err)
	pub, err := x509.MarshalPKIXPublicKey(k.PublicKey())
	require.NoError(t, err)
	return x25519Key{
		private: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		public:  pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}),
	}
}
