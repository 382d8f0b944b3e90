package benchmarks

import "testing"

// peerVerifiers and peerSigners return the other libraries' rows, in table
// order.
func peerVerifiers(tb testing.TB, f *fixture) []verifyCase {
	return []verifyCase{
		golangJWTVerifier(tb, f),
		goJoseVerifier(tb, f),
		jwxVerifier(tb, f),
		cristalVerifier(tb, f),
		katarasVerifier(tb, f),
	}
}

func peerSigners(tb testing.TB, f *fixture) []signCase {
	return []signCase{
		golangJWTSigner(tb, f),
		goJoseSigner(tb, f),
		jwxSigner(tb, f),
		cristalSigner(tb, f),
		katarasSigner(tb, f),
	}
}
