// Command benchtable turns the CSV that benchstat writes (-format csv) for a
// run of the benchmarks into a Markdown table with each row's ratio to the
// raw rows of the same group, followed by where each performance goal of the
// benchmarks' README stands. run.sh calls it.
//
// Ratios are taken on cpu-ns/op, the process's CPU time per op that every
// benchmark reports (on ns/op for a row without it), except the parallel
// scaling, which is a ratio of throughput and so of ns/op.
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

// row is one benchmark's summary: the medians benchstat reports, their
// confidence intervals, and the value of each round.
type row struct {
	name  string // as go test names it, less "Benchmark": VerifyParallel/HS256/raw-2
	base  string // the name without the GOMAXPROCS suffix
	procs int    // GOMAXPROCS: the suffix, or 1 without one
	// A name is <op>/<group>/<impl>, where impl starts at the first element
	// that names an implementation (see impls) and group may be empty:
	// Verify/HS256/jwtkit/registered, VerifySize/2KiB/map/go-jose,
	// ParseJWKSet/raw/decode.
	op, group, impl string
	ns, cpu         float64 // medians, in ns/op and cpu-ns/op
	nsCI, cpuCI     string
	bytes, allocs   float64
	// nsRounds and cpuRounds are the row's values in each round, in order,
	// when known.
	nsRounds, cpuRounds []float64
}

// cost is the row's median cpu-ns/op, or ns/op if it has none.
func (r *row) cost() float64 {
	if r.cpu > 0 {
		return r.cpu
	}
	return r.ns
}

// costRounds is the row's cpu-ns/op of each round, or ns/op if it has none.
func (r *row) costRounds() []float64 {
	if len(r.cpuRounds) > 0 {
		return r.cpuRounds
	}
	return r.nsRounds
}

// impls are the first elements of implementation names.
var impls = map[string]bool{
	"raw": true, "jwtkit": true, "golang-jwt": true, "go-jose": true,
	"jwx": true, "cristalhq": true, "kataras": true,
}

var procSuffix = regexp.MustCompile(`-(\d+)$`)

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

// newRow splits a benchmark name into its parts, or returns nil for a
// name that is no benchmark row (geomean and the like).
func newRow(name string) *row {
	r := &row{name: name, base: name, procs: 1}
	if m := procSuffix.FindStringSubmatch(name); m != nil {
		r.base = strings.TrimSuffix(name, m[0])
		r.procs, _ = strconv.Atoi(m[1])
	}
	parts := strings.Split(r.base, "/")
	if len(parts) < 2 {
		return nil
	}
	r.op = parts[0]
	for i := 1; i < len(parts); i++ {
		if impls[parts[i]] {
			r.group = strings.Join(parts[1:i], "/")
			r.impl = strings.Join(parts[i:], "/")
			return r
		}
	}
	return nil
}

func parse(in io.Reader) ([]*row, error) {
	cr := csv.NewReader(in)
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
		x := byName[rec[0]]
		if x == nil {
			if x = newRow(rec[0]); x == nil {
				continue
			}
			byName[rec[0]] = x
			order = append(order, x)
		}
		v, err := strconv.ParseFloat(rec[1], 64)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %v", rec[0], unit, err)
		}
		ci := ""
		if len(rec) > 2 {
			ci = rec[2]
		}
		switch unit {
		case "sec/op":
			x.ns, x.nsCI = v*1e9, ci
		case "cpu-sec/op":
			x.cpu, x.cpuCI = v*1e9, ci
		case "B/op":
			x.bytes = v
		case "allocs/op":
			x.allocs = v
		}
	}
	return order, nil
}

// readRounds records each row's ns/op and cpu-ns/op per round from go test
// output, where round i holds the i-th result line of every benchmark.
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
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		r := byName[strings.TrimPrefix(f[0], "Benchmark")]
		if r == nil {
			continue
		}
		// f[1] is the iteration count; then value-unit pairs.
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return fmt.Errorf("%s: %v", line, err)
			}
			switch f[i+1] {
			case "ns/op":
				r.nsRounds = append(r.nsRounds, v)
			case "cpu-ns/op":
				r.cpuRounds = append(r.cpuRounds, v)
			}
		}
	}
	return nil
}

func median(q []float64) float64 {
	sort.Float64s(q)
	n := len(q)
	if n%2 == 1 {
		return q[n/2]
	}
	return (q[n/2-1] + q[n/2]) / 2
}

// roundwise returns the median over the rounds of f applied to the rows'
// values of that round, as chosen by values, when every row has the same
// rounds; otherwise f of the rows' medians.
func roundwise(values func(*row) ([]float64, float64), f func(v []float64) float64, rows ...*row) float64 {
	n := -1
	for _, r := range rows {
		rounds, _ := values(r)
		if n == -1 {
			n = len(rounds)
		}
		if len(rounds) != n {
			n = 0
		}
	}
	v := make([]float64, len(rows))
	if n <= 0 {
		for i, r := range rows {
			_, v[i] = values(r)
		}
		return f(v)
	}
	q := make([]float64, n)
	for k := range q {
		for i, r := range rows {
			rounds, _ := values(r)
			v[i] = rounds[k]
		}
		q[k] = f(v)
	}
	return median(q)
}

func byCost(r *row) ([]float64, float64) { return r.costRounds(), r.cost() }
func byNs(r *row) ([]float64, float64)   { return r.nsRounds, r.ns }

// div returns the ratio of a's cost to b's.
func div(a, b *row) float64 {
	return roundwise(byCost, func(v []float64) float64 { return v[0] / v[1] }, a, b)
}

// find returns the row op/group/impl run with procs, or nil.
func find(rows []*row, op, group, impl string, procs int) *row {
	for _, r := range rows {
		if r.op == op && r.group == group && r.impl == impl && r.procs == procs {
			return r
		}
	}
	return nil
}

// get returns the first row named base (without the suffix), or nil.
func get(rows []*row, base string) *row {
	for _, r := range rows {
		if r.base == base {
			return r
		}
	}
	return nil
}

// getProcs returns the row named base run with procs, or nil.
func getProcs(rows []*row, base string, procs int) *row {
	for _, r := range rows {
		if r.base == base && r.procs == procs {
			return r
		}
	}
	return nil
}

func ratio(r, base *row) string {
	if base == nil || base == r || base.cost() == 0 {
		return ""
	}
	return fmt.Sprintf("%.2f", div(r, base))
}

// displayName is the row's name, with the GOMAXPROCS it ran with when the
// run holds the same benchmark with another.
func displayName(rows []*row, r *row) string {
	for _, o := range rows {
		if o.base == r.base && o.procs != r.procs {
			return fmt.Sprintf("%s (-cpu %d)", r.base, r.procs)
		}
	}
	return r.base
}

func printTable(w io.Writer, rows []*row) {
	fmt.Fprintln(w, "Ratios are of cpu-ns/op, each the median of the ratios within a round, to the `raw` and `raw/decode` rows of the same group.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| benchmark | ns/op | ± | cpu-ns/op | ± | B/op | allocs/op | × raw | × raw/decode |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, r := range rows {
		dec := ""
		if r.impl != "raw" {
			dec = ratio(r, find(rows, r.op, r.group, "raw/decode", r.procs))
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %.0f | %.0f | %s | %s |\n",
			displayName(rows, r), formatNs(r.ns), r.nsCI, formatNs(r.cpu), r.cpuCI, r.bytes, r.allocs,
			ratio(r, find(rows, r.op, r.group, "raw", r.procs)), dec)
	}
}

func formatNs(ns float64) string {
	switch {
	case ns == 0:
		return ""
	case ns >= 100:
		return strconv.FormatFloat(math.Round(ns), 'f', 0, 64)
	default:
		return strconv.FormatFloat(ns, 'f', 1, 64)
	}
}

// target is one line of the README's goals.
type target struct {
	what    string
	got     float64 // the measured value
	limit   float64
	atLeast bool   // met when got >= limit; otherwise when got <= limit
	unit    string // "×", or "" for counts
	ok      bool   // false when a row is missing
}

// targets collects the goals as printTargets evaluates them.
type targets struct {
	rows []*row
	list []target
}

// ratio adds "a's cost ÷ b's ≤ limit".
func (ts *targets) ratio(what string, a, b *row, limit float64) {
	t := target{what: what, limit: limit, unit: "×"}
	if a != nil && b != nil && b.cost() > 0 {
		t.got, t.ok = div(a, b), true
	}
	ts.list = append(ts.list, t)
}

// fastest returns the row of least cost among the names, or nil.
func (ts *targets) fastest(names ...string) *row {
	var best *row
	for _, n := range names {
		if r := get(ts.rows, n); r != nil && (best == nil || r.cost() < best.cost()) {
			best = r
		}
	}
	return best
}

// faster adds "a's cost ÷ the fastest of peers' ≤ limit".
func (ts *targets) faster(what, a string, limit float64, peers ...string) {
	f := ts.fastest(peers...)
	name := "no peer row"
	if f != nil {
		name = f.impl
	}
	ts.ratio(fmt.Sprintf("%s vs the fastest peer's (%s)", what, name), get(ts.rows, a), f, limit)
}

// allocs adds "a's allocs/op ≤ limit".
func (ts *targets) allocs(what, a string, limit float64) {
	t := target{what: what, limit: limit}
	if r := get(ts.rows, a); r != nil {
		t.got, t.ok = r.allocs, true
	}
	ts.list = append(ts.list, t)
}

var (
	peers        = []string{"golang-jwt", "go-jose", "jwx", "cristalhq", "kataras"}
	structPeers  = []string{"golang-jwt", "go-jose", "cristalhq", "kataras"}
	mapPeerPaths = []string{"golang-jwt/map", "go-jose/map", "jwx", "cristalhq/map", "kataras/map"}
	sizes        = []string{"200B", "2KiB", "7KiB"}
	asymmetric   = []string{"RS256", "PS256", "ES256", "ES384", "ES512", "EdDSA"}
)

func prefixed(prefix string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + n
	}
	return out
}

// sizeBytes returns the bytes of claims a size group names: 200B, 2KiB.
func sizeBytes(s string) float64 {
	if n, ok := strings.CutSuffix(s, "KiB"); ok {
		v, _ := strconv.ParseFloat(n, 64)
		return v * 1024
	}
	v, _ := strconv.ParseFloat(strings.TrimSuffix(s, "B"), 64)
	return v
}

func printTargets(w io.Writer, rows []*row) {
	ts := &targets{rows: rows}
	g := func(name string) *row { return get(rows, name) }

	// Issue 11, in its order.
	ts.ratio("HS256 verify into RegisteredClaims vs raw", g("Verify/HS256/jwtkit/registered"), g("Verify/HS256/raw"), 2.8)
	ts.allocs("HS256 verify into RegisteredClaims allocs/op", "Verify/HS256/jwtkit/registered", 2)
	ts.faster("HS256 verify into RegisteredClaims", "Verify/HS256/jwtkit/registered", 1.0/3, prefixed("Verify/HS256/", peers)...)
	ts.ratio("HS256 verify into a custom struct vs raw/decode", g("Verify/HS256/jwtkit/struct"), g("Verify/HS256/raw/decode"), 0.8)
	ts.faster("HS256 verify into a custom struct", "Verify/HS256/jwtkit/struct", 1.0/3, prefixed("Verify/HS256/", structPeers)...)
	ts.faster("HS256 verify into a map", "Verify/HS256/jwtkit/map", 0.5, prefixed("Verify/HS256/", mapPeerPaths)...)
	for _, shape := range []string{"map", "struct"} {
		ps := peers
		if shape == "struct" {
			ps = structPeers
		}
		for _, s := range sizes {
			pre := "VerifySize/" + s + "/" + shape + "/"
			ts.faster(fmt.Sprintf("HS256 verify, %s claims, into a %s", s, shape), pre+"jwtkit", 0.5, prefixed(pre, ps)...)
		}
		// Linear growth: the cost per byte of claims at 7 KiB is no more
		// than at 2 KiB (a fixed cost per token only lowers it).
		big, small := g("VerifySize/7KiB/"+shape+"/jwtkit"), g("VerifySize/2KiB/"+shape+"/jwtkit")
		t := target{what: "HS256 verify into a " + shape + ": cpu-ns per byte of claims, 7KiB vs 2KiB", limit: 1.05, unit: "×"}
		if big != nil && small != nil {
			t.got, t.ok = div(big, small)*sizeBytes("2KiB")/sizeBytes("7KiB"), true
		}
		ts.list = append(ts.list, t)
	}
	ts.ratio("HS256 sign of a struct embedding RegisteredClaims vs raw", g("Sign/HS256/jwtkit"), g("Sign/HS256/raw"), 1.1)
	ts.ratio("HS256 sign of a plain struct vs raw", g("Sign/HS256/jwtkit/plain"), g("Sign/HS256/raw"), 1.05)
	ts.ratio("Key set, two alternating kids vs one kid", g("KeySet/alternating/jwtkit"), g("KeySet/one/jwtkit"), 1.05)
	if one := g("KeySet/one/jwtkit"); one != nil {
		ts.allocs("Key set, two alternating kids: allocs/op, at most one kid's", "KeySet/alternating/jwtkit", one.allocs)
	}
	ts.ratio("JWK Set of 100 EC keys, parse vs go-jose", g("ParseJWKSet/jwtkit"), g("ParseJWKSet/go-jose"), 1)
	if dec := g("ParseJWKSet/raw/decode"); dec != nil {
		ts.allocs(fmt.Sprintf("JWK Set parse allocs/op, at most the standard library's for the same members (%.1f per key)", dec.allocs/100), "ParseJWKSet/jwtkit", dec.allocs)
	}
	for _, impl := range []struct {
		name  string
		limit float64
	}{{"jwtkit/registered", 1.85}, {"raw", 1.95}} {
		base := "VerifyParallel/HS256/" + impl.name
		one, two := getProcs(rows, base, 1), getProcs(rows, base, 2)
		t := target{what: "HS256 verify, RunParallel throughput at -cpu 2 vs -cpu 1, " + impl.name, limit: impl.limit, atLeast: true, unit: "×"}
		if one != nil && two != nil {
			t.got, t.ok = roundwise(byNs, func(v []float64) float64 { return v[0] / v[1] }, one, two), true
		}
		ts.list = append(ts.list, t)
	}
	// Asymmetric paths: RegisteredClaims within 1.02× raw; a struct or a
	// map within 1.02× raw plus what decoding into it costs beyond
	// RegisteredClaims at HS256.
	hsReg := g("Verify/HS256/jwtkit/registered")
	for _, alg := range asymmetric {
		raw := g("Verify/" + alg + "/raw")
		ts.ratio(alg+" verify into RegisteredClaims vs raw", g("Verify/"+alg+"/jwtkit/registered"), raw, 1.02)
		for _, shape := range []string{"struct", "map"} {
			a, hs := g("Verify/"+alg+"/jwtkit/"+shape), g("Verify/HS256/jwtkit/"+shape)
			t := target{what: alg + " verify into a " + shape + ", less its extra decoding at HS256, vs raw", limit: 1.02, unit: "×"}
			if a != nil && hs != nil && hsReg != nil && raw != nil {
				t.got = roundwise(byCost, func(v []float64) float64 { return (v[0] - (v[1] - v[2])) / v[3] }, a, hs, hsReg, raw)
				t.ok = true
			}
			ts.list = append(ts.list, t)
		}
		ts.ratio(alg+" sign vs raw", g("Sign/"+alg+"/jwtkit"), g("Sign/"+alg+"/raw"), 1.02)
	}

	issue25Targets(ts)

	fmt.Fprintln(w, "| goal | measured | limit | status |")
	fmt.Fprintln(w, "|---|--:|--:|---|")
	notRun := 0
	for _, t := range ts.list {
		cmp := "≤ "
		if t.atLeast {
			cmp = "≥ "
		}
		met := t.got <= t.limit*(1+1e-9)
		if t.atLeast {
			met = t.got >= t.limit*(1-1e-9)
		}
		switch {
		case !t.ok:
			notRun++
		case met:
			fmt.Fprintf(w, "| %s | %s | %s | met |\n", t.what, num(t.got, t.unit), cmp+num(t.limit, t.unit))
		default:
			fmt.Fprintf(w, "| %s | %s | %s | **missed** by %.1f%% |\n", t.what, num(t.got, t.unit), cmp+num(t.limit, t.unit), 100*math.Abs(t.got/t.limit-1))
		}
	}
	if notRun > 0 {
		fmt.Fprintf(w, "\n%d goals need rows that this run did not include.\n", notRun)
	}
}

func num(v float64, unit string) string {
	if unit == "" {
		return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
	}
	return fmt.Sprintf("%.2f%s", v, unit)
}
