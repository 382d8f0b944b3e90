//go:build go1.27

package interop

import (
	"bytes"
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	josejwt "github.com/go-jose/go-jose/v4/jwt"
	"github.com/jwtkit/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ML-DSA (RFC 9964) in both directions with two independent
// implementations: python/mldsa_jose.py, on pyca/cryptography's ML-DSA,
// with its own base64url, JSON and thumbprints (TestMLDSAInterop), and
// go-jose v4.1.9's ML-DSA (TestMLDSAInteropGoJose). Peers tried and not
// usable here: Node's jose (Node v20 has no ML-DSA in node:crypto or
// WebCrypto), openssl 3.0 (ML-DSA came in 3.5), jwx v3.4.0 (no ML-DSA).

// mldsaPeer runs one request through the Python peer.
func mldsaPeer(t *testing.T, req map[string]any) ([]byte, error) {
	t.Helper()
	in, err := json.Marshal(req)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, pythonExe, "python/mldsa_jose.py")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, &peerError{err: err, stderr: stderr.String()}
	}
	return out, nil
}

type peerError struct {
	err    error
	stderr string
}

func (e *peerError) Error() string { return e.err.Error() + ": " + strings.TrimSpace(e.stderr) }

// pythonExe is the Python interpreter itself, found by mldsaPeerSkip, so
// that each run skips the wrappers (such as pyenv's) in front of python3.
var pythonExe = "python3"

// mldsaPeerSkip returns why the Python peer cannot run, or "".
func mldsaPeerSkip() string {
	if _, err := exec.LookPath("python3"); err != nil {
		return "python3 is not installed"
	}
	out, err := exec.Command("python3", "-c", "from cryptography.hazmat.primitives.asymmetric import mldsa; import sys; print(sys.executable)").CombinedOutput()
	if err != nil {
		return "python3 has no pyca/cryptography with ML-DSA (version 47 or later; pip install 'cryptography>=47'): " + strings.TrimSpace(string(out))
	}
	pythonExe = strings.TrimSpace(string(out))
	return ""
}

func TestMLDSAInterop(t *testing.T) {
	if why := mldsaPeerSkip(); why != "" {
		t.Skipf("skipped: the ML-DSA peer cannot run: %s", why)
	}
	now := time.Now().Truncate(time.Second)
	want := jwt.RegisteredClaims{Issuer: "https://peer.example", Subject: "alice", Audience: jwt.Audience{"api"},
		ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)), IssuedAt: jwt.NewNumericDate(now)}
	opts := func() *jwt.VerifyOptions {
		return &jwt.VerifyOptions{Issuer: "https://peer.example", Audience: []string{"api"}, Now: func() time.Time { return now }}
	}
	ran := 0
	for _, alg := range []jwt.MLDSAAlgorithm{jwt.MLDSA44, jwt.MLDSA65, jwt.MLDSA87} {
		t.Run(alg.Name()+"/python-cryptography signs, jwtkit verifies", func(t *testing.T) {
			out, err := mldsaPeer(t, map[string]any{"op": "sign", "alg": alg.Name(), "claims": want})
			require.NoError(t, err)
			var res struct {
				JWK     json.RawMessage `json:"jwk"`
				Private json.RawMessage `json:"private_jwk"`
				Token   string          `json:"token"`
			}
			require.NoError(t, json.Unmarshal(out, &res))
			pub, err := jwt.ParseJWK(res.JWK)
			require.NoError(t, err)
			tp, err := pub.Thumbprint(crypto.SHA256)
			require.NoError(t, err)
			assert.Equal(t, pub.KeyID, base64.RawURLEncoding.EncodeToString(tp), "the peer's kid is jwtkit's thumbprint")
			v, err := pub.Verifier(nil)
			require.NoError(t, err)
			tok, err := jwt.Verify[jwt.RegisteredClaims](context.Background(), res.Token, v, opts())
			require.NoError(t, err)
			assert.Equal(t, want, tok.Claims)
			// The peer's private JWK (the seed) is the same key.
			priv, err := jwt.ParseJWK(res.Private)
			require.NoError(t, err)
			assert.True(t, priv.IsPrivate())
			tp2, err := priv.Thumbprint(crypto.SHA256)
			require.NoError(t, err)
			assert.Equal(t, tp, tp2)

			// Signed with a context, as RFC 9964 forbids: refused.
			out, err = mldsaPeer(t, map[string]any{"op": "sign", "alg": alg.Name(), "claims": want, "context": "jwt"})
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(out, &res))
			pub, err = jwt.ParseJWK(res.JWK)
			require.NoError(t, err)
			v, err = pub.Verifier(nil)
			require.NoError(t, err)
			_, err = jwt.Verify[jwt.RegisteredClaims](context.Background(), res.Token, v, opts())
			assert.ErrorIs(t, err, jwt.ErrInvalidSignature)
			ran++
		})
		t.Run(alg.Name()+"/jwtkit signs, python-cryptography verifies", func(t *testing.T) {
			k, err := jwt.GenerateKey(alg)
			require.NoError(t, err)
			require.NoError(t, k.SetThumbprintKeyID())
			s, err := k.Signer(nil)
			require.NoError(t, err)
			token, err := jwt.Sign(context.Background(), s, want, nil)
			require.NoError(t, err)
			pubJSON, err := json.Marshal(k.Public())
			require.NoError(t, err)
			out, err := mldsaPeer(t, map[string]any{"op": "verify", "jwk": json.RawMessage(pubJSON), "token": token})
			require.NoError(t, err)
			var res struct {
				Header     map[string]string    `json:"header"`
				Claims     jwt.RegisteredClaims `json:"claims"`
				Thumbprint string               `json:"thumbprint"`
			}
			require.NoError(t, json.Unmarshal(out, &res))
			assert.Equal(t, want, res.Claims)
			assert.Equal(t, alg.Name(), res.Header["alg"])
			assert.Equal(t, k.KeyID, res.Header["kid"])
			assert.Equal(t, k.KeyID, res.Thumbprint, "the peer computes the same RFC 9964 thumbprint")

			// A changed token is refused by the peer.
			dot := strings.LastIndexByte(token, '.')
			bad := []byte(token)
			bad[dot-2] ^= 1
			_, err = mldsaPeer(t, map[string]any{"op": "verify", "jwk": json.RawMessage(pubJSON), "token": string(bad)})
			assert.ErrorContains(t, err, "invalid signature")
			ran++
		})
	}
	t.Logf("ML-DSA interop with pyca/cryptography: %d of 6 directions ran", ran)
}

// ML-DSA both ways with go-jose v4.1.9, whose ML-DSA (Go 1.27) is its own
// code over crypto/mldsa: its own JWS, JWK and thumbprint.
func TestMLDSAInteropGoJose(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	want := jwt.RegisteredClaims{Issuer: "https://peer.example", Subject: "alice", Audience: jwt.Audience{"api"},
		ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)), IssuedAt: jwt.NewNumericDate(now)}
	opts := &jwt.VerifyOptions{Issuer: "https://peer.example", Audience: []string{"api"}, Now: func() time.Time { return now }}
	for _, alg := range []jwt.MLDSAAlgorithm{jwt.MLDSA44, jwt.MLDSA65, jwt.MLDSA87} {
		t.Run(alg.Name(), func(t *testing.T) {
			k, err := jwt.GenerateKey(alg)
			require.NoError(t, err)
			require.NoError(t, k.SetThumbprintKeyID())

			// go-jose reads jwtkit's AKP JWKs and computes the same thumbprint.
			pubJSON, err := json.Marshal(k.Public())
			require.NoError(t, err)
			var jk jose.JSONWebKey
			require.NoError(t, jk.UnmarshalJSON(pubJSON))
			tp, err := jk.Thumbprint(crypto.SHA256)
			require.NoError(t, err)
			assert.Equal(t, k.KeyID, base64.RawURLEncoding.EncodeToString(tp))
			privJSON, err := k.MarshalPrivateJSON()
			require.NoError(t, err)
			var jkPriv jose.JSONWebKey
			require.NoError(t, jkPriv.UnmarshalJSON(privJSON))
			assert.False(t, jkPriv.IsPublic())

			// jwtkit signs, go-jose verifies with the key it read.
			s, err := k.Signer(nil)
			require.NoError(t, err)
			token, err := jwt.Sign(context.Background(), s, want, nil)
			require.NoError(t, err)
			parsed, err := josejwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg.Name())})
			require.NoError(t, err)
			var got josejwt.Claims
			require.NoError(t, parsed.Claims(jk.Key, &got))
			assert.Equal(t, want.Subject, got.Subject)

			// go-jose signs with the key it read from jwtkit's private JWK;
			// jwtkit verifies.
			signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg.Name()), Key: jkPriv.Key},
				(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", k.KeyID))
			require.NoError(t, err)
			peerToken, err := josejwt.Signed(signer).Claims(josejwt.Claims{
				Issuer: want.Issuer, Subject: want.Subject, Audience: josejwt.Audience{"api"},
				Expiry: josejwt.NewNumericDate(now.Add(time.Hour)), IssuedAt: josejwt.NewNumericDate(now),
			}).Serialize()
			require.NoError(t, err)
			v, err := k.Public().Verifier(nil)
			require.NoError(t, err)
			tok, err := jwt.Verify[jwt.RegisteredClaims](context.Background(), peerToken, v, opts)
			require.NoError(t, err)
			assert.Equal(t, want, tok.Claims)
		})
	}
}
