package jwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// JWK is a JSON Web Key (RFC 7517) holding one key of type "RSA", "EC"
// (curves P-256, P-384 and P-521, RFC 7518 §6), "OKP" (Ed25519, RFC 8037),
// "oct" (a symmetric secret) or, built with Go 1.27 or later, "AKP" (ML-DSA,
// RFC 9964; see [MLDSAAlgorithm]).
//
// Key holds the key itself, as one of *rsa.PublicKey, *rsa.PrivateKey,
// *ecdsa.PublicKey, *ecdsa.PrivateKey, ed25519.PublicKey,
// ed25519.PrivateKey, []byte (a secret of kty "oct"), *mldsa.PublicKey or
// *mldsa.PrivateKey (kty "AKP", whose "alg" is required and is always that
// of the key's parameter set).
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
	// ParseJWK leaves it nil in FIPS 140-only mode, where it cannot be
	// checked.
	X5T []byte
	// X5TS256 is the "x5t#S256" member: the SHA-256 digest of the DER certificate.
	X5TS256 []byte
	// Extra holds the members this package does not interpret, such as
	// "x5u" or provider-specific ones, by name. They are written out as
	// they are; a name this package interprets is an error there.
	Extra map[string]json.RawMessage

	// checkedEC is the EC public key of Key as ParseJWK checked it (its
	// point on the curve), or nil: see JWK.newVerifier.
	checkedEC *ecdsa.PublicKey
}

// The members of a JWK this package interprets, as indexes into
// jwkFields and bits of its masks.
const (
	jwkKty = iota
	jwkKid
	jwkUse
	jwkKeyOps
	jwkAlg
	jwkX5C
	jwkX5T
	jwkX5TS256
	jwkCrv
	jwkX
	jwkY
	jwkD
	jwkN
	jwkE
	jwkP
	jwkQ
	jwkDP
	jwkDQ
	jwkQI
	jwkOth
	jwkK
	jwkPub
	jwkPriv
	jwkMemberCount
)

// Masks of the members of each kty, of those every kty may have, and of
// those holding private or secret key material.
const (
	jwkCommonMembers = 1<<jwkKty | 1<<jwkKid | 1<<jwkUse | 1<<jwkKeyOps | 1<<jwkAlg |
		1<<jwkX5C | 1<<jwkX5T | 1<<jwkX5TS256
	jwkRSAPrivateMembers = 1<<jwkP | 1<<jwkQ | 1<<jwkDP | 1<<jwkDQ | 1<<jwkQI | 1<<jwkOth
	jwkRSAMembers        = 1<<jwkN | 1<<jwkE | 1<<jwkD | jwkRSAPrivateMembers
	jwkECMembers         = 1<<jwkCrv | 1<<jwkX | 1<<jwkY | 1<<jwkD
	jwkOKPMembers        = 1<<jwkCrv | 1<<jwkX | 1<<jwkD
	jwkOctMembers        = 1 << jwkK
	jwkAKPMembers        = 1<<jwkPub | 1<<jwkPriv
	jwkPrivateMembers    = 1<<jwkD | jwkRSAPrivateMembers | 1<<jwkK | 1<<jwkPriv
)

// jwkMemberIndex returns the index of the member name, or -1 if this
// package does not interpret it.
func jwkMemberIndex(name string) int {
	switch name {
	case "kty":
		return jwkKty
	case "kid":
		return jwkKid
	case "use":
		return jwkUse
	case "key_ops":
		return jwkKeyOps
	case "alg":
		return jwkAlg
	case "x5c":
		return jwkX5C
	case "x5t":
		return jwkX5T
	case "x5t#S256":
		return jwkX5TS256
	case "crv":
		return jwkCrv
	case "x":
		return jwkX
	case "y":
		return jwkY
	case "d":
		return jwkD
	case "n":
		return jwkN
	case "e":
		return jwkE
	case "p":
		return jwkP
	case "q":
		return jwkQ
	case "dp":
		return jwkDP
	case "dq":
		return jwkDQ
	case "qi":
		return jwkQI
	case "oth":
		return jwkOth
	case "k":
		return jwkK
	case "pub":
		return jwkPub
	case "priv":
		return jwkPriv
	}
	return -1
}

// jwkMemberName returns the name of member i.
func jwkMemberName(i int) string {
	const names = "kty kid use key_ops alg x5c x5t x5t#S256 crv x y d n e p q dp dq qi oth k pub priv"
	for n := range strings.FieldsSeq(names) {
		if i == 0 {
			return n
		}
		i--
	}
	return ""
}

// isJWKMember reports whether name is a member this package interprets.
func isJWKMember(name string) bool { return jwkMemberIndex(name) >= 0 }

// jwkError returns an error wrapping ErrInvalidKey (and any error among
// args formatted with %w).
func jwkError(format string, args ...any) error {
	return fmt.Errorf("%w: JWK: "+format, append([]any{ErrInvalidKey}, args...)...)
}

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
		if !isAKPPrivate(key) {
			key = k.Public()
		}
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
	return &JWK{KeyType: kty, Algorithm: akpAlgorithm(key), Key: key}, nil
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
	if kty, ok, err := checkAKPKey(key); ok {
		return kty, err
	}
	return "", fmt.Errorf("%w: %s", ErrUnsupportedKeyType, kindOf(key))
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
	default:
		return akpPublicKeyOf(key)
	}
	return key
}

// IsPrivate reports whether k holds a private or secret key: an RSA, EC,
// Ed25519 or ML-DSA private key, or a symmetric key.
func (k *JWK) IsPrivate() bool {
	switch k.Key.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey, []byte:
		return true
	}
	return isAKPPrivate(k.Key)
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
	return k.newVerifier(a)
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
