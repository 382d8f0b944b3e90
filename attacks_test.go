package jwt

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/fips140"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// One test per attack class of the project's catalogue (ATTACKS.md). Each
// builds its malicious tokens itself, asserts the specific sentinel with
// errors.Is, and verifies a control token first, so that it is seen to be
// able to fail.

var atkNow = time.Unix(1_800_000_000, 0)

func atkClock() time.Time { return atkNow }

func atkOpts() *VerifyOptions { return &VerifyOptions{Now: atkClock} }

// atkHMACKey is the victim's HS256 secret.
var atkHMACKey = []byte("victim-secret-0123456789abcdef!!")

func atkB64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// atkPayload is a claims set that passes the default checks at atkNow.
func atkPayload() string { return fmt.Sprintf(`{"sub":"alice","exp":%d}`, atkNow.Unix()+3600) }

func atkHS256(t *testing.T) (Signer, Verifier) {
	t.Helper()
	s, err := HS256.NewSigner(atkHMACKey)
	require.NoError(t, err)
	v, err := HS256.NewVerifier(atkHMACKey)
	require.NoError(t, err)
	return s, v
}

// atkSign returns BASE64URL(header).BASE64URL(payload).BASE64URL(sig),
// signed by s: headers and payloads that Sign would never write.
func atkSign(t *testing.T, s Signer, header, payload string) string {
	t.Helper()
	input := atkB64([]byte(header)) + "." + atkB64([]byte(payload))
	sig, err := s.Sign(context.Background(), []byte(input))
	require.NoError(t, err)
	return input + "." + atkB64(sig)
}

// atkMACInput returns input "." BASE64URL(HMAC-SHA256(key, input)) with any
// key at all, bypassing the package's key policy as an attacker would, and
// FIPS 140-only mode, which binds the package, not the attacker.
func atkMACInput(key []byte, input string) string {
	var mac []byte
	fips140.WithoutEnforcement(func() {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(input))
		mac = m.Sum(nil)
	})
	return input + "." + atkB64(mac)
}

func atkMAC(key []byte, header, payload string) string {
	return atkMACInput(key, atkB64([]byte(header))+"."+atkB64([]byte(payload)))
}

// atkSplit returns the three segments of a compact token.
func atkSplit(tok string) (h, p, s string) {
	parts := strings.SplitN(tok, ".", 3)
	return parts[0], parts[1], parts[2]
}

// atkRSAKey is the RFC 7520 §3.4 RSA key (2048 bits), parsed by ParseJWK.
func atkRSAKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	for _, e := range loadRFCEntries(t) {
		if e.Name == "rfc7520-4.1-RS256" {
			k, err := ParseJWK(e.Key)
			require.NoError(t, err)
			return k.Key.(*rsa.PrivateKey)
		}
	}
	t.Fatal("no RFC 7520 RSA key")
	return nil
}

func atkECKey(t *testing.T, c elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	require.NoError(t, err)
	return k
}

func atkPair(t *testing.T, alg Algorithm, priv, pub any) (Signer, Verifier) {
	t.Helper()
	s, err := alg.NewSigner(priv)
	require.NoError(t, err)
	v, err := alg.NewVerifier(pub)
	require.NoError(t, err)
	return s, v
}

// atkControl requires that tok verifies, both as a JWS and as a JWT.
func atkControl(t *testing.T, tok string, v KeySource, opts *VerifyOptions) {
	t.Helper()
	if opts == nil {
		opts = atkOpts()
	}
	_, err := VerifyJWS(bg, tok, v, jwsOpts(opts))
	require.NoError(t, err, "control token")
	_, err = Verify[RegisteredClaims](bg, tok, v, opts)
	require.NoError(t, err, "control token")
}

// atkReject asserts that tok is rejected with want as a JWT, and as a JWS
// too unless the failure is a claims check.
func atkReject(t *testing.T, tok string, v KeySource, opts *VerifyOptions, want error) {
	t.Helper()
	if opts == nil {
		opts = atkOpts()
	}
	got, err := Verify[RegisteredClaims](bg, tok, v, opts)
	assert.ErrorIs(t, err, want)
	assert.Nil(t, got)
	switch want {
	case ErrExpired, ErrNotYetValid, ErrIssuedInFuture, ErrAudienceMismatch, ErrMissingClaim, ErrIssuerMismatch, ErrSubjectMismatch:
		return // claims checks: VerifyJWS does not make them
	case ErrInvalidOption:
		if opts.MaxSize >= 0 {
			return // a JWT option (leeway): VerifyJWSOptions has none
		}
	case ErrMalformed:
		if _, perr := ParseUnverified(tok, 0); perr == nil {
			return // only the claims set is malformed, which a JWS may carry
		}
	}
	_, err = VerifyJWS(bg, tok, v, jwsOpts(opts))
	assert.ErrorIs(t, err, want, "as a JWS")
}

func TestAttackAlgNone(t *testing.T) {
	t.Parallel()
	s, v := atkHS256(t)
	ks, err := NewKeySet(VerifierWithKeyID(v, "k1"))
	require.NoError(t, err)
	atkControl(t, atkSign(t, s, `{"alg":"HS256"}`, atkPayload()), v, nil)

	_, err = AlgorithmByName("none")
	assert.ErrorIs(t, err, ErrUnsupportedAlgorithm)
	for _, alg := range []string{"none", "None", "NONE", "nOnE", "NoNe", "nonE"} {
		header := `{"alg":"` + alg + `"}`
		input := atkB64([]byte(header)) + "." + atkB64([]byte(atkPayload()))
		mac := atkMACInput(atkHMACKey, input)
		for _, tc := range []struct {
			name  string
			token string
		}{
			{name: "empty signature", token: input + "."},
			{name: "garbage signature", token: input + "." + atkB64([]byte("garbage"))},
			{name: "valid HS256 MAC", token: mac},
			{name: "with kid", token: atkMACInput(atkHMACKey, atkB64([]byte(`{"alg":"`+alg+`","kid":"k1"}`))+"."+atkB64([]byte(atkPayload())))},
		} {
			t.Run(alg+"/"+tc.name, func(t *testing.T) {
				atkReject(t, tc.token, v, nil, ErrUnsupportedAlgorithm)
				atkReject(t, tc.token, ks, nil, ErrUnsupportedAlgorithm)
			})
		}
	}
	t.Run("empty alg", func(t *testing.T) {
		atkReject(t, atkSign(t, s, `{"alg":""}`, atkPayload()), v, nil, ErrUnsupportedAlgorithm)
	})
}

func TestAttackAlgConfusionPublicKeyAsHMACSecret(t *testing.T) {
	t.Parallel()
	rsaPriv := atkRSAKey(t)
	ecPriv := atkECKey(t, elliptic.P256())
	for _, tc := range []struct {
		name string
		alg  Algorithm
		priv crypto.Signer
	}{
		{name: "RS256", alg: RS256, priv: rsaPriv},
		{name: "ES256", alg: ES256, priv: ecPriv},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pub := tc.priv.Public()
			s, v := atkPair(t, tc.alg, tc.priv, pub)
			ks, err := NewKeySet(VerifierWithKeyID(v, "k1"))
			require.NoError(t, err)
			atkControl(t, atkSign(t, s, `{"alg":"`+tc.name+`"}`, atkPayload()), v, nil)
			atkControl(t, atkSign(t, s, `{"alg":"`+tc.name+`","kid":"k1"}`, atkPayload()), ks, nil)

			// The public key's bytes, in every form an attacker can fetch.
			spkiDER, err := x509.MarshalPKIXPublicKey(pub)
			require.NoError(t, err)
			spkiPEM, err := EncodePublicKeyPEM(pub)
			require.NoError(t, err)
			jwk, err := NewJWK(pub)
			require.NoError(t, err)
			jwkJSON, err := json.Marshal(jwk)
			require.NoError(t, err)
			secrets := map[string][]byte{
				"spki-pem": spkiPEM,
				"spki-der": spkiDER,
				"jwk-json": jwkJSON,
			}
			if rp, ok := pub.(*rsa.PublicKey); ok {
				pkcs1 := x509.MarshalPKCS1PublicKey(rp)
				secrets["pkcs1-der"] = pkcs1
				secrets["pkcs1-pem"] = pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: pkcs1})
			}
			if ep, ok := pub.(*ecdsa.PublicKey); ok {
				point, err := ep.Bytes()
				require.NoError(t, err)
				secrets["uncompressed-point"] = point
			}
			for form, secret := range secrets {
				t.Run(form, func(t *testing.T) {
					tok := atkMAC(secret, `{"alg":"HS256","typ":"JWT"}`, atkPayload())
					kidTok := atkMAC(secret, `{"alg":"HS256","kid":"k1"}`, atkPayload())
					// A deployment cannot even make an HMAC key of those
					// bytes (issue 21 item 12), except of a bare EC point,
					// which is as random as a secret; there, the
					// construction proof: the MAC verifies with them.
					if len(secret) >= 32 {
						hv, err := HS256.NewVerifier(secret)
						if form == "uncompressed-point" {
							require.NoError(t, err)
							atkControl(t, tok, hv, nil)
						} else {
							require.ErrorIs(t, err, ErrSecretIsKey)
						}
					}
					atkReject(t, tok, v, nil, ErrAlgorithmMismatch)
					atkReject(t, kidTok, ks, nil, ErrAlgorithmMismatch)
					atkReject(t, tok, ks, nil, ErrKeyNotFound)
				})
			}
			// A public key is never an HMAC key.
			_, err = HS256.NewVerifier(pub)
			assert.ErrorIs(t, err, ErrInvalidKey)
			_, err = jwk.Verifier(HS256)
			assert.ErrorIs(t, err, ErrInvalidKey)
		})
	}
}

func TestAttackEmbeddedJWK(t *testing.T) {
	t.Parallel()
	victim := atkECKey(t, elliptic.P256())
	attacker := atkECKey(t, elliptic.P256())
	vs, v := atkPair(t, ES256, victim, &victim.PublicKey)
	as, err := ES256.NewSigner(attacker)
	require.NoError(t, err)
	ajwk, err := NewJWK(&attacker.PublicKey)
	require.NoError(t, err)
	ajson, err := json.Marshal(ajwk)
	require.NoError(t, err)
	header := `{"alg":"ES256","typ":"JWT","jwk":` + string(ajson) + `}`

	// Control: the header with "jwk" is accepted when the victim signed,
	// so the rejection below is the key, not the member.
	atkControl(t, atkSign(t, vs, header, atkPayload()), v, nil)
	atkReject(t, atkSign(t, as, header, atkPayload()), v, nil, ErrInvalidSignature)

	// The same with a symmetric key in the header.
	_, hv := atkHS256(t)
	secret := []byte("attacker-secret-0123456789abcdef")
	hheader := `{"alg":"HS256","jwk":{"kty":"oct","k":"` + atkB64(secret) + `"}}`
	atkReject(t, atkMAC(secret, hheader, atkPayload()), hv, nil, ErrInvalidSignature)
}

func TestAttackHeaderKeyURLs(t *testing.T) {
	t.Parallel()
	victim := atkECKey(t, elliptic.P256())
	attacker := atkECKey(t, elliptic.P256())
	vs, v := atkPair(t, ES256, victim, &victim.PublicKey)
	as, err := ES256.NewSigner(attacker)
	require.NoError(t, err)

	// The attacker's key server: any request to it is a failure.
	var hits atomic.Int64
	ajwk, err := NewJWK(&attacker.PublicKey)
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		b, _ := json.Marshal(map[string]any{"keys": []*JWK{ajwk}})
		w.Write(b)
	}))
	defer srv.Close()

	// A self-signed certificate for the attacker's key.
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "issuer.example"},
		NotBefore:    atkNow.Add(-time.Hour),
		NotAfter:     atkNow.Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &attacker.PublicKey, attacker)
	require.NoError(t, err)
	x5c := `["` + base64.StdEncoding.EncodeToString(der) + `"]`

	for _, tc := range []struct {
		name   string
		header string
	}{
		{name: "jku", header: `{"alg":"ES256","jku":"` + srv.URL + `/jwks.json"}`},
		{name: "x5u", header: `{"alg":"ES256","x5u":"` + srv.URL + `/cert.pem"}`},
		{name: "x5c self-signed", header: `{"alg":"ES256","x5c":` + x5c + `}`},
		{name: "all three", header: `{"alg":"ES256","jku":"` + srv.URL + `/j","x5u":"` + srv.URL + `/x","x5c":` + x5c + `}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			atkControl(t, atkSign(t, vs, tc.header, atkPayload()), v, nil)
			atkReject(t, atkSign(t, as, tc.header, atkPayload()), v, nil, ErrInvalidSignature)
		})
	}
	assert.Zero(t, hits.Load(), "no header URL was fetched")
}

func TestAttackKIDInjection(t *testing.T) {
	t.Parallel()
	s, v := atkHS256(t)
	ks, err := NewKeySet(VerifierWithKeyID(v, "k1"))
	require.NoError(t, err)
	one := VerifierWithKeyID(v, "k1")
	hdr := func(kid string) string {
		b, _ := json.Marshal(map[string]string{"alg": "HS256", "kid": kid})
		return string(b)
	}
	atkControl(t, atkSign(t, s, hdr("k1"), atkPayload()), ks, nil)
	atkControl(t, atkSign(t, s, hdr("k1"), atkPayload()), one, nil)
	marker := filepath.Join(t.TempDir(), "executed") // a command in a kid would create it

	for _, tc := range []struct {
		name string
		kid  string
		key  []byte // what the attacker expects the kid to select
	}{
		{name: "path traversal to /dev/null", kid: "../../../../../../../dev/null", key: []byte{}},
		{name: "absolute /dev/null", kid: "/dev/null", key: []byte{}},
		{name: "invalid path", kid: "/invalid_path", key: []byte{}},
		{name: "SQL injection", kid: "x' UNION SELECT 'attacker-secret' -- ", key: []byte("attacker-secret")},
		{name: "SQL injection 2", kid: "x' UNION SELECT '1';--", key: []byte("1")},
		{name: "shell pipe", kid: "|touch " + marker, key: []byte{}},
		{name: "shell substitution", kid: "$(touch " + marker + ")", key: []byte{}},
		{name: "NUL byte", kid: "k1\x00", key: atkHMACKey},
		{name: "k1 with space", kid: "k1 ", key: atkHMACKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := atkMAC(tc.key, hdr(tc.kid), atkPayload())
			atkReject(t, tok, ks, nil, ErrKeyNotFound)
			atkReject(t, tok, one, nil, ErrKeyNotFound)
			// A single key without a kid ignores kid: the MAC decides.
			if string(tc.key) != string(atkHMACKey) {
				atkReject(t, tok, v, nil, ErrInvalidSignature)
			}
			assert.NoFileExists(t, marker, "nothing was executed")
		})
	}
	t.Run("known kid, attacker key", func(t *testing.T) {
		atkReject(t, atkMAC([]byte{}, hdr("k1"), atkPayload()), ks, nil, ErrInvalidSignature)
	})
}

func TestAttackEmptyHMACKey(t *testing.T) {
	t.Parallel()
	s, v := atkHS256(t)
	atkControl(t, atkSign(t, s, `{"alg":"HS256"}`, atkPayload()), v, nil)
	for _, alg := range []HMACAlgorithm{HS256, HS384, HS512} {
		for _, key := range []any{[]byte{}, []byte(nil), nil, ""} {
			_, err := alg.NewVerifier(key)
			assert.ErrorIs(t, err, ErrInvalidKey, "%s verifier, key %#v", alg.Name(), key)
			_, err = alg.NewSigner(key)
			assert.ErrorIs(t, err, ErrInvalidKey, "%s signer, key %#v", alg.Name(), key)
		}
	}
	_, err := ParseJWK([]byte(`{"kty":"oct","k":""}`))
	assert.ErrorIs(t, err, ErrInvalidKey)

	tok := atkMAC([]byte{}, `{"alg":"HS256"}`, atkPayload())
	atkReject(t, tok, v, nil, ErrInvalidSignature)
	// No fallback to an empty secret when no key matches.
	es := atkECKey(t, elliptic.P256())
	_, ev := atkPair(t, ES256, es, &es.PublicKey)
	ks, err := NewKeySet(ev)
	require.NoError(t, err)
	atkReject(t, tok, ks, nil, ErrKeyNotFound)
	empty, err := NewKeySet()
	require.NoError(t, err)
	atkReject(t, tok, empty, nil, ErrKeyNotFound)
	atkReject(t, tok, nil, nil, ErrKeyNotFound)
}

func TestAttackSignatureStripping(t *testing.T) {
	t.Parallel()
	hs, hv := atkHS256(t)
	rsaPriv := atkRSAKey(t)
	rs, rv := atkPair(t, RS256, rsaPriv, &rsaPriv.PublicKey)
	ec := atkECKey(t, elliptic.P256())
	es, ev := atkPair(t, ES256, ec, &ec.PublicKey)
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	eds, edv := atkPair(t, EdDSA, ed, ed.Public())

	for _, k := range []struct {
		name string
		s    Signer
		v    Verifier
	}{
		{name: "HS256", s: hs, v: hv},
		{name: "RS256", s: rs, v: rv},
		{name: "ES256", s: es, v: ev},
		{name: "EdDSA", s: eds, v: edv},
	} {
		t.Run(k.name, func(t *testing.T) {
			good := atkSign(t, k.s, `{"alg":"`+k.name+`"}`, atkPayload())
			atkControl(t, good, k.v, nil)
			h, p, sig := atkSplit(good)
			raw, err := decodeSegment(nil, sig)
			require.NoError(t, err)
			for _, tc := range []struct {
				name  string
				token string
				want  error
			}{
				{name: "stripped", token: h + "." + p + ".", want: ErrInvalidSignature},
				{name: "two segments", token: h + "." + p, want: ErrMalformed},
				{name: "truncated to 16 octets", token: h + "." + p + "." + atkB64(raw[:16]), want: ErrInvalidSignature},
				{name: "one octet short", token: h + "." + p + "." + atkB64(raw[:len(raw)-1]), want: ErrInvalidSignature},
				{name: "one octet", token: h + "." + p + "." + atkB64(raw[:1]), want: ErrInvalidSignature},
				{name: "one octet extra", token: h + "." + p + "." + atkB64(append(append([]byte{}, raw...), 0)), want: ErrInvalidSignature},
				{name: "leading zero", token: h + "." + p + "." + atkB64(append([]byte{0}, raw...)), want: ErrInvalidSignature},
				{name: "null signature", token: h + "." + p + "." + atkB64(make([]byte, len(raw))), want: ErrInvalidSignature},
			} {
				t.Run(tc.name, func(t *testing.T) {
					atkReject(t, tc.token, k.v, nil, tc.want)
				})
			}
		})
	}
}

func TestAttackDuplicateMembers(t *testing.T) {
	t.Parallel()
	s, v := atkHS256(t)
	exp := atkNow.Unix() + 3600
	atkControl(t, atkSign(t, s, `{"alg":"HS256"}`, atkPayload()), v, nil)
	atkControl(t, atkSign(t, s, `{"alg":"HS256","kid":"a"}`, fmt.Sprintf(`{"sub":"admin","exp":%d}`, exp)), v, nil)
	for _, tc := range []struct {
		name    string
		header  string
		payload string
	}{
		{name: "alg none then HS256", header: `{"alg":"none","alg":"HS256"}`},
		{name: "alg HS256 then none", header: `{"alg":"HS256","alg":"none"}`},
		{name: "alg twice the same", header: `{"alg":"HS256","alg":"HS256"}`},
		{name: "alg by escape", header: `{"alg":"HS256","\u0061lg":"none"}`},
		{name: "alg case variant", header: `{"alg":"HS256","ALG":"none"}`},
		{name: "kid twice", header: `{"alg":"HS256","kid":"a","kid":"b"}`},
		{name: "crit twice", header: `{"alg":"HS256","crit":["x"],"x":1,"crit":["x"]}`},
		{name: "sub alice then admin", payload: fmt.Sprintf(`{"sub":"alice","sub":"admin","exp":%d}`, exp)},
		{name: "sub admin then alice", payload: fmt.Sprintf(`{"sub":"admin","sub":"alice","exp":%d}`, exp)},
		{name: "exp past then future", payload: fmt.Sprintf(`{"exp":1,"exp":%d}`, exp)},
		{name: "exp future then past", payload: fmt.Sprintf(`{"exp":%d,"exp":1}`, exp)},
		{name: "aud twice", payload: fmt.Sprintf(`{"aud":"a","aud":"b","exp":%d}`, exp)},
		{name: "sub by escape", payload: fmt.Sprintf(`{"sub":"alice","s\u0075b":"admin","exp":%d}`, exp)},
		{name: "sub case variant", payload: fmt.Sprintf(`{"sub":"alice","Sub":"admin","exp":%d}`, exp)},
		{name: "private claim twice", payload: fmt.Sprintf(`{"admin":false,"admin":true,"exp":%d}`, exp)},
		{name: "private claim case variant", payload: fmt.Sprintf(`{"admin":false,"Admin":true,"exp":%d}`, exp)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, p := tc.header, tc.payload
			if h == "" {
				h = `{"alg":"HS256"}`
			}
			if p == "" {
				p = atkPayload()
			}
			tok := atkSign(t, s, h, p)
			atkReject(t, tok, v, &VerifyOptions{Now: atkClock, IgnoreAudience: true, Critical: []string{"x"}}, ErrMalformed)
			_, err := Verify[map[string]any](bg, tok, v, &VerifyOptions{Now: atkClock, IgnoreAudience: true, Critical: []string{"x"}})
			assert.ErrorIs(t, err, ErrMalformed)
		})
	}
}

func TestAttackManyDotsAndHugeTokens(t *testing.T) {
	// Not parallel: it measures allocation.
	s, v := atkHS256(t)
	good := atkSign(t, s, `{"alg":"HS256"}`, atkPayload())
	atkControl(t, good, v, nil)
	h, p, sig := atkSplit(good)
	dots := strings.Repeat(".", 100_000)
	big := &VerifyOptions{Now: atkClock, MaxSize: 1 << 20}
	for _, tc := range []struct {
		name  string
		token string
		opts  *VerifyOptions
		want  error
	}{
		{name: "one segment", token: h, want: ErrMalformed},
		{name: "two segments", token: h + "." + p, want: ErrMalformed},
		{name: "four segments", token: good + "." + sig, want: ErrMalformed},
		{name: "four segments, empty last", token: good + ".", want: ErrMalformed},
		{name: "five segments", token: h + "." + p + "." + p + "." + p + "." + sig, want: ErrMalformed},
		{name: "two dots only", token: "..", want: ErrMalformed},
		{name: "100,000 dots", token: dots, want: ErrTooLarge},
		{name: "100,000 dots under a 1 MiB limit", token: dots, opts: big, want: ErrMalformed},
		{name: "Bearer and 100,000 dots", token: "Bearer " + dots, opts: big, want: ErrMalformed},
		{name: "1 MiB header", token: strings.Repeat("A", 1<<20) + "." + p + "." + sig, want: ErrTooLarge},
		{name: "deep nesting", token: atkSign(t, s, `{"alg":"HS256"}`, `{"exp":1900000000,"x":`+strings.Repeat("[", 1000)+strings.Repeat("]", 1000)+`}`), opts: big, want: ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			if opts == nil {
				opts = atkOpts()
			}
			atkReject(t, tc.token, v, opts, tc.want)
		})
	}
	_, err := ParseUnverified(dots, 0)
	assert.ErrorIs(t, err, ErrTooLarge)

	if raceEnabled || testing.CoverMode() != "" {
		t.Skip("allocation figures differ under -race and -cover")
	}
	for _, tc := range []struct {
		name  string
		token string
		opts  *VerifyOptions
	}{
		{name: "100,000 dots", token: dots, opts: atkOpts()},
		{name: "100,000 dots under a 1 MiB limit", token: dots, opts: big},
		{name: "1 MiB of A", token: strings.Repeat("A", 1<<20), opts: atkOpts()},
	} {
		allocs := testing.AllocsPerRun(50, func() { Verify[RegisteredClaims](bg, tc.token, v, tc.opts) })
		var m1, m2 runtime.MemStats
		runtime.ReadMemStats(&m1)
		const runs = 50
		for range runs {
			Verify[RegisteredClaims](bg, tc.token, v, tc.opts)
		}
		runtime.ReadMemStats(&m2)
		perRun := (m2.TotalAlloc - m1.TotalAlloc) / runs
		t.Logf("%s (%d bytes): %.0f allocs, %d bytes allocated per Verify", tc.name, len(tc.token), allocs, perRun)
		// A constant few: the error value, never one per segment or byte.
		assert.LessOrEqual(t, allocs, 6.0, tc.name)
		assert.Less(t, perRun, uint64(512), "%s: memory stays small", tc.name)
	}
}

func TestAttackCrit(t *testing.T) {
	t.Parallel()
	s, v := atkHS256(t)
	understood := &VerifyOptions{Now: atkClock, Critical: []string{"x", "http://example.com/UNDEFINED"}}
	atkControl(t, atkSign(t, s, `{"alg":"HS256"}`, atkPayload()), v, nil)
	atkControl(t, atkSign(t, s, `{"alg":"HS256","crit":["x"],"x":1}`, atkPayload()), v, understood)
	for _, tc := range []struct {
		name   string
		header string
		opts   *VerifyOptions
		want   error
	}{
		{name: "unknown extension", header: `{"alg":"HS256","crit":["http://example.com/UNDEFINED"],"http://example.com/UNDEFINED":true}`, want: ErrUnsupportedCritical},
		{name: "understood elsewhere, not here", header: `{"alg":"HS256","crit":["x"],"x":1}`, want: ErrUnsupportedCritical},
		{name: "empty list", header: `{"alg":"HS256","crit":[]}`, want: ErrUnsupportedCritical},
		{name: "empty list, understood", header: `{"alg":"HS256","crit":[]}`, opts: understood, want: ErrUnsupportedCritical},
		{name: "names an absent parameter", header: `{"alg":"HS256","crit":["x"]}`, opts: understood, want: ErrUnsupportedCritical},
		{name: "names a registered parameter", header: `{"alg":"HS256","crit":["alg"]}`, opts: &VerifyOptions{Now: atkClock, Critical: []string{"alg"}}, want: ErrUnsupportedCritical},
		{name: "names kid", header: `{"alg":"HS256","kid":"k","crit":["kid"]}`, opts: &VerifyOptions{Now: atkClock, Critical: []string{"kid"}}, want: ErrUnsupportedCritical},
		{name: "lists a name twice", header: `{"alg":"HS256","crit":["x","x"],"x":1}`, opts: understood, want: ErrUnsupportedCritical},
		{name: "one of two unknown", header: `{"alg":"HS256","crit":["x","y"],"x":1,"y":2}`, opts: understood, want: ErrUnsupportedCritical},
		{name: "not an array", header: `{"alg":"HS256","crit":"x","x":1}`, opts: understood, want: ErrMalformed},
		{name: "array of numbers", header: `{"alg":"HS256","crit":[1]}`, opts: understood, want: ErrMalformed},
		{name: "null", header: `{"alg":"HS256","crit":null}`, opts: understood, want: ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			atkReject(t, atkSign(t, s, tc.header, atkPayload()), v, tc.opts, tc.want)
		})
	}
}

func TestAttackB64False(t *testing.T) {
	t.Parallel()
	s, v := atkHS256(t)
	atkControl(t, atkSign(t, s, `{"alg":"HS256"}`, atkPayload()), v, nil)
	understood := &VerifyOptions{Now: atkClock, Critical: []string{"b64"}}
	// rawInput is the RFC 7797 signing input: the payload not encoded.
	rawInput := func(header, payload string) string { return atkB64([]byte(header)) + "." + payload }
	for _, tc := range []struct {
		name  string
		token string
		want  error
	}{
		{name: "b64 false without crit", token: atkMACInput(atkHMACKey, rawInput(`{"alg":"HS256","b64":false}`, "abcd")), want: ErrUnsupportedCritical},
		{name: "b64 false with crit", token: atkMACInput(atkHMACKey, rawInput(`{"alg":"HS256","b64":false,"crit":["b64"]}`, "abcd")), want: ErrUnsupportedCritical},
		{name: "b64 false, encoded payload", token: atkSign(t, s, `{"alg":"HS256","b64":false,"crit":["b64"]}`, atkPayload()), want: ErrUnsupportedCritical},
		{name: "b64 as a string", token: atkSign(t, s, `{"alg":"HS256","b64":"false","crit":["b64"]}`, atkPayload()), want: ErrUnsupportedCritical},
		{name: "b64 true", token: atkSign(t, s, `{"alg":"HS256","b64":true}`, atkPayload()), want: ErrUnsupportedCritical},
		{name: "b64 false, detached", token: func() string {
			full := atkMACInput(atkHMACKey, rawInput(`{"alg":"HS256","b64":false,"crit":["b64"]}`, "$.02"))
			h, _, _ := strings.Cut(full, ".")
			return h + ".." + full[strings.LastIndexByte(full, '.')+1:]
		}(), want: ErrUnsupportedCritical},
		{name: "b64 false, JSON payload", token: atkMACInput(atkHMACKey, rawInput(`{"alg":"HS256","b64":false,"crit":["b64"]}`, atkPayload())), want: ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			atkReject(t, tc.token, v, nil, tc.want)
			atkReject(t, tc.token, v, understood, tc.want)
		})
	}
}

func TestAttackTypConfusion(t *testing.T) {
	t.Parallel()
	s, v := atkHS256(t)
	claims := RegisteredClaims{Subject: "alice", ExpiresAt: NewNumericDate(atkNow.Add(time.Hour))}
	sign := func(typ string) string {
		tok, err := Sign(bg, s, claims, &SignOptions{Type: typ})
		require.NoError(t, err)
		return tok
	}
	access := &VerifyOptions{Now: atkClock, Type: "at+jwt"}
	atkControl(t, sign("at+jwt"), v, access)
	atkControl(t, sign("application/at+jwt"), v, access)
	atkControl(t, sign("AT+JWT"), v, access) // RFC 7515 §4.1.9: case-insensitive
	for _, tc := range []struct {
		name  string
		token string
		want  error
	}{
		{name: "refresh token as access token", token: sign("refresh+jwt"), want: ErrTypeMismatch},
		{name: "ID token (typ JWT) as access token", token: sign("JWT"), want: ErrTypeMismatch},
		{name: "no typ", token: atkSign(t, s, `{"alg":"HS256"}`, atkPayload()), want: ErrTypeMismatch},
		{name: "empty typ", token: atkSign(t, s, `{"alg":"HS256","typ":""}`, atkPayload()), want: ErrTypeMismatch},
		{name: "typ with trailing space", token: sign("at+jwt "), want: ErrTypeMismatch},
		{name: "typ prefix only", token: sign("application/"), want: ErrTypeMismatch},
		{name: "typ as cty", token: atkSign(t, s, `{"alg":"HS256","cty":"at+jwt"}`, atkPayload()), want: ErrTypeMismatch},
		{name: "typ not a string", token: atkSign(t, s, `{"alg":"HS256","typ":["at+jwt"]}`, atkPayload()), want: ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Verify[RegisteredClaims](bg, tc.token, v, access)
			assert.ErrorIs(t, err, tc.want)
			_, err = VerifyJWS(bg, tc.token, v, jwsOpts(access))
			assert.ErrorIs(t, err, tc.want, "as a JWS")
		})
	}
}

func TestAttackAudienceBypass(t *testing.T) {
	t.Parallel()
	s, v := atkHS256(t)
	exp := atkNow.Unix() + 3600
	opts := &VerifyOptions{Now: atkClock, Audience: []string{"api"}}
	tok := func(aud string) string {
		if aud == "" {
			return atkSign(t, s, `{"alg":"HS256"}`, fmt.Sprintf(`{"exp":%d}`, exp))
		}
		return atkSign(t, s, `{"alg":"HS256"}`, fmt.Sprintf(`{"aud":%s,"exp":%d}`, aud, exp))
	}
	atkControl(t, tok(`"api"`), v, opts)
	atkControl(t, tok(`["other","api"]`), v, opts)
	for _, tc := range []struct {
		name string
		aud  string
		opts *VerifyOptions
		want error
	}{
		{name: "empty array (CVE-2020-26160)", aud: `[]`, want: ErrAudienceMismatch},
		{name: "missing", aud: ``, want: ErrAudienceMismatch},
		{name: "wrong case", aud: `"API"`, want: ErrAudienceMismatch},
		{name: "wrong case in array", aud: `["API"]`, want: ErrAudienceMismatch},
		{name: "other audience", aud: `"billing"`, want: ErrAudienceMismatch},
		{name: "empty string", aud: `""`, want: ErrAudienceMismatch},
		{name: "array of empty string", aud: `[""]`, want: ErrAudienceMismatch},
		{name: "prefix", aud: `"ap"`, want: ErrAudienceMismatch},
		{name: "number", aud: `1`, want: ErrMalformed},
		{name: "array with a number", aud: `["api",1]`, want: ErrMalformed},
		{name: "null", aud: `null`, want: ErrMalformed},
		{name: "object", aud: `{"api":true}`, want: ErrMalformed},
		{name: "bool", aud: `true`, want: ErrMalformed},
		{name: "nested array", aud: `[["api"]]`, want: ErrMalformed},
		{name: "aud present, none expected", aud: `"api"`, opts: atkOpts(), want: ErrAudienceMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.opts
			if o == nil {
				o = opts
			}
			atkReject(t, tok(tc.aud), v, o, tc.want)
		})
	}
	// The named opt-out accepts an "aud" when none is expected.
	atkControl(t, tok(`"api"`), v, &VerifyOptions{Now: atkClock, IgnoreAudience: true})
}

func TestAttackClaimTypes(t *testing.T) {
	t.Parallel()
	s, v := atkHS256(t)
	future := atkNow.Unix() + 3600
	withExp := func(exp string) string { return atkSign(t, s, `{"alg":"HS256"}`, `{"sub":"alice","exp":`+exp+`}`) }
	atkControl(t, withExp(fmt.Sprint(future)), v, nil)
	atkControl(t, withExp(fmt.Sprintf("%d.5", future)), v, nil)           // fractional seconds are allowed
	atkControl(t, withExp(fmt.Sprintf("%de0", future)), v, nil)           // so is an exponent
	atkControl(t, withExp(fmt.Sprintf("%.10e", float64(future))), v, nil) // 1.8000036000e+09
	for _, tc := range []struct {
		name  string
		claim string
		value string
	}{
		{name: "exp as string", claim: "exp", value: fmt.Sprintf(`"%d"`, future)},
		{name: "exp true", claim: "exp", value: `true`},
		{name: "exp false", claim: "exp", value: `false`},
		{name: "exp null", claim: "exp", value: `null`},
		{name: "exp 1e309", claim: "exp", value: `1e309`},
		{name: "exp -1e309", claim: "exp", value: `-1e309`},
		{name: "exp negative", claim: "exp", value: `-1`},
		{name: "exp 2^63", claim: "exp", value: `9223372036854775808`},
		{name: "exp 2^64", claim: "exp", value: `18446744073709551616`},
		{name: "exp after year 9999", claim: "exp", value: `253402300800`},
		{name: "exp array", claim: "exp", value: fmt.Sprintf(`[%d]`, future)},
		{name: "exp object", claim: "exp", value: `{}`},
		{name: "exp hex", claim: "exp", value: `0x6B49D200`},
		{name: "exp leading plus", claim: "exp", value: fmt.Sprintf(`+%d`, future)},
		{name: "exp NaN", claim: "exp", value: `NaN`},
		{name: "exp Infinity", claim: "exp", value: `Infinity`},
		{name: "nbf as string", claim: "nbf", value: `"0"`},
		{name: "nbf null", claim: "nbf", value: `null`},
		{name: "iat as string", claim: "iat", value: `"0"`},
		{name: "iat 1e309", claim: "iat", value: `1e309`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			payload := fmt.Sprintf(`{"sub":"alice","exp":%d,"%s":%s}`, future, tc.claim, tc.value)
			if tc.claim == "exp" {
				payload = fmt.Sprintf(`{"sub":"alice","exp":%s}`, tc.value)
			}
			tok := atkSign(t, s, `{"alg":"HS256"}`, payload)
			atkReject(t, tok, v, &VerifyOptions{Now: atkClock, CheckIssuedAt: true}, ErrMalformed)
			_, err := Verify[map[string]any](bg, tok, v, &VerifyOptions{Now: atkClock, AllowMissingExpiration: true})
			assert.ErrorIs(t, err, ErrMalformed, "whatever the claims type")
		})
	}
}

func TestAttackTimeClaimsAndLeeway(t *testing.T) {
	t.Parallel()
	s, v := atkHS256(t)
	now := atkNow.Unix()
	tok := func(claims string) string { return atkSign(t, s, `{"alg":"HS256"}`, "{"+claims+"}") }
	exp := fmt.Sprintf(`"exp":%d`, now+3600)
	atkControl(t, tok(exp), v, nil)
	for _, tc := range []struct {
		name   string
		claims string
		leeway time.Duration
		iat    bool // CheckIssuedAt
		want   error
	}{
		{name: "nbf in the future", claims: exp + fmt.Sprintf(`,"nbf":%d`, now+3600), want: ErrNotYetValid},
		{name: "iat in the future", claims: exp + fmt.Sprintf(`,"iat":%d`, now+3600), iat: true, want: ErrIssuedInFuture},
		{name: "iat in the future, not checked", claims: exp + fmt.Sprintf(`,"iat":%d`, now+3600)},
		{name: "expired an hour ago, maximum leeway", claims: fmt.Sprintf(`"exp":%d`, now-3600), leeway: MaxLeeway, want: ErrExpired},
		{name: "exp now", claims: fmt.Sprintf(`"exp":%d`, now), want: ErrExpired},
		{name: "exp in one second", claims: fmt.Sprintf(`"exp":%d`, now+1)},
		{name: "exp half a second ago", claims: fmt.Sprintf(`"exp":%d.5`, now-1), want: ErrExpired},
		{name: "exp 59 s ago, leeway 60 s", claims: fmt.Sprintf(`"exp":%d`, now-59), leeway: time.Minute},
		{name: "exp 60 s ago, leeway 60 s", claims: fmt.Sprintf(`"exp":%d`, now-60), leeway: time.Minute, want: ErrExpired},
		{name: "exp 61 s ago, leeway 60 s", claims: fmt.Sprintf(`"exp":%d`, now-61), leeway: time.Minute, want: ErrExpired},
		{name: "exp 119 s ago, leeway 60 s (applied once)", claims: fmt.Sprintf(`"exp":%d`, now-119), leeway: time.Minute, want: ErrExpired},
		{name: "nbf now", claims: exp + fmt.Sprintf(`,"nbf":%d`, now)},
		{name: "nbf in one second", claims: exp + fmt.Sprintf(`,"nbf":%d`, now+1), want: ErrNotYetValid},
		{name: "nbf in 60 s, leeway 60 s", claims: exp + fmt.Sprintf(`,"nbf":%d`, now+60), leeway: time.Minute},
		{name: "nbf in 61 s, leeway 60 s", claims: exp + fmt.Sprintf(`,"nbf":%d`, now+61), leeway: time.Minute, want: ErrNotYetValid},
		{name: "iat in 60 s, leeway 60 s", claims: exp + fmt.Sprintf(`,"iat":%d`, now+60), leeway: time.Minute, iat: true},
		{name: "iat in 61 s, leeway 60 s", claims: exp + fmt.Sprintf(`,"iat":%d`, now+61), leeway: time.Minute, iat: true, want: ErrIssuedInFuture},
		{name: "no exp", claims: `"sub":"alice"`, want: ErrMissingClaim},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := &VerifyOptions{Now: atkClock, Leeway: tc.leeway, CheckIssuedAt: tc.iat}
			if tc.want == nil {
				atkControl(t, tok(tc.claims), v, opts)
				return
			}
			atkReject(t, tok(tc.claims), v, opts, tc.want)
		})
	}
	t.Run("leeway out of range", func(t *testing.T) {
		for _, l := range []time.Duration{-time.Second, MaxLeeway + time.Nanosecond, time.Hour} {
			atkReject(t, tok(exp), v, &VerifyOptions{Now: atkClock, Leeway: l}, ErrInvalidOption)
		}
	})
	// CVE-2024-51744: a forged token whose claims also fail reports the
	// signature, and only the signature, so that a caller checking for
	// ErrExpired alone cannot take it for a genuine expired token.
	t.Run("CVE-2024-51744", func(t *testing.T) {
		forger := []byte("attacker-secret-0123456789abcdef")
		for _, claims := range []string{
			fmt.Sprintf(`"exp":%d`, now-3600),
			exp + fmt.Sprintf(`,"nbf":%d`, now+3600),
			exp + `,"aud":"elsewhere"`,
			fmt.Sprintf(`"exp":%d,"iss":"evil"`, now-1),
		} {
			forged := atkMAC(forger, `{"alg":"HS256"}`, "{"+claims+"}")
			_, err := Verify[RegisteredClaims](bg, forged, v, &VerifyOptions{Now: atkClock, Issuer: "good", CheckIssuedAt: true})
			assert.ErrorIs(t, err, ErrInvalidSignature)
			for _, claimErr := range []error{ErrExpired, ErrNotYetValid, ErrAudienceMismatch, ErrIssuerMismatch} {
				assert.NotErrorIs(t, err, claimErr)
			}
			var ve *ValidationError
			assert.NotErrorAs(t, err, &ve)
		}
		// The genuine expired token reports the expiry (the control).
		_, err := Verify[RegisteredClaims](bg, tok(fmt.Sprintf(`"exp":%d`, now-3600)), v, atkOpts())
		assert.ErrorIs(t, err, ErrExpired)
		assert.NotErrorIs(t, err, ErrInvalidSignature)
	})
}

func TestAttackRSASmallKey(t *testing.T) {
	t.Parallel()
	victim := atkRSAKey(t)
	vs, v := atkPair(t, RS256, victim, &victim.PublicKey)
	atkControl(t, atkSign(t, vs, `{"alg":"RS256"}`, atkPayload()), v, nil)

	small := unapprovedRSAKey(t, 1024)
	for _, alg := range []Algorithm{RS256, RS384, RS512, PS256, PS384, PS512} {
		_, err := alg.NewVerifier(&small.PublicKey)
		assert.ErrorIs(t, err, ErrInvalidKey, alg.Name())
		_, err = alg.NewSigner(small)
		assert.ErrorIs(t, err, ErrInvalidKey, alg.Name())
	}
	jwkJSON := fmt.Sprintf(`{"kty":"RSA","n":"%s","e":"AQAB"}`, atkB64(small.N.Bytes()))
	_, err := ParseJWK([]byte(jwkJSON))
	assert.ErrorIs(t, err, ErrInvalidKey)
	der, err := x509.MarshalPKIXPublicKey(&small.PublicKey)
	require.NoError(t, err)
	_, err = ParsePublicKeyPEM(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	assert.ErrorIs(t, err, ErrInvalidKey)

	// The bound is exactly 2048 bits (a verifier needs only the modulus).
	for bits, want := range map[int]error{2047: ErrInvalidKey, 2048: nil} {
		n := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
		n.Add(n, big.NewInt(1))
		_, err := RS256.NewVerifier(&rsa.PublicKey{N: n, E: 65537})
		if want == nil {
			assert.NoError(t, err, "%d bits", bits)
		} else {
			assert.ErrorIs(t, err, want, "%d bits", bits)
		}
	}

	// A token signed with the small key never verifies with the victim's.
	input := atkB64([]byte(`{"alg":"RS256"}`)) + "." + atkB64([]byte(atkPayload()))
	d := sha256.Sum256([]byte(input))
	var sig []byte
	fips140.WithoutEnforcement(func() { sig, err = rsa.SignPKCS1v15(nil, small, crypto.SHA256, d[:]) })
	require.NoError(t, err)
	atkReject(t, input+"."+atkB64(sig), v, nil, ErrInvalidSignature)
}

func TestAttackHMACShortKey(t *testing.T) {
	t.Parallel()
	for _, alg := range []HMACAlgorithm{HS256, HS384, HS512} {
		t.Run(alg.Name(), func(t *testing.T) {
			t.Parallel()
			size := alg.hash().Size()
			full := make([]byte, size)
			rand.Read(full)
			s, v := atkPair(t, alg, full, full)
			atkControl(t, atkSign(t, s, `{"alg":"`+alg.Name()+`"}`, atkPayload()), v, nil)
			for _, n := range []int{1, 16, size / 2, size - 1} {
				_, err := alg.NewVerifier(full[:n])
				assert.ErrorIs(t, err, ErrInvalidKey, "%d-octet key", n)
				_, err = alg.NewSigner(full[:n])
				assert.ErrorIs(t, err, ErrInvalidKey, "%d-octet key", n)
				k, err := ParseJWK([]byte(`{"kty":"oct","k":"` + atkB64(full[:n]) + `"}`))
				if err == nil {
					_, err = k.Verifier(alg)
				}
				assert.ErrorIs(t, err, ErrInvalidKey, "%d-octet JWK", n)
			}
		})
	}
	// A token MACed with a 16-octet key is just a wrong MAC to a real key.
	_, v := atkHS256(t)
	atkReject(t, atkMAC(atkHMACKey[:16], `{"alg":"HS256"}`, atkPayload()), v, nil, ErrInvalidSignature)
}

func TestAttackWeakHMACSecret(t *testing.T) {
	t.Parallel()
	gen, err := GenerateKey(HS256)
	require.NoError(t, err)
	gen2, err := GenerateKey(HS256)
	require.NoError(t, err)
	key, key2 := gen.Key.([]byte), gen2.Key.([]byte)
	require.Len(t, key, 32)
	require.NotEqual(t, key, key2, "keys come from a CSPRNG")
	k512, err := GenerateKey(HS512)
	require.NoError(t, err)
	require.Len(t, k512.Key, 64)
	s, v := atkPair(t, HS256, key, key)
	atkControl(t, atkSign(t, s, `{"alg":"HS256"}`, atkPayload()), v, nil)

	// Passwords are not keys: the well-known ones are too short, and a
	// string is not a []byte secret.
	for _, pw := range []string{"secret", "your-256-bit-secret", "password123", "changeme", "jwt-secret-key"} {
		_, err := HS256.NewVerifier([]byte(pw))
		assert.ErrorIs(t, err, ErrInvalidKey, pw)
		// An attacker's dictionary guesses re-sign nothing valid.
		atkReject(t, atkMAC([]byte(pw), `{"alg":"HS256"}`, atkPayload()), v, nil, ErrInvalidSignature)
	}
	_, err = HS256.NewVerifier("a string of thirty-two characters")
	assert.ErrorIs(t, err, ErrInvalidKey)
}

func TestAttackCurveAndKeyMismatch(t *testing.T) {
	t.Parallel()
	p256 := atkECKey(t, elliptic.P256())
	p384 := atkECKey(t, elliptic.P384())
	p521 := atkECKey(t, elliptic.P521())
	s256, v256 := atkPair(t, ES256, p256, &p256.PublicKey)
	s384, _ := atkPair(t, ES384, p384, &p384.PublicKey)
	atkControl(t, atkSign(t, s256, `{"alg":"ES256"}`, atkPayload()), v256, nil)

	for _, tc := range []struct {
		alg ECDSAAlgorithm
		key *ecdsa.PrivateKey
	}{
		{alg: ES256, key: p384}, {alg: ES256, key: p521},
		{alg: ES384, key: p256}, {alg: ES384, key: p521},
		{alg: ES512, key: p256}, {alg: ES512, key: p384},
	} {
		_, err := tc.alg.NewVerifier(&tc.key.PublicKey)
		assert.ErrorIs(t, err, ErrInvalidKey, "%s with %s", tc.alg.Name(), tc.key.Curve.Params().Name)
		_, err = tc.alg.NewSigner(tc.key)
		assert.ErrorIs(t, err, ErrInvalidKey, "%s with %s", tc.alg.Name(), tc.key.Curve.Params().Name)
	}
	// An ES384 token, or a P-384 signature under an ES256 header.
	atkReject(t, atkSign(t, s384, `{"alg":"ES384"}`, atkPayload()), v256, nil, ErrAlgorithmMismatch)
	input := atkB64([]byte(`{"alg":"ES256"}`)) + "." + atkB64([]byte(atkPayload()))
	sig, err := s384.Sign(context.Background(), []byte(input))
	require.NoError(t, err)
	atkReject(t, input+"."+atkB64(sig), v256, nil, ErrInvalidSignature)

	// Invalid public keys in JWKs.
	jwk, err := NewJWK(&p256.PublicKey)
	require.NoError(t, err)
	raw, err := json.Marshal(jwk)
	require.NoError(t, err)
	var m map[string]string
	require.NoError(t, json.Unmarshal(raw, &m))
	x, err := decodeSegment(nil, m["x"])
	require.NoError(t, err)
	y, err := decodeSegment(nil, m["y"])
	require.NoError(t, err)
	yPlus := new(big.Int).Add(new(big.Int).SetBytes(y), big.NewInt(1))
	jwk384, err := NewJWK(&p384.PublicKey)
	require.NoError(t, err)
	raw384, err := json.Marshal(jwk384)
	require.NoError(t, err)
	var m384 map[string]string
	require.NoError(t, json.Unmarshal(raw384, &m384))
	_, edPub, _ := ed25519.GenerateKey(rand.Reader)
	for name, j := range map[string]string{
		"x one octet short":   fmt.Sprintf(`{"kty":"EC","crv":"P-256","x":"%s","y":"%s"}`, atkB64(x[1:]), m["y"]),
		"point not on curve":  fmt.Sprintf(`{"kty":"EC","crv":"P-256","x":"%s","y":"%s"}`, m["x"], atkB64(yPlus.FillBytes(make([]byte, 32)))),
		"ES256 with P-384":    fmt.Sprintf(`{"kty":"EC","crv":"P-384","alg":"ES256","x":"%s","y":"%s"}`, m384["x"], m384["y"]),
		"alg of another kty":  fmt.Sprintf(`{"kty":"EC","crv":"P-256","alg":"RS256","x":"%s","y":"%s"}`, m["x"], m["y"]),
		"secp256k1":           fmt.Sprintf(`{"kty":"EC","crv":"secp256k1","x":"%s","y":"%s"}`, m["x"], m["y"]),
		"Ed25519 x 31 octets": fmt.Sprintf(`{"kty":"OKP","crv":"Ed25519","x":"%s"}`, atkB64(edPub[:31])),
		"Ed448":               fmt.Sprintf(`{"kty":"OKP","crv":"Ed448","x":"%s"}`, atkB64(make([]byte, 57))),
		"point at infinity":   fmt.Sprintf(`{"kty":"EC","crv":"P-256","x":"%s","y":"%s"}`, atkB64(make([]byte, 32)), atkB64(make([]byte, 32))),
	} {
		_, err := ParseJWK([]byte(j))
		assert.ErrorIs(t, err, ErrInvalidKey, name)
	}
	_, err = EdDSA.NewVerifier(edPub[:31])
	assert.ErrorIs(t, err, ErrInvalidKey)
	_, err = EdDSA.NewVerifier(&p256.PublicKey)
	assert.ErrorIs(t, err, ErrInvalidKey)
	_, err = ES256.NewVerifier(edPub)
	assert.ErrorIs(t, err, ErrInvalidKey)
	// A JWK bound to ES256 cannot be used for ES384.
	jwk.Algorithm = "ES256"
	_, err = jwk.Verifier(ES384)
	assert.ErrorIs(t, err, ErrAlgorithmMismatch)
}

func TestAttackRSAPaddingLeniency(t *testing.T) {
	t.Parallel()
	priv := atkRSAKey(t)
	_, rv := atkPair(t, RS256, priv, &priv.PublicKey)
	ps, pv := atkPair(t, PS256, priv, &priv.PublicKey)
	rs, _ := atkPair(t, RS256, priv, &priv.PublicKey)
	atkControl(t, atkSign(t, ps, `{"alg":"PS256"}`, atkPayload()), pv, nil)
	atkControl(t, atkSign(t, rs, `{"alg":"RS256"}`, atkPayload()), rv, nil)

	input := func(alg string) string {
		return atkB64([]byte(`{"alg":"`+alg+`"}`)) + "." + atkB64([]byte(atkPayload()))
	}
	d256 := func(in string) []byte { s := sha256.Sum256([]byte(in)); return s[:] }
	d384 := func(in string) []byte { s := sha512.Sum384([]byte(in)); return s[:] }
	d512 := func(in string) []byte { s := sha512.Sum512([]byte(in)); return s[:] }
	pss := func(in string, h crypto.Hash, digest []byte, salt int) string {
		// The attacker is not bound by FIPS 140-only mode, which refuses
		// to make a salt longer than the hash.
		var sig []byte
		var err error
		fips140.WithoutEnforcement(func() {
			sig, err = rsa.SignPSS(rand.Reader, priv, h, digest, &rsa.PSSOptions{SaltLength: salt, Hash: h})
		})
		require.NoError(t, err)
		return in + "." + atkB64(sig)
	}
	pkcs1 := func(in string, h crypto.Hash, digest []byte) string {
		var sig []byte
		var err error
		fips140.WithoutEnforcement(func() { sig, err = rsa.SignPKCS1v15(nil, priv, h, digest) })
		require.NoError(t, err)
		return in + "." + atkB64(sig)
	}
	ps256, rs256 := input("PS256"), input("RS256")
	// Construction proof: the salt-32 signature made here verifies.
	atkControl(t, pss(ps256, crypto.SHA256, d256(ps256), 32), pv, nil)
	for _, tc := range []struct {
		name  string
		token string
		v     Verifier
		want  error
	}{
		// Given as a number: in FIPS 140 mode, Go's auto salt length is
		// the hash length (FIPS 186-5 §5.4(g)), not the maximum.
		{name: "PSS salt length maximal (Go's auto)", token: pss(ps256, crypto.SHA256, d256(ps256), priv.Size()-2-sha256.Size), v: pv, want: ErrInvalidSignature},
		{name: "PSS salt length 20", token: pss(ps256, crypto.SHA256, d256(ps256), 20), v: pv, want: ErrInvalidSignature},
		{name: "PSS salt length 64", token: pss(ps256, crypto.SHA256, d256(ps256), 64), v: pv, want: ErrInvalidSignature},
		{name: "PSS with SHA-384", token: pss(ps256, crypto.SHA384, d384(ps256), 48), v: pv, want: ErrInvalidSignature},
		{name: "PKCS#1 v1.5 signature under PS256", token: pkcs1(ps256, crypto.SHA256, d256(ps256)), v: pv, want: ErrInvalidSignature},
		{name: "PSS signature under RS256", token: pss(rs256, crypto.SHA256, d256(rs256), 32), v: rv, want: ErrInvalidSignature},
		{name: "PKCS#1 v1.5 with SHA-512 DigestInfo", token: pkcs1(rs256, crypto.SHA512, d512(rs256)), v: rv, want: ErrInvalidSignature},
		{name: "PKCS#1 v1.5 without DigestInfo", token: pkcs1(rs256, 0, d256(rs256)), v: rv, want: ErrInvalidSignature},
		{name: "signature not below the modulus", token: rs256 + "." + atkB64(bytes.Repeat([]byte{0xff}, 256)), v: rv, want: ErrInvalidSignature},
		{name: "signature plus the modulus", token: func() string {
			tok := pkcs1(rs256, crypto.SHA256, d256(rs256))
			_, _, sig := atkSplit(tok)
			raw, _ := decodeSegment(nil, sig)
			sum := new(big.Int).Add(new(big.Int).SetBytes(raw), priv.N)
			return rs256 + "." + atkB64(sum.Bytes())
		}(), v: rv, want: ErrInvalidSignature},
		{name: "PS256 token to an RS256 key", token: pss(ps256, crypto.SHA256, d256(ps256), 32), v: rv, want: ErrAlgorithmMismatch},
		{name: "RS256 token to a PS256 key", token: pkcs1(rs256, crypto.SHA256, d256(rs256)), v: pv, want: ErrAlgorithmMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			atkReject(t, tc.token, tc.v, nil, tc.want)
		})
	}
}

func TestAttackDetachedPayload(t *testing.T) {
	t.Parallel()
	s, v := atkHS256(t)
	header, payload := `{"alg":"HS256"}`, atkPayload()
	attached := atkSign(t, s, header, payload)
	atkControl(t, attached, v, nil)
	h, p, sig := atkSplit(attached)

	// A signature over a payload the token does not carry.
	atkReject(t, h+".."+sig, v, nil, ErrInvalidSignature)

	// RFC 7520 §4.5, as published.
	for _, e := range loadRFCEntries(t) {
		if e.Name == "rfc7520-4.5-HS256-detached" {
			_, rv := rfcKey(t, &e, HS256)
			_, err := VerifyJWS(bg, *e.Token, rv, nil)
			assert.ErrorIs(t, err, ErrInvalidSignature)
		}
	}

	// JWS JSON serialization, flattened and general, and with the header
	// only unprotected (RFC 7520 §4.7): not read at all.
	flat, err := json.Marshal(map[string]string{"protected": h, "payload": p, "signature": sig})
	require.NoError(t, err)
	general, err := json.Marshal(map[string]any{"payload": p, "signatures": []map[string]string{{"protected": h, "signature": sig}}})
	require.NoError(t, err)
	unprotected := atkMACInput(atkHMACKey, "."+p)
	_, _, usig := atkSplit(unprotected)
	unprot, err := json.Marshal(map[string]any{"header": map[string]string{"alg": "HS256"}, "payload": p, "signature": usig})
	require.NoError(t, err)
	for name, tok := range map[string]string{
		"flattened JSON":          string(flat),
		"general JSON":            string(general),
		"unprotected-only JSON":   string(unprot),
		"compact, no header":      unprotected,
		"empty payload, no input": h + ".." + atkB64(make([]byte, 32)),
	} {
		t.Run(name, func(t *testing.T) {
			want := ErrMalformed
			if strings.HasPrefix(name, "empty payload") {
				want = ErrInvalidSignature
			}
			atkReject(t, tok, v, nil, want)
		})
	}

	// An empty payload that was really signed is an empty payload: a JWS
	// with no content, and not a claims set.
	empty, err := SignJWS(context.Background(), s, nil, nil)
	require.NoError(t, err)
	j, err := VerifyJWS(bg, empty, v, nil)
	require.NoError(t, err)
	assert.Empty(t, j.Payload)
	_, err = Verify[RegisteredClaims](bg, empty, v, atkOpts())
	assert.ErrorIs(t, err, ErrMalformed)
}

// TestAttackNestedDuplicateMembers: a parser differential at any depth.
// encoding/json keeps the last of two members and matches struct fields
// case-insensitively (with Unicode simple folding: "ſ" and the Kelvin sign
// fold to ASCII letters), so
// {"perms":{"admin":false,"ADMIN":true}} reads admin=true into a struct and
// admin=false from a map, and another reader may keep the first value. Every
// object, at every depth and inside arrays, must have unique names under
// that folding; the header and the claims alike.
func TestAttackNestedDuplicateMembers(t *testing.T) {
	t.Parallel()
	s, v := atkHS256(t)
	exp := atkNow.Unix() + 3600
	opts := &VerifyOptions{Now: atkClock}
	for _, control := range []string{
		fmt.Sprintf(`{"exp":%d,"perms":{"admin":false,"read":true}}`, exp),
		fmt.Sprintf(`{"exp":%d,"cnf":{"jkt":"alice"},"x":[{"a":1},{"a":2}]}`, exp),
		fmt.Sprintf(`{"exp":%d,"a":{"b":{"c":{"d":1,"e":2}}},"b2":{"x":1},"a2":{"x":1}}`, exp),
		// encoding/json does not fold the dotless i to "i": no differential.
		fmt.Sprintf(`{"exp":%d,"admin":false,"adm\u0131n":true,"p":{"kid":1,"k\u0131d":2}}`, exp),
	} {
		atkControl(t, atkSign(t, s, `{"alg":"HS256"}`, control), v, opts)
	}
	for _, tc := range []struct {
		name    string
		header  string
		payload string
	}{
		{name: "nested case variant", payload: `{"exp":%d,"perms":{"admin":false,"ADMIN":true}}`},
		{name: "cnf.jkt case variant", payload: `{"exp":%d,"cnf":{"jkt":"alice","JKT":"mallory"}}`},
		{name: "nested exact duplicate", payload: `{"exp":%d,"cnf":{"jkt":"alice","jkt":"mallory"}}`},
		{name: "object in an array", payload: `{"exp":%d,"roles":[{"name":"a"},{"name":"b","name":"admin"}]}`},
		{name: "deep", payload: `{"exp":%d,"a":{"b":[[{"c":{"d":1,"D":2}}]]}}`},
		{name: "long s folds to S", payload: `{"exp":%d,"scope":"read","\u017fcope":"admin"}`},
		{name: "Kelvin sign folds to K", payload: `{"exp":%d,"p":{"k":1,"\u212a":2}}`},
		{name: "registered claim via long s", header: `{"alg":"HS256"}`, payload: `{"exp":%d,"sub":"alice","\u017fub":"admin"}`},
		{name: "header kid and Kelvin-id", header: `{"alg":"HS256","kid":"a","\u212aid":"b"}`},
		{name: "nested header object", header: `{"alg":"HS256","jwk":{"kty":"oct","KTY":"RSA"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, p := tc.header, tc.payload
			if h == "" {
				h = `{"alg":"HS256"}`
			}
			if p == "" {
				p = atkPayload()
			} else {
				p = fmt.Sprintf(p, exp)
			}
			tok := atkSign(t, s, h, p)
			atkReject(t, tok, v, opts, ErrMalformed)
			_, err := Verify[map[string]any](bg, tok, v, opts)
			assert.ErrorIs(t, err, ErrMalformed)
			type perms struct {
				Admin bool `json:"admin"`
			}
			_, err = Verify[struct {
				RegisteredClaims
				Perms perms `json:"perms"`
			}](bg, tok, v, opts)
			assert.ErrorIs(t, err, ErrMalformed)
		})
	}
}

// atkSmallOrderEd25519 returns the 14 encodings of the 8 Ed25519 points of
// small order (testdata/ed25519vectors_keys.json, flag LowOrderA).
func atkSmallOrderEd25519(t *testing.T) [][]byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "ed25519vectors_keys.json"))
	require.NoError(t, err)
	var vectors []struct {
		Key   string   `json:"key"`
		Flags []string `json:"flags"`
	}
	require.NoError(t, json.Unmarshal(b, &vectors))
	var keys [][]byte
	for _, v := range vectors {
		if slices.Contains(v.Flags, "LowOrderA") {
			keys = append(keys, mustHex(t, v.Key))
		}
	}
	require.Len(t, keys, 14)
	return keys
}

// Degenerate public keys: keys that no one holds a private key for but that
// verify forged signatures (Ed25519 points of small order), or that are not
// keys at all (an even RSA modulus, an exponent crypto/rsa cannot use, an
// EC point off the curve or at infinity). They are refused where a key
// comes in: by the Algorithms' NewVerifier, ParseJWK, the JWK Set reader,
// ParsePublicKeyPEM (also of a certificate) and NewJWK.
func TestAttackDegeneratePublicKeys(t *testing.T) {
	t.Parallel()
	t.Run("Ed25519 identity", func(t *testing.T) {
		t.Parallel()
		_, genuine, err := ed25519.GenerateKey(rand.Reader)
		require.NoError(t, err)
		gs, gv := atkPair(t, EdDSA, genuine, genuine.Public())
		atkControl(t, atkSign(t, gs, `{"alg":"EdDSA"}`, atkPayload()), gv, nil)

		identity := make([]byte, 32)
		identity[0] = 1 // y = 1, x = 0: the neutral element
		// R = the identity's encoding, S = 0: one signature for everything.
		sig := append(append([]byte(nil), identity...), make([]byte, 32)...)
		forge := func(payload string) string {
			return atkB64([]byte(`{"alg":"EdDSA"}`)) + "." + atkB64([]byte(payload)) + "." + atkB64(sig)
		}
		admin := fmt.Sprintf(`{"sub":"admin","admin":true,"exp":%d}`, atkNow.Unix()+3600)
		// The danger: crypto/ed25519 accepts it for every payload ...
		for _, payload := range []string{atkPayload(), admin, "anything at all"} {
			h, p, _ := atkSplit(forge(payload))
			require.True(t, ed25519.Verify(identity, []byte(h+"."+p), sig), "crypto/ed25519 accepts the forgery")
		}
		// ... and so would a Verifier made from the key without the check.
		unchecked := &ed25519Verifier{name: "EdDSA", pub: identity}
		unchecked.self[0] = unchecked
		for _, payload := range []string{atkPayload(), admin} {
			_, err := Verify[RegisteredClaims](bg, forge(payload), unchecked, atkOpts())
			require.NoError(t, err, "the forgery verifies against the unchecked key")
		}

		// jwtkit never makes that Verifier, whichever way the key comes.
		for _, alg := range []EdDSAAlgorithm{EdDSA, Ed25519} {
			_, err := alg.NewVerifier(ed25519.PublicKey(identity))
			assert.ErrorIs(t, err, ErrInvalidKey, alg.Name())
		}
		x := atkB64(identity)
		for _, j := range []string{
			`{"kty":"OKP","crv":"Ed25519","x":"` + x + `"}`,
			`{"kty":"OKP","crv":"Ed25519","alg":"EdDSA","x":"` + x + `"}`,
		} {
			_, err := ParseJWK([]byte(j))
			assert.ErrorIs(t, err, ErrInvalidKey, j)
			assert.NotContains(t, fmt.Sprint(err), x)
		}
		set, skipped, err := readJWKSet([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k","x":"`+x+`"}]}`), true)
		require.NoError(t, err)
		assert.Empty(t, set.Keys)
		require.Len(t, skipped, 1)
		assert.ErrorIs(t, skipped[0], ErrInvalidKey)
		_, err = NewJWK(ed25519.PublicKey(identity))
		assert.ErrorIs(t, err, ErrInvalidKey)

		der, err := x509.MarshalPKIXPublicKey(ed25519.PublicKey(identity))
		require.NoError(t, err)
		_, err = ParsePublicKeyPEM(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
		assert.ErrorIs(t, err, ErrInvalidKey)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "identity"}, NotBefore: atkNow, NotAfter: atkNow.Add(time.Hour)}
		cert, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, ed25519.PublicKey(identity), genuine)
		require.NoError(t, err)
		_, err = ParsePublicKeyPEM(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert}))
		assert.ErrorIs(t, err, ErrInvalidKey)
		_, err = ParseJWK([]byte(`{"kty":"OKP","crv":"Ed25519","x":"` + atkB64(genuine.Public().(ed25519.PublicKey)) + `","x5c":["` + base64.StdEncoding.EncodeToString(cert) + `"]}`))
		assert.ErrorIs(t, err, ErrInvalidKey, "a certificate for another key")
	})

	t.Run("Ed25519 small order", func(t *testing.T) {
		t.Parallel()
		input := atkB64([]byte(`{"alg":"EdDSA"}`)) + "." + atkB64([]byte(atkPayload()))
		identityEnc := make([]byte, 32)
		identityEnc[0] = 1
		sig := append(identityEnc, make([]byte, 32)...)
		for _, key := range atkSmallOrderEd25519(t) {
			// crypto/ed25519 accepts the fixed signature for 1 in 1, 2, 4
			// or 8 messages: find one among 256.
			found := false
			for i := range 256 {
				if ed25519.Verify(key, []byte(fmt.Sprintf("%s%d", input, i)), sig) {
					found = true
					break
				}
			}
			assert.True(t, found, "crypto/ed25519 accepts a forgery for %x", key)

			_, err := EdDSA.NewVerifier(ed25519.PublicKey(key))
			assert.ErrorIs(t, err, ErrInvalidKey, "%x", key)
			_, err = ParseJWK([]byte(`{"kty":"OKP","crv":"Ed25519","x":"` + atkB64(key) + `"}`))
			assert.ErrorIs(t, err, ErrInvalidKey, "%x", key)
			der, err := x509.MarshalPKIXPublicKey(ed25519.PublicKey(key))
			require.NoError(t, err)
			_, err = ParsePublicKeyPEM(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
			assert.ErrorIs(t, err, ErrInvalidKey, "%x", key)
		}
		// Not a point at all (y = 2), and a non-canonical y (p + 3).
		notPoint := make([]byte, 32)
		notPoint[0] = 2
		nonCanonical := mustHex(t, "f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
		for _, key := range [][]byte{notPoint, nonCanonical} {
			_, err := Ed25519.NewVerifier(ed25519.PublicKey(key))
			assert.ErrorIs(t, err, ErrInvalidKey, "%x", key)
			_, err = ParseJWK([]byte(`{"kty":"OKP","crv":"Ed25519","x":"` + atkB64(key) + `"}`))
			assert.ErrorIs(t, err, ErrInvalidKey, "%x", key)
		}
	})

	t.Run("RSA", func(t *testing.T) {
		t.Parallel()
		victim := atkRSAKey(t)
		vs, v := atkPair(t, RS256, victim, &victim.PublicKey)
		atkControl(t, atkSign(t, vs, `{"alg":"RS256"}`, atkPayload()), v, nil)

		even := &rsa.PublicKey{N: new(big.Int).Add(victim.N, big.NewInt(1)), E: victim.E}
		hugeE := int64(1)<<31 + 11 // wraps to a negative int where int has 32 bits: refused too
		for name, pub := range map[string]*rsa.PublicKey{
			"even modulus":   even,
			"e = 1":          {N: victim.N, E: 1},
			"even e":         {N: victim.N, E: 65536},
			"e above 2^31-1": {N: victim.N, E: int(hugeE)},
		} {
			_, err := RS256.NewVerifier(pub)
			assert.ErrorIs(t, err, ErrInvalidKey, name)
			_, err = PS256.NewVerifier(pub)
			assert.ErrorIs(t, err, ErrInvalidKey, name)
			_, err = NewJWK(pub)
			assert.ErrorIs(t, err, ErrInvalidKey, name)
			der, err := x509.MarshalPKIXPublicKey(pub)
			require.NoError(t, err)
			_, err = ParsePublicKeyPEM(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
			assert.ErrorIs(t, err, ErrInvalidKey, name)
		}
		_, err := ParseJWK([]byte(`{"kty":"RSA","n":"` + atkB64(even.N.Bytes()) + `","e":"AQAB"}`))
		assert.ErrorIs(t, err, ErrInvalidKey)
		// Too large to be cheap to check: 16384 bits.
		_, err = RS256.NewVerifier(&rsa.PublicKey{N: rsaModulus(t, 16384), E: 65537})
		assert.ErrorIs(t, err, ErrInvalidKey)
	})

	t.Run("EC", func(t *testing.T) {
		t.Parallel()
		genuine := atkECKey(t, elliptic.P256())
		s, v := atkPair(t, ES256, genuine, &genuine.PublicKey)
		atkControl(t, atkSign(t, s, `{"alg":"ES256"}`, atkPayload()), v, nil)
		// PKIX keys whose point is at infinity, or off the curve.
		point, err := genuine.PublicKey.Bytes()
		require.NoError(t, err)
		off := append([]byte(nil), point...)
		off[len(off)-1] ^= 1
		oidEC, oidP256 := asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}, asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
		params, err := asn1.Marshal(oidP256)
		require.NoError(t, err)
		for name, pt := range map[string][]byte{"infinity": {0}, "off the curve": off, "all zero": append([]byte{4}, make([]byte, 64)...)} {
			der, err := asn1.Marshal(struct {
				Algorithm pkix.AlgorithmIdentifier
				PublicKey asn1.BitString
			}{
				Algorithm: pkix.AlgorithmIdentifier{Algorithm: oidEC, Parameters: asn1.RawValue{FullBytes: params}},
				PublicKey: asn1.BitString{Bytes: pt, BitLength: 8 * len(pt)},
			})
			require.NoError(t, err)
			_, err = ParsePublicKeyPEM(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
			assert.ErrorIs(t, err, ErrInvalidKey, name)
		}
		// The control: the same construction with the genuine point.
		der, err := asn1.Marshal(struct {
			Algorithm pkix.AlgorithmIdentifier
			PublicKey asn1.BitString
		}{
			Algorithm: pkix.AlgorithmIdentifier{Algorithm: oidEC, Parameters: asn1.RawValue{FullBytes: params}},
			PublicKey: asn1.BitString{Bytes: point, BitLength: 8 * len(point)},
		})
		require.NoError(t, err)
		_, err = ParsePublicKeyPEM(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
		assert.NoError(t, err)
		// Hand-made public keys with the deprecated X, Y fields.
		for name, pub := range map[string]*ecdsa.PublicKey{
			"infinity":      {Curve: elliptic.P256(), X: new(big.Int), Y: new(big.Int)},
			"off the curve": {Curve: elliptic.P256(), X: genuine.X, Y: new(big.Int).Add(genuine.Y, big.NewInt(1))},
		} {
			_, err := ES256.NewVerifier(pub)
			assert.ErrorIs(t, err, ErrInvalidKey, name)
		}
	})
}
