//go:build go1.27

package jwt

import (
	"context"
	"crypto"
	"crypto/mldsa"
	"crypto/rand"
	"fmt"
)

// mldsaAlgorithms returns the ML-DSA algorithms, which [Algorithms] lists.
func mldsaAlgorithms() []Algorithm { return []Algorithm{MLDSA44, MLDSA65, MLDSA87} }

var (
	_ Algorithm = MLDSA44
	_ Signer    = (*mldsaSigner)(nil)
	_ Verifier  = (*mldsaVerifier)(nil)
)

// available returns nil: this build has crypto/mldsa.
func (a MLDSAAlgorithm) available() error { return nil }

// params returns the parameter set of a, and false for a value that is not
// one of the three constants.
func (a MLDSAAlgorithm) params() (mldsa.Parameters, bool) {
	switch a {
	case MLDSA44:
		return mldsa.MLDSA44(), true
	case MLDSA65:
		return mldsa.MLDSA65(), true
	case MLDSA87:
		return mldsa.MLDSA87(), true
	}
	return mldsa.Parameters{}, false
}

// mldsaAlgorithmOf returns the algorithm of the parameter set p.
func mldsaAlgorithmOf(p mldsa.Parameters) MLDSAAlgorithm {
	switch p {
	case mldsa.MLDSA44():
		return MLDSA44
	case mldsa.MLDSA65():
		return MLDSA65
	case mldsa.MLDSA87():
		return MLDSA87
	}
	return 0
}

// NewSigner returns a Signer for key, an *mldsa.PrivateKey or a
// crypto.Signer whose public key is an *mldsa.PublicKey, of a's parameter
// set. It signs with the empty context, as RFC 9964 requires; a
// crypto.Signer is asked to sign the signing input itself, with
// *mldsa.Options of an empty Context as its options.
func (a MLDSAAlgorithm) NewSigner(key any) (Signer, error) {
	params, ok := a.params()
	if !ok {
		return nil, fmt.Errorf("%w: MLDSAAlgorithm(%d)", ErrUnsupportedAlgorithm, int(a))
	}
	name := a.Name()
	switch k := key.(type) {
	case *mldsa.PrivateKey:
		if k == nil {
			return nil, fmt.Errorf("%w: %s: nil key", ErrInvalidKey, name)
		}
		if p := k.PublicKey().Parameters(); p != params {
			return nil, fmt.Errorf("%w: %s needs an %s key, not %s", ErrInvalidKey, name, params, p)
		}
		return &mldsaSigner{name: name, size: params.SignatureSize(), priv: k}, nil
	case crypto.Signer:
		pub, ok := k.Public().(*mldsa.PublicKey)
		if !ok || pub == nil {
			return nil, fmt.Errorf("%w: %s needs an ML-DSA key, not %s", ErrInvalidKey, name, kindOf(k.Public()))
		}
		if p := pub.Parameters(); p != params {
			return nil, fmt.Errorf("%w: %s needs an %s key, not %s", ErrInvalidKey, name, params, p)
		}
		return &mldsaSigner{name: name, size: params.SignatureSize(), signer: k}, nil
	}
	return nil, fmt.Errorf("%w: %s needs an *mldsa.PrivateKey or a crypto.Signer holding an ML-DSA key, not %s", ErrInvalidKey, name, kindOf(key))
}

// NewVerifier returns a Verifier for key, an *mldsa.PublicKey (or
// *mldsa.PrivateKey, whose public key is used) of a's parameter set. The
// Verifier accepts only signatures of the parameter set's exact length made
// with the empty context over the signing input itself.
func (a MLDSAAlgorithm) NewVerifier(key any) (Verifier, error) {
	params, ok := a.params()
	if !ok {
		return nil, fmt.Errorf("%w: MLDSAAlgorithm(%d)", ErrUnsupportedAlgorithm, int(a))
	}
	name := a.Name()
	var pub *mldsa.PublicKey
	switch k := key.(type) {
	case *mldsa.PublicKey:
		pub = k
	case *mldsa.PrivateKey:
		if k != nil {
			pub = k.PublicKey()
		}
	default:
		return nil, fmt.Errorf("%w: %s needs an *mldsa.PublicKey, not %s", ErrInvalidKey, name, kindOf(key))
	}
	if pub == nil {
		return nil, fmt.Errorf("%w: %s: nil key", ErrInvalidKey, name)
	}
	if p := pub.Parameters(); p != params {
		return nil, fmt.Errorf("%w: %s needs an %s key, not %s", ErrInvalidKey, name, params, p)
	}
	v := &mldsaVerifier{name: name, size: params.SignatureSize(), pub: pub}
	v.self[0] = v
	return v, nil
}

// generateMLDSAKey returns a new key for a, one of the three constants.
func generateMLDSAKey(a MLDSAAlgorithm) (any, error) {
	params, _ := a.params()
	return mldsa.GenerateKey(params)
}

// mldsaPure is the options every ML-DSA signature is made with: the
// message itself (no pre-hash), the empty context.
var mldsaPure = &mldsa.Options{}

type mldsaSigner struct {
	name   string
	size   int // the signature size of the parameter set
	priv   *mldsa.PrivateKey
	signer crypto.Signer
}

func (s *mldsaSigner) Algorithm() string { return s.name }

func (s *mldsaSigner) Sign(ctx context.Context, signingInput []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.priv != nil {
		return s.priv.Sign(nil, signingInput, mldsaPure)
	}
	sig, err := s.signer.Sign(rand.Reader, signingInput, mldsaPure)
	if err != nil {
		return nil, err
	}
	if len(sig) != s.size {
		return nil, fmt.Errorf("%w: %s: the signer returned %d bytes, want %d", ErrSigning, s.name, len(sig), s.size)
	}
	return sig, nil
}

type mldsaVerifier struct {
	single
	name string
	size int // the signature size of the parameter set
	pub  *mldsa.PublicKey
}

func (v *mldsaVerifier) Algorithm() string { return v.name }

func (v *mldsaVerifier) Verify(signingInput, signature []byte) error {
	if len(signature) != v.size || mldsa.Verify(v.pub, signingInput, signature, nil) != nil {
		return ErrInvalidSignature
	}
	return nil
}
