package jwthttp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/internal/strictjson"
)

// FuzzReadExtras checks readExtras against encoding/json: for every JSON
// object of valid UTF-8 with unique member names, the scopes and registered
// claims it finds are those encoding/json finds by exact name.
func FuzzReadExtras(f *testing.F) {
	for _, s := range []string{
		`{}`, ` { } `, `{"scope":"a b"}`,
		`{"a":{"scope":"x"},"scope":"y"}`,
		`{"a":["scope",{"scope":1}],"b":"}\"{","scp":["x"]}`,
		`{"sc\u006fpe":"escaped name","s\"":1}`,
		"{\n\t\"scope\" :\r\n \"a\" , \"n\":-1.5e+3,\"t\":true,\"f\":false,\"z\":null}",
		`{"\u00e9":"é","Scope":"upper","SCP":[]}`,
		`{"iss":"i","sub":"s","aud":["a"],"exp":1,"scp":"x y"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var want map[string]json.RawMessage
		if !utf8.Valid(data) || !json.Valid(data) || json.Unmarshal(data, &want) != nil || want == nil {
			return
		}
		tok := "e30." + base64.RawURLEncoding.EncodeToString(data) + ".sig"
		x := readExtras(tok, true)
		if x.scopeErr != nil {
			return // duplicate names (refused by jwt.Verify) or a scope claim of the wrong type
		}
		var wantScope string
		if raw, ok := want["scope"]; ok {
			if json.Unmarshal(raw, &wantScope) != nil {
				t.Fatalf("%q: scope %s accepted", data, raw)
			}
			var wantScopes []string
			for _, w := range strings.Split(wantScope, " ") {
				if w != "" {
					wantScopes = append(wantScopes, w)
				}
			}
			if strings.Join(x.scopes, "\x00") != strings.Join(wantScopes, "\x00") {
				t.Fatalf("%q: scopes %q, want %q", data, x.scopes, wantScopes)
			}
		}
		if x.rcErr == nil {
			if raw, ok := want["iss"]; ok {
				var iss string
				if json.Unmarshal(raw, &iss) == nil && iss != x.rc.Issuer {
					t.Fatalf("%q: iss %q, want %q", data, x.rc.Issuer, iss)
				}
			}
		}
	})
}

func BenchmarkReadExtras(b *testing.B) {
	s, _ := jwt.HS256.NewSigner([]byte("jwthttp test secret, 32+ bytes!!"))
	tok, _ := jwt.Sign(context.Background(), s, map[string]any{
		"iss": "https://issuer.example", "sub": "user-1", "aud": "https://api.example",
		"exp": time.Now().Unix(), "iat": time.Now().Unix(), "jti": "id-1", "client_id": "app-1",
		"scope": "notes:read notes:write",
	}, nil)
	for _, rc := range []bool{false, true} {
		name := "scopes"
		if rc {
			name = "scopes+registered"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				x := readExtras(tok, rc)
				if x.scopeErr != nil || len(x.scopes) != 2 {
					b.Fatal(x.scopeErr)
				}
			}
		})
	}
}

// FuzzReadConfirmation checks readConfirmation against encoding/json: for
// every JSON object of valid UTF-8 with unique member names, the "jkt" it
// finds is the one encoding/json finds by exact name, and it reports an
// error exactly when "cnf" is not an object or its "jkt" is not a non-empty
// string.
func FuzzReadConfirmation(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"cnf":{"jkt":"abc"}}`, `{"a":{"cnf":1},"cnf":{"x5t#S256":"x","jkt":"k"}}`,
		`{"cnf":"x"}`, `{"cnf":null}`, `{"cnf":{"jkt":1}}`, `{"cnf":{"jkt":""}}`, `{"CNF":{"jkt":"k"}}`,
		`{"cnf":{"JKT":"k"}}`, `{"c\u006ef":{"jk\u0074":"\u006b"}}`, `{"cnf":{}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var top map[string]json.RawMessage
		if !utf8.Valid(data) || !json.Valid(data) || json.Unmarshal(data, &top) != nil || top == nil {
			return
		}
		jkt, err := readConfirmation(string(data))
		if errors.Is(err, strictjson.ErrMalformed) && !errors.Is(err, errConfirmation) {
			return // duplicate names, refused by jwt.Verify
		}
		raw, ok := top["cnf"]
		if !ok {
			if err != nil || jkt != "" {
				t.Fatalf("%q: no cnf, but %q, %v", data, jkt, err)
			}
			return
		}
		var cnf map[string]json.RawMessage
		if json.Unmarshal(raw, &cnf) != nil || cnf == nil {
			if err == nil {
				t.Fatalf("%q: cnf %s accepted", data, raw)
			}
			return
		}
		var want string
		if r, ok := cnf["jkt"]; ok {
			if json.Unmarshal(r, &want) != nil || want == "" {
				if err == nil {
					t.Fatalf("%q: jkt %s accepted", data, r)
				}
				return
			}
		}
		if err != nil || jkt != want {
			t.Fatalf("%q: jkt %q, %v; want %q", data, jkt, err, want)
		}
	})
}

// TestPayloadOf checks payloadOf on payloads of every length around the
// size of its buffer.
func TestPayloadOf(t *testing.T) {
	for n := 0; n < 1200; n++ {
		payload := strings.Repeat("x", n)
		tok := "e30." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".sig"
		got, err := payloadOf(tok)
		if err != nil || got != payload {
			t.Fatalf("length %d: %q, %v", n, got, err)
		}
	}
	for _, tok := range []string{"", "abc", "a.b", "e30.!!!.sig", "e30.a.sig"} {
		if _, err := payloadOf(tok); err == nil {
			t.Errorf("payloadOf(%q) succeeded", tok)
		}
	}
}
