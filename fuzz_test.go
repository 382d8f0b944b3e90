package jwt

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/bits"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Fuzz targets. Each checks a property, not only the absence of panics. The
// seed corpora are in testdata/fuzz/<FuzzName>/; the seeds added here are
// the tokens that need a key.

// fuzzKey is the HS256 secret of the FuzzParse seeds (32 octets).
var fuzzKey = []byte("fuzz-secret-0123456789abcdef0123")

var fuzzNow = time.Unix(1_800_000_000, 0)

// fuzzSentinels are every sentinel of errors.go.
var fuzzSentinels = []error{
	ErrMalformed, ErrTooLarge, ErrUnsupportedAlgorithm, ErrAlgorithmMismatch, ErrKeyNotFound, ErrInvalidKey,
	ErrInvalidSignature, ErrExpired, ErrNotYetValid, ErrIssuedInFuture, ErrIssuerMismatch, ErrAudienceMismatch,
	ErrSubjectMismatch, ErrTypeMismatch, ErrMissingClaim, ErrUnsupportedCritical, ErrInvalidOption,
}

// fuzzCheckSentinel fails unless err wraps one of the package's sentinels,
// and, for a *ValidationError, unless each of its errors does.
func fuzzCheckSentinel(t *testing.T, what string, err error) {
	t.Helper()
	var ve *ValidationError
	if errors.As(err, &ve) {
		if len(ve.Errors) == 0 {
			t.Fatalf("%s: empty ValidationError", what)
		}
		for _, e := range ve.Errors {
			fuzzCheckSentinel(t, what, e)
		}
		return
	}
	for _, s := range fuzzSentinels {
		if errors.Is(err, s) {
			return
		}
	}
	t.Fatalf("%s: error %q (%T) wraps none of the package's sentinels", what, err, err)
}

// fuzzAnySignature is a Verifier that accepts every signature, so that
// FuzzParse reaches the header, claims and re-encoding checks with inputs
// a real key would stop at the signature.
type fuzzAnySignature struct{}

func (fuzzAnySignature) Algorithm() string        { return "HS256" }
func (fuzzAnySignature) Verify(_, _ []byte) error { return nil }
func (f fuzzAnySignature) Lookup(context.Context, Header) ([]Verifier, error) {
	return []Verifier{f}, nil
}

func FuzzParse(f *testing.F) {
	s, err := HS256.NewSigner(fuzzKey)
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range []struct {
		claims any
		opts   *SignOptions
	}{
		{claims: RegisteredClaims{Subject: "alice", ExpiresAt: NewNumericDate(fuzzNow.Add(time.Hour))}},
		{claims: RegisteredClaims{Issuer: "iss", Audience: Audience{"a", "b"}, ExpiresAt: NewNumericDate(fuzzNow.Add(time.Hour)), NotBefore: NewNumericDate(fuzzNow), IssuedAt: NewNumericDate(fuzzNow), ID: "j"}},
		{claims: map[string]any{"aud": "api", "exp": 1800003600.5, "x": []any{1, "two", nil, true}}, opts: &SignOptions{Type: "at+jwt", ContentType: "JWT"}},
		{claims: json.RawMessage(`{"exp":1700000000}`)},
	} {
		tok, err := Sign(bg, s, c.claims, c.opts)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(tok)
	}
	if b, err := os.ReadFile("testdata/rfc_vectors.json"); err == nil {
		var es []struct{ Token *string }
		if json.Unmarshal(b, &es) == nil {
			for _, e := range es {
				if e.Token != nil {
					f.Add(*e.Token)
				}
			}
		}
	}
	v, err := HS256.NewVerifier(fuzzKey)
	if err != nil {
		f.Fatal(err)
	}
	opts := &VerifyOptions{Now: func() time.Time { return fuzzNow }, IgnoreAudience: true, Critical: []string{"x"}, Leeway: time.Minute}
	f.Fuzz(func(t *testing.T, tok string) {
		u, perr := ParseUnverified(tok, 0)
		if perr != nil {
			fuzzCheckSentinel(t, "ParseUnverified", perr)
		} else {
			// Strict base64url: the parts re-encode to the very input.
			re := string(appendEncode(nil, u.HeaderJSON)) + "." + string(appendEncode(nil, u.Payload)) + "." + string(appendEncode(nil, u.Signature))
			if re != tok {
				t.Fatalf("ParseUnverified accepted %q, which re-encodes to %q", tok, re)
			}
			if u.SigningInput != tok[:strings.LastIndexByte(tok, '.')] {
				t.Fatalf("signing input %q of %q", u.SigningInput, tok)
			}
		}
		for _, vr := range []Verifier{v, fuzzAnySignature{}} {
			if _, err := VerifyJWS(bg, tok, vr, jwsOpts(opts)); err != nil {
				fuzzCheckSentinel(t, "VerifyJWS", err)
			} else if perr != nil {
				t.Fatalf("VerifyJWS accepted %q, which ParseUnverified rejects: %v", tok, perr)
			}
			for _, o := range []*VerifyOptions{opts, nil} {
				rc, err := Verify[RegisteredClaims](bg, tok, vr, o)
				if err != nil {
					fuzzCheckSentinel(t, "Verify", err)
					continue
				}
				if perr != nil {
					t.Fatalf("Verify accepted %q, which ParseUnverified rejects: %v", tok, perr)
				}
				if rc.Header.Algorithm != "HS256" {
					t.Fatalf("Verify accepted alg %q", rc.Header.Algorithm)
				}
				if vr == v {
					// A real key accepted it: the MAC is the key's.
					mac, _ := s.Sign(t.Context(), []byte(u.SigningInput))
					if !bytes.Equal(mac, u.Signature) {
						t.Fatalf("accepted a signature that is not the MAC: %q", tok)
					}
				}
			}
			if _, err := Verify[map[string]any](bg, tok, vr, opts); err != nil {
				fuzzCheckSentinel(t, "Verify map", err)
			}
		}
	})
}

// FuzzCommonHeader checks that readCommonHeader accepts only headers that
// readHeader accepts, and returns what readHeader returns.
func FuzzCommonHeader(f *testing.F) {
	for _, s := range []string{`{"alg":"HS256"}`, `{"alg":"HS256","typ":"JWT"}`, `{"typ":"JWT","alg":"ES256"}`,
		`{"alg":"EdDSA","typ":"JWT"}`, `{"alg":"HS256","kid":"k"}`, `{"alg":"none"}`, `{"alg":"HS256","typ":"JWT","alg":"HS256"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var fast Header
		if !readCommonHeader([]byte(s), &fast) {
			return
		}
		var strict Header
		if err := readHeader(s, &strict, nil); err != nil {
			t.Fatalf("readCommonHeader accepted %q, readHeader rejected it: %v", s, err)
		}
		if strict.json != s {
			t.Fatalf("%q: readHeader kept %q", s, strict.json)
		}
		if !reflect.DeepEqual(fast, fields(strict)) {
			t.Fatalf("%q: readCommonHeader %+v, readHeader %+v", s, fast, strict)
		}
	})
}

func FuzzClaimsDecoder(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"exp":1800000000}`, `{"iss":"a","sub":"b","aud":"c","exp":1,"nbf":2,"iat":3,"jti":"d"}`,
		`{"aud":["a","b"],"exp":1.5}`, `{"aud":[]}`, `{"x":{"y":[1,2,{"z":null}]},"exp":1e3}`,
		`{"sub":"a","sub":"b"}`, `{"sub":"a","Sub":"b"}`, `{"s\u0075b":"a"}`, ` {"exp" : 0 } `,
		`{"exp":"1"}`, `{"exp":1e309}`, `{"exp":-1}`, `{"EXP":1}`, `{"\u212a":1,"k":2}`, `{"aud":null}`,
		`{"iss":"\ud83d\ude00"}`, `{"iss":"\ud800"}`, "{\"iss\":\"\xff\"}", `[]`, `null`, `{"a":1,}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var cs claimSet
		err := readClaims(string(data), &cs)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("readClaims(%q): error %v does not wrap ErrMalformed", data, err)
			}
			return
		}
		// Accepted: encoding/json reads the same registered claims.
		var rc RegisteredClaims
		if err := json.Unmarshal(data, &rc); err != nil {
			t.Fatalf("readClaims accepted %q, encoding/json rejects it: %v", data, err)
		}
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber() // numbers beyond float64 are valid JSON
		if err := dec.Decode(&m); err != nil || m == nil {
			t.Fatalf("readClaims accepted %q, encoding/json cannot read it as an object: %v", data, err)
		}
		got := cs.rc
		if got.Audience == nil && cs.has("aud") {
			got.Audience = Audience{cs.aud1}
		}
		if got.Issuer != rc.Issuer || got.Subject != rc.Subject || got.ID != rc.ID {
			t.Fatalf("%q: iss/sub/jti %q %q %q, encoding/json %q %q %q", data, got.Issuer, got.Subject, got.ID, rc.Issuer, rc.Subject, rc.ID)
		}
		if (got.Audience == nil) != (rc.Audience == nil) || strings.Join(got.Audience, "\x00") != strings.Join(rc.Audience, "\x00") || len(got.Audience) != len(rc.Audience) {
			t.Fatalf("%q: aud %q, encoding/json %q", data, got.Audience, rc.Audience)
		}
		for _, d := range []struct {
			name      string
			ours, std NumericDate
		}{{"exp", got.ExpiresAt, rc.ExpiresAt}, {"nbf", got.NotBefore, rc.NotBefore}, {"iat", got.IssuedAt, rc.IssuedAt}} {
			if d.ours.IsZero() != d.std.IsZero() || !d.ours.Equal(d.std.Time) {
				t.Fatalf("%q: %s %v, encoding/json %v", data, d.name, d.ours, d.std)
			}
		}
		if n := cs.names.Len() + bits.OnesCount8(cs.seen); len(m) != n {
			t.Fatalf("%q: %d members, encoding/json %d", data, n, len(m))
		}
		// Duplicates are rejected: append a copy of the first member's
		// name (and, for ASCII names, an upper-case variant).
		if len(m) == 0 {
			return
		}
		tokens := json.NewDecoder(bytes.NewReader(data))
		_, _ = tokens.Token() // '{'
		first, _ := tokens.Token()
		name := first.(string)
		end := bytes.LastIndexByte(data, '}')
		variants := []string{name}
		if up := strings.ToUpper(name); up != name && fuzzIsASCII(name) {
			variants = append(variants, up)
		}
		for _, n := range variants {
			q, _ := json.Marshal(n)
			dup := append(append(append(append([]byte{}, data[:end]...), ','), q...), ":0"...)
			dup = append(dup, data[end:]...)
			var cs2 claimSet
			if err := readClaims(string(dup), &cs2); !errors.Is(err, ErrMalformed) {
				t.Fatalf("readClaims accepted the duplicate member %q in %q: %v", n, dup, err)
			}
		}
	})
}

func fuzzIsASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
