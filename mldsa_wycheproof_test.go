//go:build go1.27

package jwt

import (
	"crypto/mldsa"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Wycheproof's ML-DSA verify vectors (testdata/wycheproof, C2SP/wycheproof
// commit dac1dd47, see SOURCE.txt there) run through the ML-DSA Verifiers,
// with each group's key parsed as an AKP JWK and as PKIX DER, which must
// agree. The one policy: RFC 9964 signs with the empty context, so a valid
// signature made with a non-empty context is refused.

var wycheproofMLDSAFiles = []struct {
	file string
	alg  MLDSAAlgorithm
}{
	{file: "mldsa_44_verify_test.json", alg: MLDSA44},
	{file: "mldsa_65_verify_test.json", alg: MLDSA65},
	{file: "mldsa_87_verify_test.json", alg: MLDSA87},
}

type wycheproofMLDSAFile struct {
	Algorithm     string `json:"algorithm"`
	NumberOfTests int    `json:"numberOfTests"`
	TestGroups    []struct {
		Type         string    `json:"type"`
		PublicKey    wpHexData `json:"publicKey"`
		PublicKeyDer wpHexData `json:"publicKeyDer"`
		Tests        []struct {
			TcID    int        `json:"tcId"`
			Comment string     `json:"comment"`
			Flags   []string   `json:"flags"`
			Msg     wpHexData  `json:"msg"`
			Ctx     *wpHexData `json:"ctx"`
			Sig     wpHexData  `json:"sig"`
			Result  string     `json:"result"`
		} `json:"tests"`
	} `json:"testGroups"`
}

func TestWycheproofMLDSA(t *testing.T) {
	var total wycheproofTally
	t.Cleanup(func() {
		t.Logf("Wycheproof ML-DSA total: %d files, run %d / passed %d / refused by policy %d", len(wycheproofMLDSAFiles), total.run, total.passed, total.refused)
	})
	for _, f := range wycheproofMLDSAFiles {
		t.Run(f.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "wycheproof", f.file))
			require.NoError(t, err)
			var wf wycheproofMLDSAFile
			require.NoError(t, json.Unmarshal(b, &wf))
			require.Equal(t, f.alg.Name(), wf.Algorithm)
			var c wycheproofTally
			var badKeys, context int
			for _, g := range wf.TestGroups {
				require.Equal(t, "MlDsaVerify", g.Type)
				jwk := `{"kty":"AKP","alg":"` + f.alg.Name() + `","pub":"` + base64.RawURLEncoding.EncodeToString(g.PublicKey) + `"}`
				var v Verifier
				k, keyErr := ParseJWK([]byte(jwk))
				if keyErr == nil {
					v, keyErr = k.Verifier(nil)
				}
				// The PKIX form of the same key is accepted or refused alike.
				pub, pemErr := ParsePublicKeyPEM(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: g.PublicKeyDer}))
				assert.Equal(t, keyErr == nil, pemErr == nil, "JWK error %v, PEM error %v", keyErr, pemErr)
				if keyErr == nil && pemErr == nil {
					assert.True(t, k.Key.(*mldsa.PublicKey).Equal(pub))
				}
				for _, tc := range g.Tests {
					c.run++
					name := func() string { return f.file + " tcId " + strconv.Itoa(tc.TcID) + " (" + tc.Comment + ")" }
					if keyErr != nil {
						// A key refused is a case rejected; only invalid
						// cases may have a key that cannot be parsed.
						assert.Equal(t, "invalid", tc.Result, "%s: key refused: %v", name(), keyErr)
						assert.ErrorIs(t, keyErr, ErrInvalidKey)
						badKeys++
						c.invalid++
						c.passed++
						continue
					}
					err := v.Verify(tc.Msg, tc.Sig)
					if tc.Ctx != nil && len(*tc.Ctx) > 0 {
						// RFC 9964 §4: the context is empty. A signature
						// made with another context never verifies here.
						assert.ErrorIs(t, err, ErrInvalidSignature, name())
						if tc.Result == "valid" {
							context++
							c.refused++
						} else {
							c.invalid++
							c.passed++
						}
						continue
					}
					switch tc.Result {
					case "valid":
						assert.NoError(t, err, name())
						c.valid++
					case "invalid":
						assert.ErrorIs(t, err, ErrInvalidSignature, name())
						c.invalid++
					default:
						t.Errorf("%s: result %q has no policy", name(), tc.Result)
					}
					c.passed++
				}
			}
			assert.Equal(t, wf.NumberOfTests, c.run, "every case of the file ran")
			assert.Equal(t, c.run, c.passed+c.refused)
			t.Logf("%s (%s): run %d / passed %d / refused by policy %d (valid accepted %d, invalid rejected %d, of them with the key refused %d; valid with a non-empty context refused %d)",
				f.file, f.alg.Name(), c.run, c.passed, c.refused, c.valid, c.invalid, badKeys, context)
			total.run += c.run
			total.passed += c.passed
			total.refused += c.refused
		})
	}
}
