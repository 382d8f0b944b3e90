package dpop

import (
	"net/http"
	"strings"

	"github.com/jwtkit/jwt/internal/strictjson"
)

// Challenge is a DPoP challenge of a WWW-Authenticate header (RFC 9449
// §7.1), as a resource server sends with a 401 response:
//
//	DPoP algs="ES256 EdDSA", error="invalid_dpop_proof", error_description="DPoP proof replayed"
//
// A server that accepts both DPoP and Bearer tokens sends this challenge
// and the Bearer one as two WWW-Authenticate header fields.
type Challenge struct {
	// Realm is the "realm", or "" for none.
	Realm string
	// Scope is the "scope" the resource needs, for insufficient_scope, or
	// "" for none.
	Scope string
	// Error is the error code, such as CodeInvalidToken, CodeInvalidProof
	// or CodeUseNonce, or "" for a request that carried no credentials.
	Error string
	// Description is the "error_description", or "". It should be a fixed
	// text (see Description), never text from the request.
	Description string
	// Algorithms is the "algs": the names of the algorithms the server
	// accepts in proofs, such as Verifier.Algorithms returns.
	Algorithms []string
	// ResourceMetadata is the "resource_metadata": the URL of the
	// protected resource metadata (RFC 9728 §5.1), or "" for none.
	ResourceMetadata string
}

// ChallengeFor returns the Challenge for err, an error of Verifier.Verify
// or VerifyRequest, with algs, its error code (see ErrorCode) and fixed
// description (see Description). An error of no DPoP check, such as a
// missing Authorization header, gets a challenge with algs alone.
func ChallengeFor(err error, algs []string) Challenge {
	return Challenge{Error: ErrorCode(err), Description: Description(err), Algorithms: algs}
}

// String returns c as the value of a WWW-Authenticate header. Parameter
// values are quoted strings whose characters are restricted as RFC 6749
// §A.7 and RFC 6750 §3 restrict error_description: a character outside
// printable ASCII, '"' or '\' is written as '?', so no value can break out
// of its quotes or inject a header.
func (c Challenge) String() string {
	var b strings.Builder
	b.WriteString("DPoP")
	n := 0
	param := func(name, value string) {
		if n == 0 {
			b.WriteByte(' ')
		} else {
			b.WriteString(", ")
		}
		n++
		b.WriteString(name)
		b.WriteString(`="`)
		for i := 0; i < len(value); i++ {
			if ch := value[i]; ch == ' ' || isNQChar(ch) {
				b.WriteByte(ch)
			} else {
				b.WriteByte('?')
			}
		}
		b.WriteByte('"')
	}
	if c.Realm != "" {
		param("realm", c.Realm)
	}
	if c.Scope != "" {
		param("scope", c.Scope)
	}
	if c.Error != "" {
		param("error", c.Error)
	}
	if c.Description != "" {
		param("error_description", c.Description)
	}
	if len(c.Algorithms) > 0 {
		param("algs", strings.Join(c.Algorithms, " "))
	}
	if c.ResourceMetadata != "" {
		param("resource_metadata", c.ResourceMetadata)
	}
	return b.String()
}

// WriteTokenError writes the error response of a token endpoint (RFC 6749
// §5.2) with code and description, such as CodeUseNonce with a fresh nonce
// (RFC 9449 §8) or CodeInvalidProof: status 400, a JSON body, no caching,
// and the DPoP-Nonce header if nonce is not empty. Characters that RFC 6749
// does not allow in code and description are written as '?'.
func WriteTokenError(w http.ResponseWriter, code, description, nonce string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	if nonce != "" {
		SetNonce(h, nonce)
	}
	b := []byte(`{"error":`)
	b = strictjson.AppendString(b, printable(code))
	if description != "" {
		b = append(b, `,"error_description":`...)
		b = strictjson.AppendString(b, printable(description))
	}
	b = append(b, "}\n"...)
	w.WriteHeader(http.StatusBadRequest)
	w.Write(b)
}

// printable returns s with every character that is not printable ASCII
// other than '"' and '\' replaced by '?'.
func printable(s string) string {
	for i := 0; i < len(s); i++ {
		if ch := s[i]; ch != ' ' && !isNQChar(ch) {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] != ' ' && !isNQChar(b[j]) {
					b[j] = '?'
				}
			}
			return string(b)
		}
	}
	return s
}

// challengeParams returns the parameters of the first DPoP challenge of
// the WWW-Authenticate values, or nil if there is none. It reads the
// grammar of RFC 9110 §11.6.1 leniently, as a client does: a token68 or a
// malformed parameter ends the challenge it is in.
func challengeParams(values []string) map[string]string {
	for _, v := range values {
		p := authParser{s: v}
		for !p.done() {
			scheme := p.token()
			if scheme == "" {
				if !p.skipTo(',') {
					break
				}
				continue
			}
			params := p.params()
			if strings.EqualFold(scheme, "DPoP") {
				return params
			}
		}
	}
	return nil
}

type authParser struct {
	s string
	i int
}

func (p *authParser) done() bool {
	p.space()
	for p.i < len(p.s) && p.s[p.i] == ',' {
		p.i++
		p.space()
	}
	return p.i >= len(p.s)
}

func (p *authParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *authParser) token() string {
	p.space()
	start := p.i
	for p.i < len(p.s) && isToken(p.s[p.i:p.i+1]) {
		p.i++
	}
	return p.s[start:p.i]
}

func (p *authParser) skipTo(c byte) bool {
	if j := strings.IndexByte(p.s[p.i:], c); j >= 0 {
		p.i += j + 1
		return true
	}
	p.i = len(p.s)
	return false
}

// params reads the auth-params after a scheme, up to the next challenge.
func (p *authParser) params() map[string]string {
	m := map[string]string{}
	for {
		p.space()
		save := p.i
		name := p.token()
		p.space()
		if name == "" || p.i >= len(p.s) || p.s[p.i] != '=' {
			// The next challenge's scheme, or the end.
			p.i = save
			return m
		}
		p.i++
		p.space()
		var value string
		if p.i < len(p.s) && p.s[p.i] == '"' {
			var b strings.Builder
			p.i++
			for p.i < len(p.s) && p.s[p.i] != '"' {
				if p.s[p.i] == '\\' && p.i+1 < len(p.s) {
					p.i++
				}
				b.WriteByte(p.s[p.i])
				p.i++
			}
			p.i++ // the closing quote, if any
			value = b.String()
		} else {
			value = p.token()
		}
		m[strings.ToLower(name)] = value
		p.space()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		return m
	}
}
