//go:build go1.27

package main

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var mldsaAlgorithms = []string{"ML-DSA-44", "ML-DSA-65", "ML-DSA-87"}

// keygen, sign, verify, decode and thumbprint with ML-DSA keys, as JWKs and
// as PEM; the algorithm is taken from the key.
func TestMLDSACommands(t *testing.T) {
	dir := t.TempDir()
	for _, alg := range mldsaAlgorithms {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			key := keygen(t, dir, alg+".jwk", "--alg", alg)
			var jwk map[string]string
			require.NoError(t, json.Unmarshal(readFileT(t, key), &jwk))
			assert.Equal(t, "AKP", jwk["kty"])
			assert.Equal(t, alg, jwk["alg"])
			seed, err := base64.RawURLEncoding.DecodeString(jwk["priv"])
			require.NoError(t, err)
			assert.Len(t, seed, 32, "the private key is the seed")
			assert.NotContains(t, string(readFileT(t, key+".pub")), `"priv"`)

			token := strings.TrimSpace(ok(t, jwtIn(t, exampleClaims, "sign", "--key", key, "--exp", "5m")))
			out := ok(t, jwtRun(t, "verify", "--key", key+".pub", token))
			assert.Contains(t, out, `"name":"John Doe"`)
			dec := ok(t, jwtRun(t, "decode", token))
			assert.Contains(t, dec, `"alg":"`+alg+`"`)
			assert.Contains(t, dec, `"kid":"`+jwk["kid"]+`"`)
			assert.Equal(t, jwk["kid"]+"\n", ok(t, jwtRun(t, "thumbprint", "--key", key+".pub")), "the kid is the RFC 9964 thumbprint")
			assert.Equal(t, jwk["kid"]+"\n", ok(t, jwtRun(t, "thumbprint", "--key", key)))

			// A changed signature is rejected.
			dot := strings.LastIndexByte(token, '.')
			c := byte('A')
			if token[dot+1] == 'A' {
				c = 'B'
			}
			fails(t, jwtRun(t, "verify", "--key", key+".pub", token[:dot+1]+string(c)+token[dot+2:]), 1, "token rejected", "invalid signature")
			// Another parameter set's algorithm is refused for this key.
			other := map[string]string{"ML-DSA-44": "ML-DSA-65", "ML-DSA-65": "ML-DSA-87", "ML-DSA-87": "ML-DSA-44"}[alg]
			fails(t, jwtRun(t, "verify", "--alg", other, "--key", key+".pub", token), 2, "disagrees")

			// PEM: PKCS #8 (the seed) and PKIX.
			pemKey := keygen(t, dir, alg+".pem", "--alg", alg, "--format", "pem")
			assert.Contains(t, string(readFileT(t, pemKey)), "-----BEGIN PRIVATE KEY-----")
			token = strings.TrimSpace(ok(t, jwtIn(t, exampleClaims, "sign", "--key", pemKey, "--exp", "5m")))
			ok(t, jwtRun(t, "verify", "--key", pemKey+".pub", token))
			assert.Equal(t, ok(t, jwtRun(t, "thumbprint", "--key", pemKey)), ok(t, jwtRun(t, "thumbprint", "--key", pemKey+".pub")))
			fails(t, jwtRun(t, "verify", "--key", key+".pub", token), 1, "token rejected")
		})
	}
}

// jwt verify --jwks with a remote set of AKP keys beside others.
func TestMLDSAVerifyJWKS(t *testing.T) {
	keys := makeRemoteFixture(t)
	dir := t.TempDir()
	pq := keygen(t, dir, "pq.jwk", "--alg", "ML-DSA-65", "--kid", "pq")
	set := strings.TrimSuffix(keys.set, "]}") + "," + withMembers(t, pq+".pub", "") + "]}"
	srv := newServer(t)
	srv.set("/jwks", set)
	url := srv.URL + "/jwks"
	out := ok(t, jwtRun(t, "verify", "--jwks", url, signed(t, `{"sub":"alice"}`, pq)))
	assert.Contains(t, out, `"sub":"alice"`)
	ok(t, jwtRun(t, "verify", "--jwks", url, signed(t, `{"sub":"bob"}`, keys.es)))
	// A token signed by another ML-DSA-65 key under the published kid.
	other := keygen(t, dir, "other.jwk", "--alg", "ML-DSA-65", "--kid", "pq")
	fails(t, jwtRun(t, "verify", "--jwks", url, signed(t, `{"sub":"alice"}`, other)), 1, "token rejected", "invalid signature")
}

// The help names the Go version ML-DSA needs.
func TestMLDSAHelp(t *testing.T) {
	help := ok(t, jwtRun(t, "help"))
	assert.Contains(t, help, "ML-DSA")
	assert.Contains(t, help, "Go 1.27")
	kg := jwtRun(t, "keygen", "--help")
	assert.Contains(t, kg.stdout+kg.stderr, "ML-DSA-65")
}
