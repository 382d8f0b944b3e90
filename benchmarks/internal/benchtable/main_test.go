package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNewRow(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		base, op, group, impl string
		procs                 int
	}{
		{name: "Verify/HS256/jwtkit/registered-2", base: "Verify/HS256/jwtkit/registered", op: "Verify", group: "HS256", impl: "jwtkit/registered", procs: 2},
		{name: "VerifySize/2KiB/map/raw/decode-8", base: "VerifySize/2KiB/map/raw/decode", op: "VerifySize", group: "2KiB/map", impl: "raw/decode", procs: 8},
		{name: "VerifyParallel/HS256/raw", base: "VerifyParallel/HS256/raw", op: "VerifyParallel", group: "HS256", impl: "raw", procs: 1},
		{name: "ParseJWKSet/go-jose-2", base: "ParseJWKSet/go-jose", op: "ParseJWKSet", group: "", impl: "go-jose", procs: 2},
	} {
		r := newRow(tc.name)
		if r == nil {
			t.Errorf("%s: no row", tc.name)
			continue
		}
		if r.base != tc.base || r.op != tc.op || r.group != tc.group || r.impl != tc.impl || r.procs != tc.procs {
			t.Errorf("%s: got %q %q %q %q %d", tc.name, r.base, r.op, r.group, r.impl, r.procs)
		}
	}
	if r := newRow("geomean"); r != nil {
		t.Errorf("geomean is a row: %+v", r)
	}
}

// TestTargets runs the table and the goals on two rounds of made-up
// output: ratios come from cpu-ns/op paired by round, scaling from ns/op.
func TestTargets(t *testing.T) {
	rounds := `BenchmarkVerify/HS256/raw-2 	 1000	 400 ns/op	 300 cpu-ns/op	 0 B/op	 0 allocs/op
BenchmarkVerify/HS256/jwtkit/registered-2 	 1000	 1000 ns/op	 600 cpu-ns/op	 432 B/op	 2 allocs/op
BenchmarkVerifyParallel/HS256/raw 	 1000	 400 ns/op	 400 cpu-ns/op	 0 B/op	 0 allocs/op
BenchmarkVerifyParallel/HS256/raw-2 	 1000	 250 ns/op	 420 cpu-ns/op	 0 B/op	 0 allocs/op
BenchmarkVerify/HS256/raw-2 	 1000	 500 ns/op	 310 cpu-ns/op	 0 B/op	 0 allocs/op
BenchmarkVerify/HS256/jwtkit/registered-2 	 1000	 900 ns/op	 1240 cpu-ns/op	 432 B/op	 2 allocs/op
BenchmarkVerifyParallel/HS256/raw 	 1000	 400 ns/op	 400 cpu-ns/op	 0 B/op	 0 allocs/op
BenchmarkVerifyParallel/HS256/raw-2 	 1000	 200 ns/op	 400 cpu-ns/op	 0 B/op	 0 allocs/op
`
	csv := `,x.txt,
,sec/op,CI
Verify/HS256/raw-2,4.5e-07,∞
Verify/HS256/jwtkit/registered-2,9.5e-07,∞
VerifyParallel/HS256/raw,4e-07,∞
VerifyParallel/HS256/raw-2,2.25e-07,∞
geomean,1e-07,

,x.txt,
,cpu-sec/op,CI
Verify/HS256/raw-2,3.05e-07,∞
Verify/HS256/jwtkit/registered-2,9.2e-07,∞
VerifyParallel/HS256/raw,4e-07,∞
VerifyParallel/HS256/raw-2,4.1e-07,∞

,x.txt,
,allocs/op,CI
Verify/HS256/jwtkit/registered-2,2,∞
`
	file := filepath.Join(t.TempDir(), "rounds.txt")
	if err := os.WriteFile(file, []byte(rounds), 0o644); err != nil {
		t.Fatal(err)
	}
	rows, err := parse(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	if err := readRounds(file, rows); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	printTable(&out, rows)
	printTargets(&out, rows)
	for _, want := range []string{
		// Per round, 600/300 = 2 and 1240/310 = 4: the median is 3.
		"| Verify/HS256/jwtkit/registered | 950 | ∞ | 920 | ∞ | 0 | 2 | 3.00 |  |",
		"| VerifyParallel/HS256/raw (-cpu 1) |",
		"| VerifyParallel/HS256/raw (-cpu 2) |",
		"| HS256 verify into RegisteredClaims vs raw | 3.00× | ≤ 2.80× | **missed** by 7.1% |",
		"| HS256 verify into RegisteredClaims allocs/op | 2 | ≤ 2 | met |",
		// Per round, 400/250 = 1.6 and 400/200 = 2: the median is 1.8.
		"| HS256 verify, RunParallel throughput at -cpu 2 vs -cpu 1, raw | 1.80× | ≥ 1.95× | **missed** by 7.7% |",
		"goals need rows that this run did not include",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
