package jwt

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
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
	"strings"

	"github.com/jwtkit/jwt/internal/strictjson"
)

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
		return annotate(err, "JWK alg %s does not fit the key", quote(alg))
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
