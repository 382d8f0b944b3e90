package benchmarks

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// peerVerifiers and peerSigners return the other libraries' rows, in table
// order. For HS256 each peer also has a map row (<peer>/map): its way of
// verifying into a map, beside its struct row. jwx has one path, its own
// token type, which keeps the private claims in a map.
func peerVerifiers(tb testing.TB, f *fixture) []verifyCase {
	if f.pq != nil {
		return nil // no other Go JWT library here implements ML-DSA
	}
	hs := f.alg == "HS256"
	rows := []verifyCase{golangJWTVerifier(tb, f)}
	if hs {
		rows = append(rows, fromDecoder("golang-jwt/map", golangJWTMapDecoder(tb, &f.keys)))
	}
	rows = append(rows, goJoseVerifier(tb, f))
	if hs {
		rows = append(rows, fromDecoder("go-jose/map", goJoseMapDecoder(tb, &f.keys)))
	}
	rows = append(rows, jwxVerifier(tb, f), cristalVerifier(tb, f))
	if hs {
		rows = append(rows, fromDecoder("cristalhq/map", cristalMapDecoder(tb, &f.keys)))
	}
	rows = append(rows, katarasVerifier(tb, f))
	if hs {
		rows = append(rows, fromDecoder("kataras/map", katarasMapDecoder(tb, &f.keys)))
	}
	return rows
}

// peerSigners returns the peers' sign rows. For HS256, the peers whose API
// takes any claims value also sign rawClaims, a plain struct
// (<peer>/plain); golang-jwt needs a type with its Claims methods and jwx
// its own token type, so they have no plain row.
func peerSigners(tb testing.TB, f *fixture) []signCase {
	if f.pq != nil {
		return nil
	}
	rows := []signCase{golangJWTSigner(tb, f), goJoseSigner(tb, f)}
	if f.alg == "HS256" {
		rows = append(rows, goJosePlainSigner(tb, f))
	}
	rows = append(rows, jwxSigner(tb, f), cristalSigner(tb, f))
	if f.alg == "HS256" {
		rows = append(rows, cristalPlainSigner(tb, f))
	}
	rows = append(rows, katarasSigner(tb, f))
	if f.alg == "HS256" {
		rows = append(rows, katarasPlainSigner(tb, f))
	}
	return rows
}

// fromDecoder makes a decodeFunc that validates all claims a verify row.
func fromDecoder(name string, d decodeFunc) verifyCase {
	return verifyCase{
		name: name, checksClaims: true, checksAudience: true,
		verify: func(tok string, tokb []byte) error {
			_, err := d(tok, tokb)
			return err
		},
	}
}

var errMapClaims = errors.New("map claims rejected")

// validateMapClaims checks exp, iss and aud in claims decoded into a map,
// as a caller of a library that leaves it to them must.
func validateMapClaims(m map[string]any) error {
	exp, ok := m["exp"].(float64)
	if !ok || float64(time.Now().Unix()) >= exp {
		return errMapClaims
	}
	if m["iss"] != claimIss {
		return errMapClaims
	}
	switch aud := m["aud"].(type) {
	case string:
		if aud == claimAud {
			return nil
		}
	case []any:
		if slices.Contains(aud, any(claimAud)) {
			return nil
		}
	}
	return errMapClaims
}
