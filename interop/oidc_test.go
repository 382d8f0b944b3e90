package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwt "github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/clientauth"
	"github.com/jwtkit/jwt/idtoken"
	"github.com/jwtkit/jwt/session"
)

// Client assertions (RFC 7523) and OpenID Connect ID tokens across
// implementations, both ways: the Node package jose, and Python's PyJWT,
// make them and jwtkit
// (clientauth.Verifier, idtoken.Verify) verifies them; jwtkit makes them
// (clientauth.NewAssertion; jwt.Sign with idtoken.HalfHash) and they
// verify them, computing at_hash on their own. node/oidc.mjs and
// python/oidc.py are the other sides.

// oidcAlgorithms are the asymmetric algorithms both sides implement.
var oidcAlgorithms = dpopAlgorithms

const (
	oidcIssuer   = "https://op.example.com"
	oidcTokenURL = "https://op.example.com/token"
	oidcClientID = "interop-client"
	oidcNonce    = "n-0S6_WzA2Mj"
	oidcAccess   = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"
	oidcCode     = "Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk"
)

// oidcPeer is an independent implementation driven through a script with
// the modes of node/oidc.mjs.
type oidcPeer struct {
	name string
	// run runs mode with jobs as JSON on stdin and decodes the output into
	// out; it skips the test when the peer cannot run.
	run func(t *testing.T, mode string, jobs, out any)
}

// oidcPeers are Node's jose (node/oidc.mjs) and Python's PyJWT
// (python/oidc.py).
var oidcPeers = []oidcPeer{
	{"node-jose", func(t *testing.T, mode string, jobs, out any) {
		if skip := nodeSetup(t); skip != "" {
			t.Skip(skip)
		}
		runScript(t, nodeDir, []string{"node", "oidc.mjs", mode}, jobs, out)
	}},
	{"python-pyjwt", func(t *testing.T, mode string, jobs, out any) {
		python := pythonSetup(t)
		runScript(t, "python", []string{python, "oidc.py", mode}, jobs, out)
	}},
}

// pythonSetup returns a Python interpreter that has PyJWT (Debian's
// python3-jwt), or skips the test: $JWTKIT_PYTHON, else python3 on PATH,
// else /usr/bin/python3 (a pyenv python3 first on PATH may lack the
// Debian package).
func pythonSetup(t *testing.T) string {
	t.Helper()
	if _, err := os.ReadFile(filepath.Join("python", "oidc.py")); err != nil { // a change invalidates go test's cache
		t.Fatal(err)
	}
	candidates := []string{"python3", "/usr/bin/python3"}
	if p := os.Getenv("JWTKIT_PYTHON"); p != "" {
		candidates = []string{p}
	}
	for _, p := range candidates {
		out, err := exec.Command(p, "-c", "import jwt, cryptography; print(jwt.__version__, cryptography.__version__)").Output()
		if err == nil {
			t.Logf("Python peer: %s, PyJWT and cryptography %s", p, strings.TrimSpace(string(out)))
			return p
		}
	}
	t.Skipf("Python peer: no python3 with PyJWT and cryptography (Debian packages python3-jwt, python3-cryptography; or set JWTKIT_PYTHON) among %v", candidates)
	return ""
}

// runScript runs argv in dir with jobs as JSON on stdin and decodes its
// JSON output into out.
func runScript(t *testing.T, dir string, argv []string, jobs, out any) {
	t.Helper()
	if _, err := os.ReadFile(filepath.Join(dir, argv[1])); err != nil { // a change invalidates go test's cache
		t.Fatal(err)
	}
	in, err := json.Marshal(jobs)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "%s: %s", strings.Join(argv, " "), strings.TrimSpace(stderr.String()))
	require.NoError(t, json.Unmarshal(stdout.Bytes(), out), "%s output %q", strings.Join(argv, " "), stdout.String())
}

// jwkKeySet returns the key set of one public JWK, as jose exported it.
func jwkKeySet(t *testing.T, raw json.RawMessage) *jwt.KeySet {
	t.Helper()
	k, err := jwt.ParseJWK(raw)
	require.NoError(t, err)
	a, err := jwt.AlgorithmByName(k.Algorithm)
	require.NoError(t, err)
	v, err := k.Verifier(a)
	require.NoError(t, err)
	ks, err := jwt.NewKeySet(v)
	require.NoError(t, err)
	return ks
}

// TestAssertionPeerMakes verifies jose's client assertions with
// clientauth.Verifier, and refuses each a second time.
func TestAssertionPeerMakes(t *testing.T) { forPeers(t, assertionPeerMakes) }

func assertionPeerMakes(t *testing.T, p oidcPeer) {
	var jobs []map[string]string
	for i, alg := range oidcAlgorithms {
		aud := oidcTokenURL
		if i%2 == 1 {
			aud = oidcIssuer
		}
		jobs = append(jobs, map[string]string{"alg": alg, "clientId": oidcClientID, "aud": aud})
	}
	var results []struct {
		Alg, Assertion string
		JWK            json.RawMessage
	}
	p.run(t, "assert", jobs, &results)
	require.Len(t, results, len(jobs))
	ran := 0
	for _, res := range results {
		t.Run(res.Alg, func(t *testing.T) {
			v, err := clientauth.NewVerifier(&clientauth.Options{
				Audience:    []string{oidcIssuer, oidcTokenURL},
				Clients:     []clientauth.Client{{ID: oidcClientID, Keys: jwkKeySet(t, res.JWK), Scopes: []string{"read"}}},
				ReplayCache: session.NewMemoryStore(nil),
			})
			require.NoError(t, err)
			c, err := v.AuthenticateClient(context.Background(), session.ClientCredentials{
				AssertionType: session.ClientAssertionType, Assertion: res.Assertion, ClientID: oidcClientID,
			})
			require.NoError(t, err)
			assert.Equal(t, oidcClientID, c.ID)
			_, err = v.Verify(context.Background(), res.Assertion)
			assert.ErrorIs(t, err, clientauth.ErrReplayed)
			ran++
		})
	}
	t.Logf("%d assertions made by %s verified by clientauth", ran, p.name)
}

// TestAssertionPeerVerifies verifies clientauth.NewAssertion's assertions
// with jose's jwtVerify.
func TestAssertionPeerVerifies(t *testing.T) { forPeers(t, assertionPeerVerifies) }

func assertionPeerVerifies(t *testing.T, p oidcPeer) {
	keys := testKeys(t)
	var jobs []map[string]any
	for _, alg := range oidcAlgorithms {
		k := keys[alg]
		a, err := jwt.AlgorithmByName(alg)
		require.NoError(t, err)
		s, err := a.NewSigner(k.private)
		require.NoError(t, err)
		tok, err := clientauth.NewAssertion(context.Background(), s, oidcClientID, oidcTokenURL, nil)
		require.NoError(t, err)
		pub, err := toJWK(k.public)
		require.NoError(t, err)
		jobs = append(jobs, map[string]any{"alg": alg, "jwk": pub, "assertion": tok, "clientId": oidcClientID, "aud": oidcTokenURL})
	}
	var results []struct {
		Alg, Error string
		OK         bool
	}
	p.run(t, "verify-assertion", jobs, &results)
	require.Len(t, results, len(jobs))
	for _, res := range results {
		assert.True(t, res.OK, "%s: %s", res.Alg, res.Error)
	}
	t.Logf("%d assertions made by clientauth verified by %s", len(results), p.name)
}

// TestIdTokenPeerMakes verifies jose's ID tokens, with at_hash and c_hash
// jose computed, with idtoken.Verify.
func TestIdTokenPeerMakes(t *testing.T) { forPeers(t, idTokenPeerMakes) }

func idTokenPeerMakes(t *testing.T, p oidcPeer) {
	var jobs []map[string]string
	for _, alg := range oidcAlgorithms {
		jobs = append(jobs, map[string]string{"alg": alg, "issuer": oidcIssuer, "clientId": oidcClientID, "nonce": oidcNonce, "accessToken": oidcAccess, "code": oidcCode})
	}
	var results []struct {
		Alg, Token string
		JWK        json.RawMessage
	}
	p.run(t, "idtoken", jobs, &results)
	require.Len(t, results, len(jobs))
	for _, res := range results {
		t.Run(res.Alg, func(t *testing.T) {
			ks := jwkKeySet(t, res.JWK)
			o := &idtoken.Options{ClientID: oidcClientID, Issuer: oidcIssuer, Nonce: oidcNonce, MaxAge: 10 * time.Minute,
				AccessToken: oidcAccess, RequireAccessTokenHash: true, Code: oidcCode, RequireCodeHash: true}
			tok, err := idtoken.Verify(context.Background(), res.Token, ks, o)
			require.NoError(t, err)
			assert.Equal(t, "user-1", tok.Claims.Subject)
			// The same token with another access token, nonce or client fails.
			o2 := *o
			o2.AccessToken = oidcAccess + "x"
			_, err = idtoken.Verify(context.Background(), res.Token, ks, &o2)
			assert.ErrorIs(t, err, idtoken.ErrHash)
			o2 = *o
			o2.Nonce = "other"
			_, err = idtoken.Verify(context.Background(), res.Token, ks, &o2)
			assert.ErrorIs(t, err, idtoken.ErrNonce)
			o2 = *o
			o2.ClientID = "other"
			_, err = idtoken.Verify(context.Background(), res.Token, ks, &o2)
			assert.ErrorIs(t, err, jwt.ErrAudienceMismatch)
		})
	}
	t.Logf("%d ID tokens made by %s verified by idtoken", len(results), p.name)
}

// TestIdTokenPeerVerifies verifies ID tokens signed by jwtkit, with
// at_hash from idtoken.HalfHash, with jose, which computes at_hash itself.
func TestIdTokenPeerVerifies(t *testing.T) { forPeers(t, idTokenPeerVerifies) }

func idTokenPeerVerifies(t *testing.T, p oidcPeer) {
	keys := testKeys(t)
	now := time.Now()
	var jobs []map[string]any
	for _, alg := range oidcAlgorithms {
		k := keys[alg]
		a, err := jwt.AlgorithmByName(alg)
		require.NoError(t, err)
		s, err := a.NewSigner(k.private)
		require.NoError(t, err)
		atHash, err := idtoken.HalfHash(alg, oidcAccess)
		require.NoError(t, err)
		tok, err := jwt.Sign(context.Background(), s, map[string]any{
			"iss": oidcIssuer, "sub": "user-1", "aud": oidcClientID, "nonce": oidcNonce, "at_hash": atHash,
			"iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(),
		}, nil)
		require.NoError(t, err)
		pub, err := toJWK(k.public)
		require.NoError(t, err)
		jobs = append(jobs, map[string]any{"alg": alg, "jwk": pub, "token": tok, "issuer": oidcIssuer, "clientId": oidcClientID, "nonce": oidcNonce, "accessToken": oidcAccess})
	}
	var results []struct {
		Alg, Error string
		OK         bool
	}
	p.run(t, "verify-idtoken", jobs, &results)
	require.Len(t, results, len(jobs))
	for _, res := range results {
		assert.True(t, res.OK, "%s: %s", res.Alg, res.Error)
	}
	t.Logf("%d ID tokens made by jwtkit verified by %s (at_hash computed by it)", len(results), p.name)
}

// forPeers runs test once for each peer, as a subtest named after it.
func forPeers(t *testing.T, test func(*testing.T, oidcPeer)) {
	for _, p := range oidcPeers {
		t.Run(p.name, func(t *testing.T) { test(t, p) })
	}
}
