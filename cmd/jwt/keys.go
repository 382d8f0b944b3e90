package main

import (
	"bytes"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/internal/keyform"
	"github.com/jwtkit/jwt/internal/strictjson"
	"github.com/jwtkit/jwt/jwks"
)

// keyFlags are the flags naming a key file: --key FILE, or --secret-file
// FILE for a raw HMAC secret.
type keyFlags struct {
	key, secret string
	// given, if not nil, is the key itself, given on jwt serve's page; key
	// then names it in messages.
	given []byte
}

func (f *keyFlags) define(fs *flag.FlagSet, key string) {
	fs.StringVar(&f.key, "key", "", "the key `FILE`: "+key+" (see Key files in jwt --help)")
	fs.StringVar(&f.secret, "secret-file", "", "the raw HMAC secret in `FILE`, for HS256, HS384 and HS512: its bytes exactly as they are")
}

// read reads the key file the flags name.
func (f *keyFlags) read() (*keyFile, error) {
	switch {
	case f.given != nil:
		return parseKey(f.key, f.given)
	case f.key != "" && f.secret != "":
		return nil, usageError("give --key or --secret-file, not both")
	case f.secret != "":
		return readSecretFile(f.secret)
	case f.key != "":
		return readKeyFile(f.key)
	}
	return nil, usageError("no key file given: give --key FILE, or --secret-file FILE for a raw HMAC secret")
}

// keyFile is a key file in one of the forms jwt reads. Exactly one of jwk
// and set is set.
type keyFile struct {
	path string
	kind string // for messages: "JWK", "JWK Set", "PEM private key", ...
	// jwk is the key of the file; a PEM key, a certificate's key or a raw
	// secret is held as a JWK without "alg" or "kid".
	jwk *jwt.JWK
	set *jwks.Set
	// skipped are the keys of set that could not be parsed.
	skipped []error
}

const (
	utf8BOM  = "\xef\xbb\xbf"
	pemBegin = "-----BEGIN "
)

// readKeyFile reads and parses the key file at path. A file is a raw
// secret only when it cannot be anything else: see notRawSecret. Errors
// exit with status 2 and never show key material.
func readKeyFile(path string) (*keyFile, error) {
	data, err := readFile(path, "key")
	if err != nil {
		return nil, err
	}
	return parseKey(path, data)
}

// parseKey parses data, the key file at path, as readKeyFile does.
func parseKey(path string, data []byte) (*keyFile, error) {
	text := bytes.TrimLeft(bytes.TrimPrefix(data, []byte(utf8BOM)), " \t\r\n")
	switch {
	case bytes.Contains(data, []byte(pemBegin)):
		return readPEM(path, data)
	case len(text) > 0 && text[0] == '{':
		return readJSON(path, text)
	}
	if why := notRawSecret(data); why != "" {
		return nil, usageError("key file %s is not read as a raw secret: it %s; if it is one, give it with --secret-file", quote(path), why)
	}
	return rawSecret(path, data)
}

// notRawSecret says why data, a key file that is neither PEM nor a JSON
// object, could be another kind of key or a text of which a byte-order mark
// or another encoding would change the bytes; it returns "" for a file
// that can only be a raw secret.
func notRawSecret(data []byte) string {
	if len(data) == 0 {
		return ""
	}
	text := bytes.TrimLeft(bytes.TrimPrefix(data, []byte(utf8BOM)), " \t\r\n")
	switch {
	case bytes.HasPrefix(data, []byte("\xff\xfe\x00\x00")), bytes.HasPrefix(data, []byte("\x00\x00\xfe\xff")):
		return "starts with a UTF-32 byte-order mark (save it as UTF-8)"
	case bytes.HasPrefix(data, []byte("\xff\xfe")), bytes.HasPrefix(data, []byte("\xfe\xff")):
		return "starts with a UTF-16 byte-order mark (save it as UTF-8)"
	case bytes.HasPrefix(data, []byte(utf8BOM)):
		return "starts with a UTF-8 byte-order mark, so it is text, but neither a JWK nor PEM"
	case len(text) > 0 && (text[0] == '[' || text[0] == '"'):
		return "looks like JSON, but is not a JWK or JWK Set (a JSON object)"
	case data[0] == 0x30 && !isText(data):
		return "looks like DER (binary, starting with 0x30 as an ASN.1 SEQUENCE does): jwt reads keys as PEM or JWK, so convert it, e.g. with openssl pkey -inform DER"
	case isOpenSSH(text):
		return "looks like an OpenSSH key, which jwt does not read: convert it to PEM, e.g. with ssh-keygen -e -m PKCS8"
	case bytes.IndexByte(data, 0) >= 0:
		// UTF-16 or UTF-32 text without a byte-order mark has NUL bytes
		// between its ASCII characters.
		ascii := bytes.ReplaceAll(data, []byte{0}, nil)
		text := bytes.TrimLeft(ascii, " \t\r\n")
		if bytes.HasPrefix(text, []byte("{")) || bytes.HasPrefix(text, []byte("[")) || bytes.Contains(ascii, []byte(pemBegin)) || isOpenSSH(text) {
			return "looks like UTF-16 or UTF-32 text (save it as UTF-8)"
		}
	}
	return ""
}

// isText reports whether data is printable ASCII, with tabs and line ends:
// a text secret such as a hexadecimal one starting with "0" (0x30), but no
// DER, which always holds bytes such as 0x00 and 0x02.
func isText(data []byte) bool {
	for _, c := range data {
		if (c < 0x20 || c > 0x7e) && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

// isOpenSSH reports whether text starts as an OpenSSH private key (binary)
// or public key line does.
func isOpenSSH(text []byte) bool {
	for _, p := range []string{"openssh-key-v1", "ssh-", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-"} {
		if bytes.HasPrefix(text, []byte(p)) {
			return true
		}
	}
	return false
}

// readSecretFile reads the raw secret of --secret-file: its bytes exactly
// as they are, unless the file is certainly a key of another kind, as the
// library's HMAC algorithms refuse it (see package internal/keyform).
func readSecretFile(path string) (*keyFile, error) {
	data, err := readFile(path, "secret")
	if err != nil {
		return nil, err
	}
	if form := keyform.Of(data); form != "" {
		return nil, usageError("--secret-file %s holds %s, not a raw secret: give it with --key", quote(path), form)
	}
	return rawSecret(path, data)
}

// memberNames returns the member names of the JSON object text, read with
// the strict reader: no duplicate names at any depth, nothing after it.
func memberNames(text []byte) ([]string, error) {
	r := strictjson.NewReader(string(text))
	if err := r.ObjectStart(); err != nil {
		return nil, err
	}
	var names []string
	var seen strictjson.NameSet
	name, ok, err := r.FirstMember()
	for ; ok && err == nil; name, ok, err = r.NextMember() {
		if err = seen.Add(name); err == nil {
			err = r.Skip()
		}
		if err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	if err == nil {
		err = r.End()
	}
	return names, err
}

// readJSON reads a key file holding a JSON object: a JWK Set if it has a
// "keys" member, else a JWK.
func readJSON(path string, text []byte) (*keyFile, error) {
	names, err := memberNames(text)
	if err != nil {
		// The reader's errors never quote a value, which may be a secret.
		detail := "invalid JSON"
		var se *strictjson.Error
		if errors.As(err, &se) {
			detail = se.Detail
		}
		return nil, usageError("key file %s starts with \"{\" but is not valid JSON (%s), so it is neither a JWK nor a JWK Set", quote(path), detail)
	}
	kf := &keyFile{path: path, kind: "JWK"}
	if slices.Contains(names, "keys") {
		kf.kind = "JWK Set"
		if kf.set, kf.skipped, err = jwks.Parse(text, &jwks.ParseOptions{AllowPrivate: true}); err != nil {
			return nil, keyError(err, "key file %s", quote(path))
		}
		if len(kf.set.Keys) == 0 {
			return nil, usageError("key file %s: the JWK Set has no usable key%s", quote(path), skippedNote(kf.skipped))
		}
		return kf, nil
	}
	if kf.jwk, err = jwt.ParseJWK(text); err != nil {
		return nil, keyError(err, "key file %s", quote(path))
	}
	return kf, nil
}

// readPEM reads a PEM private key, public key or certificate with the
// library's parsers, chosen by the type of the first block.
func readPEM(path string, data []byte) (*keyFile, error) {
	if bytes.Contains(data, []byte(pemBegin+"PGP ")) {
		return nil, usageError("key file %s holds OpenPGP armor, which jwt does not read", quote(path))
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, usageError("key file %s has a %q line but no valid PEM block", quote(path), strings.TrimSpace(pemBegin))
	}
	kf := &keyFile{path: path}
	var key any
	var err error
	switch {
	case block.Type == "CERTIFICATE":
		// The first certificate of a chain is the one whose key signs.
		kf.kind = "X.509 certificate"
		key, err = jwt.ParsePublicKeyPEM(data)
	case strings.HasSuffix(block.Type, "PUBLIC KEY"):
		kf.kind = "PEM public key"
		key, err = jwt.ParsePublicKeyPEM(data)
	default:
		kf.kind = "PEM private key"
		key, err = jwt.ParsePrivateKeyPEM(data)
	}
	switch {
	case errors.Is(err, jwt.ErrEncryptedPEM):
		return nil, usageError("key file %s: the PEM private key is encrypted; decrypt it first, e.g. with openssl pkey -in KEY -out PLAIN", quote(path))
	case errors.Is(err, jwt.ErrUnsupportedKeyType):
		return nil, usageError("key file %s holds a key of a type jwt does not use; jwt uses RSA keys, EC keys on P-256, P-384 and P-521, Ed25519 keys and, built with Go 1.27 or later, ML-DSA keys", quote(path))
	case err != nil && block.Type == "OPENSSH PRIVATE KEY":
		return nil, usageError("key file %s is an OpenSSH private key, which jwt does not read: convert it to PKCS #8, e.g. with ssh-keygen -p -m PKCS8 -f KEY", quote(path))
	case err != nil:
		return nil, keyError(err, "key file %s", quote(path))
	}
	if kf.jwk, err = jwt.NewJWK(key); err != nil {
		return nil, keyError(err, "the %s in %s", kf.kind, quote(path))
	}
	return kf, nil
}

// rawSecret returns data as a raw HMAC secret.
func rawSecret(path string, data []byte) (*keyFile, error) {
	if len(data) == 0 {
		return nil, usageError("key file %s is empty", quote(path))
	}
	k, err := jwt.NewJWK(data)
	if err != nil {
		return nil, keyError(err, "the raw secret in %s", quote(path))
	}
	return &keyFile{path: path, kind: "raw secret", jwk: k}, nil
}

func skippedNote(skipped []error) string {
	if len(skipped) == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d skipped; the first: %s)", len(skipped), libText(skipped[0]))
}
