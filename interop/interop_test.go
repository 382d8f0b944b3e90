package interop

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwt "github.com/jwtkit/jwt"
)

// claims is the claims set every token of the matrix carries, in the form
// the test compares: what one side signs must be what the other side reads
// back, through that side's own API.
type claims struct {
	Issuer    string   `json:"iss"`
	Subject   string   `json:"sub"`
	Audience  audience `json:"aud"`
	ExpiresAt int64    `json:"exp"`
	NotBefore int64    `json:"nbf"`
	IssuedAt  int64    `json:"iat"`
	ID        string   `json:"jti"`
	custom
}

// custom holds the private claims: a string with non-ASCII and
// HTML-special characters, a bool, an array, a number and an object.
type custom struct {
	Name  string   `json:"name"`
	Admin bool     `json:"admin"`
	Roles []string `json:"roles"`
	Level int      `json:"level"`
	Org   org      `json:"org"`
}

type org struct {
	ID   int    `json:"id"`
	Unit string `json:"unit"`
}

// audience reads "aud" as RFC 7519 §4.1.3 allows, a string or an array of
// strings, independently of every library under test.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*a = audience{s}
		return nil
	}
	var ss []string
	if err := json.Unmarshal(b, &ss); err != nil {
		return fmt.Errorf("aud is neither a string nor an array of strings: %s", b)
	}
	*a = ss
	return nil
}

// claimsFor returns the claims of the token for the i-th algorithm. Every
// other algorithm uses a single audience, the rest two, so that both forms
// of "aud" cross every peer.
func claimsFor(alg string, i int, now time.Time) claims {
	aud := audience{"https://api.example.com"}
	if i%2 == 1 {
		aud = append(aud, "https://other.example.com")
	}
	return claims{
		Issuer:    "https://issuer.example.com",
		Subject:   "user-" + strings.ToLower(alg),
		Audience:  aud,
		ExpiresAt: now.Add(time.Hour).Unix(),
		NotBefore: now.Add(-time.Minute).Unix(),
		IssuedAt:  now.Add(-10 * time.Second).Unix(),
		ID:        "jti-" + alg,
		custom: custom{
			Name:  "Zoë 名前 <a&b>",
			Admin: true,
			Roles: []string{"reader", "writer"},
			Level: 42,
			Org:   org{ID: 7, Unit: "R&D"},
		},
	}
}

// A peer is another JWT implementation. sign makes a token of c with k's
// private key; verify checks a token with k's public key, requiring the
// issuer and the first audience of want, and returns the claims it read.
type peer struct {
	name string
	// lacks maps an algorithm the peer does not implement to the reason.
	lacks map[string]string
	// skip, if not nil and it returns non-empty, is why the peer cannot
	// run here; all of the peer's subtests are then skipped.
	skip   func() string
	sign   func(t *testing.T, k *keyPair, c claims) (string, error)
	verify func(t *testing.T, k *keyPair, token string, want claims) (claims, error)
}

const (
	peerToJWTKit = "peer-to-jwtkit" // the peer signs, jwtkit verifies
	jwtkitToPeer = "jwtkit-to-peer" // jwtkit signs, the peer verifies
)

func TestInterop(t *testing.T) {
	keys := testKeys(t)
	var algs []string
	for _, a := range jwt.Algorithms() {
		if _, ok := a.(jwt.MLDSAAlgorithm); ok {
			continue // TestMLDSAInterop, with a peer that has ML-DSA
		}
		algs = append(algs, a.Name())
	}
	require.Len(t, algs, 14, "jwtkit algorithms")
	peers := []peer{golangJWTPeer(), goJosePeer(), jwxPeer(), nodeJosePeer(t)}
	m := newMatrix(algs, peers)
	now := time.Now().Truncate(time.Second)

	for _, p := range peers {
		t.Run(p.name, func(t *testing.T) {
			if p.skip != nil {
				if why := p.skip(); why != "" {
					m.skipPeer(p.name)
					t.Skipf("skipped: %s", why)
				}
			}
			for i, alg := range algs {
				t.Run(alg, func(t *testing.T) {
					k := keys[alg]
					want := claimsFor(alg, i, now)
					t.Run(peerToJWTKit, func(t *testing.T) {
						defer m.record(t, p, alg, peerToJWTKit)
						skipUnless(t, p, alg)
						token, err := p.sign(t, k, want)
						require.NoError(t, err, "%s signing", p.name)
						got, hdr, err := jwtkitVerify(k, token, want)
						require.NoError(t, err, "jwtkit verifying a %s token %s", p.name, token)
						assert.Equal(t, want, got, "claims")
						assert.Equal(t, alg, hdr.Algorithm, "alg")
						assert.Equal(t, k.kid, hdr.KeyID, "kid")
						for name, bad := range tampered(t, token) {
							_, _, err := jwtkitVerify(k, bad, want)
							assert.ErrorIs(t, err, jwt.ErrInvalidSignature, "jwtkit must reject a %s token with a tampered %s as ErrInvalidSignature", p.name, name)
						}
					})
					t.Run(jwtkitToPeer, func(t *testing.T) {
						defer m.record(t, p, alg, jwtkitToPeer)
						skipUnless(t, p, alg)
						token, err := jwtkitSign(k, want)
						require.NoError(t, err, "jwtkit signing")
						got, err := p.verify(t, k, token, want)
						require.NoError(t, err, "%s verifying a jwtkit token %s", p.name, token)
						assert.Equal(t, want, got, "claims")
						for name, bad := range tampered(t, token) {
							_, err := p.verify(t, k, bad, want)
							assert.Error(t, err, "%s accepted a jwtkit token with a tampered %s", p.name, name)
						}
					})
				})
			}
		})
	}
	t.Log("interop matrix (ok: signed by one side, verified with equal claims by the other, tampered tokens rejected;\n" +
		"n/a: the peer lacks the algorithm; skip: the peer cannot run here):\n" + m.String())
}

// TestPeerLacks checks each "n/a" of the matrix: a peer said to lack an
// algorithm fails to sign with it and fails to verify jwtkit's token, so a
// peer that gains the algorithm is noticed and moved into the matrix.
func TestPeerLacks(t *testing.T) {
	keys := testKeys(t)
	now := time.Now().Truncate(time.Second)
	for _, p := range []peer{golangJWTPeer(), goJosePeer(), jwxPeer(), nodeJosePeer(t)} {
		for alg, why := range p.lacks {
			t.Run(p.name+"/"+alg, func(t *testing.T) {
				if p.skip != nil {
					if why := p.skip(); why != "" {
						t.Skipf("skipped: %s", why)
					}
				}
				k := keys[alg]
				require.NotNil(t, k, "a key for %s", alg)
				want := claimsFor(alg, 0, now)
				_, err := p.sign(t, k, want)
				assert.Error(t, err, "%s signs %s, though it lacks it (%s)", p.name, alg, why)
				token, err := jwtkitSign(k, want)
				require.NoError(t, err)
				_, err = p.verify(t, k, token, want)
				assert.Error(t, err, "%s verifies %s, though it lacks it (%s)", p.name, alg, why)
			})
		}
	}
}

func skipUnless(t *testing.T, p peer, alg string) {
	t.Helper()
	if why, ok := p.lacks[alg]; ok {
		t.Skipf("n/a: %s does not implement %s: %s", p.name, alg, why)
	}
}

// jwtkit, the library under test.

type jwtkitClaims struct {
	jwt.RegisteredClaims
	custom
}

func jwtkitSign(k *keyPair, c claims) (string, error) {
	alg, err := jwt.AlgorithmByName(k.alg)
	if err != nil {
		return "", err
	}
	s, err := alg.NewSigner(k.private)
	if err != nil {
		return "", err
	}
	return jwt.Sign(context.Background(), jwt.SignerWithKeyID(s, k.kid), jwtkitClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    c.Issuer,
			Subject:   c.Subject,
			Audience:  jwt.Audience(c.Audience),
			ExpiresAt: jwt.NewNumericDate(time.Unix(c.ExpiresAt, 0)),
			NotBefore: jwt.NewNumericDate(time.Unix(c.NotBefore, 0)),
			IssuedAt:  jwt.NewNumericDate(time.Unix(c.IssuedAt, 0)),
			ID:        c.ID,
		},
		custom: c.custom,
	}, nil)
}

// jwtkitVerify verifies with the secure defaults plus what a real
// recipient sets: its own audience, the issuer it trusts, "typ" JWT, no
// "iat" in the future, and the key's ID.
func jwtkitVerify(k *keyPair, token string, want claims) (claims, jwt.Header, error) {
	alg, err := jwt.AlgorithmByName(k.alg)
	if err != nil {
		return claims{}, jwt.Header{}, err
	}
	v, err := alg.NewVerifier(k.public)
	if err != nil {
		return claims{}, jwt.Header{}, err
	}
	tok, err := jwt.Verify[jwtkitClaims](context.Background(), token, jwt.VerifierWithKeyID(v, k.kid), &jwt.VerifyOptions{
		Issuer:        want.Issuer,
		Audience:      []string{want.Audience[0]},
		Type:          "JWT",
		CheckIssuedAt: true,
	})
	if err != nil {
		return claims{}, jwt.Header{}, err
	}
	rc := tok.Claims.RegisteredClaims
	return claims{
		Issuer:    rc.Issuer,
		Subject:   rc.Subject,
		Audience:  audience(rc.Audience),
		ExpiresAt: unixOrZero(rc.ExpiresAt.Time),
		NotBefore: unixOrZero(rc.NotBefore.Time),
		IssuedAt:  unixOrZero(rc.IssuedAt.Time),
		ID:        rc.ID,
		custom:    tok.Claims.custom,
	}, tok.Header, nil
}

func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// tampered returns altered copies of a compact JWS that no verifier may
// accept: one whose payload claims another subject (signature kept), and
// one whose signature has a bit flipped. Both stay canonical base64url, so
// the rejection must come from the signature check.
func tampered(t *testing.T, token string) map[string]string {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3, "compact JWS")
	enc := base64.RawURLEncoding

	payload, err := enc.DecodeString(parts[1])
	require.NoError(t, err, "payload")
	var c map[string]any
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&c), "payload")
	c["sub"] = "admin"
	forged, err := json.Marshal(c)
	require.NoError(t, err)

	sig, err := enc.DecodeString(parts[2])
	require.NoError(t, err, "signature")
	sig[len(sig)/2] ^= 0x01

	return map[string]string{
		"payload":   parts[0] + "." + enc.EncodeToString(forged) + "." + parts[2],
		"signature": parts[0] + "." + parts[1] + "." + enc.EncodeToString(sig),
	}
}

// matrix collects the outcome of every subtest for the final log.
type matrix struct {
	algs    []string
	peers   []string
	outcome map[string]string // peer/alg/direction -> ok, FAIL, n/a, skip
}

func newMatrix(algs []string, peers []peer) *matrix {
	m := &matrix{algs: algs, outcome: make(map[string]string)}
	for _, p := range peers {
		m.peers = append(m.peers, p.name)
	}
	return m
}

// record is deferred by each direction subtest; it runs after t.Skip and
// t.FailNow too.
func (m *matrix) record(t *testing.T, p peer, alg, dir string) {
	out := "ok"
	switch _, lacks := p.lacks[alg]; {
	case t.Failed():
		out = "FAIL"
	case t.Skipped() && lacks:
		out = "n/a"
	case t.Skipped():
		out = "skip"
	}
	m.outcome[p.name+"/"+alg+"/"+dir] = out
}

// skipPeer records every cell of a peer that cannot run here as skipped.
func (m *matrix) skipPeer(peer string) {
	for _, alg := range m.algs {
		m.outcome[peer+"/"+alg+"/"+peerToJWTKit] = "skip"
		m.outcome[peer+"/"+alg+"/"+jwtkitToPeer] = "skip"
	}
}

func (m *matrix) String() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprint(w, "alg")
	for _, p := range m.peers {
		fmt.Fprintf(w, "\t%s→jwtkit\tjwtkit→%s", p, p)
	}
	fmt.Fprintln(w)
	for _, alg := range m.algs {
		fmt.Fprint(w, alg)
		for _, p := range m.peers {
			for _, dir := range []string{peerToJWTKit, jwtkitToPeer} {
				out, ok := m.outcome[p+"/"+alg+"/"+dir]
				if !ok {
					out = "-"
				}
				fmt.Fprintf(w, "\t%s", out)
			}
		}
		fmt.Fprintln(w)
	}
	w.Flush()
	return b.String()
}
