package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The Node package jose (panva/jose), the cross-language peer, driven
// through node/jose.mjs: one node process per token signed or verified,
// keys passed as JWKs on stdin.

const nodeDir = "node"

// nodeJosePeer returns the Node peer. Its subtests skip when node or the
// installed jose package (npm ci in node/) is missing.
func nodeJosePeer(t *testing.T) peer {
	skip := nodeSetup(t)
	return peer{
		name:  "node-jose",
		lacks: map[string]string{}, // jose implements all 14, "Ed25519" since v6
		skip:  func() string { return skip },
		sign: func(t *testing.T, k *keyPair, c claims) (string, error) {
			key, err := toJWK(k.private)
			if err != nil {
				return "", err
			}
			out, err := runNode(t, "sign", k.alg, map[string]any{"jwk": key, "claims": c, "kid": k.kid})
			return strings.TrimSpace(string(out)), err
		},
		verify: func(t *testing.T, k *keyPair, token string, want claims) (claims, error) {
			key, err := toJWK(k.public)
			if err != nil {
				return claims{}, err
			}
			out, err := runNode(t, "verify", k.alg, map[string]any{
				"jwk": key, "token": token, "issuer": want.Issuer, "audience": want.Audience[0],
			})
			if err != nil {
				return claims{}, err
			}
			var res struct {
				Header json.RawMessage `json:"header"`
				Claims json.RawMessage `json:"claims"`
			}
			if err := json.Unmarshal(out, &res); err != nil {
				return claims{}, fmt.Errorf("jose output %q: %w", out, err)
			}
			// Every member the token carries must be one the test put there.
			var c claims
			dec := json.NewDecoder(bytes.NewReader(res.Claims))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&c); err != nil {
				return claims{}, fmt.Errorf("jose claims %s: %w", res.Claims, err)
			}
			return c, nil
		},
	}
}

// nodeSetup reports why the Node peer cannot run, or "" if it can, and
// logs the versions it runs with. It reads the script and the lockfile
// itself so that a change to either invalidates go test's cache.
func nodeSetup(t *testing.T) string {
	t.Helper()
	for _, f := range []string{"jose.mjs", "package.json", "package-lock.json"} {
		if _, err := os.ReadFile(filepath.Join(nodeDir, f)); err != nil {
			return fmt.Sprintf("Node peer: %v", err)
		}
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return "Node peer: node is not installed (" + err.Error() + ")"
	}
	pkg, err := os.ReadFile(filepath.Join(nodeDir, "node_modules", "jose", "package.json"))
	if err != nil {
		return "Node peer: the jose package is not installed; run `npm ci` in interop/node (" + err.Error() + ")"
	}
	var meta struct{ Version string }
	if err := json.Unmarshal(pkg, &meta); err != nil {
		return fmt.Sprintf("Node peer: node_modules/jose/package.json: %v", err)
	}
	ver, err := exec.Command(node, "--version").Output()
	if err != nil {
		return fmt.Sprintf("Node peer: %s --version: %v", node, err)
	}
	t.Logf("Node peer: jose %s on node %s", meta.Version, strings.TrimSpace(string(ver)))
	return ""
}

// runNode runs `node jose.mjs <mode> <alg>` with job as JSON on stdin and
// returns its stdout; a non-zero exit is an error carrying its stderr.
func runNode(t *testing.T, mode, alg string, job any) ([]byte, error) {
	t.Helper()
	in, err := json.Marshal(job)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "jose.mjs", mode, alg)
	cmd.Dir = nodeDir
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("node jose.mjs %s %s: %w: %s", mode, alg, err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}
