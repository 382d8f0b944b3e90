package jwthttp

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jwtkit/jwt"
)

// FuzzMembers checks members against encoding/json: for every JSON object
// of valid UTF-8 with unique member names, it finds exactly the members, with the same
// names and values, that decoding into a map finds.
func FuzzMembers(f *testing.F) {
	for _, s := range []string{
		`{}`, ` { } `, `{"scope":"a b"}`,
		`{"a":{"scope":"x"},"scope":"y"}`,
		`{"a":["scope",{"scope":1}],"b":"}\"{","scp":["x"]}`,
		`{"sc\u006fpe":"escaped name","s\"":1}`,
		"{\n\t\"scope\" :\r\n \"a\" , \"n\":-1.5e+3,\"t\":true,\"f\":false,\"z\":null}",
		`{"\u00e9":"é","Scope":"upper","SCP":[]}`,
		`{"a":[[[]],{}],"b":"\\","c":"\\\""}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var want map[string]json.RawMessage
		// jwt.Verify refuses invalid UTF-8, which encoding/json replaces.
		if !utf8.Valid(data) || !json.Valid(data) || json.Unmarshal(data, &want) != nil || want == nil {
			return
		}
		got := map[string]json.RawMessage{}
		n := 0
		err := members(data, func(name, raw []byte) error {
			got[string(name)] = bytes.Clone(raw)
			n++
			return nil
		})
		if err != nil {
			t.Fatalf("members(%q): %v", data, err)
		}
		if n != len(got) || len(got) != len(want) {
			return // duplicate names, which jwt.Verify refuses, or a mismatch below
		}
		for name, w := range want {
			g, ok := got[name]
			if !ok {
				t.Fatalf("members(%q) misses %q", data, name)
			}
			var cg, cw bytes.Buffer
			if json.Compact(&cg, g) != nil || json.Compact(&cw, w) != nil || cg.String() != cw.String() {
				t.Fatalf("members(%q)[%q] = %q, want %q", data, name, g, w)
			}
		}
	})
}

func TestMembersRefusesInvalid(t *testing.T) {
	for _, s := range []string{``, `[]`, `"a"`, `{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":1 "b":2}`, `{"a":"x`, `{"a":[1}`, `{a:1}`} {
		if err := members([]byte(s), func(_, _ []byte) error { return nil }); err == nil {
			t.Errorf("members(%q) = nil error", s)
		}
	}
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

func TestB64Char(t *testing.T) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/"
	for c := 0; c < 256; c++ {
		if got, want := isB64Char(byte(c)), strings.IndexByte(alphabet, byte(c)) >= 0; got != want {
			t.Errorf("isB64Char(%q) = %v", byte(c), got)
		}
	}
}
