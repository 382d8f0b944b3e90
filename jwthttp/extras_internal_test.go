package jwthttp

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jwtkit/jwt"
)

// internalSecret signs the tokens of the tests in this file.
var internalSecret = []byte("jwthttp internal test secret, 32+")

// verifiedTokens signs payload, which must be a claims set jwt.Sign
// accepts, and verifies it into the claims types whose Tokens keep the
// payload differently: RegisteredClaims (a copy in the Token's own
// allocation) and a map. It returns nil if either step refuses it.
func verifiedTokens(tb testing.TB, payload []byte) map[string]claimReader {
	tb.Helper()
	s, err := jwt.HS256.NewSigner(internalSecret)
	if err != nil {
		tb.Fatal(err)
	}
	v, err := jwt.HS256.NewVerifier(internalSecret)
	if err != nil {
		tb.Fatal(err)
	}
	tok, err := jwt.Sign(context.Background(), s, payload, nil)
	if err != nil {
		return nil
	}
	opts := &jwt.VerifyOptions{
		AllowMissingExpiration: true,
		IgnoreAudience:         true,
		Now:                    func() time.Time { return time.Unix(1_800_000_000, 0) },
	}
	rc, err := jwt.Verify[jwt.RegisteredClaims](context.Background(), tok, v, opts)
	if err != nil {
		return nil
	}
	m, err := jwt.Verify[map[string]any](context.Background(), tok, v, opts)
	if err != nil {
		tb.Fatalf("%s: RegisteredClaims accepted, map refused: %v", payload, err)
	}
	return map[string]claimReader{"RegisteredClaims": rc, "map": m}
}

// wantJSON decodes raw, a member's value found by exact name with
// encoding/json, into v, and reports whether it fits.
func wantJSON(raw json.RawMessage, v any) bool { return json.Unmarshal(raw, v) == nil }

// FuzzScopes checks scopesOf against encoding/json: for every claims set
// that jwt.Verify accepts, the scopes it finds are those encoding/json
// finds by exact name ("scope", else "scp"), and it reports an error
// exactly when the claim it reads has another type.
func FuzzScopes(f *testing.F) {
	for _, s := range []string{
		`{}`, ` { } `, `{"scope":"a b"}`, `{"scope":""}`, `{"scope":"","scp":["x"]}`, `{"scope":null}`,
		`{"scope":1}`, `{"scp":null}`, `{"scp":["a",null]}`, `{"scp":["a",""]}`, `{"scp":[]}`, `{"scp":"x  y"}`,
		`{"scp":{"a":1}}`, `{"a":{"scope":"x"},"scope":"y"}`,
		`{"a":["scope",{"scope":1}],"b":"}\"{","scp":["x"]}`,
		`{"sc\u006fpe":"escaped name","s\"":1}`,
		"{\n\t\"scope\" :\r\n \"a\\tb c\" , \"n\":-1.5e+3,\"t\":true,\"f\":false,\"z\":null}",
		`{"\u00e9":"é","Scope":"upper","SCP":[]}`,
		`{"iss":"i","sub":"s","aud":["a"],"exp":1900000000,"scp":"x y"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var top map[string]json.RawMessage
		if !utf8.Valid(data) || json.Unmarshal(data, &top) != nil || top == nil {
			return
		}
		for name, tok := range verifiedTokens(t, data) {
			got, err := scopesOf(tok)
			var want []string
			wantErr := false
			if raw, ok := top["scope"]; ok {
				var s string
				if wantErr = string(raw) == "null" || !wantJSON(raw, &s); !wantErr {
					want = splitScopes(s)
				}
			} else if raw, ok := top["scp"]; ok {
				var s string
				var list []*string
				switch {
				case string(raw) != "null" && wantJSON(raw, &s):
					want = splitScopes(s)
				case string(raw) != "null" && wantJSON(raw, &list):
					want = []string{}
					for _, e := range list {
						if e == nil {
							wantErr = true
							break
						}
						want = append(want, *e)
					}
				default:
					wantErr = true
				}
			}
			if wantErr {
				if err == nil || !errors.Is(err, errScope) {
					t.Fatalf("%s: %q: scopes %q, %v; want an error wrapping errScope", name, data, got, err)
				}
				continue
			}
			if err != nil || strings.Join(got, "\x00") != strings.Join(want, "\x00") || (got == nil) != (want == nil) {
				t.Fatalf("%s: %q: scopes %q, %v; want %q", name, data, got, err, want)
			}
		}
	})
}

// FuzzConfirmation checks confirmationOf against encoding/json: for every
// claims set that jwt.Verify accepts, the "jkt" it finds is the one
// encoding/json finds by exact name, the other methods it reports are the
// other member names, and it reports an error exactly when "cnf" is not an
// object, has no member, or its "jkt" is not a non-empty string.
func FuzzConfirmation(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"cnf":{"jkt":"abc"}}`, `{"a":{"cnf":1},"cnf":{"x5t#S256":"x","jkt":"k"}}`,
		`{"cnf":"x"}`, `{"cnf":null}`, `{"cnf":{"jkt":1}}`, `{"cnf":{"jkt":""}}`, `{"cnf":{"jkt":null}}`,
		`{"CNF":{"jkt":"k"}}`, `{"cnf":{"JKT":"k"}}`, `{"c\u006ef":{"jk\u0074":"\u006b"}}`, `{"cnf":{}}`, `{"cnf":[]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var top map[string]json.RawMessage
		if !utf8.Valid(data) || json.Unmarshal(data, &top) != nil || top == nil {
			return
		}
		for name, tok := range verifiedTokens(t, data) {
			jkt, others, err := confirmationOf(tok)
			raw, ok := top["cnf"]
			if !ok {
				if err != nil || jkt != "" || others != nil {
					t.Fatalf("%s: %q: no cnf, but %q, %v", name, data, jkt, err)
				}
				continue
			}
			var cnf map[string]json.RawMessage
			if json.Unmarshal(raw, &cnf) != nil || len(cnf) == 0 {
				if err == nil || !errors.Is(err, errConfirmation) {
					t.Fatalf("%s: %q: cnf %s accepted: %q, %v", name, data, raw, jkt, err)
				}
				continue
			}
			var want string
			if r, ok := cnf["jkt"]; ok {
				if json.Unmarshal(r, &want) != nil || want == "" {
					if err == nil || !errors.Is(err, errConfirmation) {
						t.Fatalf("%s: %q: jkt %s accepted: %q, %v", name, data, r, jkt, err)
					}
					continue
				}
			}
			var wantOthers []string
			for n := range cnf {
				if n != "jkt" {
					wantOthers = append(wantOthers, n)
				}
			}
			slices.Sort(wantOthers)
			if err != nil || jkt != want || !slices.Equal(others, wantOthers) {
				t.Fatalf("%s: %q: jkt %q, others %q, %v; want %q, %q", name, data, jkt, others, err, want, wantOthers)
			}
		}
	})
}

// TestRegisteredOfAnyClaims checks that the registered claims the Check
// hook receives are those of the verified token whatever T is.
func TestRegisteredOfAnyClaims(t *testing.T) {
	toks := verifiedTokens(t, []byte(`{"iss":"i","sub":"s\u0031","aud":["a","b"],"exp":1900000000,"jti":"j","scope":"x"}`))
	if len(toks) != 2 {
		t.Fatal("token refused")
	}
	for name, tok := range toks {
		var rc jwt.RegisteredClaims
		switch tok := tok.(type) {
		case *jwt.Token[jwt.RegisteredClaims]:
			rc = tok.Registered()
		case *jwt.Token[map[string]any]:
			rc = tok.Registered()
		}
		if rc.Issuer != "i" || rc.Subject != "s1" || rc.ID != "j" || strings.Join(rc.Audience, ",") != "a,b" || rc.ExpiresAt.Unix() != 1900000000 {
			t.Errorf("%s: %+v", name, rc)
		}
	}
}

func BenchmarkScopesOf(b *testing.B) {
	for _, c := range []struct{ name, payload string }{
		{"scope", `{"iss":"https://issuer.example","sub":"user-1","aud":"https://api.example","exp":1900000000,"iat":1800000000,"jti":"id-1","client_id":"app-1","scope":"notes:read notes:write"}`},
		{"scp", `{"iss":"https://issuer.example","sub":"user-1","aud":"https://api.example","exp":1900000000,"iat":1800000000,"jti":"id-1","client_id":"app-1","scp":["notes:read","notes:write"]}`},
	} {
		tok := verifiedTokens(b, []byte(c.payload))["RegisteredClaims"]
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				scopes, err := scopesOf(tok)
				if err != nil || len(scopes) != 2 {
					b.Fatal(scopes, err)
				}
			}
		})
	}
}
