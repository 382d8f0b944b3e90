package interop

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwt "github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
)

// DPoP (RFC 9449) across implementations: proofs made by the Node package
// jose (SignJWT, with a key pair of its own and its public key as the
// embedded "jwk" header) verify with jwtkit's dpop.Verifier, and proofs made
// by dpop.Prover verify with jose's jwtVerify and EmbeddedJWK. Both sides
// compute the RFC 7638 thumbprint of the key, and the two must agree.
// node/dpop.mjs is the Node side.

// dpopAlgorithms are the algorithms DPoP allows: the asymmetric ones.
var dpopAlgorithms = []string{"ES256", "ES384", "ES512", "EdDSA", "PS256", "PS384", "PS512", "RS256", "RS384", "RS512"}

const (
	dpopMethod = "POST"
	dpopURI    = "https://api.example.com/token"
	dpopToken  = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
)

// runDPoPNode runs `node dpop.mjs <mode>` with jobs as JSON on stdin and
// decodes its JSON output into out.
func runDPoPNode(t *testing.T, mode string, jobs, out any) {
	t.Helper()
	in, err := json.Marshal(jobs)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "dpop.mjs", mode)
	cmd.Dir = nodeDir
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "node dpop.mjs %s: %s", mode, strings.TrimSpace(stderr.String()))
	require.NoError(t, json.Unmarshal(stdout.Bytes(), out), "node dpop.mjs %s output %q", mode, stdout.String())
}

func dpopSetup(t *testing.T) {
	t.Helper()
	if skip := nodeSetup(t); skip != "" {
		t.Skip(skip)
	}
	// Read the script so that a change to it invalidates go test's cache.
	_, err := os.ReadFile(filepath.Join(nodeDir, "dpop.mjs"))
	require.NoError(t, err)
}

// TestDPoPNodeProves verifies jose's proofs with dpop.Verifier.
func TestDPoPNodeProves(t *testing.T) {
	dpopSetup(t)
	type job struct {
		Alg         string `json:"alg"`
		HTM         string `json:"htm"`
		HTU         string `json:"htu"`
		AccessToken string `json:"accessToken,omitempty"`
		Nonce       string `json:"nonce,omitempty"`
	}
	var jobs []job
	for i, alg := range dpopAlgorithms {
		j := job{Alg: alg, HTM: dpopMethod, HTU: dpopURI}
		if i%2 == 0 {
			j.AccessToken, j.Nonce = dpopToken, "nonce-"+alg
		}
		jobs = append(jobs, j)
	}
	var results []struct{ Alg, Proof, JKT string }
	runDPoPNode(t, "prove", jobs, &results)
	require.Len(t, results, len(jobs))

	ctx := context.Background()
	for i, res := range results {
		t.Run(res.Alg, func(t *testing.T) {
			require.Equal(t, jobs[i].Alg, res.Alg)
			v, err := dpop.NewVerifier(nil)
			require.NoError(t, err)
			req := &dpop.Request{Method: dpopMethod, URI: dpopURI, AccessToken: jobs[i].AccessToken, JKT: res.JKT}

			// Refused for another request or key, before it is used.
			_, err = v.Verify(ctx, res.Proof, &dpop.Request{Method: "GET", URI: dpopURI})
			assert.ErrorIs(t, err, dpop.ErrMethodMismatch)
			_, err = v.Verify(ctx, res.Proof, &dpop.Request{Method: dpopMethod, URI: "https://api.example.com/other"})
			assert.ErrorIs(t, err, dpop.ErrURIMismatch)
			if jobs[i].AccessToken != "" {
				_, err = v.Verify(ctx, res.Proof, &dpop.Request{Method: dpopMethod, URI: dpopURI, AccessToken: "another", JKT: res.JKT})
				assert.ErrorIs(t, err, dpop.ErrAccessTokenHash)
			}
			_, err = v.Verify(ctx, res.Proof, &dpop.Request{Method: dpopMethod, URI: dpopURI, JKT: "not-" + res.JKT})
			assert.ErrorIs(t, err, dpop.ErrTokenBinding)

			// Accepted once, with the thumbprint jose computed.
			p, err := v.Verify(ctx, res.Proof, req)
			require.NoError(t, err)
			assert.Equal(t, res.JKT, p.JKT, "both sides compute the same RFC 7638 thumbprint")
			assert.Equal(t, res.Alg, p.Algorithm)
			assert.Equal(t, jobs[i].Nonce, p.Claims.Nonce)
			_, err = v.Verify(ctx, res.Proof, req)
			assert.ErrorIs(t, err, dpop.ErrReplay)
		})
	}
}

// TestDPoPNodeVerifies verifies dpop.Prover's proofs with jose's
// jwtVerify and EmbeddedJWK.
func TestDPoPNodeVerifies(t *testing.T) {
	dpopSetup(t)
	keys := testKeys(t)
	ctx := context.Background()
	type job struct {
		Alg   string `json:"alg"`
		Proof string `json:"proof"`
	}
	var jobs []job
	provers := map[string]*dpop.Prover{}
	for _, alg := range dpopAlgorithms {
		a, err := jwt.AlgorithmByName(alg)
		require.NoError(t, err)
		signer, ok := keys[alg].private.(crypto.Signer)
		require.True(t, ok, "%s key %T is a crypto.Signer", alg, keys[alg].private)
		prover, err := dpop.NewProver(a, signer)
		require.NoError(t, err)
		provers[alg] = prover
		proof, err := prover.NewProof(ctx, dpopMethod, dpopURI+"?query=dropped", &dpop.ProofOptions{AccessToken: dpopToken, Nonce: "n-" + alg})
		require.NoError(t, err)
		jobs = append(jobs, job{Alg: alg, Proof: proof})
		// The same proof with the first character of its signature
		// changed must fail.
		sig := proof[strings.LastIndexByte(proof, '.')+1:]
		flipped := "A"
		if sig[0] == 'A' {
			flipped = "B"
		}
		jobs = append(jobs, job{Alg: alg, Proof: proof[:len(proof)-len(sig)] + flipped + sig[1:]})
	}
	var results []struct {
		Alg     string
		Header  map[string]any
		Payload map[string]any
		JKT     string
		Error   string
	}
	runDPoPNode(t, "verify", jobs, &results)
	require.Len(t, results, len(jobs))

	for i := 0; i < len(results); i += 2 {
		res, tampered := results[i], results[i+1]
		t.Run(res.Alg, func(t *testing.T) {
			require.Empty(t, res.Error)
			prover := provers[res.Alg]
			assert.Equal(t, prover.JKT(), res.JKT, "both sides compute the same RFC 7638 thumbprint")
			assert.Equal(t, "dpop+jwt", res.Header["typ"])
			assert.Equal(t, res.Alg, res.Header["alg"])
			jwk, ok := res.Header["jwk"].(map[string]any)
			require.True(t, ok)
			for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
				assert.NotContains(t, jwk, private, "only the public key is sent")
			}
			assert.Equal(t, dpopMethod, res.Payload["htm"])
			assert.Equal(t, dpopURI, res.Payload["htu"])
			assert.Equal(t, dpop.AccessTokenHash(dpopToken), res.Payload["ath"])
			assert.Equal(t, "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo", res.Payload["ath"], "RFC 9449 §7.1")
			assert.Equal(t, "n-"+res.Alg, res.Payload["nonce"])
			assert.NotEmpty(t, res.Payload["jti"])
			assert.Contains(t, tampered.Error, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", fmt.Sprintf("tampered proof: %+v", tampered))
		})
	}
}
