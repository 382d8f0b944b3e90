package jwt

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Claims type shapes Verify must handle without panicking (issue: T
// embedding *RegisteredClaims panicked when encoding/json left it nil).
type (
	shapeEmbedPtr struct {
		*RegisteredClaims
		Scope string `json:"scope"`
	}
	shapeEmbedValue struct {
		RegisteredClaims
		Scope string `json:"scope"`
	}
	shapeNamed struct {
		RC    RegisteredClaims `json:"rc"`
		Scope string           `json:"scope"`
	}
	ShapeInner struct {
		*RegisteredClaims
	}
	shapeDeep struct {
		*ShapeInner
		Scope string `json:"scope"`
	}
	shapeInner struct {
		*RegisteredClaims
	}
	shapeUnreachable struct {
		*shapeInner
		Scope string `json:"scope"`
	}
	shapeUnmarshaler struct {
		RegisteredClaims
		raw string
	}
	rcAlias = RegisteredClaims
)

func (s *shapeUnmarshaler) UnmarshalJSON(b []byte) error {
	s.raw = string(b)
	return nil
}

// verifyShapes verifies tok into every shape and returns, per shape, the
// registered claims it got (nil where the shape has none) or the error.
func verifyShapes(tok string, v KeySource, o *VerifyOptions) map[string]any {
	out := map[string]any{}
	rec := func(name string, rc *RegisteredClaims, err error) {
		if err != nil {
			out[name] = err
			return
		}
		out[name] = rc
	}
	{
		t, err := Verify[shapeEmbedPtr](bg, tok, v, o)
		if err == nil {
			rec("embedded pointer", t.Claims.RegisteredClaims, nil)
		} else {
			rec("embedded pointer", nil, err)
		}
	}
	{
		t, err := Verify[shapeEmbedValue](bg, tok, v, o)
		if err == nil {
			rec("embedded value", &t.Claims.RegisteredClaims, nil)
		} else {
			rec("embedded value", nil, err)
		}
	}
	{
		t, err := Verify[shapeDeep](bg, tok, v, o)
		if err == nil {
			rec("deep embedded pointer", t.Claims.RegisteredClaims, nil)
		} else {
			rec("deep embedded pointer", nil, err)
		}
	}
	{
		t, err := Verify[*shapeEmbedValue](bg, tok, v, o)
		if err == nil {
			rec("pointer T", &t.Claims.RegisteredClaims, nil)
		} else {
			rec("pointer T", nil, err)
		}
	}
	{
		t, err := Verify[*RegisteredClaims](bg, tok, v, o)
		if err == nil {
			rec("*RegisteredClaims", t.Claims, nil)
		} else {
			rec("*RegisteredClaims", nil, err)
		}
	}
	{
		t, err := Verify[shapeUnmarshaler](bg, tok, v, o)
		if err == nil {
			rec("json.Unmarshaler", &t.Claims.RegisteredClaims, nil)
		} else {
			rec("json.Unmarshaler", nil, err)
		}
	}
	for name, f := range map[string]func() error{
		"named field":  func() error { _, err := Verify[shapeNamed](bg, tok, v, o); return err },
		"unreachable":  func() error { _, err := Verify[shapeUnreachable](bg, tok, v, o); return err },
		"string":       func() error { _, err := Verify[string](bg, tok, v, o); return err },
		"slice":        func() error { _, err := Verify[[]any](bg, tok, v, o); return err },
		"int":          func() error { _, err := Verify[int](bg, tok, v, o); return err },
		"any":          func() error { _, err := Verify[any](bg, tok, v, o); return err },
		"raw message":  func() error { _, err := Verify[json.RawMessage](bg, tok, v, o); return err },
		"alias":        func() error { _, err := Verify[rcAlias](bg, tok, v, o); return err },
		"map of ints":  func() error { _, err := Verify[map[string]int](bg, tok, v, o); return err },
		"func field":   func() error { _, err := Verify[struct{ F func() }](bg, tok, v, o); return err },
		"chan":         func() error { _, err := Verify[chan int](bg, tok, v, o); return err },
		"array of one": func() error { _, err := Verify[[1]int](bg, tok, v, o); return err },
	} {
		if err := f(); err != nil {
			out[name] = err
		} else {
			out[name] = (*RegisteredClaims)(nil)
		}
	}
	return out
}

func TestClaimsTypeShapes(t *testing.T) {
	s, v := hs256(t)
	o := &VerifyOptions{Now: fixedClock, AllowMissingExpiration: true, IgnoreAudience: true}
	for _, payload := range []string{
		`{"scope":"read"}`,
		`{"scope":"read","sub":"alice","aud":"api","exp":4102444800}`,
		`{"sub":"alice","aud":["a","b"],"iat":1}`,
	} {
		tok, err := Sign(bg, s, []byte(payload), nil)
		require.NoError(t, err)
		want, err := Verify[RegisteredClaims](bg, tok, v, o)
		require.NoError(t, err)
		for name, got := range verifyShapes(tok, v, o) {
			switch g := got.(type) {
			case error:
				if name == "unreachable" {
					// encoding/json refuses it when it must fill the embedded
					// struct; otherwise Verify does.
					assert.True(t, errors.Is(g, ErrInvalidOption) || errors.Is(g, ErrMalformed), "%v", g)
					continue
				}
				assert.ErrorIs(t, g, ErrMalformed, "%s %s", name, payload)
				assert.Contains(t, []string{"string", "slice", "int", "map of ints", "chan", "array of one", "func field"}, name, "%s should decode %s: %v", name, payload, g)
			case *RegisteredClaims:
				if g != nil {
					assert.Equal(t, want.Claims, *g, "%s %s", name, payload)
				}
			}
		}
	}
}

// FuzzClaimsShapes verifies fuzzed payloads into every claims shape: never a
// panic, every error a sentinel, and the registered claims of every shape
// that has them equal to those of RegisteredClaims.
func FuzzClaimsShapes(f *testing.F) {
	for _, p := range []string{`{"scope":"read"}`, `{"sub":"a","exp":1}`, `{"aud":["x"],"RegisteredClaims":{"sub":"b"}}`, `{"rc":{"sub":1}}`, `{"scope":null}`} {
		f.Add([]byte(p))
	}
	s, err := HS256.NewSigner(fuzzKey)
	if err != nil {
		f.Fatal(err)
	}
	v, err := HS256.NewVerifier(fuzzKey)
	if err != nil {
		f.Fatal(err)
	}
	o := &VerifyOptions{Now: fixedClock, AllowMissingExpiration: true, IgnoreAudience: true}
	f.Fuzz(func(t *testing.T, payload []byte) {
		tok, err := SignJWS(bg, s, payload, nil)
		if err != nil {
			return
		}
		want, werr := Verify[RegisteredClaims](bg, tok, v, o)
		for name, got := range verifyShapes(tok, v, o) {
			switch g := got.(type) {
			case error:
				ok := false
				for _, s := range sentinels {
					ok = ok || errors.Is(g, s)
				}
				if !ok {
					t.Fatalf("%s: %q: error %v wraps no sentinel", name, payload, g)
				}
			case *RegisteredClaims:
				if werr != nil {
					t.Fatalf("%s accepted %q, which RegisteredClaims rejects: %v", name, payload, werr)
				}
				if g != nil && fmt.Sprint(*g) != fmt.Sprint(want.Claims) {
					t.Fatalf("%s: %q: registered %v, want %v", name, payload, *g, want.Claims)
				}
			}
		}
	})
}
