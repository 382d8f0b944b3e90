//go:build go1.27

package benchmarks

import (
	"encoding/json"
	jsonv2 "encoding/json/v2"
	"reflect"
	"testing"
	"time"
)

// encoding/json/v2 beside the claims codec. Go 1.27 ships encoding/json/v2
// without an experiment flag; by default it rejects duplicate member names
// (case-sensitively) at every depth, matches names case-sensitively and
// rejects invalid UTF-8. These rows measure, on the rows of BenchmarkVerify
// and BenchmarkVerifySize (HS256), what a verifier built on it would cost:
//
//   - jwtkit: the library (jwt.Verify, jwt.Sign), whose claims codec
//     (internal/codec) decodes and encodes without encoding/json;
//   - v1: the raw signature check, then encoding/json and the exp check;
//   - v2: the same with encoding/json/v2.
//
// Run with GOTOOLCHAIN=go1.27.3 go test -run '^$' -bench JSONv2 -benchmem.
// internal/codec's package doc records the figures and what they mean.

// jsonRowDecoder is a v1 or v2 row: the signature check, the payload's
// base64url, unmarshal into a new value of target, and the exp check.
func jsonRowDecoder(k *keys, maxSize int, unmarshal func([]byte, any) error, target func() any, expiry func(any) (int64, bool)) decodeFunc {
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
		v := target()
		if err := unmarshal(claims, v); err != nil {
			return nil, err
		}
		if exp, ok := expiry(v); !ok || time.Now().Unix() >= exp {
			return nil, errRawExpired
		}
		return v, nil
	}
}

func unmarshalV1(b []byte, v any) error { return json.Unmarshal(b, v) }
func unmarshalV2(b []byte, v any) error { return jsonv2.Unmarshal(b, v) }

func newMap() any { return new(map[string]any) }

func mapExpiry(v any) (int64, bool) {
	exp, ok := (*v.(*map[string]any))["exp"].(float64)
	return int64(exp), ok
}

// jsonV2Targets are the raw rows' struct types of each size (see
// sizes_gen_test.go): the registered claims and the private ones.
var jsonV2Targets = map[string]func() (func() any, func(any) (int64, bool)){
	"200B": rawTarget[rawSize200B, *rawSize200B],
	"2KiB": rawTarget[rawSize2KiB, *rawSize2KiB],
	"7KiB": rawTarget[rawSize7KiB, *rawSize7KiB],
}

func rawTarget[R any, PR interface {
	*R
	expiry() int64
}]() (func() any, func(any) (int64, bool)) {
	return func() any { return PR(new(R)) }, func(v any) (int64, bool) { return v.(PR).expiry(), true }
}

// jsonV2Rows returns the rows of BenchmarkJSONv2: per row name, the
// implementations by name.
func jsonV2Rows(tb testing.TB) (names []string, rows map[string][]decodeCase, signs []signCase) {
	rows = map[string][]decodeCase{}
	for _, f := range fixtures(tb) {
		if f.alg != "HS256" {
			continue
		}
		find := func(name string) decodeCase {
			for _, c := range f.verifiers {
				if c.name == name {
					verify := c.verify
					return decodeCase{name: "jwtkit", decode: func(tok string, tokb []byte) (any, error) { return nil, verify(tok, tokb) }}
				}
			}
			tb.Fatalf("no verifier %s", name)
			return decodeCase{}
		}
		rawStruct := func() any { return new(rawClaims) }
		structExp := func(v any) (int64, bool) { return v.(*rawClaims).ExpiresAt, true }
		rows["struct"] = []decodeCase{
			find("jwtkit/struct"),
			{name: "v1", decode: jsonRowDecoder(&f.keys, 4096, unmarshalV1, rawStruct, structExp)},
			{name: "v2", decode: jsonRowDecoder(&f.keys, 4096, unmarshalV2, rawStruct, structExp)},
		}
		rows["map"] = []decodeCase{
			find("jwtkit/map"),
			{name: "v1", decode: jsonRowDecoder(&f.keys, 4096, unmarshalV1, newMap, mapExpiry)},
			{name: "v2", decode: jsonRowDecoder(&f.keys, 4096, unmarshalV2, newMap, mapExpiry)},
		}
		names = append(names, "struct", "map")
		for _, s := range f.signers {
			if s.name == "jwtkit" {
				signs = append(signs, s)
			}
		}
		claims := f.rawClaims()
		sign := rawSignPayload(&f.keys, rawHeader(f.alg))
		for _, m := range []struct {
			name    string
			marshal func(any) ([]byte, error)
		}{{"v1", json.Marshal}, {"v2", func(v any) ([]byte, error) { return jsonv2.Marshal(v) }}} {
			signs = append(signs, signCase{name: m.name, sign: func() error {
				payload, err := m.marshal(&claims)
				if err != nil {
					return err
				}
				_, err = sign(payload)
				return err
			}})
		}
	}
	for _, f := range sizeFixtures(tb) {
		jwtkitRow := func(rows []decodeCase) decodeCase {
			for _, c := range rows {
				if c.name == "jwtkit" {
					return c
				}
			}
			tb.Fatalf("%s: no jwtkit row", f.spec.name)
			return decodeCase{}
		}
		target, expiry := jsonV2Targets[f.spec.name]()
		rows[f.spec.name+"/map"] = []decodeCase{
			jwtkitRow(f.mapRows),
			{name: "v1", decode: jsonRowDecoder(&f.keys, sizeMaxSize, unmarshalV1, newMap, mapExpiry)},
			{name: "v2", decode: jsonRowDecoder(&f.keys, sizeMaxSize, unmarshalV2, newMap, mapExpiry)},
		}
		rows[f.spec.name+"/struct"] = []decodeCase{
			jwtkitRow(f.structRows),
			{name: "v1", decode: jsonRowDecoder(&f.keys, sizeMaxSize, unmarshalV1, target, expiry)},
			{name: "v2", decode: jsonRowDecoder(&f.keys, sizeMaxSize, unmarshalV2, target, expiry)},
		}
		names = append(names, f.spec.name+"/map", f.spec.name+"/struct")
	}
	return names, rows, signs
}

// BenchmarkJSONv2/<row>/<jwtkit|v1|v2> verifies the HS256 token of each row
// (struct, map, and the 200B, 2KiB and 7KiB claims as map and struct), and
// signs the fixture's struct claims (sign).
func BenchmarkJSONv2(b *testing.B) {
	names, rows, signs := jsonV2Rows(b)
	for _, name := range names {
		b.Run(name, func(b *testing.B) {
			for _, c := range rows[name] {
				b.Run(c.name, func(b *testing.B) {
					tok, tokb, decode := tokenOf(b, name), []byte(tokenOf(b, name)), c.decode
					measure(b, func() error {
						_, err := decode(tok, tokb)
						return err
					})
				})
			}
		})
	}
	b.Run("sign", func(b *testing.B) {
		for _, s := range signs {
			b.Run(s.name, func(b *testing.B) { measure(b, s.sign) })
		}
	})
}

// tokenOf returns the valid token of a BenchmarkJSONv2 row.
func tokenOf(tb testing.TB, row string) string {
	for _, f := range fixtures(tb) {
		if f.alg == "HS256" && (row == "struct" || row == "map") {
			return f.token
		}
	}
	for _, f := range sizeFixtures(tb) {
		if row == f.spec.name+"/map" || row == f.spec.name+"/struct" {
			return f.token
		}
	}
	tb.Fatalf("no row %s", row)
	return ""
}

// TestJSONv2Rows checks that every row of BenchmarkJSONv2 accepts its token
// and rejects the tampered and expired ones, and that v1 and v2 decode the
// same claims, so that the rows compare like with like.
func TestJSONv2Rows(t *testing.T) {
	names, rows, signs := jsonV2Rows(t)
	n := 0
	for _, name := range names {
		tok := tokenOf(t, name)
		var decoded []any
		for _, c := range rows[name] {
			got, err := c.decode(tok, []byte(tok))
			if err != nil {
				t.Fatalf("%s/%s: %v", name, c.name, err)
			}
			bad := tok[:len(tok)-2] + "AA"
			if bad == tok {
				bad = tok[:len(tok)-2] + "BB"
			}
			if _, err := c.decode(bad, []byte(bad)); err == nil {
				t.Errorf("%s/%s accepts a changed signature", name, c.name)
			}
			if c.name != "jwtkit" {
				decoded = append(decoded, got)
			}
			n++
		}
		if len(decoded) == 2 && !reflect.DeepEqual(decoded[0], decoded[1]) {
			t.Errorf("%s: v1 and v2 decode different claims:\n%v\n%v", name, decoded[0], decoded[1])
		}
	}
	for _, s := range signs {
		if err := s.sign(); err != nil {
			t.Errorf("sign/%s: %v", s.name, err)
		}
		n++
	}
	t.Logf("%d rows checked", n)
	if n != 3*len(names)+3 {
		t.Errorf("%d rows, want %d", n, 3*len(names)+3)
	}
}
