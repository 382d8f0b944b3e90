package main

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"github.com/jwtkit/jwt"
)

// A lint is advice on a token or key from RFC 8725 (JSON Web Token Best
// Current Practices) and its update: nothing that makes the token invalid.
type lint struct {
	Code string `json:"code"` // stable, for the page's data-code
	Text string `json:"text"`
}

// maxLifetime is the longest lifetime, from "iat" (or now) to "exp", that
// passes without a lint.
const maxLifetime = 24 * time.Hour

// minSecretBits is the least entropy, estimated, of a text secret that
// passes without a lint: half of HS256's 256 bits.
const minSecretBits = 128

// secretClaimName matches claim names that say they hold a secret.
var secretClaimName = regexp.MustCompile(`(?i)(passw|passwd|pwd|secret|private[_-]?key|api[_-]?key|access[_-]?key|credit[_-]?card|card[_-]?number|\bssn\b|^pin$|^cvv$)`)

// tokenLints returns the lints of u, a token read without verifying it,
// whose payload's members are members, named in order by names.
func tokenLints(u *jwt.Unverified, members map[string]string, names []string, now time.Time) []lint {
	ls := []lint{}
	add := func(code, format string, args ...any) {
		ls = append(ls, lint{Code: code, Text: fmt.Sprintf(format, args...)})
	}
	h := u.Header
	if strings.EqualFold(h.Algorithm, "none") {
		add("alg-none", `"alg" is "none": an unsecured token, which no verifier may accept (RFC 8725 §3.1, §3.2)`)
	}
	if h.Type == "" {
		add("no-typ", `no "typ" in the header: explicit typing (such as "at+jwt") keeps one kind of token from being taken for another (RFC 8725 §3.11)`)
	}
	header, _, _ := objectMembers(u.HeaderJSON)
	if _, ok := header["kid"]; ok {
		add("kid", `"kid" is chosen by whoever made the token: use it only to look a key up among trusted keys, never in a path, query or command (RFC 8725 §3.10)`)
	}
	for _, name := range []string{"jku", "x5u"} {
		if _, ok := header[name]; ok {
			add(name, `%q is a URL chosen by whoever made the token: never fetch it, or keys and requests are the attacker's (RFC 8725 §3.10)`, name)
		}
	}
	for _, name := range []string{"jwk", "x5c"} {
		if _, ok := header[name]; ok {
			add(name, `%q carries a key in the token itself: a token that brings its own key proves nothing unless that key is checked against a trusted one (RFC 8725 §3.10)`, name)
		}
	}
	if len(h.Critical) > 0 || header["crit"] != "" {
		add("crit", `"crit" names header parameters that every verifier must understand, or reject the token (RFC 7515 §4.1.11)`)
	}
	if members == nil {
		return ls // a payload that is not a JSON object has no claims
	}
	exp, hasExp := dateClaim(members, "exp")
	if !hasExp {
		add("no-exp", `no "exp": the token never expires, so a stolen copy works forever (RFC 7519 §4.1.4)`)
	} else {
		start, from := now, "now"
		if iat, ok := dateClaim(members, "iat"); ok {
			start, from = iat, `"iat"`
		}
		if life := exp.Sub(start); life > maxLifetime {
			add("long-lifetime", `the token lives %s from %s to "exp", longer than %s: short lifetimes bound what a stolen token can do`, span(life), from, span(maxLifetime))
		}
	}
	var secrets []string
	for _, name := range names {
		v := members[name]
		if secretClaimName.MatchString(name) || strings.Contains(v, "PRIVATE KEY") || looksLikePrivateJWK(v) {
			secrets = append(secrets, quote(name))
		}
	}
	if len(secrets) > 0 {
		add("secret-in-claims", `the claims %s look like secrets: a signed token is not encrypted, and anyone who holds it can read them (RFC 7519 §12)`, strings.Join(secrets, ", "))
	}
	return ls
}

// looksLikePrivateJWK reports whether v, a claim's JSON, is or holds a JWK
// with a private member "d".
func looksLikePrivateJWK(v string) bool {
	return strings.Contains(v, `"kty"`) && strings.Contains(v, `"d"`)
}

// keyLints returns the lints of the key pasted on the page: a secret too
// short, or text with too little entropy to be random (RFC 8725 §3.5).
func keyLints(kf *keyFile, alg string) []lint {
	keys := []*jwt.JWK{kf.jwk}
	if kf.set != nil {
		keys = kf.set.Keys
	}
	for _, k := range keys {
		secret, ok := k.Key.([]byte)
		if !ok {
			continue
		}
		if bits := textBits(secret); bits >= 0 && (bits < minSecretBits || strings.ContainsRune(string(secret), ' ')) {
			return []lint{{Code: "weak-secret", Text: fmt.Sprintf("the HMAC secret is text with about %d bits of entropy, like a password, not random bytes: "+
				"an attacker who holds one token can guess it offline; use a random key of at least the hash's size, such as jwt keygen makes (RFC 8725 §3.5)", bits)}}
		}
		if a, err := jwt.AlgorithmByName(firstNonEmpty(alg, k.Algorithm)); err == nil {
			if n := hashBytes(a.Name()); n > 0 && len(secret) < n {
				return []lint{{Code: "weak-secret", Text: fmt.Sprintf("the HMAC secret has %d bytes, fewer than the %d of %s's hash (RFC 8725 §3.5)", len(secret), n, a.Name())}}
			}
		}
	}
	return nil
}

// textBits estimates the entropy in bits of secret if it is printable
// text, from the frequency of its characters; it returns -1 for a secret
// that is not text, such as random bytes.
func textBits(secret []byte) int {
	if len(secret) == 0 || !isText(secret) {
		return -1
	}
	var counts [256]int
	for _, c := range secret {
		counts[c]++
	}
	h := 0.0
	for _, n := range counts {
		if n > 0 {
			p := float64(n) / float64(len(secret))
			h -= p * math.Log2(p)
		}
	}
	return int(h * float64(len(secret)))
}

// hashBytes returns the size of the hash of the HMAC algorithm alg, or 0.
func hashBytes(alg string) int {
	switch alg {
	case "HS256":
		return 32
	case "HS384":
		return 48
	case "HS512":
		return 64
	}
	return 0
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
