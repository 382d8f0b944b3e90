package dpop

import "net/http"

// What the tests of package dpop_test reach that users do not.
var (
	HeaderProof = headerProof
	SingleProof = singleProof
)

// RequestURI returns the URI that v's VerifyRequest compares a proof's
// "htu" with, normalized.
func RequestURI(v *Verifier, r *http.Request) (string, error) {
	return NormalizeURI(requestURI(r, v.base))
}

// CacheLen returns the number of keys c holds, expired or not.
func CacheLen(c *MemoryReplayCache) int { return c.len() }
