package benchmarks

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// BenchmarkVerify/<ALG>/<impl> verifies the fixture token of ALG and
// validates its claims (except the bare "raw" row).
func BenchmarkVerify(b *testing.B) {
	for _, f := range fixtures(b) {
		b.Run(f.alg, func(b *testing.B) {
			for _, c := range f.verifiers {
				b.Run(c.name, func(b *testing.B) {
					tok, tokb, verify := f.token, f.tokenBytes, c.verify
					measure(b, func() error { return verify(tok, tokb) })
				})
			}
		})
	}
}

// BenchmarkSign/<ALG>/<impl> signs the claims with ALG.
func BenchmarkSign(b *testing.B) {
	for _, f := range fixtures(b) {
		b.Run(f.alg, func(b *testing.B) {
			for _, c := range f.signers {
				b.Run(c.name, func(b *testing.B) {
					measure(b, c.sign)
				})
			}
		})
	}
}

// TestSanity proves that every benchmark measures the success path of a
// verifier that does its job: each accepts the fixture token and rejects a
// token with a changed payload or signature; each that validates claims
// rejects an expired token, and each that checks the audience rejects a
// token for another audience. Each signer's token carries the claims and
// passes the strict raw signature check.
func TestSanity(t *testing.T) {
	for _, f := range fixtures(t) {
		t.Run(f.alg, func(t *testing.T) {
			for _, c := range f.verifiers {
				t.Run("verify/"+c.name, func(t *testing.T) {
					checkVerifier(t, c, &f.tokenSet)
				})
			}
			check := rawSigCheck(&f.keys)
			for _, c := range f.signers {
				t.Run("sign/"+c.name, func(t *testing.T) {
					if err := c.sign(); err != nil {
						t.Fatal(err)
					}
					tok := c.last()
					parts := strings.Split(tok, ".")
					if len(parts) != 3 {
						t.Fatalf("token %q has %d parts", tok, len(parts))
					}
					rawSig, err := b64.DecodeString(parts[2])
					if err != nil {
						t.Fatalf("signature: %v", err)
					}
					in := []byte(parts[0] + "." + parts[1])
					switch {
					case check(in, rawSig):
					case f.alg == "PS256" && pssSaltAuto[c.name] && verifyPSSAnySalt(f, in, rawSig):
						t.Logf("%s signs PS256 with the longest salt, not one of the hash's length (RFC 7518 §3.5)", c.name)
					default:
						t.Errorf("signature fails the strict %s check", f.alg)
					}
					checkHeader(t, f.alg, parts[0])
					checkClaims(t, f, parts[1])
				})
			}
		})
	}
}

// checkVerifier fails t unless c accepts the valid token of ts and rejects
// a changed payload and a changed signature, an expired token if c checks
// claims, and a token for another audience if c checks the audience.
func checkVerifier(t *testing.T, c verifyCase, ts *tokenSet) {
	t.Helper()
	if err := c.verify(ts.token, ts.tokenBytes); err != nil {
		t.Fatalf("rejected the valid token: %v", err)
	}
	reject := func(what, tok string) {
		t.Helper()
		if err := c.verify(tok, []byte(tok)); err == nil {
			t.Errorf("accepted %s", what)
		}
	}
	reject("a changed payload", ts.badPayload)
	reject("a changed signature", ts.badSignature)
	if c.checksClaims {
		reject("an expired token", ts.expired)
	}
	if c.checksAudience {
		reject("a token for another audience", ts.wrongAudience)
	}
}

// pssSaltAuto names the signers known to sign PS256 with
// rsa.PSSSaltLengthAuto (the longest salt) rather than a salt the length of
// the hash as RFC 7518 §3.5 requires. The work differs only in the salt's
// length; a verifier that checks the salt length, as jwtkit and the raw row
// do, rejects these tokens.
var pssSaltAuto = map[string]bool{"cristalhq": true, "kataras": true}

func verifyPSSAnySalt(f *fixture, in, sig []byte) bool {
	d := sha256.Sum256(in)
	return rsa.VerifyPSS(f.rsaPub(), crypto.SHA256, d[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto}) == nil
}

func checkHeader(t *testing.T, alg, seg string) {
	t.Helper()
	var h map[string]any
	decodeSegment(t, seg, &h)
	if h["alg"] != alg {
		t.Errorf("header alg = %v, want %s", h["alg"], alg)
	}
}

func checkClaims(t *testing.T, f *fixture, seg string) {
	t.Helper()
	var c map[string]any
	decodeSegment(t, seg, &c)
	want := map[string]any{
		"iss":   claimIss,
		"sub":   claimSub,
		"exp":   float64(f.now.exp.Unix()),
		"iat":   float64(f.now.iat.Unix()),
		"jti":   claimJTI,
		"name":  claimName,
		"admin": claimAdmin,
	}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("claim %q = %v, want %v", k, c[k], v)
		}
	}
	switch aud := c["aud"].(type) {
	case string:
		if aud != claimAud {
			t.Errorf("aud = %q", aud)
		}
	case []any:
		if len(aud) != 1 || aud[0] != claimAud {
			t.Errorf("aud = %v", aud)
		}
	default:
		t.Errorf("aud = %v", aud)
	}
	if len(c) != len(want)+1 {
		t.Errorf("claims have %d members, want %d: %v", len(c), len(want)+1, c)
	}
	if exp := time.Unix(int64(c["exp"].(float64)), 0); !exp.After(time.Now()) {
		t.Errorf("exp %v is not in the future", exp)
	}
}

func decodeSegment(t *testing.T, seg string, v any) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatalf("segment %q: %v", seg, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("segment %s: %v", b, err)
	}
}
