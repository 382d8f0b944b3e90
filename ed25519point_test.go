package jwt

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

// The public keys of the Ed25519 test vectors of RFC 8032 §7.1 (TEST 1,
// TEST 2, TEST 3, TEST 1024, TEST SHA(abc)), each with its secret key, from
// which the test derives the public key again as a check on the typing.
var rfc8032Keys = []struct {
	name, secret, public string
}{
	{"TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"},
	{"TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"},
	{"TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7", "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025"},
	{"TEST 1024", "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5", "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e"},
	{"TEST SHA(abc)", "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42", "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf"},
}

func TestEd25519PointRFC8032(t *testing.T) {
	t.Parallel()
	for _, k := range rfc8032Keys {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			pub := mustHex(t, k.public)
			derived := ed25519.NewKeyFromSeed(mustHex(t, k.secret)).Public().(ed25519.PublicKey)
			require.Equal(t, pub, []byte(derived), "RFC 8032 public key typed in correctly")
			assert.NoError(t, checkEd25519PublicKey(pub))
			for _, alg := range []EdDSAAlgorithm{EdDSA, Ed25519} {
				_, err := alg.NewVerifier(ed25519.PublicKey(pub))
				assert.NoError(t, err, alg.Name())
			}
		})
	}
}

// TestEd25519PointVectors runs the distinct public keys of the
// ed25519vectors set (testdata/ed25519vectors_keys.json, see
// testdata/README.md) with the flags that set gives them: a key flagged
// LowOrderA (one of the 8 points of order 1, 2, 4 or 8, under any of its 14
// encodings) is refused, one flagged NonCanonicalA as a non-canonical
// encoding, and every other one, including points with a low-order
// component but a large order (LowOrderComponentA), is accepted.
func TestEd25519PointVectors(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("testdata", "ed25519vectors_keys.json"))
	require.NoError(t, err)
	var vectors []struct {
		Key   string   `json:"key"`
		Flags []string `json:"flags"`
	}
	require.NoError(t, json.Unmarshal(b, &vectors))
	require.Len(t, vectors, 22)
	var lowOrder, nonCanonical, accepted int
	for i, v := range vectors {
		var want error
		switch {
		case slices.Contains(v.Flags, "NonCanonicalA"):
			want = errEd25519NonCanonical
			nonCanonical++
		case slices.Contains(v.Flags, "LowOrderA"):
			want = errEd25519SmallOrder
			lowOrder++
		default:
			accepted++
		}
		t.Run(strconv.Itoa(i)+"/"+v.Key[:8], func(t *testing.T) {
			t.Parallel()
			err := checkEd25519PublicKey(mustHex(t, v.Key))
			if want == nil {
				assert.NoError(t, err, "flags %v", v.Flags)
			} else {
				assert.ErrorIs(t, err, want, "flags %v", v.Flags)
			}
		})
	}
	// 8 low-order points: 8 canonical encodings, 6 non-canonical ones.
	assert.Equal(t, 8, lowOrder, "canonical low-order encodings")
	assert.Equal(t, 6, nonCanonical, "non-canonical low-order encodings")
	assert.Equal(t, 8, accepted)
}

// TestEd25519PointEncodings covers the other ways 32 bytes fail to be a
// key. The expected outcomes follow from RFC 8032 §5.1.3: for y < p, the
// encoding is a point iff (y² - 1) / (d·y² + 1) is a square mod p, which
// holds for y = 3, 4 and fails for y = 2, 7 and 8.
func TestEd25519PointEncodings(t *testing.T) {
	t.Parallel()
	le := func(y byte, sign bool) []byte {
		b := make([]byte, 32)
		b[0] = y
		if sign {
			b[31] = 0x80
		}
		return b
	}
	// pPlus returns the encoding of y = p + k (p = 2^255 - 19), which
	// fits in 255 bits for k ≤ 18: a second encoding of y = k.
	pPlus := func(k byte) []byte {
		b := mustHex(t, "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
		b[0] += k
		return b
	}
	for _, tc := range []struct {
		name string
		key  []byte
		want error
	}{
		{name: "y=3", key: le(3, false)},
		{name: "y=3 negative x", key: le(3, true)},
		{name: "y=4", key: le(4, false)},
		{name: "y=2 not a point", key: le(2, false), want: errEd25519NotOnCurve},
		{name: "y=7 not a point", key: le(7, false), want: errEd25519NotOnCurve},
		{name: "y=8 not a point, sign set", key: le(8, true), want: errEd25519NotOnCurve},
		{name: "y=p+3, a point with y=3", key: pPlus(3), want: errEd25519NonCanonical},
		{name: "y=p+2, not a point either", key: pPlus(2), want: errEd25519NonCanonical},
		{name: "y=2^255-1", key: pPlus(18), want: errEd25519NonCanonical},
		{name: "all ones", key: mustHex(t, "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"), want: errEd25519NonCanonical},
		{name: "identity with the sign bit (x = -0)", key: le(1, true), want: errEd25519NonCanonical},
		{name: "31 bytes", key: make([]byte, 31), want: errEd25519Length},
		{name: "33 bytes", key: make([]byte, 33), want: errEd25519Length},
		{name: "nil", key: nil, want: errEd25519Length},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := checkEd25519PublicKey(tc.key)
			if tc.want == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tc.want)
			}
		})
	}
}

// Every key crypto/ed25519 generates is accepted.
func TestEd25519PointGenerated(t *testing.T) {
	t.Parallel()
	for range 64 {
		pub, _, err := ed25519.GenerateKey(rand.Reader)
		require.NoError(t, err)
		require.NoError(t, checkEd25519PublicKey(pub), "%x", []byte(pub))
	}
}

// decodeEd25519 decodes a canonical point encoding as RFC 8032 §5.1.3
// does, computing x = u·v³·(u·v⁷)^((p-5)/8) (and ·√-1 if v·x² = -u), or
// reports false. It is the reference that checkEd25519PublicKey, which only
// decides whether x exists, is tested against.
func decodeEd25519(enc []byte) (x, y *big.Int, ok bool) {
	c := edwards25519Params()
	p := c.p
	b := append([]byte(nil), enc...)
	sign := b[31] >> 7
	b[31] &= 0x7f
	y = leToInt(b)
	if y.Cmp(p) >= 0 {
		return nil, nil, false
	}
	mod := func(z *big.Int) *big.Int { return z.Mod(z, p) }
	yy := mod(new(big.Int).Mul(y, y))
	u := mod(new(big.Int).Sub(yy, big.NewInt(1)))
	v := mod(new(big.Int).Add(new(big.Int).Mul(c.d, yy), big.NewInt(1)))
	v3 := mod(new(big.Int).Exp(v, big.NewInt(3), p))
	uv7 := mod(new(big.Int).Mul(u, mod(new(big.Int).Mul(v3, mod(new(big.Int).Mul(v3, v))))))
	e := new(big.Int).Rsh(new(big.Int).Sub(p, big.NewInt(5)), 3)
	x = mod(new(big.Int).Mul(mod(new(big.Int).Mul(u, v3)), new(big.Int).Exp(uv7, e, p)))
	vxx := mod(new(big.Int).Mul(v, mod(new(big.Int).Mul(x, x))))
	switch {
	case vxx.Cmp(u) == 0:
	case vxx.Cmp(mod(new(big.Int).Neg(u))) == 0:
		sqrtM1 := new(big.Int).Exp(big.NewInt(2), new(big.Int).Rsh(new(big.Int).Sub(p, big.NewInt(1)), 2), p)
		x = mod(x.Mul(x, sqrtM1))
	default:
		return nil, nil, false
	}
	if x.Sign() == 0 && sign == 1 {
		return nil, nil, false
	}
	if uint(x.Bit(0)) != uint(sign) {
		x.Sub(p, x)
	}
	return x, y, true
}

// timesTwoToThe returns [2^n](x, y) as projective (X : Y : Z), doubling with
// the formulas for a = -1 of Bernstein, Birkner, Joye, Lange and Peters,
// "Twisted Edwards Curves" (2008), §6.
func timesTwoToThe(n int, x, y *big.Int) (X, Y, Z *big.Int) {
	p := edwards25519Params().p
	mod := func(z *big.Int) *big.Int { return z.Mod(z, p) }
	X, Y, Z = new(big.Int).Set(x), new(big.Int).Set(y), big.NewInt(1)
	for range n {
		b := mod(new(big.Int).Exp(new(big.Int).Add(X, Y), big.NewInt(2), p))
		c := mod(new(big.Int).Mul(X, X))
		d := mod(new(big.Int).Mul(Y, Y))
		e := mod(new(big.Int).Neg(c))
		f := mod(new(big.Int).Add(e, d))
		h := mod(new(big.Int).Mul(Z, Z))
		j := mod(new(big.Int).Sub(f, new(big.Int).Lsh(h, 1)))
		X = mod(new(big.Int).Mul(mod(new(big.Int).Sub(new(big.Int).Sub(b, c), d)), j))
		Y = mod(new(big.Int).Mul(f, mod(new(big.Int).Sub(e, d))))
		Z = mod(new(big.Int).Mul(f, j))
	}
	return X, Y, Z
}

func isIdentity(X, Y, Z *big.Int) bool { return X.Sign() == 0 && Y.Cmp(Z) == 0 }

// TestEd25519SmallOrderY checks the list of small-order y coordinates
// against the group law: the point of y8LE has order exactly 8, and for
// every encoding tried, checkEd25519PublicKey reports a small-order point
// exactly when the reference decoding succeeds and [8]P = O.
func TestEd25519SmallOrderY(t *testing.T) {
	t.Parallel()
	x, y, ok := decodeEd25519([]byte(y8LE))
	require.True(t, ok, "y8 is a point")
	assert.True(t, isIdentity(timesTwoToThe(3, x, y)), "[8]P = O")
	assert.False(t, isIdentity(timesTwoToThe(2, x, y)), "[4]P != O")

	var encs [][]byte
	for i := range 256 {
		for _, sign := range []byte{0, 0x80} {
			b := make([]byte, 32)
			b[0], b[31] = byte(i), sign
			encs = append(encs, b)
			b = mustHex(t, "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f") // p - 1
			b[0] -= byte(i % 0xec)
			b[31] |= sign
			encs = append(encs, b)
		}
	}
	for _, k := range rfc8032Keys {
		encs = append(encs, mustHex(t, k.public))
	}
	for _, s := range edwards25519Params().smallOrderY {
		b := s.FillBytes(make([]byte, 32))
		slices.Reverse(b)
		encs = append(encs, b, append(b[:31:31], b[31]|0x80))
	}
	var points int
	small := make(map[string]bool)
	for _, enc := range encs {
		err := checkEd25519PublicKey(enc)
		x, y, ok := decodeEd25519(enc)
		if !ok {
			assert.Error(t, err, "%x", enc)
			continue
		}
		points++
		if isIdentity(timesTwoToThe(3, x, y)) {
			small[string(enc)] = true
			assert.ErrorIs(t, err, errEd25519SmallOrder, "%x", enc)
		} else {
			assert.NoError(t, err, "%x", enc)
		}
	}
	t.Logf("%d encodings: %d points, %d distinct ones of small order", len(encs), points, len(small))
	assert.Len(t, small, 8, "the 8 points of the torsion subgroup, each by its canonical encoding")
}

// The check is made once per key; this measures what it costs.
func BenchmarkCheckEd25519PublicKey(b *testing.B) {
	pub := mustHex(b, rfc8032Keys[0].public)
	for b.Loop() {
		if err := checkEd25519PublicKey(pub); err != nil {
			b.Fatal(err)
		}
	}
}
