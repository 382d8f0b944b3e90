package main

import (
	"bytes"
	"crypto"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/jwtkit/jwt"
)

// keyFile is a key file in one of the formats jwt reads. Exactly one of
// jwk, set, signer, public and secret is set.
type keyFile struct {
	path    string
	kind    string           // for messages: "JWK", "JWK Set", "PEM private key", ...
	jwk     *jwt.JWK         // a single JWK
	set     *jwt.JWKSet      // a JWK Set
	private crypto.Signer    // a PEM private key
	public  crypto.PublicKey // a PEM public key or a certificate's key
	secret  []byte           // a raw secret, for HS algorithms
	// skipped are the keys of set that could not be parsed.
	skipped []error
}

// readKeyFile reads and parses the key file at path. Its errors exit with
// status 2 and never show key material.
func readKeyFile(path string) (*keyFile, error) {
	data, err := readFile(path, "key")
	if err != nil {
		return nil, err
	}
	kf := &keyFile{path: path}
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	switch {
	case len(trimmed) > 0 && trimmed[0] == '{' && utf8.Valid(data):
		// Checked here so that no parser error can quote a byte of a secret.
		if !json.Valid(data) {
			return nil, keyError(fmt.Errorf("key file %s starts with \"{\" but is not valid JSON, so it is neither a JWK nor a JWK Set", quote(path)))
		}
		var members map[string]json.RawMessage
		if json.Unmarshal(data, &members) == nil {
			if _, ok := members["keys"]; ok {
				kf.kind = "JWK Set"
				kf.set, kf.skipped, err = jwt.ParseJWKSet(data)
				if err != nil {
					return nil, keyError(fmt.Errorf("key file %s: %s", quote(path), message(err)))
				}
				if len(kf.set.Keys) == 0 {
					return nil, keyError(fmt.Errorf("key file %s: the JWK Set has no usable key%s", quote(path), skippedNote(kf.skipped)))
				}
				return kf, nil
			}
		}
		kf.kind = "JWK"
		if kf.jwk, err = jwt.ParseJWK(data); err != nil {
			return nil, keyError(fmt.Errorf("key file %s: %s", quote(path), message(err)))
		}
		return kf, nil
	case bytes.Contains(data, []byte("-----BEGIN ")):
		return kf, kf.readPEM(data)
	default:
		kf.kind = "raw secret"
		kf.secret = data
		return kf, nil
	}
}

// readPEM reads a PEM private key, public key or certificate.
func (kf *keyFile) readPEM(data []byte) error {
	block, rest := pem.Decode(data)
	if block != nil && block.Type == "EC PARAMETERS" {
		block, _ = pem.Decode(rest)
	}
	if block == nil {
		return keyError(fmt.Errorf("key file %s has a \"-----BEGIN\" line but no valid PEM block", quote(kf.path)))
	}
	var err error
	switch block.Type {
	case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
		kf.kind = "PEM private key"
		kf.private, err = jwt.ParsePrivateKeyPEM(data)
		if errors.Is(err, jwt.ErrEncryptedPEM) {
			err = errors.New("the PEM private key is encrypted; decrypt it first, e.g. with openssl pkey -in KEY -out PLAIN")
		}
	case "PUBLIC KEY", "RSA PUBLIC KEY":
		kf.kind = "PEM public key"
		kf.public, err = jwt.ParsePublicKeyPEM(data)
	case "CERTIFICATE":
		// The first certificate of a chain is the one whose key signs.
		kf.kind = "X.509 certificate"
		cert, cerr := jwt.ParseCertificate(block.Bytes)
		if err = cerr; err == nil {
			kf.public = cert.PublicKey
		}
	default:
		err = fmt.Errorf("PEM block %s is not a key or certificate that jwt reads", quote(block.Type))
	}
	if err != nil {
		return keyError(fmt.Errorf("key file %s: %s", quote(kf.path), message(err)))
	}
	return nil
}

func skippedNote(skipped []error) string {
	if len(skipped) == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d skipped; the first: %s)", len(skipped), message(skipped[0]))
}

// resolveAlgorithm returns the algorithm to use with a key: --alg, or the
// key's own "alg" member. Neither, or both disagreeing, is an error.
func resolveAlgorithm(flagAlg, keyAlg, path string) (jwt.Algorithm, error) {
	switch {
	case flagAlg != "" && keyAlg != "" && flagAlg != keyAlg:
		return nil, keyError(fmt.Errorf("--alg %s disagrees with the \"alg\" %s of the key in %s", flagAlg, quote(keyAlg), quote(path)))
	case flagAlg != "":
		return algorithmByName(flagAlg)
	case keyAlg != "":
		a, err := jwt.AlgorithmByName(keyAlg)
		if err != nil {
			return nil, keyError(fmt.Errorf("the key in %s has the unsupported \"alg\" %s", quote(path), quote(keyAlg)))
		}
		return a, nil
	}
	return nil, usageError("no algorithm: give --alg (the key in %s has no \"alg\" member; the algorithm is never taken from the token)", quote(path))
}

// pickKey returns the key of a JWK Set named by kid, or its only key.
// A missing kid is a usage error.
func (kf *keyFile) pickKey(kid string) (*jwt.JWK, error) {
	if kid != "" {
		if k := kf.set.Key(kid); k != nil {
			return k, nil
		}
		return nil, keyError(fmt.Errorf("the JWK Set in %s has no key with kid %s%s", quote(kf.path), quote(kid), skippedNote(kf.skipped)))
	}
	if len(kf.set.Keys) == 1 {
		return kf.set.Keys[0], nil
	}
	return nil, usageError("the JWK Set in %s holds %d keys: choose one with --kid", quote(kf.path), len(kf.set.Keys))
}

// checkKID reports a --kid that disagrees with a JWK's own kid.
func checkKID(k *jwt.JWK, kid, path string) error {
	if kid != "" && k.KeyID != "" && kid != k.KeyID {
		return keyError(fmt.Errorf("--kid %s disagrees with the kid %s of the key in %s", quote(kid), quote(k.KeyID), quote(path)))
	}
	return nil
}

// signer returns a Signer for the key file, bound to --alg or the key's alg,
// and the key ID to write into the header.
func (kf *keyFile) signer(flagAlg, kid string) (jwt.Signer, string, error) {
	k := kf.jwk
	if kf.set != nil {
		var err error
		if k, err = kf.pickKey(kid); err != nil {
			return nil, "", err
		}
	}
	if k != nil {
		if err := checkKID(k, kid, kf.path); err != nil {
			return nil, "", err
		}
		alg, err := resolveAlgorithm(flagAlg, k.Algorithm, kf.path)
		if err != nil {
			return nil, "", err
		}
		if !k.IsPrivate() {
			return nil, "", keyError(fmt.Errorf("the key in %s is a public key, which cannot sign; give the private key", quote(kf.path)))
		}
		s, err := k.Signer(alg)
		if err != nil {
			return nil, "", kf.unusable(alg, err)
		}
		if kid == "" {
			kid = k.KeyID
		}
		return s, kid, nil
	}
	alg, err := resolveAlgorithm(flagAlg, "", kf.path)
	if err != nil {
		return nil, "", err
	}
	var key any
	switch {
	case kf.private != nil:
		key = kf.private
	case kf.public != nil:
		return nil, "", keyError(fmt.Errorf("%s holds a %s, which cannot sign; give the private key", quote(kf.path), kf.kind))
	default:
		if _, ok := alg.(jwt.HMACAlgorithm); !ok {
			return nil, "", kf.notRawSecret(alg)
		}
		key = kf.secret
	}
	s, err := alg.NewSigner(key)
	if err != nil {
		return nil, "", kf.unusable(alg, err)
	}
	return s, kid, nil
}

// verifier returns a Verifier for the key file. tokenKID is the "kid" of
// the token's header, which chooses the key of a JWK Set when --kid does
// not; it is never used for anything else.
func (kf *keyFile) verifier(flagAlg, kid, tokenKID string) (jwt.KeySource, error) {
	if kf.set != nil {
		return kf.setVerifier(flagAlg, kid, tokenKID)
	}
	if kf.jwk != nil {
		return kf.jwkVerifier(kf.jwk, flagAlg, kid)
	}
	alg, err := resolveAlgorithm(flagAlg, "", kf.path)
	if err != nil {
		return nil, err
	}
	var key any
	switch {
	case kf.private != nil:
		key = kf.private.Public()
	case kf.public != nil:
		key = kf.public
	default:
		if _, ok := alg.(jwt.HMACAlgorithm); !ok {
			return nil, kf.notRawSecret(alg)
		}
		key = kf.secret
	}
	v, err := alg.NewVerifier(key)
	if err != nil {
		return nil, kf.unusable(alg, err)
	}
	if kid != "" {
		v = jwt.VerifierWithKeyID(v, kid)
	}
	return v, nil
}

func (kf *keyFile) jwkVerifier(k *jwt.JWK, flagAlg, kid string) (jwt.Verifier, error) {
	if err := checkKID(k, kid, kf.path); err != nil {
		return nil, err
	}
	alg, err := resolveAlgorithm(flagAlg, k.Algorithm, kf.path)
	if err != nil {
		return nil, err
	}
	v, err := k.Verifier(alg)
	if err != nil {
		return nil, kf.unusable(alg, err)
	}
	if kid != "" && k.KeyID == "" {
		v = jwt.VerifierWithKeyID(v, kid)
	}
	return v, nil
}

// setVerifier chooses the key of a JWK Set: the one named by --kid, else
// the one named by the token's kid, else the only key; for a token without
// kid and a set of several keys, every key bound to --alg (or, without
// --alg, each key bound to its own "alg") is tried, as a jwt.KeySet does.
func (kf *keyFile) setVerifier(flagAlg, kid, tokenKID string) (jwt.KeySource, error) {
	switch {
	case kid != "":
		k, err := kf.pickKey(kid)
		if err != nil {
			return nil, err
		}
		return kf.jwkVerifier(k, flagAlg, "")
	case tokenKID != "":
		k := kf.set.Key(tokenKID)
		if k == nil {
			return nil, rejected(fmt.Errorf("%w: the JWK Set in %s has no key with the token's kid %s", jwt.ErrKeyNotFound, quote(kf.path), quote(tokenKID)))
		}
		return kf.jwkVerifier(k, flagAlg, "")
	case len(kf.set.Keys) == 1:
		return kf.jwkVerifier(kf.set.Keys[0], flagAlg, "")
	}
	var flagAlgorithm jwt.Algorithm
	if flagAlg != "" {
		a, err := algorithmByName(flagAlg)
		if err != nil {
			return nil, err
		}
		flagAlgorithm = a
	}
	var vs []jwt.Verifier
	for _, k := range kf.set.Keys {
		if flagAlgorithm != nil && k.Algorithm != "" && k.Algorithm != flagAlg {
			continue // bound to another algorithm
		}
		if flagAlgorithm == nil && k.Algorithm == "" {
			continue // no algorithm for this key
		}
		v, err := k.Verifier(flagAlgorithm)
		if err != nil {
			continue // a key of another type, or not for signatures
		}
		vs = append(vs, v)
	}
	if len(vs) == 0 {
		if flagAlg == "" {
			return nil, usageError("the token has no kid and no key of the JWK Set in %s has an \"alg\": give --alg or --kid", quote(kf.path))
		}
		return nil, keyError(fmt.Errorf("no key of the JWK Set in %s can verify %s", quote(kf.path), flagAlg))
	}
	ks, err := jwt.NewKeySet(vs...)
	if err != nil {
		return nil, keyError(fmt.Errorf("key file %s: %s", quote(kf.path), message(err)))
	}
	return ks, nil
}

func (kf *keyFile) notRawSecret(alg jwt.Algorithm) error {
	return keyError(fmt.Errorf("%s is not a JWK, JWK Set or PEM file, so it is read as a raw secret, which only HS256, HS384 and HS512 use, not %s", quote(kf.path), alg.Name()))
}

// unusable reports a key that does not fit alg, without its material.
func (kf *keyFile) unusable(alg jwt.Algorithm, err error) error {
	return keyError(fmt.Errorf("the %s in %s cannot be used with %s: %s", kf.kind, quote(kf.path), alg.Name(), message(err)))
}

// thumbprintJWK returns a JWK for the key file, for thumbprints.
func (kf *keyFile) thumbprintJWK(kid string) (*jwt.JWK, error) {
	switch {
	case kf.set != nil:
		return kf.pickKey(kid)
	case kf.jwk != nil:
		return kf.jwk, nil
	}
	var key any = kf.secret
	if kf.private != nil {
		key = kf.private.Public()
	} else if kf.public != nil {
		key = kf.public
	}
	k, err := jwt.NewJWK(key)
	if err != nil {
		return nil, keyError(fmt.Errorf("the %s in %s: %s", kf.kind, quote(kf.path), message(err)))
	}
	return k, nil
}
