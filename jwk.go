package jwt

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strings"

	"github.com/jwtkit/jwt/internal/strictjson"
)

// Errors of the key functions. Each wraps ErrInvalidKey, so a caller that
// only asks "was the key bad?" tests for ErrInvalidKey.
var (
	// ErrUnsupportedKeyType reports a key type or curve this package does not
	// implement, such as kty "RSA-HSM", crv "X25519" or crv "secp256k1".
	ErrUnsupportedKeyType = fmt.Errorf("%w: unsupported key type", ErrInvalidKey)
	// ErrKeyUsage reports a JWK whose "use" or "key_ops" forbids the requested operation.
	ErrKeyUsage = fmt.Errorf("%w: key use not permitted", ErrInvalidKey)
	// ErrPrivateKeyInSet reports private or secret key material where only public keys are allowed.
	ErrPrivateKeyInSet = fmt.Errorf("%w: private key material in a public JWK Set", ErrInvalidKey)
	// ErrEncryptedPEM reports an encrypted PEM block, which this package does not decrypt.
	ErrEncryptedPEM = fmt.Errorf("%w: encrypted PEM is not supported", ErrInvalidKey)
)

// JWK is a JSON Web Key (RFC 7517) holding one key of type "RSA", "EC"
// (curves P-256, P-384 and P-521, RFC 7518 §6), "OKP" (Ed25519, RFC 8037) or
// "oct" (a symmetric secret).
//
// Key holds the key itself, as one of *rsa.PublicKey, *rsa.PrivateKey,
// *ecdsa.PublicKey, *ecdsa.PrivateKey, ed25519.PublicKey,
// ed25519.PrivateKey or []byte (a secret of kty "oct").
//
// A JWK is written out in its public form by [JWK.MarshalJSON] (and so by
// encoding/json); private members are written only by
// [JWK.MarshalPrivateJSON]. A symmetric key has no public form.
//
// The JWK's "alg", "use" and "key_ops" restrict what [JWK.Verifier] and
// [JWK.Signer] build from it.
type JWK struct {
	// KeyType is the "kty" member. ParseJWK and NewJWK set it. When a JWK is
	// written, kty is derived from Key; a non-empty KeyType must agree.
	KeyType string
	// KeyID is the "kid" member, or "".
	KeyID string
	// Use is the "use" member, such as "sig" or "enc", or "" if absent.
	Use string
	// KeyOps is the "key_ops" member, such as ["verify"], or nil if absent.
	KeyOps []string
	// Algorithm is the "alg" member, or "" if absent. When present it names
	// one of [Algorithms] and binds the key to that algorithm.
	Algorithm string
	// Key is the key; see the type documentation for the types allowed.
	Key any
	// X5C is the "x5c" member: DER certificates, the first holding Key.
	X5C [][]byte
	// X5T is the "x5t" member: the SHA-1 digest of the DER certificate.
	X5T []byte
	// X5TS256 is the "x5t#S256" member: the SHA-256 digest of the DER certificate.
	X5TS256 []byte
	// Extra holds the members this package does not interpret, such as
	// "x5u" or provider-specific ones, by name. They are written out as
	// they are; a name this package interprets is an error there.
	Extra map[string]json.RawMessage
}

// jwkMembers returns the key members of kty, or nil for an unknown kty.
func jwkMembers(kty string) []string {
	switch kty {
	case "RSA":
		return []string{"n", "e", "d", "p", "q", "dp", "dq", "qi", "oth"}
	case "EC":
		return []string{"crv", "x", "y", "d"}
	case "OKP":
		return []string{"crv", "x", "d"}
	case "oct":
		return []string{"k"}
	}
	return nil
}

// isJWKMember reports whether name is a member this package interprets.
func isJWKMember(name string) bool {
	switch name {
	case "kty", "kid", "use", "key_ops", "alg", "x5c", "x5t", "x5t#S256",
		"crv", "x", "y", "d", "n", "e", "p", "q", "dp", "dq", "qi", "oth", "k":
		return true
	}
	return false
}

// isPrivateJWKMember reports whether name holds private or secret key material.
func isPrivateJWKMember(name string) bool {
	switch name {
	case "d", "p", "q", "dp", "dq", "qi", "oth", "k":
		return true
	}
	return false
}

// jwkError returns an error wrapping ErrInvalidKey (and any error among
// args formatted with %w).
func jwkError(format string, args ...any) error {
	return fmt.Errorf("%w: JWK: "+format, append([]any{ErrInvalidKey}, args...)...)
}

// multiError is an error that wraps several errors with a message of its
// own, so that a message says "jwt:" once.
type multiError struct {
	msg  string
	errs []error
}

func (e *multiError) Error() string   { return e.msg }
func (e *multiError) Unwrap() []error { return e.errs }

// NewJWK returns a JWK holding key, which must be one of the types listed
// for [JWK], or a crypto.Signer (such as a key in a KMS) whose public key is,
// in which case the JWK holds that public key. The key is checked as
// [ParseJWK] checks a parsed one. The caller may then set KeyID (see
// [JWK.SetThumbprintKeyID]), Algorithm, Use and the other fields.
func NewJWK(key any) (*JWK, error) {
	switch k := key.(type) {
	case *rsa.PublicKey, *rsa.PrivateKey, *ecdsa.PublicKey, *ecdsa.PrivateKey,
		ed25519.PublicKey, ed25519.PrivateKey, []byte:
	case crypto.Signer:
		key = k.Public()
	}
	kty, err := checkJWKKey(key)
	if err != nil {
		return nil, err
	}
	if priv, ok := key.(*rsa.PrivateKey); ok {
		if err := priv.Validate(); err != nil {
			return nil, fmt.Errorf("%w: RSA private key: %w", ErrInvalidKey, err)
		}
	}
	return &JWK{KeyType: kty, Key: key}, nil
}

// checkJWKKey checks key as a JWK key and returns its kty.
func checkJWKKey(key any) (string, error) {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if k == nil {
			return "", jwkError("nil key")
		}
		if k.D == nil || len(k.Primes) != 2 {
			return "", fmt.Errorf("%w: RSA private key must have D and exactly two primes", ErrUnsupportedKeyType)
		}
		return checkJWKKey(&k.PublicKey)
	case *rsa.PublicKey:
		if err := checkRSAPublic("JWK", k); err != nil {
			return "", err
		}
		return "RSA", nil
	case *ecdsa.PrivateKey:
		if k == nil {
			return "", jwkError("nil key")
		}
		if _, err := k.Bytes(); err != nil {
			return "", fmt.Errorf("%w: JWK: EC private key: %w", ErrInvalidKey, err)
		}
		return checkJWKKey(&k.PublicKey)
	case *ecdsa.PublicKey:
		if k == nil || k.Curve == nil {
			return "", jwkError("nil key")
		}
		if jwkCurveName(k.Curve) == "" {
			return "", fmt.Errorf("%w: EC curve %s", ErrUnsupportedKeyType, k.Curve.Params().Name)
		}
		if _, err := k.Bytes(); err != nil {
			return "", fmt.Errorf("%w: JWK: EC public key: %w", ErrInvalidKey, err)
		}
		return "EC", nil
	case ed25519.PrivateKey:
		if len(k) != ed25519.PrivateKeySize {
			return "", jwkError("Ed25519 private key is %d bytes, want %d", len(k), ed25519.PrivateKeySize)
		}
		return checkJWKKey(ed25519.PublicKey(k[ed25519.SeedSize:]))
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return "", jwkError("Ed25519 public key is %d bytes, want %d", len(k), ed25519.PublicKeySize)
		}
		if err := checkEd25519PublicKey(k); err != nil {
			return "", fmt.Errorf("%w: %w", ErrInvalidKey, err)
		}
		return "OKP", nil
	case []byte:
		if len(k) == 0 {
			return "", jwkError("empty symmetric key")
		}
		return "oct", nil
	case nil:
		return "", jwkError("no key")
	}
	return "", fmt.Errorf("%w: %T", ErrUnsupportedKeyType, key)
}

func jwkCurveName(c elliptic.Curve) string {
	switch c {
	case elliptic.P256():
		return "P-256"
	case elliptic.P384():
		return "P-384"
	case elliptic.P521():
		return "P-521"
	}
	return ""
}

func jwkCurve(name string) elliptic.Curve {
	switch name {
	case "P-256":
		return elliptic.P256()
	case "P-384":
		return elliptic.P384()
	case "P-521":
		return elliptic.P521()
	}
	return nil
}

// ParseJWK parses a JWK and checks it: the members are strict base64url
// (no padding, canonical trailing bits); EC coordinates are full length and
// the point is on the curve; an Ed25519 "x" is the canonical encoding of a
// curve point that is not of small order (see [EdDSAAlgorithm]); an RSA key
// is as [RSAAlgorithm] requires and an RSA private key is consistent; an "oct" key is not empty;
// private members match the public ones; "alg", if present, is one of
// [Algorithms] and fits the key type and curve; the first "x5c"
// certificate, if present, holds the same public key, and "x5t" and
// "x5t#S256" are its digests. Members this package does not interpret are
// kept in Extra. Duplicate member names (also differing only in case) are
// rejected.
//
// Every error wraps ErrInvalidKey; an unknown "kty" or curve also wraps
// ErrUnsupportedKeyType, and an unknown or "none" "alg" ErrUnsupportedAlgorithm.
func ParseJWK(data []byte) (*JWK, error) {
	m, err := jwkObject(data)
	if err != nil {
		return nil, err
	}
	return parseJWKMembers(m)
}

// UnmarshalJSON parses data as [ParseJWK] does into k.
func (k *JWK) UnmarshalJSON(data []byte) error {
	p, err := ParseJWK(data)
	if err != nil {
		return err
	}
	*k = *p
	return nil
}

// jwkObject reads a JSON object into its members with the package's
// strict reader: no duplicate names (under encoding/json's folding, at any
// depth), no invalid UTF-8, nothing after the object. Its errors name what is
// wrong, never a value, since a member may hold a secret.
func jwkObject(data []byte) (map[string]json.RawMessage, error) {
	r := strictjson.NewReader(string(data))
	if err := r.ObjectStart(); err != nil {
		return nil, jwkSyntax(err)
	}
	m := make(map[string]json.RawMessage)
	var names strictjson.NameSet
	name, ok, err := r.FirstMember()
	for ; ok && err == nil; name, ok, err = r.NextMember() {
		if err = names.Add(name); err != nil {
			return nil, jwkSyntax(err)
		}
		r.Peek()
		start := r.Offset()
		if err = r.Skip(); err != nil {
			// The reader's detail never quotes a value, but it may quote a
			// name inside this value, which is part of the key: keep only
			// details that quote nothing.
			if d := syntaxDetail(err); !strings.Contains(d, `"`) {
				return nil, jwkError("invalid JSON in member %s: %s", quote(name), d)
			}
			return nil, jwkError("invalid JSON in member %s", quote(name))
		}
		m[name] = json.RawMessage(r.Slice(start))
	}
	if err != nil {
		return nil, jwkSyntax(err)
	}
	if err := r.End(); err != nil {
		return nil, jwkSyntax(err)
	}
	return m, nil
}

// jwkArray reads a JSON array into its elements, each checked as
// jwkObject checks a member.
func jwkArray(raw json.RawMessage) ([]json.RawMessage, bool) {
	r := strictjson.NewReader(string(raw))
	if r.ArrayStart() != nil {
		return nil, false
	}
	elems := []json.RawMessage{}
	for first := true; ; first = false {
		more, err := r.ArrayNext(first)
		if err != nil {
			return nil, false
		}
		if !more {
			break
		}
		r.Peek()
		start := r.Offset()
		if r.Skip() != nil {
			return nil, false
		}
		elems = append(elems, json.RawMessage(r.Slice(start)))
	}
	return elems, r.End() == nil
}

// syntaxDetail returns what a reader error says is wrong, without the
// "malformed token" wording, which is about tokens.
func syntaxDetail(err error) string {
	var e *strictjson.Error
	if errors.As(err, &e) {
		return e.Detail
	}
	return "invalid JSON"
}

func jwkSyntax(err error) error { return jwkError("invalid JSON: %s", syntaxDetail(err)) }

// jwkString returns the string member name, and whether it is present.
func jwkString(m map[string]json.RawMessage, name string) (string, bool, error) {
	raw, ok := m[name]
	if !ok {
		return "", false, nil
	}
	r := strictjson.NewReader(string(raw))
	s, err := r.String()
	if err != nil {
		return "", false, jwkError("member %s is not a string", quote(name))
	}
	return s, true, nil
}

// jwkStrings returns the member name as an array of strings.
func jwkStrings(m map[string]json.RawMessage, name string) ([]string, bool, error) {
	raw, ok := m[name]
	if !ok {
		return nil, false, nil
	}
	r := strictjson.NewReader(string(raw))
	v, err := r.StringArray()
	if err != nil {
		return nil, false, jwkError("member %s is not an array of strings", quote(name))
	}
	return v, true, nil
}

// jwkBytes returns the base64url-decoded member name; it is an error if the
// member is absent and required.
func jwkBytes(m map[string]json.RawMessage, kty, name string, required bool) ([]byte, error) {
	s, ok, err := jwkString(m, name)
	if err != nil {
		return nil, err
	}
	if !ok {
		if required {
			return nil, jwkError("kty %q requires member %q", kty, name)
		}
		return nil, nil
	}
	b, err := decodeSegment(nil, s)
	if err != nil {
		// The decoder's message names an offset in the member; say only
		// which member, as it may be a secret.
		return nil, &multiError{
			msg:  fmt.Sprintf("%s: JWK: member %s is not strict base64url", ErrInvalidKey, quote(name)),
			errs: []error{ErrInvalidKey, ErrMalformed},
		}
	}
	return b, nil
}

// jwkUint decodes a Base64urlUInt member (RFC 7518 §2): no leading zero
// octets, unless minimal is false.
func jwkUint(m map[string]json.RawMessage, kty, name string, minimal bool) (*big.Int, error) {
	b, err := jwkBytes(m, kty, name, true)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, jwkError("member %q is empty", name)
	}
	if minimal && b[0] == 0 {
		return nil, jwkError("member %q has a leading zero octet", name)
	}
	return new(big.Int).SetBytes(b), nil
}

func parseJWKMembers(m map[string]json.RawMessage) (*JWK, error) {
	kty, ok, err := jwkString(m, "kty")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, jwkError(`missing member "kty"`)
	}
	members := jwkMembers(kty)
	if members == nil {
		return nil, fmt.Errorf("%w: kty %q", ErrUnsupportedKeyType, kty)
	}
	k := &JWK{KeyType: kty}
	for name, raw := range m {
		switch {
		case !isJWKMember(name):
			if k.Extra == nil {
				k.Extra = make(map[string]json.RawMessage)
			}
			k.Extra[name] = raw
		case name == "kty" || name == "kid" || name == "use" || name == "alg" ||
			name == "key_ops" || name == "x5c" || name == "x5t" || name == "x5t#S256":
		case !slices.Contains(members, name):
			return nil, jwkError("member %q is not defined for kty %q", name, kty)
		}
	}
	if k.KeyID, _, err = jwkString(m, "kid"); err != nil {
		return nil, err
	}
	if k.Use, _, err = jwkString(m, "use"); err != nil {
		return nil, err
	}
	if k.Algorithm, _, err = jwkString(m, "alg"); err != nil {
		return nil, err
	}
	if k.KeyOps, _, err = jwkStrings(m, "key_ops"); err != nil {
		return nil, err
	}
	{
		for i, op := range k.KeyOps {
			if slices.Contains(k.KeyOps[:i], op) {
				return nil, jwkError(`member "key_ops" repeats %q`, op)
			}
		}
	}

	switch kty {
	case "RSA":
		k.Key, err = parseRSAJWK(m)
	case "EC":
		k.Key, err = parseECJWK(m)
	case "OKP":
		k.Key, err = parseOKPJWK(m)
	case "oct":
		var secret []byte
		secret, err = jwkBytes(m, kty, "k", true)
		if err == nil && len(secret) == 0 {
			err = jwkError(`member "k" is empty`)
		}
		k.Key = secret
	}
	if err != nil {
		return nil, err
	}
	if err := k.parseX509(m); err != nil {
		return nil, err
	}
	if k.Algorithm != "" {
		if err := checkJWKAlgorithm(k.Algorithm, k.Key); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// checkJWKAlgorithm checks that the algorithm named alg fits key.
func checkJWKAlgorithm(alg string, key any) error {
	a, err := AlgorithmByName(alg)
	if err != nil {
		return fmt.Errorf("%w: JWK alg: %w", ErrInvalidKey, err)
	}
	if _, err := a.NewVerifier(publicKeyOf(key)); err != nil {
		return fmt.Errorf("JWK alg %q does not fit the key: %w", alg, err)
	}
	return nil
}

func parseRSAJWK(m map[string]json.RawMessage) (any, error) {
	n, err := jwkUint(m, "RSA", "n", true)
	if err != nil {
		return nil, err
	}
	eb, err := jwkBytes(m, "RSA", "e", true)
	if err != nil {
		return nil, err
	}
	if len(eb) == 0 || eb[0] == 0 || len(eb) > 4 {
		return nil, jwkError(`RSA member "e" is not a minimal exponent of at most 4 octets`)
	}
	e := new(big.Int).SetBytes(eb)
	if !e.IsInt64() || e.Int64() > 1<<31-1 {
		return nil, jwkError("RSA public exponent too large")
	}
	pub := &rsa.PublicKey{N: n, E: int(e.Int64())}
	if err := checkRSAPublic("JWK", pub); err != nil {
		return nil, err
	}
	_, hasD := m["d"]
	if !hasD {
		for _, name := range []string{"p", "q", "dp", "dq", "qi", "oth"} {
			if _, ok := m[name]; ok {
				return nil, jwkError("RSA member %q without \"d\"", name)
			}
		}
		return pub, nil
	}
	if _, ok := m["oth"]; ok {
		return nil, fmt.Errorf(`%w: RSA keys with more than two primes ("oth")`, ErrUnsupportedKeyType)
	}
	var v [6]*big.Int
	for i, name := range []string{"d", "p", "q", "dp", "dq", "qi"} {
		if _, ok := m[name]; !ok && i > 0 {
			return nil, fmt.Errorf(`%w: RSA private JWK without %q (only "d" with all of "p", "q", "dp", "dq", "qi" is supported)`, ErrUnsupportedKeyType, name)
		}
		if v[i], err = jwkUint(m, "RSA", name, false); err != nil {
			return nil, err
		}
	}
	priv := &rsa.PrivateKey{
		PublicKey:   *pub,
		D:           v[0],
		Primes:      []*big.Int{v[1], v[2]},
		Precomputed: rsa.PrecomputedValues{Dp: v[3], Dq: v[4], Qinv: v[5]},
	}
	if err := priv.Validate(); err != nil {
		return nil, jwkError("inconsistent RSA private key: %w", err)
	}
	priv.Precompute()
	return priv, nil
}

func parseECJWK(m map[string]json.RawMessage) (any, error) {
	crv, ok, err := jwkString(m, "crv")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, jwkError(`kty "EC" requires member "crv"`)
	}
	curve := jwkCurve(crv)
	if curve == nil {
		return nil, fmt.Errorf("%w: EC curve %q", ErrUnsupportedKeyType, crv)
	}
	size := (curve.Params().BitSize + 7) / 8
	x, err := jwkBytes(m, "EC", "x", true)
	if err != nil {
		return nil, err
	}
	y, err := jwkBytes(m, "EC", "y", true)
	if err != nil {
		return nil, err
	}
	if len(x) != size || len(y) != size {
		return nil, jwkError("%s coordinates must be %d octets, got %d and %d", crv, size, len(x), len(y))
	}
	point := make([]byte, 0, 1+2*size)
	point = append(append(append(point, 4), x...), y...)
	pub, err := ecdsa.ParseUncompressedPublicKey(curve, point)
	if err != nil {
		return nil, jwkError("point is not on %s: %w", crv, err)
	}
	d, err := jwkBytes(m, "EC", "d", false)
	if err != nil || d == nil {
		return pub, err
	}
	if len(d) != size {
		return nil, jwkError("%s private key must be %d octets, got %d", crv, size, len(d))
	}
	priv, err := ecdsa.ParseRawPrivateKey(curve, d)
	if err != nil {
		return nil, jwkError("invalid %s private key: %w", crv, err)
	}
	if !priv.PublicKey.Equal(pub) {
		return nil, jwkError(`EC private key "d" does not match "x" and "y"`)
	}
	return priv, nil
}

func parseOKPJWK(m map[string]json.RawMessage) (any, error) {
	crv, ok, err := jwkString(m, "crv")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, jwkError(`kty "OKP" requires member "crv"`)
	}
	if crv != "Ed25519" {
		return nil, fmt.Errorf("%w: OKP curve %q", ErrUnsupportedKeyType, crv)
	}
	x, err := jwkBytes(m, "OKP", "x", true)
	if err != nil {
		return nil, err
	}
	if len(x) != ed25519.PublicKeySize {
		return nil, jwkError("Ed25519 public key must be %d octets, got %d", ed25519.PublicKeySize, len(x))
	}
	if err := checkEd25519PublicKey(x); err != nil {
		return nil, fmt.Errorf(`%w: JWK: member "x": %w`, ErrInvalidKey, err)
	}
	d, err := jwkBytes(m, "OKP", "d", false)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return ed25519.PublicKey(x), nil
	}
	if len(d) != ed25519.SeedSize {
		return nil, jwkError("Ed25519 private key must be %d octets, got %d", ed25519.SeedSize, len(d))
	}
	priv := ed25519.NewKeyFromSeed(d)
	if !bytes.Equal(priv[ed25519.SeedSize:], x) {
		return nil, jwkError(`Ed25519 private key "d" does not match "x"`)
	}
	return priv, nil
}

// parseX509 reads x5c, x5t and x5t#S256 and checks them against k.Key.
func (k *JWK) parseX509(m map[string]json.RawMessage) error {
	if certs, ok, err := jwkStrings(m, "x5c"); ok || err != nil {
		if err != nil || len(certs) == 0 {
			return jwkError(`member "x5c" is not a non-empty array of strings`)
		}
		for i, c := range certs {
			if strings.ContainsAny(c, "\r\n") {
				return jwkError(`"x5c" certificate %d contains a line break`, i)
			}
			der, err := base64.StdEncoding.Strict().DecodeString(c)
			if err != nil {
				return jwkError(`"x5c" certificate %d is not strict base64: %w`, i, err)
			}
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				return jwkError(`"x5c" certificate %d: %w`, i, err)
			}
			if i == 0 {
				pub, ok := cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
				if !ok || !pub.Equal(publicKeyOf(k.Key)) {
					return jwkError(`the first "x5c" certificate holds another key`)
				}
			}
			k.X5C = append(k.X5C, der)
		}
	}
	for _, t := range []struct {
		name string
		dst  *[]byte
		size int
	}{{"x5t", &k.X5T, sha1.Size}, {"x5t#S256", &k.X5TS256, sha256.Size}} {
		b, err := jwkBytes(m, k.KeyType, t.name, false)
		if err != nil {
			return err
		}
		if b == nil {
			continue
		}
		if len(b) != t.size {
			return jwkError("member %q must be %d octets, got %d", t.name, t.size, len(b))
		}
		*t.dst = b
	}
	if len(k.X5C) > 0 {
		if s := sha1.Sum(k.X5C[0]); k.X5T != nil && !bytes.Equal(k.X5T, s[:]) {
			return jwkError(`"x5t" is not the digest of the first "x5c" certificate`)
		}
		if s := sha256.Sum256(k.X5C[0]); k.X5TS256 != nil && !bytes.Equal(k.X5TS256, s[:]) {
			return jwkError(`"x5t#S256" is not the digest of the first "x5c" certificate`)
		}
	}
	return nil
}

// publicKeyOf returns the public half of a private key, and any other key
// as it is.
func publicKeyOf(key any) any {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if k != nil {
			return &k.PublicKey
		}
	case *ecdsa.PrivateKey:
		if k != nil {
			return &k.PublicKey
		}
	case ed25519.PrivateKey:
		if len(k) == ed25519.PrivateKeySize {
			return ed25519.PublicKey(k[ed25519.SeedSize:])
		}
	}
	return key
}

// IsPrivate reports whether k holds a private or secret key: an RSA, EC or
// Ed25519 private key, or a symmetric key.
func (k *JWK) IsPrivate() bool {
	switch k.Key.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey, []byte:
		return true
	}
	return false
}

// Public returns a copy of k holding only its public key, or nil if k holds
// a symmetric key, which has no public form. Slices and maps are copied.
func (k *JWK) Public() *JWK {
	if _, ok := k.Key.([]byte); ok {
		return nil
	}
	p := *k
	p.Key = publicKeyOf(k.Key)
	p.KeyOps = slices.Clone(k.KeyOps)
	p.X5C = make([][]byte, len(k.X5C))
	for i, c := range k.X5C {
		p.X5C[i] = slices.Clone(c)
	}
	if k.X5C == nil {
		p.X5C = nil
	}
	p.X5T = slices.Clone(k.X5T)
	p.X5TS256 = slices.Clone(k.X5TS256)
	if k.Extra != nil {
		p.Extra = make(map[string]json.RawMessage, len(k.Extra))
		for n, v := range k.Extra {
			p.Extra[n] = slices.Clone(v)
		}
	}
	return &p
}

// String returns a short description of k that never shows key material,
// so that a JWK can be logged.
func (k JWK) String() string {
	kind := "public"
	if k.IsPrivate() {
		kind = "private"
	}
	return fmt.Sprintf("JWK(kty=%q kid=%q alg=%q %s)", k.KeyType, k.KeyID, k.Algorithm, kind)
}

// MarshalJSON returns the public form of k: it never writes private or
// secret members. A symmetric ("oct") key has no public form, and is an
// error wrapping ErrInvalidKey; use [JWK.MarshalPrivateJSON] to write it.
//
// MarshalJSON has a value receiver so that encoding/json uses it for both
// JWK and *JWK and never writes the Key field's internals.
func (k JWK) MarshalJSON() ([]byte, error) {
	return k.marshal(false)
}

// MarshalPrivateJSON returns k with its private or secret members, if it
// has any. The result is a secret: store it as one.
func (k *JWK) MarshalPrivateJSON() ([]byte, error) {
	return k.marshal(true)
}

func (k *JWK) marshal(private bool) ([]byte, error) {
	kty, err := checkJWKKey(k.Key)
	if err != nil {
		return nil, err
	}
	if k.KeyType != "" && k.KeyType != kty {
		return nil, jwkError("KeyType %q does not match a key of type %q", k.KeyType, kty)
	}
	if kty == "oct" && !private {
		return nil, jwkError(`a symmetric key has no public form; use MarshalPrivateJSON`)
	}
	if k.Algorithm != "" {
		if err := checkJWKAlgorithm(k.Algorithm, k.Key); err != nil {
			return nil, err
		}
	}
	b := []byte(`{"kty":`)
	b = appendJWKString(b, kty)
	str := func(name, v string) {
		if v != "" {
			b = append(b, ',')
			b = appendJWKString(b, name)
			b = append(b, ':')
			b = appendJWKString(b, v)
		}
	}
	bin := func(name string, v []byte) {
		b = append(b, ',')
		b = appendJWKString(b, name)
		b = append(b, `:"`...)
		b = appendEncode(b, v)
		b = append(b, '"')
	}
	str("kid", k.KeyID)
	str("use", k.Use)
	if k.KeyOps != nil {
		ops, err := json.Marshal(k.KeyOps)
		if err != nil {
			return nil, err
		}
		b = append(append(b, `,"key_ops":`...), ops...)
	}
	str("alg", k.Algorithm)
	switch key := k.Key.(type) {
	case *rsa.PublicKey:
		appendRSAJWK(bin, key, nil)
	case *rsa.PrivateKey:
		if !private {
			appendRSAJWK(bin, &key.PublicKey, nil)
			break
		}
		appendRSAJWK(bin, &key.PublicKey, key)
	case *ecdsa.PublicKey:
		if err := appendECJWK(str, bin, key, nil); err != nil {
			return nil, err
		}
	case *ecdsa.PrivateKey:
		var priv *ecdsa.PrivateKey
		if private {
			priv = key
		}
		if err := appendECJWK(str, bin, &key.PublicKey, priv); err != nil {
			return nil, err
		}
	case ed25519.PublicKey:
		str("crv", "Ed25519")
		bin("x", key)
	case ed25519.PrivateKey:
		str("crv", "Ed25519")
		bin("x", key[ed25519.SeedSize:])
		if private {
			bin("d", key.Seed())
		}
	case []byte:
		bin("k", key)
	}
	if len(k.X5C) > 0 {
		b = append(b, `,"x5c":[`...)
		for i, c := range k.X5C {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '"')
			b = base64.StdEncoding.AppendEncode(b, c)
			b = append(b, '"')
		}
		b = append(b, ']')
	}
	if k.X5T != nil {
		bin("x5t", k.X5T)
	}
	if k.X5TS256 != nil {
		bin("x5t#S256", k.X5TS256)
	}
	names := make([]string, 0, len(k.Extra))
	for n := range k.Extra {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if isJWKMember(n) {
			return nil, jwkError("Extra member %q is interpreted by this package; set the field instead", n)
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, k.Extra[n]); err != nil {
			return nil, jwkError("Extra member %q is not valid JSON: %w", n, err)
		}
		b = append(b, ',')
		b = appendJWKString(b, n)
		b = append(b, ':')
		b = append(b, buf.Bytes()...)
	}
	return append(b, '}'), nil
}

func appendRSAJWK(bin func(string, []byte), pub *rsa.PublicKey, priv *rsa.PrivateKey) {
	bin("n", pub.N.Bytes())
	bin("e", big.NewInt(int64(pub.E)).Bytes())
	if priv == nil {
		return
	}
	p, q := priv.Primes[0], priv.Primes[1]
	dp, dq, qi := priv.Precomputed.Dp, priv.Precomputed.Dq, priv.Precomputed.Qinv
	if dp == nil || dq == nil || qi == nil {
		// Compute the CRT values here rather than call Precompute, which
		// would modify the caller's key.
		one := big.NewInt(1)
		dp = new(big.Int).Mod(priv.D, new(big.Int).Sub(p, one))
		dq = new(big.Int).Mod(priv.D, new(big.Int).Sub(q, one))
		qi = new(big.Int).ModInverse(q, p)
		if qi == nil {
			qi = new(big.Int)
		}
	}
	bin("d", priv.D.Bytes())
	bin("p", p.Bytes())
	bin("q", q.Bytes())
	bin("dp", dp.Bytes())
	bin("dq", dq.Bytes())
	bin("qi", qi.Bytes())
}

func appendECJWK(str func(string, string), bin func(string, []byte), pub *ecdsa.PublicKey, priv *ecdsa.PrivateKey) error {
	point, err := pub.Bytes()
	if err != nil {
		return jwkError("EC public key: %w", err)
	}
	size := (len(point) - 1) / 2
	str("crv", jwkCurveName(pub.Curve))
	bin("x", point[1:1+size])
	bin("y", point[1+size:])
	if priv != nil {
		d, err := priv.Bytes()
		if err != nil {
			return jwkError("EC private key: %w", err)
		}
		bin("d", d)
	}
	return nil
}

func appendJWKString(dst []byte, s string) []byte {
	b, _ := json.Marshal(s) // a string always marshals
	return append(dst, b...)
}

// Verifier returns a Verifier for the key of k, carrying k's key ID if it
// has one (see [VerifierWithKeyID]).
//
// If alg is nil, the key is bound to k's "alg", and a JWK without "alg" is an
// error. If alg is not nil it binds a JWK without "alg" (as many providers
// publish them) to alg; a JWK whose "alg" names another algorithm is an
// error wrapping ErrAlgorithmMismatch. The key must fit the algorithm. If k
// has "use" it must be "sig", and if it has "key_ops" they must include
// "verify"; otherwise the error wraps ErrKeyUsage.
func (k *JWK) Verifier(alg Algorithm) (Verifier, error) {
	a, err := k.bind(alg, "verify")
	if err != nil {
		return nil, err
	}
	v, err := a.NewVerifier(publicKeyOf(k.Key))
	if err != nil {
		return nil, err
	}
	if k.KeyID != "" {
		v = VerifierWithKeyID(v, k.KeyID)
	}
	return v, nil
}

// Signer returns a Signer for the private or secret key of k, carrying k's
// key ID if it has one (see [SignerWithKeyID]). alg binds the key as for
// [JWK.Verifier]; "key_ops", if present, must include "sign". A JWK with only
// a public key is an error wrapping ErrInvalidKey.
func (k *JWK) Signer(alg Algorithm) (Signer, error) {
	a, err := k.bind(alg, "sign")
	if err != nil {
		return nil, err
	}
	if !k.IsPrivate() {
		return nil, jwkError("a public key cannot sign")
	}
	s, err := a.NewSigner(k.Key)
	if err != nil {
		return nil, err
	}
	if k.KeyID != "" {
		s = SignerWithKeyID(s, k.KeyID)
	}
	return s, nil
}

// bind returns the algorithm k is used with for op ("sign" or "verify").
func (k *JWK) bind(alg Algorithm, op string) (Algorithm, error) {
	if k == nil || k.Key == nil {
		return nil, jwkError("no key")
	}
	if k.Use != "" && k.Use != "sig" {
		return nil, fmt.Errorf("%w: JWK %q has use %q, not \"sig\"", ErrKeyUsage, k.KeyID, k.Use)
	}
	if k.KeyOps != nil && !slices.Contains(k.KeyOps, op) {
		return nil, fmt.Errorf("%w: JWK %q has key_ops %q, without %q", ErrKeyUsage, k.KeyID, k.KeyOps, op)
	}
	if alg == nil {
		if k.Algorithm == "" {
			return nil, jwkError(`JWK %q has no "alg"; bind it to an algorithm explicitly`, k.KeyID)
		}
		a, err := AlgorithmByName(k.Algorithm)
		if err != nil {
			return nil, fmt.Errorf("%w: JWK alg: %w", ErrInvalidKey, err)
		}
		return a, nil
	}
	if k.Algorithm != "" && k.Algorithm != alg.Name() {
		return nil, fmt.Errorf("%w: JWK %q is bound to %q, not %q", ErrAlgorithmMismatch, k.KeyID, k.Algorithm, alg.Name())
	}
	return alg, nil
}
