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
	"math/bits"
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
// "x5t#S256" are its digests. In FIPS 140-only mode, where SHA-1 is not
// available, "x5t" is checked for its form only and not kept: X5T is nil. Members this package does not interpret are
// kept in Extra. Duplicate member names (also differing only in case) are
// rejected.
//
// Every error wraps ErrInvalidKey; an unknown "kty" or curve also wraps
// ErrUnsupportedKeyType, and an unknown or "none" "alg" ErrUnsupportedAlgorithm.
func ParseJWK(data []byte) (*JWK, error) {
	r := strictjson.NewReader(string(data))
	if err := r.ObjectStart(); err != nil {
		return nil, jwkSyntax(err)
	}
	var f jwkFields
	if member, inValue, err := f.read(&r, 1); err != nil {
		if !inValue {
			return nil, jwkSyntax(err)
		}
		return nil, jwkMemberSyntax(member, err)
	}
	if err := r.End(); err != nil {
		return nil, jwkSyntax(err)
	}
	return f.parse()
}

var _ json.Unmarshaler = (*JWK)(nil)

// UnmarshalJSON parses data as [ParseJWK] does into k.
func (k *JWK) UnmarshalJSON(data []byte) error {
	p, err := ParseJWK(data)
	if err != nil {
		return err
	}
	*k = *p
	return nil
}

// jwkFields holds the members of one JWK object as read: each member this
// package interprets (see jwkMemberIndex) in val, as its value if it is a
// string and as its JSON text otherwise, and the other members in extra,
// which is nil if there are none. The strings in val may be substrings of
// the input; whatever a JWK keeps of them, it copies.
//
// scratch is where members are decoded that the JWK keeps only as copies
// (an EC point, which ecdsa.ParseUncompressedPublicKey does not keep; the
// octets of an RSA number, which big.Int copies; a private key), with the
// two spare bytes decodeSegment needs; a 4096-bit RSA key fits, and a
// longer member is decoded into a new buffer. It is cleared after it held a
// private member. A set reuses one jwkFields, and so its scratch, for all
// its keys.
type jwkFields struct {
	val     [jwkMemberCount]string
	has     uint32 // bit i: member i is present
	str     uint32 // bit i: member i is a JSON string
	extra   map[string]json.RawMessage
	scratch [512 + 2]byte
}

// reset makes f ready to read another object.
func (f *jwkFields) reset() {
	f.val = [jwkMemberCount]string{}
	f.has, f.str, f.extra = 0, 0, nil
}

// read reads the members of an object whose '{' r has consumed, through its
// '}', with the package's strict reader: no duplicate names (under
// encoding/json's folding, at any depth), no invalid UTF-8. depth is how
// deep the members' values are nested in the text r reads (1 for a member of
// the top-level object), so that the bound on nesting counts from the top.
// On an error it also reports whether the error is in the value of a
// member, and which, rather than in the object itself.
func (f *jwkFields) read(r *strictjson.Reader, depth int) (member string, inValue bool, err error) {
	var names strictjson.NameSet
	name, ok, err := r.FirstMember()
	for ; ok && err == nil; name, ok, err = r.NextMember() {
		if err = names.Add(name); err != nil {
			return "", false, err
		}
		i := jwkMemberIndex(name)
		if i >= 0 && r.Peek() == '"' {
			if f.val[i], err = r.String(); err != nil {
				return name, true, err
			}
			f.has |= 1 << i
			f.str |= 1 << i
			continue
		}
		r.Peek()
		start := r.Offset()
		if err = r.SkipNested(depth); err != nil {
			return name, true, err
		}
		if i >= 0 {
			f.val[i] = r.Slice(start)
			f.has |= 1 << i
			continue
		}
		if f.extra == nil {
			f.extra = make(map[string]json.RawMessage)
		}
		f.extra[strings.Clone(name)] = json.RawMessage(r.Slice(start))
	}
	return "", false, err
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

// jwkMemberSyntax reports the reader error err in the value of member name.
// The reader's detail never quotes a value, but it may quote a name inside
// this value, which is part of the key: it keeps only details that quote
// nothing.
func jwkMemberSyntax(name string, err error) error {
	if d := syntaxDetail(err); !strings.Contains(d, `"`) {
		return jwkError("invalid JSON in member %s: %s", quote(name), d)
	}
	return jwkError("invalid JSON in member %s", quote(name))
}

// stringMember returns the string member i, and whether it is present.
func (f *jwkFields) stringMember(i int) (string, bool, error) {
	if f.has&(1<<i) == 0 {
		return "", false, nil
	}
	if f.str&(1<<i) == 0 {
		return "", false, jwkError("member %s is not a string", quote(jwkMemberName(i)))
	}
	return f.val[i], true, nil
}

// stringsMember returns the member i as an array of strings, and whether it is
// present. The strings are substrings of the input.
func (f *jwkFields) stringsMember(i int) ([]string, bool, error) {
	if f.has&(1<<i) == 0 {
		return nil, false, nil
	}
	if f.str&(1<<i) == 0 {
		r := strictjson.NewReader(f.val[i])
		if v, err := r.StringArray(); err == nil {
			return v, true, nil
		}
	}
	return nil, false, jwkError("member %s is not an array of strings", quote(jwkMemberName(i)))
}

// bytesMember appends the base64url-decoded member i to dst and reports whether
// it is present; it is an error if the member is absent and required.
func (f *jwkFields) bytesMember(dst []byte, kty string, i int, required bool) ([]byte, bool, error) {
	s, ok, err := f.stringMember(i)
	if err != nil {
		return nil, false, err
	}
	if !ok {
		if required {
			return nil, false, jwkError("kty %q requires member %q", kty, jwkMemberName(i))
		}
		return dst, false, nil
	}
	b, err := decodeSegment(dst, s)
	if err != nil {
		// The decoder's message names an offset in the member; say only
		// which member, as it may be a secret.
		return nil, false, &multiError{
			msg:  fmt.Sprintf("%s: JWK: member %s is not strict base64url", ErrInvalidKey, quote(jwkMemberName(i))),
			errs: []error{ErrInvalidKey, ErrMalformed},
		}
	}
	return b, true, nil
}

// uintMember decodes the Base64urlUInt member i (RFC 7518 §2), which must have no
// leading zero octets unless minimal is false. scratch is where it decodes
// the octets, which the result does not keep.
func (f *jwkFields) uintMember(scratch []byte, kty string, i int, minimal bool) (*big.Int, error) {
	b, _, err := f.bytesMember(scratch[:0], kty, i, true)
	if err != nil {
		return nil, err
	}
	defer clear(b)
	if len(b) == 0 {
		return nil, jwkError("member %q is empty", jwkMemberName(i))
	}
	if minimal && b[0] == 0 {
		return nil, jwkError("member %q has a leading zero octet", jwkMemberName(i))
	}
	return new(big.Int).SetBytes(b), nil
}

// parse checks the members read into f, as ParseJWK describes, and returns
// the JWK they hold.
func (f *jwkFields) parse() (*JWK, error) {
	kty, ok, err := f.stringMember(jwkKty)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, jwkError(`missing member "kty"`)
	}
	var members uint32
	switch kty {
	case "RSA":
		kty, members = "RSA", jwkRSAMembers
	case "EC":
		kty, members = "EC", jwkECMembers
	case "OKP":
		kty, members = "OKP", jwkOKPMembers
	case "oct":
		kty, members = "oct", jwkOctMembers
	case "AKP":
		kty, members = "AKP", jwkAKPMembers
	default:
		return nil, fmt.Errorf("%w: kty %q", ErrUnsupportedKeyType, kty)
	}
	k := &JWK{KeyType: kty, Extra: f.extra}
	if other := f.has &^ (jwkCommonMembers | members); other != 0 {
		return nil, jwkError("member %q is not defined for kty %q", jwkMemberName(bits.TrailingZeros32(other)), kty)
	}
	kid, _, err := f.stringMember(jwkKid)
	if err != nil {
		return nil, err
	}
	k.KeyID = strings.Clone(kid)
	use, _, err := f.stringMember(jwkUse)
	if err != nil {
		return nil, err
	}
	k.Use = jwkIntern(use)
	alg, _, err := f.stringMember(jwkAlg)
	if err != nil {
		return nil, err
	}
	if k.KeyOps, _, err = f.stringsMember(jwkKeyOps); err != nil {
		return nil, err
	}
	for i, op := range k.KeyOps {
		if slices.Contains(k.KeyOps[:i], op) {
			return nil, jwkError(`member "key_ops" repeats %q`, op)
		}
		k.KeyOps[i] = jwkIntern(op)
	}

	switch kty {
	case "RSA":
		k.Key, err = f.parseRSA()
	case "EC":
		k.Key, err = f.parseEC()
		k.checkedEC, _ = publicKeyOf(k.Key).(*ecdsa.PublicKey)
	case "OKP":
		k.Key, err = f.parseOKP()
	case "oct":
		var secret []byte
		secret, _, err = f.bytesMember(nil, kty, jwkK, true)
		if err == nil && len(secret) == 0 {
			err = jwkError(`member "k" is empty`)
		}
		k.Key = secret
	case "AKP":
		k.Key, err = f.parseAKP(alg)
	}
	if err != nil {
		return nil, err
	}
	if err := k.parseX509(f); err != nil {
		return nil, err
	}
	if alg != "" {
		if k.Algorithm, err = checkParsedJWKAlgorithm(alg, k.Key); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// jwkIntern returns s, as a constant if it is a common value of "use" or
// "key_ops", and otherwise as a copy, so that a JWK keeps no part of the
// text it was parsed from.
func jwkIntern(s string) string {
	switch s {
	case "":
		return ""
	case "sig":
		return "sig"
	case "enc":
		return "enc"
	case "sign":
		return "sign"
	case "verify":
		return "verify"
	}
	return strings.Clone(s)
}

// checkParsedJWKAlgorithm is checkJWKAlgorithm for a key that ParseJWK has
// just checked, and returns the algorithm's name. An EC key's point is
// known to be on its curve, so only the curve remains to compare.
func checkParsedJWKAlgorithm(alg string, key any) (string, error) {
	a, err := AlgorithmByName(alg)
	if err != nil {
		return "", fmt.Errorf("%w: JWK alg: %w", ErrInvalidKey, err)
	}
	if ea, ok := a.(ECDSAAlgorithm); ok {
		var curve elliptic.Curve
		switch k := key.(type) {
		case *ecdsa.PublicKey:
			curve = k.Curve
		case *ecdsa.PrivateKey:
			curve = k.Curve
		}
		if curve != nil && curve == ea.curve() {
			return a.Name(), nil
		}
	}
	if err := checkJWKAlgorithm(alg, key); err != nil {
		return "", err
	}
	return a.Name(), nil
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

func (f *jwkFields) parseRSA() (any, error) {
	n, err := f.uintMember(f.scratch[:], "RSA", jwkN, true)
	if err != nil {
		return nil, err
	}
	eb, _, err := f.bytesMember(f.scratch[:0], "RSA", jwkE, true)
	if err != nil {
		return nil, err
	}
	if len(eb) == 0 || eb[0] == 0 || len(eb) > 4 {
		return nil, jwkError(`RSA member "e" is not a minimal exponent of at most 4 octets`)
	}
	var e uint64
	for _, b := range eb {
		e = e<<8 | uint64(b)
	}
	if e > 1<<31-1 {
		return nil, jwkError("RSA public exponent too large")
	}
	pub := &rsa.PublicKey{N: n, E: int(e)}
	if err := checkRSAPublic("JWK", pub); err != nil {
		return nil, err
	}
	if f.has&(1<<jwkD) == 0 {
		if other := f.has & jwkRSAPrivateMembers; other != 0 {
			return nil, jwkError("RSA member %q without \"d\"", jwkMemberName(bits.TrailingZeros32(other)))
		}
		return pub, nil
	}
	if f.has&(1<<jwkOth) != 0 {
		return nil, fmt.Errorf(`%w: RSA keys with more than two primes ("oth")`, ErrUnsupportedKeyType)
	}
	var v [6]*big.Int
	for i, m := range [6]int{jwkD, jwkP, jwkQ, jwkDP, jwkDQ, jwkQI} {
		if f.has&(1<<m) == 0 {
			return nil, fmt.Errorf(`%w: RSA private JWK without %q (only "d" with all of "p", "q", "dp", "dq", "qi" is supported)`, ErrUnsupportedKeyType, jwkMemberName(m))
		}
		if v[i], err = f.uintMember(f.scratch[:], "RSA", m, false); err != nil {
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

func (f *jwkFields) parseEC() (any, error) {
	crv, ok, err := f.stringMember(jwkCrv)
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
	// The uncompressed point 0x04 || x || y is built in f.scratch.
	f.scratch[0] = 4
	point, _, err := f.bytesMember(f.scratch[:1], "EC", jwkX, true)
	if err != nil {
		return nil, err
	}
	nx := len(point) - 1
	if point, _, err = f.bytesMember(point, "EC", jwkY, true); err != nil {
		return nil, err
	}
	ny := len(point) - 1 - nx
	if nx != size || ny != size {
		return nil, jwkError("%s coordinates must be %d octets, got %d and %d", crv, size, nx, ny)
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(curve, point)
	if err != nil {
		return nil, jwkError("point is not on %s: %w", crv, err)
	}
	d, hasD, err := f.bytesMember(f.scratch[:0], "EC", jwkD, false)
	if err != nil || !hasD {
		return pub, err
	}
	defer clear(d)
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

func (f *jwkFields) parseOKP() (any, error) {
	crv, ok, err := f.stringMember(jwkCrv)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, jwkError(`kty "OKP" requires member "crv"`)
	}
	if crv != "Ed25519" {
		return nil, fmt.Errorf("%w: OKP curve %q", ErrUnsupportedKeyType, crv)
	}
	x, _, err := f.bytesMember(nil, "OKP", jwkX, true)
	if err != nil {
		return nil, err
	}
	if len(x) != ed25519.PublicKeySize {
		return nil, jwkError("Ed25519 public key must be %d octets, got %d", ed25519.PublicKeySize, len(x))
	}
	if err := checkEd25519PublicKey(x); err != nil {
		return nil, fmt.Errorf(`%w: JWK: member "x": %w`, ErrInvalidKey, err)
	}
	d, hasD, err := f.bytesMember(f.scratch[:0], "OKP", jwkD, false)
	if err != nil {
		return nil, err
	}
	if !hasD {
		return ed25519.PublicKey(x), nil
	}
	defer clear(d)
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
func (k *JWK) parseX509(f *jwkFields) error {
	if certs, ok, err := f.stringsMember(jwkX5C); ok || err != nil {
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
	for _, t := range [...]struct {
		member int
		dst    *[]byte
		size   int
	}{{jwkX5T, &k.X5T, sha1.Size}, {jwkX5TS256, &k.X5TS256, sha256.Size}} {
		b, ok, err := f.bytesMember(nil, k.KeyType, t.member, false)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if len(b) != t.size {
			return jwkError("member %q must be %d octets, got %d", jwkMemberName(t.member), t.size, len(b))
		}
		*t.dst = b
	}
	if k.X5T != nil && fipsOnly() {
		// SHA-1 is not approved, and crypto/sha1 panics: "x5t" cannot be
		// checked against the certificate, so it is not kept.
		k.X5T = nil
	}
	// Each digest is computed only when its member is there to check.
	if len(k.X5C) > 0 && k.X5T != nil {
		if s := sha1.Sum(k.X5C[0]); !bytes.Equal(k.X5T, s[:]) {
			return jwkError(`"x5t" is not the digest of the first "x5c" certificate`)
		}
	}
	if len(k.X5C) > 0 && k.X5TS256 != nil {
		if s := sha256.Sum256(k.X5C[0]); !bytes.Equal(k.X5TS256, s[:]) {
			return jwkError(`"x5t#S256" is not the digest of the first "x5c" certificate`)
		}
	}
	return nil
}
