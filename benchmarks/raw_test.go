package benchmarks

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"hash"
	"math/big"
	"testing"
	"time"
)

// The raw rows: the standard library doing a verifier's or a signer's work
// directly, with every buffer and keyed state that can live outside the loop
// kept there. They are the physical limit that the ratios are taken against.
// They know the token's shape in advance and take it as bytes, so they skip
// the header entirely: no library can.

// rawClaims is the claim set as the raw rows encode and decode it.
type rawClaims struct {
	Issuer    string `json:"iss"`
	Subject   string `json:"sub"`
	Audience  string `json:"aud"`
	ExpiresAt int64  `json:"exp"`
	IssuedAt  int64  `json:"iat"`
	ID        string `json:"jti"`
	Name      string `json:"name"`
	Admin     bool   `json:"admin"`
}

// rawRegistered is the registered claims of every token, as the raw rows
// read them; the raw rows of BenchmarkVerifySize embed it.
type rawRegistered struct {
	Issuer    string `json:"iss"`
	Subject   string `json:"sub"`
	Audience  string `json:"aud"`
	ExpiresAt int64  `json:"exp"`
	IssuedAt  int64  `json:"iat"`
	ID        string `json:"jti"`
}

func (r *rawRegistered) expiry() int64 { return r.ExpiresAt }

var (
	errRawMalformed = errors.New("raw: malformed token")
	errRawSignature = errors.New("raw: invalid signature")
	errRawExpired   = errors.New("raw: token expired")
)

var b64 = base64.RawURLEncoding.Strict()

// split returns the signing input and the encoded payload and signature of a
// compact JWS, finding the two dots with IndexByte.
func split(tok []byte) (signingInput, payload, sig []byte, err error) {
	i := bytes.IndexByte(tok, '.')
	if i < 0 {
		return nil, nil, nil, errRawMalformed
	}
	j := bytes.IndexByte(tok[i+1:], '.')
	if j < 0 {
		return nil, nil, nil, errRawMalformed
	}
	j += i + 1
	return tok[:j], tok[i+1 : j], tok[j+1:], nil
}

// digest hashes msg into buf with the fixed-size Sum function of h.
func digest(buf *[64]byte, h crypto.Hash, msg []byte) []byte {
	switch h {
	case crypto.SHA256:
		d := sha256.Sum256(msg)
		return append(buf[:0], d[:]...)
	case crypto.SHA384:
		d := sha512.Sum384(msg)
		return append(buf[:0], d[:]...)
	default:
		d := sha512.Sum512(msg)
		return append(buf[:0], d[:]...)
	}
}

// rawSigCheck returns the bare signature check of f's algorithm over a
// token's signing input and decoded signature. The returned function reuses
// its buffers: like the benchmarks, it is not safe for concurrent use.
func rawSigCheck(k *keys) func(signingInput, sig []byte) bool {
	switch k.alg {
	case "HS256":
		mac := hmac.New(sha256.New, k.secret)
		var sum [sha256.Size]byte
		return func(in, sig []byte) bool {
			mac.Reset()
			mac.Write(in)
			return hmac.Equal(mac.Sum(sum[:0]), sig)
		}
	case "RS256":
		pub := k.rsaPub()
		var buf [64]byte
		return func(in, sig []byte) bool {
			return rsa.VerifyPKCS1v15(pub, k.hash, digest(&buf, k.hash, in), sig) == nil
		}
	case "PS256":
		pub := k.rsaPub()
		opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: k.hash}
		var buf [64]byte
		return func(in, sig []byte) bool {
			return rsa.VerifyPSS(pub, k.hash, digest(&buf, k.hash, in), sig, opts) == nil
		}
	case "ES256", "ES384", "ES512":
		pub, n := k.ecPub(), k.ecSize()
		var buf [64]byte
		return func(in, sig []byte) bool {
			if len(sig) != 2*n {
				return false
			}
			r := new(big.Int).SetBytes(sig[:n])
			s := new(big.Int).SetBytes(sig[n:])
			return ecdsa.Verify(pub, digest(&buf, k.hash, in), r, s)
		}
	case "EdDSA":
		pub := k.edPub()
		return func(in, sig []byte) bool { return ed25519.Verify(pub, in, sig) }
	}
	if check := mldsaSigCheck(k); check != nil {
		return check
	}
	panic("unknown algorithm " + k.alg)
}

// rawSigVerifier returns the raw rows' signature check of a whole token:
// split, strict base64url of the signature into a buffer kept outside the
// loop, and the crypto check. It returns the encoded payload. Not safe for
// concurrent use.
func rawSigVerifier(k *keys) func(tokb []byte) (payload []byte, err error) {
	check := rawSigCheck(k)
	var sigBuf [4627]byte // ML-DSA-87 is the largest signature
	return func(tokb []byte) ([]byte, error) {
		in, payload, sig, err := split(tokb)
		if err != nil {
			return nil, err
		}
		if b64.DecodedLen(len(sig)) > len(sigBuf) {
			return nil, errRawMalformed
		}
		n, err := b64.Decode(sigBuf[:], sig)
		if err != nil {
			return nil, errRawMalformed
		}
		if !check(in, sigBuf[:n]) {
			return nil, errRawSignature
		}
		return payload, nil
	}
}

// rawPayloadDecoder returns a strict base64url decoder of payloads of up to
// size decoded bytes, into a buffer kept outside the loop. Not safe for
// concurrent use.
func rawPayloadDecoder(size int) func(payload []byte) ([]byte, error) {
	buf := make([]byte, size)
	return func(payload []byte) ([]byte, error) {
		if b64.DecodedLen(len(payload)) > len(buf) {
			return nil, errRawMalformed
		}
		n, err := b64.Decode(buf, payload)
		if err != nil {
			return nil, errRawMalformed
		}
		return buf[:n], nil
	}
}

func rawVerifiers(tb testing.TB, f *fixture) []verifyCase {
	verifySig := rawSigVerifier(&f.keys)
	decode := rawPayloadDecoder(1024) // the payload is ~200 bytes
	return []verifyCase{
		{
			name: "raw",
			verify: func(_ string, tokb []byte) error {
				_, err := verifySig(tokb)
				return err
			},
		},
		{
			name:         "raw/decode",
			checksClaims: true,
			verify: func(_ string, tokb []byte) error {
				payload, err := verifySig(tokb)
				if err != nil {
					return err
				}
				claims, err := decode(payload)
				if err != nil {
					return err
				}
				var c rawClaims
				if err := json.Unmarshal(claims, &c); err != nil {
					return err
				}
				if time.Now().Unix() >= c.ExpiresAt {
					return errRawExpired
				}
				return nil
			},
		},
	}
}

// rawHeader is the protected header of every raw token.
func rawHeader(alg string) []byte { return []byte(`{"alg":"` + alg + `","typ":"JWT"}`) }

// rawSign returns a function that signs claims and returns the token bytes,
// reusing keyed state and scratch buffers across calls. Not safe for
// concurrent use.
func rawSign(k *keys) func(c *rawClaims) ([]byte, error) {
	sign := rawSignPayload(k, rawHeader(k.alg))
	return func(c *rawClaims) ([]byte, error) {
		payload, err := json.Marshal(c)
		if err != nil {
			return nil, err
		}
		return sign(payload)
	}
}

// rawSignPayload returns a function that signs a payload under header and
// returns the token bytes, reusing keyed state and scratch buffers across
// calls. Not safe for concurrent use.
func rawSignPayload(k *keys, header []byte) func(payload []byte) ([]byte, error) {
	var sign func(in []byte) ([]byte, error)
	var sigBuf [256]byte
	sigSize := len(sigBuf)
	var buf [64]byte
	switch k.alg {
	case "HS256":
		var mac hash.Hash = hmac.New(sha256.New, k.secret)
		sign = func(in []byte) ([]byte, error) {
			mac.Reset()
			mac.Write(in)
			return mac.Sum(sigBuf[:0]), nil
		}
	case "RS256":
		sign = func(in []byte) ([]byte, error) {
			return rsa.SignPKCS1v15(nil, k.rsaPriv, k.hash, digest(&buf, k.hash, in))
		}
	case "PS256":
		opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: k.hash}
		sign = func(in []byte) ([]byte, error) {
			return rsa.SignPSS(rand.Reader, k.rsaPriv, k.hash, digest(&buf, k.hash, in), opts)
		}
	case "ES256", "ES384", "ES512":
		n := k.ecSize()
		sign = func(in []byte) ([]byte, error) {
			r, s, err := ecdsa.Sign(rand.Reader, k.ecPriv, digest(&buf, k.hash, in))
			if err != nil {
				return nil, err
			}
			sig := sigBuf[:2*n]
			r.FillBytes(sig[:n])
			s.FillBytes(sig[n:])
			return sig, nil
		}
	case "EdDSA":
		sign = func(in []byte) ([]byte, error) { return ed25519.Sign(k.edPriv, in), nil }
	default:
		if sign, sigSize = mldsaRawSign(k); sign == nil {
			panic("unknown algorithm " + k.alg)
		}
	}
	return func(payload []byte) ([]byte, error) {
		// One allocation for the whole token: header, payload and the
		// largest signature, encoded.
		tok := make([]byte, 0, b64.EncodedLen(len(header))+b64.EncodedLen(len(payload))+b64.EncodedLen(sigSize)+2)
		tok = b64.AppendEncode(tok, header)
		tok = append(tok, '.')
		tok = b64.AppendEncode(tok, payload)
		sig, err := sign(tok)
		if err != nil {
			return nil, err
		}
		tok = append(tok, '.')
		return b64.AppendEncode(tok, sig), nil
	}
}

func rawSignOnce(k *keys, c *rawClaims) (string, error) {
	tok, err := rawSign(k)(c)
	return string(tok), err
}

func rawSigner(tb testing.TB, f *fixture) signCase {
	sign := rawSign(&f.keys)
	claims := f.rawClaims()
	var last []byte
	return signCase{
		name: "raw",
		sign: func() error {
			var err error
			last, err = sign(&claims)
			return err
		},
		last: func() string { return string(last) },
	}
}

// rawSigDecoder is the raw row as a decodeFunc: the signature check only.
func rawSigDecoder(k *keys) decodeFunc {
	verifySig := rawSigVerifier(k)
	return func(_ string, tokb []byte) (any, error) {
		_, err := verifySig(tokb)
		return nil, err
	}
}

// rawMapDecoder is raw/decode into a map[string]any, for claims of up to
// maxSize bytes: the signature check, the payload's base64url, then
// json.Unmarshal and the exp check.
func rawMapDecoder(k *keys, maxSize int) decodeFunc {
	verifySig := rawSigVerifier(k)
	decode := rawPayloadDecoder(maxSize)
	return func(_ string, tokb []byte) (any, error) {
		payload, err := verifySig(tokb)
		if err != nil {
			return nil, err
		}
		claims, err := decode(payload)
		if err != nil {
			return nil, err
		}
		var m map[string]any
		if err := json.Unmarshal(claims, &m); err != nil {
			return nil, err
		}
		if exp, ok := m["exp"].(float64); !ok || float64(time.Now().Unix()) >= exp {
			return nil, errRawExpired
		}
		return m, nil
	}
}

// rawStructDecoder is raw/decode into R, a struct embedding rawRegistered
// and the private claims P.
func rawStructDecoder[R, P any, PR interface {
	*R
	expiry() int64
	private() *P
}](k *keys, maxSize int) decodeFunc {
	verifySig := rawSigVerifier(k)
	decode := rawPayloadDecoder(maxSize)
	return func(_ string, tokb []byte) (any, error) {
		payload, err := verifySig(tokb)
		if err != nil {
			return nil, err
		}
		claims, err := decode(payload)
		if err != nil {
			return nil, err
		}
		c := PR(new(R))
		if err := json.Unmarshal(claims, c); err != nil {
			return nil, err
		}
		if time.Now().Unix() >= c.expiry() {
			return nil, errRawExpired
		}
		return c.private(), nil
	}
}
