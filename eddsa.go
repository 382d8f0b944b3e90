package jwt

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
)

// EdDSAAlgorithm is the EdDSA algorithm of RFC 8037 with the Ed25519 curve,
// the only curve this package supports. Signers take an ed25519.PrivateKey
// or any crypto.Signer with an ed25519.PublicKey; Verifiers take an
// ed25519.PublicKey (or ed25519.PrivateKey).
type EdDSAAlgorithm int

// EdDSA is the EdDSA algorithm with Ed25519 keys.
const EdDSA EdDSAAlgorithm = 25519

// Name returns "EdDSA".
func (a EdDSAAlgorithm) Name() string {
	if a != EdDSA {
		return ""
	}
	return "EdDSA"
}

// NewSigner returns a Signer for key, an ed25519.PrivateKey (or a pointer to
// one) or a crypto.Signer whose public key is an ed25519.PublicKey.
func (a EdDSAAlgorithm) NewSigner(key any) (Signer, error) {
	if a != EdDSA {
		return nil, fmt.Errorf("%w: EdDSAAlgorithm(%d)", ErrUnsupportedAlgorithm, int(a))
	}
	switch k := key.(type) {
	case ed25519.PrivateKey:
		if len(k) != ed25519.PrivateKeySize {
			return nil, fmt.Errorf("%w: EdDSA private key is %d bytes, want %d", ErrInvalidKey, len(k), ed25519.PrivateKeySize)
		}
		return &ed25519Signer{priv: k}, nil
	case *ed25519.PrivateKey:
		if k == nil {
			return nil, fmt.Errorf("%w: EdDSA: nil key", ErrInvalidKey)
		}
		return a.NewSigner(*k)
	case crypto.Signer:
		pub, ok := k.Public().(ed25519.PublicKey)
		if !ok || len(pub) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: EdDSA needs an Ed25519 key, not %T", ErrInvalidKey, k.Public())
		}
		return &ed25519Signer{signer: k}, nil
	}
	return nil, fmt.Errorf("%w: EdDSA needs an ed25519.PrivateKey or crypto.Signer, not %T", ErrInvalidKey, key)
}

// NewVerifier returns a Verifier for key, an ed25519.PublicKey of 32 bytes
// (or an ed25519.PrivateKey, whose public half is used).
func (a EdDSAAlgorithm) NewVerifier(key any) (Verifier, error) {
	if a != EdDSA {
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
		return nil, fmt.Errorf("%w: EdDSA needs an ed25519.PublicKey, not %T", ErrInvalidKey, key)
	}
	if len(pub) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: EdDSA public key is %d bytes, want %d", ErrInvalidKey, len(pub), ed25519.PublicKeySize)
	}
	v := &ed25519Verifier{pub: append(ed25519.PublicKey(nil), pub...)}
	v.self[0] = v
	return v, nil
}

type ed25519Signer struct {
	priv   ed25519.PrivateKey
	signer crypto.Signer
}

func (s *ed25519Signer) Algorithm() string { return "EdDSA" }

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
		return nil, fmt.Errorf("%w: EdDSA: the signer returned %d bytes, want %d", ErrSigning, len(sig), ed25519.SignatureSize)
	}
	return sig, nil
}

type ed25519Verifier struct {
	single
	pub ed25519.PublicKey
}

func (v *ed25519Verifier) Algorithm() string { return "EdDSA" }

func (v *ed25519Verifier) Verify(signingInput, signature []byte) error {
	if len(signature) != ed25519.SignatureSize || !ed25519.Verify(v.pub, signingInput, signature) {
		return ErrInvalidSignature
	}
	return nil
}
