package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
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

// pick returns the key of a JWK Set named by kid, or its only key: the
// operator's choice, so a missing key exits with status 2.
func (kf *keyFile) pick(kid string) (*jwt.JWK, error) {
	if kid != "" {
		if k := kf.set.Key(kid); k != nil {
			return k, nil
		}
		return nil, usageError("the JWK Set in %s has no key with kid %s%s", quote(kf.path), quote(kid), skippedNote(kf.skipped))
	}
	if len(kf.set.Keys) == 1 {
		return kf.set.Keys[0], nil
	}
	return nil, usageError("the JWK Set in %s holds %d keys: choose one with --kid", quote(kf.path), len(kf.set.Keys))
}

// algorithm returns the algorithm to use with k, a key of the file: --alg,
// the key's own "alg", or the one algorithm the key fits. Neither, or --alg
// and "alg" disagreeing, is an error.
func (kf *keyFile) algorithm(k *jwt.JWK, flagAlg string) (jwt.Algorithm, error) {
	switch {
	case flagAlg != "" && k.Algorithm != "" && flagAlg != k.Algorithm:
		return nil, usageError("--alg %s disagrees with the \"alg\" %s of the key in %s", flagAlg, quote(k.Algorithm), quote(kf.path))
	case flagAlg != "":
		return algorithmByName(flagAlg)
	case k.Algorithm != "":
		a, err := jwt.AlgorithmByName(k.Algorithm)
		if err != nil {
			return nil, usageError("the key in %s has the unsupported \"alg\" %s", quote(kf.path), quote(k.Algorithm))
		}
		return a, nil
	}
	if a := inferAlgorithm(k.Key); a != nil {
		return a, nil
	}
	return nil, usageError("no algorithm: give --alg (the %s in %s is %s, which fits %s, and has no \"alg\" member; the algorithm is never taken from the token)",
		kf.kind, quote(kf.path), describeKey(k.Key), strings.Join(fittingAlgorithms(k.Key), ", "))
}

// checkFits returns an error if alg cannot use k's kind of key. The library
// checks this too; jwt checks first to say it in words.
func (kf *keyFile) checkFits(k *jwt.JWK, alg jwt.Algorithm) error {
	if fits(alg, k.Key) {
		return nil
	}
	return usageError("the %s in %s cannot be used with %s: it is %s, which is for %s, not %s",
		kf.kind, quote(kf.path), alg.Name(), describeKey(k.Key), strings.Join(fittingAlgorithms(k.Key), ", "), alg.Name())
}

// inferAlgorithm returns the algorithm of a key that fits only one: Ed25519
// keys EdDSA, and EC keys ES256, ES384 or ES512 by their curve. An Ed25519
// key also fits RFC 9864's "Ed25519", the same algorithm under its
// fully-specified name; "EdDSA" is what every verifier reads. It returns
// nil for RSA keys and secrets, which fit several.
func inferAlgorithm(key any) jwt.Algorithm {
	algs := fittingAlgorithms(key)
	if len(algs) == 2 && algs[0] == jwt.EdDSA.Name() && algs[1] == jwt.Ed25519.Name() {
		algs = algs[:1]
	}
	if len(algs) == 1 {
		a, _ := jwt.AlgorithmByName(algs[0])
		return a
	}
	return nil
}

// fittingAlgorithms returns the names of the algorithms that can use key.
func fittingAlgorithms(key any) []string {
	var names []string
	for _, a := range jwt.Algorithms() {
		if fits(a, key) {
			names = append(names, a.Name())
		}
	}
	return names
}

// fits reports whether alg can use key's kind of key (and, for ECDSA, its
// curve); sizes are left to the library.
func fits(alg jwt.Algorithm, key any) bool {
	switch a := alg.(type) {
	case jwt.HMACAlgorithm:
		_, ok := key.([]byte)
		return ok
	case jwt.RSAAlgorithm, jwt.RSAPSSAlgorithm:
		switch key.(type) {
		case *rsa.PublicKey, *rsa.PrivateKey:
			return true
		}
	case jwt.ECDSAAlgorithm:
		switch a {
		case jwt.ES256:
			return curveName(key) == "P-256"
		case jwt.ES384:
			return curveName(key) == "P-384"
		case jwt.ES512:
			return curveName(key) == "P-521"
		}
	case jwt.EdDSAAlgorithm:
		switch key.(type) {
		case ed25519.PublicKey, ed25519.PrivateKey:
			return true
		}
	case jwt.MLDSAAlgorithm:
		return mldsaFits(a, key)
	}
	return false
}

// curveName returns the curve of an EC key, or "".
func curveName(key any) string {
	switch k := key.(type) {
	case *ecdsa.PublicKey:
		return k.Curve.Params().Name
	case *ecdsa.PrivateKey:
		return k.Curve.Params().Name
	}
	return ""
}

// describeKey says what kind of key key is, in words, for messages.
func describeKey(key any) string {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("an RSA key of %d bits", k.N.BitLen())
	case *rsa.PrivateKey:
		return fmt.Sprintf("an RSA key of %d bits", k.N.BitLen())
	case *ecdsa.PublicKey, *ecdsa.PrivateKey:
		return "an EC key on " + curveName(key)
	case ed25519.PublicKey, ed25519.PrivateKey:
		return "an Ed25519 key"
	case []byte:
		return fmt.Sprintf("a secret of %d bytes", len(k))
	}
	if d := mldsaDescribe(key); d != "" {
		return d
	}
	return "a key of a type jwt does not use"
}

// signer returns a Signer for the key file, bound to --alg, the key's alg
// or the one algorithm the key fits. With a JWK Set, kid chooses the key;
// if kidSet, kid is written as the header "kid" in place of the key's own
// ("" for none).
func (kf *keyFile) signer(flagAlg, kid string, kidSet bool) (jwt.Signer, error) {
	k := kf.jwk
	if kf.set != nil {
		var err error
		if k, err = kf.pick(kid); err != nil {
			return nil, err
		}
	}
	alg, err := kf.algorithm(k, flagAlg)
	if err != nil {
		return nil, err
	}
	if !k.IsPrivate() {
		return nil, usageError("the %s in %s holds a public key, which cannot sign; give the private key", kf.kind, quote(kf.path))
	}
	if err := kf.checkFits(k, alg); err != nil {
		return nil, err
	}
	s, err := k.Signer(alg)
	if err != nil {
		return nil, keyError(err, "the %s in %s cannot be used with %s", kf.kind, quote(kf.path), alg.Name())
	}
	if kidSet {
		s = jwt.SignerWithKeyID(s, kid)
	}
	return s, nil
}

// verifier returns a Verifier for k, a key of the file chosen by the
// operator; kid, if set, must be k's kid or is given to a key without one.
func (kf *keyFile) verifier(k *jwt.JWK, flagAlg, kid string) (jwt.Verifier, error) {
	if kid != "" && k.KeyID != "" && kid != k.KeyID {
		return nil, usageError("--kid %s disagrees with the kid %s of the key in %s", quote(kid), quote(k.KeyID), quote(kf.path))
	}
	alg, err := kf.algorithm(k, flagAlg)
	if err != nil {
		return nil, err
	}
	if err := kf.checkFits(k, alg); err != nil {
		return nil, err
	}
	v, err := k.Verifier(alg)
	if err != nil {
		return nil, keyError(err, "the %s in %s cannot be used with %s", kf.kind, quote(kf.path), alg.Name())
	}
	if kid != "" && k.KeyID == "" {
		v = jwt.VerifierWithKeyID(v, kid)
	}
	return v, nil
}

// setKeys returns the KeySource of a JWK Set for tokens that choose the key
// by their kid: the library's KeySet of the keys that can verify with --alg
// or, without it, with their own "alg" or the one algorithm they fit.
// Keys it leaves out are left out for every token, so a token naming one
// is rejected; only a set with no usable key at all is the operator's
// error.
func (kf *keyFile) setKeys(flagAlg string) (jwt.KeySource, error) {
	set := kf.set
	var allowed []jwt.Algorithm
	if flagAlg != "" {
		a, err := algorithmByName(flagAlg)
		if err != nil {
			return nil, err
		}
		allowed = []jwt.Algorithm{a}
	} else {
		set = withInferredAlgorithms(set)
	}
	ks, skipped, err := set.KeySet(allowed...)
	if err != nil {
		with := ""
		if flagAlg != "" {
			with = " with --alg " + flagAlg
		}
		return nil, usageError("no key of the JWK Set in %s can verify signatures%s%s", quote(kf.path), with, skippedNote(append(kf.skipped, skipped...)))
	}
	return &setKeySource{keys: ks, set: set, allowed: allowed, path: kf.path}, nil
}

// withInferredAlgorithms returns set, or a copy of it in which each key
// without "alg" that fits only one algorithm is bound to that algorithm.
func withInferredAlgorithms(set *jwks.Set) *jwks.Set {
	out := &jwks.Set{Keys: slices.Clone(set.Keys), Extra: set.Extra}
	for i, k := range out.Keys {
		if a := inferAlgorithm(k.Key); k.Algorithm == "" && a != nil {
			c := *k
			c.Algorithm = a.Name()
			out.Keys[i] = &c
		}
	}
	return out
}

// setKeySource is the library's KeySet of a local JWK Set, which also says,
// for a token whose kid names a key the KeySet left out, why it was left
// out.
type setKeySource struct {
	keys    *jwt.KeySet
	set     *jwks.Set
	allowed []jwt.Algorithm
	path    string
}

func (s *setKeySource) Lookup(ctx context.Context, h jwt.Header) ([]jwt.Verifier, error) {
	vs, err := s.keys.Lookup(ctx, h)
	if errors.Is(err, jwt.ErrKeyNotFound) && h.KeyID != "" {
		if k := s.set.Key(h.KeyID); k != nil {
			return nil, fmt.Errorf("%w; the JWK Set in %s has a key with this kid, left out: %s", err, quote(s.path), s.leftOut(k))
		}
	}
	return vs, err
}

// leftOut says why the KeySet left k out, as the library does for a set of
// that one key, or in jwt's words when k does not fit --alg.
func (s *setKeySource) leftOut(k *jwt.JWK) string {
	if len(s.allowed) == 1 && k.Algorithm == "" && !fits(s.allowed[0], k.Key) {
		return fmt.Sprintf("it is %s, which --alg %s cannot use", describeKey(k.Key), s.allowed[0].Name())
	}
	_, skipped, _ := (&jwks.Set{Keys: []*jwt.JWK{k}}).KeySet(s.allowed...)
	if len(skipped) == 0 {
		return "it cannot verify signatures"
	}
	// The cause, without the set's "JWK Set key 0 (kid …)" around it.
	why := skipped[0]
	if u, ok := why.(interface{ Unwrap() []error }); ok && len(u.Unwrap()) > 0 {
		why = u.Unwrap()[0]
	} else if inner := errors.Unwrap(why); inner != nil {
		why = inner
	}
	text := libText(why)
	if k.Algorithm == "" && len(s.allowed) == 0 {
		text += " (give --alg)"
	}
	return text
}

// thumbprintJWK returns the key of the file whose thumbprint to print.
func (kf *keyFile) thumbprintJWK(kid string) (*jwt.JWK, error) {
	if kf.set != nil {
		return kf.pick(kid)
	}
	return kf.jwk, nil
}
