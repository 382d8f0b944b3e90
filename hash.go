package jwt

import (
	"crypto"
	"crypto/sha256"
	"crypto/sha512"
)

// hashInto appends the digest of msg under h to dst. It does not allocate
// when dst has room for the digest.
func hashInto(dst []byte, h crypto.Hash, msg []byte) []byte {
	switch h {
	case crypto.SHA256:
		s := sha256.Sum256(msg)
		return append(dst, s[:]...)
	case crypto.SHA384:
		s := sha512.Sum384(msg)
		return append(dst, s[:]...)
	case crypto.SHA512:
		s := sha512.Sum512(msg)
		return append(dst, s[:]...)
	}
	panic("jwt: hashInto: unsupported hash") // unreachable: hashes are fixed per algorithm
}
