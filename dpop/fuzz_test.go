package dpop_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	jwt "github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
)

// FuzzNormalizeURI checks that normalization is idempotent, keeps the
// scheme http or https, never keeps a query or fragment, and fails only with
// ErrInvalidURI.
func FuzzNormalizeURI(f *testing.F) {
	for _, s := range []string{
		"https://api.example.com/a/b", "HTTP://A.B:80/%7e/../x?q#f", "https://[::1]:443", "https://h/%2F%2e%2E/./",
		"https://h:0443/a/..", "https://u@h/", "https://h/a%zz", "https://h/\u00e9", "http://h:65536/", "https://[v1.x]/",
		"https://h?x", "https://h#x/../..", "https:///", "https://h/a/../../../b/./c/.",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := dpop.NormalizeURI(s)
		if err != nil {
			if !errors.Is(err, dpop.ErrInvalidURI) {
				t.Fatalf("NormalizeURI(%q): error %v does not wrap ErrInvalidURI", s, err)
			}
			return
		}
		if !strings.HasPrefix(n, "http://") && !strings.HasPrefix(n, "https://") || strings.ContainsAny(n, "?# \x00") {
			t.Fatalf("NormalizeURI(%q) = %q", s, n)
		}
		again, err := dpop.NormalizeURI(n)
		if err != nil || again != n {
			t.Fatalf("NormalizeURI(%q) = %q, but normalizing that gives %q, %v", s, n, again, err)
		}
		for _, seg := range strings.Split(n[strings.Index(n, "://")+3:], "/")[1:] {
			if seg == "." || seg == ".." {
				t.Fatalf("NormalizeURI(%q) = %q keeps a dot segment", s, n)
			}
		}
	})
}

// FuzzVerify signs any header and claims with a P-256 key and checks that
// Verify either accepts a proof that meets every rule or refuses it with
// an error of this package.
func FuzzVerify(f *testing.F) {
	f.Add(`{"typ":"dpop+jwt","alg":"ES256","jwk":JWK}`, `{"jti":"a","htm":"GET","htu":"https://api.example.com/resource","iat":1800000000}`)
	f.Add(`{"typ":"application/dpop+jwt","alg":"ES256","jwk":JWK,"kid":"x"}`, `{"jti":"a","htm":"GET","htu":"HTTPS://api.example.com:443/./resource?x","iat":1800000030,"ath":"x"}`)
	f.Add(`{"typ":"dpop+jwt","alg":"ES256","jwk":{"kty":"EC","crv":"P-256","x":"","y":"","d":""}}`, `{}`)
	f.Add(`{"typ":"dpop+jwt","alg":"HS256","jwk":{"kty":"oct","k":"AAAA"}}`, `{"jti":"a"}`)
	f.Add(`{"typ":"dpop+jwt","alg":"ES256","crit":["b64"],"b64":false,"jwk":JWK}`, `{"jti":"a","htm":"GET","htu":"https://api.example.com/resource","iat":1800000000,"exp":1}`)
	k := key("P-256")
	signer, err := jwt.ES256.NewSigner(k)
	if err != nil {
		f.Fatal(err)
	}
	j, err := jwt.NewJWK(k.Public())
	if err != nil {
		f.Fatal(err)
	}
	jwkJSON, err := j.MarshalJSON()
	if err != nil {
		f.Fatal(err)
	}
	enc := base64.RawURLEncoding
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, header, claims string) {
		header = strings.ReplaceAll(header, "JWK", string(jwkJSON))
		input := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(claims))
		sig, err := signer.Sign(ctx, []byte(input))
		if err != nil {
			t.Fatal(err)
		}
		c := newClock()
		v, err := dpop.NewVerifier(&dpop.Options{Now: c.Now})
		if err != nil {
			t.Fatal(err)
		}
		p, err := v.Verify(ctx, input+"."+enc.EncodeToString(sig), request())
		if err != nil {
			if !errors.Is(err, dpop.ErrInvalidProof) {
				t.Fatalf("error %v does not wrap ErrInvalidProof", err)
			}
			return
		}
		if p.Claims.Method != "GET" || p.Claims.ID == "" || p.Key.IsPrivate() || p.Algorithm != "ES256" {
			t.Fatalf("accepted a proof that breaks a rule: %+v", p)
		}
		if u, err := dpop.NormalizeURI(p.Claims.URI); err != nil || u != testURI {
			t.Fatalf("accepted htu %q", p.Claims.URI)
		}
		if d := c.Now().Sub(p.Claims.IssuedAt.Time); d < -60e9 || d > 60e9 {
			t.Fatalf("accepted iat %v", p.Claims.IssuedAt)
		}
	})
}
