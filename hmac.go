package jwt

import (
	"context"
	"crypto"
	"crypto/hmac"
	"fmt"
	"hash"
	"sync"

	"github.com/jwtkit/jwt/internal/keyform"

	_ "crypto/sha256" // register SHA-256 for crypto.Hash
	_ "crypto/sha512" // register SHA-384 and SHA-512 for crypto.Hash
)

// HMACAlgorithm is an HMAC-SHA-2 algorithm of RFC 7518 §3.2. Its keys are
// []byte secrets at least as long as the hash output: 32, 48 or 64 bytes.
type HMACAlgorithm int

// The HMAC algorithms.
const (
	HS256 HMACAlgorithm = 256 // HMAC with SHA-256
	HS384 HMACAlgorithm = 384 // HMAC with SHA-384
	HS512 HMACAlgorithm = 512 // HMAC with SHA-512
)

func (a HMACAlgorithm) hash() crypto.Hash {
	switch a {
	case HS256:
		return crypto.SHA256
	case HS384:
		return crypto.SHA384
	case HS512:
		return crypto.SHA512
	}
	return 0
}

// Name returns "HS256", "HS384" or "HS512".
func (a HMACAlgorithm) Name() string {
	switch a {
	case HS256:
		return "HS256"
	case HS384:
		return "HS384"
	case HS512:
		return "HS512"
	}
	return ""
}

// NewSigner returns a Signer for the secret key, a []byte of at least the
// hash size (RFC 7518 §3.2). The secret is copied. A secret that is a key of
// another kind (PEM, DER, a JWK or JWK Set, an OpenSSH key) is refused with
// an error wrapping [ErrSecretIsKey].
func (a HMACAlgorithm) NewSigner(key any) (Signer, error) {
	k, err := a.newKey(key)
	if err != nil {
		return nil, err
	}
	return &hmacSigner{k}, nil
}

// NewVerifier returns a Verifier for the secret key, a []byte of at least
// the hash size (RFC 7518 §3.2). The secret is copied. A secret that is a
// key of another kind (PEM, DER, a JWK or JWK Set, an OpenSSH key) is
// refused with an error wrapping [ErrSecretIsKey], so that a public key
// passed by mistake cannot become a secret that its holders share.
func (a HMACAlgorithm) NewVerifier(key any) (Verifier, error) {
	k, err := a.newKey(key)
	if err != nil {
		return nil, err
	}
	v := &hmacVerifier{hmacKey: k}
	v.self[0] = v
	return v, nil
}

// hmacKey holds a secret and a pool of keyed HMAC states, so that the key
// schedule is computed once per state, not once per token.
type hmacKey struct {
	alg  HMACAlgorithm
	size int
	pool sync.Pool // of *hmacState
}

type hmacState struct {
	h   hash.Hash
	sum [64]byte
}

func (a HMACAlgorithm) newKey(key any) (*hmacKey, error) {
	h := a.hash()
	if h == 0 {
		return nil, fmt.Errorf("%w: HMACAlgorithm(%d)", ErrUnsupportedAlgorithm, int(a))
	}
	secret, ok := key.([]byte)
	if !ok {
		return nil, fmt.Errorf("%w: %s needs a secret of bytes, not %s", ErrInvalidKey, a.Name(), kindOf(key))
	}
	if form := keyform.Of(secret); form != "" {
		return nil, fmt.Errorf("%w: the %s secret is %s; an HMAC secret is random bytes, never a key of another kind", ErrSecretIsKey, a.Name(), form)
	}
	if len(secret) < h.Size() {
		return nil, fmt.Errorf("%w: %s secret is %d bytes, at least %d required (RFC 7518 §3.2)", ErrInvalidKey, a.Name(), len(secret), h.Size())
	}
	secret = append([]byte(nil), secret...)
	k := &hmacKey{alg: a, size: h.Size()}
	k.pool.New = func() any { return &hmacState{h: hmac.New(h.New, secret)} }
	return k, nil
}

// mac writes the MAC of input into st.sum and returns it.
func (k *hmacKey) mac(st *hmacState, input []byte) []byte {
	st.h.Reset()
	st.h.Write(input)
	return st.h.Sum(st.sum[:0])
}

type hmacSigner struct{ *hmacKey }

var _ Signer = (*hmacSigner)(nil)

func (s *hmacSigner) Algorithm() string { return s.alg.Name() }

func (s *hmacSigner) Sign(ctx context.Context, signingInput []byte) ([]byte, error) {
	st := s.pool.Get().(*hmacState)
	sig := append([]byte(nil), s.mac(st, signingInput)...)
	s.pool.Put(st)
	return sig, nil
}

// appendSign appends the MAC of signingInput to dst without allocating.
func (s *hmacSigner) appendSign(dst, signingInput []byte) []byte {
	st := s.pool.Get().(*hmacState)
	dst = append(dst, s.mac(st, signingInput)...)
	s.pool.Put(st)
	return dst
}

type hmacVerifier struct {
	single
	*hmacKey
}

var _ Verifier = (*hmacVerifier)(nil)

func (v *hmacVerifier) Algorithm() string { return v.alg.Name() }

func (v *hmacVerifier) Verify(signingInput, signature []byte) error {
	if len(signature) != v.size {
		return ErrInvalidSignature
	}
	st := v.pool.Get().(*hmacState)
	ok := hmac.Equal(v.mac(st, signingInput), signature)
	v.pool.Put(st)
	if !ok {
		return ErrInvalidSignature
	}
	return nil
}
