package jwks

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/jwtkit/jwt"
)

// NewOIDC returns a Set for the JWK Set of an OpenID Connect provider, found
// through OpenID Connect Discovery 1.0: the document at issuer +
// "/.well-known/openid-configuration" names it in "jwks_uri", and its
// "issuer" must equal issuer exactly. Like New, NewOIDC does no I/O: the
// first fetch reads the discovery document, and the Set keeps the jwks_uri
// it found for its lifetime. A discovery document that cannot be fetched is
// an error wrapping ErrFetch, one that cannot be used an error wrapping
// ErrDiscovery, reported by Prefetch and, wrapped in ErrUnavailable, by
// Lookup.
//
// The returned VerifyOptions require the token's "iss" to be issuer; add
// the audience and the other checks the tokens need, and pass them to
// jwt.Verify with the Set.
func NewOIDC(issuer string, opts *Options) (*Set, *jwt.VerifyOptions, error) {
	u, err := checkURL(issuer)
	if err != nil {
		return nil, nil, wrap(jwt.ErrInvalidOption, err, "issuer")
	}
	if u.RawQuery != "" || u.ForceQuery {
		return nil, nil, wrap(jwt.ErrInvalidOption, nil, "issuer %s has a query", quote(issuer))
	}
	s, err := newSet(opts)
	if err != nil {
		return nil, nil, err
	}
	s.issuer = issuer
	s.discoveryURL = strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	return s, &jwt.VerifyOptions{Issuer: issuer}, nil
}

// discover reads the discovery document and returns its jwks_uri.
func (s *Set) discover() (string, error) {
	resp, err := s.get(s.ctx, s.discoveryURL, "", "discovery document")
	if err != nil {
		return "", err
	}
	iss, jwksURI, err := parseDiscovery(resp.body)
	if err != nil {
		return "", wrap(ErrDiscovery, err, "%s", redact(s.discoveryURL))
	}
	if iss != s.issuer {
		return "", wrap(ErrDiscovery, nil, "%s: issuer %s, want %s", redact(s.discoveryURL), quote(iss), quote(s.issuer))
	}
	if jwksURI == "" {
		return "", wrap(ErrDiscovery, nil, `%s: no "jwks_uri"`, redact(s.discoveryURL))
	}
	if _, err := checkURL(jwksURI); err != nil {
		return "", wrap(ErrDiscovery, err, "%s: jwks_uri", redact(s.discoveryURL))
	}
	return jwksURI, nil
}

// parseDiscovery reads "issuer" and "jwks_uri" from a discovery document: a
// JSON object with unique member names, whose "issuer" and "jwks_uri", if
// present, are strings. Member names are matched exactly.
func parseDiscovery(data []byte) (issuer, jwksURI string, err error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return "", "", errors.New("not a JSON object")
	}
	seen := make(map[string]bool)
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return "", "", err
		}
		name := t.(string) // object keys are strings
		if seen[name] {
			return "", "", errors.New("duplicate member " + quote(name))
		}
		seen[name] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return "", "", err
		}
		var dst *string
		switch name {
		case "issuer":
			dst = &issuer
		case "jwks_uri":
			dst = &jwksURI
		default:
			continue
		}
		if len(v) == 0 || v[0] != '"' || json.Unmarshal(v, dst) != nil {
			return "", "", errors.New("member " + quote(name) + " is not a string")
		}
	}
	if _, err := dec.Token(); err != nil {
		return "", "", err
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", "", errors.New("data after the JSON object")
	}
	if !seen["issuer"] {
		return "", "", errors.New(`no "issuer"`)
	}
	return issuer, jwksURI, nil
}
