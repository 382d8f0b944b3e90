package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/clientauth"
	"github.com/jwtkit/jwt/jwks"
)

// maxClientsFile bounds the clients file read.
const maxClientsFile = 4 << 20

// clientsFile is the clients file of --clients:
//
//	{"clients":[{"client_id":"…","jwks":{"keys":[…]},"scopes":["…"]}]}
//
// with "jwks_uri" (a string) in place of "jwks" for a client that
// publishes its keys.
type clientsFile struct {
	Clients []struct {
		ClientID string          `json:"client_id"`
		JWKS     json.RawMessage `json:"jwks"`
		JWKSURI  string          `json:"jwks_uri"`
		Scopes   []string        `json:"scopes"`
	} `json:"clients"`
}

// loadClients reads the clients file at path ("" means no clients) and
// returns the clients, and the Remotes of those given by jwks_uri, which
// the caller closes.
func loadClients(path string) ([]clientauth.Client, []*jwks.Remote, error) {
	if path == "" {
		return nil, nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxClientsFile+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > maxClientsFile {
		return nil, nil, fmt.Errorf("over %d bytes", maxClientsFile)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var file clientsFile
	if err := dec.Decode(&file); err != nil {
		return nil, nil, err
	}
	if dec.More() {
		return nil, nil, errors.New("data after the JSON object")
	}
	var clients []clientauth.Client
	var remotes []*jwks.Remote
	fail := func(err error) ([]clientauth.Client, []*jwks.Remote, error) {
		for _, r := range remotes {
			r.Close()
		}
		return nil, nil, err
	}
	seen := make(map[string]bool)
	for i, c := range file.Clients {
		switch {
		case c.ClientID == "":
			return fail(fmt.Errorf("client %d: no client_id", i+1))
		case seen[c.ClientID]:
			return fail(fmt.Errorf("client %q listed twice", c.ClientID))
		case (len(c.JWKS) == 0) == (c.JWKSURI == ""):
			return fail(fmt.Errorf("client %q: give one of jwks and jwks_uri", c.ClientID))
		}
		seen[c.ClientID] = true
		for _, s := range c.Scopes {
			if !isScope(s) {
				return fail(fmt.Errorf("client %q: scope %q is not a scope token", c.ClientID, s))
			}
		}
		var keys jwt.KeySource
		if c.JWKSURI != "" {
			r, err := jwks.NewRemote(c.JWKSURI, nil)
			if err != nil {
				return fail(fmt.Errorf("client %q: jwks_uri: %w", c.ClientID, err))
			}
			remotes = append(remotes, r)
			keys = r
		} else {
			set, skipped, err := jwks.Parse(c.JWKS, nil)
			if err != nil {
				return fail(fmt.Errorf("client %q: jwks: %w", c.ClientID, err))
			}
			ks, unusable, err := set.KeySet()
			if err != nil {
				return fail(fmt.Errorf("client %q: jwks: %w", c.ClientID, err))
			}
			if n := len(skipped) + len(unusable); n > 0 {
				return fail(fmt.Errorf("client %q: jwks: %d keys cannot be used (each needs \"alg\"): %w", c.ClientID, n, errors.Join(append(skipped, unusable...)...)))
			}
			keys = ks
		}
		clients = append(clients, clientauth.Client{ID: c.ClientID, Keys: keys, Scopes: c.Scopes})
	}
	return clients, remotes, nil
}

// isScope reports whether s is a scope token of RFC 6749 §3.3.
func isScope(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return s != ""
}

// assertionAudiences are the values the "aud" of a client assertion may
// have: the issuer, and the token endpoint's URL, from --external-url
// when set, else from --issuer; never from a request's Host.
func assertionAudiences(cfg *config) []string {
	base := cfg.externalURL
	if base == "" {
		base = cfg.issuer
	}
	return []string{cfg.issuer, strings.TrimSuffix(base, "/") + "/token"}
}

// setClients loads the clients of --clients and makes the verifier of
// their assertions, whose "jti" rc remembers (the session store: an
// assertion is used once, on any instance).
func (s *service) setClients(rc clientauth.ReplayCache) error {
	clients, remotes, err := loadClients(s.cfg.clientsFile)
	if err != nil {
		return err
	}
	s.remotes = remotes
	s.clients, err = clientauth.NewVerifier(&clientauth.Options{
		Audience:    assertionAudiences(s.cfg),
		Clients:     clients,
		ReplayCache: rc,
		MaxLifetime: clientauth.MaxLifetime,
	})
	return err
}
