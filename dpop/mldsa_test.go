//go:build go1.27

package dpop_test

import (
	"context"
	"crypto/mldsa"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ML-DSA proofs, which RFC 9449 allows: refused by default, accepted when
// listed with a MaxSize that fits, sent over a real HTTP server.
func TestMLDSAProofs(t *testing.T) {
	ctx := context.Background()
	for _, alg := range []jwt.MLDSAAlgorithm{jwt.MLDSA44, jwt.MLDSA65, jwt.MLDSA87} {
		t.Run(alg.Name(), func(t *testing.T) {
			gen, err := jwt.GenerateKey(alg)
			require.NoError(t, err)
			k := gen.Key.(*mldsa.PrivateKey)
			prover := newProver(t, alg, k)
			proof, err := prover.NewProof(ctx, "GET", testURI, &dpop.ProofOptions{IssuedAt: t0})
			require.NoError(t, err)
			t.Logf("%s proof: %d bytes (MinProofSize %d)", alg.Name(), len(proof), dpop.MinProofSize(alg))
			assert.GreaterOrEqual(t, len(proof), dpop.MinProofSize(alg))
			assert.Less(t, len(proof), dpop.MinProofSize(alg)+512)

			// Not among the defaults.
			_, err = newVerifier(t, newClock(), nil).Verify(ctx, proof, request())
			assert.Error(t, err)

			// Listed, with the default MaxSize: an option that cannot be honoured.
			_, err = dpop.NewVerifier(&dpop.Options{Algorithms: []jwt.Algorithm{alg}})
			assert.ErrorIs(t, err, jwt.ErrInvalidOption)

			v := newVerifier(t, newClock(), &dpop.Options{Algorithms: []jwt.Algorithm{alg, jwt.ES256}, MaxSize: 16 << 10})
			var got *dpop.Proof
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				pr, err := v.VerifyRequest(r.Context(), r, "", "")
				if err != nil {
					http.Error(w, err.Error(), http.StatusUnauthorized)
					return
				}
				got = pr
			}))
			t.Cleanup(srv.Close)
			// Go's server takes headers of up to 1 MB; a proof of each
			// parameter set fits.
			proof, err = prover.NewProof(ctx, "GET", srv.URL+"/resource", &dpop.ProofOptions{IssuedAt: t0})
			require.NoError(t, err)
			req, err := http.NewRequest("GET", srv.URL+"/resource", nil)
			require.NoError(t, err)
			req.Header.Set("DPoP", proof)
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.NotNil(t, got)
			assert.Equal(t, prover.JKT(), got.JKT)

			// A proof whose jwk carries the private seed is refused.
			jwk, err := jwt.NewJWK(k)
			require.NoError(t, err)
			priv, err := jwk.MarshalPrivateJSON()
			require.NoError(t, err)
			forged := forge(t, alg, k, `{"typ":"dpop+jwt","alg":"`+alg.Name()+`","jwk":`+string(priv)+`}`, proofClaims(nil))
			_, err = v.Verify(ctx, forged, request())
			assert.ErrorIs(t, err, dpop.ErrProofKey)
			assert.ErrorContains(t, err, `"priv"`)
		})
	}
}
