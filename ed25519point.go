package jwt

import (
	"crypto/ed25519"
	"errors"
	"math/big"
	"sync"
)

// Why an Ed25519 public key is refused. The messages name the defect, never
// the key's bytes.
var (
	errEd25519Length       = errors.New("Ed25519 public key is not 32 bytes")
	errEd25519NonCanonical = errors.New("Ed25519 public key is not a canonical point encoding")
	errEd25519NotOnCurve   = errors.New("Ed25519 public key is not a point on the curve")
	errEd25519SmallOrder   = errors.New("Ed25519 public key is a point of small order")
)

// edwards25519 holds what checkEd25519PublicKey needs of the curve
// -x² + y² = 1 + d·x²·y² over GF(p) (RFC 8032 §5.1).
type edwards25519 struct {
	p *big.Int // 2^255 - 19
	d *big.Int // -121665/121666 mod p
	// smallOrderY holds the y coordinates of the 8 points of order 1, 2, 4
	// and 8 (the torsion subgroup, which is cyclic): 1 for the identity
	// (0, 1); p-1 for (0, -1), of order 2; 0 for (±√-1, 0), of order 4;
	// and ±y8 for the 4 points of order 8 (±x8, ±y8).
	smallOrderY []*big.Int
}

// y8LE is y8 in little-endian order: the encoding of an Ed25519 point of
// order 8, as listed in libsodium's ed25519_ref10.c (ge25519_has_small_order)
// and in filippo.io/mostly-harmless/ed25519vectors. TestEd25519SmallOrderY
// checks that [8]P = O and [4]P ≠ O for it.
const y8LE = "\x26\xe8\x95\x8f\xc2\xb2\x27\xb0\x45\xc3\xf4\x89\xf2\xef\x98\xf0" +
	"\xd5\xdf\xac\x05\xd3\xc6\x33\x39\xb1\x38\x02\x88\x6d\x53\xfc\x05"

var edwards25519Params = sync.OnceValue(func() *edwards25519 {
	p := new(big.Int).Lsh(big.NewInt(1), 255)
	p.Sub(p, big.NewInt(19))
	d := new(big.Int).ModInverse(big.NewInt(121666), p)
	d.Mul(d, big.NewInt(-121665))
	d.Mod(d, p)
	y8 := leToInt([]byte(y8LE))
	return &edwards25519{p: p, d: d, smallOrderY: []*big.Int{
		big.NewInt(1),
		new(big.Int).Sub(p, big.NewInt(1)),
		big.NewInt(0),
		y8,
		new(big.Int).Sub(p, y8),
	}}
})

// leToInt returns the integer whose little-endian encoding is b.
func leToInt(b []byte) *big.Int {
	be := make([]byte, len(b))
	for i, c := range b {
		be[len(b)-1-i] = c
	}
	return new(big.Int).SetBytes(be)
}

// checkEd25519PublicKey returns an error if pub is not the canonical
// encoding of an Ed25519 point of order more than 8.
//
// crypto/ed25519 checks none of this: it takes any 32 bytes as a public
// key. With the identity point as the key, the fixed signature R = the
// identity's encoding, S = 0 verifies every message, for anyone; with
// another point of order 2, 4 or 8, it verifies one message in 2, 4 or 8.
// No one holds a private key for such a key, so refusing it loses nothing.
//
// The checks follow the decoding of RFC 8032 §5.1.3: y < p; x² = (y² - 1) /
// (d·y² + 1) has a square root; x = 0 does not come with the sign bit set.
// The point must then not be one of the 8 points of the torsion subgroup,
// known by their y coordinates. A point with a torsion component but a
// large order (A + T) is accepted, as crypto/ed25519 and RFC 8032 accept
// it: only the holder of A's private key can sign for it.
//
// The key is public, so the arithmetic need not be constant-time; it is
// done with math/big to keep the package free of dependencies, and costs a
// few microseconds.
func checkEd25519PublicKey(pub []byte) error {
	if len(pub) != ed25519.PublicKeySize {
		return errEd25519Length
	}
	c := edwards25519Params()
	p := c.p

	// The encoding is y in little-endian order, with the sign of x in the
	// top bit of the last byte.
	var enc [ed25519.PublicKeySize]byte
	copy(enc[:], pub)
	sign := enc[31] >> 7
	enc[31] &= 0x7f
	y := leToInt(enc[:])
	if y.Cmp(p) >= 0 {
		return errEd25519NonCanonical
	}

	// u/v is a square mod p iff u·v is (v is never 0: -1/d is not a
	// square), which the Jacobi symbol tells without computing x.
	one := big.NewInt(1)
	yy := new(big.Int).Mul(y, y)
	yy.Mod(yy, p)
	u := new(big.Int).Sub(yy, one) // y² - 1
	u.Mod(u, p)
	v := new(big.Int).Mul(c.d, yy) // d·y² + 1
	v.Add(v, one)
	uv := v.Mul(v, u)
	uv.Mod(uv, p)
	if big.Jacobi(uv, p) < 0 {
		return errEd25519NotOnCurve
	}
	if u.Sign() == 0 && sign == 1 {
		// x = 0, and -0 = 0: the sign bit set is a second encoding of
		// the same point, which RFC 8032 §5.1.3 step 4 rejects.
		return errEd25519NonCanonical
	}
	// The point is on the curve, and so is its negation: both have the
	// same y and the same order.
	for _, s := range c.smallOrderY {
		if y.Cmp(s) == 0 {
			return errEd25519SmallOrder
		}
	}
	return nil
}
