// Package keyform recognizes keys written in the forms keys are kept in, so
// that a key of another kind, such as a public key, is never taken for an
// HMAC secret. The root package refuses such a secret in
// HMACAlgorithm.NewSigner and NewVerifier, and the jwt command refuses it in
// --secret-file, both through [Of].
//
// A form is recognized only when the data certainly is one: a secret made of
// random bytes is never taken for a key, whatever its length.
package keyform

import (
	"bytes"
	"encoding/asn1"
	"math/big"
	"regexp"

	"github.com/jwtkit/jwt/internal/strictjson"
)

const (
	utf8BOM  = "\xef\xbb\xbf"
	pemBegin = "-----BEGIN "
)

// sshPublicKey matches the start of an OpenSSH public key line: a key type,
// a space and the base64 of the key, which starts with a 32-bit length.
var sshPublicKey = regexp.MustCompile(`^(ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9-]+|sk-[a-z0-9@.-]+) AAAA`)

// Of names the form of key data is, or returns "" if data is none of them.
// The forms, read after a UTF-8 byte-order mark and whitespace, are:
//
//   - "PEM": data holds a PEM boundary ("-----BEGIN "), anywhere;
//   - "an OpenSSH key": an OpenSSH private key ("openssh-key-v1") or public
//     key line ("ssh-ed25519 AAAA…");
//   - "DER": the ASN.1 structure of a certificate, a PKIX public key, a
//     PKCS #8, PKCS #1 or SEC 1 private key or a PKCS #1 public key, and
//     nothing after it;
//   - "a JWK Set" or "a JWK": a JSON object, read strictly, with a "keys"
//     or a "kty" member.
func Of(data []byte) string {
	text := bytes.TrimLeft(bytes.TrimPrefix(data, []byte(utf8BOM)), " \t\r\n")
	switch {
	case bytes.Contains(data, []byte(pemBegin)):
		return "PEM"
	case bytes.HasPrefix(text, []byte("openssh-key-v1")), sshPublicKey.Match(text):
		return "an OpenSSH key"
	case isDERKey(data):
		return "DER"
	case len(text) > 0 && text[0] == '{':
		switch jsonKeyMember(text) {
		case "keys":
			return "a JWK Set"
		case "kty":
			return "a JWK"
		}
	}
	return ""
}

// isDERKey reports whether data is, in DER, one of the structures keys and
// certificates are kept in: a certificate (RFC 5280), a PKIX public key, a
// PKCS #8, PKCS #1 or SEC 1 private key, or a PKCS #1 public key, with
// nothing after it. Only the structure is read, never the key, so that the
// answer is the same whatever keys crypto/x509 accepts (FIPS 140-only mode
// refuses some); a structure of several typed members cannot arise from
// random bytes.
func isDERKey(data []byte) bool {
	if len(data) < 2 || data[0] != 0x30 {
		return false
	}
	for _, v := range [...]any{
		new(certificate), new(pkixPublicKey), new(pkcs8PrivateKey),
		new(pkcs1PrivateKey), new(sec1PrivateKey), new(pkcs1PublicKey),
	} {
		if rest, err := asn1.Unmarshal(data, v); err == nil && len(rest) == 0 {
			return true
		}
	}
	return false
}

// The ASN.1 structures of keys and certificates, as read by isDERKey.
type (
	algorithmIdentifier struct {
		Algorithm  asn1.ObjectIdentifier
		Parameters asn1.RawValue `asn1:"optional"`
	}
	certificate struct {
		TBSCertificate     asn1.RawValue
		SignatureAlgorithm algorithmIdentifier
		Signature          asn1.BitString
	}
	pkixPublicKey struct {
		Algorithm algorithmIdentifier
		PublicKey asn1.BitString
	}
	pkcs8PrivateKey struct {
		Version    int
		Algorithm  algorithmIdentifier
		PrivateKey []byte
		Attributes asn1.RawValue  `asn1:"optional,tag:0"`
		PublicKey  asn1.BitString `asn1:"optional,tag:1"`
	}
	pkcs1PrivateKey struct {
		Version          int
		N, E, D, P, Q    *big.Int
		Dp, Dq, Qinv     *big.Int
		AdditionalPrimes []asn1.RawValue `asn1:"optional"`
	}
	sec1PrivateKey struct {
		Version    int
		PrivateKey []byte
		Curve      asn1.ObjectIdentifier `asn1:"optional,explicit,tag:0"`
		PublicKey  asn1.BitString        `asn1:"optional,explicit,tag:1"`
	}
	pkcs1PublicKey struct {
		N, E *big.Int
	}
)

// jsonKeyMember returns "keys" or "kty" if text is one strict JSON object
// with a member of that name ("keys" first), or "".
func jsonKeyMember(text []byte) string {
	r := strictjson.NewReader(string(text))
	if err := r.ObjectStart(); err != nil {
		return ""
	}
	var seen strictjson.NameSet
	var keys, kty bool
	name, ok, err := r.FirstMember()
	for ; ok && err == nil; name, ok, err = r.NextMember() {
		if err = seen.Add(name); err == nil {
			err = r.Skip()
		}
		if err != nil {
			return ""
		}
		keys = keys || name == "keys"
		kty = kty || name == "kty"
	}
	if err != nil || r.End() != nil {
		return ""
	}
	switch {
	case keys:
		return "keys"
	case kty:
		return "kty"
	}
	return ""
}
