// Command benchtable turns the CSV that benchstat writes (-format csv) for a
// run of the benchmarks into a Markdown table with each row's ratio to the
// raw rows of the same operation and algorithm, followed by where each
// performance target of the benchmarks' README stands. run.sh calls it.
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// With -rounds FILE, the go test output that benchstat summarised, each
// ratio is the median of the ratios within each round (run.sh runs the whole
// selection once per round), which cancels load that lasts across a round's
// neighbouring rows better than a ratio of medians does.

// row is one benchmark's summary: the medians benchstat reports, and the
// confidence interval of the time.
type row struct {
	name   string // Verify/HS256/jwtkit/registered
	op     string // Verify or Sign
	alg    string // HS256
	impl   string // jwtkit/registered
	ns     float64
	ci     string
	bytes  float64
	allocs float64
	rounds []float64 // ns/op of each round, in order, when known
}

var procSuffix = regexp.MustCompile(`-\d+$`)

func main() {
	roundsFile := flag.String("rounds", "", "go test output `file` whose rounds pair the ratios")
	flag.Parse()
	rows, err := parse(os.Stdin)
	if err == nil && *roundsFile != "" {
		err = readRounds(*roundsFile, rows)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
	if len(rows) == 0 {
		fmt.Fprintln(os.Stderr, "benchtable: no benchmark rows in the input")
		os.Exit(1)
	}
	printTable(os.Stdout, rows)
	fmt.Println()
	printTargets(os.Stdout, rows)
}

func parse(r io.Reader) ([]*row, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	byName := map[string]*row{}
	var order []*row
	unit := ""
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(rec) < 2 {
			continue
		}
		if rec[0] == "" {
			unit = rec[1] // ",sec/op,CI" starts a section; ",file," names the input
			continue
		}
		name := procSuffix.ReplaceAllString(rec[0], "")
		op, rest, ok := strings.Cut(name, "/")
		if !ok || (op != "Verify" && op != "Sign") {
			continue // geomean and the like
		}
		alg, impl, ok := strings.Cut(rest, "/")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(rec[1], 64)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %v", name, unit, err)
		}
		x := byName[name]
		if x == nil {
			x = &row{name: name, op: op, alg: alg, impl: impl}
			byName[name] = x
			order = append(order, x)
		}
		switch unit {
		case "sec/op":
			x.ns = v * 1e9
			if len(rec) > 2 {
				x.ci = rec[2]
			}
		case "B/op":
			x.bytes = v
		case "allocs/op":
			x.allocs = v
		}
	}
	return order, nil
}

// readRounds records each row's ns/op per round from go test output, where
// round i holds the i-th result line of every benchmark.
func readRounds(name string, rows []*row) error {
	data, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	byName := map[string]*row{}
	for _, r := range rows {
		byName[r.name] = r
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || f[3] != "ns/op" {
			continue
		}
		r := byName[procSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")]
		if r == nil {
			continue
		}
		v, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			return fmt.Errorf("%s: %v", line, err)
		}
		r.rounds = append(r.rounds, v)
	}
	return nil
}

// div returns the ratio of a's time to b's: the median of the per-round
// ratios when both have the same rounds, else the ratio of the medians.
func div(a, b *row) float64 {
	if len(a.rounds) == 0 || len(a.rounds) != len(b.rounds) {
		return a.ns / b.ns
	}
	q := make([]float64, len(a.rounds))
	for i := range q {
		q[i] = a.rounds[i] / b.rounds[i]
	}
	sort.Float64s(q)
	n := len(q)
	if n%2 == 1 {
		return q[n/2]
	}
	return (q[n/2-1] + q[n/2]) / 2
}

// find returns the row op/alg/impl, or nil.
func find(rows []*row, op, alg, impl string) *row {
	for _, r := range rows {
		if r.op == op && r.alg == alg && r.impl == impl {
			return r
		}
	}
	return nil
}

func ratio(r, base *row) string {
	if base == nil || base.ns == 0 {
		return ""
	}
	return fmt.Sprintf("%.2f", div(r, base))
}

func printTable(w io.Writer, rows []*row) {
	fmt.Fprintln(w, "| benchmark | ns/op | ± | B/op | allocs/op | × raw | × raw/decode |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|")
	for _, r := range rows {
		raw := find(rows, r.op, r.alg, "raw")
		dec := ""
		if r.op == "Verify" && r.impl != "raw" {
			dec = ratio(r, find(rows, r.op, r.alg, "raw/decode"))
		}
		fmt.Fprintf(w, "| %s | %s | %s | %.0f | %.0f | %s | %s |\n",
			r.name, formatNs(r.ns), r.ci, r.bytes, r.allocs, ratio(r, raw), dec)
	}
}

func formatNs(ns float64) string {
	switch {
	case ns >= 100:
		return strconv.FormatFloat(math.Round(ns), 'f', 0, 64)
	default:
		return strconv.FormatFloat(ns, 'f', 1, 64)
	}
}

var peers = []string{"golang-jwt", "go-jose", "jwx", "cristalhq", "kataras"}

// target is one line of the README's targets.
type target struct {
	what  string
	got   float64 // the measured value
	limit float64 // met when got <= limit
	unit  string
	ok    bool // false when a row is missing
}

func printTargets(w io.Writer, rows []*row) {
	var ts []target
	ratioTarget := func(what string, a, b *row, limit float64) {
		t := target{what: what, limit: limit, unit: "×"}
		if a != nil && b != nil && b.ns > 0 {
			t.got, t.ok = div(a, b), true
		}
		ts = append(ts, t)
	}
	reg := find(rows, "Verify", "HS256", "jwtkit/registered")
	ratioTarget("HS256 verify into RegisteredClaims vs raw", reg, find(rows, "Verify", "HS256", "raw"), 3)
	if reg != nil {
		ts = append(ts, target{what: "HS256 verify into RegisteredClaims allocs/op", got: reg.allocs, limit: 2, ok: true})
	}
	var fastest *row
	for _, p := range peers {
		if r := find(rows, "Verify", "HS256", p); r != nil && (fastest == nil || r.ns < fastest.ns) {
			fastest = r
		}
	}
	if fastest != nil {
		// Faster by at least 3× is jwtkit/peer <= 1/3.
		t := target{what: "HS256 verify into RegisteredClaims vs fastest peer (" + fastest.impl + "), need ≤ 0.33", limit: 1.0 / 3, unit: "×"}
		if reg != nil {
			t.got, t.ok = div(reg, fastest), true
		}
		ts = append(ts, t)
	}
	ratioTarget("HS256 verify into a custom struct vs raw/decode",
		find(rows, "Verify", "HS256", "jwtkit/struct"), find(rows, "Verify", "HS256", "raw/decode"), 1.1)
	ratioTarget("HS256 sign vs raw", find(rows, "Sign", "HS256", "jwtkit"), find(rows, "Sign", "HS256", "raw"), 1.1)
	for _, alg := range []string{"RS256", "PS256", "ES256", "ES384", "ES512", "EdDSA"} {
		// RegisteredClaims is read by jwtkit's own reader and is the like
		// of raw; a struct or a map also goes through encoding/json, which
		// raw/decode pays too (raw/decode is itself above 1.02× raw).
		ratioTarget(alg+" verify into RegisteredClaims vs raw",
			find(rows, "Verify", alg, "jwtkit/registered"), find(rows, "Verify", alg, "raw"), 1.02)
		for _, impl := range []string{"jwtkit/struct", "jwtkit/map"} {
			ratioTarget(alg+" verify into a "+strings.TrimPrefix(impl, "jwtkit/")+" vs raw/decode",
				find(rows, "Verify", alg, impl), find(rows, "Verify", alg, "raw/decode"), 1.02)
		}
		ratioTarget(alg+" sign vs raw", find(rows, "Sign", alg, "jwtkit"), find(rows, "Sign", alg, "raw"), 1.02)
	}
	fmt.Fprintln(w, "| target | measured | limit | status |")
	fmt.Fprintln(w, "|---|--:|--:|---|")
	notRun := 0
	for _, t := range ts {
		switch {
		case !t.ok:
			notRun++
		case t.got <= t.limit*(1+1e-9):
			fmt.Fprintf(w, "| %s | %s | %s | met |\n", t.what, num(t.got, t.unit), num(t.limit, t.unit))
		default:
			fmt.Fprintf(w, "| %s | %s | %s | **missed** by %.1f%% |\n", t.what, num(t.got, t.unit), num(t.limit, t.unit), 100*(t.got/t.limit-1))
		}
	}
	if notRun > 0 {
		fmt.Fprintf(w, "\n%d targets need rows that this run did not include.\n", notRun)
	}
}

func num(v float64, unit string) string {
	if unit == "" {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return fmt.Sprintf("%.2f%s", v, unit)
}
