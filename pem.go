package jwt

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
)

// PEM block types.
const (
	pemPrivateKey          = "PRIVATE KEY"           // PKCS #8
	pemRSAPrivateKey       = "RSA PRIVATE KEY"       // PKCS #1
	pemECPrivateKey        = "EC PRIVATE KEY"        // SEC 1
	pemECParameters        = "EC PARAMETERS"         // written by openssl ecparam before the key
	pemEncryptedPrivateKey = "ENCRYPTED PRIVATE KEY" // PKCS #8, encrypted
	pemPublicKey           = "PUBLIC KEY"            // PKIX
	pemRSAPublicKey        = "RSA PUBLIC KEY"        // PKCS #1
	pemCertificate         = "CERTIFICATE"
)

// ParsePrivateKeyPEM parses the private key of a PEM file, as written by
// openssl: one block of type "PRIVATE KEY" (PKCS #8), "RSA PRIVATE KEY"
// (PKCS #1) or "EC PRIVATE KEY" (SEC 1), which an "EC PARAMETERS" block may
// precede. It returns an *rsa.PrivateKey, *ecdsa.PrivateKey or
// ed25519.PrivateKey, checked as [ParseJWK] checks keys: RSA keys have
// MinRSABits to MaxRSABits bits, and EC keys are on P-256, P-384 or P-521.
//
// An encrypted key is an error wrapping ErrEncryptedPEM (decrypt it first,
// for example with openssl pkey); a file with no PEM block, with several
// key blocks, or with a block of another type is an error wrapping
// ErrInvalidKey, as is any other error.
func ParsePrivateKeyPEM(data []byte) (crypto.Signer, error) {
	block, err := onePEMBlock(data, "private key", true)
	if err != nil {
		return nil, err
	}
	var key any
	switch block.Type {
	case pemPrivateKey:
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case pemRSAPrivateKey:
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case pemECPrivateKey:
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case pemPublicKey, pemRSAPublicKey, pemCertificate:
		return nil, fmt.Errorf("%w: PEM block %q holds no private key; use ParsePublicKeyPEM", ErrInvalidKey, block.Type)
	default:
		return nil, fmt.Errorf("%w: PEM block %q is not a private key (want %q, %q or %q)", ErrInvalidKey, block.Type, pemPrivateKey, pemRSAPrivateKey, pemECPrivateKey)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: PEM %q: %w", ErrInvalidKey, block.Type, err)
	}
	if _, err := checkJWKKey(key); err != nil {
		return nil, relabel(err, "PEM")
	}
	s, ok := key.(crypto.Signer)
	if !ok || !isPrivateKey(key) {
		return nil, fmt.Errorf("%w: %s", ErrUnsupportedKeyType, kindOf(key))
	}
	return s, nil
}

// ParsePublicKeyPEM parses the public key of a PEM file: one block of type
// "PUBLIC KEY" (PKIX, as openssl pkey -pubout writes) or "RSA PUBLIC KEY"
// (PKCS #1), or an X.509 certificate chain, one or more "CERTIFICATE"
// blocks, whose first certificate holds the key. It returns an
// *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey, checked as by
// [ParsePrivateKeyPEM].
//
// ParsePublicKeyPEM does not verify a certificate: not its signature, chain,
// validity period or key usage. A caller that trusts a key because of its
// certificate must verify the certificate, with crypto/x509. Errors wrap
// ErrInvalidKey.
func ParsePublicKeyPEM(data []byte) (crypto.PublicKey, error) {
	block, err := onePEMBlock(data, "public key", false)
	if err != nil {
		return nil, err
	}
	var key any
	switch block.Type {
	case pemPublicKey:
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	case pemRSAPublicKey:
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case pemCertificate:
		var cert *x509.Certificate
		if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
			key = cert.PublicKey
		}
	case pemPrivateKey, pemRSAPrivateKey, pemECPrivateKey:
		return nil, fmt.Errorf("%w: PEM block %q is a private key, not a public key", ErrInvalidKey, block.Type)
	default:
		return nil, fmt.Errorf("%w: PEM block %q is not a public key (want %q, %q or %q)", ErrInvalidKey, block.Type, pemPublicKey, pemRSAPublicKey, pemCertificate)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: PEM %q: %w", ErrInvalidKey, block.Type, err)
	}
	if _, err := checkJWKKey(key); err != nil {
		if block.Type == pemCertificate {
			return nil, relabel(err, "certificate")
		}
		return nil, err
	}
	if isPrivateKey(key) {
		return nil, fmt.Errorf("%w: %s", ErrUnsupportedKeyType, kindOf(key))
	}
	return key, nil
}

// onePEMBlock returns the only PEM block of data, or the first of a chain
// of "CERTIFICATE" blocks. Text before it is ignored; an "EC PARAMETERS"
// block is skipped if ecParams is set.
func onePEMBlock(data []byte, what string, ecParams bool) (*pem.Block, error) {
	block, rest := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%w: no PEM block found where a %s was expected", ErrInvalidKey, what)
	}
	if ecParams && block.Type == pemECParameters {
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, fmt.Errorf("%w: PEM %q block without a key after it", ErrInvalidKey, pemECParameters)
		}
	}
	if block.Type == pemEncryptedPrivateKey || strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") {
		return nil, fmt.Errorf("%w: PEM block %q", ErrEncryptedPEM, block.Type)
	}
	if len(block.Headers) > 0 {
		return nil, fmt.Errorf("%w: PEM block %q has headers", ErrInvalidKey, block.Type)
	}
	for next, more := pem.Decode(rest); next != nil; next, more = pem.Decode(more) {
		if block.Type != pemCertificate || next.Type != pemCertificate {
			return nil, fmt.Errorf("%w: several PEM blocks (%q, then %q) where one %s was expected", ErrInvalidKey, block.Type, next.Type, what)
		}
		rest = more
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return nil, fmt.Errorf("%w: data after the PEM block", ErrInvalidKey)
	}
	return block, nil
}

func isPrivateKey(key any) bool {
	switch key.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
		return true
	}
	return isAKPPrivate(key)
}

// EncodePrivateKeyPEM returns key, an *rsa.PrivateKey, *ecdsa.PrivateKey or
// ed25519.PrivateKey, as a PEM "PRIVATE KEY" block (PKCS #8, unencrypted),
// which openssl and [ParsePrivateKeyPEM] read. The result is a secret.
// Errors wrap ErrInvalidKey.
func EncodePrivateKeyPEM(key crypto.PrivateKey) ([]byte, error) {
	if !isPrivateKey(key) {
		return nil, fmt.Errorf("%w: EncodePrivateKeyPEM needs an RSA, ECDSA or Ed25519 private key, not %s", ErrInvalidKey, kindOf(key))
	}
	if _, err := checkJWKKey(key); err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidKey, err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPrivateKey, Bytes: der}), nil
}

// EncodePublicKeyPEM returns key, an *rsa.PublicKey, *ecdsa.PublicKey or
// ed25519.PublicKey, as a PEM "PUBLIC KEY" block (PKIX), which openssl and
// [ParsePublicKeyPEM] read. Given a private key or another crypto.Signer, it
// encodes the public key. Errors wrap ErrInvalidKey.
func EncodePublicKeyPEM(key crypto.PublicKey) ([]byte, error) {
	if s, ok := key.(crypto.Signer); ok {
		key = s.Public()
	}
	if _, ok := key.([]byte); ok || isPrivateKey(key) {
		return nil, fmt.Errorf("%w: EncodePublicKeyPEM needs a public key, not %s", ErrInvalidKey, kindOf(key))
	}
	if _, err := checkJWKKey(key); err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidKey, err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPublicKey, Bytes: der}), nil
}

// relabel returns err, a key check's error, saying where the key came from
// (src, such as "PEM") instead of "JWK", so that a PEM file's error does not
// send its reader looking for a JWK.
func relabel(err error, src string) error {
	msg := err.Error()
	for _, from := range []string{": JWK: ", ": JWK:"} {
		if i := strings.Index(msg, from); i >= 0 {
			msg = msg[:i] + ": " + src + ":" + msg[i+len(from)-1:]
			break
		}
	}
	return &multiError{msg: msg, errs: []error{err}}
}
