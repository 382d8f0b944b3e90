package jwt

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Custom claims benchmarks, each beside a standard-library baseline doing
// the same work directly: HMAC-SHA256 with keyed state kept outside the
// loop, strict base64url, and encoding/json into a plain struct of the same
// members (the "raw/decode" and "raw" rows of the benchmark module). Compare
// ratios within one run, interleaved:
//
//	go test -run '^$' -bench 'Struct|Map' -count 6
//
// Each reports cpu-ns/op, the process CPU time per op, beside ns/op.

// benchAppClaims is the custom claims struct of the benchmarks: the claims
// the benchmark module's peers sign and read.
type benchAppClaims struct {
	RegisteredClaims
	Name  string `json:"name"`
	Admin bool   `json:"admin"`
}

// benchRawClaims is the same claims set as the baselines decode and encode it.
type benchRawClaims struct {
	Issuer    string `json:"iss"`
	Subject   string `json:"sub"`
	Audience  string `json:"aud"`
	ExpiresAt int64  `json:"exp"`
	IssuedAt  int64  `json:"iat"`
	ID        string `json:"jti"`
	Name      string `json:"name"`
	Admin     bool   `json:"admin"`
}

func benchApp() benchAppClaims {
	return benchAppClaims{
		RegisteredClaims: RegisteredClaims{
			Issuer:    "https://issuer.example",
			Subject:   "user-1234",
			Audience:  Audience{"api"},
			ExpiresAt: NewNumericDate(testNow.Add(time.Hour)),
			IssuedAt:  NewNumericDate(testNow),
			ID:        "4f1c2a9e-7b3d-4c8e-9a61-2d5f0e8b7c13",
		},
		Name:  "Ada Lovelace",
		Admin: true,
	}
}

func benchRaw() benchRawClaims {
	c := benchApp()
	return benchRawClaims{
		Issuer: c.Issuer, Subject: c.Subject, Audience: c.Audience[0],
		ExpiresAt: c.ExpiresAt.Unix(), IssuedAt: c.IssuedAt.Unix(), ID: c.ID,
		Name: c.Name, Admin: c.Admin,
	}
}

// cpuTime returns the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loop runs f b.N times (via b.Loop), reporting allocations and cpu-ns/op.
func loop(b *testing.B, f func()) {
	b.ReportAllocs()
	start, n := cpuTime(), 0
	for b.Loop() {
		f()
		n++
	}
	if used := cpuTime() - start; used > 0 && n > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(n), "cpu-ns/op")
	}
}

// rawVerifyHS256 is the baseline verifier: it checks the HMAC of tok and
// decodes its payload into c with encoding/json.
type rawVerifyHS256 struct {
	mac     interface{ Reset() }
	check   func(in, sig []byte) bool
	sig     [64]byte
	payload [1024]byte
}

func newRawVerifyHS256(key []byte) *rawVerifyHS256 {
	mac := hmac.New(sha256.New, key)
	var sum [sha256.Size]byte
	r := &rawVerifyHS256{mac: mac}
	r.check = func(in, sig []byte) bool {
		mac.Reset()
		mac.Write(in)
		return hmac.Equal(mac.Sum(sum[:0]), sig)
	}
	return r
}

var errBench = errors.New("bench: rejected")

func (r *rawVerifyHS256) verify(tok string, c any) error {
	b64 := base64.RawURLEncoding.Strict()
	d1 := strings.IndexByte(tok, '.')
	d2 := strings.LastIndexByte(tok, '.')
	n, err := b64.Decode(r.sig[:], []byte(tok[d2+1:]))
	if err != nil || !r.check([]byte(tok[:d2]), r.sig[:n]) {
		return errBench
	}
	if n, err = b64.Decode(r.payload[:], []byte(tok[d1+1:d2])); err != nil {
		return errBench
	}
	return json.Unmarshal(r.payload[:n], c)
}

func BenchmarkVerifyStruct(b *testing.B) {
	s, v := signerVerifier(b, HS256)
	tok, err := Sign(bg, s, benchApp(), nil)
	if err != nil {
		b.Fatal(err)
	}
	opts := defaultOpts()
	b.Run("jwtkit", func(b *testing.B) {
		loop(b, func() {
			if _, err := Verify[benchAppClaims](bg, tok, v, opts); err != nil {
				b.Fatal(err)
			}
		})
	})
	key, _ := keyPair(b, HS256)
	raw := newRawVerifyHS256(key.([]byte))
	b.Run("stdlib", func(b *testing.B) {
		loop(b, func() {
			var c benchRawClaims
			if err := raw.verify(tok, &c); err != nil || c.ExpiresAt <= testNow.Unix() {
				b.Fatal(err)
			}
		})
	})
}

func BenchmarkVerifyMap(b *testing.B) {
	s, v := signerVerifier(b, HS256)
	tok, err := Sign(bg, s, benchApp(), nil)
	if err != nil {
		b.Fatal(err)
	}
	opts := defaultOpts()
	b.Run("jwtkit", func(b *testing.B) {
		loop(b, func() {
			if _, err := Verify[map[string]any](bg, tok, v, opts); err != nil {
				b.Fatal(err)
			}
		})
	})
	key, _ := keyPair(b, HS256)
	raw := newRawVerifyHS256(key.([]byte))
	b.Run("stdlib", func(b *testing.B) {
		loop(b, func() {
			var m map[string]any
			if err := raw.verify(tok, &m); err != nil || m["exp"].(float64) <= float64(testNow.Unix()) {
				b.Fatal(err)
			}
		})
	})
}

func BenchmarkSignStruct(b *testing.B) {
	s, _ := signerVerifier(b, HS256)
	claims := benchApp()
	b.Run("jwtkit", func(b *testing.B) {
		loop(b, func() {
			if _, err := Sign(bg, s, &claims, nil); err != nil {
				b.Fatal(err)
			}
		})
	})
	key, _ := keyPair(b, HS256)
	mac := hmac.New(sha256.New, key.([]byte))
	raw := benchRaw()
	header := []byte(`{"alg":"HS256","typ":"JWT"}`)
	b64 := base64.RawURLEncoding
	var sum [sha256.Size]byte
	b.Run("stdlib", func(b *testing.B) {
		loop(b, func() {
			payload, err := json.Marshal(&raw)
			if err != nil {
				b.Fatal(err)
			}
			tok := make([]byte, 0, b64.EncodedLen(len(header))+b64.EncodedLen(len(payload))+b64.EncodedLen(sha256.Size)+2)
			tok = b64.AppendEncode(tok, header)
			tok = append(tok, '.')
			tok = b64.AppendEncode(tok, payload)
			mac.Reset()
			mac.Write(tok)
			tok = append(tok, '.')
			_ = string(b64.AppendEncode(tok, mac.Sum(sum[:0])))
		})
	})
}
