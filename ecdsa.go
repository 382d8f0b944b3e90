package jwt

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/asn1"
	"fmt"
	"math/big"
)

// ECDSAAlgorithm is an ECDSA algorithm of RFC 7518 §3.4, bound to one curve:
// ES256 to P-256, ES384 to P-384, ES512 to P-521. Signatures are the
// fixed-length R || S form; DER or any other length is rejected. Signers
// take an *ecdsa.PrivateKey or any crypto.Signer with an ECDSA public key on
// the right curve; Verifiers take an *ecdsa.PublicKey (or *ecdsa.PrivateKey).
type ECDSAAlgorithm int

// The ECDSA algorithms.
const (
	ES256 ECDSAAlgorithm = 256 // ECDSA with P-256 and SHA-256
	ES384 ECDSAAlgorithm = 384 // ECDSA with P-384 and SHA-384
	ES512 ECDSAAlgorithm = 512 // ECDSA with P-521 and SHA-512
)

func (a ECDSAAlgorithm) params() (name string, curve elliptic.Curve, h crypto.Hash, size int) {
	switch a {
	case ES256:
		return "ES256", elliptic.P256(), crypto.SHA256, 32
	case ES384:
		return "ES384", elliptic.P384(), crypto.SHA384, 48
	case ES512:
		return "ES512", elliptic.P521(), crypto.SHA512, 66
	}
	return "", nil, 0, 0
}

// Name returns "ES256", "ES384" or "ES512".
func (a ECDSAAlgorithm) Name() string {
	name, _, _, _ := a.params()
	return name
}

// curve returns the curve the algorithm is bound to, or nil for an unknown
// ECDSAAlgorithm value.
func (a ECDSAAlgorithm) curve() elliptic.Curve {
	_, c, _, _ := a.params()
	return c
}

func (a ECDSAAlgorithm) checkPublic(pub *ecdsa.PublicKey) error {
	name, curve, _, _ := a.params()
	if curve == nil {
		return fmt.Errorf("%w: ECDSAAlgorithm(%d)", ErrUnsupportedAlgorithm, int(a))
	}
	if pub == nil || pub.Curve == nil {
		return fmt.Errorf("%w: %s: nil ECDSA key", ErrInvalidKey, name)
	}
	if pub.Curve != curve {
		return fmt.Errorf("%w: %s needs a %s key, not %s", ErrInvalidKey, name, curve.Params().Name, pub.Curve.Params().Name)
	}
	if _, err := pub.ECDH(); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrInvalidKey, name, err)
	}
	return nil
}

// NewSigner returns a Signer for key, an *ecdsa.PrivateKey or a
// crypto.Signer whose public key is an *ecdsa.PublicKey on the algorithm's curve.
func (a ECDSAAlgorithm) NewSigner(key any) (Signer, error) {
	name, _, h, size := a.params()
	s, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%w: %s needs an ECDSA private key or a crypto.Signer holding one, not %s", ErrInvalidKey, name, kindOf(key))
	}
	pub, ok := s.Public().(*ecdsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%w: %s needs an ECDSA key, not %s", ErrInvalidKey, name, kindOf(s.Public()))
	}
	if err := a.checkPublic(pub); err != nil {
		return nil, err
	}
	return &ecdsaSigner{name: name, hash: h, size: size, signer: s}, nil
}

// NewVerifier returns a Verifier for key, an *ecdsa.PublicKey or
// *ecdsa.PrivateKey on the algorithm's curve.
func (a ECDSAAlgorithm) NewVerifier(key any) (Verifier, error) {
	name, _, h, size := a.params()
	var pub *ecdsa.PublicKey
	switch k := key.(type) {
	case *ecdsa.PublicKey:
		pub = k
	case *ecdsa.PrivateKey:
		if k != nil {
			pub = &k.PublicKey
		}
	default:
		return nil, fmt.Errorf("%w: %s needs an ECDSA public key, not %s", ErrInvalidKey, name, kindOf(key))
	}
	if err := a.checkPublic(pub); err != nil {
		return nil, err
	}
	v := &ecdsaVerifier{name: name, hash: h, size: size, pub: pub}
	v.self[0] = v
	return v, nil
}

type ecdsaSigner struct {
	name   string
	hash   crypto.Hash
	size   int
	signer crypto.Signer
}

var _ Signer = (*ecdsaSigner)(nil)

func (s *ecdsaSigner) Algorithm() string { return s.name }

func (s *ecdsaSigner) Sign(ctx context.Context, signingInput []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var buf [64]byte
	digest := hashInto(buf[:0], s.hash, signingInput)
	var rs struct{ R, S *big.Int }
	if priv, ok := s.signer.(*ecdsa.PrivateKey); ok {
		var err error
		if rs.R, rs.S, err = ecdsa.Sign(rand.Reader, priv, digest); err != nil {
			return nil, err
		}
	} else {
		der, err := s.signer.Sign(rand.Reader, digest, s.hash)
		if err != nil {
			return nil, err
		}
		if rest, err := asn1.Unmarshal(der, &rs); err != nil || len(rest) != 0 {
			return nil, fmt.Errorf("%w: %s: the signer returned a malformed ECDSA signature", ErrSigning, s.name)
		}
	}
	if rs.R.Sign() <= 0 || rs.S.Sign() <= 0 || rs.R.BitLen() > 8*s.size || rs.S.BitLen() > 8*s.size {
		return nil, fmt.Errorf("%w: %s: the signer returned an out-of-range ECDSA signature", ErrSigning, s.name)
	}
	sig := make([]byte, 2*s.size)
	rs.R.FillBytes(sig[:s.size])
	rs.S.FillBytes(sig[s.size:])
	return sig, nil
}

type ecdsaVerifier struct {
	single
	name string
	hash crypto.Hash
	size int
	pub  *ecdsa.PublicKey
}

var _ Verifier = (*ecdsaVerifier)(nil)

func (v *ecdsaVerifier) Algorithm() string { return v.name }

func (v *ecdsaVerifier) Verify(signingInput, signature []byte) error {
	if len(signature) != 2*v.size {
		return ErrInvalidSignature
	}
	var buf [64]byte
	digest := hashInto(buf[:0], v.hash, signingInput)
	r := new(big.Int).SetBytes(signature[:v.size])
	s := new(big.Int).SetBytes(signature[v.size:])
	if !ecdsa.Verify(v.pub, digest, r, s) {
		return ErrInvalidSignature
	}
	return nil
}
