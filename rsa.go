package jwt

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
)

// Bounds on RSA modulus sizes. RFC 7518 §3.3 and §3.5 require at least 2048
// bits. The upper bound, the one crypto/tls applies to certificates, bounds
// the work a token can cause: the cost of checking a signature grows with
// the square of the modulus size, and every token with a signature of the
// right length costs a full check, valid or not. A token checked with an
// 8192-bit key costs about as much as ES512 does (a few milliseconds on
// one core); with a 16384-bit key it could cost several times that.
const (
	MinRSABits = 2048
	MaxRSABits = 8192
)

// maxRSAExponent is the largest public exponent accepted, as by
// crypto/rsa, which refuses larger ones when verifying.
const maxRSAExponent = 1<<31 - 1

// RSAAlgorithm is an RSASSA-PKCS1-v1_5 algorithm of RFC 7518 §3.3.
// Signers take an *rsa.PrivateKey or any crypto.Signer with an RSA public
// key; Verifiers take an *rsa.PublicKey (or *rsa.PrivateKey).
//
// The public key must have an odd modulus of MinRSABits to MaxRSABits bits
// and an odd public exponent e with 3 ≤ e ≤ 2³¹ - 1; keys outside these
// bounds are refused when a Signer or Verifier is made, and by the JWK and
// PEM parsers. (The bound on e is that of crypto/rsa, which cannot verify
// with a larger one; almost every key has e = 65537.) In FIPS 140-only mode
// (GODEBUG=fips140=only) a key of an odd size or with e ≤ 2¹⁶, and a private
// key without exactly two primes of the same size, are refused too, with an
// error wrapping [ErrNotFIPSApproved]: the Go Cryptographic Module does not
// use them.
type RSAAlgorithm int

// The RSASSA-PKCS1-v1_5 algorithms.
const (
	RS256 RSAAlgorithm = 256 // RSASSA-PKCS1-v1_5 with SHA-256
	RS384 RSAAlgorithm = 384 // RSASSA-PKCS1-v1_5 with SHA-384
	RS512 RSAAlgorithm = 512 // RSASSA-PKCS1-v1_5 with SHA-512
)

// RSAPSSAlgorithm is an RSASSA-PSS algorithm of RFC 7518 §3.5: MGF1 with the
// same hash, and a salt exactly as long as the hash output. Keys are as for
// [RSAAlgorithm].
type RSAPSSAlgorithm int

// The RSASSA-PSS algorithms.
const (
	PS256 RSAPSSAlgorithm = 256 // RSASSA-PSS with SHA-256
	PS384 RSAPSSAlgorithm = 384 // RSASSA-PSS with SHA-384
	PS512 RSAPSSAlgorithm = 512 // RSASSA-PSS with SHA-512
)

func shaByBits(bits int) crypto.Hash {
	switch bits {
	case 256:
		return crypto.SHA256
	case 384:
		return crypto.SHA384
	case 512:
		return crypto.SHA512
	}
	return 0
}

// Name returns "RS256", "RS384" or "RS512".
func (a RSAAlgorithm) Name() string {
	switch a {
	case RS256:
		return "RS256"
	case RS384:
		return "RS384"
	case RS512:
		return "RS512"
	}
	return ""
}

// Name returns "PS256", "PS384" or "PS512".
func (a RSAPSSAlgorithm) Name() string {
	switch a {
	case PS256:
		return "PS256"
	case PS384:
		return "PS384"
	case PS512:
		return "PS512"
	}
	return ""
}

// NewSigner returns a Signer for key, an *rsa.PrivateKey or a crypto.Signer
// whose public key is an *rsa.PublicKey.
func (a RSAAlgorithm) NewSigner(key any) (Signer, error) {
	return newRSASigner(a.Name(), shaByBits(int(a)), false, key)
}

// NewVerifier returns a Verifier for key, an *rsa.PublicKey or *rsa.PrivateKey.
func (a RSAAlgorithm) NewVerifier(key any) (Verifier, error) {
	return newRSAVerifier(a.Name(), shaByBits(int(a)), false, key)
}

// NewSigner returns a Signer for key, an *rsa.PrivateKey or a crypto.Signer
// whose public key is an *rsa.PublicKey.
func (a RSAPSSAlgorithm) NewSigner(key any) (Signer, error) {
	return newRSASigner(a.Name(), shaByBits(int(a)), true, key)
}

// NewVerifier returns a Verifier for key, an *rsa.PublicKey or *rsa.PrivateKey.
func (a RSAPSSAlgorithm) NewVerifier(key any) (Verifier, error) {
	return newRSAVerifier(a.Name(), shaByBits(int(a)), true, key)
}

func checkRSAPublic(name string, pub *rsa.PublicKey) error {
	if pub == nil || pub.N == nil {
		return fmt.Errorf("%w: %s: nil RSA key", ErrInvalidKey, name)
	}
	if bits := pub.N.BitLen(); bits < MinRSABits || bits > MaxRSABits {
		return fmt.Errorf("%w: %s: RSA key is %d bits, need %d to %d", ErrInvalidKey, name, bits, MinRSABits, MaxRSABits)
	}
	if pub.N.Bit(0) == 0 {
		return fmt.Errorf("%w: %s: RSA modulus is even", ErrInvalidKey, name)
	}
	if pub.E < 3 || pub.E&1 == 0 || pub.E > maxRSAExponent {
		return fmt.Errorf("%w: %s: RSA public exponent must be odd, from 3 to 2^31-1", ErrInvalidKey, name)
	}
	return checkFIPSRSAPublic(name, pub)
}

type rsaSigner struct {
	name   string
	hash   crypto.Hash
	pss    bool
	signer crypto.Signer
}

func newRSASigner(name string, h crypto.Hash, pss bool, key any) (Signer, error) {
	if h == 0 {
		return nil, fmt.Errorf("%w: unknown RSA algorithm", ErrUnsupportedAlgorithm)
	}
	s, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%w: %s needs an RSA private key or a crypto.Signer holding one, not %s", ErrInvalidKey, name, kindOf(key))
	}
	pub, ok := s.Public().(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%w: %s needs an RSA key, not %s", ErrInvalidKey, name, kindOf(s.Public()))
	}
	if err := checkRSAPublic(name, pub); err != nil {
		return nil, err
	}
	if priv, ok := key.(*rsa.PrivateKey); ok {
		if err := checkFIPSRSAPrivate(name, priv); err != nil {
			return nil, err
		}
		if err := priv.Validate(); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrInvalidKey, name, err)
		}
	}
	return &rsaSigner{name: name, hash: h, pss: pss, signer: s}, nil
}

var _ Signer = (*rsaSigner)(nil)

func (s *rsaSigner) Algorithm() string { return s.name }

func (s *rsaSigner) Sign(ctx context.Context, signingInput []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var buf [64]byte
	digest := hashInto(buf[:0], s.hash, signingInput)
	var opts crypto.SignerOpts = s.hash
	if s.pss {
		opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: s.hash}
	}
	return s.signer.Sign(rand.Reader, digest, opts)
}

type rsaVerifier struct {
	single
	name string
	hash crypto.Hash
	pss  *rsa.PSSOptions // nil for PKCS #1 v1.5
	pub  *rsa.PublicKey
}

func newRSAVerifier(name string, h crypto.Hash, pss bool, key any) (Verifier, error) {
	if h == 0 {
		return nil, fmt.Errorf("%w: unknown RSA algorithm", ErrUnsupportedAlgorithm)
	}
	var pub *rsa.PublicKey
	switch k := key.(type) {
	case *rsa.PublicKey:
		pub = k
	case *rsa.PrivateKey:
		if k != nil {
			pub = &k.PublicKey
		}
	default:
		return nil, fmt.Errorf("%w: %s needs an RSA public key, not %s", ErrInvalidKey, name, kindOf(key))
	}
	if err := checkRSAPublic(name, pub); err != nil {
		return nil, err
	}
	v := &rsaVerifier{name: name, hash: h, pub: pub}
	if pss {
		v.pss = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: h}
	}
	v.self[0] = v
	return v, nil
}

var _ Verifier = (*rsaVerifier)(nil)

func (v *rsaVerifier) Algorithm() string { return v.name }

func (v *rsaVerifier) Verify(signingInput, signature []byte) error {
	if len(signature) != v.pub.Size() {
		return ErrInvalidSignature
	}
	var buf [64]byte
	digest := hashInto(buf[:0], v.hash, signingInput)
	var err error
	if v.pss != nil {
		err = rsa.VerifyPSS(v.pub, v.hash, digest, signature, v.pss)
	} else {
		err = rsa.VerifyPKCS1v15(v.pub, v.hash, digest, signature)
	}
	if err != nil {
		return ErrInvalidSignature
	}
	return nil
}
