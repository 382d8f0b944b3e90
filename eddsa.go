package jwt

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
)

// EdDSAAlgorithm is the EdDSA algorithm with the Ed25519 curve, the only
// curve this package supports, under one of its two "alg" names: "EdDSA"
// (RFC 8037) or "Ed25519" (RFC 9864). Signers take an ed25519.PrivateKey
// or any crypto.Signer with an ed25519.PublicKey; Verifiers take an
// ed25519.PublicKey (or ed25519.PrivateKey).
//
// Both names sign and verify the same way; like every algorithm, each is
// bound to its key, so a Verifier made by [EdDSA] rejects a token whose
// header says "Ed25519", and the other way round. To accept both from one
// Ed25519 key, give both Verifiers to [NewKeySet], or pass both algorithms
// to jwks.Set.KeySet.
//
// A public key must be the canonical encoding of a point on the curve whose
// order is not 1, 2, 4 or 8 (see the Security section of the package
// documentation); crypto/ed25519 does not check this.
type EdDSAAlgorithm int

// The Ed25519 algorithms. The values of the constants are arbitrary.
const (
	// EdDSA is the EdDSA algorithm of RFC 8037 with Ed25519 keys; its "alg"
	// is "EdDSA", which most issuers write.
	EdDSA EdDSAAlgorithm = 25519
	// Ed25519 is the same algorithm under its fully-specified name of
	// RFC 9864: its "alg" is "Ed25519".
	Ed25519 EdDSAAlgorithm = 9864
)

// Name returns "EdDSA" or "Ed25519".
func (a EdDSAAlgorithm) Name() string {
	switch a {
	case EdDSA:
		return "EdDSA"
	case Ed25519:
		return "Ed25519"
	}
	return ""
}

// NewSigner returns a Signer for key, an ed25519.PrivateKey (or a pointer to
// one) or a crypto.Signer whose public key is an ed25519.PublicKey.
func (a EdDSAAlgorithm) NewSigner(key any) (Signer, error) {
	name := a.Name()
	if name == "" {
		return nil, fmt.Errorf("%w: EdDSAAlgorithm(%d)", ErrUnsupportedAlgorithm, int(a))
	}
	switch k := key.(type) {
	case ed25519.PrivateKey:
		if len(k) != ed25519.PrivateKeySize {
			return nil, fmt.Errorf("%w: %s private key is %d bytes, want %d", ErrInvalidKey, name, len(k), ed25519.PrivateKeySize)
		}
		return &ed25519Signer{name: name, priv: k}, nil
	case *ed25519.PrivateKey:
		if k == nil {
			return nil, fmt.Errorf("%w: %s: nil key", ErrInvalidKey, name)
		}
		return a.NewSigner(*k)
	case crypto.Signer:
		pub, ok := k.Public().(ed25519.PublicKey)
		if !ok || len(pub) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: %s needs an Ed25519 key, not %s", ErrInvalidKey, name, kindOf(k.Public()))
		}
		return &ed25519Signer{name: name, signer: k}, nil
	}
	return nil, fmt.Errorf("%w: %s needs an Ed25519 private key or a crypto.Signer holding one, not %s", ErrInvalidKey, name, kindOf(key))
}

// NewVerifier returns a Verifier for key, an ed25519.PublicKey of 32 bytes
// (or an ed25519.PrivateKey, whose public half is used). A key that is not
// the canonical encoding of a curve point, or is a point of small order, is
// an error wrapping ErrInvalidKey.
func (a EdDSAAlgorithm) NewVerifier(key any) (Verifier, error) {
	name := a.Name()
	if name == "" {
		return nil, fmt.Errorf("%w: EdDSAAlgorithm(%d)", ErrUnsupportedAlgorithm, int(a))
	}
	var pub ed25519.PublicKey
	switch k := key.(type) {
	case ed25519.PublicKey:
		pub = k
	case *ed25519.PublicKey:
		if k != nil {
			pub = *k
		}
	case ed25519.PrivateKey:
		if len(k) == ed25519.PrivateKeySize {
			pub = k.Public().(ed25519.PublicKey)
		}
	default:
		return nil, fmt.Errorf("%w: %s needs an Ed25519 public key, not %s", ErrInvalidKey, name, kindOf(key))
	}
	if len(pub) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: %s public key is %d bytes, want %d", ErrInvalidKey, name, len(pub), ed25519.PublicKeySize)
	}
	if err := checkEd25519PublicKey(pub); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalidKey, name, err)
	}
	v := &ed25519Verifier{name: name, pub: append(ed25519.PublicKey(nil), pub...)}
	v.self[0] = v
	return v, nil
}

type ed25519Signer struct {
	name   string // "EdDSA" or "Ed25519"
	priv   ed25519.PrivateKey
	signer crypto.Signer
}

var _ Signer = (*ed25519Signer)(nil)

func (s *ed25519Signer) Algorithm() string { return s.name }

func (s *ed25519Signer) Sign(ctx context.Context, signingInput []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.priv != nil {
		return ed25519.Sign(s.priv, signingInput), nil
	}
	sig, err := s.signer.Sign(rand.Reader, signingInput, crypto.Hash(0))
	if err != nil {
		return nil, err
	}
	if len(sig) != ed25519.SignatureSize {
		return nil, fmt.Errorf("%w: %s: the signer returned %d bytes, want %d", ErrSigning, s.name, len(sig), ed25519.SignatureSize)
	}
	return sig, nil
}

type ed25519Verifier struct {
	single
	name string // "EdDSA" or "Ed25519"
	pub  ed25519.PublicKey
}

var _ Verifier = (*ed25519Verifier)(nil)

func (v *ed25519Verifier) Algorithm() string { return v.name }

func (v *ed25519Verifier) Verify(signingInput, signature []byte) error {
	if len(signature) != ed25519.SignatureSize || !ed25519.Verify(v.pub, signingInput, signature) {
		return ErrInvalidSignature
	}
	return nil
}
