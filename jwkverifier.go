package jwt

import "crypto/ecdsa"

// newVerifier returns a's Verifier of k's public key, carrying k's key ID
// if it has one. An EC key that ParseJWK read and checked
// (ecdsa.ParseUncompressedPublicKey, or ecdsa.ParseRawPrivateKey, which
// derives the point) and that is still k's key is not checked a second
// time: a JWK Set of EC keys is parsed once and turned into verifiers at
// once, and the second check of every point cost as much as the parse.
// Every verification with the key checks its point again (crypto/ecdsa
// does), so nothing rests on k not having been changed since.
func (k *JWK) newVerifier(a Algorithm) (Verifier, error) {
	pub := publicKeyOf(k.Key)
	if ea, ok := a.(ECDSAAlgorithm); ok && k.checkedEC != nil && pub == any(k.checkedEC) {
		if v := ea.checkedVerifier(k.checkedEC, k.KeyID); v != nil {
			return v, nil
		}
	}
	v, err := a.NewVerifier(pub)
	if err != nil {
		return nil, err
	}
	if k.KeyID != "" {
		v = VerifierWithKeyID(v, k.KeyID)
	}
	return v, nil
}

// keyedECDSAVerifier is VerifierWithKeyID(ecdsaVerifier) in one
// allocation.
type keyedECDSAVerifier struct {
	keyed keyedVerifier
	ec    ecdsaVerifier
}

// checkedVerifier is NewVerifier, with the key ID kid if not "", for a
// public key whose point is known to be on its curve: only the curve is
// checked. It returns nil if pub is not on a's curve, for NewVerifier to
// say why.
func (a ECDSAAlgorithm) checkedVerifier(pub *ecdsa.PublicKey, kid string) Verifier {
	name, curve, h, size := a.params()
	if curve == nil || pub.Curve != curve {
		return nil
	}
	if kid == "" {
		v := &ecdsaVerifier{name: name, hash: h, size: size, pub: pub}
		v.self[0] = v
		return v
	}
	kv := &keyedECDSAVerifier{ec: ecdsaVerifier{name: name, hash: h, size: size, pub: pub}}
	kv.ec.self[0] = &kv.ec
	kv.keyed = keyedVerifier{Verifier: &kv.ec, kid: kid}
	kv.keyed.self[0] = &kv.keyed
	return &kv.keyed
}
