package oauth

import (
	"net/http"
	"strings"
)

// Scheme is an authentication scheme of the Authorization header.
type Scheme uint8

// The schemes. Bearer is also the scheme of tokens found elsewhere than in
// the Authorization header: a form body, the query, a cookie.
const (
	Bearer Scheme = iota // RFC 6750
	DPoP                 // RFC 9449 §7.1
	Other                // any other scheme
)

// String returns the scheme's name as a challenge writes it.
func (s Scheme) String() string {
	switch s {
	case Bearer:
		return "Bearer"
	case DPoP:
		return "DPoP"
	}
	return "Other"
}

// Challenge is a challenge of a WWW-Authenticate header: a Bearer one (RFC
// 6750 §3) or a DPoP one (RFC 9449 §7.1), such as
//
//	Bearer realm="api", error="invalid_token", error_description="the access token expired"
//	DPoP algs="ES256 EdDSA", error="invalid_dpop_proof", error_description="DPoP proof replayed"
//
// String writes the parameters in the order each RFC's examples show.
type Challenge struct {
	// Scheme is Bearer or DPoP.
	Scheme Scheme
	// Realm is the "realm", or "" for none.
	Realm string
	// Scope is the "scope": the scopes the resource needs, or "".
	Scope string
	// Error is the error code, or "" for a request that carried no
	// credentials.
	Error string
	// Description is the "error_description", written only with an
	// Error. It should be a fixed text, never text from the request.
	Description string
	// Algorithms is the "algs" of a DPoP challenge: the algorithms the
	// server accepts in proofs.
	Algorithms []string
	// ResourceMetadata is the "resource_metadata": the URL of the
	// protected resource metadata (RFC 9728 §5.1), or "".
	ResourceMetadata string
}

// String returns c as the value of a WWW-Authenticate header. Values are
// quoted strings whose characters are restricted as RFC 6749 §A.7 and RFC
// 6750 §3 restrict error_description: a character outside printable ASCII,
// '"' or '\' is written as '?', so that no value can break out of its
// quotes or inject a header.
func (c *Challenge) String() string {
	var b strings.Builder
	b.Grow(128)
	b.WriteString(c.Scheme.String())
	sep := " "
	param := func(name, value string) {
		b.WriteString(sep)
		sep = ", "
		b.WriteString(name)
		b.WriteString(`="`)
		for i := 0; i < len(value); i++ {
			if ch := value[i]; isQChar(ch) {
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
	if c.Scheme == DPoP && c.Scope != "" {
		param("scope", c.Scope) // RFC 9449 §7.1: before the error
	}
	if c.Error != "" {
		param("error", c.Error)
		if c.Description != "" {
			param("error_description", c.Description)
		}
	}
	if c.Scheme != DPoP && c.Scope != "" {
		param("scope", c.Scope) // RFC 6750 §3: after the error
	}
	if c.Scheme == DPoP && len(c.Algorithms) > 0 {
		param("algs", strings.Join(c.Algorithms, " "))
	}
	if c.ResourceMetadata != "" {
		param("resource_metadata", c.ResourceMetadata)
	}
	return b.String()
}

// Resource is what the challenges of a protected resource say whatever the
// refusal: its realm, the scope a client should ask for, its metadata URL,
// and the schemes it accepts.
type Resource struct {
	Realm            string
	Scope            string
	ResourceMetadata string
	// Bearer is set if the resource accepts bearer tokens.
	Bearer bool
	// Algorithms, if not nil, are the algorithms of the DPoP proofs the
	// resource accepts: it accepts DPoP tokens.
	Algorithms []string
}

// AddChallenges adds to h the challenges of a refusal by res: one field per
// scheme res accepts (RFC 9110 §11.6.1), Bearer first. Only the challenge
// of in, the scheme of the credentials refused, says what went wrong: the
// error code, its description, and scope, the scopes the request needs.
// The other says only what a request without credentials is told. With no
// code (a request without credentials), every challenge carries scope.
func (res *Resource) AddChallenges(h http.Header, in Scheme, code, description, scope string) {
	if in == Bearer && !res.Bearer {
		in = DPoP
	}
	if res.Bearer {
		h.Add("WWW-Authenticate", res.challenge(Bearer, in, code, description, scope))
	}
	if res.Algorithms != nil {
		h.Add("WWW-Authenticate", res.challenge(DPoP, in, code, description, scope))
	}
}

func (res *Resource) challenge(s, in Scheme, code, description, scope string) string {
	c := Challenge{Scheme: s, Realm: res.Realm, Scope: res.Scope, ResourceMetadata: res.ResourceMetadata}
	if s == DPoP {
		c.Algorithms = res.Algorithms
	}
	if s == in || code == "" {
		c.Scope, c.Error, c.Description = scope, code, description
	}
	return c.String()
}

// ChallengeParams returns the parameters of the first challenge of scheme
// (compared case-insensitively) in the WWW-Authenticate values, with their
// names in lower case, or nil if there is none. It reads the grammar of RFC
// 9110 §11.6.1 leniently, as a client does: a token68 or a malformed
// parameter ends the challenge it is in.
func ChallengeParams(values []string, scheme string) map[string]string {
	for _, v := range values {
		p := authParser{s: v}
		for !p.done() {
			name := p.token()
			if name == "" {
				if !p.skipTo(',') {
					break
				}
				continue
			}
			params := p.params()
			if strings.EqualFold(name, scheme) {
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
	for p.i < len(p.s) && IsTchar(p.s[p.i]) {
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
