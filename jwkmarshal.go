package jwt

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"sort"
)

var _ json.Marshaler = JWK{}

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
	if k.Algorithm == "" {
		str("alg", akpAlgorithm(k.Key)) // required for kty "AKP"
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
	default:
		appendAKPJWK(bin, key, private)
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
