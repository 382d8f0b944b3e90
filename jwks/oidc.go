package jwks

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/jwtkit/jwt"
)

// NewOIDC returns a Remote for the JWK Set of an OpenID Connect provider,
// found through OpenID Connect Discovery 1.0: the document at issuer +
// "/.well-known/openid-configuration" names it in "jwks_uri", and its
// "issuer" must equal issuer exactly. The jwks_uri, which the provider
// chooses, must be https to a host other than this machine's (not a
// loopback or unspecified address, nor localhost), unless it is on the
// issuer's own origin: the exception for plain http to a loopback address
// is the application's, for the issuer it configures. Like NewRemote, NewOIDC does no I/O:
// the first fetch reads the discovery document, and the Remote keeps the
// jwks_uri it found for its lifetime. A discovery document that cannot be
// fetched is an error wrapping ErrFetch, one that cannot be used an error
// wrapping ErrDiscovery, reported by Prefetch and, wrapped in
// jwt.ErrUnavailable, by Lookup.
//
// The Remote carries issuer (see [Remote.Issuer]), so that jwt.Verify
// requires the token's "iss" to be issuer: pass the Remote to jwt.Verify
// with the audience and the other checks the tokens need. opts.Issuer, if
// set, must equal issuer; otherwise it is an error wrapping
// jwt.ErrInvalidOption.
func NewOIDC(issuer string, opts *Options) (*Remote, error) {
	u, err := checkURL(issuer)
	if err != nil {
		return nil, wrap(jwt.ErrInvalidOption, err, "issuer")
	}
	if u.RawQuery != "" || u.ForceQuery {
		return nil, wrap(jwt.ErrInvalidOption, nil, "issuer %s has a query", quote(issuer))
	}
	if opts != nil && opts.Issuer != "" && opts.Issuer != issuer {
		return nil, wrap(jwt.ErrInvalidOption, nil, "Options.Issuer %s disagrees with the issuer %s", quote(opts.Issuer), quote(issuer))
	}
	s, err := newRemote(u, opts)
	if err != nil {
		return nil, err
	}
	s.issuer = issuer
	s.discoveryURL = strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	return s, nil
}

// discover reads the discovery document and returns its jwks_uri.
func (s *Remote) discover() (string, error) {
	ev := FetchEvent{URL: redactURL(s.discoveryURL)}
	start := s.cfg.now()
	u, err := s.readDiscovery(&ev)
	if s.cfg.onFetch != nil {
		ev.Duration = s.cfg.now().Sub(start)
		ev.Err = err
		s.cfg.onFetch(ev)
	}
	return u, err
}

// readDiscovery is discover; it sets ev.Status.
func (s *Remote) readDiscovery(ev *FetchEvent) (string, error) {
	resp, err := s.get(s.ctx, s.discoveryURL, "", "discovery document", ev)
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
	if _, err := checkChosenURL(jwksURI, s.configured); err != nil {
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
