package jwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"fmt"
	"math/big"
)

// Thumbprint returns the JWK Thumbprint of k (RFC 7638): the digest under h
// of the key's required members in lexicographic order, without
// whitespace. A zero h means SHA-256. Only the public key counts: a private
// JWK and its public form have the same thumbprint. A hash that is not
// linked into the binary is an error wrapping ErrUnsupportedAlgorithm, as
// is, in FIPS 140-only mode, a hash other than SHA-2 and SHA-3, such as
// SHA-1, which would panic there.
func (k *JWK) Thumbprint(h crypto.Hash) ([]byte, error) {
	if h == 0 {
		h = crypto.SHA256
	}
	if !h.Available() {
		return nil, fmt.Errorf("%w: hash %v is not available", ErrUnsupportedAlgorithm, h)
	}
	if fipsOnly() && !fipsApprovedHash(h) {
		return nil, fmt.Errorf("%w: hash %v is not approved in FIPS 140-only mode", ErrUnsupportedAlgorithm, h)
	}
	in, err := thumbprintInput(k.Key)
	if err != nil {
		return nil, err
	}
	d := h.New()
	d.Write(in)
	return d.Sum(nil), nil
}

// SetThumbprintKeyID sets k's KeyID to the base64url SHA-256 JWK Thumbprint
// of its key (RFC 7638 §3), a key ID that any party can recompute.
func (k *JWK) SetThumbprintKeyID() error {
	t, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		return err
	}
	k.KeyID = string(appendEncode(nil, t))
	return nil
}

// thumbprintInput returns the RFC 7638 §3.2 JSON of key's required members.
func thumbprintInput(key any) ([]byte, error) {
	if _, err := checkJWKKey(key); err != nil {
		return nil, err
	}
	var b []byte
	member := func(name string, v []byte, last bool) {
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, `":"`...)
		b = append(b, v...)
		b = append(b, '"')
		if !last {
			b = append(b, ',')
		}
	}
	enc := func(v []byte) []byte { return appendEncode(nil, v) }
	b = append(b, '{')
	switch k := publicKeyOf(key).(type) {
	case *rsa.PublicKey:
		member("e", enc(big.NewInt(int64(k.E)).Bytes()), false)
		member("kty", []byte("RSA"), false)
		member("n", enc(k.N.Bytes()), true)
	case *ecdsa.PublicKey:
		point, err := k.Bytes()
		if err != nil {
			return nil, fmt.Errorf("%w: JWK: EC public key: %w", ErrInvalidKey, err)
		}
		size := (len(point) - 1) / 2
		member("crv", []byte(jwkCurveName(k.Curve)), false)
		member("kty", []byte("EC"), false)
		member("x", enc(point[1:1+size]), false)
		member("y", enc(point[1+size:]), true)
	case ed25519.PublicKey:
		member("crv", []byte("Ed25519"), false)
		member("kty", []byte("OKP"), false)
		member("x", enc(k), true)
	case []byte:
		member("k", enc(k), false)
		member("kty", []byte("oct"), true)
	default:
		// RFC 9964 §6: "alg", "kty" and "pub", in that order.
		if alg, pub := akpAlgorithm(k), akpPublicBytes(k); alg != "" {
			member("alg", []byte(alg), false)
			member("kty", []byte("AKP"), false)
			member("pub", enc(pub), true)
		}
	}
	return append(b, '}'), nil
}
